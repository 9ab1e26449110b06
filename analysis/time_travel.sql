-- Time travel (docs/history.md): the crawl tables as they stood after night S, as TEMP views of
-- the same names on one reader's connection. Every analysis view reads them by name, so the
-- figures, the report and every view answer for S. S is getvariable('hubcensus_as_of') (a
-- constant to DuckDB: zone maps skip the history after S); {db} is the database's own catalog,
-- so that a shadow reads the stored table, not itself. Statements run in order; one that
-- names a `-- requires:` table the database lacks is skipped (analysis/time_travel.py).

-- Runs, nights and the night's bookkeeping up to S. A run still holding on S is open as of S.
CREATE OR REPLACE TEMP VIEW snapshot_nights AS
SELECT * FROM {db}.main.snapshot_nights WHERE snapshot_date <= getvariable('hubcensus_as_of');

CREATE OR REPLACE TEMP VIEW model_counts_closed AS
SELECT * FROM {db}.main.model_counts_closed WHERE valid_to <= getvariable('hubcensus_as_of');

CREATE OR REPLACE TEMP VIEW model_counts_open AS
SELECT model_key, valid_from, downloads, downloads_all_time, likes, gated, downloads_all_time_delta
FROM {db}.main.model_counts_closed
WHERE valid_from <= getvariable('hubcensus_as_of') AND valid_to > getvariable('hubcensus_as_of')
UNION ALL
SELECT model_key, valid_from, downloads, downloads_all_time, likes, gated, downloads_all_time_delta
FROM {db}.main.model_counts_open WHERE valid_from <= getvariable('hubcensus_as_of');

CREATE OR REPLACE TEMP VIEW crawl_runs AS
SELECT * FROM {db}.main.crawl_runs WHERE snapshot_date <= getvariable('hubcensus_as_of');

CREATE OR REPLACE TEMP VIEW model_changes AS
SELECT * FROM {db}.main.model_changes WHERE snapshot_date <= getvariable('hubcensus_as_of');

-- requires: rejected_records
CREATE OR REPLACE TEMP VIEW rejected_records AS
SELECT * FROM {db}.main.rejected_records WHERE snapshot_date <= getvariable('hubcensus_as_of');

-- Base-model edges on S: first seen by S and not removed by S (removed ones are kept in
-- lineage_removed with the night they went), one row per (child, parent, relation), as lineage
-- holds them. An edge can hold on S twice when a night was merged after a later one: removed by
-- the later night, declared again by the older (lineage then has it again, first seen on the
-- older night), perhaps removed again. It is then the row first seen earliest.
CREATE OR REPLACE TEMP VIEW lineage AS
WITH removed_later AS (
    SELECT child_id, parent_id, relation, arg_min(source, first_seen) AS source, min(first_seen) AS first_seen
    FROM {db}.main.lineage_removed
    WHERE first_seen <= getvariable('hubcensus_as_of') AND removed_on > getvariable('hubcensus_as_of')
    GROUP BY child_id, parent_id, relation
)
SELECT l.child_id, l.parent_id, l.relation, l.source, l.first_seen
FROM {db}.main.lineage l
LEFT JOIN removed_later r ON r.child_id = l.child_id AND r.parent_id = l.parent_id AND r.relation = l.relation
WHERE l.first_seen <= getvariable('hubcensus_as_of') AND r.child_id IS NULL
UNION ALL
SELECT child_id, parent_id, relation, source, first_seen FROM removed_later;

CREATE OR REPLACE TEMP VIEW lineage_removed AS
SELECT * FROM {db}.main.lineage_removed WHERE removed_on <= getvariable('hubcensus_as_of');

-- hub_models on S:
--   listed on S: the run holding on S gives the counts; alive.
--   not listed on S and deleted by S as hub_models has it today: as hub_models has it (a deleted
--     model's row keeps its last counts and dates until it is listed again, which it was not).
--   not listed on S otherwise (listed again since): the counts of its last run before S; deleted
--     on the first complete listing from the night that run ended that did not reject its record
--     whole (a record the parser could not read keeps its model alive, as the merge does).
--   license, gated, base_models, pipeline_tag, library_name: today's value, rolled back through
--     the changes observed after S (the old value of the first); gated from the run when it
--     holds one. Before the first night a refresh fetched the model, its heavy fields were
--     unknown (NULL). Fields no history keeps (tags, languages, files, ...) are today's.
-- Computed once per connection, by the key each row carries (migration 006), into as_of_models:
-- one row per stored hub_models row, in its order, so that the shadow view pairs them by
-- position (no join of 3M ids per query). First every row with the run holding on S, then the few
-- rows history amends. (The runs holding on S are a table, not a CTE, so that the planner knows
-- their size: estimated from the runs' filters, it took the Hub's 3M wide rows for the smaller
-- side and hashed them, 0.8 s of the 1.8 s this took at 3M models.)

CREATE OR REPLACE TEMP TABLE as_of_held AS
SELECT model_key, downloads, downloads_all_time, likes, gated
FROM {db}.main.model_counts_closed
WHERE valid_from <= getvariable('hubcensus_as_of') AND valid_to > getvariable('hubcensus_as_of')
UNION ALL
SELECT model_key, downloads, downloads_all_time, likes, gated
FROM {db}.main.model_counts_open WHERE valid_from <= getvariable('hubcensus_as_of');

-- A row without a key (a model never in a snapshot) stays as the table has it, up to S.
CREATE OR REPLACE TEMP TABLE as_of_models AS
SELECT m.rowid AS position,
       m.model_id,   -- read from here, not the stored file's compressed column, by every query
       m.model_key,
       m.first_seen <= getvariable('hubcensus_as_of') AS seen,
       coalesce(k.first_refreshed <= getvariable('hubcensus_as_of'),
                m.model_key IS NULL AND m.refreshed_on <= getvariable('hubcensus_as_of'), false) AS refreshed,
       CASE WHEN h.model_key IS NULL AND m.deleted_at <= getvariable('hubcensus_as_of') THEN m.deleted_at END
           AS deleted_at,
       CASE WHEN h.model_key IS NOT NULL THEN getvariable('hubcensus_as_of') END AS last_seen,
       h.downloads, h.downloads_all_time, h.likes,
       h.model_key IS NOT NULL AS has_counts,
       CAST(h.gated AS VARCHAR) AS run_gated,
       false AS gated_changed, CAST(NULL AS VARCHAR) AS gated_before,
       false AS license_changed, CAST(NULL AS VARCHAR) AS license_before,
       false AS base_models_changed, CAST(NULL AS VARCHAR) AS base_models_before,
       false AS pipeline_tag_changed, CAST(NULL AS VARCHAR) AS pipeline_tag_before,
       false AS library_name_changed, CAST(NULL AS VARCHAR) AS library_name_before
FROM {db}.main.hub_models m
LEFT JOIN {db}.main.model_keys k USING (model_key)
LEFT JOIN temp.main.as_of_held h USING (model_key)
ORDER BY position;

DROP TABLE temp.main.as_of_held;

-- Gone on S: seen by S, not listed on S, not deleted by S as the table has it.
CREATE OR REPLACE TEMP TABLE as_of_gone AS
SELECT model_key, model_id FROM temp.main.as_of_models
WHERE seen AND model_key IS NOT NULL AND NOT has_counts AND deleted_at IS NULL;

-- What history changes of a row beyond that, by key: the gone models' last runs, deletions and
-- last nights listed, and the fields changed after S. Few rows.
CREATE OR REPLACE TEMP TABLE as_of_amends AS
WITH changed AS (   -- the first change of each field after S, by key: its old value is the value on S
    SELECT k.model_key,
           bool_or(c.field = 'gated') AS gated_changed,
           first(c.old_value ORDER BY c.snapshot_date) FILTER (WHERE c.field = 'gated') AS gated_before,
           bool_or(c.field = 'license') AS license_changed,
           first(c.old_value ORDER BY c.snapshot_date) FILTER (WHERE c.field = 'license') AS license_before,
           bool_or(c.field = 'base_models') AS base_models_changed,
           first(c.old_value ORDER BY c.snapshot_date) FILTER (WHERE c.field = 'base_models') AS base_models_before,
           bool_or(c.field = 'pipeline_tag') AS pipeline_tag_changed,
           first(c.old_value ORDER BY c.snapshot_date) FILTER (WHERE c.field = 'pipeline_tag') AS pipeline_tag_before,
           bool_or(c.field = 'library_name') AS library_name_changed,
           first(c.old_value ORDER BY c.snapshot_date) FILTER (WHERE c.field = 'library_name') AS library_name_before
    FROM {db}.main.model_changes c JOIN {db}.main.model_keys k USING (model_id)
    WHERE c.snapshot_date > getvariable('hubcensus_as_of')
    GROUP BY 1
),
last_run AS (
    SELECT c.model_key, c.valid_to AS ended, c.downloads, c.downloads_all_time, c.likes, CAST(c.gated AS VARCHAR) AS gated
    FROM {db}.main.model_counts_closed c SEMI JOIN temp.main.as_of_gone g USING (model_key)
    WHERE c.valid_to <= getvariable('hubcensus_as_of')
    QUALIFY row_number() OVER (PARTITION BY c.model_key ORDER BY c.valid_to DESC) = 1
),
listings AS (
    SELECT DISTINCT snapshot_date FROM {db}.main.crawl_runs
    WHERE status = 'complete' AND plan IN ('sweep', 'full') AND snapshot_date <= getvariable('hubcensus_as_of')
),
deleted AS (
    SELECT r.model_key, min(l.snapshot_date) AS deleted_at
    FROM last_run r
    JOIN temp.main.as_of_gone g USING (model_key)
    JOIN listings l ON l.snapshot_date >= r.ended
    WHERE NOT EXISTS (SELECT 1 FROM {db}.main.rejected_records j
                      WHERE j.snapshot_date = l.snapshot_date AND j.model_id = g.model_id AND j.field IS NULL)
    GROUP BY 1
),
last_listed AS (
    SELECT r.model_key, max(n.snapshot_date) AS last_seen
    FROM last_run r JOIN {db}.main.snapshot_nights n ON n.snapshot_date < r.ended
    GROUP BY 1
)
SELECT coalesce(r.model_key, c.model_key) AS model_key,
       r.model_key IS NOT NULL AS had_run, r.downloads, r.downloads_all_time, r.likes, r.gated,
       d.deleted_at, ll.last_seen, c.* EXCLUDE (model_key)
FROM last_run r
LEFT JOIN deleted d USING (model_key)
LEFT JOIN last_listed ll USING (model_key)
FULL OUTER JOIN changed c ON c.model_key = r.model_key;

UPDATE temp.main.as_of_models AS t SET
    has_counts = t.has_counts OR a.had_run,
    deleted_at = CASE WHEN a.had_run THEN a.deleted_at ELSE t.deleted_at END,
    last_seen = CASE WHEN a.had_run THEN a.last_seen ELSE t.last_seen END,
    downloads = CASE WHEN a.had_run THEN a.downloads ELSE t.downloads END,
    downloads_all_time = CASE WHEN a.had_run THEN a.downloads_all_time ELSE t.downloads_all_time END,
    likes = CASE WHEN a.had_run THEN a.likes ELSE t.likes END,
    run_gated = CASE WHEN a.had_run THEN a.gated ELSE t.run_gated END,
    gated_changed = coalesce(a.gated_changed, false), gated_before = a.gated_before,
    license_changed = coalesce(a.license_changed, false), license_before = a.license_before,
    base_models_changed = coalesce(a.base_models_changed, false), base_models_before = a.base_models_before,
    pipeline_tag_changed = coalesce(a.pipeline_tag_changed, false), pipeline_tag_before = a.pipeline_tag_before,
    library_name_changed = coalesce(a.library_name_changed, false), library_name_before = a.library_name_before
FROM temp.main.as_of_amends a
WHERE t.model_key = a.model_key;

DROP TABLE temp.main.as_of_gone;

DROP TABLE temp.main.as_of_amends;

CREATE OR REPLACE TEMP VIEW hub_models AS
SELECT h.* REPLACE (
    t.model_id AS model_id,
    CASE WHEN t.run_gated IS NOT NULL THEN t.run_gated WHEN t.gated_changed THEN t.gated_before ELSE h.gated END AS gated,
    CASE WHEN NOT t.refreshed THEN NULL WHEN t.license_changed THEN t.license_before ELSE h.license END AS license,
    CASE WHEN NOT t.refreshed THEN NULL
         WHEN t.base_models_changed THEN CASE WHEN t.base_models_before IS NOT NULL
                                              THEN list_sort(string_split(t.base_models_before, ',')) END
         ELSE h.base_models END AS base_models,
    CASE WHEN NOT t.refreshed THEN NULL WHEN t.pipeline_tag_changed THEN t.pipeline_tag_before ELSE h.pipeline_tag END
        AS pipeline_tag,
    CASE WHEN NOT t.refreshed THEN NULL WHEN t.library_name_changed THEN t.library_name_before ELSE h.library_name END
        AS library_name,
    CASE WHEN t.refreshed THEN h.sha END AS sha,
    CASE WHEN t.refreshed THEN h.license_name END AS license_name,
    CASE WHEN t.refreshed THEN h.license_link END AS license_link,
    CASE WHEN t.refreshed THEN h.params END AS params,
    CASE WHEN t.refreshed THEN h.languages END AS languages,
    CASE WHEN t.refreshed THEN h.datasets END AS datasets,
    CASE WHEN t.refreshed THEN h.tags END AS tags,
    CASE WHEN t.refreshed THEN h.siblings_count END AS siblings_count,
    CASE WHEN t.refreshed THEN h.weight_formats END AS weight_formats,
    CASE WHEN t.refreshed THEN h.hub_children_count END AS hub_children_count,
    CASE WHEN t.has_counts THEN t.downloads ELSE h.downloads END AS downloads,
    CASE WHEN t.has_counts THEN t.downloads_all_time ELSE h.downloads_all_time END AS downloads_all_time,
    CASE WHEN t.has_counts THEN t.likes ELSE h.likes END AS likes,
    CASE WHEN t.has_counts THEN coalesce(t.last_seen, least(h.last_seen, getvariable('hubcensus_as_of')))
         ELSE least(h.last_seen, getvariable('hubcensus_as_of')) END AS last_seen,
    t.deleted_at AS deleted_at,
    CASE WHEN t.refreshed THEN least(h.refreshed_on, getvariable('hubcensus_as_of')) END AS refreshed_on)
FROM temp.main.as_of_models t POSITIONAL JOIN {db}.main.hub_models h
WHERE t.seen
-- No rows, but a row count: the planner has no estimate for a positional join (it takes it for
-- empty and would hash the whole Hub to join it with three values); this branch gives it one.
UNION ALL
SELECT * FROM {db}.main.hub_models WHERE rowid < 0;

-- The night the figures describe is S itself (the latest complete listing by construction).
CREATE OR REPLACE TEMP VIEW latest_snapshot AS SELECT getvariable('hubcensus_as_of') AS snapshot_date;

-- Datasets and Spaces (migration 003): those with a snapshot on S were alive, with its counts.
-- Each type's state on S is computed once per connection, one row per stored row in its order,
-- and paired by position, as for models (a join of the Hub's ids per query cost ~0.1 s each).
-- requires: hub_datasets
CREATE OR REPLACE TEMP TABLE as_of_datasets AS
SELECT h.rowid AS position, h.dataset_id, s.dataset_id IS NOT NULL AS listed, s.downloads, s.downloads_all_time, s.likes
FROM {db}.main.hub_datasets h
LEFT JOIN (SELECT dataset_id, downloads, downloads_all_time, likes FROM {db}.main.dataset_snapshots
           WHERE snapshot_date = getvariable('hubcensus_as_of')) s USING (dataset_id)
ORDER BY position;

-- requires: hub_datasets
CREATE OR REPLACE TEMP VIEW hub_datasets AS
SELECT h.* REPLACE (
    t.dataset_id AS dataset_id,
    CASE WHEN t.listed THEN NULL
         ELSE least(coalesce(h.deleted_at, getvariable('hubcensus_as_of')), getvariable('hubcensus_as_of')) END AS deleted_at,
    CASE WHEN t.listed THEN t.downloads ELSE h.downloads END AS downloads,
    CASE WHEN t.listed THEN t.downloads_all_time ELSE h.downloads_all_time END AS downloads_all_time,
    CASE WHEN t.listed THEN t.likes ELSE h.likes END AS likes)
FROM temp.main.as_of_datasets t POSITIONAL JOIN {db}.main.hub_datasets h
WHERE h.first_seen <= getvariable('hubcensus_as_of')
UNION ALL   -- a row count for the planner, as for hub_models
SELECT * FROM {db}.main.hub_datasets WHERE rowid < 0;

-- requires: hub_spaces
CREATE OR REPLACE TEMP TABLE as_of_spaces AS
SELECT h.rowid AS position, h.space_id, s.space_id IS NOT NULL AS listed, s.likes
FROM {db}.main.hub_spaces h
LEFT JOIN (SELECT space_id, likes FROM {db}.main.space_snapshots
           WHERE snapshot_date = getvariable('hubcensus_as_of')) s USING (space_id)
ORDER BY position;

-- requires: hub_spaces
CREATE OR REPLACE TEMP VIEW hub_spaces AS
SELECT h.* REPLACE (
    t.space_id AS space_id,
    CASE WHEN t.listed THEN NULL
         ELSE least(coalesce(h.deleted_at, getvariable('hubcensus_as_of')), getvariable('hubcensus_as_of')) END AS deleted_at,
    CASE WHEN t.listed THEN t.likes ELSE h.likes END AS likes)
FROM temp.main.as_of_spaces t POSITIONAL JOIN {db}.main.hub_spaces h
WHERE h.first_seen <= getvariable('hubcensus_as_of')
UNION ALL
SELECT * FROM {db}.main.hub_spaces WHERE rowid < 0;

-- A link held on S when its last change by S added it, or, with no change by S, when it was
-- there before any change was recorded: still there today and first seen by S, or removed after
-- S. A link that is gone today has no recorded `source` (NULL).
-- requires: repo_links, repo_link_changes
CREATE OR REPLACE TEMP VIEW repo_links AS
WITH changes AS (
    SELECT source_type, source_id, target_type, target_id, relation,
           arg_max(change, snapshot_date) FILTER (WHERE snapshot_date <= getvariable('hubcensus_as_of')) AS last_change,
           max(snapshot_date) FILTER (WHERE snapshot_date <= getvariable('hubcensus_as_of') AND change = 'added') AS added_on,
           arg_min(change, snapshot_date) FILTER (WHERE snapshot_date > getvariable('hubcensus_as_of')) AS next_change
    FROM {db}.main.repo_link_changes
    GROUP BY 1, 2, 3, 4, 5
),
links AS (
    SELECT coalesce(l.source_type, c.source_type) AS source_type, coalesce(l.source_id, c.source_id) AS source_id,
           coalesce(l.target_type, c.target_type) AS target_type, coalesce(l.target_id, c.target_id) AS target_id,
           coalesce(l.relation, c.relation) AS relation, l.source,
           CASE WHEN l.source_id IS NOT NULL AND l.first_seen <= getvariable('hubcensus_as_of') THEN l.first_seen
                ELSE c.added_on END AS first_seen,
           CASE WHEN c.last_change IS NOT NULL THEN c.last_change = 'added'
                WHEN l.source_id IS NOT NULL THEN l.first_seen <= getvariable('hubcensus_as_of')
                ELSE c.next_change = 'removed' END AS held
    FROM {db}.main.repo_links l
    FULL OUTER JOIN changes c
      ON c.source_type = l.source_type AND c.source_id = l.source_id AND c.target_type = l.target_type
     AND c.target_id = l.target_id AND c.relation = l.relation
)
SELECT source_type, source_id, target_type, target_id, relation, source, first_seen FROM links WHERE held;
