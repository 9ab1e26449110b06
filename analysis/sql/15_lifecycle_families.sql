-- requires: hub_datasets, hub_spaces, repo_links
-- A model family's lifecycle: the root, every alive model that descends from it (its
-- derivatives), the data they declare, the Spaces that use them, their languages, licenses and
-- activity. Each question is a table macro over a list of root ids, `..._of(roots)` (what
-- `hubcensus report --family / --cohort` reads, the ids passed as a parameter), and a view over
-- every lineage root (lineage_roots) with the same columns.
--
-- Walk rules are those of descendants_of (02_lineage.sql): edges parent -> child whose child is
-- alive, cycle-safe, a model reached along several paths counted once at its shortest distance.
-- The root is any model id, on the Hub or not (a cohort lists the models a study follows,
-- which need not be lineage roots). Time since release: the root's createdAt; `day` is the
-- number of whole days (24 h) from it, negative for a derivative created before it (the Hub
-- floors old createdAt values); windows [release, release + N days] include both ends.
-- Links are read from repo_links itself (a member's links by its id, a hash join on the few
-- family members rather than the `links` view over every repository): the walk admits only
-- alive derivatives, and a Space counts when it is alive.

-- Root and derivatives: (root_id, model_id, distance), the root itself at distance 0.
CREATE OR REPLACE MACRO family_members_of(roots) AS TABLE
WITH RECURSIVE walk(root_id, model_id, distance) USING KEY (root_id, model_id) AS (
    SELECT r, r, 0 FROM (SELECT DISTINCT unnest(roots) AS r) WHERE r IS NOT NULL
    UNION
    SELECT w.root_id, e.child_id, w.distance + 1
    FROM walk w JOIN alive_lineage e ON e.parent_id = w.model_id
    WHERE NOT EXISTS (SELECT 1 FROM recurring.walk seen WHERE seen.root_id = w.root_id AND seen.model_id = e.child_id)
)
SELECT root_id, model_id, distance FROM walk;

-- Every member with what the family questions read: the relations of its edges from other
-- members (a merge of two members may have two), its model row, the root's release time and
-- license, its day since release and whether its license differs from the root's (NULL when
-- the root is not on the Hub: no license to compare).
CREATE OR REPLACE MACRO family_models_of(roots) AS TABLE
WITH fm AS MATERIALIZED (SELECT * FROM family_members_of(roots)),
relations AS (   -- members other than the root are alive: lineage's own rows, relations read as alive_lineage does
    SELECT c.root_id, c.model_id,
           list(DISTINCT CASE WHEN e.relation IN ('finetune', 'adapter', 'quantized', 'merge') THEN e.relation
                              ELSE 'unknown' END ORDER BY 1) AS relations
    FROM fm c
    JOIN lineage e ON e.child_id = c.model_id AND e.parent_id <> e.child_id
    JOIN fm p ON p.root_id = c.root_id AND p.model_id = e.parent_id
    WHERE c.distance > 0
    GROUP BY c.root_id, c.model_id
)
SELECT fm.root_id, fm.model_id, fm.distance, fm.distance = 0 AS is_root,
       coalesce(r.relations, []) AS relations,
       m.model_id IS NOT NULL AS on_hub, m.deleted_at IS NULL AND m.model_id IS NOT NULL AS alive,
       m.created_at, m.last_modified, coalesce(m.license, 'none') AS license,
       coalesce(m.license_family, 'none') AS license_family, coalesce(m.gated, 'none') AS gated,
       m.downloads, m.likes, coalesce(list_distinct(m.languages), []) AS languages,
       root.created_at AS root_created_at,
       CAST(floor(epoch(m.created_at - root.created_at) / 86400) AS BIGINT) AS day,
       CASE WHEN fm.distance = 0 OR root.model_id IS NULL THEN NULL
            ELSE coalesce(m.license, 'none') <> coalesce(root.license, 'none') END AS license_differs
FROM fm
LEFT JOIN relations r USING (root_id, model_id)
LEFT JOIN models m ON m.model_id = fm.model_id
LEFT JOIN models root ON root.model_id = fm.root_id;

-- Datasets the family declares (`trained_on`): by the root (its pre-training data, as its card
-- states it; also when the root has been deleted since) and by its derivatives (post-training
-- data), with whether the dataset is on the Hub.
CREATE OR REPLACE MACRO family_training_data_of(roots) AS TABLE
WITH fm AS MATERIALIZED (SELECT root_id, model_id, distance FROM family_members_of(roots)),
declared AS (
    SELECT fm.root_id, fm.model_id, fm.distance, l.target_id AS dataset_id
    FROM fm JOIN repo_links l ON l.source_type = 'model' AND l.source_id = fm.model_id AND l.target_type = 'dataset'
                             AND l.relation = 'trained_on' AND l.target_id <> ''
)
SELECT x.root_id, x.dataset_id,
       bool_or(x.distance = 0) AS declared_by_root,
       count(DISTINCT x.model_id) FILTER (WHERE x.distance > 0) AS derivatives,
       any_value(d.dataset_id IS NOT NULL AND d.deleted_at IS NULL) AS on_hub,
       any_value(d.created_at) AS dataset_created_at,
       any_value(d.license) AS dataset_license
FROM declared x
LEFT JOIN hub_datasets d USING (dataset_id)
GROUP BY x.root_id, x.dataset_id
ORDER BY x.root_id, declared_by_root DESC, derivatives DESC, x.dataset_id;

-- Derivatives by day since the root's release: new ones that day in total and per relation
-- (a derivative linked under two relations counts in both), and running totals. Only days
-- with a new derivative; derivatives without a known day (root not on the Hub) are left out.
CREATE OR REPLACE MACRO family_derivatives_by_day_of(roots) AS TABLE
WITH per_day AS (
    SELECT root_id, day,
           count(*) AS new_derivatives,
           count_if(list_contains(relations, 'finetune')) AS finetune,
           count_if(list_contains(relations, 'adapter')) AS adapter,
           count_if(list_contains(relations, 'quantized')) AS quantized,
           count_if(list_contains(relations, 'merge')) AS merge,
           count_if(list_contains(relations, 'unknown')) AS "unknown"
    FROM family_models_of(roots)
    WHERE NOT is_root AND day IS NOT NULL
    GROUP BY root_id, day
)
SELECT root_id, day, new_derivatives, finetune, adapter, quantized, merge, "unknown",
       sum(new_derivatives) OVER w AS cumulative_derivatives,
       sum(finetune) OVER w AS cumulative_finetune,
       sum(adapter) OVER w AS cumulative_adapter,
       sum(quantized) OVER w AS cumulative_quantized,
       sum(merge) OVER w AS cumulative_merge,
       sum("unknown") OVER w AS cumulative_unknown
FROM per_day
WINDOW w AS (PARTITION BY root_id ORDER BY day)
ORDER BY root_id, day;

-- Languages the derivatives declare: derivatives per language, the first one's day since
-- release, and how many came within 365 days of the release.
CREATE OR REPLACE MACRO family_languages_of(roots) AS TABLE
SELECT root_id, language,
       count(*) AS derivatives,
       min(day) AS first_day,
       count(*) FILTER (WHERE created_at BETWEEN root_created_at AND root_created_at + INTERVAL 365 DAY)
           AS derivatives_within_365_days
FROM (SELECT root_id, unnest(languages) AS language, day, created_at, root_created_at
      FROM family_models_of(roots) WHERE NOT is_root)
GROUP BY root_id, language
ORDER BY root_id, derivatives DESC, language;

-- Alive Spaces that use a member of the family (`uses`): the members each one uses, whether
-- the root is among them, and the Space's likes, SDK and runtime stage at the last refresh.
CREATE OR REPLACE MACRO family_spaces_of(roots) AS TABLE
WITH fm AS MATERIALIZED (SELECT root_id, model_id, distance FROM family_members_of(roots))
SELECT fm.root_id, l.source_id AS space_id,
       list(DISTINCT fm.model_id ORDER BY fm.model_id) AS models_used,
       bool_or(fm.distance = 0) AS uses_root,
       any_value(s.likes) AS likes, any_value(s.sdk) AS sdk, any_value(s.runtime_stage) AS runtime_stage,
       any_value(s.created_at) AS created_at
FROM fm
JOIN repo_links l ON l.target_type = 'model' AND l.target_id = fm.model_id
                 AND l.source_type = 'space' AND l.relation = 'uses'
JOIN hub_spaces s ON s.space_id = l.source_id AND s.deleted_at IS NULL
GROUP BY fm.root_id, l.source_id
ORDER BY fm.root_id, likes DESC NULLS LAST, space_id;

-- The derivatives' licenses against the root's: derivatives and direct children per license,
-- and whether it differs from the root's (NULL when the root is not on the Hub).
CREATE OR REPLACE MACRO family_license_drift_of(roots) AS TABLE
SELECT root_id, license, any_value(license_family) AS license_family,
       count(*) AS derivatives,
       count(*) FILTER (WHERE distance = 1) AS direct_children,
       any_value(license_differs) AS differs_from_root
FROM family_models_of(roots)
WHERE NOT is_root
GROUP BY root_id, license
ORDER BY root_id, derivatives DESC, license;

-- The family's activity per UTC month, every month from the first event (the release, a
-- derivative's creation, a member's last commit) to the month of S: derivatives created, alive
-- members (root included) whose last commit (lastModified) fell in that month, and `release`
-- (the root's month).
CREATE OR REPLACE MACRO family_activity_of(roots) AS TABLE
WITH fm AS MATERIALIZED (SELECT * FROM family_models_of(roots)),
events AS MATERIALIZED (
    SELECT root_id, CAST(date_trunc('month', created_at) AS DATE) AS month, 1 AS new_derivative, 0 AS last_commit
    FROM fm WHERE NOT is_root AND created_at IS NOT NULL
    UNION ALL
    SELECT root_id, CAST(date_trunc('month', last_modified) AS DATE), 0, 1
    FROM fm WHERE alive AND last_modified IS NOT NULL
),
releases AS MATERIALIZED (
    SELECT DISTINCT root_id, CAST(date_trunc('month', root_created_at) AS DATE) AS month
    FROM fm WHERE root_created_at IS NOT NULL
),
spans AS (
    SELECT root_id, min(month) AS first_month,
           greatest(max(month), coalesce(CAST(date_trunc('month', (SELECT snapshot_date FROM latest_snapshot)) AS DATE),
                                         max(month))) AS last_month
    FROM (SELECT root_id, month FROM events UNION ALL SELECT root_id, month FROM releases)
    GROUP BY root_id
),
months AS (
    SELECT root_id, CAST(unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH)) AS DATE) AS month FROM spans
)
SELECT m.root_id, strftime(m.month, '%Y-%m') AS month,
       coalesce(sum(e.new_derivative), 0) AS new_derivatives,
       coalesce(sum(e.last_commit), 0) AS last_commits,
       bool_or(r.month IS NOT NULL) AS release
FROM months m
LEFT JOIN releases r ON r.root_id = m.root_id AND r.month = m.month
LEFT JOIN events e ON e.root_id = m.root_id AND e.month = m.month
GROUP BY m.root_id, m.month
ORDER BY m.root_id, m.month;

-- One row per root: the release (createdAt, license, gating, counts), its derivatives (in
-- total, per relation, within 30 / 90 / 365 days of the release, generations, languages), the
-- data declared, the Spaces using the family, the papers it cites, license drift, and
-- activity (members whose last commit is in the 30 / 90 days up to S, 30-day downloads).
CREATE OR REPLACE MACRO family_summary_of(roots) AS TABLE
WITH s AS (SELECT snapshot_date AS s FROM latest_snapshot),
fm AS MATERIALIZED (SELECT * FROM family_models_of(roots)),
root AS (
    SELECT fm.root_id, m.model_id IS NOT NULL AS on_hub, m.model_id IS NOT NULL AND m.deleted_at IS NULL AS alive,
           m.deleted_at, m.created_at, m.last_modified, m.license, m.license_family, coalesce(m.gated, 'none') AS gated,
           m.pipeline_tag, m.library_name, m.downloads, m.downloads_all_time, m.likes,
           coalesce(list_distinct(m.languages), []) AS languages
    FROM fm LEFT JOIN models m ON m.model_id = fm.root_id
    WHERE fm.is_root
),
derived AS (
    SELECT root_id,
           count(*) AS derivatives,
           count(*) FILTER (WHERE distance = 1) AS direct,
           max(distance) AS generations,
           count_if(list_contains(relations, 'finetune')) AS finetune,
           count_if(list_contains(relations, 'adapter')) AS adapter,
           count_if(list_contains(relations, 'quantized')) AS quantized,
           count_if(list_contains(relations, 'merge')) AS merge,
           count_if(list_contains(relations, 'unknown')) AS "unknown",
           count(*) FILTER (WHERE created_at BETWEEN root_created_at AND root_created_at + INTERVAL 30 DAY) AS within_30,
           count(*) FILTER (WHERE created_at BETWEEN root_created_at AND root_created_at + INTERVAL 90 DAY) AS within_90,
           count(*) FILTER (WHERE created_at BETWEEN root_created_at AND root_created_at + INTERVAL 365 DAY) AS within_365,
           min(created_at) AS first_derivative_at,
           max(created_at) AS latest_derivative_at,
           count_if(license_differs) AS license_differs,
           count_if(license_differs AND distance = 1) AS direct_license_differs
    FROM fm WHERE NOT is_root
    GROUP BY root_id
),
langs AS (
    SELECT root_id, count(DISTINCT language) AS languages
    FROM (SELECT root_id, unnest(languages) AS language FROM fm WHERE NOT is_root)
    GROUP BY root_id
),
per_model AS (
    SELECT root_id,
           coalesce(sum(downloads) FILTER (WHERE alive), 0) AS family_downloads,
           coalesce(sum(downloads) FILTER (WHERE NOT is_root), 0) AS derivatives_downloads,
           count(*) FILTER (WHERE alive AND CAST(last_modified AS DATE) > (SELECT s FROM s) - 30
                                        AND CAST(last_modified AS DATE) <= (SELECT s FROM s)) AS members_modified_last_30d,
           count(*) FILTER (WHERE alive AND CAST(last_modified AS DATE) > (SELECT s FROM s) - 90
                                        AND CAST(last_modified AS DATE) <= (SELECT s FROM s)) AS members_modified_last_90d
    FROM fm GROUP BY root_id
),
data AS (
    SELECT fm.root_id,
           count(DISTINCT l.target_id) FILTER (WHERE fm.is_root) AS datasets_declared,
           count(DISTINCT l.target_id) FILTER (WHERE fm.is_root AND d.deleted_at IS NULL AND d.dataset_id IS NOT NULL)
               AS datasets_declared_on_hub,
           count(DISTINCT l.target_id) FILTER (WHERE NOT fm.is_root) AS post_training_datasets,
           count(DISTINCT fm.model_id) FILTER (WHERE NOT fm.is_root) AS derivatives_with_training_data
    FROM fm
    JOIN repo_links l ON l.source_type = 'model' AND l.source_id = fm.model_id AND l.target_type = 'dataset'
                     AND l.relation = 'trained_on' AND l.target_id <> ''
    LEFT JOIN hub_datasets d ON d.dataset_id = l.target_id
    GROUP BY fm.root_id
),
used AS (
    SELECT fm.root_id, count(DISTINCT l.source_id) AS spaces,
           count(DISTINCT l.source_id) FILTER (WHERE fm.is_root) AS spaces_using_root
    FROM fm
    JOIN repo_links l ON l.target_type = 'model' AND l.target_id = fm.model_id
                     AND l.source_type = 'space' AND l.relation = 'uses'
    JOIN hub_spaces s ON s.space_id = l.source_id AND s.deleted_at IS NULL
    GROUP BY fm.root_id
),
cited AS (
    SELECT fm.root_id,
           list(DISTINCT l.target_id ORDER BY l.target_id) FILTER (WHERE fm.is_root) AS root_papers,
           count(DISTINCT l.target_id) AS family_papers
    FROM fm JOIN repo_links l ON l.source_type = 'model' AND l.source_id = fm.model_id AND l.target_type = 'paper'
                             AND l.relation = 'cites' AND l.target_id <> ''
    GROUP BY fm.root_id
)
SELECT r.root_id, r.on_hub, r.alive, r.deleted_at, r.created_at, r.last_modified,
       coalesce(r.license, 'none') AS license, coalesce(r.license_family, 'none') AS license_family, r.gated,
       r.pipeline_tag, r.library_name, r.downloads, r.downloads_all_time, r.likes, r.languages,
       CASE WHEN r.created_at IS NOT NULL THEN (SELECT s FROM s) - CAST(r.created_at AS DATE) END AS days_since_release,
       coalesce(d.derivatives, 0) AS derivatives, coalesce(d.direct, 0) AS direct,
       coalesce(d.generations, 0) AS generations,
       coalesce(d.finetune, 0) AS finetune, coalesce(d.adapter, 0) AS adapter, coalesce(d.quantized, 0) AS quantized,
       coalesce(d.merge, 0) AS merge, coalesce(d."unknown", 0) AS "unknown",
       CASE WHEN r.created_at IS NOT NULL THEN coalesce(d.within_30, 0) END AS derivatives_within_30_days,
       CASE WHEN r.created_at IS NOT NULL THEN coalesce(d.within_90, 0) END AS derivatives_within_90_days,
       CASE WHEN r.created_at IS NOT NULL THEN coalesce(d.within_365, 0) END AS derivatives_within_365_days,
       d.first_derivative_at, d.latest_derivative_at,
       coalesce(g.languages, 0) AS derivative_languages,
       coalesce(t.datasets_declared, 0) AS datasets_declared,
       coalesce(t.datasets_declared_on_hub, 0) AS datasets_declared_on_hub,
       coalesce(t.post_training_datasets, 0) AS post_training_datasets,
       coalesce(t.derivatives_with_training_data, 0) AS derivatives_with_training_data,
       coalesce(u.spaces, 0) AS spaces, coalesce(u.spaces_using_root, 0) AS spaces_using_root,
       coalesce(c.root_papers, []) AS root_papers, coalesce(c.family_papers, 0) AS family_papers,
       CASE WHEN r.on_hub THEN coalesce(d.license_differs, 0) END AS derivatives_license_differs,
       CASE WHEN r.on_hub THEN coalesce(d.direct_license_differs, 0) END AS direct_license_differs,
       p.family_downloads, p.derivatives_downloads, p.members_modified_last_30d, p.members_modified_last_90d
FROM root r
LEFT JOIN derived d USING (root_id)
LEFT JOIN langs g USING (root_id)
LEFT JOIN per_model p USING (root_id)
LEFT JOIN data t USING (root_id)
LEFT JOIN used u USING (root_id)
LEFT JOIN cited c USING (root_id)
ORDER BY r.root_id;

-- The same questions for every lineage root (a model with alive children that is not itself
-- an alive child: lineage_roots).
CREATE OR REPLACE VIEW family_members AS
SELECT * FROM family_members_of((SELECT list(model_id ORDER BY model_id) FROM lineage_roots));

CREATE OR REPLACE VIEW family_training_data AS
SELECT * FROM family_training_data_of((SELECT list(model_id ORDER BY model_id) FROM lineage_roots));

CREATE OR REPLACE VIEW family_derivatives_by_day AS
SELECT * FROM family_derivatives_by_day_of((SELECT list(model_id ORDER BY model_id) FROM lineage_roots));

CREATE OR REPLACE VIEW family_languages AS
SELECT * FROM family_languages_of((SELECT list(model_id ORDER BY model_id) FROM lineage_roots));

CREATE OR REPLACE VIEW family_spaces AS
SELECT * FROM family_spaces_of((SELECT list(model_id ORDER BY model_id) FROM lineage_roots));

CREATE OR REPLACE VIEW family_license_drift AS
SELECT * FROM family_license_drift_of((SELECT list(model_id ORDER BY model_id) FROM lineage_roots));

CREATE OR REPLACE VIEW family_activity AS
SELECT * FROM family_activity_of((SELECT list(model_id ORDER BY model_id) FROM lineage_roots));

CREATE OR REPLACE VIEW family_summary AS
SELECT * FROM family_summary_of((SELECT list(model_id ORDER BY model_id) FROM lineage_roots));
