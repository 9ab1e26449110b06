"""`truth(lifecycle=True)`: the eight lifecycle keys of docs/figures.md equal a naive count over
full listings of /api/models, /api/datasets and /api/spaces served by hubsim."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import orjson
import requests

from hubsim.universe import Universe

REPO = Path(__file__).resolve().parents[1]
LIFECYCLE_KEYS = {"datasets_total", "spaces_total", "models_with_training_data", "top_training_datasets",
                  "models_with_papers", "top_papers", "spaces_with_models", "top_models_by_spaces"}
NINETY_DAYS = dt.timedelta(days=90)


def listing(url: str, path: str, params: dict) -> list[dict]:
    session = requests.Session()
    out, resp = [], session.get(url + path, params=params)
    while True:
        assert resp.status_code == 200, resp.text
        out += resp.json()
        nxt = resp.links.get("next", {}).get("url")
        if not nxt:
            return out
        resp = session.get(nxt)


def when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def arxiv_ids(rec: dict) -> set[str]:
    return {t[6:] for t in rec.get("tags", []) if t.startswith("arxiv:") and len(t) > 6}


def naive_lifecycle(url: str) -> dict:
    """docs/figures.md's lifecycle keys, counted the simplest way from what the server lists."""
    models = listing(url, "/api/models", {"full": "true"})
    datasets = listing(url, "/api/datasets", {"expand": ["createdAt", "tags"]})
    spaces = listing(url, "/api/spaces", {"expand": ["models", "tags"]})
    dataset_created = {d["id"]: when(d["createdAt"]) for d in datasets}
    model_created = {m["id"]: when(m["createdAt"]) for m in models}

    trained = defaultdict(set)
    for m in models:
        declared = [t[8:] for t in m.get("tags", []) if t.startswith("dataset:") and len(t) > 8]
        card = (m.get("cardData") or {}).get("datasets")
        declared += [d for d in (card if isinstance(card, list) else [card]) if isinstance(d, str) and d]
        for name in declared:
            trained[name].add(m["id"])

    def within_90_days(name: str) -> int:
        if name not in dataset_created:
            return 0
        start = dataset_created[name]
        return sum(start <= model_created[m] <= start + NINETY_DAYS for m in trained[name])

    training = sorted(({"dataset_id": name, "models": len(ms), "models_within_90_days": within_90_days(name),
                        "on_hub": name in dataset_created} for name, ms in trained.items()),
                      key=lambda e: (-e["models"], e["dataset_id"]))

    cited = defaultdict(lambda: {"models": set(), "datasets": set(), "spaces": set()})
    for kind, recs in (("models", models), ("datasets", datasets), ("spaces", spaces)):
        for rec in recs:
            for paper in arxiv_ids(rec):
                cited[paper][kind].add(rec["id"])
    papers = sorted(({"arxiv_id": p, **{k: len(v) for k, v in by.items()}} for p, by in cited.items()),
                    key=lambda e: (-(e["models"] + e["datasets"] + e["spaces"]), e["arxiv_id"]))

    used = defaultdict(set)
    for s in spaces:
        for model_id in s["models"]:
            if model_id:
                used[model_id].add(s["id"])
    by_spaces = sorted(({"model_id": m, "spaces": len(ss)} for m, ss in used.items()),
                       key=lambda e: (-e["spaces"], e["model_id"]))
    return {
        "datasets_total": len(datasets),
        "spaces_total": len(spaces),
        "models_with_training_data": len(set().union(*trained.values())) if trained else 0,
        "top_training_datasets": training[:20],
        "models_with_papers": len({m["id"] for m in models if arxiv_ids(m)}),
        "top_papers": papers[:20],
        "spaces_with_models": sum(1 for s in spaces if any(s["models"])),
        "top_models_by_spaces": by_spaces[:20],
    }


def lifecycle_part(truth: dict) -> dict:
    return {k: v for k, v in truth.items() if k in LIFECYCLE_KEYS}


def test_lifecycle_truth_equals_a_naive_count_of_a_synthetic_universe_on_day_3(sim_factory):
    sim = sim_factory(models=3000, seed=21, day=3)
    truth = sim.universe.truth(lifecycle=True)
    assert lifecycle_part(truth) == naive_lifecycle(sim.url)
    # the models' figures are those of the models-only truth, untouched by the switch
    assert {k: v for k, v in truth.items() if k not in LIFECYCLE_KEYS} == sim.universe.truth(lifecycle=False)
    assert set(sim.universe.truth(lifecycle=False)) & LIFECYCLE_KEYS == set()
    # what the universe has to show: datasets adopted right after release, papers cited by
    # models and datasets alike, Spaces using models
    assert any(e["models_within_90_days"] > 0 for e in truth["top_training_datasets"])
    assert any(e["models"] and e["datasets"] for e in truth["top_papers"])
    assert truth["top_models_by_spaces"][0]["spaces"] > 10
    assert truth["datasets_total"] > 600 and truth["spaces_total"] > 700


def test_lifecycle_truth_equals_a_naive_count_with_the_real_sample_merged(sim_factory, real_sample_path):
    sim = sim_factory(models=2000, seed=5, day=2, real=real_sample_path)
    truth = sim.universe.truth(lifecycle=True)
    assert lifecycle_part(truth) == naive_lifecycle(sim.url)
    top = {e["dataset_id"]: e for e in truth["top_training_datasets"]}
    # the sample's 62 declarations of fka/awesome-chatgpt-prompts plus synthetic ones; the
    # dataset is on this Hub, created before the sample's models
    assert top["fka/awesome-chatgpt-prompts"]["models"] > 62 and top["fka/awesome-chatgpt-prompts"]["on_hub"]


def test_the_real_sample_alone_reproduces_the_counts_of_its_file(sim_factory, real_sample_path):
    sim = sim_factory(models=0, real=real_sample_path)
    truth = sim.universe.truth(lifecycle=True)
    assert lifecycle_part(truth) == naive_lifecycle(sim.url)
    declared, cites = defaultdict(set), defaultdict(set)
    for line in real_sample_path.read_bytes().splitlines():
        rec = orjson.loads(line)
        card = (rec.get("cardData") or {}).get("datasets")
        for name in [t[8:] for t in rec["tags"] if t.startswith("dataset:")] + \
                (card if isinstance(card, list) else [card] if card else []):
            declared[name].add(rec["id"])
        for paper in arxiv_ids(rec):
            cites[paper].add(rec["id"])
    assert len(declared["fka/awesome-chatgpt-prompts"]) == 62
    assert truth["top_training_datasets"][0] == {"dataset_id": "fka/awesome-chatgpt-prompts", "models": 62,
                                                 "models_within_90_days": 0, "on_hub": False}
    assert truth["models_with_training_data"] == len(set().union(*declared.values())) == 249
    assert truth["top_papers"][0] == {"arxiv_id": "1910.09700", "models": len(cites["1910.09700"]),
                                      "datasets": 0, "spaces": 0}
    assert truth["models_with_papers"] == len(set().union(*cites.values())) == 67
    assert (truth["datasets_total"], truth["spaces_total"], truth["spaces_with_models"]) == (0, 0, 0)


def test_truth_cli_prints_the_lifecycle_keys_unless_models_only():
    args = [sys.executable, "-m", "hubsim", "truth", "--models", "1500", "--seed", "2", "--day", "2"]
    plain = orjson.loads(subprocess.run(args + ["--models-only"], capture_output=True, check=True, cwd=REPO).stdout)
    full = orjson.loads(subprocess.run(args, capture_output=True, check=True, cwd=REPO).stdout)
    assert set(full) - set(plain) == LIFECYCLE_KEYS and list(full) == sorted(full)
    assert full == Universe.build(models=1500, seed=2, day=2).truth(lifecycle=True)
    assert plain == Universe.build(models=1500, seed=2, day=2).truth(lifecycle=False)
    sized = orjson.loads(subprocess.run(args + ["--datasets", "40", "--spaces", "30"],
                                        capture_output=True, check=True, cwd=REPO).stdout)
    assert (sized["datasets_total"], sized["spaces_total"]) == (
        Universe.build(models=1500, seed=2, day=2, datasets=40, spaces=30).datasets.alive.sum(),
        Universe.build(models=1500, seed=2, day=2, datasets=40, spaces=30).spaces.alive.sum())
