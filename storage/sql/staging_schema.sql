-- The staging file beside the main DB: the night in progress. Holds the run state (so a
-- killed crawl resumes from the last committed cursor) and the staged rows of every page.
-- A page is committed as a spooled file + its cursor; batches of pages are then parsed into
-- stage_rows in their own transactions (normalized_pages says how far that got).
-- stage_rows / stage_edges take their columns from the crawler's page_rows / page_edges.

CREATE TABLE IF NOT EXISTS night (
    night_id        VARCHAR NOT NULL,
    plans           VARCHAR[] NOT NULL,
    endpoint        VARCHAR,          -- never the token
    snapshot_date   DATE,             -- from the first response's Date header unless given
    prev_watermark  TIMESTAMP,        -- the last complete refresh's watermark (NULL: refresh all)
    alive_estimate  BIGINT,           -- alive models after the last night (for an ETA)
    started_at      TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS plan_state (
    plan            VARCHAR NOT NULL,
    status          VARCHAR NOT NULL, -- pending | running | complete
    next_url        VARCHAR,          -- the cursor: the next page to fetch (NULL: from the start)
    pages           BIGINT NOT NULL DEFAULT 0, -- pages committed (their files are in the spool dir)
    normalized_pages BIGINT NOT NULL DEFAULT 0, -- pages already parsed into stage_rows (files gone)
    records         BIGINT NOT NULL DEFAULT 0, -- records listed (counted by the fetcher)
    models          BIGINT NOT NULL DEFAULT 0, -- valid records staged
    skipped         BIGINT NOT NULL DEFAULT 0,
    requests        BIGINT NOT NULL DEFAULT 0,
    retries         BIGINT NOT NULL DEFAULT 0,
    bytes           BIGINT NOT NULL DEFAULT 0,
    seconds         DOUBLE NOT NULL DEFAULT 0,
    watermark       TIMESTAMP,
    started_at      TIMESTAMP,
    finished_at     TIMESTAMP
);

CREATE TABLE IF NOT EXISTS stage_rows AS
SELECT CAST(NULL AS VARCHAR) AS plan, * EXCLUDE (skip_reason) FROM page_rows LIMIT 0;

CREATE TABLE IF NOT EXISTS stage_skipped (
    plan            VARCHAR NOT NULL,
    page_no         BIGINT NOT NULL,
    model_id        VARCHAR,          -- NULL when the record had no usable id
    reason          VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS stage_edges AS
SELECT * FROM page_edges LIMIT 0;

-- The night's catch-up list (crawler.plans.CATCHUP): fetched in seq order; the plan's cursor
-- ("ids:<next seq>") says how far.
CREATE TABLE IF NOT EXISTS catchup_ids (
    seq             BIGINT NOT NULL,
    model_id        VARCHAR NOT NULL
);
