-- One page into staging (run inside the page's transaction, after the crawler's parse_page).
INSERT INTO stage_rows BY NAME
SELECT $plan AS plan, $page_no AS page_no, * EXCLUDE (skip_reason) FROM page_rows WHERE skip_reason IS NULL;

INSERT INTO stage_skipped
SELECT $plan, $page_no, model_id, skip_reason FROM page_rows WHERE skip_reason IS NOT NULL;

INSERT INTO stage_edges BY NAME
SELECT $page_no AS page_no, * FROM page_edges;
