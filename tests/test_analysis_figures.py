"""compute_figures on hand-built databases: every key of docs/figures.md with exact values."""

import datetime as dt
import json

import pytest

from analysis.example_db import (EXAMPLE_CHANGES, EXAMPLE_LINEAGE, EXAMPLE_MODELS, EXAMPLE_SNAPSHOTS,
                                 create_crawl_db, model)
from analysis.figures import compute_figures, figures_json

CONTRACT_KEYS = sorted([
    "snapshot_date", "models_total", "models_created_last_30d", "models_created_by_month", "gated", "gated_share",
    "license_counts", "license_family_counts", "models_with_base_model", "relation_counts", "top_derivatives",
    "models_ge_100m_downloads_all_time",
    # the lifecycle graph (tests/test_analysis_lifecycle_figures.py has their values)
    "datasets_total", "spaces_total", "models_with_training_data", "top_training_datasets", "models_with_papers",
    "top_papers", "spaces_with_models", "top_models_by_spaces",
])
# A database of models only: no datasets, Spaces or links.
NO_LIFECYCLE = {"datasets_total": 0, "spaces_total": 0, "models_with_training_data": 0, "top_training_datasets": [],
                "models_with_papers": 0, "top_papers": [], "spaces_with_models": 0, "top_models_by_spaces": []}


def top(model_id, direct, descendants, finetune=0, adapter=0, quantized=0, merge=0):
    return {"model_id": model_id, "direct": direct, "descendants": descendants, "finetune": finetune,
            "adapter": adapter, "quantized": quantized, "merge": merge}


EXPECTED_EXAMPLE = {
    "gated": {"auto": 1, "manual": 1, "none": 13},
    "gated_share": 0.133333,  # 2 / 15
    "license_counts": {"apache-2.0": 3, "cc-by-nc-4.0": 1, "gpl-3.0": 2, "llama3": 2, "mit": 3, "none": 2,
                       "other": 1, "weird-license": 1},
    "license_family_counts": {"copyleft": 2, "non-commercial": 1, "none": 2, "open-weights-restricted": 2,
                              "other": 2, "permissive": 6},
    # del/X (deleted, created 2026-03-01) is not counted
    "models_created_by_month": {"2026-01": 1, "2026-02": 1, "2026-03": 1, "2026-04": 2, "2026-05": 2,
                                "2026-06": 1, "2026-07": 1, "2026-08": 1, "2026-09": 1, "2026-10": 2, "2026-11": 2},
    "models_ge_100m_downloads_all_time": 1,  # base/A; the deleted del/X does not count
    "models_total": 15,
    "models_with_base_model": 12,
    "relation_counts": {"adapter": 2, "finetune": 5, "merge": 2, "quantized": 2, "unknown": 2},
    "top_derivatives": [
        top("base/A", 2, 4, finetune=1, adapter=1),
        top("base/B", 2, 2),
        top("cyc/C1", 1, 2, finetune=1),
        top("cyc/C2", 2, 2, finetune=1, quantized=1),
        top("ft/A1", 2, 2, quantized=1, merge=1),
        top("ghost/G", 1, 2, finetune=1),
        top("del/X", 1, 1, finetune=1),
        top("ft/A2", 1, 1, merge=1),
        top("orph/O", 1, 1, adapter=1),
    ],
    **NO_LIFECYCLE,
}

D = dt.date


@pytest.mark.parametrize(
    "runs, snapshot_date, created_last_30d",
    [
        # the latest complete sweep wins over a failed sweep and a later refresh
        ([(1, "sweep", "complete", D(2026, 11, 10)), (2, "sweep", "failed", D(2026, 11, 11)),
          (3, "refresh", "complete", D(2026, 11, 12))], "2026-11-10", 3),  # mrg/M, ft/A1, ft/A2; q/A1q is on S-30
        # an earlier sweep moves the 30-day window: (2026-10-05, 2026-11-04]
        ([(1, "sweep", "complete", D(2026, 11, 4))], "2026-11-04", 2),   # q/A1q, mrg/M
        # no complete sweep: the latest snapshot date any run wrote
        ([(1, "sweep", "partial", D(2026, 11, 20))], "2026-11-10", 3),
        ([], "2026-11-10", 3),
    ],
)
def test_figures_of_the_example(tmp_path, runs, snapshot_date, created_last_30d):
    con = create_crawl_db(tmp_path / "t.duckdb", EXAMPLE_MODELS, EXAMPLE_LINEAGE, EXAMPLE_SNAPSHOTS, runs, EXAMPLE_CHANGES)
    expected = dict(EXPECTED_EXAMPLE, snapshot_date=snapshot_date, models_created_last_30d=created_last_30d)
    assert compute_figures(con) == expected


def test_json_has_exactly_the_contract_keys_sorted_with_sorted_dicts(tmp_path):
    con = create_crawl_db(tmp_path / "t.duckdb", EXAMPLE_MODELS, EXAMPLE_LINEAGE, EXAMPLE_SNAPSHOTS)
    text = figures_json(con)
    parsed = json.loads(text)
    assert list(parsed) == CONTRACT_KEYS
    for key, value in parsed.items():
        if isinstance(value, dict):
            assert list(value) == sorted(value), key


def test_empty_database_gives_every_key_with_zero_values(tmp_path):
    con = create_crawl_db(tmp_path / "t.duckdb")
    assert compute_figures(con) == {
        "gated": {"auto": 0, "manual": 0, "none": 0},
        "gated_share": 0.0,
        "license_counts": {},
        "license_family_counts": {},
        "models_created_by_month": {},
        "models_created_last_30d": 0,
        "models_ge_100m_downloads_all_time": 0,
        "models_total": 0,
        "models_with_base_model": 0,
        "relation_counts": {"adapter": 0, "finetune": 0, "merge": 0, "quantized": 0, "unknown": 0},
        "snapshot_date": None,
        "top_derivatives": [],
        **NO_LIFECYCLE,
    }


def test_top_derivatives_keeps_twenty_ordered_by_descendants_then_id(tmp_path):
    # 25 parents p/00..p/24; parent i has i % 4 + 1 finetunes. Ties are broken by model id.
    models, edges = [], []
    for i in range(25):
        models.append(model(f"p/{i:02d}", "2026-01-01T00:00:00"))
        for k in range(i % 4 + 1):
            models.append(model(f"c/{i:02d}-{k}", "2026-01-02T00:00:00"))
            edges.append((f"c/{i:02d}-{k}", f"p/{i:02d}", "finetune"))
    con = create_crawl_db(tmp_path / "t.duckdb", models, edges, runs=[(1, "sweep", "complete", D(2026, 1, 3))])
    got = compute_figures(con)["top_derivatives"]
    by_size = sorted(range(25), key=lambda i: (-(i % 4 + 1), i))[:20]
    assert got == [top(f"p/{i:02d}", i % 4 + 1, i % 4 + 1, finetune=i % 4 + 1) for i in by_size]


@pytest.mark.parametrize(
    "gated_values, share",
    [(["none"] * 127 + ["auto"], 0.007812),   # 1/128 = 0.0078125 exactly: Python rounds half to even
     (["manual", "auto", "none"], 0.666667),
     (["none"], 0.0)],
)
def test_gated_share_is_rounded_like_python(tmp_path, gated_values, share):
    models = [model(f"m/{i}", "2026-01-01T00:00:00", gated=g) for i, g in enumerate(gated_values)]
    con = create_crawl_db(tmp_path / "t.duckdb", models)
    assert compute_figures(con)["gated_share"] == share


@pytest.mark.parametrize(
    "created, counted",
    [("2026-11-10T23:59:59", True), ("2026-10-12T00:00:00", True), ("2026-10-11T23:59:59", False),
     ("2026-11-11T00:00:00", False)],
)
def test_last_30_days_window_is_open_at_s_minus_30_and_closed_at_s(tmp_path, created, counted):
    con = create_crawl_db(tmp_path / "t.duckdb", [model("a/m", created)], runs=[(1, "sweep", "complete", D(2026, 11, 10))])
    assert compute_figures(con)["models_created_last_30d"] == (1 if counted else 0)
