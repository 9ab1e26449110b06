-- Open-weights growth (question 1). Creation counts use `created_at` over every model the
-- crawl has seen (a model deleted later was still created); *_alive columns only count models
-- still listed. The Hub floors createdAt of pre-2022-03-02 repos to 2022-03-02T23:29:04Z, so
-- that day carries a spike of old repos.

-- Weights present: at least one weight file format among the repo's files (safetensors, bin,
-- gguf, onnx, ... as the crawler records them); NULL when files were never fetched.
CREATE OR REPLACE VIEW model_facets AS
SELECT model_id,
       CAST(created_at AS DATE) AS created_day,
       deleted_at IS NULL AS alive,
       coalesce(pipeline_tag, 'none') AS pipeline_tag,
       coalesce(library_name, 'none') AS library_name,
       license_family,
       CASE WHEN weight_formats IS NULL THEN 'unknown'
            WHEN len(weight_formats) > 0 THEN 'yes' ELSE 'no' END AS has_weights
FROM models;

CREATE OR REPLACE MACRO growth_by(period) AS TABLE
SELECT period_start,
       new_models,
       new_models_alive,
       sum(new_models) OVER (ORDER BY period_start) AS cumulative_models,
       sum(new_models_alive) OVER (ORDER BY period_start) AS cumulative_models_alive
FROM (SELECT CAST(date_trunc(period, created_at) AS DATE) AS period_start,
             count(*) AS new_models,
             count(*) FILTER (WHERE deleted_at IS NULL) AS new_models_alive
      FROM hub_models WHERE created_at IS NOT NULL GROUP BY 1)
ORDER BY period_start;

CREATE OR REPLACE VIEW growth_daily AS SELECT period_start AS day, * EXCLUDE (period_start) FROM growth_by('day');
CREATE OR REPLACE VIEW growth_weekly AS SELECT period_start AS week_start, * EXCLUDE (period_start) FROM growth_by('week');
CREATE OR REPLACE VIEW growth_monthly AS SELECT strftime(period_start, '%Y-%m') AS month, * EXCLUDE (period_start) FROM growth_by('month');
CREATE OR REPLACE VIEW growth_yearly AS SELECT year(period_start) AS year, * EXCLUDE (period_start) FROM growth_by('year');

-- The recent rate, read directly: models created in the 1/7/30 days up to the snapshot date.
CREATE OR REPLACE VIEW growth_recent_rate AS
WITH s AS (SELECT snapshot_date AS d FROM latest_snapshot)
SELECT (SELECT d FROM s) AS snapshot_date,
       count(*) FILTER (WHERE created_day = (SELECT d FROM s)) AS created_last_1d,
       count(*) FILTER (WHERE created_day > (SELECT d FROM s) - 7 AND created_day <= (SELECT d FROM s)) AS created_last_7d,
       count(*) FILTER (WHERE created_day > (SELECT d FROM s) - 30 AND created_day <= (SELECT d FROM s)) AS created_last_30d,
       round(count(*) FILTER (WHERE created_day > (SELECT d FROM s) - 7 AND created_day <= (SELECT d FROM s)) / 7, 1) AS per_day_last_7d,
       round(count(*) FILTER (WHERE created_day > (SELECT d FROM s) - 30 AND created_day <= (SELECT d FROM s)) / 30, 1) AS per_day_last_30d
FROM (SELECT CAST(created_at AS DATE) AS created_day FROM hub_models);

-- New models per month split by one facet at a time (long format: filter on `facet`).
CREATE OR REPLACE VIEW growth_monthly_by_facet AS
WITH f AS (SELECT strftime(created_day, '%Y-%m') AS month, * FROM model_facets WHERE created_day IS NOT NULL),
     long AS (
        SELECT month, 'pipeline_tag' AS facet, pipeline_tag AS facet_value FROM f
        UNION ALL SELECT month, 'library_name', library_name FROM f
        UNION ALL SELECT month, 'license_family', license_family FROM f
        UNION ALL SELECT month, 'has_weights', has_weights FROM f
     )
SELECT month, facet, facet_value, count(*) AS new_models
FROM long
GROUP BY ALL
ORDER BY month, facet, facet_value;

-- Observed size of the Hub: models listed at each snapshot (rows of model_snapshots).
CREATE OR REPLACE VIEW hub_size_by_snapshot AS
SELECT snapshot_date,
       models_listed,
       models_listed - lag(models_listed) OVER (ORDER BY snapshot_date) AS change_since_previous
FROM (SELECT snapshot_date, count(*) AS models_listed FROM model_snapshots GROUP BY 1)
ORDER BY snapshot_date;

-- Observed size per snapshot split by facet, from the models table's first_seen / deleted_at
-- (a model counts at snapshot d when first_seen <= d and it was not deleted by d). This avoids
-- joining every snapshot row to the models table; it uses each model's current facet values.
CREATE OR REPLACE VIEW hub_size_by_snapshot_facet AS
WITH dates AS (SELECT DISTINCT snapshot_date FROM complete_listings),
     f AS (SELECT f.*, m.first_seen, m.deleted_at FROM model_facets f JOIN hub_models m USING (model_id)),
     long AS (
        SELECT first_seen, deleted_at, 'pipeline_tag' AS facet, pipeline_tag AS facet_value FROM f
        UNION ALL SELECT first_seen, deleted_at, 'library_name', library_name FROM f
        UNION ALL SELECT first_seen, deleted_at, 'license_family', license_family FROM f
        UNION ALL SELECT first_seen, deleted_at, 'has_weights', has_weights FROM f
     ),
     events AS (
        SELECT first_seen AS day, facet, facet_value, count(*) AS delta FROM long GROUP BY ALL
        UNION ALL
        SELECT deleted_at, facet, facet_value, -count(*) FROM long WHERE deleted_at IS NOT NULL GROUP BY ALL
     ),
     keys AS (SELECT DISTINCT facet, facet_value FROM events)
SELECT d.snapshot_date, k.facet, k.facet_value,
       CAST(coalesce(sum(e.delta), 0) AS BIGINT) AS models
FROM dates d CROSS JOIN keys k
LEFT JOIN events e ON e.facet = k.facet AND e.facet_value = k.facet_value AND e.day <= d.snapshot_date
GROUP BY ALL
HAVING models > 0
ORDER BY d.snapshot_date, k.facet, k.facet_value;
