-- Downloads over time (question 7), from our nightly snapshots: the Hub itself only serves the
-- last 30 days and the all-time total.

-- Ecosystem totals per snapshot; all_time_delta = growth of the summed all-time count since the
-- previous snapshot (models listed both nights and new ones).
CREATE OR REPLACE VIEW downloads_ecosystem AS
SELECT snapshot_date, models, downloads_30d, downloads_all_time, likes,
       downloads_all_time - lag(downloads_all_time) OVER (ORDER BY snapshot_date) AS downloads_all_time_delta
FROM (SELECT snapshot_date,
             count(*) AS models,
             -- Summed as DOUBLE: exact for totals below 2^53 (~9e15) and ~4x faster than the
             -- 128-bit sum DuckDB uses for BIGINT over 90M snapshot rows.
             CAST(coalesce(sum(CAST(downloads AS DOUBLE)), 0) AS BIGINT) AS downloads_30d,
             CAST(sum(CAST(downloads_all_time AS DOUBLE)) AS BIGINT) AS downloads_all_time,
             CAST(coalesce(sum(CAST(likes AS DOUBLE)), 0) AS BIGINT) AS likes
      FROM model_snapshots GROUP BY 1)
ORDER BY snapshot_date;

-- One model's series with night-to-night deltas, e.g.
--   SELECT * FROM downloads_series('microsoft/phi-2')
CREATE OR REPLACE MACRO downloads_series(id) AS TABLE
SELECT snapshot_date, downloads, downloads_all_time, likes,
       downloads_all_time - lag(downloads_all_time) OVER (ORDER BY snapshot_date) AS downloads_all_time_delta,
       likes - lag(likes) OVER (ORDER BY snapshot_date) AS likes_delta
FROM model_snapshots
WHERE model_id = id
ORDER BY snapshot_date;
