-- requires: hub_datasets, hub_spaces, repo_links
-- Questions of the lifecycle graph over the whole Hub: which datasets feed models and how soon,
-- which models Spaces use, which papers the repositories cite, how datasets and Spaces grow,
-- and how long repositories stay alive. Counts are over alive sources (alive_links).

-- Per dataset id (every alive dataset, and every id an alive model declares `trained_on`):
-- models declaring it, and those created within 30 / 90 / 365 days of the dataset's creation
-- ([created_at, created_at + N days], timestamps, both ends included: figure_top_training_datasets'
-- rule). The windows are NULL when the dataset's creation time is unknown (never seen by the
-- crawl, or no createdAt); they are computed for deleted datasets too (the figure shows 0 for
-- those). `spaces`: alive Spaces using the dataset.
CREATE OR REPLACE VIEW dataset_adoption AS
WITH l AS MATERIALIZED (
    SELECT source_id AS model_id, target_id AS dataset_id
    FROM alive_links
    WHERE source_type = 'model' AND target_type = 'dataset' AND relation = 'trained_on'
),
per_dataset AS (
    SELECT l.dataset_id,
           count(*) AS models,
           count(*) FILTER (WHERE m.created_at BETWEEN d.created_at AND d.created_at + INTERVAL 30 DAY) AS within_30,
           count(*) FILTER (WHERE m.created_at BETWEEN d.created_at AND d.created_at + INTERVAL 90 DAY) AS within_90,
           count(*) FILTER (WHERE m.created_at BETWEEN d.created_at AND d.created_at + INTERVAL 365 DAY) AS within_365,
           min(m.created_at) AS first_model_created_at
    FROM l
    JOIN hub_models m USING (model_id)
    LEFT JOIN hub_datasets d USING (dataset_id)
    GROUP BY l.dataset_id
),
used_by_spaces AS (
    SELECT target_id AS dataset_id, count(DISTINCT source_id) AS spaces
    FROM alive_links
    WHERE source_type = 'space' AND target_type = 'dataset' AND relation = 'uses'
    GROUP BY 1
),
candidates AS (
    SELECT dataset_id FROM per_dataset
    UNION
    SELECT dataset_id FROM hub_datasets WHERE deleted_at IS NULL
)
SELECT c.dataset_id,
       d.dataset_id IS NOT NULL AND d.deleted_at IS NULL AS on_hub,
       d.deleted_at,
       d.created_at,
       d.license,
       coalesce(p.models, 0) AS models,
       CASE WHEN d.created_at IS NOT NULL THEN coalesce(p.within_30, 0) END AS models_within_30_days,
       CASE WHEN d.created_at IS NOT NULL THEN coalesce(p.within_90, 0) END AS models_within_90_days,
       CASE WHEN d.created_at IS NOT NULL THEN coalesce(p.within_365, 0) END AS models_within_365_days,
       p.first_model_created_at,
       coalesce(u.spaces, 0) AS spaces
FROM candidates c
LEFT JOIN hub_datasets d USING (dataset_id)
LEFT JOIN per_dataset p USING (dataset_id)
LEFT JOIN used_by_spaces u USING (dataset_id)
ORDER BY models DESC, c.dataset_id;

-- Per model id an alive Space uses (on the Hub or not): the Spaces using it, and how many of
-- them were running at the last refresh (runtime stage RUNNING).
CREATE OR REPLACE VIEW model_spaces AS
SELECT l.target_id AS model_id,
       bool_or(m.model_id IS NOT NULL AND m.deleted_at IS NULL) AS on_hub,
       count(DISTINCT l.source_id) AS spaces,
       count(DISTINCT l.source_id) FILTER (WHERE s.runtime_stage = 'RUNNING') AS spaces_running,
       coalesce(sum(s.likes), 0) AS space_likes
FROM alive_links l
JOIN hub_spaces s ON s.space_id = l.source_id
LEFT JOIN hub_models m ON m.model_id = l.target_id
WHERE l.source_type = 'space' AND l.target_type = 'model' AND l.relation = 'uses'
GROUP BY l.target_id
ORDER BY spaces DESC, model_id;

-- Per arXiv id (as written in the `arxiv:` tag): alive models, datasets and Spaces citing it,
-- their sum, and how many of the three kinds cite it (3: a paper that links a model, a dataset
-- and a Space). Ordered as figure_top_papers.
CREATE OR REPLACE VIEW papers AS
WITH c AS (
    SELECT source_type, source_id, target_id AS arxiv_id
    FROM alive_links
    WHERE target_type = 'paper' AND relation = 'cites'
)
SELECT arxiv_id,
       count(*) FILTER (WHERE source_type = 'model') AS models,
       count(*) FILTER (WHERE source_type = 'dataset') AS datasets,
       count(*) FILTER (WHERE source_type = 'space') AS spaces,
       count(*) AS repositories,
       count(DISTINCT source_type) AS repo_types
FROM c
GROUP BY arxiv_id
ORDER BY repositories DESC, arxiv_id;

-- New repositories per UTC month of createdAt and type, every repository the crawl has seen
-- (deleted ones included, as growth_monthly does for models), with running totals per type.
CREATE OR REPLACE VIEW repository_growth_monthly AS
SELECT repo_type, month, new_repositories, new_repositories_alive,
       sum(new_repositories) OVER (PARTITION BY repo_type ORDER BY month) AS cumulative_repositories,
       sum(new_repositories_alive) OVER (PARTITION BY repo_type ORDER BY month) AS cumulative_repositories_alive
FROM (SELECT repo_type, strftime(created_at, '%Y-%m') AS month,
             count(*) AS new_repositories, count(*) FILTER (WHERE alive) AS new_repositories_alive
      FROM repositories WHERE created_at IS NOT NULL GROUP BY 1, 2)
ORDER BY repo_type, month;

CREATE OR REPLACE VIEW datasets_growth_monthly AS
SELECT month, new_repositories AS new_datasets, new_repositories_alive AS new_datasets_alive,
       cumulative_repositories AS cumulative_datasets, cumulative_repositories_alive AS cumulative_datasets_alive
FROM repository_growth_monthly WHERE repo_type = 'dataset'
ORDER BY month;

CREATE OR REPLACE VIEW spaces_growth_monthly AS
SELECT month, new_repositories AS new_spaces, new_repositories_alive AS new_spaces_alive,
       cumulative_repositories AS cumulative_spaces, cumulative_repositories_alive AS cumulative_spaces_alive
FROM repository_growth_monthly WHERE repo_type = 'space'
ORDER BY month;

-- How long projects stay alive, per repository type and UTC month of creation (`cohort_month`;
-- the row 'all' sums the type). Every repository the crawl has seen with a known createdAt.
--   deleted / deleted_share: deleted since (missing from a complete listing);
--   median_days_to_deletion: whole days from creation to the listing that no longer had it;
--   observed_Nd: created on or before S - N days with a known lastModified (whether a commit
--                came after day N can be told);
--   no_commit_after_Nd (+ _share of observed_Nd): lastModified <= createdAt + N days — the
--                repository's last commit came within its first N days. Deleted repositories
--                count with the last lastModified the crawl saw. The Hub floors createdAt of
--                pre-2022-03-02 repositories, so their lastModified may come before it.
CREATE OR REPLACE VIEW repository_lifespans AS
WITH s AS (SELECT snapshot_date AS s FROM latest_snapshot),
r AS (
    SELECT repo_type, strftime(created_at, '%Y-%m') AS cohort_month, CAST(created_at AS DATE) AS created_day,
           created_at, last_modified, deleted_at, (SELECT s FROM s) AS s
    FROM repositories WHERE created_at IS NOT NULL
),
counts AS (
    SELECT repo_type, coalesce(cohort_month, 'all') AS cohort_month,
           count(*) AS repositories,
           count(*) FILTER (WHERE deleted_at IS NOT NULL) AS deleted,
           median(deleted_at - created_day) AS median_days_to_deletion,
           count(*) FILTER (WHERE created_day <= s - 30 AND last_modified IS NOT NULL) AS observed_30d,
           count(*) FILTER (WHERE created_day <= s - 30 AND last_modified <= created_at + INTERVAL 30 DAY) AS no_commit_after_30d,
           count(*) FILTER (WHERE created_day <= s - 90 AND last_modified IS NOT NULL) AS observed_90d,
           count(*) FILTER (WHERE created_day <= s - 90 AND last_modified <= created_at + INTERVAL 90 DAY) AS no_commit_after_90d,
           count(*) FILTER (WHERE created_day <= s - 365 AND last_modified IS NOT NULL) AS observed_365d,
           count(*) FILTER (WHERE created_day <= s - 365 AND last_modified <= created_at + INTERVAL 365 DAY) AS no_commit_after_365d
    FROM r
    GROUP BY GROUPING SETS ((repo_type, cohort_month), (repo_type))
)
SELECT repo_type, cohort_month, repositories, deleted,
       round(deleted / repositories, 6) AS deleted_share,
       median_days_to_deletion,
       observed_30d, no_commit_after_30d, round(no_commit_after_30d / nullif(observed_30d, 0), 6) AS no_commit_after_30d_share,
       observed_90d, no_commit_after_90d, round(no_commit_after_90d / nullif(observed_90d, 0), 6) AS no_commit_after_90d_share,
       observed_365d, no_commit_after_365d,
       round(no_commit_after_365d / nullif(observed_365d, 0), 6) AS no_commit_after_365d_share
FROM counts
ORDER BY repo_type, cohort_month = 'all', cohort_month;
