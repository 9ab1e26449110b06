-- Lineage walks (question 2). Every walk follows edges parent -> child whose child is alive
-- (docs/figures.md): it passes only through alive models; parents may be missing or deleted.
-- Cycle-safe: recursive CTEs use UNION (duplicates of earlier rows are discarded, so a cycle
-- stops growing) or USING KEY with a "not seen yet" filter.

-- Per parent: distinct alive children, in total and by relation ('unknown' counts in direct only).
CREATE OR REPLACE VIEW direct_children AS
WITH per_child AS (  -- one row per (parent, child): cheaper than six count(DISTINCT ...)
    SELECT parent_id, child_id,
           bool_or(relation = 'finetune') AS finetune,
           bool_or(relation = 'adapter') AS adapter,
           bool_or(relation = 'quantized') AS quantized,
           bool_or(relation = 'merge') AS merge,
           bool_or(relation = 'unknown') AS "unknown"
    FROM alive_lineage
    GROUP BY 1, 2
)
SELECT parent_id AS model_id,
       count(*) AS direct,
       count_if(finetune) AS finetune,
       count_if(adapter) AS adapter,
       count_if(quantized) AS quantized,
       count_if(merge) AS merge,
       count_if("unknown") AS "unknown"
FROM per_child
GROUP BY parent_id;

-- (ancestor, descendant) pairs restricted to "internal" descendants: models that themselves
-- have alive children. Leaves are the bulk of the Hub and never extend a walk, so walking only
-- internal nodes keeps the recursion ~6x smaller; leaves are added back by counting.
CREATE OR REPLACE VIEW lineage_internal_reach AS
WITH RECURSIVE
    edges AS MATERIALIZED (SELECT parent_id, child_id FROM alive_lineage),
    internal_edges AS MATERIALIZED (
        SELECT DISTINCT e.parent_id, e.child_id FROM edges e
        WHERE e.child_id IN (SELECT parent_id FROM edges)
    ),
    reach(ancestor_id, descendant_id) AS (
        SELECT parent_id, child_id FROM internal_edges
        UNION
        SELECT r.ancestor_id, e.child_id
        FROM reach r JOIN internal_edges e ON e.parent_id = r.descendant_id
    )
SELECT ancestor_id, descendant_id FROM reach;

-- Transitive descendants of every model with at least one alive child, exactly, without
-- materializing the full closure (which holds every leaf of every family):
--   span(a)  = {a} + internal nodes reachable from a
--   edges(a) = alive edges leaving span(a); their children are exactly a's descendants
--   distinct children = |edges(a)| - sum over children hit k>1 times of (k - 1)
-- Only models with more than one incoming edge (merges, multi-parent, multi-relation) can be
-- hit twice, and they are few, so the correction joins a small set. A cycle back to `a`
-- makes `a` its own child; it is excluded, as docs/figures.md requires.
-- (The walk is spelled out here rather than read from lineage_internal_reach so that all
-- steps share one materialized copy of the edges: 2x faster at 3M models.)
CREATE OR REPLACE VIEW descendant_counts AS
WITH RECURSIVE
    edges AS MATERIALIZED (SELECT parent_id, child_id FROM alive_lineage),
    out_degree AS MATERIALIZED (SELECT parent_id AS model_id, count(*) AS n FROM edges GROUP BY 1),
    -- Children with more than one edge, found by the hash of their id: grouping 1.3M integers is
    -- cheaper than 1.3M strings, and a collision only adds children hit once (k - 1 = 0).
    multi_parent AS MATERIALIZED (SELECT hash(child_id) AS child_hash FROM edges GROUP BY 1 HAVING count(*) > 1),
    internal_edges AS MATERIALIZED (
        SELECT DISTINCT e.parent_id, e.child_id FROM edges e SEMI JOIN out_degree o ON o.model_id = e.child_id
    ),
    reach(ancestor_id, descendant_id) AS (
        SELECT parent_id, child_id FROM internal_edges
        UNION
        SELECT r.ancestor_id, e.child_id FROM reach r JOIN internal_edges e ON e.parent_id = r.descendant_id
    ),
    reach_m AS MATERIALIZED (SELECT * FROM reach),
    span AS MATERIALIZED (
        SELECT ancestor_id, descendant_id AS member_id FROM reach_m WHERE descendant_id <> ancestor_id
        UNION ALL
        SELECT model_id, model_id FROM out_degree
    ),
    edge_total AS (
        SELECT s.ancestor_id, sum(o.n) AS n FROM span s JOIN out_degree o ON o.model_id = s.member_id GROUP BY 1
    ),
    repeats AS (
        SELECT ancestor_id, sum(hits - 1) AS n
        FROM (SELECT s.ancestor_id, e.child_id, count(*) AS hits
              FROM span s JOIN edges e ON e.parent_id = s.member_id
              SEMI JOIN multi_parent mp ON mp.child_hash = hash(e.child_id)
              GROUP BY 1, 2)
        GROUP BY 1
    ),
    self_reaching AS (SELECT ancestor_id FROM reach_m WHERE ancestor_id = descendant_id)
SELECT t.ancestor_id AS model_id,
       CAST(t.n - coalesce(r.n, 0) - CASE WHEN s.ancestor_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS descendants
FROM edge_total t
LEFT JOIN repeats r USING (ancestor_id)
LEFT JOIN self_reaching s USING (ancestor_id);

-- Roots: models with alive children that are not themselves the alive child of any edge
-- (no parents, or deleted, or never on the Hub). A walk from a root covers its family.
CREATE OR REPLACE VIEW lineage_roots AS
SELECT DISTINCT parent_id AS model_id
FROM alive_lineage
WHERE parent_id NOT IN (SELECT child_id FROM alive_lineage);

-- Generation of every model in a lineage: shortest number of edges from its nearest root
-- (multi-source BFS; roots are 0). The BFS walks internal nodes only (leaves get 1 + the
-- smallest generation of their parents); a cycle reachable from a root repeats its nodes with
-- growing generations until the cap of 100 generations (the Hub's deepest trees are far
-- shallower), and min() keeps the first. Models only on a rootless cycle have no row.
CREATE OR REPLACE VIEW lineage_generations AS
WITH RECURSIVE
    edges AS MATERIALIZED (SELECT DISTINCT parent_id, child_id FROM alive_lineage),
    internal_edges AS MATERIALIZED (SELECT * FROM edges WHERE child_id IN (SELECT parent_id FROM edges)),
    bfs(model_id, generation) AS (
        SELECT model_id, 0 FROM lineage_roots
        UNION
        SELECT e.child_id, b.generation + 1
        FROM bfs b JOIN internal_edges e ON e.parent_id = b.model_id
        WHERE b.generation < 100
    ),
    internal_generations AS MATERIALIZED (SELECT model_id, min(generation) AS generation FROM bfs GROUP BY 1)
SELECT model_id, generation FROM internal_generations
UNION ALL
SELECT e.child_id, min(g.generation) + 1
FROM edges e JOIN internal_generations g ON g.model_id = e.parent_id
WHERE e.child_id NOT IN (SELECT model_id FROM internal_generations)
GROUP BY 1;

-- One row per model with at least one alive child (every candidate of top_derivatives):
-- direct children by relation, transitive descendants, its generation (distance from its
-- nearest root), how many generations of descendants hang below it (a leaf counts one
-- generation below the parent it hangs from), and the root(s) it descends from (itself when
-- it is a root; [] on a rootless cycle). The walks of descendant_counts and
-- lineage_generations are spelled out again here so that they share one materialized copy
-- of the edges and of the reach (2x faster than joining those views at 3M models); the tests
-- check both give the same numbers.
CREATE OR REPLACE VIEW derivatives AS
WITH RECURSIVE
    edges AS MATERIALIZED (SELECT parent_id, child_id, relation FROM alive_lineage),
    direct AS MATERIALIZED (
        SELECT parent_id AS model_id, count(*) AS direct,
               count_if(finetune) AS finetune, count_if(adapter) AS adapter, count_if(quantized) AS quantized,
               count_if(merge) AS merge, count_if("unknown") AS "unknown"
        FROM (SELECT parent_id, child_id,
                     bool_or(relation = 'finetune') AS finetune, bool_or(relation = 'adapter') AS adapter,
                     bool_or(relation = 'quantized') AS quantized, bool_or(relation = 'merge') AS merge,
                     bool_or(relation = 'unknown') AS "unknown"
              FROM edges GROUP BY 1, 2)
        GROUP BY 1
    ),
    out_degree AS MATERIALIZED (SELECT parent_id AS model_id, count(*) AS n FROM edges GROUP BY 1),
    -- Children with more than one edge, found by the hash of their id: grouping 1.3M integers is
    -- cheaper than 1.3M strings, and a collision only adds children hit once (k - 1 = 0).
    multi_parent AS MATERIALIZED (SELECT hash(child_id) AS child_hash FROM edges GROUP BY 1 HAVING count(*) > 1),
    internal_edges AS MATERIALIZED (
        SELECT DISTINCT e.parent_id, e.child_id FROM edges e SEMI JOIN out_degree o ON o.model_id = e.child_id
    ),
    reach(ancestor_id, descendant_id) AS (
        SELECT parent_id, child_id FROM internal_edges
        UNION
        SELECT r.ancestor_id, e.child_id FROM reach r JOIN internal_edges e ON e.parent_id = r.descendant_id
    ),
    reach_m AS MATERIALIZED (SELECT * FROM reach),
    span AS MATERIALIZED (
        SELECT ancestor_id, descendant_id AS member_id FROM reach_m WHERE descendant_id <> ancestor_id
        UNION ALL
        SELECT model_id, model_id FROM out_degree
    ),
    edge_total AS (SELECT s.ancestor_id, sum(o.n) AS n FROM span s JOIN out_degree o ON o.model_id = s.member_id GROUP BY 1),
    repeats AS (
        SELECT ancestor_id, sum(hits - 1) AS n
        FROM (SELECT s.ancestor_id, e.child_id, count(*) AS hits
              FROM span s JOIN edges e ON e.parent_id = s.member_id
              SEMI JOIN multi_parent mp ON mp.child_hash = hash(e.child_id)
              GROUP BY 1, 2)
        GROUP BY 1
    ),
    self_reaching AS (SELECT ancestor_id FROM reach_m WHERE ancestor_id = descendant_id),
    descendants AS (
        SELECT t.ancestor_id AS model_id,
               CAST(t.n - coalesce(r.n, 0) - CASE WHEN s.ancestor_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS descendants
        FROM edge_total t LEFT JOIN repeats r USING (ancestor_id) LEFT JOIN self_reaching s USING (ancestor_id)
    ),
    roots AS MATERIALIZED (SELECT model_id FROM out_degree WHERE model_id NOT IN (SELECT child_id FROM edges)),
    bfs(model_id, generation) AS (
        SELECT model_id, 0 FROM roots
        UNION
        SELECT e.child_id, b.generation + 1
        FROM bfs b JOIN internal_edges e ON e.parent_id = b.model_id
        WHERE b.generation < 100
    ),
    internal_generations AS MATERIALIZED (SELECT model_id, min(generation) AS generation FROM bfs GROUP BY 1),
    deepest_child AS MATERIALIZED (   -- greatest generation among a parent's children
        SELECT e.parent_id AS model_id,
               max(coalesce(g.generation, pg.generation + 1)) AS generation
        FROM edges e
        LEFT JOIN internal_generations g ON g.model_id = e.child_id
        LEFT JOIN internal_generations pg ON pg.model_id = e.parent_id
        GROUP BY 1
    ),
    below AS (
        SELECT s.ancestor_id AS model_id, max(d.generation) AS deepest
        FROM span s JOIN deepest_child d ON d.model_id = s.member_id
        GROUP BY 1
    ),
    roots_of AS (
        SELECT r.descendant_id AS model_id, list(DISTINCT r.ancestor_id ORDER BY r.ancestor_id) AS roots
        FROM reach_m r SEMI JOIN roots ON roots.model_id = r.ancestor_id
        GROUP BY 1
    )
SELECT d.model_id,
       m.model_id IS NOT NULL AS on_hub,
       m.model_id IS NOT NULL AND m.deleted_at IS NULL AS alive,
       d.direct, d.finetune, d.adapter, d.quantized, d.merge, d."unknown",
       c.descendants,
       g.generation,
       b.deepest - g.generation AS generations_below,
       CASE WHEN g.generation = 0 THEN [d.model_id] ELSE coalesce(ro.roots, []) END AS roots
FROM direct d
JOIN descendants c USING (model_id)
LEFT JOIN hub_models m USING (model_id)
LEFT JOIN internal_generations g USING (model_id)
LEFT JOIN below b USING (model_id)
LEFT JOIN roots_of ro USING (model_id)
ORDER BY d.model_id;

-- Families: one row per root with its size, depth (generations below the root) and whether
-- the root itself is on the Hub.
CREATE OR REPLACE VIEW family_roots AS
SELECT model_id AS root_id, on_hub, alive, direct, descendants, generations_below AS family_depth
FROM derivatives
WHERE generation = 0  -- exactly the roots
ORDER BY descendants DESC, root_id;

-- The 100 largest families by descendants (ties by root id).
CREATE OR REPLACE VIEW top_families AS
SELECT row_number() OVER (ORDER BY descendants DESC, root_id) AS rank, *
FROM family_roots
ORDER BY descendants DESC, root_id
LIMIT 100;

-- Where the crawl cross-checked the Hub's own childrenModelCount: the Hub's numbers beside
-- ours (distinct alive children by relation) and whether they agree. The Hub counts
-- children we may not list (e.g. new since the sweep), so disagreement is information.
CREATE OR REPLACE VIEW hub_children_count_check AS
SELECT m.model_id,
       m.hub_children_count.finetune AS hub_finetune, coalesce(d.finetune, 0) AS our_finetune,
       m.hub_children_count.adapter AS hub_adapter, coalesce(d.adapter, 0) AS our_adapter,
       m.hub_children_count.quantized AS hub_quantized, coalesce(d.quantized, 0) AS our_quantized,
       m.hub_children_count.merge AS hub_merge, coalesce(d.merge, 0) AS our_merge,
       (m.hub_children_count.finetune IS NOT DISTINCT FROM coalesce(d.finetune, 0)
        AND m.hub_children_count.adapter IS NOT DISTINCT FROM coalesce(d.adapter, 0)
        AND m.hub_children_count.quantized IS NOT DISTINCT FROM coalesce(d.quantized, 0)
        AND m.hub_children_count.merge IS NOT DISTINCT FROM coalesce(d.merge, 0)) AS agrees
FROM hub_models m
LEFT JOIN direct_children d USING (model_id)
WHERE m.hub_children_count IS NOT NULL;

-- Alive models whose declared parent was never seen on the Hub (gated-away, private, typo).
CREATE OR REPLACE VIEW lineage_orphans AS
SELECT child_id, parent_id, relation   -- each edge once (alive_lineage)
FROM alive_lineage
WHERE parent_id NOT IN (SELECT model_id FROM hub_models);

-- Per relation: edges with an alive child, distinct child models, distinct parents, and how
-- many of those parents are missing from or deleted on the Hub.
CREATE OR REPLACE VIEW lineage_summary AS
WITH edges AS (SELECT parent_id, child_id, relation FROM alive_lineage)   -- each edge once (alive_lineage)
SELECT r.relation,
       count(e.child_id) AS edges,
       count(DISTINCT e.child_id) AS child_models,
       count(DISTINCT e.parent_id) AS parents,
       count(DISTINCT e.parent_id) FILTER (WHERE m.model_id IS NULL) AS parents_not_on_hub,
       count(DISTINCT e.parent_id) FILTER (WHERE m.deleted_at IS NOT NULL) AS parents_deleted
FROM (VALUES ('finetune'), ('adapter'), ('quantized'), ('merge'), ('unknown')) r(relation)
LEFT JOIN edges e USING (relation)
LEFT JOIN hub_models m ON m.model_id = e.parent_id
GROUP BY r.relation
ORDER BY r.relation;

-- Every descendant of one model with its distance (shortest path), e.g.
--   SELECT * FROM descendants_of('microsoft/phi-2') ORDER BY distance, model_id
CREATE OR REPLACE MACRO descendants_of(root_id) AS TABLE
WITH RECURSIVE walk(model_id, distance) USING KEY (model_id) AS (
    SELECT child_id, 1 FROM alive_lineage WHERE parent_id = root_id
    UNION
    SELECT e.child_id, w.distance + 1
    FROM walk w JOIN alive_lineage e ON e.parent_id = w.model_id
    WHERE NOT EXISTS (SELECT 1 FROM recurring.walk seen WHERE seen.model_id = e.child_id)
)
SELECT model_id, distance FROM walk WHERE model_id <> root_id;

-- Every ancestor of one model with its distance, e.g.
--   SELECT * FROM ancestors_of('some/finetune') ORDER BY distance, model_id
CREATE OR REPLACE MACRO ancestors_of(leaf_id) AS TABLE
WITH RECURSIVE walk(model_id, distance) USING KEY (model_id) AS (
    SELECT parent_id, 1 FROM alive_lineage WHERE child_id = leaf_id
    UNION
    SELECT e.parent_id, w.distance + 1
    FROM walk w JOIN alive_lineage e ON e.child_id = w.model_id
    WHERE NOT EXISTS (SELECT 1 FROM recurring.walk seen WHERE seen.model_id = e.parent_id)
)
SELECT model_id, distance FROM walk WHERE model_id <> leaf_id;
