"""The catch-up: models the sweep lists that no refresh ever brought are fetched by id.

(The nightly case, models made public with old dates, is in test_crawl_nights.py.) Here the
main file is made to forget the heavy fields of some models, as if no refresh had reached
them, and the next night must fetch exactly those, resumably, by well-formed ids only.
"""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest

import pipeline
from crawler.http import HubClient
from crawler.plans import CATCHUP, repo_path
from pipeline import PartialRun
from tests.crawl_helpers import content

# The models night's mechanics (plans, bytes, catch-up); the three-type night: test_crawl_lifecycle.py
MODELS_ONLY = ("models",)

DAY2 = dt.date(2026, 11, 2)
FORGOTTEN = 250   # 3 catch-up pages of 100


def forget_heavy_fields(db, count: int) -> list[str]:
    """The `count` least recently modified models (no refresh re-reads them) as a sweep-only
    night would have left them."""
    con = duckdb.connect(str(db))
    ids = [m for (m,) in con.execute("SELECT model_id FROM hub_models ORDER BY last_modified, model_id LIMIT ?",
                                     [count]).fetchall()]
    con.execute("UPDATE hub_models SET refreshed_on = NULL, license = NULL, tags = NULL, pipeline_tag = NULL "
                "WHERE model_id IN (SELECT unnest(?))", [ids])
    con.close()
    return ids


@pytest.fixture
def night_with_stragglers(sim_factory, tmp_path):
    sim = sim_factory(models=3000, seed=5)
    reference = tmp_path / "reference.duckdb"
    pipeline.run_night(str(reference), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY)
    forgotten = tmp_path / "forgotten.duckdb"
    shutil.copy(reference, forgotten)
    ids = forget_heavy_fields(forgotten, FORGOTTEN)
    return sim, reference, forgotten, ids


def test_the_next_night_fetches_exactly_the_models_without_heavy_fields(night_with_stragglers):
    sim, reference, forgotten, ids = night_with_stragglers
    sim.reset_stats()
    result = pipeline.run_night(str(forgotten), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY, snapshot_date=DAY2)
    by_id = next(e for e in sim.stats()["by_request"] if e["kind"] == "model")
    assert by_id["requests"] == FORGOTTEN
    assert (result.plans["models/catchup"].pages, result.plans["models/catchup"].models) == (3, FORGOTTEN)
    con = duckdb.connect(str(forgotten), read_only=True)
    assert con.execute("SELECT count(*) FROM hub_models WHERE refreshed_on IS NULL").fetchone()[0] == 0
    con.close()
    # ... and then the heavy fields are those a full crawl stored
    pipeline.run_night(str(reference), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY, snapshot_date=DAY2)
    fields = "SELECT model_id, license, tags, pipeline_tag FROM hub_models ORDER BY model_id"
    assert duckdb.connect(str(forgotten), read_only=True).execute(fields).fetchall() == \
        duckdb.connect(str(reference), read_only=True).execute(fields).fetchall()


def test_a_night_stopped_during_the_catchup_resumes_where_it_stopped(night_with_stragglers, tmp_path):
    sim, _, forgotten, _ = night_with_stragglers
    uninterrupted = tmp_path / "uninterrupted.duckdb"
    shutil.copy(forgotten, uninterrupted)
    pipeline.run_night(str(uninterrupted), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY, snapshot_date=DAY2)
    sim.reset_stats()
    with pytest.raises(PartialRun):   # sweep 3 pages + refresh 1 page + the first catch-up page
        pipeline.run_night(str(forgotten), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY, snapshot_date=DAY2, max_pages=5)
    resumed = pipeline.run_night(str(forgotten), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY, snapshot_date=DAY2)
    assert resumed.resumed
    by_id = next(e for e in sim.stats()["by_request"] if e["kind"] == "model")
    assert by_id["requests"] == FORGOTTEN   # nothing fetched twice
    assert content(forgotten) == content(uninterrupted)


def test_a_model_gone_since_the_sweep_is_no_error(sim_factory, tmp_path):
    sim = sim_factory(models=100)
    with HubClient(sim.url) as client:
        gone = client.get_record(client.url("/api/models/nobody/nothing"), tmp_path)
        present = client.get_record(client.url("/api/models/" + sim.universe.model_id(0)), tmp_path)
    assert (gone.gone, gone.files, gone.records) == (True, [], 0)
    assert not present.gone and present.records == 1 and len(present.files) == 1
    assert b'"id"' in present.files[0].read_bytes()


@pytest.mark.parametrize("hostile", ["a/../../api/whoami", "a/b?expand[]=x", "a/b#c", "a/b/c", "../x", "a b/c",
                                     "", "/a", "a/", "x" * 200])
def test_ids_that_are_not_hub_ids_never_reach_a_url_path(hostile):
    assert repo_path(CATCHUP, hostile) is None


@pytest.mark.parametrize("good", ["gpt2", "meta-llama/Llama-3.1-8B-Instruct", "org_1/model.v2-GGUF"])
def test_hub_ids_become_single_model_paths(good):
    assert repo_path(CATCHUP, good) == f"/api/models/{good}"
