-- The headline figures of docs/figures.md, one view per JSON key group. analysis/figures.py
-- only assembles these rows into the JSON object; every number is computed here.

-- Scalar figures (one row). gated_share_unrounded is rounded in figures.py with Python's
-- round(), the same rounding hubsim's truth applies (DuckDB rounds ties away from zero).
CREATE OR REPLACE VIEW figure_summary AS
WITH s AS (SELECT snapshot_date FROM latest_snapshot),
     a AS (
        SELECT count(*) AS models_total,
               count(*) FILTER (WHERE CAST(created_at AS DATE) >  (SELECT snapshot_date FROM s) - INTERVAL 30 DAY
                                  AND CAST(created_at AS DATE) <= (SELECT snapshot_date FROM s)) AS models_created_last_30d,
               count(*) FILTER (WHERE gated IN ('auto', 'manual')) AS models_gated,
               count(*) FILTER (WHERE downloads_all_time >= 100000000) AS models_ge_100m_downloads_all_time
        FROM hub_models WHERE deleted_at IS NULL
     )
SELECT (SELECT snapshot_date FROM s) AS snapshot_date,
       a.models_total,
       a.models_created_last_30d,
       CASE WHEN a.models_total = 0 THEN 0.0 ELSE a.models_gated / a.models_total END AS gated_share_unrounded,
       (SELECT count(DISTINCT child_id) FROM alive_lineage) AS models_with_base_model,
       a.models_ge_100m_downloads_all_time
FROM a;

-- Grouped by the month's first instant, formatted after: formatting 3M timestamps cost 3x the count.
CREATE OR REPLACE VIEW figure_models_created_by_month AS
SELECT strftime(month_start, '%Y-%m') AS month, models
FROM (SELECT date_trunc('month', created_at) AS month_start, count(*) AS models
      FROM hub_models
      WHERE deleted_at IS NULL AND created_at IS NOT NULL
      GROUP BY 1)
ORDER BY 1;

-- Exactly none|auto|manual, 0 when absent; a missing gated value counts as 'none'.
CREATE OR REPLACE VIEW figure_gated AS
SELECT g.gated, count(m.model_id) AS models
FROM (VALUES ('auto'), ('manual'), ('none')) g(gated)
LEFT JOIN (SELECT model_id, coalesce(gated, 'none') AS gated FROM hub_models WHERE deleted_at IS NULL) m USING (gated)
GROUP BY 1
ORDER BY 1;

CREATE OR REPLACE VIEW figure_license_counts AS
SELECT coalesce(license, 'none') AS license, count(*) AS models
FROM hub_models
WHERE deleted_at IS NULL
GROUP BY 1
ORDER BY 1;

CREATE OR REPLACE VIEW figure_license_family_counts AS
SELECT license_family, count(*) AS models
FROM alive_models
GROUP BY 1
ORDER BY 1;

-- Distinct (child, parent, relation) edges whose child is alive; exactly the five relations.
-- alive_lineage holds each edge once (lineage: one row per (child, parent, relation), one of
-- the five relations, checked by the tests after every night), so its rows are counted as they are.
CREATE OR REPLACE VIEW figure_relation_counts AS
SELECT r.relation, count(e.child_id) AS edges
FROM (VALUES ('adapter'), ('finetune'), ('merge'), ('quantized'), ('unknown')) r(relation)
LEFT JOIN alive_lineage e USING (relation)
GROUP BY 1
ORDER BY 1;

-- Top 20 by descendants, ties by model_id. Candidates: parents of edges whose child is alive.
CREATE OR REPLACE VIEW figure_top_derivatives AS
WITH top AS MATERIALIZED (
    SELECT model_id, descendants FROM descendant_counts
    ORDER BY descendants DESC, model_id
    LIMIT 20
),
-- direct_children's definition, restricted to the 20 before grouping. alive_lineage holds each
-- (parent, child, relation) once, so the rows of one relation are its distinct children.
direct AS (
    SELECT parent_id AS model_id,
           count(DISTINCT child_id) AS direct,
           count(*) FILTER (WHERE relation = 'finetune') AS finetune,
           count(*) FILTER (WHERE relation = 'adapter') AS adapter,
           count(*) FILTER (WHERE relation = 'quantized') AS quantized,
           count(*) FILTER (WHERE relation = 'merge') AS merge
    FROM alive_lineage
    WHERE parent_id IN (SELECT model_id FROM top)
    GROUP BY 1
)
SELECT t.model_id, d.direct, t.descendants, d.finetune, d.adapter, d.quantized, d.merge
FROM top t
JOIN direct d USING (model_id)
ORDER BY t.descendants DESC, t.model_id;
