-- hubcensus main database, version 1.
-- Timestamps are UTC (TIMESTAMP without zone, documented as UTC). Dates are UTC dates.
-- No PRIMARY KEY constraints on the big tables: DuckDB keeps an ART index per key in memory,
-- which would grow with the Hub; uniqueness is enforced by the merge (QUALIFY/anti-joins) and
-- checked by tests instead.

-- One row per model id ever seen. Analysts read it through the `models` view (analysis/),
-- which adds `license_family` from the license taxonomy, so a taxonomy fix applies to history.
CREATE TABLE hub_models (
    model_id            VARCHAR NOT NULL,
    internal_id         VARCHAR,          -- the Hub's `_id`
    author              VARCHAR,
    sha                 VARCHAR,
    created_at          TIMESTAMP,
    last_modified       TIMESTAMP,
    private             BOOLEAN,
    disabled            BOOLEAN,
    gated               VARCHAR,          -- 'none' | 'auto' | 'manual'
    pipeline_tag        VARCHAR,
    library_name        VARCHAR,
    license             VARCHAR,          -- NULL when the model declares none
    license_name        VARCHAR,          -- cardData.license_name (for license 'other')
    license_link        VARCHAR,          -- cardData.license_link
    downloads           BIGINT,           -- the Hub's rolling 30-day count, latest snapshot
    downloads_all_time  BIGINT,
    likes               BIGINT,
    trending_score      DOUBLE,           -- as of the last refresh (the nightly sweep does not read it)
    params              BIGINT,           -- safetensors.total
    languages           VARCHAR[],
    datasets            VARCHAR[],
    tags                VARCHAR[],
    base_models         VARCHAR[],        -- parent ids, sorted, distinct
    siblings_count      INTEGER,
    weight_formats      VARCHAR[],        -- e.g. ['safetensors','gguf'] from sibling file names
    hub_children_count  STRUCT(finetune BIGINT, adapter BIGINT, quantized BIGINT, merge BIGINT),
                                          -- the Hub's own childrenModelCount, where cross-checked
    first_seen          DATE NOT NULL,
    last_seen           DATE NOT NULL,
    deleted_at          DATE,             -- set when a complete sweep no longer lists it
    refreshed_on        DATE              -- last snapshot_date whose refresh fetched heavy fields
);

CREATE TABLE model_snapshots (
    snapshot_date       DATE NOT NULL,
    model_id            VARCHAR NOT NULL,
    downloads           BIGINT,
    downloads_all_time  BIGINT,
    likes               BIGINT,
    gated               VARCHAR
);

-- Current base-model edges of every model ever seen (edges of deleted models are kept).
CREATE TABLE lineage (
    child_id            VARCHAR NOT NULL,
    parent_id           VARCHAR NOT NULL,
    relation            VARCHAR NOT NULL, -- finetune | adapter | quantized | merge | unknown
    source              VARCHAR NOT NULL, -- baseModels | tag | cardData
    first_seen          DATE NOT NULL
);

CREATE TABLE model_changes (
    model_id            VARCHAR NOT NULL,
    field               VARCHAR NOT NULL, -- license | gated | base_models | pipeline_tag | library_name
    old_value           VARCHAR,
    new_value           VARCHAR,
    snapshot_date       DATE NOT NULL
);

CREATE SEQUENCE crawl_run_ids START 1;

CREATE TABLE crawl_runs (
    run_id              BIGINT NOT NULL,
    night_id            VARCHAR,          -- groups the sweep and refresh of one night
    plan                VARCHAR NOT NULL, -- sweep | refresh | full (a first night: both in one heavy pass)
    status              VARCHAR NOT NULL, -- complete | failed | partial
    snapshot_date       DATE NOT NULL,
    started_at          TIMESTAMP,
    finished_at         TIMESTAMP,
    pages               BIGINT,
    models_seen         BIGINT,
    requests            BIGINT,
    retries             BIGINT,
    bytes               BIGINT,           -- bytes received on the wire (compressed)
    skipped_records     BIGINT,           -- malformed records skipped with a warning
    watermark           TIMESTAMP,        -- refresh: greatest lastModified listed at its start
    endpoint            VARCHAR,          -- never the token
    error               VARCHAR
);
