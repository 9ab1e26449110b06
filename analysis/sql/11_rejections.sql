-- requires: rejected_records
-- What the crawl could not store (storage's rejected_records, docs/ingest.md). Installed only
-- on a database that has the table (migration 002); the report says so when it is absent.

-- Rejections of the 30 nights up to the latest crawl, by reason and field: `scope` is 'page'
-- (a page that could not be read at all), 'record' (a whole record, not stored) or 'value'
-- (one value dropped from a stored record); `at_snapshot` counts those of the night S.
CREATE OR REPLACE VIEW report_rejections AS
WITH s AS (SELECT snapshot_date AS s FROM latest_snapshot)
SELECT reason,
       CASE WHEN field IS NOT NULL THEN 'value'
            WHEN model_id IS NULL AND reason LIKE 'page unreadable%' THEN 'page'
            ELSE 'record' END AS scope,
       field,
       count(*) FILTER (WHERE snapshot_date = (SELECT s FROM s)) AS at_snapshot,
       count(*) AS last_30_nights,
       max(snapshot_date) AS last_night
FROM rejected_records
WHERE snapshot_date > (SELECT s FROM s) - 30
GROUP BY ALL
ORDER BY last_30_nights DESC, reason, field NULLS FIRST;
