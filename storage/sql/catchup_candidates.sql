-- Models tonight's sweep listed that neither tonight's refresh nor any earlier night brought
-- with their heavy fields (the main file is attached read-only as hc_catchup_main). They are
-- fetched one by one (crawler.plans.CATCHUP), at most $limit a night, in model id order.
CREATE OR REPLACE TEMP TABLE catchup_candidates AS
SELECT DISTINCT s.model_id
FROM stage_rows s
WHERE s.plan = 'sweep'
  AND NOT EXISTS (SELECT 1 FROM stage_rows r WHERE r.plan = 'refresh' AND r.model_id = s.model_id)
  AND NOT EXISTS (SELECT 1 FROM hc_catchup_main.hub_models m
                  WHERE m.model_id = s.model_id AND m.refreshed_on IS NOT NULL);

INSERT INTO catchup_ids
SELECT row_number() OVER (ORDER BY model_id) - 1 AS seq, model_id
FROM catchup_candidates
ORDER BY model_id
LIMIT $limit;
