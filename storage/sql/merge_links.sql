-- The links of tonight's refreshed repositories of one type ($source_type), after that type's
-- merge of the same slice (which left night_link_sources: each refreshed source, the page its row
-- came from, whether an earlier night had fetched it). A refreshed source's links are what its
-- record declares tonight: links it dropped are removed (and logged 'removed'), new ones are
-- added with first_seen = $d (and logged 'added' unless the source is new tonight, as
-- model_changes logs nothing on a model's first appearance).

-- One row per link (source, target, relation): the parse gives each link of a record one source
-- (docs/figures.md "Links"); grouping keeps repo_links at one row per link whatever the stage
-- holds, which alive_links and the lifecycle figures count on.
CREATE OR REPLACE TEMP TABLE night_links AS
SELECT l.source_type, l.source_id, l.target_type, l.target_id, l.relation, min(l.source) AS source, bool_or(s.known) AS known
FROM stage_links l
JOIN night_link_sources s ON s.source_id = l.source_id AND s.plan = l.plan AND s.page_no = l.page_no
WHERE l.source_type = $source_type
GROUP BY l.source_type, l.source_id, l.target_type, l.target_id, l.relation;

INSERT INTO hc_merge_target.repo_link_changes
SELECT r.source_type, r.source_id, r.target_type, r.target_id, r.relation, 'removed', $d
FROM hc_merge_target.repo_links r
WHERE r.source_type = $source_type AND r.source_id IN (SELECT source_id FROM night_link_sources)
  AND NOT EXISTS (SELECT 1 FROM night_links n WHERE n.source_id = r.source_id AND n.target_type = r.target_type
                                               AND n.target_id = r.target_id AND n.relation = r.relation);

DELETE FROM hc_merge_target.repo_links AS r
WHERE r.source_type = $source_type AND r.source_id IN (SELECT source_id FROM night_link_sources)
  AND NOT EXISTS (SELECT 1 FROM night_links n WHERE n.source_id = r.source_id AND n.target_type = r.target_type
                                               AND n.target_id = r.target_id AND n.relation = r.relation);

CREATE OR REPLACE TEMP TABLE night_new_links AS
SELECT n.* FROM night_links n
WHERE NOT EXISTS (SELECT 1 FROM hc_merge_target.repo_links r
                  WHERE r.source_type = n.source_type AND r.source_id = n.source_id AND r.target_type = n.target_type
                    AND r.target_id = n.target_id AND r.relation = n.relation);

INSERT INTO hc_merge_target.repo_link_changes
SELECT source_type, source_id, target_type, target_id, relation, 'added', $d FROM night_new_links WHERE known;

INSERT INTO hc_merge_target.repo_links (source_type, source_id, target_type, target_id, relation, source, first_seen)
SELECT source_type, source_id, target_type, target_id, relation, source, $d FROM night_new_links;

DROP TABLE night_new_links;
DROP TABLE night_links;
