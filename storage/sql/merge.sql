-- The night into the main DB (attached as `hc_merge_target`), for slice $part of $parts of the
-- model ids (hash(model_id) % $parts), in ONE transaction that writes only that database (and
-- this connection's temp tables): per model, so slicing changes no result, only bounds memory.
-- $d = snapshot date, $sweep_complete = a complete listing saw every alive model,
-- $light_plans: light listings of every model (sweep); $heavy_plans: plans with the descriptive
-- fields (refresh, catchup, full). A `full` night has heavy rows only, which carry its counts too.

-- ---------------------------------------------------------------- the night's models, from staging
-- One row per model id (a listing may repeat a model that moved under the cursor: its latest
-- page wins).
-- The light side keeps only what the merge takes from it (ids, counts, dates, flags).
CREATE OR REPLACE TEMP TABLE night_light AS
SELECT model_id, internal_id, author, created_at, last_modified, private, disabled, gated,
       downloads, downloads_all_time, likes, trending_score
FROM stage_rows WHERE list_contains($light_plans, plan) AND hash(model_id) % $parts = $part
QUALIFY row_number() OVER (PARTITION BY model_id ORDER BY page_no DESC) = 1;

CREATE OR REPLACE TEMP TABLE night_heavy AS
SELECT * FROM stage_rows WHERE list_contains($heavy_plans, plan) AND hash(model_id) % $parts = $part
QUALIFY row_number() OVER (PARTITION BY model_id ORDER BY page_no DESC) = 1;

CREATE OR REPLACE TEMP TABLE night_edges AS
SELECT DISTINCT e.child_id, e.parent_id, e.relation, e.source
FROM stage_edges e JOIN night_heavy h ON h.model_id = e.child_id AND h.page_no = e.page_no;

-- Counts come from the sweep (one consistent pass over the Hub) and descriptive fields from
-- the refresh (fetched later, with the heavy fields they belong with); each falls back to the
-- other plan for models only one of them listed. Shaped for memory: the light side is joined
-- as a narrow projection (ids, counts, dates, flags) and light-only models are appended by an
-- anti-join on ids, so no wide table (tags, card JSON, lists) is ever a hash-join build side.
-- A FULL OUTER JOIN of two wide tables ran a 1M-model first night out of 256 MB.
CREATE OR REPLACE TEMP TABLE night_models AS
SELECT
    h.model_id,
    true AS refreshed,
    coalesce(h.internal_id, l.internal_id) AS internal_id,
    h.author,
    coalesce(h.created_at, l.created_at) AS created_at,
    coalesce(h.last_modified, l.last_modified) AS last_modified,
    coalesce(h.private, l.private) AS private,
    coalesce(h.disabled, l.disabled) AS disabled,
    coalesce(h.gated, l.gated) AS gated,
    CASE WHEN l.model_id IS NOT NULL THEN l.downloads ELSE h.downloads END AS downloads,
    CASE WHEN l.model_id IS NOT NULL THEN l.downloads_all_time ELSE h.downloads_all_time END AS downloads_all_time,
    CASE WHEN l.model_id IS NOT NULL THEN l.likes ELSE h.likes END AS likes,
    coalesce(l.trending_score, h.trending_score) AS trending_score,   -- the sweep does not ask for it
    h.sha, h.pipeline_tag, h.library_name, h.license, h.license_name, h.license_link, h.params,
    h.languages, h.datasets, h.tags, h.base_models, h.siblings_count, h.weight_formats,
    h.hub_children_count
FROM night_heavy h LEFT JOIN night_light l ON l.model_id = h.model_id
UNION ALL BY NAME   -- models only the light listing saw: their heavy columns are NULL
SELECT l.model_id, false AS refreshed, l.internal_id, l.author, l.created_at, l.last_modified, l.private,
       l.disabled, l.gated, l.downloads, l.downloads_all_time, l.likes, l.trending_score
FROM night_light l
WHERE NOT EXISTS (SELECT 1 FROM night_heavy h WHERE h.model_id = l.model_id);

-- Tonight's refreshed models, as sources of links (storage/sql/merge_links.sql): the page their
-- row came from, and whether an earlier night had fetched them (only then is a link "added").
CREATE OR REPLACE TEMP TABLE night_link_sources AS
SELECT h.model_id AS source_id, h.plan, h.page_no,
       EXISTS (SELECT 1 FROM hc_merge_target.hub_models m WHERE m.model_id = h.model_id AND m.refreshed_on IS NOT NULL)
           AS known
FROM night_heavy h;

-- Temp tables live in memory: the inputs go as soon as night_models holds what they gave.
DROP TABLE night_heavy;
DROP TABLE night_light;

-- Ids listed tonight, including records rejected whole that had a readable id: a record the
-- parser could not read tonight does not make its model "vanished".
CREATE OR REPLACE TEMP TABLE night_listed AS
SELECT model_id FROM night_models
UNION
SELECT model_id FROM stage_rejected
WHERE field IS NULL AND model_id IS NOT NULL AND list_contains($all_plans, plan) AND hash(model_id) % $parts = $part;

-- ---------------------------------------------------------------- into the main file
-- History first, against the values before this night. Not on a model's first appearance,
-- and heavy fields only once they were ever fetched (refreshed_on not NULL).
INSERT INTO hc_merge_target.model_changes (model_id, field, old_value, new_value, snapshot_date)
WITH pairs AS (
    SELECT n.model_id, 'license' AS field, m.license AS old_value, n.license AS new_value
    FROM night_models n JOIN hc_merge_target.hub_models m USING (model_id) WHERE n.refreshed AND m.refreshed_on IS NOT NULL
    UNION ALL
    SELECT n.model_id, 'gated', m.gated, n.gated
    FROM night_models n JOIN hc_merge_target.hub_models m USING (model_id) WHERE m.gated IS NOT NULL AND n.gated IS NOT NULL
    UNION ALL
    SELECT n.model_id, 'base_models', nullif(array_to_string(m.base_models, ','), ''),
           nullif(array_to_string(n.base_models, ','), '')
    FROM night_models n JOIN hc_merge_target.hub_models m USING (model_id) WHERE n.refreshed AND m.refreshed_on IS NOT NULL
    UNION ALL
    SELECT n.model_id, 'pipeline_tag', m.pipeline_tag, n.pipeline_tag
    FROM night_models n JOIN hc_merge_target.hub_models m USING (model_id) WHERE n.refreshed AND m.refreshed_on IS NOT NULL
    UNION ALL
    SELECT n.model_id, 'library_name', m.library_name, n.library_name
    FROM night_models n JOIN hc_merge_target.hub_models m USING (model_id) WHERE n.refreshed AND m.refreshed_on IS NOT NULL
)
SELECT model_id, field, old_value, new_value, $d FROM pairs
WHERE old_value IS DISTINCT FROM new_value;

-- The upsert is split by width, as a columnar store wants it: refreshed models are deleted and
-- inserted whole (their narrow bookkeeping values kept aside), listed-only models get a narrow
-- update of counts, dates and flags (rewriting every column of every listed model each night
-- would rewrite the whole Hub's tags, cards and file lists).
CREATE OR REPLACE TEMP TABLE night_refreshed_before AS
SELECT m.model_id, m.internal_id, m.author, m.created_at, m.last_modified, m.private, m.disabled, m.gated,
       m.hub_children_count, m.first_seen, m.last_seen
FROM hc_merge_target.hub_models m
WHERE m.model_id IN (SELECT model_id FROM night_models WHERE refreshed);

DELETE FROM hc_merge_target.hub_models
WHERE model_id IN (SELECT model_id FROM night_refreshed_before);

INSERT INTO hc_merge_target.hub_models BY NAME
SELECT n.* EXCLUDE (refreshed, internal_id, created_at, last_modified, private, disabled, gated, hub_children_count),
       coalesce(n.internal_id, b.internal_id) AS internal_id,
       coalesce(n.created_at, b.created_at) AS created_at,
       coalesce(n.last_modified, b.last_modified) AS last_modified,
       coalesce(n.private, b.private) AS private,
       coalesce(n.disabled, b.disabled) AS disabled,
       coalesce(n.gated, b.gated) AS gated,
       coalesce(n.hub_children_count, b.hub_children_count) AS hub_children_count,
       coalesce(b.first_seen, $d) AS first_seen,
       greatest(b.last_seen, $d) AS last_seen,
       CAST(NULL AS DATE) AS deleted_at,
       $d AS refreshed_on
FROM night_models n LEFT JOIN night_refreshed_before b USING (model_id)
WHERE n.refreshed;

-- Models only the light listing saw tonight. An UPDATE keeps every value it writes (and the
-- old one, for rollback) in memory until the night commits, so it writes only what moved:
-- last_seen of every listed model (one narrow column), counts where they changed (most
-- models' stay put: >70% have no downloads), and the rarely changing rest where it differs.
CREATE OR REPLACE TEMP TABLE night_listed_only AS
SELECT model_id, internal_id, author, created_at, last_modified, private, disabled, gated,
       downloads, downloads_all_time, likes, trending_score
FROM night_models WHERE NOT refreshed;

UPDATE hc_merge_target.hub_models AS m SET last_seen = $d
FROM night_listed_only n
WHERE m.model_id = n.model_id AND m.last_seen < $d;

UPDATE hc_merge_target.hub_models AS m SET
    downloads          = n.downloads,
    downloads_all_time = n.downloads_all_time,
    likes              = n.likes
FROM night_listed_only n
WHERE m.model_id = n.model_id
  AND (m.downloads IS DISTINCT FROM n.downloads OR m.downloads_all_time IS DISTINCT FROM n.downloads_all_time
       OR m.likes IS DISTINCT FROM n.likes);

UPDATE hc_merge_target.hub_models AS m SET
    internal_id        = coalesce(n.internal_id, m.internal_id),
    author             = coalesce(m.author, n.author),
    created_at         = coalesce(n.created_at, m.created_at),
    last_modified      = coalesce(n.last_modified, m.last_modified),
    private            = coalesce(n.private, m.private),
    disabled           = coalesce(n.disabled, m.disabled),
    gated              = coalesce(n.gated, m.gated),
    trending_score     = coalesce(n.trending_score, m.trending_score),
    deleted_at         = NULL
FROM night_listed_only n
WHERE m.model_id = n.model_id
  AND (m.deleted_at IS NOT NULL
       OR m.internal_id IS DISTINCT FROM coalesce(n.internal_id, m.internal_id)
       OR m.author IS DISTINCT FROM coalesce(m.author, n.author)
       OR m.created_at IS DISTINCT FROM coalesce(n.created_at, m.created_at)
       OR m.last_modified IS DISTINCT FROM coalesce(n.last_modified, m.last_modified)
       OR m.private IS DISTINCT FROM coalesce(n.private, m.private)
       OR m.disabled IS DISTINCT FROM coalesce(n.disabled, m.disabled)
       OR m.gated IS DISTINCT FROM coalesce(n.gated, m.gated)
       OR m.trending_score IS DISTINCT FROM coalesce(n.trending_score, m.trending_score));

DROP TABLE night_listed_only;

-- Models seen for the first time tonight by the light listing only.
INSERT INTO hc_merge_target.hub_models BY NAME
SELECT n.* EXCLUDE (refreshed),
       $d AS first_seen, $d AS last_seen, CAST(NULL AS DATE) AS deleted_at,
       CAST(NULL AS DATE) AS refreshed_on
FROM night_models n
WHERE NOT n.refreshed
  AND NOT EXISTS (SELECT 1 FROM hc_merge_target.hub_models m WHERE m.model_id = n.model_id);

-- Vanished: alive before, not listed by tonight's complete sweep or full run (nor the refresh). Kept.
UPDATE hc_merge_target.hub_models SET deleted_at = $d
WHERE $sweep_complete AND deleted_at IS NULL AND first_seen <= $d AND hash(model_id) % $parts = $part
  AND model_id NOT IN (SELECT model_id FROM night_listed);

-- ==== BEGIN history (issue 15, docs/history.md): the night's snapshots as runs of unchanged counts
-- model_snapshots is a view (migration 004): a model's counts are stored once per run of nights
-- in which they did not move. Tonight ends a model's run when its counts moved, when it is not
-- listed on a new night, or at its keyframe (at most every 32 days, so that a night's rows lie
-- in the ~32 nights of closed runs appended after it); it opens a run when the model is listed
-- with counts its run does not have. Runs are kept apart: the open ones (one per model listed
-- on the latest night; the only rows a night reads) and the closed ones (model_counts_closed:
-- recent ones, and the append-only archive they move to by eighths of the keys).
-- Per slice the night's models are compared with their run; the runs change on the last slice,
-- in one pass. A night older than the latest one splits the runs that span it (closed runs are
-- read only then; on the latest night zone maps skip them all). Re-running a night replaces
-- that night's values.
CREATE TEMP TABLE IF NOT EXISTS night_history_flags (new_night BOOLEAN, next_night DATE);
CREATE TEMP TABLE IF NOT EXISTS night_history_listed (model_key INTEGER);
CREATE TEMP TABLE IF NOT EXISTS night_history_changes (
    model_key INTEGER, listed BOOLEAN, downloads BIGINT, downloads_all_time BIGINT, likes BIGINT, gated VARCHAR,
    downloads_all_time_delta BIGINT);

DELETE FROM night_history_flags WHERE $part = 0;
DELETE FROM night_history_listed WHERE $part = 0;
DELETE FROM night_history_changes WHERE $part = 0;

-- new_night: no earlier merge wrote this date; next_night: the first stored night after it (NULL
-- on the latest night, the usual case).
INSERT INTO night_history_flags
SELECT NOT EXISTS (SELECT 1 FROM hc_merge_target.snapshot_nights WHERE snapshot_date = $d),
       (SELECT min(snapshot_date) FROM hc_merge_target.snapshot_nights WHERE snapshot_date > $d)
WHERE $part = 0;

INSERT INTO hc_merge_target.snapshot_nights
SELECT $d WHERE $part = 0 AND (SELECT new_night FROM night_history_flags);

-- The slice's models with their integer keys (new ids get the next keys, in id order).
CREATE OR REPLACE TEMP TABLE night_history_slice AS
SELECT n.model_id, k.model_key, k.first_refreshed, n.refreshed, n.downloads, n.downloads_all_time, n.likes, n.gated
FROM night_models n LEFT JOIN hc_merge_target.model_keys k USING (model_id);

CREATE OR REPLACE TEMP TABLE night_history_new_keys AS
SELECT (SELECT coalesce(max(model_key), 0) FROM hc_merge_target.model_keys)
       + CAST(row_number() OVER (ORDER BY model_id) AS INTEGER) AS model_key, model_id, refreshed
FROM night_history_slice WHERE model_key IS NULL;

INSERT INTO hc_merge_target.model_keys (model_key, model_id, first_refreshed)
SELECT model_key, model_id, CASE WHEN refreshed THEN $d END FROM night_history_new_keys;

UPDATE night_history_slice AS s SET model_key = n.model_key
FROM night_history_new_keys n WHERE s.model_id = n.model_id;

-- hub_models rows carry their key (migration 006; time travel reads it): rows without one are new
-- tonight, or were inserted whole again by tonight's refresh (a few thousand a night).
UPDATE hc_merge_target.hub_models AS m SET model_key = s.model_key
FROM night_history_slice s WHERE m.model_id = s.model_id AND m.model_key IS NULL;

-- The first night a refresh fetched the model's heavy fields (time travel: license, base models
-- and the rest were unknown before it).
UPDATE hc_merge_target.model_keys AS k SET first_refreshed = $d
FROM night_history_slice s
WHERE k.model_key = s.model_key AND s.refreshed AND (s.first_refreshed IS NULL OR s.first_refreshed > $d)
  AND (k.first_refreshed IS NULL OR k.first_refreshed > $d);

INSERT INTO night_history_listed SELECT model_key FROM night_history_slice;

-- Listed models whose run on $d does not hold their counts (or none does), or whose keyframe it
-- is. The delta of all-time downloads is against the run of the night before: the one covering
-- $d when it began earlier; when it began on $d (an earlier run of this night), its own delta
-- says what the night before held; a run an earlier run of this night ended on $d held the night
-- before. None of these: not listed the night before (NULL).
INSERT INTO night_history_changes
WITH covering AS (
    SELECT o.model_key, o.valid_from, o.downloads, o.downloads_all_time, o.likes, CAST(o.gated AS VARCHAR) AS gated,
           o.downloads_all_time_delta
    FROM hc_merge_target.model_counts_open o
    WHERE o.valid_from <= $d AND o.model_key IN (SELECT model_key FROM night_history_slice)
    UNION ALL
    SELECT c.model_key, c.valid_from, c.downloads, c.downloads_all_time, c.likes, CAST(c.gated AS VARCHAR),
           c.downloads_all_time_delta
    FROM hc_merge_target.model_counts_closed c
    WHERE c.valid_from <= $d AND c.valid_to > $d AND c.model_key IN (SELECT model_key FROM night_history_slice)
),
ended_tonight AS (   -- only when this night ran before (zone maps skip every row group otherwise)
    SELECT c.model_key, c.downloads_all_time
    FROM hc_merge_target.model_counts_closed c
    WHERE c.valid_to = $d AND c.model_key IN (SELECT model_key FROM night_history_slice)
)
SELECT s.model_key, true, s.downloads, s.downloads_all_time, s.likes, s.gated,
       CASE WHEN r.model_key IS NULL THEN s.downloads_all_time - e.downloads_all_time
            WHEN r.valid_from < $d THEN s.downloads_all_time - r.downloads_all_time
            ELSE s.downloads_all_time - r.downloads_all_time + r.downloads_all_time_delta END
FROM night_history_slice s
LEFT JOIN covering r ON r.model_key = s.model_key
LEFT JOIN ended_tonight e ON e.model_key = s.model_key
CROSS JOIN night_history_flags f
WHERE r.model_key IS NULL
   OR r.downloads IS DISTINCT FROM s.downloads
   OR r.downloads_all_time IS DISTINCT FROM s.downloads_all_time
   OR r.likes IS DISTINCT FROM s.likes
   OR r.gated IS DISTINCT FROM s.gated
   OR (f.next_night IS NULL AND r.valid_from < $d
       AND ((s.model_key + ($d - DATE '1970-01-01')) % 32 = 0 OR $d - r.valid_from >= 32));

-- Last slice: models not listed on a new night leave the run they were in on $d.
INSERT INTO night_history_changes (model_key, listed)
SELECT r.model_key, false
FROM (SELECT model_key FROM hc_merge_target.model_counts_open WHERE valid_from <= $d
      UNION ALL
      SELECT model_key FROM hc_merge_target.model_counts_closed WHERE valid_from <= $d AND valid_to > $d) r
WHERE $part = $parts - 1 AND (SELECT new_night FROM night_history_flags)
  AND r.model_key NOT IN (SELECT model_key FROM night_history_listed);

-- Last slice: the closed runs that span $d (only on a night older than the latest: zone maps
-- skip every row group otherwise) are taken out, to be put back split around $d.
CREATE OR REPLACE TEMP TABLE night_history_spanning AS
SELECT c.* FROM hc_merge_target.model_counts_closed c
WHERE $part = $parts - 1 AND c.valid_from <= $d AND c.valid_to > $d
  AND c.model_key IN (SELECT model_key FROM night_history_changes);

DELETE FROM hc_merge_target.model_runs_archive AS c
WHERE $part = $parts - 1 AND c.valid_from <= $d AND c.valid_to > $d
  AND c.model_key IN (SELECT model_key FROM night_history_spanning);

DELETE FROM hc_merge_target.model_runs_recent AS c
WHERE $part = $parts - 1 AND c.valid_from <= $d AND c.valid_to > $d
  AND c.model_key IN (SELECT model_key FROM night_history_spanning);

-- Last slice: the changed runs end on $d; on an earlier night a new run lasts until the next
-- stored night, where the run it interrupted resumes.
INSERT INTO hc_merge_target.model_runs_recent
SELECT model_key, valid_from, valid_to, downloads, downloads_all_time, likes, gated, downloads_all_time_delta FROM (
    SELECT o.model_key, o.valid_from, $d AS valid_to, o.downloads, o.downloads_all_time, o.likes, o.gated,
           o.downloads_all_time_delta
    FROM hc_merge_target.model_counts_open o
    WHERE o.valid_from < $d AND o.model_key IN (SELECT model_key FROM night_history_changes)
    UNION ALL
    SELECT s.model_key, s.valid_from, $d, s.downloads, s.downloads_all_time, s.likes, s.gated, s.downloads_all_time_delta
    FROM night_history_spanning s WHERE s.valid_from < $d
    UNION ALL
    SELECT s.model_key, f.next_night, s.valid_to, s.downloads, s.downloads_all_time, s.likes, s.gated,
           s.downloads_all_time - x.downloads_all_time   -- NULL when not listed on $d
    FROM night_history_spanning s CROSS JOIN night_history_flags f
    LEFT JOIN night_history_changes x ON x.model_key = s.model_key AND x.listed
    WHERE s.valid_to > f.next_night
    UNION ALL
    SELECT x.model_key, $d, f.next_night, x.downloads, x.downloads_all_time, x.likes,
           CAST(x.gated AS hc_merge_target.hc_gated), x.downloads_all_time_delta
    FROM night_history_changes x CROSS JOIN night_history_flags f
    WHERE x.listed AND f.next_night IS NOT NULL
)
WHERE $part = $parts - 1;

-- Last slice: tonight's eighth of the keys moves from the recent runs to the archive in key-block
-- order (model_key >> 16, blocks of 65,536 keys, then all-time downloads). The eighths are
-- contiguous ranges of today's keys (model_key * 8 // (largest key + 1) = days since 1970 % 8):
-- a batch covers one range, so the zone maps of its row groups exclude every key outside it,
-- and one model's series reads only the row groups of its own eighth's batches (one in eight
-- nights). Inside a block the counts are sorted, so neighbours have similar values and pack into
-- few bits: 5.4 bytes a run, against 7.9 with blocks of 1,024 keys (3M models; a model's runs of
-- a batch still lie in one or two row groups). The ranges drift as keys are added: a key at an
-- edge may wait one more turn (runs stay in model_runs_recent, which every reader reads too).
INSERT INTO hc_merge_target.model_runs_archive
SELECT * FROM hc_merge_target.model_runs_recent
WHERE $part = $parts - 1
  AND CAST(model_key AS BIGINT) * 8 // (SELECT max(model_key) + 1 FROM hc_merge_target.model_keys)
      = ($d - DATE '1970-01-01') % 8
ORDER BY model_key >> 16, downloads_all_time, model_key, valid_from;

DELETE FROM hc_merge_target.model_runs_recent
WHERE $part = $parts - 1
  AND CAST(model_key AS BIGINT) * 8 // (SELECT max(model_key) + 1 FROM hc_merge_target.model_keys)
      = ($d - DATE '1970-01-01') % 8;

-- Runs that begin on the next stored night now follow $d: their delta is against $d.
UPDATE hc_merge_target.model_runs_archive AS c
SET downloads_all_time_delta = CASE WHEN x.listed THEN c.downloads_all_time - x.downloads_all_time END
FROM night_history_changes x, night_history_flags f
WHERE $part = $parts - 1 AND c.valid_from > $d   -- constant: zone maps skip every row group on the latest night
  AND c.valid_from = f.next_night AND c.model_key = x.model_key;

UPDATE hc_merge_target.model_runs_recent AS c
SET downloads_all_time_delta = CASE WHEN x.listed THEN c.downloads_all_time - x.downloads_all_time END
FROM night_history_changes x, night_history_flags f
WHERE $part = $parts - 1 AND c.valid_from > $d
  AND c.valid_from = f.next_night AND c.model_key = x.model_key;

UPDATE hc_merge_target.model_counts_open AS o
SET downloads_all_time_delta = CASE WHEN x.listed THEN o.downloads_all_time - x.downloads_all_time END
FROM night_history_changes x, night_history_flags f
WHERE $part = $parts - 1 AND o.valid_from > $d AND o.valid_from = f.next_night AND o.model_key = x.model_key;

-- An open run interrupted by an earlier night resumes at the next stored night.
UPDATE hc_merge_target.model_counts_open AS o
SET valid_from = f.next_night,
    downloads_all_time_delta = o.downloads_all_time - (SELECT x.downloads_all_time FROM night_history_changes x
                                                       WHERE x.model_key = o.model_key AND x.listed)
FROM night_history_flags f
WHERE $part = $parts - 1 AND f.next_night IS NOT NULL AND o.valid_from <= $d
  AND o.model_key IN (SELECT model_key FROM night_history_changes);

DELETE FROM hc_merge_target.model_counts_open AS o
WHERE $part = $parts - 1 AND (SELECT next_night FROM night_history_flags) IS NULL
  AND o.model_key IN (SELECT model_key FROM night_history_changes);

INSERT INTO hc_merge_target.model_counts_open
SELECT x.model_key, $d, x.downloads, x.downloads_all_time, x.likes, CAST(x.gated AS hc_merge_target.hc_gated),
       x.downloads_all_time_delta
FROM night_history_changes x CROSS JOIN night_history_flags f
WHERE $part = $parts - 1 AND x.listed AND f.next_night IS NULL
ORDER BY x.model_key;

-- Base-model edges the slice's refreshed models no longer declare (deleted from lineage below),
-- kept with the night they went, so a past night's lineage can be rebuilt. An edge first seen
-- tonight (an earlier run of this night) never held on a finished night.
INSERT INTO hc_merge_target.lineage_removed (child_id, parent_id, relation, source, first_seen, removed_on)
SELECT l.child_id, l.parent_id, l.relation, l.source, l.first_seen, $d
FROM hc_merge_target.lineage AS l
WHERE l.child_id IN (SELECT model_id FROM night_models WHERE refreshed) AND l.first_seen < $d
  AND NOT EXISTS (SELECT 1 FROM night_edges e
                  WHERE e.child_id = l.child_id AND e.parent_id = l.parent_id AND e.relation = l.relation);
-- ==== END history

-- Lineage of refreshed models is replaced; unchanged edges keep their first_seen.
DELETE FROM hc_merge_target.lineage AS l
WHERE l.child_id IN (SELECT model_id FROM night_models WHERE refreshed)
  AND NOT EXISTS (SELECT 1 FROM night_edges e
                  WHERE e.child_id = l.child_id AND e.parent_id = l.parent_id AND e.relation = l.relation);

INSERT INTO hc_merge_target.lineage (child_id, parent_id, relation, source, first_seen)
SELECT e.child_id, e.parent_id, e.relation, any_value(e.source), $d
FROM night_edges e
WHERE NOT EXISTS (SELECT 1 FROM hc_merge_target.lineage l
                  WHERE l.child_id = e.child_id AND l.parent_id = e.parent_id AND l.relation = e.relation)
GROUP BY e.child_id, e.parent_id, e.relation;
