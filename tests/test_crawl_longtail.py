"""The real Hub's long tail through hubsim: the real sample cloned to 200k models (one page of
~120 MB), bad bytes injected as faults, and one poisoned record over eight nights.

Each ends with the night complete (or partial where a whole page was lost), every bad record
accounted for, and a database equal to what the clean Hub gives, apart from the bad records.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import pipeline
from crawler.http import RetryPolicy
from hubsim.hostile import Hostile
from tests.crawl_helpers import content

REPO = Path(__file__).resolve().parents[1]
FAST = RetryPolicy(attempts=2, backoff_initial=0.01, backoff_max=0.02, jitter=0.0)


def hubcensus(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hubcensus", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=600)


@pytest.mark.slow
def test_the_real_sample_cloned_to_200k_models_crawls_with_default_settings(sim_factory, real_sample_path, tmp_path):
    sim = sim_factory(models=0, real=real_sample_path, scale=200_000)
    db = tmp_path / "hub.duckdb"
    crawl = hubcensus("crawl", "--db", str(db), "--endpoint", sim.url)
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    assert sim.stats()["totals"]["records"] == 200_000
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*), count(DISTINCT model_id) FROM hub_models WHERE deleted_at IS NULL"
                           ).fetchone() == (200_000, 200_000)
        assert con.execute("SELECT count(*) FROM rejected_records").fetchone() == (0,)
        # the 560 KB record's 216 copies on one ~120 MB page came through whole
        assert con.execute("SELECT count(*) FROM hub_models WHERE siblings_count = 6264").fetchone()[0] >= 216
    figures = hubcensus("figures", "--db", str(db), "--json")
    assert json.loads(figures.stdout) == sim.universe.truth()


NIGHTS = 8


def crawl_nights(sim, db: Path) -> None:
    for day in range(1, NIGHTS + 1):
        sim.set_day(day)
        pipeline.run_night(str(db), endpoint=sim.url, progress=False)


def hub_content_without(db: Path, model_id: str) -> dict:
    """What the database says about the Hub, minus every row naming model_id. Left out:
    hub_models.refreshed_on, the date we last fetched a model's heavy fields, which is about the
    crawl, not the Hub (the poisoned record, sorted first by the Hub, takes one place on the
    refresh's first page, so the model it pushes to page 2, older than the watermark and so
    unchanged, is re-read a night later); and crawl_runs, compared for its watermarks below."""
    tables = content(db, runs=False)
    with duckdb.connect(str(db), read_only=True) as con:
        tables["hub_models"] = con.execute("SELECT * EXCLUDE (refreshed_on) FROM hub_models ORDER BY model_id").fetchall()
    return {name: [r for r in rows if model_id not in r] for name, rows in tables.items()}


@pytest.mark.slow
def test_a_far_future_last_modified_for_eight_nights_changes_nothing_but_its_own_model(sim_factory, tmp_path):
    clean_sim = sim_factory(models=5000, seed=21)
    poisoned_id = clean_sim.universe.model_id(1234)
    poison = Hostile(model_id=poisoned_id, field="lastModified", raw=b'"9999-12-31T23:59:59Z"', days=range(2, NIGHTS + 1))
    poisoned_sim = sim_factory(models=5000, seed=21, hostile=[poison])
    clean, poisoned = tmp_path / "clean.duckdb", tmp_path / "poisoned.duckdb"
    crawl_nights(clean_sim, clean)
    crawl_nights(poisoned_sim, poisoned)
    assert hub_content_without(poisoned, poisoned_id) == hub_content_without(clean, poisoned_id)
    with duckdb.connect(str(poisoned), read_only=True) as con:
        # refreshes kept going: every night's watermark is a trusted time, the same as the clean Hub's
        marks = con.execute("SELECT snapshot_date, watermark FROM crawl_runs WHERE watermark IS NOT NULL AND repo_type = 'models' ORDER BY 1").fetchall()
        assert all(mark.year < 9999 for _, mark in marks) and len(marks) == NIGHTS
        assert con.execute("SELECT DISTINCT model_id, field, reason FROM rejected_records").fetchall() == [
            (poisoned_id, "lastModified", "later than the response's Date + 1 day")]
        kept = con.execute("SELECT last_modified FROM hub_models WHERE model_id = ?", [poisoned_id]).fetchone()
    with duckdb.connect(str(clean), read_only=True) as con:
        clean_marks = con.execute("SELECT snapshot_date, watermark FROM crawl_runs WHERE watermark IS NOT NULL AND repo_type = 'models' ORDER BY 1").fetchall()
        # a dropped time keeps the model's last trusted one (docs/ingest.md): the clean Hub's value
        assert kept == con.execute("SELECT last_modified FROM hub_models WHERE model_id = ?", [poisoned_id]).fetchone()
    assert marks == clean_marks


RECORD_KINDS = {"badutf8": "invalid UTF-8", "surrogate": "invalid escape", "deepnest": "nesting deeper than 512",
                "nonobject": "record is not an object"}
VALUE_KINDS = {"farfuture": "lastModified", "negcount": "downloads", "bcdate": "createdAt"}


def test_every_injected_bad_record_is_accounted_for_and_the_rest_stored(sim_factory, tmp_path):
    faults = ",".join(f"{kind}:0.08" for kind in [*RECORD_KINDS, *VALUE_KINDS, "strcount"])
    sim = sim_factory(models=6000, seed=4, faults=faults)
    db = tmp_path / "hub.duckdb"
    result = pipeline.run_night(str(db), endpoint=sim.url, progress=False, plans=("full",), policy=FAST,
                                repo_types=("models",))   # faults would hit datasets and Spaces pages too
    injected = sim.stats()["totals"]["faults"]
    assert result.status == "complete" and sum(injected[k] for k in RECORD_KINDS) > 0
    with duckdb.connect(str(db), read_only=True) as con:
        whole = dict(con.execute("SELECT reason, count(*) FROM rejected_records WHERE field IS NULL GROUP BY 1").fetchall())
        values = dict(con.execute("SELECT field, count(*) FROM rejected_records WHERE field IS NOT NULL GROUP BY 1").fetchall())
        stored = con.execute("SELECT count(*) FROM hub_models").fetchone()[0]
    assert whole == {reason: injected[kind] for kind, reason in RECORD_KINDS.items() if injected[kind]}
    assert values == {field: injected[kind] for kind, field in VALUE_KINDS.items() if injected[kind]}
    assert stored == sim.universe.truth()["models_total"] - sum(injected[k] for k in RECORD_KINDS)
    assert result.skipped == sum(injected[k] for k in RECORD_KINDS)


def test_a_lost_page_ends_the_night_partial_without_deletions_and_the_next_night_is_whole(sim_factory, tmp_path):
    sim = sim_factory(models=3000, seed=8)
    db = tmp_path / "hub.duckdb"
    pipeline.run_night(str(db), endpoint=sim.url, progress=False)
    lossy = sim_factory(models=3000, seed=8, day=2, faults="html200:0.34")
    result = pipeline.run_night(str(db), endpoint=lossy.url, progress=False, policy=FAST, snapshot_date=dt.date(2026, 11, 2))
    lost = lossy.stats()["totals"]["faults"]["html200"]
    assert lost > 0 and result.status == "partial"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM hub_models WHERE deleted_at IS NOT NULL").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM crawl_runs WHERE status = 'partial'").fetchone()[0] >= 1
    sim.set_day(2)
    whole = pipeline.run_night(str(db), endpoint=sim.url, progress=False, snapshot_date=dt.date(2026, 11, 3))
    assert (whole.status, whole.resumed) == ("complete", False)
