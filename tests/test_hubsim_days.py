"""Day-to-day behaviour of hubsim: deterministic days, and what one night changes."""

from __future__ import annotations

import datetime as dt
import time

import requests

from hubsim.universe import Universe

N = 4000
VOLATILE = {"downloads", "likes", "trendingScore", "downloadsAllTime"}


def pages(url: str, params) -> list[bytes]:
    session = requests.Session()
    out = []
    resp = session.get(url + "/api/models", params=params, headers={"Accept-Encoding": "identity"})
    while True:
        assert resp.status_code == 200
        out.append(resp.content)
        nxt = resp.links.get("next", {}).get("url")
        if not nxt:
            return out
        resp = session.get(nxt, headers={"Accept-Encoding": "identity"})


def records(url: str, **params) -> dict[str, dict]:
    import orjson
    out = {}
    for body in pages(url, {"sort": "createdAt", **params}):
        for rec in orjson.loads(body):
            assert rec["id"] not in out
            out[rec["id"]] = rec
    return out


def test_same_seed_and_day_serve_byte_identical_pages(sim_factory):
    a, b = sim_factory(models=N, seed=9, day=3), sim_factory(models=N, seed=9, day=3)
    for params in ({"full": "true", "sort": "createdAt"}, {"expand": ["downloads", "tags"], "sort": "downloads"}):
        assert pages(a.url, params) == pages(b.url, params)
    other = sim_factory(models=N, seed=10, day=3)
    assert pages(other.url, {"full": "true"}) != pages(a.url, {"full": "true"})


def test_one_night_adds_deletes_modifies_and_moves_counts(sim_factory):
    day1 = records(sim_factory(models=N, seed=4, day=1).url, full="true")
    sim2 = sim_factory(models=N, seed=4, day=2)
    day2 = records(sim2.url, full="true")
    new = set(day2) - set(day1)
    deleted = set(day1) - set(day2)
    assert {day2[i]["createdAt"][:10] for i in new} == {"2026-11-02"}
    assert 0 < len(new) < 0.005 * N and len(deleted) <= 0.002 * N
    for gone in deleted:
        assert requests.get(f"{sim2.url}/api/models/{gone}").status_code == 404
    modified = {i for i in set(day1) & set(day2) if day2[i]["lastModified"][:10] == "2026-11-02"}
    assert 0.004 * N < len(modified) < 0.02 * N
    assert all(day2[i]["sha"] != day1[i]["sha"] for i in modified)
    changed_fields = {}
    for i in set(day1) & set(day2):
        diff = {k for k in set(day1[i]) | set(day2[i]) if day1[i].get(k) != day2[i].get(k)} - VOLATILE
        if i in modified:
            changed_fields[i] = diff
        else:
            assert diff == set(), (i, diff)   # nothing but counts moves without a modification
    touched = set().union(*changed_fields.values())
    assert {"tags", "cardData", "lastModified", "sha"} <= touched
    moved = sum(day1[i]["downloads"] != day2[i]["downloads"] for i in set(day1) & set(day2))
    assert moved > 0.1 * N * 0.26   # most models with downloads see a new 30-day count


def test_day_d_equals_day1_plus_nights_and_builds_cheaply():
    started = time.perf_counter()
    late = Universe.build(models=20_000, seed=3, day=30)
    assert time.perf_counter() - started < 5
    assert late.snapshot_date == dt.date(2026, 11, 30)
    again = Universe.build(models=20_000, seed=3, day=30)
    assert late.truth() == again.truth()
    assert late.truth()["models_total"] > Universe.build(models=20_000, seed=3, day=1).truth()["models_total"]


def test_switching_day_while_running_keeps_a_createdAt_cursor_consistent(sim_factory):
    sim = sim_factory(models=N, seed=6, day=1)
    session = requests.Session()
    first = session.get(sim.url + "/api/models", params={"sort": "createdAt", "expand": "createdAt", "limit": 500})
    seen = [r["id"] for r in first.json()]
    assert requests.post(sim.url + "/_sim/day", params={"d": 2}).json() == {"day": 2, "date": "2026-11-02"}
    url = first.links["next"]["url"]
    while url:
        resp = session.get(url)
        assert resp.headers["Date"].startswith(("Mon, 02 Nov 2026"))
        seen += [r["id"] for r in resp.json()]
        url = resp.links.get("next", {}).get("url")
    assert len(seen) == len(set(seen))
    day2 = sim.universe
    mask = day2.alive_mask()
    alive2 = {day2.model_id(s) for s in range(day2.n_slots) if mask[s]}
    created_after_start = {i for i in alive2 if i not in seen}
    # only models created on the new day (after the crawl started) can be missed
    assert all(day2.model_id(day2.slot_of(i)) == i and day2.c["born"][day2.slot_of(i)] == 2 for i in created_after_start)
