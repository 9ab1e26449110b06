-- Parsed records into staging (inside the batch's transaction, after parse_page.sql).
INSERT INTO stage_rows BY NAME
SELECT $plan AS plan, * EXCLUDE (skip_reason, record_sample) FROM page_rows WHERE skip_reason IS NULL;

INSERT INTO stage_rejected
SELECT $plan, page_no, model_id, NULL, skip_reason, record_sample FROM page_rows WHERE skip_reason IS NOT NULL;

INSERT INTO stage_rejected
SELECT $plan, page_no, model_id, field, reason, sample FROM page_drops;

INSERT INTO stage_edges BY NAME
SELECT * FROM page_edges;
