-- The night's runs, once, after every slice of the merge (same transaction).
INSERT INTO hc_merge_target.crawl_runs (run_id, night_id, plan, status, snapshot_date, started_at, finished_at, pages,
                            models_seen, requests, retries, bytes, skipped_records, watermark, endpoint, error)
SELECT nextval('hc_merge_target.crawl_run_ids'), n.night_id, p.plan, p.status, $d, p.started_at, p.finished_at, p.pages,
       p.models, p.requests, p.retries, p.bytes, p.skipped, p.watermark, n.endpoint, NULL
FROM plan_state p CROSS JOIN night n
ORDER BY p.started_at NULLS LAST, p.plan;
