"""`--real FILE --scale N`: the real sample cloned to N records, served over real HTTP."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest
import requests
from huggingface_hub import HfApi

from hubsim.universe import Universe
from tests.test_hubsim_truth import naive_figures

REPO = Path(__file__).resolve().parents[1]
HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9._-]{1,96}$")
HEAVY = "tsakirogf/TestPlannerPhi2"   # the sample's 6,264-file, ~560 KB record


def originals(path) -> dict[str, dict]:
    return {r["id"]: r for r in map(orjson.loads, Path(path).read_bytes().splitlines())}


def walk(session: requests.Session, url: str, params) -> list[requests.Response]:
    """Every page of a listing, bodies as sent (identity encoding)."""
    out = []
    resp = session.get(url + "/api/models", params=params, headers={"Accept-Encoding": "identity"})
    while True:
        assert resp.status_code == 200
        out.append(resp)
        nxt = resp.links.get("next", {}).get("url")
        if not nxt:
            return out
        resp = session.get(nxt, headers={"Accept-Encoding": "identity"})


@pytest.fixture(scope="module")
def scaled_200k(real_sample_path):
    """The sample cloned to 200,000 records, and every page of a full createdAt listing:
    (server, originals, [(ids of the page, bytes of its body)])."""
    from hubsim.server import SimServer
    started = time.perf_counter()
    universe = Universe.build(models=0, real_path=real_sample_path, real_scale=200_000)
    built = time.perf_counter() - started
    sim = SimServer(universe).start()
    try:
        session = requests.Session()
        light = walk(session, sim.url, {"sort": "createdAt", "expand[]": ["createdAt", "lastModified"]})
        light = [r.json() for r in light]
        # The same keyset order, so the same page boundaries: ids from the light pages.
        full = walk(session, sim.url, {"sort": "createdAt", "full": "true"})
        pages = [([r["id"] for r in ids], len(resp.content)) for ids, resp in zip(light, full, strict=True)]
        yield {"sim": sim, "built": built, "light": light, "pages": pages, "originals": originals(real_sample_path)}
    finally:
        sim.stop()


def test_200k_clones_have_distinct_valid_ids_and_ids(scaled_200k):
    records = [r for page in scaled_200k["light"] for r in page]
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == 200_000
    assert len({r["_id"] for r in records}) == 200_000
    assert all(HUB_ID.match(i) for i in ids)
    assert all(re.fullmatch(r"[0-9a-f]{24}", r["_id"]) for r in records)
    base = scaled_200k["originals"]
    # 200,000 = 216 x 922 + 848: the first 848 records of the file get a 217th copy
    copies = Counter(re.sub(r"-c\d+$", "", i) if i not in base else i for i in ids)
    assert set(copies) == set(base)
    assert sorted(Counter(copies.values()).items()) == [(216, 922 - 848), (217, 848)]
    # a clone keeps its original's dates
    for r in records:
        orig = base.get(r["id"]) or base[re.sub(r"-c\d+$", "", r["id"])]
        assert (r["createdAt"], r["lastModified"]) == (orig["createdAt"], orig["lastModified"])


def test_200k_clones_in_created_order_give_one_page_of_120_mb_and_several_of_5_to_25(scaled_200k):
    pages = scaled_200k["pages"]
    assert len(pages) == 200 and sum(len(ids) for ids, _ in pages) == 200_000
    heavy_len = len(orjson.dumps({k: v for k, v in scaled_200k["originals"][HEAVY].items()
                                  if k not in ("baseModels", "usedStorage")}))
    # 200,000 = 216 x 922 + 848: records after the 848th of the file have 216 copies
    copies = 217 if list(scaled_200k["originals"]).index(HEAVY) < 848 else 216
    biggest_ids, biggest = max(pages, key=lambda p: p[1])
    # every copy of the 560 KB record sits on that one page
    assert sum(1 for i in biggest_ids if i == HEAVY or i.startswith(HEAVY + "-c")) == copies
    assert copies * heavy_len < biggest < copies * heavy_len + 1_000 * 25_000
    assert 110_000_000 < biggest < 130_000_000
    middle = [size for _, size in pages if 5_000_000 <= size <= 25_000_000]
    assert len(middle) >= 4
    assert sorted(size for _, size in pages)[len(pages) // 2] < 2_000_000   # most pages stay ordinary


def test_200k_clone_universe_builds_in_seconds(scaled_200k):
    assert scaled_200k["built"] < 5.0


def test_a_clone_is_its_original_with_a_new_id_and_lineage_to_the_same_copy(sim_factory, real_sample_path):
    base = originals(real_sample_path)
    partial = 470   # copy 3 exists for the first 470 records of the file only
    sim = sim_factory(models=0, real=real_sample_path, scale=3 * 922 + partial)
    got = requests.get(f"{sim.url}/api/models/microsoft/phi-2-c2").json()
    phi2 = {k: v for k, v in base["microsoft/phi-2"].items() if k not in ("baseModels", "usedStorage")}
    assert got["id"] == got["modelId"] == "microsoft/phi-2-c2" and got["_id"] != phi2["_id"]
    assert got["_id"][:8] == phi2["_id"][:8]   # ObjectId time = the same createdAt
    assert {k: v for k, v in got.items() if k not in ("_id", "id", "modelId")} == \
        {k: v for k, v in phi2.items() if k not in ("_id", "id", "modelId")}
    children = [r for r in base.values() if "base_model:finetune:microsoft/phi-2" in r["tags"]]
    listed = requests.get(sim.url + "/api/models",
                          params={"filter": "base_model:finetune:microsoft/phi-2-c2", "expand[]": "tags"}).json()
    assert sorted(r["id"] for r in listed) == sorted(f"{c['id']}-c2" for c in children)
    child = requests.get(f"{sim.url}/api/models/{children[0]['id']}-c2",
                         params={"expand[]": ["baseModels", "cardData", "tags"]}).json()
    assert child["baseModels"] == {"relation": "finetune", "models": [{"id": "microsoft/phi-2-c2"}]}
    assert "base_model:microsoft/phi-2-c2" in child["tags"]
    # a copy-3 child of a parent without a copy 3 points to the original parent (the file is
    # in createdAt order, so this happens once in the sample: a parent created after its child)
    order = list(base)
    orphans = [order[i] for i in range(partial) if any(
        t.startswith("base_model:finetune:") and t.split(":", 2)[2] in base and order.index(t.split(":", 2)[2]) >= partial
        for t in base[order[i]]["tags"])]
    assert len(orphans) == 1
    parents = {t.split(":", 2)[2] for t in base[orphans[0]]["tags"] if t.startswith("base_model:finetune:")}
    got = requests.get(f"{sim.url}/api/models/{orphans[0]}-c3", params={"expand[]": "tags"}).json()
    assert {t.split(":", 2)[2] for t in got["tags"] if t.startswith("base_model:finetune:")} == \
        {p if p not in base or order.index(p) >= partial else f"{p}-c3" for p in parents}


def test_truth_of_a_scaled_sample_equals_a_naive_count_of_what_is_served(sim_factory, real_sample_path):
    sim = sim_factory(models=1500, seed=4, real=real_sample_path, scale=2 * 922 + 300)
    naive = naive_figures(sim.url, sim.universe.snapshot_date)
    truth = sim.universe.truth(lifecycle=False)
    assert truth == naive
    assert truth["models_total"] == 1500 + 2 * 922 + 300
    # every copy of a record has its original's edges (to copies of the parents)
    synthetic = Universe.build(models=1500, seed=4).truth()["relation_counts"]["finetune"]
    per_record = [len({t for t in r["tags"] if t.startswith("base_model:finetune:")} - {f"base_model:finetune:{r['id']}"})
                  for r in originals(real_sample_path).values()]
    assert truth["relation_counts"]["finetune"] == synthetic + sum(n * (3 if i < 300 else 2)
                                                                   for i, n in enumerate(per_record))


def test_huggingface_hub_lists_and_reads_clones(sim_factory, real_sample_path):
    sim = sim_factory(models=0, real=real_sample_path, scale=2_000)
    api = HfApi(endpoint=sim.url)
    listed = [m.id for m in api.list_models(expand=["createdAt", "tags"])]
    assert len(listed) == len(set(listed)) == 2_000
    assert sum(i.endswith("-c1") for i in listed) == 922 and sum(i.endswith("-c2") for i in listed) == 2_000 - 2 * 922
    info = api.model_info("microsoft/phi-2-c1")
    assert info.id == "microsoft/phi-2-c1" and info.sha == originals(real_sample_path)["microsoft/phi-2"]["sha"]


def test_scale_below_the_file_and_scale_without_real_are_errors(real_sample_path):
    with pytest.raises(ValueError):
        Universe.build(models=0, real_path=real_sample_path, real_scale=100)
    with pytest.raises(ValueError):
        Universe.build(models=10, real_scale=2_000)
    out = subprocess.run([sys.executable, "-m", "hubsim", "truth", "--models", "0", "--scale", "5000"],
                         capture_output=True, text=True, cwd=REPO)
    assert out.returncode != 0 and "--scale needs --real" in out.stderr


def test_truth_cli_with_scale_equals_the_library(real_sample_path):
    out = subprocess.run([sys.executable, "-m", "hubsim", "truth", "--models", "300", "--real", str(real_sample_path),
                          "--scale", "4000"], capture_output=True, check=True, cwd=REPO).stdout
    assert orjson.loads(out) == Universe.build(models=300, real_path=real_sample_path, real_scale=4000).truth()
    assert orjson.loads(out)["models_total"] == 4300
