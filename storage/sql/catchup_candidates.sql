-- Repositories of one type (@stage_table, @hub_table, @id_column: storage/repos.py) that
-- tonight's sweep ($sweep) listed and neither tonight's refresh ($refresh) nor any earlier night
-- brought with their heavy fields (the main file is attached read-only as hc_catchup_main).
-- They are fetched one by one (the catch-up plan $catchup), at most $limit a night, in id order.
CREATE OR REPLACE TEMP TABLE catchup_candidates AS
SELECT DISTINCT s.@id_column AS repo_id
FROM @stage_table s
WHERE s.plan = $sweep
  AND NOT EXISTS (SELECT 1 FROM @stage_table r WHERE r.plan = $refresh AND r.@id_column = s.@id_column)
  AND NOT EXISTS (SELECT 1 FROM hc_catchup_main.@hub_table m
                  WHERE m.@id_column = s.@id_column AND m.refreshed_on IS NOT NULL);

DELETE FROM catchup_ids WHERE plan = $catchup;

INSERT INTO catchup_ids
SELECT $catchup, row_number() OVER (ORDER BY repo_id) - 1 AS seq, repo_id
FROM catchup_candidates
ORDER BY repo_id
LIMIT $limit;
