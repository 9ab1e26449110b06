"""Crawling hubsim over real HTTP: a first night, the next night, and the real sample.

Expectations come from the simulator's own state (its universe, its lineage graph, its
records rendered by its own code), never from the crawler's code.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil

import duckdb
import pytest

import pipeline
from hubsim.render import PageRenderer
from hubsim.truth import record_edges
from tests.crawl_helpers import alive_ids, license_of, sim_edges

# The models night's mechanics (plans, bytes, catch-up); the three-type night: test_crawl_lifecycle.py
MODELS_ONLY = ("models",)

MODELS = 20_000
DAY1, DAY2 = dt.date(2026, 11, 1), dt.date(2026, 11, 2)


def served_records(universe) -> dict[str, dict]:
    """Every alive model as the simulator serves it in full (rendered by hubsim itself)."""
    slots = [int(s) for s in universe.alive_mask().nonzero()[0]]
    keys = ["_id", "id", "gated", "tags", "cardData", "pipeline_tag", "library_name", "safetensors", "downloads",
            "downloadsAllTime", "likes", "createdAt", "lastModified"]
    return {r["id"]: r for r in PageRenderer(universe).render(slots, keys, True)}


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """Day 1 crawled into a copy, then day 2 on top: (sim, day1 db, day2 db, stats per night, results)."""
    from hubsim.server import SimServer
    from hubsim.universe import Universe

    sim = SimServer(Universe.build(models=MODELS, seed=7, day=1)).start()
    try:
        base = tmp_path_factory.mktemp("nights")
        db = base / "hub.duckdb"
        u1 = sim.universe
        r1 = pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY)
        stats1 = sim.stats()
        day1 = base / "day1.duckdb"
        shutil.copy(db, day1)
        sim.set_day(2)
        sim.reset_stats()
        u2 = sim.universe
        r2 = pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY)
        stats2 = sim.stats()
        yield {"u1": u1, "u2": u2, "day1": day1, "day2": db, "stats1": stats1, "stats2": stats2, "r1": r1, "r2": r2}
    finally:
        sim.stop()


def heavy_entry(stats) -> dict:
    return next(e for e in stats["by_request"] if e["kind"] == "list" and "cardData" in e["expand"])


def light_entry(stats) -> dict:
    return next(e for e in stats["by_request"] if e["kind"] == "list" and "cardData" not in e["expand"])


def single_model_entry(stats) -> dict | None:
    return next((e for e in stats["by_request"] if e["kind"] == "model"), None)


def published_tonight(universe, day: int) -> set[str]:
    """Models the simulator made public on `day` with a createdAt days before it."""
    c = universe.c
    day_start = dt.datetime.combine(DAY1 + dt.timedelta(days=day - 1), dt.time(), dt.timezone.utc).timestamp()
    slots = ((c["born"] == day) & (c["created"] < day_start) & universe.alive_mask()).nonzero()[0]
    return {universe.model_id(int(s)) for s in slots}


def test_first_night_stores_every_model_once_with_the_served_values(nights):
    u = nights["u1"]
    served = served_records(u)
    con = duckdb.connect(str(nights["day1"]), read_only=True)
    rows = con.execute("SELECT model_id, license, gated, pipeline_tag, library_name, params, downloads, "
                       "downloads_all_time, likes, created_at, last_modified, first_seen, last_seen, deleted_at, "
                       "refreshed_on FROM hub_models").fetchall()
    assert len(rows) == len({r[0] for r in rows}) == len(served) == MODELS
    for (mid, lic, gated, pipe, lib, params, dl, dl_all, likes, created, lastmod, first, last, deleted, refreshed) in rows:
        rec = served[mid]
        assert lic == license_of(rec), mid
        assert gated == (rec["gated"] if rec["gated"] in ("auto", "manual") else "none")
        assert (pipe, lib) == (rec.get("pipeline_tag"), rec.get("library_name"))
        assert params == (rec.get("safetensors") or {}).get("total")
        assert (dl, dl_all, likes) == (rec["downloads"], rec["downloadsAllTime"], rec["likes"])
        assert created.isoformat(timespec="milliseconds") + "Z" == rec["createdAt"]
        assert lastmod.isoformat(timespec="milliseconds") + "Z" == rec["lastModified"]
        assert (first, last, deleted, refreshed) == (DAY1, DAY1, None, DAY1)
    snapshots = con.execute("SELECT snapshot_date, count(*), count(DISTINCT model_id) FROM model_snapshots GROUP BY 1").fetchall()
    assert snapshots == [(DAY1, MODELS, MODELS)]
    con.close()


def test_first_night_lineage_equals_the_simulators_edges(nights):
    con = duckdb.connect(str(nights["day1"]), read_only=True)
    edges = con.execute("SELECT child_id, parent_id, relation FROM lineage").fetchall()
    assert len(edges) == len(set(edges))
    assert set(edges) == sim_edges(nights["u1"])
    con.close()


def test_first_night_counts_equal_the_simulators_truth(nights):
    truth = nights["u1"].truth()
    con = duckdb.connect(str(nights["day1"]), read_only=True)
    q = lambda sql: dict(con.execute(sql).fetchall())  # noqa: E731
    alive = "FROM hub_models WHERE deleted_at IS NULL"
    assert con.execute(f"SELECT count(*) {alive}").fetchone()[0] == truth["models_total"]
    assert {**{"none": 0, "auto": 0, "manual": 0}, **q(f"SELECT gated, count(*) {alive} GROUP BY 1")} == truth["gated"]
    assert q(f"SELECT coalesce(license, 'none'), count(*) {alive} GROUP BY 1") == truth["license_counts"]
    assert con.execute(f"SELECT count(*) {alive} AND len(base_models) > 0").fetchone()[0] == truth["models_with_base_model"]
    relations = {k: 0 for k in truth["relation_counts"]}
    relations.update(q("SELECT relation, count(*) FROM lineage GROUP BY 1"))
    assert relations == truth["relation_counts"]
    assert con.execute(f"SELECT count(*) {alive} AND downloads_all_time >= 100000000").fetchone()[0] == \
        truth["models_ge_100m_downloads_all_time"]
    runs = con.execute("SELECT plan, status, snapshot_date, pages, models_seen, skipped_records, requests, bytes > 0 "
                       "FROM crawl_runs WHERE repo_type = 'models' ORDER BY run_id").fetchall()
    pages = math.ceil(MODELS / 1000)
    # The first night has no watermark: sweep and refresh run as one heavy pass, `full`.
    assert runs == [("full", "complete", DAY1, pages, MODELS, 0, pages, True)]
    con.close()


def test_first_night_is_one_heavy_listing_in_created_order_with_its_first_pages_newest_modification_as_watermark(nights):
    r1, stats = nights["r1"], nights["stats1"]
    assert r1.snapshot_date == DAY1 and r1.status == "complete" and r1.models_seen == MODELS
    assert list(r1.plans) == ["models/full"]
    assert not [e for e in stats["by_request"] if "cardData" not in e["expand"]]   # no light sweep
    heavy = heavy_entry(stats)
    assert (heavy["pages"], heavy["records"]) == (math.ceil(MODELS / 1000), MODELS)
    assert r1.plans["models/full"].bytes == heavy["bytes"]
    # The first page (the 1,000 newest models, the Hub's keyset order) was served before any
    # model could be modified during the crawl, so its newest lastModified is a safe watermark.
    by_creation = sorted(served_records(nights["u1"]).values(), key=lambda r: (r["createdAt"], r["_id"]), reverse=True)
    newest_on_first_page = max(r["lastModified"] for r in by_creation[:1000])
    assert r1.plans["models/full"].watermark.isoformat(timespec="milliseconds") + "Z" == newest_on_first_page


def test_later_nights_run_the_light_sweep_and_the_incremental_refresh(nights):
    r2, stats = nights["r2"], nights["stats2"]
    # ... and catches up, one by one, the models made public tonight with old dates (below)
    assert list(r2.plans) == ["models/sweep", "models/refresh", "models/catchup"]
    assert r2.plans["models/sweep"].bytes == light_entry(stats)["bytes"]
    assert r2.plans["models/refresh"].bytes == heavy_entry(stats)["bytes"]
    assert r2.plans["models/catchup"].bytes == single_model_entry(stats)["bytes"]
    con = duckdb.connect(str(nights["day2"]), read_only=True)
    assert con.execute("SELECT plan FROM crawl_runs WHERE snapshot_date = ? AND repo_type = 'models' ORDER BY run_id", [DAY2]).fetchall() \
        == [("sweep",), ("refresh",), ("catchup",)]
    con.close()


def test_models_made_public_with_old_dates_are_caught_up_by_id_with_their_heavy_fields(nights):
    published = published_tonight(nights["u2"], 2)
    assert published   # the simulator made some public tonight, dated weeks back
    served = served_records(nights["u2"])
    watermark = nights["r1"].plans["models/full"].watermark.isoformat(timespec="milliseconds") + "Z"
    assert all(served[m]["lastModified"] < watermark for m in published)   # no refresh reaches them
    catchup = single_model_entry(nights["stats2"])
    assert catchup["requests"] == len(published)   # one GET each, nothing else
    assert nights["r2"].plans["models/catchup"].models == len(published)
    con = duckdb.connect(str(nights["day2"]), read_only=True)
    rows = {m: rest for m, *rest in con.execute(
        "SELECT model_id, license, created_at, pipeline_tag, refreshed_on, first_seen FROM hub_models "
        "WHERE model_id IN (SELECT unnest(?))", [sorted(published)]).fetchall()}
    con.close()
    assert set(rows) == published
    for m, (lic, created, pipe, refreshed, first) in rows.items():
        rec = served[m]
        assert (lic, pipe, refreshed, first) == (license_of(rec), rec.get("pipeline_tag"), DAY2, DAY2)
        assert created.isoformat(timespec="milliseconds") + "Z" == rec["createdAt"]


def test_a_night_with_nothing_to_catch_up_records_no_catchup_run(sim_factory, tmp_path):
    sim = sim_factory(models=3000, seed=3)
    db = tmp_path / "hub.duckdb"
    pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY)
    again = pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY, snapshot_date=DAY2)
    assert list(again.plans) == ["models/sweep", "models/refresh"]
    assert single_model_entry(sim.stats()) is None


def test_next_night_adds_new_marks_deleted_and_keeps_both_snapshots(nights):
    u1, u2 = nights["u1"], nights["u2"]
    a1, a2 = alive_ids(u1), alive_ids(u2)
    new, gone = a2 - a1, a1 - a2
    assert new and gone
    con = duckdb.connect(str(nights["day2"]), read_only=True)
    state = {m: (f, l, d) for m, f, l, d in con.execute(
        "SELECT model_id, first_seen, last_seen, deleted_at FROM hub_models").fetchall()}
    assert set(state) == a1 | a2
    assert {m for m, (f, _, _) in state.items() if f == DAY2} == new
    assert {m for m, (_, _, d) in state.items() if d is not None} == gone
    assert all(state[m] == (DAY1, DAY1, DAY2) for m in gone)
    assert all(state[m][1:] == (DAY2, None) for m in a2)
    per_day = dict(con.execute("SELECT snapshot_date, count(*) FROM model_snapshots GROUP BY 1").fetchall())
    assert per_day == {DAY1: len(a1), DAY2: len(a2)}
    assert con.execute("SELECT count(*) FROM (SELECT snapshot_date, model_id FROM model_snapshots GROUP BY ALL "
                       "HAVING count(*) > 1)").fetchone()[0] == 0
    edges = set(con.execute("SELECT child_id, parent_id, relation FROM lineage WHERE child_id NOT IN "
                            "(SELECT model_id FROM hub_models WHERE deleted_at IS NOT NULL)").fetchall())
    assert edges == sim_edges(u2)
    con.close()


def test_next_night_records_exactly_the_changes_the_simulator_made(nights):
    before, after = served_records(nights["u1"]), served_records(nights["u2"])

    def values(rec):
        parents = sorted({p for p, _ in record_edges(rec)})
        return {"license": license_of(rec), "gated": rec["gated"] if rec["gated"] in ("auto", "manual") else "none",
                "base_models": ",".join(parents) or None, "pipeline_tag": rec.get("pipeline_tag"),
                "library_name": rec.get("library_name")}

    expected = set()
    for mid in before.keys() & after.keys():
        old, new = values(before[mid]), values(after[mid])
        expected |= {(mid, f, old[f], new[f], DAY2) for f in old if old[f] != new[f]}
    con = duckdb.connect(str(nights["day2"]), read_only=True)
    got = con.execute("SELECT model_id, field, old_value, new_value, snapshot_date FROM model_changes").fetchall()
    con.close()
    assert len(got) == len(set(got))
    assert {f for _, f, *_ in expected} == {"license", "gated", "base_models", "pipeline_tag", "library_name"}
    assert set(got) == expected


def test_next_night_refresh_fetches_heavy_pages_only_for_what_changed(nights):
    u2 = nights["u2"]
    heavy = heavy_entry(nights["stats2"])
    light = light_entry(nights["stats2"])
    watermark = nights["r1"].plans["models/full"].watermark
    # Models the refresh must re-read: modified since the last watermark minus the 1-hour overlap.
    served = served_records(u2)
    threshold = (watermark - dt.timedelta(hours=1)).isoformat(timespec="milliseconds") + "Z"
    needed = sum(1 for r in served.values() if r["lastModified"] >= threshold)
    assert needed < len(served) * 0.03   # a night's activity (~1% modified, 0.25% new), not the whole Hub
    assert heavy["pages"] <= math.ceil(needed / 1000) + 1
    assert heavy["records"] <= needed + 1000
    assert light["pages"] == math.ceil(len(served) / 1000)
    r2 = nights["r2"]
    assert r2.plans["models/refresh"].pages == heavy["pages"]
    full_heavy_bytes = nights["r1"].plans["models/full"].bytes
    assert r2.bytes < 0.2 * full_heavy_bytes


def test_the_light_sweep_asks_only_for_what_changes_without_a_commit(nights):
    light = light_entry(nights["stats2"])
    assert light["expand"] == sorted(["downloads", "downloadsAllTime", "likes", "gated", "private", "disabled"])


def test_models_only_the_light_sweep_listed_keep_their_dates_and_trending_score(nights):
    con1 = duckdb.connect(str(nights["day1"]), read_only=True)
    con2 = duckdb.connect(str(nights["day2"]), read_only=True)
    query = ("SELECT model_id, created_at, last_modified, trending_score FROM hub_models "
             "WHERE deleted_at IS NULL AND refreshed_on = ?")
    before = {r[0]: r for r in con1.execute(query, [DAY1]).fetchall()}
    after = {r[0]: r for r in con2.execute(query, [DAY1]).fetchall()}   # not refreshed on day 2
    con1.close(), con2.close()
    assert len(after) > 0.9 * MODELS
    assert all(after[m] == before[m] for m in after)
    assert all(r[1] is not None and r[2] is not None and r[3] is not None for r in after.values())


def test_real_sample_yields_exactly_the_files_models_and_edges(sim_factory, real_sample_path, tmp_path):
    sim = sim_factory(models=0, real=real_sample_path)
    db = tmp_path / "real.duckdb"
    result = pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY)
    records = [json.loads(line) for line in real_sample_path.read_text().splitlines()]
    expected_edges = {(r["id"], m["id"], r["baseModels"]["relation"])
                      for r in records if "baseModels" in r for m in r["baseModels"]["models"] if m["id"] != r["id"]}
    con = duckdb.connect(str(db), read_only=True)
    ids = [m for (m,) in con.execute("SELECT model_id FROM hub_models").fetchall()]
    assert sorted(ids) == sorted(r["id"] for r in records)
    assert set(con.execute("SELECT child_id, parent_id, relation FROM lineage").fetchall()) == expected_edges
    assert con.execute("SELECT count(*) FROM lineage").fetchone()[0] == len(expected_edges)
    licenses = dict(con.execute("SELECT model_id, license FROM hub_models").fetchall())
    assert licenses == {r["id"]: license_of(r) for r in records}
    big = max(records, key=lambda r: len(r["siblings"]))
    assert con.execute("SELECT siblings_count FROM hub_models WHERE model_id = ?", [big["id"]]).fetchone()[0] == len(big["siblings"])
    con.close()
    assert result.skipped == 0 and result.models_seen == len(records)


@pytest.mark.parametrize("requested, watermark, runs", [
    (("sweep", "refresh"), None, ("full",)),                         # the first night: one heavy pass
    (("sweep", "refresh"), dt.datetime(2026, 11, 1), ("sweep", "refresh")),
    (("refresh",), None, ("refresh",)),                               # asked for alone: as asked
    (("sweep",), None, ("sweep",)),
    (("full",), dt.datetime(2026, 11, 1), ("full",)),                # on demand: re-read everything
    (("sweep", "full"), dt.datetime(2026, 11, 1), ("full",)),        # full does the others' work
])
def test_a_night_runs_full_when_it_has_no_watermark_to_refresh_from(requested, watermark, runs):
    from crawler.plans import plans_for_night

    assert plans_for_night(requested, watermark) == runs
