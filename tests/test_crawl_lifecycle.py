"""Datasets and Spaces crawled beside models with one code path, and the links between them
(docs/figures.md "Links"): model -> dataset trained_on, Space -> model / dataset uses, any ->
paper cites. A link to an id not on the Hub is kept; a link its source drops ends, and
repo_link_changes says when. An existing models database gains datasets and Spaces with their
own first (`full`) listing, without re-reading its models.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

import pipeline
from tests.pagehub import PageHub, page

DAY1, DAY2 = dt.date(2026, 11, 1), dt.date(2026, 11, 2)
TIMES = {"createdAt": "2025-01-01T00:00:00.000Z", "lastModified": "2025-06-01T00:00:00.000Z"}


def model(i: int, tags=(), card=None) -> dict:
    return {"_id": f"{i:024x}", "id": f"org/m{i}", "author": "org", **TIMES, "downloads": i, "downloadsAllTime": 10 * i,
            "likes": i, "gated": False, "tags": list(tags), "cardData": card or {}}


def dataset(name: str, tags=(), card=None, downloads=5) -> dict:
    return {"_id": "d" * 24, "id": f"org/{name}", "author": "org", **TIMES, "downloads": downloads,
            "downloadsAllTime": 50, "likes": 2, "gated": "auto" if name == "d2" else False, "tags": list(tags),
            "cardData": card or {}, "paperswithcode_id": None}


def space(name: str, models=(), datasets=(), tags=(), stage="RUNNING") -> dict:
    return {"_id": "s" * 24, "id": f"org/{name}", "author": "org", **TIMES, "likes": 7, "sdk": "gradio",
            "runtime": {"stage": stage, "hardware": {"current": "cpu-basic", "requested": None}},
            "models": list(models), "datasets": list(datasets), "tags": list(tags), "cardData": {"license": "apache-2.0"}}


def hub_universe(hub: PageHub, *, m1_datasets=("dataset:org/d1",), s1_models=("org/m1", "org/gone-model")) -> None:
    hub.pages = [page(model(1, tags=[*m1_datasets, "arxiv:2310.06825", "license:mit"],
                            card={"datasets": ["org/d2", "generator", ""]}),
                      model(2, tags=["dataset:org/d1"]))]
    hub.listings["datasets"] = [page(dataset("d1", tags=["arxiv:1706.03762", "size_categories:1K<n<10K", "license:cc-by-4.0"],
                                             card={"language": ["en", "sw"], "task_categories": "text-generation"}),
                                     dataset("d2"))]
    hub.listings["spaces"] = [page(space("s1", models=s1_models, datasets=["org/d1"], tags=["arxiv:2310.06825"]),
                                   space("s2", stage="SLEEPING"))]


def crawl(hub: PageHub, db: Path, day: dt.date, repo_types=("models", "datasets", "spaces")) -> pipeline.NightResult:
    hub.date = dt.datetime.combine(day, dt.time(12))
    return pipeline.run_night(str(db), endpoint=hub.url, progress=False, snapshot_date=day, repo_types=repo_types)


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def hub():
    server = PageHub([page()]).start()
    hub_universe(server)
    yield server
    server.stop()


def test_a_first_night_lists_every_type_once_and_stores_them_with_their_links(hub, tmp_path):
    db = tmp_path / "hub.duckdb"
    result = crawl(hub, db, DAY1)
    assert result.status == "complete" and result.seen == {"models": 2, "datasets": 2, "spaces": 2}
    assert list(result.plans) == ["models/full", "datasets/full", "spaces/full"]
    assert rows(db, "SELECT repo_type, plan, status, models_seen FROM crawl_runs ORDER BY run_id") == [
        ("models", "full", "complete", 2), ("datasets", "full", "complete", 2), ("spaces", "full", "complete", 2)]
    assert rows(db, "SELECT dataset_id, gated, license, languages, task_categories, size_category, downloads "
                    "FROM hub_datasets ORDER BY 1") == [
        ("org/d1", "none", "cc-by-4.0", ["en", "sw"], ["text-generation"], "1K<n<10K", 5),
        ("org/d2", "auto", None, None, None, None, 5)]
    assert rows(db, "SELECT space_id, sdk, runtime_stage, hardware, license, models, datasets FROM hub_spaces ORDER BY 1") == [
        ("org/s1", "gradio", "RUNNING", "cpu-basic", "apache-2.0", ["org/m1", "org/gone-model"], ["org/d1"]),
        ("org/s2", "gradio", "SLEEPING", "cpu-basic", "apache-2.0", [], [])]
    assert rows(db, "SELECT source_type, source_id, target_type, target_id, relation, source FROM repo_links ORDER BY ALL") == [
        ("dataset", "org/d1", "paper", "1706.03762", "cites", "tag"),
        ("model", "org/m1", "dataset", "generator", "trained_on", "cardData"),   # not on the Hub: kept
        ("model", "org/m1", "dataset", "org/d1", "trained_on", "tag"),
        ("model", "org/m1", "dataset", "org/d2", "trained_on", "cardData"),
        ("model", "org/m1", "paper", "2310.06825", "cites", "tag"),
        ("model", "org/m2", "dataset", "org/d1", "trained_on", "tag"),
        ("space", "org/s1", "dataset", "org/d1", "uses", "listing"),
        ("space", "org/s1", "model", "org/gone-model", "uses", "listing"),
        ("space", "org/s1", "model", "org/m1", "uses", "listing"),
        ("space", "org/s1", "paper", "2310.06825", "cites", "tag"),
    ]
    assert rows(db, "SELECT count(*) FROM repo_link_changes") == [(0,)]   # first appearances log nothing
    assert rows(db, "SELECT snapshot_date, dataset_id, downloads FROM dataset_snapshots ORDER BY 2") == [
        (DAY1, "org/d1", 5), (DAY1, "org/d2", 5)]
    assert rows(db, "SELECT space_id, likes, runtime_stage FROM space_snapshots ORDER BY 1") == [
        ("org/s1", 7, "RUNNING"), ("org/s2", 7, "SLEEPING")]


def test_links_a_source_drops_end_and_the_change_is_logged_with_its_night(hub, tmp_path):
    db = tmp_path / "hub.duckdb"
    crawl(hub, db, DAY1)
    hub_universe(hub, m1_datasets=("dataset:org/d3",), s1_models=("org/m1",))
    result = crawl(hub, db, DAY2)
    assert result.status == "complete"
    assert rows(db, "SELECT source_id, target_id, relation, change, snapshot_date FROM repo_link_changes ORDER BY ALL") == [
        ("org/m1", "org/d1", "trained_on", "removed", DAY2),
        ("org/m1", "org/d3", "trained_on", "added", DAY2),
        ("org/s1", "org/gone-model", "uses", "removed", DAY2),
    ]
    assert rows(db, "SELECT target_id, first_seen FROM repo_links WHERE source_id = 'org/m1' AND relation = 'trained_on' "
                    "ORDER BY 1") == [("generator", DAY1), ("org/d2", DAY1), ("org/d3", DAY2)]


def test_a_models_database_gains_datasets_and_spaces_without_rereading_its_models(hub, tmp_path):
    db = tmp_path / "hub.duckdb"
    crawl(hub, db, DAY1, repo_types=("models",))
    assert rows(db, "SELECT count(*) FROM hub_datasets") == [(0,)]
    result = crawl(hub, db, DAY2)
    assert list(result.plans) == ["models/sweep", "models/refresh", "datasets/full", "spaces/full"]
    assert rows(db, "SELECT repo_type, count(*) FILTER (WHERE deleted_at IS NULL) FROM "
                    "(SELECT 'datasets' AS repo_type, deleted_at FROM hub_datasets UNION ALL "
                    " SELECT 'spaces', deleted_at FROM hub_spaces) GROUP BY 1 ORDER BY 1") == [("datasets", 2), ("spaces", 2)]
    assert rows(db, "SELECT count(*) FROM repo_links WHERE source_type = 'space'") == [(4,)]


def test_bad_records_of_any_type_are_rejected_alone_with_their_type(hub, tmp_path):
    db = tmp_path / "hub.duckdb"
    hub.listings["datasets"] = [page(dataset("d1"), b'{"id":"org/bad","cardData":{"x":"\xff"}}',
                                     dataset("d9", downloads=-3))]
    crawl(hub, db, DAY1)
    assert rows(db, "SELECT repo_type, plan, model_id, field, reason FROM rejected_records ORDER BY ALL") == [
        ("datasets", "full", "org/bad", None, "invalid UTF-8"),
        ("datasets", "full", "org/d9", "downloads", "negative count")]
    assert rows(db, "SELECT dataset_id, downloads FROM hub_datasets ORDER BY 1") == [("org/d1", 5), ("org/d9", None)]
