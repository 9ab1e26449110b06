-- The night's snapshots of one repository type as runs (migration 005, docs/history.md), for slice
-- $part of $parts of its ids, after the type's merge (merge_datasets.sql / merge_spaces.sql) left
-- `night_history_rows` (repo_id, observed): one row per repository listed tonight in the slice.
-- The same statements serve datasets and Spaces: tables and columns are @identifiers
-- (storage/repos.py), and what a night observes is one STRUCT, compared and copied whole.
--
-- The answers are those of the full rows it replaces: a repository has a row on each night of its
-- type it was listed, with that night's values; re-running a night replaces the values of the
-- repositories it lists and keeps the others; a night older than the latest splits the runs that
-- span it. On the latest night (the usual case) no closed run is read: every filter on them is
-- `valid_to > $d`, and zone maps skip every row group.

-- new_night: no earlier merge wrote this date for the type (the last slice records it);
-- next_night: the first of its nights after it (NULL on the latest night).
CREATE OR REPLACE TEMP TABLE night_history_flags AS
SELECT NOT EXISTS (SELECT 1 FROM hc_merge_target.@nights_table WHERE snapshot_date = $d) AS new_night,
       (SELECT min(snapshot_date) FROM hc_merge_target.@nights_table WHERE snapshot_date > $d) AS next_night;

-- New ids get the next keys, in id order.
INSERT INTO hc_merge_target.@keys_table (@key_col, @id_col)
SELECT (SELECT coalesce(max(@key_col), 0) FROM hc_merge_target.@keys_table)
       + CAST(row_number() OVER (ORDER BY r.repo_id) AS INTEGER), r.repo_id
FROM night_history_rows r
WHERE NOT EXISTS (SELECT 1 FROM hc_merge_target.@keys_table k WHERE k.@id_col = r.repo_id);

CREATE OR REPLACE TEMP TABLE night_history_listed AS
SELECT k.@key_col AS repo_key, r.observed
FROM night_history_rows r JOIN hc_merge_target.@keys_table k ON k.@id_col = r.repo_id;

-- The slice's runs that hold on $d.
CREATE OR REPLACE TEMP TABLE night_history_covering AS
WITH slice AS (SELECT @key_col AS repo_key FROM hc_merge_target.@keys_table WHERE hash(@id_col) % $parts = $part)
SELECT o.@key_col AS repo_key, o.valid_from, CAST(NULL AS DATE) AS valid_to, o.observed, true AS is_open
FROM hc_merge_target.@open_table o
WHERE o.valid_from <= $d AND o.@key_col IN (SELECT repo_key FROM slice)
UNION ALL
SELECT c.@key_col, c.valid_from, c.valid_to, c.observed, false
FROM hc_merge_target.@closed_table c
WHERE c.valid_to > $d AND c.valid_from <= $d AND c.@key_col IN (SELECT repo_key FROM slice);

-- Repositories whose run on $d does not hold tonight's values (or none does), and, on a new
-- night, those a run holds that tonight did not list.
CREATE OR REPLACE TEMP TABLE night_history_changes AS
SELECT l.repo_key, true AS listed, l.observed
FROM night_history_listed l LEFT JOIN night_history_covering c USING (repo_key)
WHERE c.repo_key IS NULL OR c.observed IS DISTINCT FROM l.observed
UNION ALL
SELECT c.repo_key, false, NULL
FROM night_history_covering c
WHERE (SELECT new_night FROM night_history_flags)
  AND c.repo_key NOT IN (SELECT repo_key FROM night_history_listed);

-- The closed runs of changed repositories that span $d go, to be put back cut around it.
DELETE FROM hc_merge_target.@closed_table AS c
WHERE c.valid_to > $d AND c.valid_from <= $d AND c.@key_col IN (SELECT repo_key FROM night_history_changes);

-- Runs of changed repositories end on $d; on an older night the part after it resumes at the
-- next stored night, and tonight's values hold until then.
INSERT INTO hc_merge_target.@closed_table (@key_col, valid_from, valid_to, observed)
SELECT c.repo_key, c.valid_from, $d, c.observed
FROM night_history_covering c SEMI JOIN night_history_changes x USING (repo_key)
WHERE c.valid_from < $d
UNION ALL
SELECT c.repo_key, f.next_night, c.valid_to, c.observed
FROM night_history_covering c SEMI JOIN night_history_changes x USING (repo_key) CROSS JOIN night_history_flags f
WHERE NOT c.is_open AND c.valid_to > f.next_night
UNION ALL
SELECT x.repo_key, $d, f.next_night, x.observed
FROM night_history_changes x CROSS JOIN night_history_flags f
WHERE x.listed AND f.next_night IS NOT NULL;

-- Open runs of changed repositories: on the latest night they end (their part before $d was
-- closed above) and tonight's values open a run; on an older night they resume at the next one.
UPDATE hc_merge_target.@open_table AS o SET valid_from = f.next_night
FROM night_history_flags f
WHERE f.next_night IS NOT NULL AND o.valid_from <= $d
  AND o.@key_col IN (SELECT repo_key FROM night_history_changes);

DELETE FROM hc_merge_target.@open_table AS o
WHERE (SELECT next_night FROM night_history_flags) IS NULL
  AND o.@key_col IN (SELECT repo_key FROM night_history_changes);

INSERT INTO hc_merge_target.@open_table (@key_col, valid_from, observed)
SELECT x.repo_key, $d, x.observed
FROM night_history_changes x CROSS JOIN night_history_flags f
WHERE x.listed AND f.next_night IS NULL
ORDER BY x.repo_key;

INSERT INTO hc_merge_target.@nights_table
SELECT $d WHERE $part = $parts - 1 AND (SELECT new_night FROM night_history_flags);

DROP TABLE night_history_rows;
