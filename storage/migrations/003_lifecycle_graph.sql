-- hubcensus main database, version 3: datasets and Spaces beside models, and the links
-- between them and to papers (the lifecycle graph). Crawled with the same sweep / refresh /
-- catch-up as models; the repository type is a column of crawl_runs and rejected_records.

-- One row per dataset id ever seen (analysts read the `datasets` view, which adds license_family).
CREATE TABLE hub_datasets (
    dataset_id          VARCHAR NOT NULL,
    internal_id         VARCHAR,          -- the Hub's `_id`
    author              VARCHAR,
    sha                 VARCHAR,
    created_at          TIMESTAMP,
    last_modified       TIMESTAMP,
    private             BOOLEAN,
    disabled            BOOLEAN,
    gated               VARCHAR,          -- 'none' | 'auto' | 'manual'
    license             VARCHAR,          -- first license: tag, else cardData.license (as for models)
    downloads           BIGINT,           -- the Hub's rolling 30-day count, latest snapshot
    downloads_all_time  BIGINT,
    likes               BIGINT,
    trending_score      DOUBLE,
    languages           VARCHAR[],        -- cardData.language
    task_categories     VARCHAR[],        -- cardData.task_categories
    size_category       VARCHAR,          -- the first size_categories: tag
    paperswithcode_id   VARCHAR,
    tags                VARCHAR[],
    first_seen          DATE NOT NULL,
    last_seen           DATE NOT NULL,
    deleted_at          DATE,
    refreshed_on        DATE
);

CREATE TABLE dataset_snapshots (
    snapshot_date       DATE NOT NULL,
    dataset_id          VARCHAR NOT NULL,
    downloads           BIGINT,
    downloads_all_time  BIGINT,
    likes               BIGINT,
    gated               VARCHAR
);

-- One row per Space id ever seen (analysts read the `spaces` view). Spaces have no download counts.
CREATE TABLE hub_spaces (
    space_id            VARCHAR NOT NULL,
    internal_id         VARCHAR,
    author              VARCHAR,
    sha                 VARCHAR,
    created_at          TIMESTAMP,
    last_modified       TIMESTAMP,
    private             BOOLEAN,
    disabled            BOOLEAN,
    sdk                 VARCHAR,          -- gradio | streamlit | docker | static | ...
    runtime_stage       VARCHAR,          -- runtime.stage: RUNNING | SLEEPING | RUNTIME_ERROR | ...
    hardware            VARCHAR,          -- runtime.hardware.current
    license             VARCHAR,
    likes               BIGINT,
    trending_score      DOUBLE,
    models              VARCHAR[],        -- the Space's `models` (what it uses)
    datasets            VARCHAR[],        -- the Space's `datasets`
    tags                VARCHAR[],
    first_seen          DATE NOT NULL,
    last_seen           DATE NOT NULL,
    deleted_at          DATE,
    refreshed_on        DATE
);

CREATE TABLE space_snapshots (
    snapshot_date       DATE NOT NULL,
    space_id            VARCHAR NOT NULL,
    likes               BIGINT,
    runtime_stage       VARCHAR
);

-- The current links of every repository ever seen (links of deleted repositories are kept, as
-- lineage keeps their edges). A link ends when its source no longer declares it: the row goes
-- and repo_link_changes records 'removed' with the night; a new link records 'added'.
--   model   -> dataset  trained_on   from `dataset:<id>` tags (source 'tag') and cardData.datasets ('cardData')
--   space   -> model    uses         from the Space's `models` ('listing')
--   space   -> dataset  uses         from the Space's `datasets` ('listing')
--   model | dataset | space -> paper cites  from `arxiv:<id>` tags ('tag')
-- The target may not be on the Hub (cards declare datasets such as `generator`): the link is
-- kept; the analysis views say whether the target is on the Hub.
CREATE TABLE repo_links (
    source_type         VARCHAR NOT NULL, -- model | dataset | space
    source_id           VARCHAR NOT NULL,
    target_type         VARCHAR NOT NULL, -- dataset | model | paper
    target_id           VARCHAR NOT NULL, -- a repository id, or an arXiv id for papers
    relation            VARCHAR NOT NULL, -- trained_on | uses | cites
    source              VARCHAR NOT NULL, -- tag | cardData | listing
    first_seen          DATE NOT NULL
);

CREATE TABLE repo_link_changes (
    source_type         VARCHAR NOT NULL,
    source_id           VARCHAR NOT NULL,
    target_type         VARCHAR NOT NULL,
    target_id           VARCHAR NOT NULL,
    relation            VARCHAR NOT NULL,
    change              VARCHAR NOT NULL, -- added | removed
    snapshot_date       DATE NOT NULL
);

ALTER TABLE crawl_runs ADD COLUMN repo_type VARCHAR DEFAULT 'models';    -- models | datasets | spaces
ALTER TABLE rejected_records ADD COLUMN repo_type VARCHAR DEFAULT 'models'; -- model_id then holds the repository's id

-- A models database made before this version gains its models' links from what it stored
-- (tags, cardData.datasets), without re-reading a model: the same rules as the parse.
INSERT INTO repo_links
SELECT 'model', model_id, 'dataset', target, 'trained_on', any_value(source ORDER BY precedence),
       any_value(coalesce(refreshed_on, first_seen))
FROM (
    SELECT model_id, substr(t, 9) AS target, 'tag' AS source, 1 AS precedence, refreshed_on, first_seen
    FROM (SELECT model_id, unnest(tags) AS t, refreshed_on, first_seen FROM hub_models)
    WHERE starts_with(t, 'dataset:') AND strlen(t) > 8
    UNION ALL
    SELECT model_id, unnest(datasets), 'cardData', 2, refreshed_on, first_seen FROM hub_models
)
WHERE target <> ''
GROUP BY model_id, target;

INSERT INTO repo_links
SELECT DISTINCT 'model', model_id, 'paper', substr(t, 7), 'cites', 'tag', coalesce(refreshed_on, first_seen)
FROM (SELECT model_id, unnest(tags) AS t, refreshed_on, first_seen FROM hub_models)
WHERE starts_with(t, 'arxiv:') AND strlen(t) > 6;
