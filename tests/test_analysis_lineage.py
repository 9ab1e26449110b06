"""Lineage walks on the hand-built example (see the diagram in analysis/example_db.py):
a diamond merge, a deleted intermediate, orphans whose parent is not on the Hub, a cycle in bad
data, a self-edge, 'unknown' and unrecognised relations."""

import pytest

from analysis.example_db import EXAMPLE_LINEAGE, EXAMPLE_MODELS, create_crawl_db, create_example_db, model
from analysis.installer import install


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return create_example_db(tmp_path_factory.mktemp("lineage") / "example.duckdb")


def rows(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def test_alive_lineage_drops_dead_children_and_self_edges_and_reads_odd_relations_as_unknown(con):
    assert rows(con, "SELECT child_id, parent_id, relation FROM alive_lineage ORDER BY ALL") == [
        ("cyc/C1", "cyc/C2", "finetune"),
        ("cyc/C2", "cyc/C1", "finetune"),
        ("cyc/C3", "cyc/C2", "quantized"),
        ("ft/A1", "base/A", "finetune"),
        ("ft/A2", "base/A", "adapter"),
        ("ft/X1", "del/X", "finetune"),
        ("mrg/M", "ft/A1", "merge"),
        ("mrg/M", "ft/A2", "merge"),
        ("orph/O", "ghost/G", "finetune"),
        ("orph/O2", "orph/O", "adapter"),
        ("q/A1q", "ft/A1", "quantized"),
        ("unk/U", "base/B", "unknown"),
        ("unk/U2", "base/B", "unknown"),
    ]


def test_direct_children_by_relation(con):
    # (model, direct, finetune, adapter, quantized, merge, unknown); del/X's edge to base/A is dead.
    assert rows(con, "SELECT * FROM direct_children ORDER BY model_id") == [
        ("base/A", 2, 1, 1, 0, 0, 0),
        ("base/B", 2, 0, 0, 0, 0, 2),
        ("cyc/C1", 1, 1, 0, 0, 0, 0),
        ("cyc/C2", 2, 1, 0, 1, 0, 0),
        ("del/X", 1, 1, 0, 0, 0, 0),
        ("ft/A1", 2, 0, 0, 1, 1, 0),
        ("ft/A2", 1, 0, 0, 0, 1, 0),
        ("ghost/G", 1, 1, 0, 0, 0, 0),
        ("orph/O", 1, 0, 1, 0, 0, 0),
    ]


def test_descendants_count_the_diamond_once_skip_deleted_intermediates_and_exclude_self_on_cycles(con):
    assert rows(con, "SELECT * FROM descendant_counts ORDER BY model_id") == [
        ("base/A", 4),   # ft/A1, ft/A2, q/A1q, mrg/M (merge reached twice, once); not del/X nor ft/X1
        ("base/B", 2),
        ("cyc/C1", 2),   # cyc/C2, cyc/C3; the cycle back to cyc/C1 is not counted
        ("cyc/C2", 2),
        ("del/X", 1),    # a deleted parent still has its alive child
        ("ft/A1", 2),
        ("ft/A2", 1),
        ("ghost/G", 2),  # a parent never seen on the Hub
        ("orph/O", 1),
    ]


def test_internal_reach_holds_only_models_with_children(con):
    assert rows(con, "SELECT * FROM lineage_internal_reach ORDER BY ALL") == [
        ("base/A", "ft/A1"), ("base/A", "ft/A2"),
        ("cyc/C1", "cyc/C1"), ("cyc/C1", "cyc/C2"), ("cyc/C2", "cyc/C1"), ("cyc/C2", "cyc/C2"),
        ("ghost/G", "orph/O"),
    ]


def test_roots_and_generations(con):
    assert rows(con, "SELECT * FROM lineage_roots ORDER BY 1") == [("base/A",), ("base/B",), ("del/X",), ("ghost/G",)]
    # Models only on the rootless cycle have no generation.
    assert rows(con, "SELECT * FROM lineage_generations ORDER BY model_id") == [
        ("base/A", 0), ("base/B", 0), ("del/X", 0), ("ft/A1", 1), ("ft/A2", 1), ("ft/X1", 1), ("ghost/G", 0),
        ("mrg/M", 2), ("orph/O", 1), ("orph/O2", 2), ("q/A1q", 2), ("unk/U", 1), ("unk/U2", 1),
    ]


def test_derivatives_per_model(con):
    # model, on_hub, alive, direct, finetune, adapter, quantized, merge, unknown, descendants,
    # generation, generations_below, roots
    assert rows(con, "SELECT * FROM derivatives ORDER BY model_id") == [
        ("base/A", True, True, 2, 1, 1, 0, 0, 0, 4, 0, 2, ["base/A"]),
        ("base/B", True, True, 2, 0, 0, 0, 0, 2, 2, 0, 1, ["base/B"]),
        ("cyc/C1", True, True, 1, 1, 0, 0, 0, 0, 2, None, None, []),
        ("cyc/C2", True, True, 2, 1, 0, 1, 0, 0, 2, None, None, []),
        ("del/X", True, False, 1, 1, 0, 0, 0, 0, 1, 0, 1, ["del/X"]),
        ("ft/A1", True, True, 2, 0, 0, 1, 1, 0, 2, 1, 1, ["base/A"]),
        ("ft/A2", True, True, 1, 0, 0, 0, 1, 0, 1, 1, 1, ["base/A"]),
        ("ghost/G", False, False, 1, 1, 0, 0, 0, 0, 2, 0, 2, ["ghost/G"]),
        ("orph/O", True, True, 1, 0, 1, 0, 0, 0, 1, 1, 1, ["ghost/G"]),
    ]


def test_family_roots_and_top_families(con):
    expected = [
        ("base/A", True, True, 2, 4, 2),
        ("base/B", True, True, 2, 2, 1),
        ("ghost/G", False, False, 1, 2, 2),
        ("del/X", True, False, 1, 1, 1),
    ]
    assert rows(con, "SELECT * FROM family_roots") == expected
    assert rows(con, "SELECT * FROM top_families") == [(i + 1, *row) for i, row in enumerate(expected)]


def test_hub_children_count_check_shows_where_the_hub_disagrees(con):
    assert rows(con, "SELECT * FROM hub_children_count_check ORDER BY model_id") == [
        # the Hub still counts the deleted del/X as a finetune of base/A
        ("base/A", 2, 1, 1, 1, 0, 0, 0, 0, False),
        # unknown-relation children are not in any of the Hub's four counts
        ("base/B", 0, 0, 0, 0, 0, 0, 0, 0, True),
    ]


def test_orphans_and_summary(con):
    assert rows(con, "SELECT * FROM lineage_orphans") == [("orph/O", "ghost/G", "finetune")]
    # relation, edges, child models, parents, parents not on the Hub, parents deleted
    assert rows(con, "SELECT * FROM lineage_summary") == [
        ("adapter", 2, 2, 2, 0, 0),
        ("finetune", 5, 5, 5, 1, 1),
        ("merge", 2, 1, 2, 0, 0),
        ("quantized", 2, 2, 2, 0, 0),
        ("unknown", 2, 2, 1, 0, 0),
    ]


def test_descendants_of_and_ancestors_of_macros(con):
    assert rows(con, "SELECT * FROM descendants_of(?) ORDER BY distance, model_id", "base/A") == [
        ("ft/A1", 1), ("ft/A2", 1), ("mrg/M", 2), ("q/A1q", 2)]
    assert rows(con, "SELECT * FROM descendants_of(?) ORDER BY distance, model_id", "cyc/C1") == [
        ("cyc/C2", 1), ("cyc/C3", 2)]
    assert rows(con, "SELECT * FROM ancestors_of(?) ORDER BY distance, model_id", "mrg/M") == [
        ("ft/A1", 1), ("ft/A2", 1), ("base/A", 2)]
    # The walk stops at the deleted parent: its own edge to base/A has a dead child.
    assert rows(con, "SELECT * FROM ancestors_of(?) ORDER BY distance, model_id", "ft/X1") == [("del/X", 1)]


@pytest.mark.parametrize("merge_parents", [2, 3, 5])
def test_a_merge_of_many_siblings_counts_once(tmp_path, merge_parents):
    """root -> p1..pn (finetunes) -> one merge of all of them: root has n + 1 descendants."""
    parents = [f"p/{i}" for i in range(merge_parents)]
    models = [model(m, "2026-01-01T00:00:00") for m in ["root/r", "merge/m", *parents]]
    edges = [(p, "root/r", "finetune") for p in parents] + [("merge/m", p, "merge") for p in parents]
    con = create_crawl_db(tmp_path / "t.duckdb", models=models, lineage=edges)
    install(con)
    assert rows(con, "SELECT descendants FROM descendant_counts WHERE model_id = 'root/r'") == [(merge_parents + 1,)]
    assert rows(con, "SELECT direct, finetune, merge, descendants FROM figure_top_derivatives WHERE model_id = 'root/r'") == [
        (merge_parents, merge_parents, 0, merge_parents + 1)]


@pytest.mark.parametrize("cycle_length", [2, 3, 7])
def test_cycles_of_any_length_terminate_and_exclude_the_start(tmp_path, cycle_length):
    ring = [f"ring/{i}" for i in range(cycle_length)]
    models = [model(m, "2026-01-01T00:00:00") for m in ring + ["leaf/x"]]
    edges = [(ring[(i + 1) % cycle_length], ring[i], "finetune") for i in range(cycle_length)] + [("leaf/x", ring[0], "adapter")]
    con = create_crawl_db(tmp_path / "t.duckdb", models=models, lineage=edges)
    install(con)
    # every ring member reaches the other members and the leaf
    assert rows(con, "SELECT DISTINCT descendants FROM descendant_counts") == [(cycle_length,)]
    assert rows(con, "SELECT count(*) FROM lineage_roots") == [(0,)]


def test_same_parent_and_child_under_two_relations_is_one_child(tmp_path):
    models = [model(m, "2026-01-01T00:00:00") for m in ["a/root", "a/kid", "a/grandkid"]]
    edges = [("a/kid", "a/root", "finetune"), ("a/kid", "a/root", "merge"), ("a/grandkid", "a/kid", "quantized")]
    con = create_crawl_db(tmp_path / "t.duckdb", models=models, lineage=edges)
    install(con)
    assert rows(con, "SELECT * FROM figure_top_derivatives") == [
        ("a/root", 1, 2, 1, 0, 0, 1), ("a/kid", 1, 1, 0, 0, 1, 0)]
    assert rows(con, "SELECT * FROM figure_relation_counts") == [
        ("adapter", 0), ("finetune", 1), ("merge", 1), ("quantized", 1), ("unknown", 0)]


def test_example_lineage_is_what_the_docstring_draws():
    assert len(EXAMPLE_MODELS) == 16 and len(EXAMPLE_LINEAGE) == 15
