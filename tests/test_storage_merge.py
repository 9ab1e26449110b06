"""storage/: migrations, the night's merge (idempotent, one snapshot per model and date,
deletions and reappearances), and a main file held by a reader."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

import pipeline
from hubcensus.config import ExitCode
from hubcensus.failures import exit_code_for
from storage.errors import MainDatabaseBusy
from storage import db as storage_db
from tests.crawl_helpers import content

# The models night's mechanics (plans, bytes, catch-up); the three-type night: test_crawl_lifecycle.py
MODELS_ONLY = ("models",)

REPO = Path(__file__).resolve().parents[1]


def test_open_main_applies_migrations_once_and_adopts_hand_made_files(tmp_path):
    con = storage_db.open_main(tmp_path / "new.duckdb")
    versions = con.execute("SELECT version, name FROM schema_migrations").fetchall()
    con.close()
    assert versions == [(v, name) for v, name, _ in storage_db.migrations()]
    con = storage_db.open_main(tmp_path / "new.duckdb")   # nothing left to apply
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(versions)
    con.close()
    hand = duckdb.connect(str(tmp_path / "hand.duckdb"))   # as test fixtures build it: 001 by hand
    hand.execute(storage_db.migrations()[0][2])
    hand.close()
    con = storage_db.open_main(tmp_path / "hand.duckdb")
    assert con.execute("SELECT min(version) FROM schema_migrations").fetchone()[0] == 1
    con.close()


def test_after_a_night_the_main_file_is_whole_on_its_own(sim_factory, tmp_path):
    """Analysts copy the .duckdb file: the night must be in it, not left in a WAL beside it."""
    sim = sim_factory(models=2000, seed=5)
    db = tmp_path / "hub.duckdb"
    pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY)
    wal = Path(f"{db}.wal")
    assert not wal.exists() or wal.stat().st_size == 0
    copy = tmp_path / "copy" / "hub.duckdb"
    copy.parent.mkdir()
    copy.write_bytes(db.read_bytes())
    con = duckdb.connect(str(copy), read_only=True)
    assert con.execute("SELECT count(*) FROM hub_models").fetchone()[0] == 2000
    con.close()


def test_re_running_a_day_is_idempotent(sim_factory, tmp_path):
    sim = sim_factory(models=3000, seed=5)
    db = tmp_path / "hub.duckdb"
    pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY)
    first = content(db, runs=False)
    pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY)
    assert content(db, runs=False) == first
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*), count(DISTINCT (snapshot_date, model_id)) FROM model_snapshots").fetchone() \
        == (3000, 3000)
    # full (the first run), then sweep + refresh (the day now has a watermark)
    assert con.execute("SELECT plan FROM crawl_runs WHERE repo_type = 'models' ORDER BY run_id").fetchall() == [("full",), ("sweep",), ("refresh",)]
    con.close()


def test_snapshot_date_is_the_servers_date_unless_given(sim_factory, tmp_path):
    sim = sim_factory(models=500, seed=5, start_date=dt.date(2027, 2, 10), day=3)
    db = tmp_path / "hub.duckdb"
    assert pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY).snapshot_date == dt.date(2027, 2, 12)
    given = dt.date(2027, 3, 1)
    assert pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY, snapshot_date=given).snapshot_date == given
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT DISTINCT snapshot_date FROM model_snapshots ORDER BY 1").fetchall() == \
        [(dt.date(2027, 2, 12),), (given,)]
    con.close()


def test_a_vanished_model_is_marked_and_a_reappearing_one_revived(sim_factory, tmp_path):
    sim = sim_factory(models=2000, seed=9)
    db = tmp_path / "hub.duckdb"
    pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY)
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO hub_models (model_id, first_seen, last_seen) VALUES ('gone/model', DATE '2026-10-01', DATE '2026-10-01')")
    con.execute("UPDATE hub_models SET deleted_at = DATE '2026-10-15' WHERE model_id = (SELECT min(model_id) FROM hub_models WHERE model_id <> 'gone/model')")
    revived = con.execute("SELECT model_id FROM hub_models WHERE deleted_at IS NOT NULL").fetchone()[0]
    con.close()
    pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY, snapshot_date=dt.date(2026, 11, 5))
    con = duckdb.connect(str(db), read_only=True)
    state = dict((m, d) for m, d in con.execute("SELECT model_id, deleted_at FROM hub_models WHERE model_id IN (?, ?)",
                                                ["gone/model", revived]).fetchall())
    con.close()
    assert state == {"gone/model": dt.date(2026, 11, 5), revived: None}


def test_refresh_only_night_marks_nothing_deleted(sim_factory, tmp_path):
    sim = sim_factory(models=1500, seed=9)
    db = tmp_path / "hub.duckdb"
    pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY)
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO hub_models (model_id, first_seen, last_seen) VALUES ('gone/model', DATE '2026-10-01', DATE '2026-10-01')")
    con.close()
    result = pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY, plans=("refresh",))
    assert list(result.plans) == ["models/refresh"]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM hub_models WHERE deleted_at IS NOT NULL").fetchone()[0] == 0
    con.close()


HOLD_READONLY = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print("reading", flush=True)
    time.sleep(float(sys.argv[2]))
""")


def test_a_reader_holding_the_file_delays_the_merge_then_staging_is_kept(sim_factory, tmp_path):
    sim = sim_factory(models=1200, seed=2)
    db = tmp_path / "hub.duckdb"
    pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY)
    with pytest.raises(pipeline.PartialRun):   # a night under way when the analyst connects
        pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY, max_pages=1, snapshot_date=dt.date(2026, 11, 2))
    before = content(db)
    reader = subprocess.Popen([sys.executable, "-c", HOLD_READONLY, str(db), "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "reading"
        with pytest.raises(MainDatabaseBusy) as caught:
            pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY, merge_wait_seconds=1.0,
                              snapshot_date=dt.date(2026, 11, 2))
        assert "the night is kept in staging" in str(caught.value)
        assert exit_code_for(caught.value) == ExitCode.PARTIAL   # resumable: the next crawl merges it
    finally:
        reader.kill()
        reader.wait()
    assert Path(f"{db}.staging").exists()
    assert content(db) == before
    sim.reset_stats()
    result = pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY, snapshot_date=dt.date(2026, 11, 2))
    assert sim.stats()["totals"]["requests"] == 0   # nothing re-fetched: the kept night is merged
    assert result.snapshot_date == dt.date(2026, 11, 2) and result.resumed
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM model_snapshots WHERE snapshot_date = DATE '2026-11-02'").fetchone()[0] == 1200
    con.close()


def test_a_new_night_waits_for_a_busy_file_then_says_nothing_was_crawled(sim_factory, tmp_path):
    sim = sim_factory(models=100, seed=2)
    db = tmp_path / "hub.duckdb"
    pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY)
    reader = subprocess.Popen([sys.executable, "-c", HOLD_READONLY, str(db), "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "reading"
        sim.reset_stats()
        with pytest.raises(MainDatabaseBusy) as caught:
            pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY, merge_wait_seconds=0.5)
    finally:
        reader.kill()
        reader.wait()
    assert str(caught.value) == f"{db} stayed locked by another process for 0.5s; nothing was crawled; try again when it is free"
    assert sim.stats()["totals"]["requests"] == 0


def test_record_files_are_parsed_in_batches_bounded_by_count_and_bytes(tmp_path):
    """Parsing needs many times its input in memory: a batch never exceeds BATCH_BYTES of JSON
    (unless one file alone is larger) nor BATCH_FILES files, and keeps the files in order."""
    from storage.staging import BATCH_BYTES, BATCH_FILES, RecordFile, parse_batches

    sizes = [100] * (BATCH_FILES + 4) + [BATCH_BYTES // 2, BATCH_BYTES // 2 + 1, BATCH_BYTES * 2, 100, 100]
    files = []
    for n, size in enumerate(sizes, 1):
        f = tmp_path / f"{n}.0.ndjson"
        f.write_bytes(b" " * size)
        files.append(RecordFile(n, 0, f, size, None))
    batches = parse_batches(files)
    assert [f for batch in batches for f in batch] == files
    assert [len(b) for b in batches] == [BATCH_FILES, 5, 1, 1, 2]
    for batch in batches:
        assert len(batch) == 1 or sum(f.path.stat().st_size for f in batch) <= BATCH_BYTES


def test_a_night_merged_in_slices_equals_one_merged_whole(sim_factory, tmp_path, monkeypatch):
    """Big nights are merged in slices of model ids (memory stays flat as the Hub grows); the
    result must not depend on it: day 1 (new models) and day 2 (changes, deletions, new
    models, history) in slices of 700 models give the very same database as unsliced."""
    import storage.merge

    def two_nights(db):
        sim = sim_factory(models=3000, seed=21)
        pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY)
        sim.set_day(2)
        pipeline.run_night(str(db), endpoint=sim.url, progress=False, repo_types=MODELS_ONLY)
        out = content(db)
        out["crawl_runs"] = [run[:-1] for run in out["crawl_runs"]]   # less the endpoint (another port)
        return out

    whole = two_nights(tmp_path / "whole.duckdb")
    monkeypatch.setattr(storage.merge, "SLICE_MODELS", 700)
    monkeypatch.setattr(storage.merge, "LIGHT_ROWS_PER_HEAVY", 1)   # the second night's sweep in slices too
    sliced = two_nights(tmp_path / "sliced.duckdb")
    assert sliced == whole
    assert whole["model_changes"] and any(row[-2] is not None for row in whole["hub_models"])  # deletions happened


def test_a_slice_holds_at_most_its_share_of_heavy_rows_or_five_times_as_many_light_ones():
    from storage.merge import LIGHT_ROWS_PER_HEAVY, SLICE_MODELS, slice_count

    assert slice_count(0, 0) == 1
    assert slice_count(SLICE_MODELS, 0) == 1 and slice_count(SLICE_MODELS + 1, 0) == 2
    assert slice_count(0, SLICE_MODELS * LIGHT_ROWS_PER_HEAVY) == 1
    assert slice_count(0, SLICE_MODELS * LIGHT_ROWS_PER_HEAVY + 1) == 2
    # a second night: every model listed light, a few refreshed heavy
    assert slice_count(SLICE_MODELS // 2, SLICE_MODELS * LIGHT_ROWS_PER_HEAVY // 2) == 1
    assert slice_count(SLICE_MODELS // 2, SLICE_MODELS * LIGHT_ROWS_PER_HEAVY) == 2
