"""Helpers for the crawl tests (no tests here): DB content dumps and expectations from hubsim."""

from __future__ import annotations

import duckdb

RELATIONS = ("finetune", "adapter", "quantized", "merge", "unknown")


def content(db_path, runs: bool = True) -> dict:
    """Everything a crawl stores, in a comparable form (run ids and costs left out: retries,
    requests and bytes legitimately differ between a clean and a faulty crawl)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        out = {
            # model_key left out: a merge in slices numbers each slice's new ids in turn
            "hub_models": con.execute("SELECT * EXCLUDE (model_key) FROM hub_models ORDER BY model_id").fetchall(),
            "model_snapshots": con.execute("SELECT * FROM model_snapshots ORDER BY ALL").fetchall(),
            "lineage": con.execute("SELECT * FROM lineage ORDER BY ALL").fetchall(),
            "model_changes": con.execute("SELECT * FROM model_changes ORDER BY ALL").fetchall(),
        }
        if runs:
            out["crawl_runs"] = con.execute(
                "SELECT plan, status, snapshot_date, pages, models_seen, skipped_records, watermark, endpoint "
                "FROM crawl_runs ORDER BY run_id").fetchall()
        return out
    finally:
        con.close()


def sim_edges(universe) -> set[tuple[str, str, str]]:
    """The simulator's lineage edges of alive models (its own graph, not a crawl)."""
    from hubsim.truth import LineageGraph

    g = LineageGraph.from_universe(universe)
    return {(g.name(int(c)), g.name(int(p)), RELATIONS[int(r)]) for c, p, r in zip(g.child, g.parent, g.rel)}


def alive_ids(universe) -> set[str]:
    mask = universe.alive_mask()
    return {universe.model_id(int(s)) for s in mask.nonzero()[0]}


def license_of(record: dict) -> str | None:
    """docs/figures.md's license, written again here as the test's own oracle."""
    for tag in record.get("tags") or []:
        if isinstance(tag, str) and tag.startswith("license:") and len(tag) > 8:
            return tag[8:].lower()
    value = (record.get("cardData") or {}).get("license")
    if isinstance(value, list):
        value = value[0] if value else None
    return value.lower() if isinstance(value, str) and value else None
