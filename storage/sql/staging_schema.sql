-- The staging file beside the main DB: the night in progress. Holds the run state (so a
-- killed crawl resumes from the last committed cursor) and the staged rows of every page.
-- A page is committed as its NDJSON record files + its cursor + what it could not store;
-- batches of record files are then parsed into stage_rows in their own transactions
-- (normalized_pages / normalized_chunks say how far that got).
-- The stage tables of parsed rows (one per repository type: storage/repos.py), stage_links and
-- stage_edges take their columns from the parse's page_rows / page_links / page_edges (made by
-- storage.staging when it opens the file). Plans are named by their key, e.g. 'models/sweep'.

CREATE TABLE IF NOT EXISTS night (
    night_id        VARCHAR NOT NULL,
    plans           VARCHAR[] NOT NULL, -- as asked for: sweep, refresh, full
    repo_types      VARCHAR[] NOT NULL, -- models, datasets, spaces
    endpoint        VARCHAR,          -- never the token, never a user:password
    snapshot_date   DATE,             -- from the first response's Date header unless given
    started_at      TIMESTAMP NOT NULL
);

-- Per repository type: what the night read from the main file before it began.
CREATE TABLE IF NOT EXISTS night_repos (
    repo_type       VARCHAR NOT NULL,
    prev_watermark  TIMESTAMP,        -- the last complete refresh's watermark (NULL: the type's first night)
    alive_estimate  BIGINT            -- alive repositories after the last night (for an ETA)
);

CREATE TABLE IF NOT EXISTS plan_state (
    plan            VARCHAR NOT NULL,
    status          VARCHAR NOT NULL, -- pending | running | complete
    next_url        VARCHAR,          -- the cursor: the next page to fetch (NULL: from the start)
    pages           BIGINT NOT NULL DEFAULT 0, -- pages committed (their files are in the spool dir)
    normalized_pages BIGINT NOT NULL DEFAULT 0, -- pages whose every record file is parsed into stage_rows
    normalized_chunks BIGINT NOT NULL DEFAULT 0, -- record files of page normalized_pages + 1 parsed already
    parse_attempts  BIGINT NOT NULL DEFAULT 0, -- parses of the next batch started and not finished (crashes)
    records         BIGINT NOT NULL DEFAULT 0, -- elements listed (stored + rejected whole)
    models          BIGINT NOT NULL DEFAULT 0, -- records staged
    rejected        BIGINT NOT NULL DEFAULT 0, -- records rejected whole (docs/ingest.md)
    dropped         BIGINT NOT NULL DEFAULT 0, -- values dropped from stored records
    lost_pages      BIGINT NOT NULL DEFAULT 0, -- pages unreadable through every retry
    requests        BIGINT NOT NULL DEFAULT 0, -- incl. retries and failed GETs
    retries         BIGINT NOT NULL DEFAULT 0,
    bytes           BIGINT NOT NULL DEFAULT 0,
    seconds         DOUBLE NOT NULL DEFAULT 0,
    watermark       TIMESTAMP,
    started_at      TIMESTAMP,
    finished_at     TIMESTAMP
);

-- One row per committed page: what the parse needs to read its files.
CREATE TABLE IF NOT EXISTS stage_pages (
    plan            VARCHAR NOT NULL,
    page_no         BIGINT NOT NULL,
    server_time     TIMESTAMP,        -- the response's Date (UTC): bounds trusted times
    files           INTEGER NOT NULL, -- record files <page_no>.<0..files-1>.ndjson
    largest_record  BIGINT NOT NULL,  -- bytes (the parse sizes its read buffers by it)
    records         BIGINT NOT NULL
);

-- What the night could not store (docs/ingest.md); merged into rejected_records.
CREATE TABLE IF NOT EXISTS stage_rejected (
    plan            VARCHAR NOT NULL,
    page_no         BIGINT NOT NULL,
    model_id        VARCHAR,          -- NULL when the record had no usable id (or a whole page)
    field           VARCHAR,          -- NULL: the whole record (or page)
    reason          VARCHAR NOT NULL,
    sample          VARCHAR
);

-- The night's catch-up lists, one per catch-up plan: fetched in seq order; the plan's cursor
-- ("ids:<next seq>") says how far.
CREATE TABLE IF NOT EXISTS catchup_ids (
    plan            VARCHAR NOT NULL,
    seq             BIGINT NOT NULL,
    repo_id         VARCHAR NOT NULL
);
