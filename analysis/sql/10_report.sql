-- The questions the report asks (analysis/report.py reads these views and the section views
-- above; it computes nothing itself). History comes from what the nightly crawl keeps:
-- complete listings (crawl_runs), first_seen / deleted_at, model_snapshots, model_changes and
-- lineage.first_seen.

-- The two periods the report compares against: for each, the latest complete listing on or
-- before S - 7 (S - 30) days. base_date is NULL when the history does not reach that far back;
-- changes "over 7 nights" are then not stated. A missing night moves the base earlier, never
-- later: base_date says which night a change is measured from.
CREATE OR REPLACE VIEW report_periods AS
WITH s AS (SELECT snapshot_date AS s FROM latest_snapshot WHERE snapshot_date IS NOT NULL)
SELECT p.period,
       p.days,
       s.s AS snapshot_date,
       (SELECT max(c.snapshot_date) FROM complete_listings c WHERE c.snapshot_date <= s.s - p.days) AS base_date
FROM (VALUES ('7 nights', 7), ('30 nights', 30)) p(period, days), s
ORDER BY p.days;

-- The headline numbers at S ('now') and at each period's base listing, read from history:
-- a model counts at date d when it was first seen by d and not deleted by d; its gated value
-- at d is the old value of its first gated change observed after d (else its current value);
-- `created_last_7d` / `_30d` are models listed at d created in the 7 / 30 days up to d. The
-- largest family is today's (the root with most descendants); its size at d walks the edges
-- first seen by d whose child was listed at d. At 'now' every number equals the figures.
CREATE OR REPLACE VIEW report_headline AS
WITH RECURSIVE
    points AS (
        SELECT 'now' AS point, 0 AS nights, snapshot_date AS at_date FROM latest_snapshot WHERE snapshot_date IS NOT NULL
        UNION ALL
        SELECT period, days, base_date FROM report_periods
    ),
    gated_then AS (
        SELECT p.point, c.model_id, first(c.old_value ORDER BY c.snapshot_date) AS gated
        FROM points p JOIN model_changes c ON c.field = 'gated' AND c.snapshot_date > p.at_date
        GROUP BY ALL
    ),
    listed AS (
        SELECT p.point, CAST(m.created_at AS DATE) AS created_day, p.at_date,
               CASE WHEN g.model_id IS NULL THEN m.gated ELSE g.gated END AS gated
        FROM points p
        JOIN hub_models m ON m.first_seen <= p.at_date AND (m.deleted_at IS NULL OR m.deleted_at > p.at_date)
        LEFT JOIN gated_then g ON g.point = p.point AND g.model_id = m.model_id
    ),
    counts AS (
        SELECT point,
               count(*) AS models,
               count(*) FILTER (WHERE created_day > at_date - 7 AND created_day <= at_date) AS created_last_7d,
               count(*) FILTER (WHERE created_day > at_date - 30 AND created_day <= at_date) AS created_last_30d,
               count(*) FILTER (WHERE gated IN ('auto', 'manual')) AS gated_models
        FROM listed GROUP BY 1
    ),
    largest AS (
        SELECT d.model_id AS root_id FROM descendant_counts d SEMI JOIN lineage_roots r USING (model_id)
        ORDER BY d.descendants DESC, d.model_id LIMIT 1
    ),
    walk(point, model_id) AS (
        SELECT p.point, l.root_id FROM points p, largest l WHERE p.at_date IS NOT NULL
        UNION
        SELECT w.point, e.child_id
        FROM walk w
        JOIN points p ON p.point = w.point
        JOIN lineage e ON e.parent_id = w.model_id AND e.child_id <> e.parent_id AND e.first_seen <= p.at_date
        JOIN hub_models c ON c.model_id = e.child_id AND c.first_seen <= p.at_date
                         AND (c.deleted_at IS NULL OR c.deleted_at > p.at_date)
    ),
    family AS (
        SELECT w.point, count(*) FILTER (WHERE w.model_id <> l.root_id) AS descendants
        FROM walk w, largest l GROUP BY 1
    )
SELECT p.point,
       p.nights,
       p.at_date AS snapshot_date,
       c.models,
       c.created_last_7d,
       c.created_last_30d,
       c.gated_models,
       CASE WHEN c.models > 0 THEN round(c.gated_models / c.models, 6) END AS gated_share,
       (SELECT root_id FROM largest) AS largest_family_id,
       f.descendants AS largest_family_descendants
FROM points p
LEFT JOIN counts c USING (point)
LEFT JOIN family f USING (point)
ORDER BY p.nights;

-- What happened between each period's base listing (exclusive) and S (inclusive): models first
-- seen and deleted, models whose license changed, that became gated or stopped being gated,
-- and new base-model edges with a listed child. Periods without a base listing have no row.
CREATE OR REPLACE VIEW report_change_summary AS
SELECT p.period, p.days, p.base_date, p.snapshot_date,
       (SELECT count(*) FROM hub_models m
        WHERE m.first_seen > p.base_date AND m.first_seen <= p.snapshot_date) AS models_first_seen,
       (SELECT count(*) FROM hub_models m
        WHERE m.deleted_at > p.base_date AND m.deleted_at <= p.snapshot_date) AS models_deleted,
       (SELECT count(DISTINCT c.model_id) FROM model_changes c
        WHERE c.field = 'license' AND c.snapshot_date > p.base_date AND c.snapshot_date <= p.snapshot_date)
           AS models_license_changed,
       (SELECT count(DISTINCT c.model_id) FROM model_changes c
        WHERE c.field = 'gated' AND c.snapshot_date > p.base_date AND c.snapshot_date <= p.snapshot_date
          AND coalesce(c.old_value, 'none') NOT IN ('auto', 'manual') AND c.new_value IN ('auto', 'manual'))
           AS models_became_gated,
       (SELECT count(DISTINCT c.model_id) FROM model_changes c
        WHERE c.field = 'gated' AND c.snapshot_date > p.base_date AND c.snapshot_date <= p.snapshot_date
          AND c.old_value IN ('auto', 'manual') AND coalesce(c.new_value, 'none') NOT IN ('auto', 'manual'))
           AS models_became_ungated,
       (SELECT count(*) FROM (SELECT DISTINCT l.parent_id, l.child_id, l.relation FROM lineage l
                              WHERE l.first_seen > p.base_date AND l.first_seen <= p.snapshot_date
                                AND l.parent_id <> l.child_id
                                AND l.child_id NOT IN (SELECT model_id FROM hub_models WHERE deleted_at IS NOT NULL)))
           AS new_lineage_edges
FROM report_periods p
WHERE p.base_date IS NOT NULL
ORDER BY p.days;

-- Field changes (license, gated, pipeline_tag, library_name, base_models) observed in each
-- period, by old -> new value ('none' for NULL): how many models made that change.
CREATE OR REPLACE VIEW report_recent_changes AS
SELECT p.period, p.days, c.field,
       coalesce(c.old_value, 'none') AS old_value,
       coalesce(c.new_value, 'none') AS new_value,
       count(DISTINCT c.model_id) AS models
FROM report_periods p
JOIN model_changes c ON c.snapshot_date > p.base_date AND c.snapshot_date <= p.snapshot_date
GROUP BY ALL
ORDER BY p.days, c.field, models DESC, old_value, new_value;

-- Parents that gained derivatives in each period: distinct listed children whose edge was first
-- seen in the period, beside the children they have today. `new_family`: every child it has
-- today arrived in the period (a family that did not exist at the base listing).
CREATE OR REPLACE VIEW report_growing_families AS
WITH new_edges AS (
    SELECT p.period, p.days, l.parent_id, l.child_id
    FROM report_periods p
    JOIN lineage l ON l.first_seen > p.base_date AND l.first_seen <= p.snapshot_date
    WHERE l.parent_id <> l.child_id
      AND l.child_id NOT IN (SELECT model_id FROM hub_models WHERE deleted_at IS NOT NULL)
),
per_parent AS (
    SELECT period, days, parent_id, count(DISTINCT child_id) AS new_children FROM new_edges GROUP BY ALL
),
children AS (  -- today's children of those parents only (not of the whole graph)
    SELECT parent_id, count(DISTINCT child_id) AS children
    FROM alive_lineage SEMI JOIN per_parent USING (parent_id)
    GROUP BY 1
)
SELECT n.period, n.days, n.parent_id AS model_id,
       m.model_id IS NOT NULL AS on_hub,
       n.new_children,
       c.children,
       c.children = n.new_children AS new_family
FROM per_parent n
JOIN children c USING (parent_id)
LEFT JOIN hub_models m ON m.model_id = n.parent_id
ORDER BY n.days, n.new_children DESC, model_id;

-- Models whose all-time downloads crossed 1M, 10M or 100M in each period: below the threshold
-- at the base listing, at or above it at S (models known both nights). A model that crossed
-- two thresholds appears under both.
CREATE OR REPLACE VIEW report_download_milestones AS
SELECT p.period, p.days, t.threshold, n.model_id,
       b.downloads_all_time AS downloads_all_time_before,
       n.downloads_all_time
FROM report_periods p
JOIN model_snapshots n ON n.snapshot_date = p.snapshot_date
JOIN model_snapshots b ON b.snapshot_date = p.base_date AND b.model_id = n.model_id
CROSS JOIN (VALUES (1000000), (10000000), (100000000)) t(threshold)
WHERE b.downloads_all_time < t.threshold AND n.downloads_all_time >= t.threshold
  AND n.downloads_all_time >= 1000000  -- the smallest threshold: keeps the join to the few models above it
ORDER BY p.days, t.threshold DESC, n.downloads_all_time DESC, n.model_id;

-- Where the numbers come from: the complete listing that defines S (its plan and when it ran,
-- by the crawler's clock), how many nights of history there are, and what the crawl has seen.
CREATE OR REPLACE VIEW report_coverage AS
WITH s AS (SELECT snapshot_date AS s FROM latest_snapshot),
     listing AS (
        SELECT plan, started_at, finished_at FROM complete_listings
        WHERE snapshot_date = (SELECT s FROM s) ORDER BY run_id DESC LIMIT 1
     )
SELECT (SELECT s FROM s) AS snapshot_date,
       (SELECT plan FROM listing) AS listing_plan,
       (SELECT started_at FROM listing) AS listing_started_at,
       (SELECT finished_at FROM listing) AS listing_finished_at,
       (SELECT count(DISTINCT snapshot_date) FROM complete_listings) AS nights,
       (SELECT min(snapshot_date) FROM complete_listings) AS first_night,
       count(*) FILTER (WHERE deleted_at IS NULL) AS models_listed,
       count(*) AS models_ever_seen,
       count(*) FILTER (WHERE deleted_at IS NOT NULL) AS models_deleted,
       count(*) FILTER (WHERE deleted_at IS NULL AND refreshed_on IS NOT NULL) AS models_with_metadata
FROM hub_models;

-- The runs of the night S (the latest run of each plan that night), complete or not.
CREATE OR REPLACE VIEW report_night_runs AS
SELECT run_id, plan, status, snapshot_date, started_at, finished_at, pages, models_seen, requests, retries,
       bytes, coalesce(skipped_records, 0) AS skipped_records
FROM crawl_runs
WHERE snapshot_date = (SELECT snapshot_date FROM latest_snapshot)
QUALIFY row_number() OVER (PARTITION BY plan ORDER BY run_id DESC) = 1
ORDER BY run_id;

-- The crawl's record over the 30 nights up to the latest run: runs by status, records skipped,
-- and the latest night attempted (later than S when a later night did not complete a listing).
CREATE OR REPLACE VIEW report_runs_summary AS
WITH s AS (SELECT snapshot_date AS s FROM latest_snapshot),
     recent AS (SELECT * FROM crawl_runs WHERE snapshot_date > (SELECT s FROM s) - 30)
SELECT (SELECT count(*) FROM recent) AS runs,
       (SELECT count(*) FROM recent WHERE status = 'complete') AS runs_complete,
       (SELECT count(*) FROM recent WHERE status = 'partial') AS runs_partial,
       (SELECT count(*) FROM recent WHERE status NOT IN ('complete', 'partial')) AS runs_failed,
       (SELECT coalesce(sum(skipped_records), 0) FROM recent) AS skipped_records,
       (SELECT max(snapshot_date) FROM crawl_runs) AS latest_night,
       (SELECT status FROM crawl_runs ORDER BY run_id DESC LIMIT 1) AS latest_run_status,
       (SELECT plan FROM crawl_runs ORDER BY run_id DESC LIMIT 1) AS latest_run_plan;

-- New models per month of creation (every model the crawl has seen, deleted ones included),
-- for the 24 months up to S. The month of S is `partial` unless S is its last day;
-- `days_covered` of `days_in_month` days are in.
CREATE OR REPLACE VIEW report_new_models_by_month AS
WITH s AS (SELECT snapshot_date AS s FROM latest_snapshot WHERE snapshot_date IS NOT NULL),
     months AS (
        SELECT CAST(unnest(generate_series(date_trunc('month', s - INTERVAL 23 MONTH),
                                           date_trunc('month', s), INTERVAL 1 MONTH)) AS DATE) AS month_start, s
        FROM s
     )
SELECT strftime(m.month_start, '%Y-%m') AS month,
       coalesce(g.new_models, 0) AS new_models,
       m.s < last_day(m.month_start) AS partial,
       CASE WHEN m.s < last_day(m.month_start) THEN day(m.s) ELSE day(last_day(m.month_start)) END AS days_covered,
       day(last_day(m.month_start)) AS days_in_month
FROM months m
LEFT JOIN growth_monthly g ON g.month = strftime(m.month_start, '%Y-%m')
ORDER BY month;

-- One row per complete listing: models listed, gated share and summed 30-day downloads that
-- night (the series the report draws over time; the numbers of hub_size_by_snapshot,
-- gated_prevalence_by_snapshot and downloads_ecosystem, in one pass over the snapshots).
CREATE OR REPLACE VIEW report_nights AS
SELECT s.snapshot_date,
       count(*) AS models_listed,
       round(count(*) FILTER (WHERE s.gated IN ('auto', 'manual')) / count(*), 6) AS gated_share,
       CAST(coalesce(sum(CAST(s.downloads AS DOUBLE)), 0) AS BIGINT) AS downloads_30d  -- DOUBLE: see downloads_ecosystem
FROM model_snapshots s
SEMI JOIN (SELECT DISTINCT snapshot_date FROM complete_listings) c USING (snapshot_date)
GROUP BY 1
ORDER BY 1;

-- Download concentration as a curve: listed models ranked by 30-day downloads (ties by id),
-- and the share of all 30-day downloads the top `top_models` of them drew, at cuts of 0.01%,
-- 0.02%, 0.05% ... 100% of models (each cut at least one model; repeated cuts kept once).
-- `share_of_models` is the exact share the cut holds (top_models / models).
CREATE OR REPLACE VIEW report_download_concentration AS
WITH ranked AS (
    SELECT row_number() OVER (ORDER BY coalesce(downloads, 0) DESC, model_id) AS r,
           coalesce(downloads, 0) AS d
    FROM hub_models WHERE deleted_at IS NULL
),
cumulative AS (
    SELECT r, sum(d) OVER (ORDER BY r ROWS UNBOUNDED PRECEDING) AS c, count(*) OVER () AS n, sum(d) OVER () AS total
    FROM ranked
),
cuts AS (
    SELECT DISTINCT greatest(1, CAST(ceil(x * (SELECT count(*) FROM ranked)) AS BIGINT)) AS top_models
    FROM (SELECT unnest([0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]) AS x)
)
SELECT k.top_models,
       round(k.top_models / c.n, 6) AS share_of_models,
       coalesce(round(c.c / nullif(c.total, 0), 6), 0.0) AS share_of_downloads
FROM cuts k JOIN cumulative c ON c.r = k.top_models
ORDER BY k.top_models;

-- The largest families (roots by descendants; ties by id), 20 of them, with the relations of
-- the root's direct children ('unknown': the child names it in cardData.base_model, which
-- states no relation), whether the root is on the Hub (ever listed) and alive, and its license.
CREATE OR REPLACE VIEW report_families AS
SELECT row_number() OVER (ORDER BY d.descendants DESC, d.model_id) AS rank,
       d.model_id AS root_id,
       d.on_hub,
       d.alive,
       m.license,
       m.deleted_at,
       d.direct, d.finetune, d.adapter, d.quantized, d.merge, d."unknown",
       d.descendants,
       d.generations_below AS generations
FROM derivatives d
LEFT JOIN hub_models m USING (model_id)
WHERE d.generation = 0
ORDER BY rank
LIMIT 20;

-- The top of the three largest families, for drawing: each root's 6 children with most
-- descendants (ties by id), and 3 children of each of those; `relation` lists every relation
-- of the edge, `siblings` how many children the parent has in all. The roots are ranked as in
-- report_families, from descendant_counts (one walk serves the roots and the children).
CREATE OR REPLACE VIEW report_family_trees AS
WITH sizes AS MATERIALIZED (SELECT model_id, descendants FROM descendant_counts),
     roots AS (
        SELECT row_number() OVER (ORDER BY s.descendants DESC, s.model_id) AS family_rank, s.model_id AS root_id
        FROM sizes s SEMI JOIN lineage_roots r USING (model_id)
        ORDER BY family_rank
        LIMIT 3
     ),
     edges AS (
        SELECT parent_id, child_id, string_agg(DISTINCT relation, ', ' ORDER BY relation) AS relation
        FROM alive_lineage GROUP BY 1, 2
     ),
     level1 AS (
        SELECT r.family_rank, r.root_id, 1 AS depth, e.parent_id, e.child_id, e.relation,
               coalesce(s.descendants, 0) AS descendants,
               row_number() OVER (PARTITION BY r.family_rank ORDER BY coalesce(s.descendants, 0) DESC, e.child_id) AS position,
               count(*) OVER (PARTITION BY r.family_rank) AS siblings
        FROM roots r
        JOIN edges e ON e.parent_id = r.root_id
        LEFT JOIN sizes s ON s.model_id = e.child_id
     ),
     shown AS (SELECT * FROM level1 WHERE position <= 6),
     level2 AS (
        SELECT p.family_rank, p.root_id, 2 AS depth, e.parent_id, e.child_id, e.relation,
               coalesce(s.descendants, 0) AS descendants,
               row_number() OVER (PARTITION BY p.family_rank, e.parent_id
                                  ORDER BY coalesce(s.descendants, 0) DESC, e.child_id) AS position,
               count(*) OVER (PARTITION BY p.family_rank, e.parent_id) AS siblings
        FROM shown p
        JOIN edges e ON e.parent_id = p.child_id
        LEFT JOIN sizes s ON s.model_id = e.child_id
     )
SELECT * FROM shown
UNION ALL
SELECT * FROM level2 WHERE position <= 3
ORDER BY family_rank, depth, parent_id, position;

-- How many listed models declare at least one language in their card.
CREATE OR REPLACE VIEW report_language_coverage AS
SELECT count(*) AS models,
       count(*) FILTER (WHERE len(coalesce(languages, [])) > 0) AS models_declaring_language
FROM hub_models WHERE deleted_at IS NULL;
