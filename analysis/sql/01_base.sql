-- Base views every other view builds on. Read-only over the crawl tables (storage owns them).

-- The analyst's table: every hub_models column plus the license family from the reviewed
-- taxonomy. Joined at query time, so a taxonomy fix applies to all history at once. A card
-- that literally declares `license: none` has no license, like a card without one.
CREATE OR REPLACE VIEW models AS
SELECT h.*,
       CASE WHEN h.license IS NULL OR h.license = 'none' THEN 'none'
            ELSE coalesce(t.family, 'other') END AS license_family
FROM hub_models h
LEFT JOIN license_taxonomy t ON t.license_id = h.license;

-- Complete runs that listed every model of the Hub: a sweep, or a `full` run (a first night's
-- sweep and refresh in one heavy pass). Their dates are the snapshots that say who is alive.
CREATE OR REPLACE VIEW complete_listings AS
SELECT * FROM crawl_runs WHERE status = 'complete' AND plan IN ('sweep', 'full') AND coalesce(repo_type, 'models') = 'models';

-- The date the figures describe: the latest complete sweep (or full run); without one, the
-- latest snapshot any run wrote; NULL on an empty database.
CREATE OR REPLACE VIEW latest_snapshot AS
SELECT coalesce(
           (SELECT max(snapshot_date) FROM complete_listings),
           (SELECT max(snapshot_date) FROM model_snapshots)
       ) AS snapshot_date;

-- Models listed by the Hub at the latest complete snapshot.
CREATE OR REPLACE VIEW alive_models AS
SELECT * FROM models WHERE deleted_at IS NULL;

-- Lineage edges whose child is alive, self-edges dropped, relation outside the five known
-- values read as 'unknown'. Children of lineage rows are always crawled models (storage
-- writes edges only for models it stores), so "alive" is tested by excluding the (few)
-- deleted ones: an anti-join against a small set is ~5x cheaper than joining 3M models.
CREATE OR REPLACE VIEW alive_lineage AS
SELECT l.parent_id,
       l.child_id,
       CASE WHEN l.relation IN ('finetune', 'adapter', 'quantized', 'merge') THEN l.relation
            ELSE 'unknown' END AS relation
FROM lineage l
WHERE l.parent_id <> l.child_id
  AND l.child_id NOT IN (SELECT model_id FROM hub_models WHERE deleted_at IS NOT NULL);
