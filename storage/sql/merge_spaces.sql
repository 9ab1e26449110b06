-- The night's Spaces into the main DB (attached as `hc_merge_target`), for slice $part of $parts
-- of the Space ids, inside the night's ONE transaction (storage/merge.py). Shaped like the
-- datasets' merge (merge_datasets.sql): likes and the runtime stage (which change without a
-- commit) from the sweep, the rest from the refresh and catch-up. Spaces have no downloads.

CREATE OR REPLACE TEMP TABLE night_light AS
SELECT space_id, internal_id, author, created_at, last_modified, private, disabled, likes, trending_score,
       runtime_stage, hardware
FROM stage_space_rows WHERE list_contains($light_plans, plan) AND hash(space_id) % $parts = $part
QUALIFY row_number() OVER (PARTITION BY space_id ORDER BY page_no DESC) = 1;

CREATE OR REPLACE TEMP TABLE night_heavy AS
SELECT * FROM stage_space_rows WHERE list_contains($heavy_plans, plan) AND hash(space_id) % $parts = $part
QUALIFY row_number() OVER (PARTITION BY space_id ORDER BY page_no DESC) = 1;

CREATE OR REPLACE TEMP TABLE night_spaces AS
SELECT
    h.space_id,
    true AS refreshed,
    coalesce(h.internal_id, l.internal_id) AS internal_id,
    h.author,
    coalesce(h.created_at, l.created_at) AS created_at,
    coalesce(h.last_modified, l.last_modified) AS last_modified,
    coalesce(h.private, l.private) AS private,
    coalesce(h.disabled, l.disabled) AS disabled,
    CASE WHEN l.space_id IS NOT NULL THEN l.likes ELSE h.likes END AS likes,
    coalesce(l.trending_score, h.trending_score) AS trending_score,
    CASE WHEN l.space_id IS NOT NULL THEN l.runtime_stage ELSE h.runtime_stage END AS runtime_stage,
    CASE WHEN l.space_id IS NOT NULL THEN coalesce(l.hardware, h.hardware) ELSE h.hardware END AS hardware,
    h.sha, h.sdk, h.license, h.models, h.datasets, h.tags
FROM night_heavy h LEFT JOIN night_light l ON l.space_id = h.space_id
UNION ALL BY NAME
SELECT l.space_id, false AS refreshed, l.internal_id, l.author, l.created_at, l.last_modified, l.private,
       l.disabled, l.likes, l.trending_score, l.runtime_stage, l.hardware
FROM night_light l
WHERE NOT EXISTS (SELECT 1 FROM night_heavy h WHERE h.space_id = l.space_id);

CREATE OR REPLACE TEMP TABLE night_link_sources AS
SELECT h.space_id AS source_id, h.plan, h.page_no,
       EXISTS (SELECT 1 FROM hc_merge_target.hub_spaces m WHERE m.space_id = h.space_id AND m.refreshed_on IS NOT NULL)
           AS known
FROM night_heavy h;

DROP TABLE night_heavy;
DROP TABLE night_light;

CREATE OR REPLACE TEMP TABLE night_listed AS
SELECT space_id FROM night_spaces
UNION
SELECT model_id FROM stage_rejected
WHERE field IS NULL AND model_id IS NOT NULL AND list_contains($all_plans, plan) AND hash(model_id) % $parts = $part;

CREATE OR REPLACE TEMP TABLE night_refreshed_before AS
SELECT m.space_id, m.internal_id, m.created_at, m.last_modified, m.private, m.disabled, m.first_seen, m.last_seen
FROM hc_merge_target.hub_spaces m
WHERE m.space_id IN (SELECT space_id FROM night_spaces WHERE refreshed);

DELETE FROM hc_merge_target.hub_spaces
WHERE space_id IN (SELECT space_id FROM night_refreshed_before);

INSERT INTO hc_merge_target.hub_spaces BY NAME
SELECT n.* EXCLUDE (refreshed, internal_id, created_at, last_modified, private, disabled),
       coalesce(n.internal_id, b.internal_id) AS internal_id,
       coalesce(n.created_at, b.created_at) AS created_at,
       coalesce(n.last_modified, b.last_modified) AS last_modified,
       coalesce(n.private, b.private) AS private,
       coalesce(n.disabled, b.disabled) AS disabled,
       coalesce(b.first_seen, $d) AS first_seen,
       greatest(b.last_seen, $d) AS last_seen,
       CAST(NULL AS DATE) AS deleted_at,
       $d AS refreshed_on
FROM night_spaces n LEFT JOIN night_refreshed_before b USING (space_id)
WHERE n.refreshed;

CREATE OR REPLACE TEMP TABLE night_listed_only AS
SELECT space_id, internal_id, author, created_at, last_modified, private, disabled, likes, trending_score,
       runtime_stage, hardware
FROM night_spaces WHERE NOT refreshed;

-- Write only what moved (see merge_datasets.sql).
UPDATE hc_merge_target.hub_spaces AS m SET last_seen = $d
FROM night_listed_only n
WHERE m.space_id = n.space_id AND m.last_seen < $d;

UPDATE hc_merge_target.hub_spaces AS m SET
    likes         = n.likes,
    runtime_stage = n.runtime_stage,
    hardware      = coalesce(n.hardware, m.hardware)
FROM night_listed_only n
WHERE m.space_id = n.space_id
  AND (m.likes IS DISTINCT FROM n.likes OR m.runtime_stage IS DISTINCT FROM n.runtime_stage
       OR m.hardware IS DISTINCT FROM coalesce(n.hardware, m.hardware));

UPDATE hc_merge_target.hub_spaces AS m SET
    internal_id    = coalesce(n.internal_id, m.internal_id),
    author         = coalesce(m.author, n.author),
    created_at     = coalesce(n.created_at, m.created_at),
    last_modified  = coalesce(n.last_modified, m.last_modified),
    private        = coalesce(n.private, m.private),
    disabled       = coalesce(n.disabled, m.disabled),
    trending_score = coalesce(n.trending_score, m.trending_score),
    deleted_at     = NULL
FROM night_listed_only n
WHERE m.space_id = n.space_id
  AND (m.deleted_at IS NOT NULL
       OR m.internal_id IS DISTINCT FROM coalesce(n.internal_id, m.internal_id)
       OR m.author IS DISTINCT FROM coalesce(m.author, n.author)
       OR m.created_at IS DISTINCT FROM coalesce(n.created_at, m.created_at)
       OR m.last_modified IS DISTINCT FROM coalesce(n.last_modified, m.last_modified)
       OR m.private IS DISTINCT FROM coalesce(n.private, m.private)
       OR m.disabled IS DISTINCT FROM coalesce(n.disabled, m.disabled)
       OR m.trending_score IS DISTINCT FROM coalesce(n.trending_score, m.trending_score));

-- Seen for the first time tonight by the light listing only.
INSERT INTO hc_merge_target.hub_spaces BY NAME
SELECT n.* EXCLUDE (refreshed), $d AS first_seen, $d AS last_seen, CAST(NULL AS DATE) AS deleted_at,
       CAST(NULL AS DATE) AS refreshed_on
FROM night_spaces n
WHERE NOT n.refreshed
  AND NOT EXISTS (SELECT 1 FROM hc_merge_target.hub_spaces m WHERE m.space_id = n.space_id);

DROP TABLE night_listed_only;

UPDATE hc_merge_target.hub_spaces SET deleted_at = $d
WHERE $sweep_complete AND deleted_at IS NULL AND first_seen <= $d AND hash(space_id) % $parts = $part
  AND space_id NOT IN (SELECT space_id FROM night_listed);

-- ==== BEGIN history (docs/history.md): what tonight observed, stored as runs by merge_repo_history.sql
CREATE OR REPLACE TEMP TABLE night_history_rows AS
SELECT space_id AS repo_id, {'likes': likes, 'runtime_stage': runtime_stage} AS observed
FROM night_spaces;
-- ==== END history
