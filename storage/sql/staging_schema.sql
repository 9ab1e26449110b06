-- The staging file beside the main DB: the night in progress. Holds the run state (so a
-- killed crawl resumes from the last committed cursor); the staged rows are Parquet files in
-- the spool directory (storage/staging.py). A page is committed as its NDJSON record files +
-- one stage_pages row (its cursor and costs) + what it could not store; batches of record
-- files are then parsed in their own transactions (plans.normalized_pages / normalized_chunks
-- say how far that got).
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

-- Per plan, what is not a page: how far the parse got and what it found, and what GETs that
-- gave up cost. The pages themselves are stage_pages; plan_state (below) adds them up.
CREATE TABLE IF NOT EXISTS plans (
    plan            VARCHAR NOT NULL PRIMARY KEY,
    normalized_pages BIGINT NOT NULL DEFAULT 0, -- pages whose every record file is parsed
    normalized_chunks BIGINT NOT NULL DEFAULT 0, -- record files of page normalized_pages + 1 parsed already
    parse_attempts  BIGINT NOT NULL DEFAULT 0, -- parses of the next batch started and not finished (crashes)
    models          BIGINT NOT NULL DEFAULT 0, -- records staged
    parse_rejected  BIGINT NOT NULL DEFAULT 0, -- records the parse rejected whole (docs/ingest.md)
    dropped         BIGINT NOT NULL DEFAULT 0, -- values dropped from stored records
    failed_requests BIGINT NOT NULL DEFAULT 0, -- GETs that gave up (their page is not committed)
    failed_retries  BIGINT NOT NULL DEFAULT 0,
    failed_bytes    BIGINT NOT NULL DEFAULT 0,
    failed_at       TIMESTAMP          -- the first of them
);

-- One row per committed page, written by ONE autocommitted INSERT (with its rejections, when it
-- has any, in the same transaction): the page's record files, its cursor and its costs. A
-- plan's cursor is its last page's next_url.
CREATE TABLE IF NOT EXISTS stage_pages (
    plan            VARCHAR NOT NULL,
    page_no         BIGINT NOT NULL,
    server_time     TIMESTAMP,        -- the response's Date (UTC): bounds trusted times
    files           INTEGER NOT NULL, -- record files <page_no>.<0..files-1>.ndjson
    largest_record  BIGINT NOT NULL,  -- bytes (the parse sizes its read buffers by it)
    records         BIGINT NOT NULL,  -- records in the files
    elements        BIGINT NOT NULL,  -- elements listed (stored + rejected whole by the crawler)
    rejected        BIGINT NOT NULL,  -- rejected whole by the crawler
    lost            BIGINT NOT NULL,  -- 1: the page was unreadable through every retry
    next_url        VARCHAR,          -- the cursor after this page (NULL: the plan is complete)
    requests        BIGINT NOT NULL,  -- incl. retries
    retries         BIGINT NOT NULL,
    bytes           BIGINT NOT NULL,
    seconds         DOUBLE NOT NULL,
    watermark       TIMESTAMP,        -- the page's newest trusted lastModified (the first page's counts)
    committed_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (plan, page_no)       -- a page committed twice is an error, never a double count
);

-- Each plan's state: its pages added up, its parse progress, its failed GETs.
CREATE OR REPLACE VIEW plan_state AS
WITH paged AS (
    SELECT plan, count(*) AS pages, sum(elements) AS records, sum(rejected) AS rejected, sum(lost) AS lost_pages,
           sum(requests) AS requests, sum(retries) AS retries, sum(bytes) AS bytes, sum(seconds) AS seconds,
           arg_min(watermark, page_no) FILTER (WHERE watermark IS NOT NULL) AS watermark,
           min(committed_at) AS first_committed, max(page_no) AS last_page
    FROM stage_pages GROUP BY plan
)
SELECT p.plan,
       CASE WHEN g.pages IS NULL THEN 'pending' WHEN last.next_url IS NULL THEN 'complete' ELSE 'running' END
           AS status,
       last.next_url,
       coalesce(g.pages, 0) AS pages,
       coalesce(g.records, 0) AS records,
       p.models,
       coalesce(g.rejected, 0) + p.parse_rejected AS rejected,
       p.dropped,
       coalesce(g.lost_pages, 0) AS lost_pages,
       coalesce(g.requests, 0) + p.failed_requests AS requests,
       coalesce(g.retries, 0) + p.failed_retries AS retries,
       coalesce(g.bytes, 0) + p.failed_bytes AS bytes,
       coalesce(g.seconds, 0) AS seconds,
       g.watermark,
       p.normalized_pages, p.normalized_chunks, p.parse_attempts,
       least(g.first_committed, p.failed_at) AS started_at,
       CASE WHEN g.pages IS NOT NULL AND last.next_url IS NULL THEN last.committed_at END AS finished_at
FROM plans p
LEFT JOIN paged g USING (plan)
LEFT JOIN stage_pages last ON last.plan = p.plan AND last.page_no = g.last_page;

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
