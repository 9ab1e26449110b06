-- Parsed pages into staging (inside the batch's transaction, after the crawler's parse_page).
INSERT INTO stage_rows BY NAME
SELECT $plan AS plan, * EXCLUDE (skip_reason) FROM page_rows WHERE skip_reason IS NULL;

INSERT INTO stage_skipped
SELECT $plan, page_no, model_id, skip_reason FROM page_rows WHERE skip_reason IS NOT NULL;

INSERT INTO stage_edges BY NAME
SELECT * FROM page_edges;
