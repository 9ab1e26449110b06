-- Rebuild the compact history (migration 004) from full snapshot rows in the temp table
-- `history_full_rows` (snapshot_date, model_id, downloads, downloads_all_time, likes, gated):
-- one row per model and night it was listed. The same runs migration 004 makes from a database's
-- old full rows (that file is frozen with its version; this one serves storage.history).
-- Keys already given keep their numbers; new ids get the next ones in order of first night,
-- taken as refreshed since then when hub_models says they were ever refreshed (as migration 004).

INSERT INTO model_keys (model_key, model_id, first_refreshed)
SELECT (SELECT coalesce(max(model_key), 0) FROM model_keys)
       + CAST(row_number() OVER (ORDER BY f.first_night, f.model_id) AS INTEGER), f.model_id,
       CASE WHEN m.refreshed_on IS NOT NULL THEN least(f.first_night, m.first_seen) END
FROM (SELECT model_id, min(snapshot_date) AS first_night FROM history_full_rows GROUP BY 1) f
LEFT JOIN hub_models m USING (model_id)
WHERE NOT EXISTS (SELECT 1 FROM model_keys k WHERE k.model_id = f.model_id);

DELETE FROM snapshot_nights;
DELETE FROM model_counts_open;
DELETE FROM model_runs_archive;
DELETE FROM model_runs_recent;

INSERT INTO snapshot_nights SELECT DISTINCT snapshot_date FROM history_full_rows;

CREATE OR REPLACE TEMP TABLE history_rebuilt_runs AS
WITH nights AS (
    SELECT snapshot_date, row_number() OVER (ORDER BY snapshot_date) AS night_no,
           lead(snapshot_date) OVER (ORDER BY snapshot_date) AS next_night
    FROM snapshot_nights
),
rows AS (
    SELECT k.model_key, s.snapshot_date, n.night_no, n.next_night,
           s.downloads, s.downloads_all_time, s.likes, CAST(s.gated AS hc_gated) AS gated
    FROM history_full_rows s
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

-- Closed runs where the nightly merge would have put them by now (see merge.sql): moved to the
-- archive on the first night from their end whose eighth of the keys (contiguous ranges of
-- today's keys) is theirs, else recent. `moves_on` is that night, computed once for both.
CREATE OR REPLACE TEMP TABLE history_rebuilt_closed AS
SELECT *,
       valid_to + CAST((((CAST(model_key AS BIGINT) * 8 // (SELECT max(model_key) + 1 FROM model_keys))
                         - (valid_to - DATE '1970-01-01')) % 8 + 8) % 8 AS INTEGER) AS moves_on
FROM history_rebuilt_runs
WHERE valid_to IS NOT NULL;

INSERT INTO model_runs_archive
SELECT model_key, valid_from, valid_to, downloads, downloads_all_time, likes, gated, downloads_all_time_delta
FROM history_rebuilt_closed
WHERE moves_on <= (SELECT max(snapshot_date) FROM snapshot_nights)
ORDER BY moves_on, model_key >> 16, downloads_all_time, model_key, valid_from;

INSERT INTO model_runs_recent
SELECT model_key, valid_from, valid_to, downloads, downloads_all_time, likes, gated, downloads_all_time_delta
FROM history_rebuilt_closed
WHERE moves_on > (SELECT max(snapshot_date) FROM snapshot_nights);

DROP TABLE history_rebuilt_closed;

INSERT INTO model_counts_open
SELECT model_key, valid_from, downloads, downloads_all_time, likes, gated, downloads_all_time_delta
FROM history_rebuilt_runs WHERE valid_to IS NULL
ORDER BY model_key;

DROP TABLE history_rebuilt_runs;
