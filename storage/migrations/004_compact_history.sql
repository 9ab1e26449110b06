-- hubcensus main database, version 4: compact history (docs/history.md).
-- model_snapshots stops being one stored row per model per night: a model's counts are stored
-- once per run of nights in which they did not move, keyed by a small integer. The view
-- `model_snapshots` expands the runs back to one row per model per night it was listed, with
-- the same columns and answers as the table it replaces.
--
--   model_keys           one row per model id ever snapshotted: its integer key (dense, in order
--                        of first appearance) and the first night a refresh fetched its heavy
--                        fields (time travel: before that night its license etc. were unknown)
--   snapshot_nights      the nights that wrote snapshots
--   model_counts_open    one row per model listed on the latest night: its counts since valid_from
--   model_counts_closed  a view: the runs that ended, each over nights [valid_from, valid_to) with
--                        unchanged counts (valid_to, exclusive, is the first night the counts
--                        moved or the model was not listed); stored in two tables:
--     model_runs_recent  runs closed by the last few nights, as the nights closed them
--     model_runs_archive append-only: every night, the recent runs of one eighth of the keys
--                        (slice (model_key >> 17) % 8 = days since 1970 % 8) move here sorted by
--                        key block (model_key >> 10) and all-time downloads: a model's runs lie
--                        in a few row groups per eight nights (one model's series reads ~100 row
--                        groups of a year, not half of them), and neighbours have similar counts
--                        (few bits each)
--   lineage_removed      base-model edges that a later night no longer declared (lineage keeps
--                        only current edges), so a past night's lineage can be rebuilt
--
-- A run also ends at the model's keyframe night, (model_key + days since 1970-01-01) % 32 = 0, and
-- after 32 days, so every run is at most ~32 days long: the rows that hold on a night are all
-- in the ~32 nights of closed rows appended after it (zone maps skip the rest), and the nightly
-- merge reads the open rows only, never the history behind them.

CREATE TYPE hc_gated AS ENUM ('none', 'auto', 'manual');

CREATE TABLE model_keys (
    model_key           INTEGER NOT NULL,
    model_id            VARCHAR NOT NULL,
    first_refreshed     DATE              -- NULL: never refreshed yet
);

CREATE TABLE snapshot_nights (
    snapshot_date       DATE NOT NULL
);

CREATE TABLE model_counts_open (
    model_key           INTEGER NOT NULL,
    valid_from          DATE NOT NULL,
    downloads           BIGINT,
    downloads_all_time  BIGINT,
    likes               BIGINT,
    gated               hc_gated,
    downloads_all_time_delta BIGINT       -- see model_counts_closed
);

CREATE TABLE model_runs_archive (
    model_key           INTEGER NOT NULL,
    valid_from          DATE NOT NULL,
    valid_to            DATE NOT NULL,
    downloads           BIGINT,
    downloads_all_time  BIGINT,
    likes               BIGINT,
    gated               hc_gated,
    -- downloads_all_time minus the model's downloads_all_time on the snapshot night before
    -- valid_from (the downloads of the nights in between, exactly); NULL when the model was not
    -- listed on that night or a count is unknown
    downloads_all_time_delta BIGINT
);

CREATE TABLE model_runs_recent (          -- the same columns as model_runs_archive
    model_key           INTEGER NOT NULL,
    valid_from          DATE NOT NULL,
    valid_to            DATE NOT NULL,
    downloads           BIGINT,
    downloads_all_time  BIGINT,
    likes               BIGINT,
    gated               hc_gated,
    downloads_all_time_delta BIGINT
);

CREATE VIEW model_counts_closed AS
SELECT * FROM model_runs_archive
UNION ALL
SELECT * FROM model_runs_recent;

CREATE TABLE lineage_removed (
    child_id            VARCHAR NOT NULL,
    parent_id           VARCHAR NOT NULL,
    relation            VARCHAR NOT NULL,
    source              VARCHAR NOT NULL,
    first_seen          DATE NOT NULL,    -- as lineage had it
    removed_on          DATE NOT NULL     -- the first night the child no longer declared it
);

-- ------------------------------------------------------------------ converting the full rows
ALTER TABLE model_snapshots RENAME TO model_snapshots_full_rows;

INSERT INTO model_keys (model_key, model_id, first_refreshed)
WITH seen AS (
    SELECT model_id, min(first_seen) AS first_seen
    FROM (SELECT model_id, first_seen FROM hub_models
          UNION ALL
          SELECT model_id, min(snapshot_date) FROM model_snapshots_full_rows GROUP BY 1)
    GROUP BY 1
)
SELECT CAST(row_number() OVER (ORDER BY s.first_seen, s.model_id) AS INTEGER), s.model_id,
       -- A refresh reads a model when it is new (a first night is one heavy pass), so a model
       -- refreshed by now is taken as refreshed since it was first seen.
       CASE WHEN m.refreshed_on IS NOT NULL THEN s.first_seen END
FROM seen s LEFT JOIN hub_models m USING (model_id);

INSERT INTO snapshot_nights SELECT DISTINCT snapshot_date FROM model_snapshots_full_rows;

-- Runs: consecutive snapshot nights of a model with the same counts, cut at keyframe nights.
CREATE TEMP TABLE converted_runs AS
WITH nights AS (
    SELECT snapshot_date, row_number() OVER (ORDER BY snapshot_date) AS night_no,
           lead(snapshot_date) OVER (ORDER BY snapshot_date) AS next_night
    FROM snapshot_nights
),
rows AS (
    SELECT k.model_key, s.snapshot_date, n.night_no, n.next_night,
           s.downloads, s.downloads_all_time, s.likes, CAST(s.gated AS hc_gated) AS gated
    FROM model_snapshots_full_rows s
    JOIN model_keys k USING (model_id)
    JOIN nights n USING (snapshot_date)
    QUALIFY row_number() OVER (PARTITION BY k.model_key, s.snapshot_date) = 1
),
starts AS (
    SELECT *,
           CASE WHEN lag(night_no) OVER w = night_no - 1
                 AND lag(downloads) OVER w IS NOT DISTINCT FROM downloads
                 AND lag(downloads_all_time) OVER w IS NOT DISTINCT FROM downloads_all_time
                 AND lag(likes) OVER w IS NOT DISTINCT FROM likes
                 AND lag(gated) OVER w IS NOT DISTINCT FROM gated
                 AND (model_key + (snapshot_date - DATE '1970-01-01')) % 32 <> 0
                THEN 0 ELSE 1 END AS starts_run,
           CASE WHEN lag(night_no) OVER w = night_no - 1
                THEN downloads_all_time - lag(downloads_all_time) OVER w END AS downloads_all_time_delta
    FROM rows
    WINDOW w AS (PARTITION BY model_key ORDER BY night_no)
),
numbered AS (
    SELECT *, sum(starts_run) OVER (PARTITION BY model_key ORDER BY night_no ROWS UNBOUNDED PRECEDING) AS run_no
    FROM starts
)
SELECT model_key, min(snapshot_date) AS valid_from,
       CASE WHEN bool_or(next_night IS NULL) THEN NULL ELSE max(next_night) END AS valid_to,   -- NULL: open
       any_value(downloads) AS downloads, any_value(downloads_all_time) AS downloads_all_time,
       any_value(likes) AS likes, any_value(gated) AS gated,
       first(downloads_all_time_delta ORDER BY night_no) AS downloads_all_time_delta
FROM numbered
GROUP BY model_key, run_no;

-- Closed runs as the nightly merge would have moved them to the archive: on the first night from
-- their closing night whose slice is theirs, in key-block order; those whose night has not come
-- yet are recent.
INSERT INTO model_runs_archive
SELECT model_key, valid_from, valid_to, downloads, downloads_all_time, likes, gated, downloads_all_time_delta
FROM converted_runs
WHERE valid_to IS NOT NULL
  AND valid_to + CAST((((model_key >> 17) - (valid_to - DATE '1970-01-01')) % 8 + 8) % 8 AS INTEGER)
      <= (SELECT max(snapshot_date) FROM snapshot_nights)
ORDER BY valid_to + CAST((((model_key >> 17) - (valid_to - DATE '1970-01-01')) % 8 + 8) % 8 AS INTEGER),
         model_key >> 10, downloads_all_time, model_key, valid_from;

INSERT INTO model_runs_recent
SELECT model_key, valid_from, valid_to, downloads, downloads_all_time, likes, gated, downloads_all_time_delta
FROM converted_runs
WHERE valid_to IS NOT NULL
  AND valid_to + CAST((((model_key >> 17) - (valid_to - DATE '1970-01-01')) % 8 + 8) % 8 AS INTEGER)
      > (SELECT max(snapshot_date) FROM snapshot_nights);

INSERT INTO model_counts_open
SELECT model_key, valid_from, downloads, downloads_all_time, likes, gated, downloads_all_time_delta
FROM converted_runs WHERE valid_to IS NULL
ORDER BY model_key;

DROP TABLE converted_runs;
DROP TABLE model_snapshots_full_rows;

-- ------------------------------------------------------------------ what analysts read
-- Every run with its nights: valid_to NULL for the open runs (still holding on the latest night).
CREATE VIEW model_counts AS
SELECT k.model_id, c.model_key, c.valid_from, c.valid_to, c.downloads, c.downloads_all_time, c.likes,
       CAST(c.gated AS VARCHAR) AS gated, c.downloads_all_time_delta
FROM model_counts_closed c JOIN model_keys k USING (model_key)
UNION ALL
SELECT k.model_id, o.model_key, o.valid_from, CAST(NULL AS DATE), o.downloads, o.downloads_all_time, o.likes,
       CAST(o.gated AS VARCHAR), o.downloads_all_time_delta
FROM model_counts_open o JOIN model_keys k USING (model_key);

-- The analysts' table as it was: one row per model per night it was listed.
CREATE VIEW model_snapshots AS
SELECT n.snapshot_date, k.model_id, c.downloads, c.downloads_all_time, c.likes, CAST(c.gated AS VARCHAR) AS gated
FROM snapshot_nights n
JOIN model_counts_closed c ON c.valid_from <= n.snapshot_date AND n.snapshot_date < c.valid_to
JOIN model_keys k ON k.model_key = c.model_key
UNION ALL
SELECT n.snapshot_date, k.model_id, o.downloads, o.downloads_all_time, o.likes, CAST(o.gated AS VARCHAR)
FROM snapshot_nights n
JOIN model_counts_open o ON o.valid_from <= n.snapshot_date
JOIN model_keys k ON k.model_key = o.model_key;
