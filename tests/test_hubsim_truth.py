"""`hubsim truth` equals an independent, naive count over what the server serves."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import orjson
import requests

from hubsim import catalog
from hubsim.universe import Universe

REPO = Path(__file__).resolve().parents[1]
RELATIONS = ("finetune", "adapter", "quantized", "merge")


def listing(url: str, params: dict) -> list[dict]:
    out, resp = [], requests.get(url + "/api/models", params=params)
    while True:
        out += resp.json()
        nxt = resp.links.get("next", {}).get("url")
        if not nxt:
            return out
        resp = requests.get(nxt)


def naive_figures(url: str, snapshot: dt.date) -> dict:
    """docs/figures.md, counted the simplest way from full=true listings."""
    recs = listing(url, {"full": "true"})
    all_time = {r["id"]: r.get("downloadsAllTime") for r in listing(url, {"expand": "downloadsAllTime"})}
    created = [dt.datetime.fromisoformat(r["createdAt"].replace("Z", "+00:00")).date() for r in recs]

    def license_of(r):
        tags = [t[8:] for t in r.get("tags", []) if t.startswith("license:")]
        card = (r.get("cardData") or {}).get("license")
        card = card[0] if isinstance(card, list) and card else card
        return (tags[0] if tags else card if isinstance(card, str) and card else "none").lower()

    edges = set()
    for r in recs:
        mine = {(t.split(":", 2)[2], t.split(":", 2)[1]) for t in r.get("tags", [])
                if t.count(":") >= 2 and t.startswith("base_model:") and t.split(":", 2)[1] in RELATIONS}
        if not mine:
            base = (r.get("cardData") or {}).get("base_model")
            mine = {(p, "unknown") for p in (base if isinstance(base, list) else [base]) if isinstance(p, str) and p}
        edges |= {(r["id"], p, rel) for p, rel in mine if p != r["id"]}
    children = defaultdict(set)
    for child, parent, _ in edges:
        children[parent].add(child)

    def descendants(p):
        seen, todo = set(), [p]
        while todo:
            for c in children.get(todo.pop(), ()):
                if c not in seen and c != p:
                    seen.add(c)
                    todo.append(c)
        return len(seen)

    tops = []
    for p in list(children):
        rel = Counter(r for c, par, r in edges if par == p)
        tops.append({"model_id": p, "direct": len(children[p]), "descendants": descendants(p),
                     **{k: rel[k] for k in RELATIONS}})
    tops.sort(key=lambda e: (-e["descendants"], e["model_id"]))
    gated = Counter(r["gated"] if r.get("gated") in ("auto", "manual") else "none" for r in recs)
    licenses = Counter(map(license_of, recs))
    families = Counter()
    for name, n in licenses.items():
        families[catalog.license_family(name)] += n
    return {
        "snapshot_date": snapshot.isoformat(),
        "models_total": len(recs),
        "models_created_last_30d": sum(snapshot - dt.timedelta(days=30) < d <= snapshot for d in created),
        "models_created_by_month": dict(sorted(Counter(d.strftime("%Y-%m") for d in created).items())),
        "gated": {k: gated.get(k, 0) for k in ("auto", "manual", "none")},
        "gated_share": round((gated["auto"] + gated["manual"]) / len(recs), 6),
        "license_counts": dict(sorted(licenses.items())),
        "license_family_counts": dict(sorted(families.items())),
        "models_with_base_model": len({c for c, _, _ in edges}),
        "relation_counts": {k: sum(r == k for _, _, r in edges) for k in sorted((*RELATIONS, "unknown"))},
        "top_derivatives": tops[:20],
        "models_ge_100m_downloads_all_time": sum((v or 0) >= 100_000_000 for v in all_time.values()),
    }


def test_truth_equals_a_naive_count_of_a_synthetic_universe_on_day_3(sim_factory):
    sim = sim_factory(models=3000, seed=21, day=3)
    naive = naive_figures(sim.url, dt.date(2026, 11, 3))
    truth = sim.universe.truth(lifecycle=False)
    assert truth == naive
    assert truth["models_ge_100m_downloads_all_time"] >= 3
    assert truth["relation_counts"]["unknown"] > 0 and truth["relation_counts"]["merge"] > 0


def test_truth_equals_a_naive_count_of_the_real_sample_merged_with_synthetic(sim_factory, real_sample_path):
    sim = sim_factory(models=2000, seed=5, day=2, real=real_sample_path)
    naive = naive_figures(sim.url, dt.date(2026, 11, 2))
    assert sim.universe.truth(lifecycle=False) == naive
    only_real = sim_factory(models=0, real=real_sample_path)
    naive = naive_figures(only_real.url, dt.date(2026, 11, 1))
    truth = only_real.universe.truth(lifecycle=False)
    assert truth == naive and truth["models_total"] == 922
    assert truth["top_derivatives"][0]["model_id"] in {"microsoft/phi-2", "deepseek-ai/DeepSeek-R1"}


def test_truth_cli_prints_sorted_figures_json():
    out = subprocess.run([sys.executable, "-m", "hubsim", "truth", "--models", "1500", "--seed", "2", "--day", "2"],
                         capture_output=True, check=True, cwd=REPO).stdout
    figures = orjson.loads(out)
    assert figures == Universe.build(models=1500, seed=2, day=2).truth()
    assert list(figures) == sorted(figures)
    assert figures["snapshot_date"] == "2026-11-02"


def test_serve_cli_prints_its_url_first_and_serves(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "hubsim", "serve", "--port", "0", "--models", "300",
                             "--day", "2"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=REPO, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("hubsim listening on http://127.0.0.1:")
        url = line.split()[-1]
        r = requests.get(url + "/api/models", params={"limit": 2})
        assert r.status_code == 200 and len(r.json()) == 2 and "02 Nov 2026" in r.headers["Date"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_license_families_agree_with_the_reviewed_taxonomy():
    with open(REPO / "analysis" / "license_taxonomy.csv", newline="") as fh:
        reviewed = {row["license_id"]: row["family"] for row in csv.DictReader(fh)}
    emitted = set(catalog.LICENSE_IDS) | set(catalog.REAL_LICENSE_FAMILIES)
    for name in sorted(emitted - {"none"}):
        assert catalog.license_family(name) == reviewed.get(name, "other"), name
    assert catalog.license_family(None) == "none"


def test_hubsim_and_the_product_packages_never_import_each_other():
    probe = ("import sys, hubsim.server, hubsim.truth, hubsim.universe, hubsim.__main__; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'crawler', 'storage', 'analysis'}))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"
    import re
    pattern = re.compile(r"^\s*(from|import)\s+hubsim\b", re.M)
    offenders = [str(p.relative_to(REPO)) for pkg in ("crawler", "storage", "analysis")
                 for p in (REPO / pkg).rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []
