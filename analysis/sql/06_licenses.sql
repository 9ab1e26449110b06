-- License landscape and drift (question 4). Licenses are the crawler's normalized values
-- (lower-case; NULL = none); families come from analysis/license_taxonomy.csv.

-- Prevalence by count and by 30-day downloads, alive models.
CREATE OR REPLACE VIEW license_landscape AS
SELECT coalesce(license, 'none') AS license,
       license_family,
       count(*) AS models,
       round(count(*) / sum(count(*)) OVER (), 6) AS models_share,
       coalesce(sum(downloads), 0) AS downloads,
       coalesce(round(sum(downloads) / nullif(sum(sum(downloads)) OVER (), 0), 6), 0.0) AS downloads_share
FROM alive_models
GROUP BY ALL
ORDER BY models DESC, license;

CREATE OR REPLACE VIEW license_family_landscape AS
SELECT license_family,
       count(*) AS models,
       round(count(*) / sum(count(*)) OVER (), 6) AS models_share,
       coalesce(sum(downloads), 0) AS downloads,
       coalesce(round(sum(downloads) / nullif(sum(sum(downloads)) OVER (), 0), 6), 0.0) AS downloads_share
FROM alive_models
GROUP BY ALL
ORDER BY models DESC, license_family;

-- Edges (alive child, parent on the Hub, alive or not) whose child declares a different
-- license from its parent. restricted_to_permissive: the parent is open-weights-restricted or
-- non-commercial and the child declares a permissive license.
CREATE OR REPLACE VIEW license_drift_edges AS
SELECT e.child_id, e.parent_id, e.relation,
       coalesce(p.license, 'none') AS parent_license, p.license_family AS parent_family,
       coalesce(c.license, 'none') AS child_license, c.license_family AS child_family,
       p.license_family IN ('open-weights-restricted', 'non-commercial') AND c.license_family = 'permissive'
           AS restricted_to_permissive
FROM alive_lineage e   -- each (parent, child, relation) once (alive_lineage)
JOIN models p ON p.model_id = e.parent_id
JOIN models c ON c.model_id = e.child_id
WHERE coalesce(p.license, 'none') <> coalesce(c.license, 'none')
ORDER BY e.parent_id, e.child_id, e.relation;

-- Family-to-family flow along lineage: edges whose parent is on the Hub, by parent family and
-- child family, with the share of the parent family's derivative edges.
CREATE OR REPLACE VIEW license_drift AS
SELECT p.license_family AS parent_family,
       c.license_family AS child_family,
       count(*) AS edges,
       count(*) FILTER (WHERE coalesce(p.license, 'none') <> coalesce(c.license, 'none')) AS edges_license_differs,
       round(count(*) / sum(count(*)) OVER (PARTITION BY p.license_family), 6) AS share_of_parent_family
FROM alive_lineage e   -- each (parent, child, relation) once (alive_lineage)
JOIN models p ON p.model_id = e.parent_id
JOIN models c ON c.model_id = e.child_id
GROUP BY 1, 2
ORDER BY parent_family, child_family;

-- One row: how often a derivative's license differs from its parent's, and how often a
-- derivative of a restricted or non-commercial base declares a permissive license.
CREATE OR REPLACE VIEW license_drift_summary AS
SELECT coalesce(sum(edges), 0) AS edges_with_parent_on_hub,
       coalesce(sum(edges_license_differs), 0) AS edges_license_differs,
       coalesce(round(sum(edges_license_differs) / nullif(sum(edges), 0), 6), 0.0) AS license_differs_share,
       coalesce(sum(edges) FILTER (WHERE parent_family IN ('open-weights-restricted', 'non-commercial')), 0)
           AS edges_from_restricted,
       coalesce(sum(edges) FILTER (WHERE parent_family IN ('open-weights-restricted', 'non-commercial')
                                      AND child_family = 'permissive'), 0) AS edges_restricted_to_permissive,
       coalesce(round(sum(edges) FILTER (WHERE parent_family IN ('open-weights-restricted', 'non-commercial')
                                            AND child_family = 'permissive')
                      / nullif(sum(edges) FILTER (WHERE parent_family IN ('open-weights-restricted', 'non-commercial')), 0), 6), 0.0)
           AS restricted_to_permissive_share
FROM license_drift;

-- License changes observed night to night (model_changes), by old and new value.
CREATE OR REPLACE VIEW license_changes AS
SELECT snapshot_date,
       coalesce(old_value, 'none') AS old_license,
       coalesce(new_value, 'none') AS new_license,
       count(*) AS models
FROM model_changes
WHERE field = 'license'
GROUP BY ALL
ORDER BY snapshot_date, models DESC, old_license, new_license;
