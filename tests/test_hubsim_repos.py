"""GET /api/datasets and /api/spaces (and their single-repository GETs) as the Hub serves them:
cursor pages, sorts, expand sets, refused keys, record shapes, huggingface_hub against them."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import requests
from huggingface_hub import HfApi
from huggingface_hub.errors import RepositoryNotFoundError

from hubsim import render_repos as rr

N = 3000
DATASET_SORTS = ("createdAt", "lastModified", "downloads", "likes", "trendingScore")
SPACE_SORTS = ("createdAt", "lastModified", "likes", "trendingScore")


def crawl(url: str, path: str, params) -> tuple[list[dict], int]:
    session = requests.Session()
    out, pages = [], 0
    resp = session.get(url + path, params=params)
    while True:
        assert resp.status_code == 200, resp.text
        out += resp.json()
        pages += 1
        nxt = resp.links.get("next", {}).get("url")
        if not nxt:
            return out, pages
        assert nxt.startswith(f"{url}{path}?")
        resp = session.get(nxt)


@pytest.fixture(scope="module")
def sim():
    from hubsim.server import SimServer
    from hubsim.universe import Universe
    server = SimServer(Universe.build(models=N, seed=3, day=2)).start()
    yield server
    server.stop()


def alive_ids(table) -> set[str]:
    return {table.repo_id(s) for s in range(table.n) if table.alive[s]}


@pytest.mark.parametrize("path,sorts", [("/api/datasets", DATASET_SORTS), ("/api/spaces", SPACE_SORTS)])
def test_listings_page_every_alive_repository_once_in_each_sort_order(sim, path, sorts):
    table = sim.universe.datasets if path == "/api/datasets" else sim.universe.spaces
    key_of = {"createdAt": "createdAt", "lastModified": "lastModified", "downloads": "downloads", "likes": "likes",
              "trendingScore": "trendingScore"}
    for sort in sorts:
        recs, pages = crawl(sim.url, path, {"sort": sort, "limit": 250, "expand": [key_of[sort]]})
        ids = [r["id"] for r in recs]
        assert len(ids) == len(set(ids)) and set(ids) == alive_ids(table), sort
        assert pages == -(-len(ids) // 250)
        values = [r[key_of[sort]] for r in recs]
        assert values == sorted(values, reverse=True), sort
    default, _ = crawl(sim.url, path, {})
    assert [r["id"] for r in default] == [r["id"] for r in crawl(sim.url, path, {"sort": "trendingScore"})[0]]


def test_refused_parameters_are_400_with_a_json_error(sim):
    for path, params in (("/api/spaces", {"sort": "downloads"}), ("/api/datasets", {"sort": "size"}),
                         ("/api/datasets", {"expand": "sdk"}), ("/api/spaces", {"expand": "downloads"}),
                         ("/api/datasets", {"expand": "usedStorage"}), ("/api/spaces", {"expand[]": "usedStorage"}),
                         ("/api/datasets", {"expand": "tags", "full": "true"}), ("/api/spaces", {"limit": "0"})):
        r = requests.get(sim.url + path, params=params)
        assert r.status_code == 400 and "error" in r.json(), (path, params)
    # a single repository serves its storage
    one = sim.universe.spaces.repo_id(int(sim.universe.spaces.listing_order("likes")[0][0]))
    r = requests.get(f"{sim.url}/api/spaces/{one}", params={"expand": "usedStorage"})
    assert r.status_code == 200 and set(r.json()) == {"_id", "id", "usedStorage"}


def test_listing_storage_is_accepted_with_allow_list_lineage(sim_factory):
    sim = sim_factory(models=300, allow_list_lineage=True)
    recs = requests.get(sim.url + "/api/datasets", params={"expand": ["usedStorage", "mainSize"]}).json()
    assert recs and all(set(r) == {"_id", "id", "usedStorage", "mainSize"} for r in recs)


def test_key_sets_default_expand_and_full(sim):
    datasets = requests.get(sim.url + "/api/datasets", params={"limit": 1000}).json()
    assert all(list(r) == [k for k in rr.DATASET_DEFAULT_KEYS if k in r] for r in datasets)
    assert all({"_id", "id", "downloads", "likes", "tags", "createdAt", "lastModified", "gated"} <= set(r)
               for r in datasets)
    spaces = requests.get(sim.url + "/api/spaces", params={"limit": 1000}).json()
    assert all(list(r) == rr.SPACE_DEFAULT_KEYS for r in spaces)
    asked = requests.get(sim.url + "/api/spaces", params={"expand": ["runtime", "models", "datasets"]}).json()
    assert all(list(r) == ["_id", "id", "runtime", "models", "datasets"] for r in asked)
    full = requests.get(sim.url + "/api/datasets", params={"full": "true", "limit": 50}).json()
    assert all({"cardData", "siblings", "sha"} <= set(r) and not set(r) & rr.DATASET_NOT_IN_FULL for r in full)
    full = requests.get(sim.url + "/api/spaces", params={"full": "True", "limit": 50}).json()
    assert all({"runtime", "models", "datasets", "cardData", "host"} <= set(r) and "usedStorage" not in r
               for r in full)
    # Spaces have no download counts, in any key set
    every = requests.get(sim.url + "/api/spaces", params={"expand": sorted(rr.SPACE_EXPANDABLE - {"usedStorage"})})
    assert all("downloads" not in r and "downloadsAllTime" not in r for r in every.json())


def test_record_shapes_are_the_hubs(sim):
    u = sim.universe
    datasets, _ = crawl(sim.url, "/api/datasets", {"expand": ["tags", "cardData", "createdAt", "gated"]})
    prefixes = ("task_categories:", "language:", "license:", "size_categories:", "format:", "modality:",
                "library:", "arxiv:", "region:us")
    for r in datasets:
        assert r["tags"][-1] == "region:us" and all(t.startswith(prefixes) for t in r["tags"])
        assert r["tags"][0].startswith("task_categories:") and r["gated"] in (False, "auto", "manual")
        assert r["cardData"]["task_categories"] == [r["tags"][0][len("task_categories:"):]]
    assert any(t.startswith("arxiv:") for r in datasets for t in r["tags"])
    squad = requests.get(sim.url + "/api/datasets/squad").json()
    assert squad["id"] == "squad" and "author" not in squad and "arxiv:1606.05250" in squad["tags"]
    assert squad["createdAt"] == "2022-03-02T23:29:22.000Z"
    spaces, _ = crawl(sim.url, "/api/spaces", {"expand": ["runtime", "models", "datasets", "sdk", "tags", "subdomain"]})
    stages = {r["runtime"]["stage"] for r in spaces}
    assert {"RUNNING", "SLEEPING", "RUNTIME_ERROR"} <= stages
    for r in spaces:
        hardware = r["runtime"]["hardware"]
        assert set(hardware) == {"current", "requested"} and r["tags"][0] == r["sdk"]
        assert hardware["current"] is None or r["runtime"]["stage"] == "RUNNING"
        assert r["subdomain"] == r["id"].lower().replace("/", "-").replace("_", "-").replace(".", "-")
        assert all(isinstance(m, str) and m for m in r["models"] + r["datasets"])
    uses = Counter(m for r in spaces for m in r["models"])
    on_hub = {m for m in uses if requests.get(f"{sim.url}/api/models/{m}").status_code == 200}
    # Spaces use models of the Hub, popular ones far more than others, and a few that are not
    # (private, deleted: 3 % of the picks)
    assert 0.9 < sum(uses[m] for m in on_hub) / sum(uses.values()) < 1
    assert uses.most_common(1)[0][1] > 5 * sum(uses.values()) / len(uses)
    assert any(len(r["models"]) >= 20 for r in spaces)   # a leaderboard lists dozens
    assert {d for r in spaces for d in r["datasets"]} <= alive_ids(u.datasets) | {
        u.datasets.repo_id(s) for s in range(u.datasets.n)}


def test_single_repository_gets_match_the_listing_and_404_when_gone(sim_factory):
    # many datasets and Spaces, so that one night deletes some (0.05 % and 0.1 % a night)
    day1 = sim_factory(models=1000, seed=3, day=1, datasets=6000, spaces=6000)
    sim = sim_factory(models=1000, seed=3, day=2, datasets=6000, spaces=6000)
    for path, table in (("datasets", sim.universe.datasets), ("spaces", sim.universe.spaces)):
        listed = requests.get(f"{sim.url}/api/{path}", params={"expand": ["tags", "createdAt", "likes"],
                                                               "limit": 20}).json()
        for rec in listed:
            one = requests.get(f"{sim.url}/api/{path}/{rec['id']}", params={"expand": ["tags", "createdAt", "likes"]})
            assert one.json() == rec
            assert requests.get(f"{sim.url}/api/{path}/{rec['id']}/revision/main").json()["id"] == rec["id"]
        gone = [s for s in range(table.n) if table.c["died"][s] == 2]
        assert gone, path
        for slot in gone:
            rid = table.repo_id(slot)
            assert requests.get(f"{day1.url}/api/{path}/{rid}").status_code == 200
            r = requests.get(f"{sim.url}/api/{path}/{rid}")
            assert r.status_code == 404 and r.headers["X-Error-Code"] == "RepoNotFound"
        assert requests.get(f"{sim.url}/api/{path}/nobody/nothing").status_code == 404


def test_huggingface_hub_lists_and_reads_datasets_and_spaces(sim):
    api = HfApi(endpoint=sim.url, token=False)
    u = sim.universe
    datasets = list(api.list_datasets(sort="created_at", expand=["createdAt", "tags", "cardData", "downloadsAllTime"]))
    assert len(datasets) == int(u.datasets.alive.sum())
    assert [d.created_at for d in datasets] == sorted((d.created_at for d in datasets), reverse=True)
    assert all(d.downloads_all_time >= 0 and d.tags[-1] == "region:us" for d in datasets)
    spaces = list(api.list_spaces(expand=["runtime", "models", "datasets", "sdk", "likes"]))
    assert len(spaces) == int(u.spaces.alive.sum())
    assert all(s.runtime.stage and s.sdk in ("gradio", "streamlit", "docker", "static") for s in spaces)
    assert sum(bool(s.models) for s in spaces) > 0.25 * len(spaces)
    squad = api.dataset_info("squad")
    assert (squad.paperswithcode_id, squad.card_data.license, squad.created_at) == (
        "squad", "cc-by-sa-4.0", dt.datetime(2022, 3, 2, 23, 29, 22, tzinfo=dt.timezone.utc))
    used = next(s for s in spaces if s.models)
    info = api.space_info(used.id)
    assert info.models == used.models and info.runtime.stage == used.runtime.stage and info.host.endswith(".hf.space")
    with pytest.raises(RepositoryNotFoundError):
        api.space_info("nobody/nothing")
    assert [d.id for d in api.list_datasets(search="squad")] == ["squad"]
    gated = list(api.list_datasets(gated=True, expand=["gated"]))
    assert gated and all(d.gated in ("auto", "manual") for d in gated)
    model = used.models[0]
    users = {s.id for s in api.list_spaces(models=model)}
    assert used.id in users and users == {s.id for s in spaces if model in s.models}
    owner = next(d.id.split("/")[0] for d in datasets if "/" in d.id)
    assert {d.id for d in api.list_datasets(author=owner)} == {d.id for d in datasets if d.id.startswith(owner + "/")}
    qa = list(api.list_datasets(task_categories="question-answering", expand=["tags"]))
    assert qa and all("task_categories:question-answering" in d.tags for d in qa)


def test_same_seed_serves_identical_pages_and_spaces_never_change_models(sim_factory):
    a, b = sim_factory(models=1500, seed=9, day=3), sim_factory(models=1500, seed=9, day=3)
    for path in ("/api/datasets", "/api/spaces"):
        assert crawl(a.url, path, {"full": "true"}) == crawl(b.url, path, {"full": "true"})
    lone = sim_factory(models=1500, seed=9, day=3, spaces=0)
    assert crawl(lone.url, "/api/models", {"full": "true"}) == crawl(a.url, "/api/models", {"full": "true"})
    assert crawl(lone.url, "/api/spaces", {})[0] == []


def test_request_log_and_faults_cover_the_new_endpoints(sim_factory):
    sim = sim_factory(models=800, faults="badutf8:1.0")
    r = requests.get(sim.url + "/api/datasets", params={"expand": ["tags", "cardData"], "limit": 50})
    assert r.status_code == 200 and b"\xc3\x28\xff" in r.content
    r = requests.get(sim.url + "/api/spaces/" + sim.universe.spaces.repo_id(0), params={"expand": "tags"})
    assert b"\xc3\x28\xff" in r.content
    stats = sim.stats()
    assert [(e["kind"], e["request"]) for e in stats["injected"]] == [("badutf8", "dataset_list"),
                                                                       ("badutf8", "space")]
    assert stats["injected"][1]["model_id"] == sim.universe.spaces.repo_id(0)
    kinds = {e["kind"]: e for e in stats["by_request"]}
    assert kinds["dataset_list"]["pages"] == 1 and kinds["dataset_list"]["records"] == 50
    assert kinds["space"]["requests"] == 1 and stats["totals"]["pages"] == 1
