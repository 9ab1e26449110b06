-- hubcensus main database, version 5: compact history for datasets and Spaces (docs/history.md).
-- dataset_snapshots and space_snapshots stop being one stored row per repository per night: as
-- models' counts since version 4, what a night observed of a repository is stored once per run
-- of nights in which it did not change, keyed by a small integer. Views of the old names give
-- the same rows and columns as the tables they replace.
--
--   dataset_keys / space_keys        one row per id ever snapshotted: its integer key (dense, in
--                                    order of first appearance)
--   dataset_nights / space_nights    the nights whose merge wrote snapshots of that type (a night
--                                    that crawled models only is not one)
--   *_runs_open                      one row per repository listed on the type's latest night:
--                                    what it observed since valid_from
--   *_runs_closed                    the runs that ended, each over the nights [valid_from,
--                                    valid_to) of its type (valid_to, exclusive: the first such
--                                    night the values moved or the repository was not listed);
--                                    append-only but for a night merged out of order
--   `observed` is a STRUCT of what a night observes: one merge (storage/sql/merge_repo_history.sql)
--   serves both types, comparing and copying it whole.
--
-- Simpler than models' runs on purpose: no keyframes, no archive by eighths, no download deltas.
-- No series of one dataset is read per night, and the time-travel read (the runs holding on a
-- night) skips by valid_to the row groups closed before it.

CREATE TABLE dataset_keys (
    dataset_key         INTEGER NOT NULL,
    dataset_id          VARCHAR NOT NULL
);

CREATE TABLE dataset_nights (
    snapshot_date       DATE NOT NULL
);

CREATE TABLE dataset_runs_open (
    dataset_key         INTEGER NOT NULL,
    valid_from          DATE NOT NULL,
    observed            STRUCT(downloads BIGINT, downloads_all_time BIGINT, likes BIGINT, gated VARCHAR)
);

CREATE TABLE dataset_runs_closed (
    dataset_key         INTEGER NOT NULL,
    valid_from          DATE NOT NULL,
    valid_to            DATE NOT NULL,
    observed            STRUCT(downloads BIGINT, downloads_all_time BIGINT, likes BIGINT, gated VARCHAR)
);

CREATE TABLE space_keys (
    space_key           INTEGER NOT NULL,
    space_id            VARCHAR NOT NULL
);

CREATE TABLE space_nights (
    snapshot_date       DATE NOT NULL
);

CREATE TABLE space_runs_open (
    space_key           INTEGER NOT NULL,
    valid_from          DATE NOT NULL,
    observed            STRUCT(likes BIGINT, runtime_stage VARCHAR)
);

CREATE TABLE space_runs_closed (
    space_key           INTEGER NOT NULL,
    valid_from          DATE NOT NULL,
    valid_to            DATE NOT NULL,
    observed            STRUCT(likes BIGINT, runtime_stage VARCHAR)
);

-- ------------------------------------------------------------------ converting the full rows
-- Runs: consecutive nights of the type with the same values (gaps and islands on the night's
-- number); a run still holding on the type's latest night is open.
INSERT INTO dataset_keys
SELECT CAST(row_number() OVER (ORDER BY min(snapshot_date), dataset_id) AS INTEGER), dataset_id
FROM dataset_snapshots GROUP BY dataset_id;

INSERT INTO dataset_nights SELECT DISTINCT snapshot_date FROM dataset_snapshots;

CREATE TEMP TABLE converted_dataset_runs AS
WITH nights AS (
    SELECT snapshot_date, row_number() OVER (ORDER BY snapshot_date) AS night_no,
           lead(snapshot_date) OVER (ORDER BY snapshot_date) AS next_night
    FROM dataset_nights
),
rows AS (
    SELECT k.dataset_key AS repo_key, s.snapshot_date, n.night_no, n.next_night,
           {'downloads': s.downloads, 'downloads_all_time': s.downloads_all_time, 'likes': s.likes,
            'gated': s.gated} AS observed
    FROM dataset_snapshots s
    JOIN dataset_keys k USING (dataset_id)
    JOIN nights n USING (snapshot_date)
    QUALIFY row_number() OVER (PARTITION BY k.dataset_key, s.snapshot_date) = 1
),
numbered AS (
    SELECT *, sum(starts_run) OVER (PARTITION BY repo_key ORDER BY night_no ROWS UNBOUNDED PRECEDING) AS run_no
    FROM (SELECT *,
                 CASE WHEN lag(night_no) OVER w = night_no - 1 AND lag(observed) OVER w IS NOT DISTINCT FROM observed
                      THEN 0 ELSE 1 END AS starts_run
          FROM rows WINDOW w AS (PARTITION BY repo_key ORDER BY night_no))
)
SELECT repo_key, min(snapshot_date) AS valid_from,
       CASE WHEN bool_or(next_night IS NULL) THEN NULL ELSE max(next_night) END AS valid_to,   -- NULL: open
       any_value(observed) AS observed
FROM numbered
GROUP BY repo_key, run_no;

INSERT INTO dataset_runs_closed
SELECT repo_key, valid_from, valid_to, observed FROM converted_dataset_runs WHERE valid_to IS NOT NULL
ORDER BY valid_to, repo_key;

INSERT INTO dataset_runs_open
SELECT repo_key, valid_from, observed FROM converted_dataset_runs WHERE valid_to IS NULL ORDER BY repo_key;

DROP TABLE converted_dataset_runs;
DROP TABLE dataset_snapshots;

INSERT INTO space_keys
SELECT CAST(row_number() OVER (ORDER BY min(snapshot_date), space_id) AS INTEGER), space_id
FROM space_snapshots GROUP BY space_id;

INSERT INTO space_nights SELECT DISTINCT snapshot_date FROM space_snapshots;

CREATE TEMP TABLE converted_space_runs AS
WITH nights AS (
    SELECT snapshot_date, row_number() OVER (ORDER BY snapshot_date) AS night_no,
           lead(snapshot_date) OVER (ORDER BY snapshot_date) AS next_night
    FROM space_nights
),
rows AS (
    SELECT k.space_key AS repo_key, s.snapshot_date, n.night_no, n.next_night,
           {'likes': s.likes, 'runtime_stage': s.runtime_stage} AS observed
    FROM space_snapshots s
    JOIN space_keys k USING (space_id)
    JOIN nights n USING (snapshot_date)
    QUALIFY row_number() OVER (PARTITION BY k.space_key, s.snapshot_date) = 1
),
numbered AS (
    SELECT *, sum(starts_run) OVER (PARTITION BY repo_key ORDER BY night_no ROWS UNBOUNDED PRECEDING) AS run_no
    FROM (SELECT *,
                 CASE WHEN lag(night_no) OVER w = night_no - 1 AND lag(observed) OVER w IS NOT DISTINCT FROM observed
                      THEN 0 ELSE 1 END AS starts_run
          FROM rows WINDOW w AS (PARTITION BY repo_key ORDER BY night_no))
)
SELECT repo_key, min(snapshot_date) AS valid_from,
       CASE WHEN bool_or(next_night IS NULL) THEN NULL ELSE max(next_night) END AS valid_to,
       any_value(observed) AS observed
FROM numbered
GROUP BY repo_key, run_no;

INSERT INTO space_runs_closed
SELECT repo_key, valid_from, valid_to, observed FROM converted_space_runs WHERE valid_to IS NOT NULL
ORDER BY valid_to, repo_key;

INSERT INTO space_runs_open
SELECT repo_key, valid_from, observed FROM converted_space_runs WHERE valid_to IS NULL ORDER BY repo_key;

DROP TABLE converted_space_runs;
DROP TABLE space_snapshots;

-- ------------------------------------------------------------------ what analysts read
-- The tables as they were: one row per repository per night of its type it was listed.
CREATE VIEW dataset_snapshots AS
SELECT n.snapshot_date, k.dataset_id, r.observed.downloads AS downloads,
       r.observed.downloads_all_time AS downloads_all_time, r.observed.likes AS likes, r.observed.gated AS gated
FROM dataset_nights n
JOIN dataset_runs_closed r ON r.valid_from <= n.snapshot_date AND n.snapshot_date < r.valid_to
JOIN dataset_keys k ON k.dataset_key = r.dataset_key
UNION ALL
SELECT n.snapshot_date, k.dataset_id, r.observed.downloads, r.observed.downloads_all_time, r.observed.likes,
       r.observed.gated
FROM dataset_nights n
JOIN dataset_runs_open r ON r.valid_from <= n.snapshot_date
JOIN dataset_keys k ON k.dataset_key = r.dataset_key;

CREATE VIEW space_snapshots AS
SELECT n.snapshot_date, k.space_id, r.observed.likes AS likes, r.observed.runtime_stage AS runtime_stage
FROM space_nights n
JOIN space_runs_closed r ON r.valid_from <= n.snapshot_date AND n.snapshot_date < r.valid_to
JOIN space_keys k ON k.space_key = r.space_key
UNION ALL
SELECT n.snapshot_date, k.space_id, r.observed.likes, r.observed.runtime_stage
FROM space_nights n
JOIN space_runs_open r ON r.valid_from <= n.snapshot_date
JOIN space_keys k ON k.space_key = r.space_key;
