"""GET /api/models and /api/models/{id} of hubsim, over real HTTP, as the Hub behaves."""

from __future__ import annotations

import requests
from huggingface_hub import HfApi

LIGHT = ["downloads", "likes", "createdAt", "lastModified", "gated", "trendingScore"]


def crawl(url: str, params: dict | list) -> tuple[list[dict], list[requests.Response]]:
    """Follow Link rel=next from the first page to the last; every record and response."""
    session = requests.Session()
    records, responses = [], []
    resp = session.get(url + "/api/models", params=params)
    while True:
        assert resp.status_code == 200, resp.text
        responses.append(resp)
        records += resp.json()
        nxt = resp.links.get("next", {}).get("url")
        if not nxt:
            return records, responses
        resp = session.get(nxt)


def test_huggingface_hub_iterates_every_model_of_a_20k_universe_once(sim_factory):
    sim = sim_factory(models=20_000, seed=7)
    listed = [m.id for m in HfApi(endpoint=sim.url).list_models(expand=LIGHT)]
    alive = sim.universe.alive_mask()
    expected = [sim.universe.model_id(s) for s in range(sim.universe.n_slots) if alive[s]]
    assert len(listed) == len(set(listed)) == 20_000
    assert set(listed) == set(expected)
    stats = sim.stats()
    assert stats["totals"]["pages"] == (len(listed) + 999) // 1000
    assert stats["by_request"][0]["expand"] == sorted(LIGHT)


def test_huggingface_hub_iterates_the_real_sample_verbatim(sim_factory, real_sample_path):
    import orjson
    sim = sim_factory(models=0, real=real_sample_path)
    originals = {r["id"]: r for r in map(orjson.loads, real_sample_path.read_bytes().splitlines())}
    infos = list(HfApi(endpoint=sim.url).list_models(full=True, cardData=True))
    assert sorted(m.id for m in infos) == sorted(originals)
    expanded = list(HfApi(endpoint=sim.url).list_models(expand=["tags", "cardData", "gated", "createdAt", "sha"]))
    assert sorted(m.id for m in expanded) == sorted(originals)
    assert all(m.sha == originals[m.id]["sha"] and m.tags == originals[m.id]["tags"] for m in expanded)
    one = originals["microsoft/phi-2"]
    full, _ = crawl(sim.url, {"full": "true", "search": "phi-2"})
    got = next(r for r in full if r["id"] == "microsoft/phi-2")
    assert got == {k: v for k, v in one.items() if k not in ("baseModels", "usedStorage")}


def test_pages_link_to_the_next_page_with_all_params_and_the_last_page_has_no_link(sim_factory):
    sim = sim_factory(models=2500, seed=3)
    records, responses = crawl(sim.url, [("sort", "createdAt"), ("limit", "1000"), ("expand[]", "createdAt")])
    total = sim.universe.truth()["models_total"]
    assert [len(r.json()) for r in responses] == [1000, 1000, total - 2000]
    first_link = responses[0].headers["Link"]
    assert first_link.startswith(f"<{sim.url}/api/models?") and first_link.endswith('>; rel="next"')
    for part in ("sort=createdAt", "limit=1000", "expand%5B%5D=createdAt", "cursor="):
        assert part in first_link
    assert "Link" not in responses[-1].headers
    assert len({r["id"] for r in records}) == total


def test_limit_defaults_to_1000_and_is_clamped_to_1000(sim_factory):
    sim = sim_factory(models=2500)
    assert len(requests.get(sim.url + "/api/models").json()) == 1000
    assert len(requests.get(sim.url + "/api/models", params={"limit": 5000}).json()) == 1000
    assert len(requests.get(sim.url + "/api/models", params={"limit": 7}).json()) == 7
    assert requests.get(sim.url + "/api/models", params={"limit": "x"}).status_code == 400


def test_each_sort_key_is_descending_by_key_then_id_and_direction_is_ignored(sim_factory):
    sim = sim_factory(models=3000, seed=5)
    for key in ("createdAt", "lastModified", "downloads", "likes", "trendingScore"):
        records, _ = crawl(sim.url, {"sort": key, "direction": 1, "expand": [key], "limit": 700})
        keys = [(r[key], r["_id"]) for r in records]
        assert keys == sorted(keys, reverse=True), key
        assert len(keys) == sim.universe.truth()["models_total"]


def test_default_listing_returns_the_hubs_small_key_set(sim_factory):
    sim = sim_factory(models=500)
    rec = requests.get(sim.url + "/api/models", params={"limit": 1, "sort": "downloads"}).json()[0]
    default = ["_id", "id", "likes", "trendingScore", "private", "downloads", "tags", "pipeline_tag",
               "library_name", "createdAt", "modelId"]
    assert list(rec) == [k for k in default if k in rec]   # pipeline_tag/library_name only when known
    assert {"_id", "id", "likes", "trendingScore", "private", "downloads", "tags", "createdAt", "modelId"} <= set(rec)


def test_expand_returns_only_id_and_the_requested_keys_in_both_spellings(sim_factory):
    sim = sim_factory(models=500)
    for spelling in ("expand", "expand[]"):
        recs = requests.get(sim.url + "/api/models",
                            params=[("limit", 50), (spelling, "downloads"), (spelling, "gated")]).json()
        assert all(list(r) == ["_id", "id", "gated", "downloads"] for r in recs)


def test_full_returns_everything_but_lineage_storage_and_all_time_downloads(sim_factory):
    sim = sim_factory(models=2000)
    recs = requests.get(sim.url + "/api/models", params={"full": "True", "sort": "downloads"}).json()
    keys = set().union(*map(set, recs))
    assert {"author", "sha", "lastModified", "gated", "cardData", "siblings", "safetensors", "config"} <= keys
    assert not keys & {"baseModels", "childrenModelCount", "usedStorage", "downloadsAllTime"}


def test_legacy_flags_with_expand_and_lineage_expand_on_listings_are_400(sim_factory):
    sim = sim_factory(models=200)
    for flag in ("full", "cardData", "config"):
        r = requests.get(sim.url + "/api/models", params={flag: "true", "expand[]": "downloads"})
        assert r.status_code == 400 and "error" in r.json()
    for key in ("baseModels", "childrenModelCount", "usedStorage"):
        r = requests.get(sim.url + "/api/models", params={"expand[]": key})
        assert r.status_code == 400 and "error" in r.json()
    assert requests.get(sim.url + "/api/models", params={"expand[]": "nonsense"}).status_code == 400
    allowed = sim_factory(models=200, allow_list_lineage=True)
    r = requests.get(allowed.url + "/api/models", params={"expand[]": ["baseModels", "usedStorage"]})
    assert r.status_code == 200 and all("usedStorage" in x for x in r.json())


def test_filters_by_license_base_model_relation_author_and_search(sim_factory):
    sim = sim_factory(models=4000, seed=11)
    everything, _ = crawl(sim.url, {"expand": ["tags", "author"]})

    def expect(pred):
        return sorted(r["id"] for r in everything if pred(r))

    def got(params):
        return sorted(r["id"] for r in crawl(sim.url, params)[0])

    assert got({"filter": "license:mit"}) == expect(lambda r: "license:mit" in r["tags"]) != []
    parent = next(t.split(":", 2)[2] for r in everything for t in r["tags"] if t.startswith("base_model:finetune:"))
    tag = f"base_model:finetune:{parent}"
    assert got({"filter": tag}) == expect(lambda r: tag in r["tags"]) != []
    assert got({"filter": [tag, "license:mit"]}) == expect(lambda r: tag in r["tags"] and "license:mit" in r["tags"])
    assert got({"filter": "region:us"}) == expect(lambda r: True)
    for tag in ("dataset:imdb", "sw", "text-generation", "peft", "gguf", "llama", "safetensors"):
        assert got({"filter": tag}) == expect(lambda r: tag in r["tags"]) != [], tag
    author = next(r["author"] for r in everything if "author" in r)
    assert got({"author": author}) == expect(lambda r: r.get("author") == author) != []
    assert got({"search": "GGUF"}) == expect(lambda r: "gguf" in r["id"].lower()) != []


def test_single_model_endpoint_with_expand_lineage_and_404(sim_factory):
    sim = sim_factory(models=3000, seed=2)
    u = sim.universe
    recs = requests.get(sim.url + "/api/models", params={"expand[]": "tags", "limit": 1000}).json()
    child = next(r for r in recs if any(t.startswith("base_model:adapter:") for t in r["tags"]))
    parent = next(t.split(":", 2)[2] for t in child["tags"] if t.startswith("base_model:adapter:"))
    one = requests.get(f"{sim.url}/api/models/{child['id']}", params={"expand[]": ["baseModels", "tags"]}).json()
    assert one == {"_id": child["_id"], "id": child["id"], "tags": child["tags"],
                   "baseModels": {"relation": "adapter", "models": [{"id": parent}]}}
    counts = requests.get(f"{sim.url}/api/models/{parent}", params={"expand": "childrenModelCount"}).json()
    assert counts["childrenModelCount"]["adapter"] >= 1
    assert set(counts["childrenModelCount"]) == {"finetune", "adapter", "quantized", "merge"}
    full = requests.get(f"{sim.url}/api/models/{child['id']}").json()
    assert full["id"] == child["id"] and "siblings" in full and "cardData" in full
    legacy = requests.get(f"{sim.url}/api/models/gpt2").json()   # one-segment ids exist too
    assert legacy["id"] == "gpt2" and "author" not in legacy
    missing = requests.get(f"{sim.url}/api/models/nobody/nothing")
    assert missing.status_code == 404 and missing.json() == {"error": "Repository not found"}
    assert u.slot_of(child["id"]) is not None


def test_single_model_endpoint_serves_real_records_with_their_children_counts(sim_factory, real_sample_path):
    import orjson
    sim = sim_factory(models=100, real=real_sample_path)
    records = [orjson.loads(line) for line in real_sample_path.read_bytes().splitlines()]
    children = sum("base_model:finetune:microsoft/phi-2" in r["tags"] for r in records)
    got = requests.get(f"{sim.url}/api/models/microsoft/phi-2",
                       params={"expand[]": ["childrenModelCount", "likes"]}).json()
    phi2 = next(r for r in records if r["id"] == "microsoft/phi-2")
    assert got == {"_id": phi2["_id"], "id": "microsoft/phi-2", "likes": phi2["likes"],
                   "childrenModelCount": {"finetune": children, "adapter": 0, "quantized": 0, "merge": 0}}
    assert children > 100
    info = HfApi(endpoint=sim.url).model_info("microsoft/phi-2", revision="main")
    assert info.id == "microsoft/phi-2" and info.sha == phi2["sha"]
