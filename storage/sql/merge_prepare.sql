-- The night's models from staging, one row per model id (a listing may repeat a model that
-- moved under the cursor: its latest page wins), for slice $part of $parts of the model ids
-- (hash(model_id) % $parts): per model, so slicing changes no result, only bounds memory.
-- $light_plans: light listings of every model (sweep); $heavy_plans: plans with the
-- descriptive fields (refresh, catchup, full). A `full` night has heavy rows only, which
-- carry its counts too.

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

-- Temp tables live in memory: the inputs go as soon as night_models holds what they gave.
DROP TABLE night_heavy;
DROP TABLE night_light;

-- Ids listed tonight, including records rejected whole that had a readable id: a record the
-- parser could not read tonight does not make its model "vanished".
CREATE OR REPLACE TEMP TABLE night_listed AS
SELECT model_id FROM night_models
UNION
SELECT model_id FROM stage_rejected
WHERE field IS NULL AND model_id IS NOT NULL AND hash(model_id) % $parts = $part;
