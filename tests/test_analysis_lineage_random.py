"""The lineage views against a plain breadth-first search, on random graphs full of what
breaks walks: merges, cycles, self-edges, deleted models, parents missing from the Hub,
duplicate edges under two relations."""

import random
from collections import deque

import pytest

from analysis.example_db import create_crawl_db, model
from analysis.installer import install

RELATIONS = ["finetune", "adapter", "quantized", "merge", "unknown", "odd-relation"]


def random_hub(seed: int, size: int = 120):
    rng = random.Random(seed)
    ids = [f"org{i % 7}/m{i:03d}" for i in range(size)]
    deleted = {m for m in ids if rng.random() < 0.1}
    models = [model(m, "2026-01-01T00:00:00", deleted_at="2026-11-09" if m in deleted else None) for m in ids]
    edges = set()
    for i, child in enumerate(ids[1:], start=1):
        for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):  # several parents = merges
            parent = ids[rng.randrange(i)] if rng.random() < 0.9 else f"ghost/g{rng.randrange(5)}"
            edges.add((child, parent, rng.choice(RELATIONS)))
    for _ in range(6):  # back edges make cycles; an occasional self-edge
        a, b = rng.sample(ids, 2)
        edges.add((a, b, "finetune"))
        edges.add((a, a, "finetune"))
    return models, sorted(edges), deleted


def oracle(edges, deleted):
    alive_children = {}
    for child, parent, relation in edges:
        if child != parent and child not in deleted:
            alive_children.setdefault(parent, set()).add(child)
    descendants = {}
    for start in alive_children:
        seen, queue = set(), deque([start])
        while queue:
            for child in alive_children.get(queue.popleft(), ()):
                if child not in seen:
                    seen.add(child)
                    queue.append(child)
        descendants[start] = len(seen - {start})
    children_of_someone = {c for kids in alive_children.values() for c in kids}
    roots = sorted(set(alive_children) - children_of_someone)
    generation, queue = {r: 0 for r in roots}, deque(roots)
    while queue:
        node = queue.popleft()
        for child in alive_children.get(node, ()):
            if child not in generation:
                generation[child] = generation[node] + 1
                queue.append(child)
    return alive_children, descendants, roots, generation


@pytest.mark.parametrize("seed", range(8))
def test_lineage_views_agree_with_breadth_first_search(tmp_path, seed):
    models, edges, deleted = random_hub(seed)
    con = create_crawl_db(tmp_path / "t.duckdb", models=models, lineage=edges)
    install(con)
    alive_children, descendants, roots, generation = oracle(edges, deleted)

    assert dict(con.execute("SELECT * FROM descendant_counts").fetchall()) == descendants
    assert dict(con.execute("SELECT model_id, descendants FROM derivatives").fetchall()) == descendants
    assert dict(con.execute("SELECT model_id, direct FROM derivatives").fetchall()) == {p: len(c) for p, c in alive_children.items()}
    assert [r for (r,) in con.execute("SELECT model_id FROM lineage_roots ORDER BY 1").fetchall()] == roots
    assert dict(con.execute("SELECT * FROM lineage_generations").fetchall()) == generation

    expected_top = sorted(descendants, key=lambda p: (-descendants[p], p))[:20]
    got_top = con.execute("SELECT model_id, direct, descendants FROM figure_top_derivatives").fetchall()
    assert got_top == [(p, len(alive_children[p]), descendants[p]) for p in expected_top]

    for start in expected_top[:3]:
        walked = con.execute("SELECT model_id FROM descendants_of(?)", [start]).fetchall()
        assert len(walked) == descendants[start]
