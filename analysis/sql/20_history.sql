-- requires: model_keys, model_counts_open, model_runs_archive, model_runs_recent, snapshot_nights, lineage_removed
-- History (docs/history.md). Since migration 004 a model's counts are stored once per run of
-- nights in which they did not move (model_counts_open / model_counts_closed, keyed by
-- model_keys); `model_snapshots` (storage's view) expands the runs to one row per model and night.
--
-- 1. The views of 01, 04, 05, 09 and 10 that read model_snapshots across nights are redefined
--    here on the runs themselves, with the same columns and answers: a run adds its counts on
--    the night it starts and takes them away on the night it ends, so a night's totals are
--    running sums over a few hundred nights instead of a pass over every model-night (1.1
--    billion in a year); one night's models are the runs holding on it.
-- 2. Series only history gives: gated share and license mix per month, derivatives per family
--    per month, and daily downloads from night-to-night all-time counts (exact; the Hub serves
--    only a 30-day window and the total), with jumps that look like automated traffic flagged.

-- Per snapshot night: what the listed models add up to.
CREATE OR REPLACE VIEW history_night_totals AS
WITH runs AS (
    SELECT valid_from, valid_to, downloads, downloads_all_time, likes, gated FROM model_counts_closed
    UNION ALL
    SELECT valid_from, NULL, downloads, downloads_all_time, likes, gated FROM model_counts_open
),
starts AS (
    SELECT valid_from AS night,
           count(*) AS models,
           count(*) FILTER (WHERE gated = 'auto') AS gated_auto,
           count(*) FILTER (WHERE gated = 'manual') AS gated_manual,
           -- DOUBLE sums, as the per-row views sum them: exact below 2^53
           coalesce(sum(CAST(downloads AS DOUBLE)), 0) AS downloads,
           coalesce(sum(CAST(downloads AS DOUBLE)) FILTER (WHERE gated IN ('auto', 'manual')), 0) AS downloads_gated,
           coalesce(sum(CAST(downloads_all_time AS DOUBLE)), 0) AS downloads_all_time,
           count(downloads_all_time) AS downloads_all_time_known,
           coalesce(sum(CAST(likes AS DOUBLE)), 0) AS likes
    FROM runs GROUP BY 1
),
ends AS (
    SELECT valid_to AS night,
           -count(*) AS models,
           -count(*) FILTER (WHERE gated = 'auto') AS gated_auto,
           -count(*) FILTER (WHERE gated = 'manual') AS gated_manual,
           -coalesce(sum(CAST(downloads AS DOUBLE)), 0) AS downloads,
           -coalesce(sum(CAST(downloads AS DOUBLE)) FILTER (WHERE gated IN ('auto', 'manual')), 0) AS downloads_gated,
           -coalesce(sum(CAST(downloads_all_time AS DOUBLE)), 0) AS downloads_all_time,
           -count(downloads_all_time) AS downloads_all_time_known,
           -coalesce(sum(CAST(likes AS DOUBLE)), 0) AS likes
    FROM runs WHERE valid_to IS NOT NULL GROUP BY 1
),
per_night AS (
    SELECT night, sum(models) AS models, sum(gated_auto) AS gated_auto, sum(gated_manual) AS gated_manual,
           sum(downloads) AS downloads, sum(downloads_gated) AS downloads_gated,
           sum(downloads_all_time) AS downloads_all_time, sum(downloads_all_time_known) AS downloads_all_time_known,
           sum(likes) AS likes
    FROM (SELECT * FROM starts UNION ALL SELECT * FROM ends)
    GROUP BY 1
)
SELECT n.snapshot_date,
       CAST(sum(coalesce(p.models, 0)) OVER w AS BIGINT) AS models,
       CAST(sum(coalesce(p.gated_auto, 0)) OVER w AS BIGINT) AS gated_auto,
       CAST(sum(coalesce(p.gated_manual, 0)) OVER w AS BIGINT) AS gated_manual,
       sum(coalesce(p.downloads, 0)) OVER w AS downloads,
       sum(coalesce(p.downloads_gated, 0)) OVER w AS downloads_gated,
       sum(coalesce(p.downloads_all_time, 0)) OVER w AS downloads_all_time,
       CAST(sum(coalesce(p.downloads_all_time_known, 0)) OVER w AS BIGINT) AS downloads_all_time_known,
       sum(coalesce(p.likes, 0)) OVER w AS likes
FROM snapshot_nights n
LEFT JOIN per_night p ON p.night = n.snapshot_date
WINDOW w AS (ORDER BY n.snapshot_date ROWS UNBOUNDED PRECEDING);

-- ---------------------------------------------------------------- 1. the per-night views, on the runs
-- latest_snapshot (01_base.sql), with its fallback (the latest night of model_snapshots, when no
-- complete listing exists yet) read only when it is needed: as an uncorrelated subquery DuckDB
-- computed it every time, expanding every model-night. Plain SQL, so Spark reads it too.
CREATE OR REPLACE VIEW latest_snapshot AS
SELECT coalesce(c.snapshot_date,
                (SELECT max(s.snapshot_date) FROM model_snapshots s WHERE c.snapshot_date IS NULL)) AS snapshot_date
FROM (SELECT max(snapshot_date) AS snapshot_date FROM complete_listings) c;

CREATE OR REPLACE VIEW hub_size_by_snapshot AS
SELECT snapshot_date,
       models AS models_listed,
       models - lag(models) OVER (ORDER BY snapshot_date) AS change_since_previous
FROM history_night_totals
WHERE models > 0
ORDER BY snapshot_date;

CREATE OR REPLACE VIEW gated_prevalence_by_snapshot AS
SELECT snapshot_date,
       models,
       gated_auto,
       gated_manual,
       round((gated_auto + gated_manual) / models, 6) AS gated_share,
       coalesce(round(downloads_gated / nullif(downloads, 0), 6), 0.0) AS gated_share_by_downloads
FROM history_night_totals
WHERE models > 0
ORDER BY snapshot_date;

CREATE OR REPLACE VIEW downloads_ecosystem AS
SELECT snapshot_date, models, downloads_30d, downloads_all_time, likes,
       downloads_all_time - lag(downloads_all_time) OVER (ORDER BY snapshot_date) AS downloads_all_time_delta
FROM (SELECT snapshot_date,
             models,
             CAST(downloads AS BIGINT) AS downloads_30d,
             CASE WHEN downloads_all_time_known > 0 THEN CAST(downloads_all_time AS BIGINT) END AS downloads_all_time,
             CAST(likes AS BIGINT) AS likes
      FROM history_night_totals
      WHERE models > 0)
ORDER BY snapshot_date;

CREATE OR REPLACE VIEW report_nights AS
SELECT t.snapshot_date,
       t.models AS models_listed,
       round((t.gated_auto + t.gated_manual) / t.models, 6) AS gated_share,
       CAST(t.downloads AS BIGINT) AS downloads_30d
FROM history_night_totals t
SEMI JOIN (SELECT DISTINCT snapshot_date FROM complete_listings) c USING (snapshot_date)
WHERE t.models > 0
ORDER BY 1;

-- Models whose all-time downloads crossed 1M, 10M or 100M in each report period (10_report.sql's
-- definition): the runs holding on S with at least 1M, and their runs on the period's base night.
CREATE OR REPLACE VIEW report_download_milestones AS
WITH runs AS (
    SELECT model_key, valid_from, valid_to, downloads_all_time FROM model_counts_closed
    UNION ALL
    SELECT model_key, valid_from, DATE '9999-12-31', downloads_all_time FROM model_counts_open
),
now AS MATERIALIZED (
    SELECT p.period, p.days, p.base_date, r.model_key, r.downloads_all_time
    FROM report_periods p
    JOIN runs r ON r.valid_from <= p.snapshot_date AND p.snapshot_date < r.valid_to
    WHERE r.downloads_all_time >= 1000000   -- the smallest threshold: keeps the rest to the few models above it
),
before AS (
    SELECT n.period, n.model_key, r.downloads_all_time
    FROM now n
    JOIN runs r ON r.model_key = n.model_key AND r.valid_from <= n.base_date AND n.base_date < r.valid_to
)
SELECT n.period, n.days, t.threshold, k.model_id,
       b.downloads_all_time AS downloads_all_time_before,
       n.downloads_all_time
FROM now n
JOIN before b USING (period, model_key)
JOIN model_keys k USING (model_key)
CROSS JOIN (VALUES (1000000), (10000000), (100000000)) t(threshold)
WHERE b.downloads_all_time < t.threshold AND n.downloads_all_time >= t.threshold
ORDER BY n.days, t.threshold DESC, n.downloads_all_time DESC, k.model_id;

-- One model's series, read from its runs (a key lookup instead of expanding every model), e.g.
--   SELECT * FROM downloads_series('microsoft/phi-2')
CREATE OR REPLACE MACRO downloads_series(id) AS TABLE
WITH runs AS (
    SELECT c.valid_from, c.valid_to, c.downloads, c.downloads_all_time, c.likes
    FROM model_counts_closed c
    WHERE c.model_key = (SELECT model_key FROM model_keys WHERE model_id = id)
    UNION ALL
    SELECT o.valid_from, NULL, o.downloads, o.downloads_all_time, o.likes
    FROM model_counts_open o
    WHERE o.model_key = (SELECT model_key FROM model_keys WHERE model_id = id)
)
SELECT n.snapshot_date, r.downloads, r.downloads_all_time, r.likes,
       r.downloads_all_time - lag(r.downloads_all_time) OVER (ORDER BY n.snapshot_date) AS downloads_all_time_delta,
       r.likes - lag(r.likes) OVER (ORDER BY n.snapshot_date) AS likes_delta
FROM runs r
JOIN snapshot_nights n ON n.snapshot_date >= r.valid_from AND (r.valid_to IS NULL OR n.snapshot_date < r.valid_to)
ORDER BY n.snapshot_date;

-- ---------------------------------------------------------------- 2. series only history gives
-- The nights a month is read at: the last complete listing of each month.
CREATE OR REPLACE VIEW history_month_nights AS
SELECT strftime(snapshot_date, '%Y-%m') AS month, max(snapshot_date) AS snapshot_date
FROM complete_listings
GROUP BY 1
ORDER BY 1;

-- Gated share per month, at each month's last complete listing.
CREATE OR REPLACE VIEW gated_share_by_month AS
SELECT m.month, t.snapshot_date, t.models, t.gated_auto, t.gated_manual,
       round((t.gated_auto + t.gated_manual) / t.models, 6) AS gated_share
FROM history_month_nights m
JOIN history_night_totals t USING (snapshot_date)
WHERE t.models > 0
ORDER BY m.month;

-- Which models were listed on each month's night (model_key, month, snapshot_date).
CREATE OR REPLACE VIEW history_month_listings AS
SELECT m.month, m.snapshot_date, c.model_key
FROM history_month_nights m
JOIN model_counts_closed c ON c.valid_from <= m.snapshot_date AND m.snapshot_date < c.valid_to
UNION ALL
SELECT m.month, m.snapshot_date, o.model_key
FROM history_month_nights m
JOIN model_counts_open o ON o.valid_from <= m.snapshot_date;

-- License mix per month: listed models by license (and family) at each month's last complete
-- listing, with their share of the month's listed models. A model's license on a night is its
-- license now rolled back through the license changes observed after that night (the old value
-- of the first one); before the first night a refresh fetched it, it had none known ('none').
CREATE OR REPLACE VIEW license_mix_by_month AS
WITH first_change_after AS (   -- per model and month night: the first license change after it
    SELECT m.month, c.model_id, arg_min(c.old_value, c.snapshot_date) AS old_value
    FROM history_month_nights m
    JOIN model_changes c ON c.field = 'license' AND c.snapshot_date > m.snapshot_date
    GROUP BY 1, 2
),
licensed AS (
    SELECT l.month, l.snapshot_date,
           CASE WHEN k.first_refreshed IS NULL OR k.first_refreshed > l.snapshot_date THEN NULL
                WHEN f.model_id IS NOT NULL THEN f.old_value
                ELSE h.license END AS license
    FROM history_month_listings l
    JOIN model_keys k USING (model_key)
    JOIN hub_models h USING (model_id)
    LEFT JOIN first_change_after f ON f.month = l.month AND f.model_id = k.model_id
)
SELECT month, snapshot_date, license, license_family, models,
       round(models / sum(models) OVER (PARTITION BY month), 6) AS share
FROM (SELECT l.month, l.snapshot_date, coalesce(l.license, 'none') AS license,
             CASE WHEN l.license IS NULL OR l.license = 'none' THEN 'none' ELSE coalesce(t.family, 'other') END
                 AS license_family,
             count(*) AS models
      FROM licensed l
      LEFT JOIN license_taxonomy t ON t.license_id = l.license
      GROUP BY 1, 2, 3, 4)
ORDER BY month, models DESC, license;

-- License families per month (the mix above, by family).
CREATE OR REPLACE VIEW license_family_mix_by_month AS
SELECT month, snapshot_date, license_family, models,
       round(models / sum(models) OVER (PARTITION BY month), 6) AS share
FROM (SELECT month, snapshot_date, license_family, sum(models) AS models FROM license_mix_by_month GROUP BY 1, 2, 3)
ORDER BY month, models DESC, license_family;

-- Base-model edges as they stood on each month's night: first seen by then and not yet removed
-- (lineage holds today's edges; lineage_removed the ones a later night dropped).
CREATE OR REPLACE VIEW history_month_edges AS
WITH edges AS (
    SELECT child_id, parent_id, relation, first_seen, CAST(NULL AS DATE) AS removed_on FROM lineage
    UNION ALL
    SELECT child_id, parent_id, relation, first_seen, removed_on FROM lineage_removed
)
SELECT m.month, m.snapshot_date, e.parent_id, e.child_id,
       CASE WHEN e.relation IN ('finetune', 'adapter', 'quantized', 'merge') THEN e.relation ELSE 'unknown' END AS relation
FROM history_month_nights m
JOIN edges e ON e.first_seen <= m.snapshot_date AND (e.removed_on IS NULL OR e.removed_on > m.snapshot_date)
WHERE e.parent_id <> e.child_id;

-- Derivatives per family per month: for today's 20 largest families (roots by descendants, as
-- top_families ranks them), the descendants each root had on every month's night, walking the
-- edges of that night through the models listed that night, and how many joined that month.
CREATE OR REPLACE VIEW derivatives_by_family_month AS
WITH RECURSIVE
    roots AS MATERIALIZED (
        SELECT d.model_id AS root_id FROM descendant_counts d SEMI JOIN lineage_roots r USING (model_id)
        ORDER BY d.descendants DESC, d.model_id LIMIT 20
    ),
    listed AS MATERIALIZED (
        SELECT l.month, k.model_id FROM history_month_listings l JOIN model_keys k USING (model_key)
    ),
    edges AS MATERIALIZED (
        SELECT e.month, e.parent_id, e.child_id
        FROM history_month_edges e SEMI JOIN listed l ON l.month = e.month AND l.model_id = e.child_id
    ),
    walk(root_id, month, model_id) AS (
        SELECT r.root_id, m.month, r.root_id FROM roots r CROSS JOIN history_month_nights m
        UNION
        SELECT w.root_id, w.month, e.child_id
        FROM walk w JOIN edges e ON e.month = w.month AND e.parent_id = w.model_id
    ),
    counted AS (
        SELECT root_id, month, count(*) FILTER (WHERE model_id <> root_id) AS descendants FROM walk GROUP BY 1, 2
    )
SELECT c.root_id, c.month, m.snapshot_date, c.descendants,
       c.descendants - coalesce(lag(c.descendants) OVER (PARTITION BY c.root_id ORDER BY c.month), 0) AS change
FROM counted c JOIN history_month_nights m USING (month)
ORDER BY c.root_id, c.month;

-- Daily downloads, exactly: one row per model and night on which its all-time count moved
-- since the snapshot night before (a night without a row: no downloads, or not listed both
-- nights). `downloads` is the difference of the two all-time counts; `days` the nights' distance.
-- suspected_automated: a jump that organic use does not make, i.e. all of
--   * at least 1,000 downloads a day,
--   * more than 10x the model's usual day: its 30-day count without this jump, per remaining day
--     ((downloads_30d - downloads) / (30 - days), at least 1),
--   * the model is at least 30 days old (a new model's first days are its whole window).
CREATE OR REPLACE VIEW daily_downloads AS
WITH runs AS (
    SELECT model_key, valid_from, downloads, downloads_all_time, downloads_all_time_delta FROM model_counts_closed
    WHERE downloads_all_time_delta <> 0
    UNION ALL
    SELECT model_key, valid_from, downloads, downloads_all_time, downloads_all_time_delta FROM model_counts_open
    WHERE downloads_all_time_delta <> 0
),
nights AS (
    SELECT snapshot_date, lag(snapshot_date) OVER (ORDER BY snapshot_date) AS previous_night FROM snapshot_nights
),
measured AS (
    SELECT k.model_id, r.valid_from AS snapshot_date, n.previous_night,
           r.valid_from - n.previous_night AS days,
           r.downloads_all_time, r.downloads_all_time_delta AS downloads, r.downloads AS downloads_30d
    FROM runs r
    JOIN nights n ON n.snapshot_date = r.valid_from
    JOIN model_keys k USING (model_key)
)
SELECT d.*,
       round(d.downloads / d.days, 1) AS downloads_per_day,
       coalesce(d.downloads / d.days >= 1000
                AND d.downloads / d.days > 10 * greatest((d.downloads_30d - d.downloads) / greatest(30 - d.days, 1), 1)
                AND CAST(h.created_at AS DATE) <= d.snapshot_date - 30, false) AS suspected_automated
FROM measured d
LEFT JOIN hub_models h USING (model_id);

-- One model's daily downloads, e.g. SELECT * FROM daily_downloads_of('microsoft/phi-2')
CREATE OR REPLACE MACRO daily_downloads_of(id) AS TABLE
SELECT * FROM daily_downloads WHERE model_id = id ORDER BY snapshot_date;

-- The Hub's downloads per night: the sum of every listed model's exact downloads since the
-- snapshot night before, and the part in jumps flagged suspected_automated.
CREATE OR REPLACE VIEW daily_downloads_by_night AS
SELECT snapshot_date, any_value(previous_night) AS previous_night, any_value(days) AS days,
       count(*) FILTER (WHERE downloads > 0) AS models_downloaded,
       CAST(sum(downloads) AS BIGINT) AS downloads,
       count(*) FILTER (WHERE suspected_automated) AS models_flagged,
       CAST(coalesce(sum(downloads) FILTER (WHERE suspected_automated), 0) AS BIGINT) AS downloads_flagged
FROM daily_downloads
GROUP BY 1
ORDER BY 1;
