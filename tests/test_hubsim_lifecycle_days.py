"""What one night changes in datasets, Spaces and the links: creations, deletions, commits, link
changes that come with a commit, runtime stages that move without one."""

from __future__ import annotations

import orjson
import pytest
import requests

N, DATASETS, SPACES = 4000, 4000, 4000
COUNTS = {"downloads", "downloadsAllTime", "likes", "trendingScore"}


def everything(url: str, path: str, params: dict) -> dict[str, dict]:
    session = requests.Session()
    out = {}
    resp = session.get(url + path, params={"sort": "createdAt", **params})
    while True:
        for rec in orjson.loads(resp.content):
            assert rec["id"] not in out
            out[rec["id"]] = rec
        nxt = resp.links.get("next", {}).get("url")
        if not nxt:
            return out
        resp = session.get(nxt)


@pytest.fixture(scope="module")
def nights():
    from hubsim.server import SimServer
    from hubsim.universe import Universe
    servers = [SimServer(Universe.build(models=N, seed=4, day=d, datasets=DATASETS, spaces=SPACES)).start()
               for d in (1, 2)]
    yield servers
    for s in servers:
        s.stop()


def compare(day1: dict, day2: dict, volatile: set) -> tuple[set, set, dict]:
    """(new ids, deleted ids, {id: changed fields} of the repositories modified on day 2); asserts
    that nothing but `volatile` moved in the others."""
    new, deleted = set(day2) - set(day1), set(day1) - set(day2)
    changed = {}
    for i in set(day1) & set(day2):
        diff = {k for k in set(day1[i]) | set(day2[i]) if day1[i].get(k) != day2[i].get(k)}
        if day2[i]["lastModified"][:10] == "2026-11-02":
            changed[i] = diff
        else:
            assert diff <= volatile, (i, diff)
    return new, deleted, changed


def test_one_night_of_datasets(nights):
    day1 = everything(nights[0].url, "/api/datasets", {"full": "true"})
    sim2 = nights[1]
    day2 = everything(sim2.url, "/api/datasets", {"full": "true"})
    new, deleted, changed = compare(day1, day2, COUNTS)
    assert 0 < len(new) < 0.005 * DATASETS and 0 < len(deleted) <= 0.002 * DATASETS
    assert sum(day2[i]["createdAt"][:10] == "2026-11-02" for i in new) >= 0.9 * len(new)
    assert all(requests.get(f"{sim2.url}/api/datasets/{i}").status_code == 404 for i in deleted)
    assert 0.004 * DATASETS < len(changed) < 0.02 * DATASETS
    assert all({"sha", "lastModified"} <= fields for fields in changed.values())
    # some commits change the license, the paper cited or the gating; the others only the data
    assert "tags" in set().union(*changed.values())
    assert any(fields - {"sha", "lastModified"} - COUNTS for fields in changed.values())
    assert any(not fields - {"sha", "lastModified"} - COUNTS for fields in changed.values())


def test_one_night_of_spaces_stages_move_without_a_commit(nights):
    day1 = everything(nights[0].url, "/api/spaces", {"full": "true"})
    day2 = everything(nights[1].url, "/api/spaces", {"full": "true"})
    new, deleted, changed = compare(day1, day2, {"likes", "trendingScore", "runtime"})
    assert new and deleted and 0.01 * SPACES < len(changed) < 0.04 * SPACES
    unmodified = set(day1) & set(day2) - set(changed)
    woke_or_slept = {i for i in unmodified if day1[i]["runtime"]["stage"] != day2[i]["runtime"]["stage"]}
    assert 0.02 * SPACES < len(woke_or_slept) < 0.08 * SPACES
    # the links of a Space change with a commit only
    relinked = {i for i in changed if day1[i]["models"] != day2[i]["models"]}
    assert relinked and all(day2[i]["sha"] != day1[i]["sha"] for i in relinked)
    assert any(day1[i]["models"] and not day2[i]["models"] for i in relinked)


def test_one_night_of_model_cards_adds_and_removes_declared_datasets(nights):
    day1 = everything(nights[0].url, "/api/models", {"expand": ["tags", "lastModified", "cardData"]})
    day2 = everything(nights[1].url, "/api/models", {"expand": ["tags", "lastModified", "cardData"]})

    def declared(rec):
        return {t for t in rec["tags"] if t.startswith(("dataset:", "arxiv:"))}

    moved = {i for i in set(day1) & set(day2) if declared(day1[i]) != declared(day2[i])}
    assert moved and all(day2[i]["lastModified"][:10] == "2026-11-02" for i in moved)
    assert any(declared(day1[i]) - declared(day2[i]) for i in moved)   # a dataset removed
    assert any(declared(day2[i]) - declared(day1[i]) for i in moved)   # a dataset declared
    new = set(day2) - set(day1)
    assert any(t.startswith("dataset:") for i in new for t in day2[i]["tags"])


@pytest.mark.parametrize("path", ["/api/datasets", "/api/spaces"])
def test_a_createdAt_crawl_stays_consistent_while_the_day_switches(sim_factory, path):
    sim = sim_factory(models=1000, seed=6, day=1, datasets=3000, spaces=3000)
    session = requests.Session()
    first = session.get(sim.url + path, params={"sort": "createdAt", "expand": "createdAt", "limit": 500})
    seen = [r["id"] for r in first.json()]
    assert requests.post(sim.url + "/_sim/day", params={"d": 2}).json()["day"] == 2
    url = first.links["next"]["url"]
    while url:
        resp = session.get(url)
        seen += [r["id"] for r in resp.json()]
        url = resp.links.get("next", {}).get("url")
    assert len(seen) == len(set(seen))
    table = sim.universe.datasets if path == "/api/datasets" else sim.universe.spaces
    alive2 = {table.repo_id(s) for s in range(table.n) if table.alive[s]}
    # only repositories born on the new day (after the crawl started) can be missed
    assert all(table.c["born"][table.any_slot(i)] == 2 for i in alive2 - set(seen))
    assert alive2 - set(seen)
