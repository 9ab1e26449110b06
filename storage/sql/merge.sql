-- The night into the main DB (attached as `hc_merge_target`), in ONE transaction that writes only
-- that database (and this connection's temp tables). $d = snapshot date, $sweep_complete = a
-- complete sweep listed every alive model. Run once per slice of model ids (storage.merge):
-- the night_* tables hold slice $part of $parts, so memory does not grow with the Hub.

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

-- The upsert is split by width, as a columnar store wants it: refreshed models are deleted and
-- inserted whole (their narrow bookkeeping values kept aside), listed-only models get a narrow
-- update of counts, dates and flags (rewriting every column of every listed model each night
-- would rewrite the whole Hub's tags, cards and file lists).
CREATE OR REPLACE TEMP TABLE night_refreshed_before AS
SELECT m.model_id, m.internal_id, m.author, m.created_at, m.last_modified, m.private, m.disabled, m.gated,
       m.hub_children_count, m.first_seen, m.last_seen
FROM hc_merge_target.hub_models m
WHERE m.model_id IN (SELECT model_id FROM night_models WHERE refreshed);

DELETE FROM hc_merge_target.hub_models
WHERE model_id IN (SELECT model_id FROM night_refreshed_before);

INSERT INTO hc_merge_target.hub_models BY NAME
SELECT n.* EXCLUDE (refreshed, internal_id, created_at, last_modified, private, disabled, gated, hub_children_count),
       coalesce(n.internal_id, b.internal_id) AS internal_id,
       coalesce(n.created_at, b.created_at) AS created_at,
       coalesce(n.last_modified, b.last_modified) AS last_modified,
       coalesce(n.private, b.private) AS private,
       coalesce(n.disabled, b.disabled) AS disabled,
       coalesce(n.gated, b.gated) AS gated,
       coalesce(n.hub_children_count, b.hub_children_count) AS hub_children_count,
       coalesce(b.first_seen, $d) AS first_seen,
       greatest(b.last_seen, $d) AS last_seen,
       CAST(NULL AS DATE) AS deleted_at,
       $d AS refreshed_on
FROM night_models n LEFT JOIN night_refreshed_before b USING (model_id)
WHERE n.refreshed;

-- Models only the light listing saw tonight. An UPDATE keeps every value it writes (and the
-- old one, for rollback) in memory until the night commits, so it writes only what moved:
-- last_seen of every listed model (one narrow column), counts where they changed (most
-- models' stay put: >70% have no downloads), and the rarely changing rest where it differs.
CREATE OR REPLACE TEMP TABLE night_listed_only AS
SELECT model_id, internal_id, author, created_at, last_modified, private, disabled, gated,
       downloads, downloads_all_time, likes, trending_score
FROM night_models WHERE NOT refreshed;

UPDATE hc_merge_target.hub_models AS m SET last_seen = $d
FROM night_listed_only n
WHERE m.model_id = n.model_id AND m.last_seen < $d;

UPDATE hc_merge_target.hub_models AS m SET
    downloads          = n.downloads,
    downloads_all_time = n.downloads_all_time,
    likes              = n.likes
FROM night_listed_only n
WHERE m.model_id = n.model_id
  AND (m.downloads IS DISTINCT FROM n.downloads OR m.downloads_all_time IS DISTINCT FROM n.downloads_all_time
       OR m.likes IS DISTINCT FROM n.likes);

UPDATE hc_merge_target.hub_models AS m SET
    internal_id        = coalesce(n.internal_id, m.internal_id),
    author             = coalesce(m.author, n.author),
    created_at         = coalesce(n.created_at, m.created_at),
    last_modified      = coalesce(n.last_modified, m.last_modified),
    private            = coalesce(n.private, m.private),
    disabled           = coalesce(n.disabled, m.disabled),
    gated              = coalesce(n.gated, m.gated),
    trending_score     = coalesce(n.trending_score, m.trending_score),
    deleted_at         = NULL
FROM night_listed_only n
WHERE m.model_id = n.model_id
  AND (m.deleted_at IS NOT NULL
       OR m.internal_id IS DISTINCT FROM coalesce(n.internal_id, m.internal_id)
       OR m.author IS DISTINCT FROM coalesce(m.author, n.author)
       OR m.created_at IS DISTINCT FROM coalesce(n.created_at, m.created_at)
       OR m.last_modified IS DISTINCT FROM coalesce(n.last_modified, m.last_modified)
       OR m.private IS DISTINCT FROM coalesce(n.private, m.private)
       OR m.disabled IS DISTINCT FROM coalesce(n.disabled, m.disabled)
       OR m.gated IS DISTINCT FROM coalesce(n.gated, m.gated)
       OR m.trending_score IS DISTINCT FROM coalesce(n.trending_score, m.trending_score));

DROP TABLE night_listed_only;

-- Models seen for the first time tonight by the light listing only.
INSERT INTO hc_merge_target.hub_models BY NAME
SELECT n.* EXCLUDE (refreshed),
       $d AS first_seen, $d AS last_seen, CAST(NULL AS DATE) AS deleted_at,
       CAST(NULL AS DATE) AS refreshed_on
FROM night_models n
WHERE NOT n.refreshed
  AND NOT EXISTS (SELECT 1 FROM hc_merge_target.hub_models m WHERE m.model_id = n.model_id);

-- Vanished: alive before, not listed by tonight's complete sweep or full run (nor the refresh). Kept.
UPDATE hc_merge_target.hub_models SET deleted_at = $d
WHERE $sweep_complete AND deleted_at IS NULL AND first_seen <= $d AND hash(model_id) % $parts = $part
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
