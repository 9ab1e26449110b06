-- requires: hub_datasets, hub_spaces, repo_links
-- The lifecycle graph (issue 13): datasets and Spaces beside models, and the links between
-- them and to papers (storage's migration 003). Base views every lifecycle view builds on.
-- Read-only over the crawl tables. Repository types are written singular, as repo_links
-- writes them: 'model' | 'dataset' | 'space' (and 'paper' as a link target).

-- Every hub_datasets column plus the license family, as `models` does for models.
CREATE OR REPLACE VIEW datasets AS
SELECT h.*,
       CASE WHEN h.license IS NULL OR h.license = 'none' THEN 'none'
            ELSE coalesce(t.family, 'other') END AS license_family
FROM hub_datasets h
LEFT JOIN license_taxonomy t ON t.license_id = h.license;

CREATE OR REPLACE VIEW alive_datasets AS
SELECT * FROM datasets WHERE deleted_at IS NULL;

-- Every hub_spaces column plus the license family (a Space's card may declare a license too).
CREATE OR REPLACE VIEW spaces AS
SELECT h.*,
       CASE WHEN h.license IS NULL OR h.license = 'none' THEN 'none'
            ELSE coalesce(t.family, 'other') END AS license_family
FROM hub_spaces h
LEFT JOIN license_taxonomy t ON t.license_id = h.license;

CREATE OR REPLACE VIEW alive_spaces AS
SELECT * FROM spaces WHERE deleted_at IS NULL;

-- The three kinds of repository in one shape: what lifespans, growth and the link flags read.
CREATE OR REPLACE VIEW repositories AS
SELECT 'model' AS repo_type, model_id AS repo_id, author, created_at, last_modified, likes,
       first_seen, last_seen, deleted_at, deleted_at IS NULL AS alive
FROM hub_models
UNION ALL
SELECT 'dataset', dataset_id, author, created_at, last_modified, likes, first_seen, last_seen, deleted_at,
       deleted_at IS NULL
FROM hub_datasets
UNION ALL
SELECT 'space', space_id, author, created_at, last_modified, likes, first_seen, last_seen, deleted_at,
       deleted_at IS NULL
FROM hub_spaces;

-- One row per distinct link (source, target, relation) — docs/figures.md "Links" — with the
-- place of the source it was stored from (`declared_in`: tag, cardData or listing; a list, one
-- place since the merge keeps one row per link, docs/figures.md's precedence), with flags:
--   source_alive    the source repository is listed at S;
--   target_on_hub   the target is an alive repository of its type at S (docs/figures.md's
--                   "on the Hub"); NULL for papers, which are not repositories;
--   target_deleted  the crawl saw the target, and it has been deleted since; NULL for papers.
-- A target that is neither (the crawl never saw it: `generator`, a private repo, a typo) has
-- both false. An empty target id is not a link (the parse never writes one; guarded here so a
-- stray row cannot reach the figures).
CREATE OR REPLACE VIEW links AS
WITH l AS (
    SELECT source_type, source_id, target_type, target_id, relation,
           list(DISTINCT source ORDER BY source) AS declared_in,
           min(first_seen) AS first_seen
    FROM repo_links
    WHERE target_id <> ''
    GROUP BY source_type, source_id, target_type, target_id, relation
)
SELECT l.source_type, l.source_id, l.target_type, l.target_id, l.relation, l.declared_in, l.first_seen,
       coalesce(s.alive, false) AS source_alive,
       CASE WHEN l.target_type = 'paper' THEN NULL ELSE coalesce(t.alive, false) END AS target_on_hub,
       CASE WHEN l.target_type = 'paper' THEN NULL ELSE coalesce(NOT t.alive, false) END AS target_deleted
FROM l
LEFT JOIN repositories s ON s.repo_type = l.source_type AND s.repo_id = l.source_id
LEFT JOIN repositories t ON t.repo_type = l.target_type AND t.repo_id = l.target_id;

-- The links whose source is alive, one row per (source, target, relation), without flags: what
-- every count of the lifecycle graph reads (join the target's table where "on the Hub"
-- matters, or read `links`). Storage writes links only for repositories it stores, so "alive"
-- is tested by leaving out the (few) deleted sources, as alive_lineage does for children: far
-- cheaper than joining every repository. Written as a join with the deleted ones, not NOT
-- EXISTS: DuckDB decorrelates that by buffering every link first (twice the time at 3M models).
-- No DISTINCT: repo_links holds one row per (source, target, relation) (the merge groups the
-- night's links by it and adds only links not stored; time travel's repo_links pairs each with
-- its changes), which the tests check after every night; a DISTINCT over 2M links was a fifth
-- of the figures' time at 3M models.
CREATE OR REPLACE VIEW alive_links AS
SELECT l.source_type, l.source_id, l.target_type, l.target_id, l.relation
FROM repo_links l
LEFT JOIN (SELECT repo_type, repo_id FROM repositories WHERE NOT alive) d
       ON d.repo_type = l.source_type AND d.repo_id = l.source_id
WHERE l.target_id <> '' AND d.repo_id IS NULL;
