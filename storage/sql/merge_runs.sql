-- The night's runs and what it could not store, once, after every slice of the merge (same
-- transaction). A plan that lost pages (unreadable through every retry) is 'partial': it
-- marked no model deleted and records no watermark (storage.merge, docs/ingest.md).
-- Plans are staged by key ('models/sweep'): crawl_runs gets the plan and its repository type.
INSERT INTO hc_merge_target.crawl_runs (run_id, night_id, plan, status, snapshot_date, started_at, finished_at, pages,
                            models_seen, requests, retries, bytes, skipped_records, watermark, endpoint, error, repo_type)
SELECT nextval('hc_merge_target.crawl_run_ids'), n.night_id, split_part(p.plan, '/', 2),
       CASE WHEN p.lost_pages > 0 OR p.status <> 'complete' THEN 'partial' ELSE 'complete' END,
       $d, p.started_at, p.finished_at, p.pages, p.models, p.requests, p.retries, p.bytes, p.rejected,
       CASE WHEN p.lost_pages = 0 AND p.status = 'complete' THEN p.watermark END,
       n.endpoint,
       CASE WHEN p.lost_pages > 0 THEN p.lost_pages || ' page(s) unreadable through every retry; see rejected_records'
            WHEN p.status <> 'complete' THEN 'listing did not finish' END,
       split_part(p.plan, '/', 1)
FROM plan_state p CROSS JOIN night n
ORDER BY p.started_at NULLS LAST, p.plan;

INSERT INTO hc_merge_target.rejected_records (snapshot_date, plan, model_id, field, reason, sample, page_no, repo_type)
SELECT $d, split_part(plan, '/', 2), model_id, field, reason, sample, page_no, split_part(plan, '/', 1)
FROM stage_rejected
ORDER BY plan, page_no, model_id NULLS LAST, field NULLS FIRST;
