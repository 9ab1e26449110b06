-- The night into the main DB (attached as `hc_merge_target`), in ONE transaction that writes only
-- that database. $d = snapshot date, $sweep_complete = a complete sweep listed every alive model.

-- History first, against the values before this night. Not on a model's first appearance,
-- and heavy fields only once they were ever fetched (refreshed_on not NULL).
INSERT INTO hc_merge_target.model_changes (model_id, field, old_value, new_value, snapshot_date)
WITH pairs AS (
    SELECT n.model_id, 'license' AS field, m.license AS old_value, n.license AS new_value
    FROM night_models n JOIN hc_merge_target.hub_models m USING (model_id) WHERE n.refreshed AND m.refreshed_on IS NOT NULL
    UNION ALL
    SELECT n.model_id, 'gated', m.gated, n.gated
    FROM night_models n JOIN hc_merge_target.hub_models m USING (model_id) WHERE m.gated IS NOT NULL AND n.gated IS NOT NULL
    UNION ALL
    SELECT n.model_id, 'base_models', nullif(array_to_string(m.base_models, ','), ''),
           nullif(array_to_string(n.base_models, ','), '')
    FROM night_models n JOIN hc_merge_target.hub_models m USING (model_id) WHERE n.refreshed AND m.refreshed_on IS NOT NULL
    UNION ALL
    SELECT n.model_id, 'pipeline_tag', m.pipeline_tag, n.pipeline_tag
    FROM night_models n JOIN hc_merge_target.hub_models m USING (model_id) WHERE n.refreshed AND m.refreshed_on IS NOT NULL
    UNION ALL
    SELECT n.model_id, 'library_name', m.library_name, n.library_name
    FROM night_models n JOIN hc_merge_target.hub_models m USING (model_id) WHERE n.refreshed AND m.refreshed_on IS NOT NULL
)
SELECT model_id, field, old_value, new_value, $d FROM pairs
WHERE old_value IS DISTINCT FROM new_value;

UPDATE hc_merge_target.hub_models AS m SET
    internal_id        = coalesce(n.internal_id, m.internal_id),
    author             = CASE WHEN n.refreshed THEN n.author ELSE coalesce(m.author, n.author) END,
    created_at         = coalesce(n.created_at, m.created_at),
    last_modified      = coalesce(n.last_modified, m.last_modified),
    private            = coalesce(n.private, m.private),
    disabled           = coalesce(n.disabled, m.disabled),
    gated              = coalesce(n.gated, m.gated),
    downloads          = n.downloads,
    downloads_all_time = n.downloads_all_time,
    likes              = n.likes,
    trending_score     = n.trending_score,
    sha                = CASE WHEN n.refreshed THEN n.sha ELSE m.sha END,
    pipeline_tag       = CASE WHEN n.refreshed THEN n.pipeline_tag ELSE m.pipeline_tag END,
    library_name       = CASE WHEN n.refreshed THEN n.library_name ELSE m.library_name END,
    license            = CASE WHEN n.refreshed THEN n.license ELSE m.license END,
    license_name       = CASE WHEN n.refreshed THEN n.license_name ELSE m.license_name END,
    license_link       = CASE WHEN n.refreshed THEN n.license_link ELSE m.license_link END,
    params             = CASE WHEN n.refreshed THEN n.params ELSE m.params END,
    languages          = CASE WHEN n.refreshed THEN n.languages ELSE m.languages END,
    datasets           = CASE WHEN n.refreshed THEN n.datasets ELSE m.datasets END,
    tags               = CASE WHEN n.refreshed THEN n.tags ELSE m.tags END,
    base_models        = CASE WHEN n.refreshed THEN n.base_models ELSE m.base_models END,
    siblings_count     = CASE WHEN n.refreshed THEN n.siblings_count ELSE m.siblings_count END,
    weight_formats     = CASE WHEN n.refreshed THEN n.weight_formats ELSE m.weight_formats END,
    hub_children_count = coalesce(n.hub_children_count, m.hub_children_count),
    last_seen          = greatest(m.last_seen, $d),
    deleted_at         = NULL,
    refreshed_on       = CASE WHEN n.refreshed THEN $d ELSE m.refreshed_on END
FROM night_models n
WHERE m.model_id = n.model_id;

INSERT INTO hc_merge_target.hub_models BY NAME
SELECT n.* EXCLUDE (refreshed),
       $d AS first_seen, $d AS last_seen, CAST(NULL AS DATE) AS deleted_at,
       CASE WHEN n.refreshed THEN $d END AS refreshed_on
FROM night_models n
WHERE NOT EXISTS (SELECT 1 FROM hc_merge_target.hub_models m WHERE m.model_id = n.model_id);

-- Vanished: alive before, not listed by tonight's complete sweep or full run (nor the refresh). Kept.
UPDATE hc_merge_target.hub_models SET deleted_at = $d
WHERE $sweep_complete AND deleted_at IS NULL AND first_seen <= $d
  AND model_id NOT IN (SELECT model_id FROM night_listed);

-- One snapshot row per model and date: re-running a day replaces that day's rows.
DELETE FROM hc_merge_target.model_snapshots
WHERE snapshot_date = $d AND model_id IN (SELECT model_id FROM night_models);

INSERT INTO hc_merge_target.model_snapshots (snapshot_date, model_id, downloads, downloads_all_time, likes, gated)
SELECT $d, model_id, downloads, downloads_all_time, likes, gated FROM night_models;

-- Lineage of refreshed models is replaced; unchanged edges keep their first_seen.
DELETE FROM hc_merge_target.lineage AS l
WHERE l.child_id IN (SELECT model_id FROM night_models WHERE refreshed)
  AND NOT EXISTS (SELECT 1 FROM night_edges e
                  WHERE e.child_id = l.child_id AND e.parent_id = l.parent_id AND e.relation = l.relation);

INSERT INTO hc_merge_target.lineage (child_id, parent_id, relation, source, first_seen)
SELECT e.child_id, e.parent_id, e.relation, any_value(e.source), $d
FROM night_edges e
WHERE NOT EXISTS (SELECT 1 FROM hc_merge_target.lineage l
                  WHERE l.child_id = e.child_id AND l.parent_id = e.parent_id AND l.relation = e.relation)
GROUP BY e.child_id, e.parent_id, e.relation;

INSERT INTO hc_merge_target.crawl_runs (run_id, night_id, plan, status, snapshot_date, started_at, finished_at, pages,
                            models_seen, requests, retries, bytes, skipped_records, watermark, endpoint, error)
SELECT nextval('hc_merge_target.crawl_run_ids'), n.night_id, p.plan, p.status, $d, p.started_at, p.finished_at, p.pages,
       p.models, p.requests, p.retries, p.bytes, p.skipped, p.watermark, n.endpoint, NULL
FROM plan_state p CROSS JOIN night n
ORDER BY p.started_at NULLS LAST, p.plan;
