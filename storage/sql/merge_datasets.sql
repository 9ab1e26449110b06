-- The night's datasets into the main DB (attached as `hc_merge_target`), for slice $part of $parts
-- of the dataset ids, inside the night's ONE transaction (storage/merge.py). Shaped like the
-- models' merge (merge.sql, which explains the choices): counts from the sweep ($light_plans),
-- descriptive fields from the refresh and catch-up ($heavy_plans), refreshed rows replaced whole,
-- listed-only rows updated narrowly, vanished ones marked deleted when a whole listing
-- ($sweep_complete) did not list them, and what the night observed for the history (runs:
-- merge_repo_history.sql, after this file).

CREATE OR REPLACE TEMP TABLE night_light AS
SELECT dataset_id, internal_id, author, created_at, last_modified, private, disabled, gated,
       downloads, downloads_all_time, likes, trending_score
FROM stage_dataset_rows WHERE list_contains($light_plans, plan) AND hash(dataset_id) % $parts = $part
QUALIFY row_number() OVER (PARTITION BY dataset_id ORDER BY page_no DESC) = 1;

CREATE OR REPLACE TEMP TABLE night_heavy AS
SELECT * FROM stage_dataset_rows WHERE list_contains($heavy_plans, plan) AND hash(dataset_id) % $parts = $part
QUALIFY row_number() OVER (PARTITION BY dataset_id ORDER BY page_no DESC) = 1;

CREATE OR REPLACE TEMP TABLE night_datasets AS
SELECT
    h.dataset_id,
    true AS refreshed,
    coalesce(h.internal_id, l.internal_id) AS internal_id,
    h.author,
    coalesce(h.created_at, l.created_at) AS created_at,
    coalesce(h.last_modified, l.last_modified) AS last_modified,
    coalesce(h.private, l.private) AS private,
    coalesce(h.disabled, l.disabled) AS disabled,
    coalesce(h.gated, l.gated) AS gated,
    CASE WHEN l.dataset_id IS NOT NULL THEN l.downloads ELSE h.downloads END AS downloads,
    CASE WHEN l.dataset_id IS NOT NULL THEN l.downloads_all_time ELSE h.downloads_all_time END AS downloads_all_time,
    CASE WHEN l.dataset_id IS NOT NULL THEN l.likes ELSE h.likes END AS likes,
    coalesce(l.trending_score, h.trending_score) AS trending_score,
    h.sha, h.license, h.languages, h.task_categories, h.size_category, h.paperswithcode_id, h.tags
FROM night_heavy h LEFT JOIN night_light l ON l.dataset_id = h.dataset_id
UNION ALL BY NAME
SELECT l.dataset_id, false AS refreshed, l.internal_id, l.author, l.created_at, l.last_modified, l.private,
       l.disabled, l.gated, l.downloads, l.downloads_all_time, l.likes, l.trending_score
FROM night_light l
WHERE NOT EXISTS (SELECT 1 FROM night_heavy h WHERE h.dataset_id = l.dataset_id);

CREATE OR REPLACE TEMP TABLE night_link_sources AS
SELECT h.dataset_id AS source_id, h.plan, h.page_no,
       EXISTS (SELECT 1 FROM hc_merge_target.hub_datasets m WHERE m.dataset_id = h.dataset_id AND m.refreshed_on IS NOT NULL)
           AS known
FROM night_heavy h;

DROP TABLE night_heavy;
DROP TABLE night_light;

CREATE OR REPLACE TEMP TABLE night_listed AS
SELECT dataset_id FROM night_datasets
UNION
SELECT model_id FROM stage_rejected
WHERE field IS NULL AND model_id IS NOT NULL AND list_contains($all_plans, plan) AND hash(model_id) % $parts = $part;

-- Refreshed datasets: replaced whole, keeping what only the stored row knows.
CREATE OR REPLACE TEMP TABLE night_refreshed_before AS
SELECT m.dataset_id, m.internal_id, m.created_at, m.last_modified, m.private, m.disabled, m.gated, m.first_seen, m.last_seen
FROM hc_merge_target.hub_datasets m
WHERE m.dataset_id IN (SELECT dataset_id FROM night_datasets WHERE refreshed);

DELETE FROM hc_merge_target.hub_datasets
WHERE dataset_id IN (SELECT dataset_id FROM night_refreshed_before);

INSERT INTO hc_merge_target.hub_datasets BY NAME
SELECT n.* EXCLUDE (refreshed, internal_id, created_at, last_modified, private, disabled, gated),
       coalesce(n.internal_id, b.internal_id) AS internal_id,
       coalesce(n.created_at, b.created_at) AS created_at,
       coalesce(n.last_modified, b.last_modified) AS last_modified,
       coalesce(n.private, b.private) AS private,
       coalesce(n.disabled, b.disabled) AS disabled,
       coalesce(n.gated, b.gated) AS gated,
       coalesce(b.first_seen, $d) AS first_seen,
       greatest(b.last_seen, $d) AS last_seen,
       CAST(NULL AS DATE) AS deleted_at,
       $d AS refreshed_on
FROM night_datasets n LEFT JOIN night_refreshed_before b USING (dataset_id)
WHERE n.refreshed;

-- Listed only.
CREATE OR REPLACE TEMP TABLE night_listed_only AS
SELECT dataset_id, internal_id, author, created_at, last_modified, private, disabled, gated,
       downloads, downloads_all_time, likes, trending_score
FROM night_datasets WHERE NOT refreshed;

-- An UPDATE holds what it writes in memory until the night commits: write only what moved
-- (last_seen for all; counts where they changed; the rarely changing rest where it differs).
UPDATE hc_merge_target.hub_datasets AS m SET last_seen = $d
FROM night_listed_only n
WHERE m.dataset_id = n.dataset_id AND m.last_seen < $d;

UPDATE hc_merge_target.hub_datasets AS m SET
    downloads          = n.downloads,
    downloads_all_time = n.downloads_all_time,
    likes              = n.likes
FROM night_listed_only n
WHERE m.dataset_id = n.dataset_id
  AND (m.downloads IS DISTINCT FROM n.downloads OR m.downloads_all_time IS DISTINCT FROM n.downloads_all_time
       OR m.likes IS DISTINCT FROM n.likes);

UPDATE hc_merge_target.hub_datasets AS m SET
    internal_id    = coalesce(n.internal_id, m.internal_id),
    author         = coalesce(m.author, n.author),
    created_at     = coalesce(n.created_at, m.created_at),
    last_modified  = coalesce(n.last_modified, m.last_modified),
    private        = coalesce(n.private, m.private),
    disabled       = coalesce(n.disabled, m.disabled),
    gated          = coalesce(n.gated, m.gated),
    trending_score = coalesce(n.trending_score, m.trending_score),
    deleted_at     = NULL
FROM night_listed_only n
WHERE m.dataset_id = n.dataset_id
  AND (m.deleted_at IS NOT NULL
       OR m.internal_id IS DISTINCT FROM coalesce(n.internal_id, m.internal_id)
       OR m.author IS DISTINCT FROM coalesce(m.author, n.author)
       OR m.created_at IS DISTINCT FROM coalesce(n.created_at, m.created_at)
       OR m.last_modified IS DISTINCT FROM coalesce(n.last_modified, m.last_modified)
       OR m.private IS DISTINCT FROM coalesce(n.private, m.private)
       OR m.disabled IS DISTINCT FROM coalesce(n.disabled, m.disabled)
       OR m.gated IS DISTINCT FROM coalesce(n.gated, m.gated)
       OR m.trending_score IS DISTINCT FROM coalesce(n.trending_score, m.trending_score));

-- Seen for the first time tonight by the light listing only.
INSERT INTO hc_merge_target.hub_datasets BY NAME
SELECT n.* EXCLUDE (refreshed), $d AS first_seen, $d AS last_seen, CAST(NULL AS DATE) AS deleted_at,
       CAST(NULL AS DATE) AS refreshed_on
FROM night_datasets n
WHERE NOT n.refreshed
  AND NOT EXISTS (SELECT 1 FROM hc_merge_target.hub_datasets m WHERE m.dataset_id = n.dataset_id);

DROP TABLE night_listed_only;

UPDATE hc_merge_target.hub_datasets SET deleted_at = $d
WHERE $sweep_complete AND deleted_at IS NULL AND first_seen <= $d AND hash(dataset_id) % $parts = $part
  AND dataset_id NOT IN (SELECT dataset_id FROM night_listed);

-- ==== BEGIN history (docs/history.md): what tonight observed, stored as runs by merge_repo_history.sql
CREATE OR REPLACE TEMP TABLE night_history_rows AS
SELECT dataset_id AS repo_id,
       {'downloads': downloads, 'downloads_all_time': downloads_all_time, 'likes': likes, 'gated': gated} AS observed
FROM night_datasets;
-- ==== END history
