-- The night's runs and what it could not store, once, after every slice of the merge (same
-- transaction). A plan that lost pages (unreadable through every retry) is 'partial': it
-- marked no model deleted and records no watermark (storage.merge, docs/ingest.md).
INSERT INTO hc_merge_target.crawl_runs (run_id, night_id, plan, status, snapshot_date, started_at, finished_at, pages,
                            models_seen, requests, retries, bytes, skipped_records, watermark, endpoint, error)
SELECT nextval('hc_merge_target.crawl_run_ids'), n.night_id, p.plan,
       CASE WHEN p.lost_pages > 0 OR p.status <> 'complete' THEN 'partial' ELSE 'complete' END,
       $d, p.started_at, p.finished_at, p.pages, p.models, p.requests, p.retries, p.bytes, p.rejected,
       CASE WHEN p.lost_pages = 0 AND p.status = 'complete' THEN p.watermark END,
       n.endpoint,
       CASE WHEN p.lost_pages > 0 THEN p.lost_pages || ' page(s) unreadable through every retry; see rejected_records'
            WHEN p.status <> 'complete' THEN 'listing did not finish' END
FROM plan_state p CROSS JOIN night n
ORDER BY p.started_at NULLS LAST, p.plan;

INSERT INTO hc_merge_target.rejected_records (snapshot_date, plan, model_id, field, reason, sample, page_no)
SELECT $d, plan, model_id, field, reason, sample, page_no
FROM stage_rejected
ORDER BY plan, page_no, model_id NULLS LAST, field NULLS FIRST;
