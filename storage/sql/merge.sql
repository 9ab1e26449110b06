-- The night into the main DB (attached as `hc_merge_target`), for slice $part of $parts of the
-- model ids (hash(model_id) % $parts), in ONE transaction that writes only that database (and
-- this connection's temp tables): per model, so slicing changes no result, only bounds memory.
-- $d = snapshot date, $sweep_complete = a complete listing saw every alive model,
-- $light_plans: light listings of every model (sweep); $heavy_plans: plans with the descriptive
-- fields (refresh, catchup, full). A `full` night has heavy rows only, which carry its counts too.

-- ---------------------------------------------------------------- the night's models, from staging
-- One row per model id (a listing may repeat a model that moved under the cursor: its latest
-- page wins).
-- The light side keeps only what the merge takes from it (ids, counts, dates, flags).
CREATE OR REPLACE TEMP TABLE night_light AS
SELECT model_id, internal_id, author, created_at, last_modified, private, disabled, gated,
       downloads, downloads_all_time, likes, trending_score
FROM stage_rows WHERE list_contains($light_plans, plan) AND hash(model_id) % $parts = $part
QUALIFY row_number() OVER (PARTITION BY model_id ORDER BY page_no DESC) = 1;

CREATE OR REPLACE TEMP TABLE night_heavy AS
SELECT * FROM stage_rows WHERE list_contains($heavy_plans, plan) AND hash(model_id) % $parts = $part
QUALIFY row_number() OVER (PARTITION BY model_id ORDER BY page_no DESC) = 1;

CREATE OR REPLACE TEMP TABLE night_edges AS
SELECT DISTINCT e.child_id, e.parent_id, e.relation, e.source
FROM stage_edges e JOIN night_heavy h ON h.model_id = e.child_id AND h.page_no = e.page_no;

-- Counts come from the sweep (one consistent pass over the Hub) and descriptive fields from
-- the refresh (fetched later, with the heavy fields they belong with); each falls back to the
-- other plan for models only one of them listed. Shaped for memory: the light side is joined
-- as a narrow projection (ids, counts, dates, flags) and light-only models are appended by an
-- anti-join on ids, so no wide table (tags, card JSON, lists) is ever a hash-join build side.
-- A FULL OUTER JOIN of two wide tables ran a 1M-model first night out of 256 MB.
CREATE OR REPLACE TEMP TABLE night_models AS
SELECT
    h.model_id,
    true AS refreshed,
    coalesce(h.internal_id, l.internal_id) AS internal_id,
    h.author,
    coalesce(h.created_at, l.created_at) AS created_at,
    coalesce(h.last_modified, l.last_modified) AS last_modified,
    coalesce(h.private, l.private) AS private,
    coalesce(h.disabled, l.disabled) AS disabled,
    coalesce(h.gated, l.gated) AS gated,
    CASE WHEN l.model_id IS NOT NULL THEN l.downloads ELSE h.downloads END AS downloads,
    CASE WHEN l.model_id IS NOT NULL THEN l.downloads_all_time ELSE h.downloads_all_time END AS downloads_all_time,
    CASE WHEN l.model_id IS NOT NULL THEN l.likes ELSE h.likes END AS likes,
    coalesce(l.trending_score, h.trending_score) AS trending_score,   -- the sweep does not ask for it
    h.sha, h.pipeline_tag, h.library_name, h.license, h.license_name, h.license_link, h.params,
    h.languages, h.datasets, h.tags, h.base_models, h.siblings_count, h.weight_formats,
    h.hub_children_count
FROM night_heavy h LEFT JOIN night_light l ON l.model_id = h.model_id
UNION ALL BY NAME   -- models only the light listing saw: their heavy columns are NULL
SELECT l.model_id, false AS refreshed, l.internal_id, l.author, l.created_at, l.last_modified, l.private,
       l.disabled, l.gated, l.downloads, l.downloads_all_time, l.likes, l.trending_score
FROM night_light l
WHERE NOT EXISTS (SELECT 1 FROM night_heavy h WHERE h.model_id = l.model_id);

-- Tonight's refreshed models, as sources of links (storage/sql/merge_links.sql): the page their
-- row came from, and whether an earlier night had fetched them (only then is a link "added").
CREATE OR REPLACE TEMP TABLE night_link_sources AS
SELECT h.model_id AS source_id, h.plan, h.page_no,
       EXISTS (SELECT 1 FROM hc_merge_target.hub_models m WHERE m.model_id = h.model_id AND m.refreshed_on IS NOT NULL)
           AS known
FROM night_heavy h;

-- Temp tables live in memory: the inputs go as soon as night_models holds what they gave.
DROP TABLE night_heavy;
DROP TABLE night_light;

-- Ids listed tonight, including records rejected whole that had a readable id: a record the
-- parser could not read tonight does not make its model "vanished".
CREATE OR REPLACE TEMP TABLE night_listed AS
SELECT model_id FROM night_models
UNION
SELECT model_id FROM stage_rejected
WHERE field IS NULL AND model_id IS NOT NULL AND list_contains($all_plans, plan) AND hash(model_id) % $parts = $part;

-- ---------------------------------------------------------------- into the main file
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
