-- requires: hub_datasets, hub_spaces, repo_links
-- The eight figures of the lifecycle graph (docs/figures.md: datasets_total ... top_models_by_spaces),
-- one view per JSON key. analysis/lifecycle.py only turns their rows into the object.
-- Every count is over alive sources (alive_links); a target counts whether or not it is on the Hub.

CREATE OR REPLACE VIEW figure_datasets_total AS
SELECT count(*) AS datasets_total FROM hub_datasets WHERE deleted_at IS NULL;

CREATE OR REPLACE VIEW figure_spaces_total AS
SELECT count(*) AS spaces_total FROM hub_spaces WHERE deleted_at IS NULL;

CREATE OR REPLACE VIEW figure_models_with_training_data AS
SELECT count(DISTINCT source_id) AS models_with_training_data
FROM alive_links
WHERE source_type = 'model' AND target_type = 'dataset' AND relation = 'trained_on';

CREATE OR REPLACE VIEW figure_models_with_papers AS
SELECT count(DISTINCT source_id) AS models_with_papers
FROM alive_links
WHERE source_type = 'model' AND target_type = 'paper' AND relation = 'cites';

CREATE OR REPLACE VIEW figure_spaces_with_models AS
SELECT count(DISTINCT source_id) AS spaces_with_models
FROM alive_links
WHERE source_type = 'space' AND target_type = 'model' AND relation = 'uses';

-- Top 20 datasets by alive models declaring them (ties by id). models_within_90_days: models
-- created in [the dataset's created_at, created_at + 90 days], both ends included, compared as
-- timestamps; 0 when the dataset is not on the Hub (never seen, or deleted) or a time is unknown.
CREATE OR REPLACE VIEW figure_top_training_datasets AS
WITH top AS MATERIALIZED (
    SELECT t.dataset_id, t.models,
           d.dataset_id IS NOT NULL AND d.deleted_at IS NULL AS on_hub, d.created_at
    FROM (SELECT target_id AS dataset_id, count(*) AS models
          FROM alive_links
          WHERE source_type = 'model' AND target_type = 'dataset' AND relation = 'trained_on'
          GROUP BY target_id
          ORDER BY models DESC, dataset_id LIMIT 20) t
    LEFT JOIN hub_datasets d USING (dataset_id)
),
within AS (   -- the links of the 20 only, read again: cheaper than keeping all 1M of them
    SELECT l.target_id AS dataset_id, count(*) AS models_within_90_days
    FROM alive_links l
    JOIN top t ON t.dataset_id = l.target_id AND t.on_hub
    JOIN hub_models m ON m.model_id = l.source_id
    WHERE l.source_type = 'model' AND l.target_type = 'dataset' AND l.relation = 'trained_on'
      AND m.created_at BETWEEN t.created_at AND t.created_at + INTERVAL 90 DAY
    GROUP BY l.target_id
)
SELECT t.dataset_id, t.models, coalesce(w.models_within_90_days, 0) AS models_within_90_days, t.on_hub
FROM top t
LEFT JOIN within w USING (dataset_id)
ORDER BY t.models DESC, t.dataset_id;

-- Top 20 arXiv ids by alive models + datasets + Spaces citing them (ties by id, as written).
CREATE OR REPLACE VIEW figure_top_papers AS
WITH c AS (
    SELECT source_type, source_id, target_id AS arxiv_id
    FROM alive_links
    WHERE target_type = 'paper' AND relation = 'cites'
)
SELECT arxiv_id,
       count(*) FILTER (WHERE source_type = 'model') AS models,
       count(*) FILTER (WHERE source_type = 'dataset') AS datasets,
       count(*) FILTER (WHERE source_type = 'space') AS spaces
FROM c
GROUP BY arxiv_id
ORDER BY count(*) DESC, arxiv_id
LIMIT 20;

-- Top 20 model ids by alive Spaces using them (the model may be missing from the Hub). A Space
-- uses a model at most once (alive_links: one row per link).
CREATE OR REPLACE VIEW figure_top_models_by_spaces AS
SELECT target_id AS model_id, count(*) AS spaces
FROM alive_links
WHERE source_type = 'space' AND target_type = 'model' AND relation = 'uses'
GROUP BY target_id
ORDER BY spaces DESC, model_id
LIMIT 20;
