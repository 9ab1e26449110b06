"""figures, export, usage errors and a busy database, through `hubcensus` itself."""

from __future__ import annotations

import hashlib
import importlib
import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from analysis.figures import compute_figures
from hubcensus import reading
from hubcensus.cli import main
from hubcensus.failures import report_failure
from storage.db import DatabaseBusy, SchemaTooNew
from tests.cli_fixtures import make_db


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return make_db(tmp_path_factory.mktemp("cli") / "hub.duckdb")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_figures_json_is_the_analysis_figures(db, capsys):
    code, out, err = run(capsys, "figures", "--db", str(db), "--json")
    assert (code, err) == (0, "")
    with duckdb.connect(str(db), read_only=True) as con:
        assert json.loads(out) == compute_figures(con)
    assert json.loads(out)["snapshot_date"] == "2026-11-02"
    assert list(json.loads(out)) == sorted(json.loads(out))


def test_figures_text_is_readable(db, capsys):
    code, out, _ = run(capsys, "figures", "--db", str(db))
    assert code == 0
    lines = out.splitlines()
    assert lines[:6] == [
        "snapshot                      2026-11-02",
        "models alive                  5",
        "created in the last 30 days   3",
        "with a base model             4",
        "gated share                   40.00%",
        ">= 100M downloads (all time)  1",
    ]
    assert "  meta/base-7b            4         3         2         0          1         0" in lines


def test_readers_never_write_even_where_the_views_are_missing(tmp_path, capsys):
    """A bare file (as a bare pipeline.run_night(install_views=False) leaves it): the views are made as TEMP views on
    the reader's connection, and the file is not written (same bytes, no views stored)."""
    bare = make_db(tmp_path / "bare.duckdb", install_views=False)
    before = hashlib.sha256(bare.read_bytes()).hexdigest()
    code, out, _ = run(capsys, "figures", "--db", str(bare), "--json")
    assert code == 0
    assert json.loads(out)["models_total"] == 5
    assert run(capsys, "report", "--db", str(bare), "--out", str(tmp_path / "r.md"))[0] == 0
    code, out, _ = run(capsys, "sql", "--db", str(bare), "--format", "csv", "SELECT count(*) AS n FROM models")
    assert (code, out) == (0, "n\n6\n")
    assert hashlib.sha256(bare.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bare.duckdb", "r.md"]


def test_export_command(db, tmp_path, capsys):
    out_dir = tmp_path / "out"
    code, out, _ = run(capsys, "export", "--db", str(db), "--out", str(out_dir))
    assert code == 0
    assert out.splitlines() == [
        "model_snapshots: 11 rows", "models: 6 rows", "lineage: 4 rows", "model_changes: 2 rows", "crawl_runs: 4 rows",
        "rejected_records: 0 rows", "datasets: 0 rows", "spaces: 0 rows", "repo_links: 0 rows",
        "repo_link_changes: 0 rows", f"wrote {out_dir}"]
    assert run(capsys, "export", "--db", str(db), "--out", str(out_dir), "--overwrite")[0] == 0


def test_export_into_a_foreign_directory_is_exit_2(db, tmp_path, capsys):
    out_dir = tmp_path / "mine"
    out_dir.mkdir()
    (out_dir / "notes.txt").write_text("not an export")
    code, out, err = run(capsys, "export", "--db", str(db), "--out", str(out_dir))
    assert (code, out) == (2, "")
    assert err == f"hubcensus: error: {out_dir} is not empty; pass --overwrite to replace the export in it\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["notes.txt"]


def test_export_of_a_missing_database_leaves_no_directory(tmp_path, capsys):
    code, _, err = run(capsys, "export", "--db", str(tmp_path / "nope.duckdb"), "--out", str(tmp_path / "out"))
    assert code == 2
    assert "no database at" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, message", [
    (["crawl", "--snapshot-date", "2026-13-01"], "hubcensus: error: --snapshot-date must be YYYY-MM-DD; got '2026-13-01'\n"),
    (["crawl", "--plans", "sweep,nap"], "hubcensus: error: --plans takes a comma list of sweep, refresh, full; got 'sweep,nap'\n"),
    (["schedule", "--cron", "0 3 * *"],
     "hubcensus: error: bad --cron '0 3 * *': expected 5 fields (minute hour day month weekday), got 4\n"),
])
def test_bad_input_is_exit_2_with_one_line(argv, message, tmp_path, capsys):
    code, _, err = run(capsys, *argv, "--db", str(tmp_path / "x.duckdb"))
    assert (code, err) == (2, message)


@pytest.mark.parametrize("value", ["lots", "1GB'; DROP TABLE hub_models; --", "-5MB"])
def test_a_bad_crawl_memory_setting_is_exit_2_before_any_work(value, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HUBCENSUS_CRAWL_MEMORY", value)
    code, _, err = run(capsys, "crawl", "--db", str(tmp_path / "x.duckdb"), "--endpoint", "http://127.0.0.1:1")
    assert (code, err) == (2, f"hubcensus: error: HUBCENSUS_CRAWL_MEMORY must be a size such as 640MB or 1GB; "
                              f"got {value!r}\n")
    assert not list(tmp_path.iterdir())


def test_the_crawl_memory_setting_reaches_duckdb(monkeypatch):
    import duckdb

    from storage.db import configure

    monkeypatch.setenv("HUBCENSUS_CRAWL_MEMORY", "300MB")
    con = configure(duckdb.connect())
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "286.1 MiB"   # 300 MB in MiB
    con.close()


def test_usage_errors_exit_2():
    result = subprocess.run([sys.executable, "-m", "hubcensus", "nonsense"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "invalid choice: 'nonsense'" in result.stderr


def test_help_documents_the_exit_codes():
    result = subprocess.run([sys.executable, "-m", "hubcensus", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for line in ["0  ok", "2  usage error or bad input", "3  another crawl holds the database lock",
                 "4  Hub unreachable", "5  Hub rejected the token", "6  partial run", "7  disk full"]:
        assert line in result.stdout


HOLD_WRITER = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold_writer(db: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the file read-write, as the crawl's final merge does."""
    writer = subprocess.Popen([sys.executable, "-c", HOLD_WRITER, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline() == "holding\n"
    return writer


def test_a_busy_database_is_waited_for(tmp_path, capsys):
    db = make_db(tmp_path / "busy.duckdb")
    writer = hold_writer(db, 1.0)
    started = time.monotonic()
    code, out, _ = run(capsys, "sql", "--db", str(db), "--format", "csv", "SELECT count(*) AS n FROM lineage")
    writer.wait()
    assert (code, out) == (0, "n\n4\n")
    assert time.monotonic() - started >= 0.5  # it waited for the writer instead of failing


def test_a_database_busy_for_too_long_is_exit_3(tmp_path, capsys, monkeypatch):
    db = make_db(tmp_path / "busy.duckdb")
    monkeypatch.setattr(reading, "BUSY_WAIT_SECONDS", 0.5)
    writer = hold_writer(db, 5.0)
    try:
        code, out, err = run(capsys, "sql", "--db", str(db), "SELECT 1")
    finally:
        writer.kill()
        writer.wait()
    assert (code, out) == (3, "")
    assert err == (f"hubcensus: error: {db} is busy (a crawl is merging its night into it); "
                   "waited 0.5s, try again in a minute\n")


@pytest.mark.parametrize("name, code", [
    ("storage.errors.CrawlLocked", 3), ("crawler.errors.HubUnreachable", 4), ("crawler.errors.AuthRejected", 5),
    ("crawler.errors.RetriesExhausted", 6), ("pipeline.errors.PartialRun", 6), ("storage.errors.MainDatabaseBusy", 6),
    ("storage.errors.DiskFull", 7), ("crawler.errors.HubRequestRejected", 4),
])
def test_each_crawl_failure_class_has_its_exit_code(name, code, capsys):
    module, cls = name.rsplit(".", 1)
    error = getattr(importlib.import_module(module), cls)("the crawler's one-line message")
    assert report_failure(error, "crawl") == code
    assert capsys.readouterr().err == "hubcensus: error: the crawler's one-line message\n"


def test_storage_failures_have_their_exit_codes(capsys):
    assert report_failure(DatabaseBusy("x.duckdb stayed busy"), "figures") == 3
    assert capsys.readouterr().err == "hubcensus: error: x.duckdb stayed busy\n"
    assert report_failure(SchemaTooNew("x.duckdb has schema version 9"), "crawl") == 2
    assert capsys.readouterr().err == "hubcensus: error: x.duckdb has schema version 9\n"


def test_interrupt_is_exit_6_and_a_bug_is_exit_1(capsys):
    assert report_failure(KeyboardInterrupt(), "crawl") == 6
    assert capsys.readouterr().err == "hubcensus: error: interrupted; the next crawl resumes from the last checkpoint\n"
    assert report_failure(ZeroDivisionError("division by zero"), "figures") == 1
    assert capsys.readouterr().err == (
        "hubcensus: error: unexpected ZeroDivisionError: division by zero (HUBCENSUS_DEBUG=1 shows a traceback)\n")


def test_a_full_disk_behind_a_failed_rollback_is_named_with_exit_7(capsys):
    """A ROLLBACK that fails after the real error hides it in __context__; the door finds it."""
    try:
        try:
            raise duckdb.IOException('IO Error: Could not write file "hub.duckdb.wal": No space left on device')
        except duckdb.IOException:
            raise duckdb.TransactionException("TransactionContext Error: cannot rollback - no transaction is active")
    except duckdb.Error as error:
        assert report_failure(error, "crawl") == 7
    assert capsys.readouterr().err == (
        'hubcensus: error: the disk is full (IO Error: Could not write file "hub.duckdb.wal": No space left on '
        'device); free space and run again; the next crawl resumes from its last committed page\n')


def test_duckdb_out_of_memory_names_the_setting_to_raise(capsys, monkeypatch):
    monkeypatch.setenv("HUBCENSUS_CRAWL_MEMORY", "200MB")
    error = duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate data of size 32.0 MiB "
                                        "(190.1 MiB/190.7 MiB used)\n\nPossible solutions:\n* Reducing the number of threads")
    assert report_failure(error, "crawl") == 2
    assert capsys.readouterr().err == (
        "hubcensus: error: DuckDB ran out of memory (Out of Memory Error: failed to allocate data of size 32.0 MiB "
        "(190.1 MiB/190.7 MiB used)); raise HUBCENSUS_CRAWL_MEMORY (now 200MB), e.g. 1GB\n")
