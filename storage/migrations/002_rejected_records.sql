-- hubcensus main database, version 2: what a night could not store, and why.
-- One row per rejection (docs/ingest.md): a whole record (field NULL) the parser could not read
-- or that has no usable id, a value dropped from a record that was otherwise stored (field =
-- the Hub's JSON key; the value is stored as NULL), or a page that could not be read at all
-- (model_id and field NULL, reason 'page unreadable: ...'). Kept like history: never deleted.
CREATE TABLE rejected_records (
    snapshot_date       DATE NOT NULL,
    plan                VARCHAR NOT NULL, -- sweep | refresh | full | catchup
    model_id            VARCHAR,          -- NULL where no id could be extracted (or a whole page)
    field               VARCHAR,          -- NULL: the whole record (or page) was rejected
    reason              VARCHAR NOT NULL,
    sample              VARCHAR,          -- <= 200 characters of the offending bytes, escaped (never raw)
    page_no             BIGINT            -- the plan's page it came on (diagnosis)
);
