"""The crawl lock holds across aliases: a second crawl of the same database file through a
symlink or a hard link is refused (exit 3) while the first runs, with two real processes."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from storage.lock import crawl_lock, lock_path

REPO = Path(__file__).resolve().parents[1]


def environment() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HF_ENDPOINT", "HUBCENSUS_DB")}


def hubcensus(*argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hubcensus", *argv], capture_output=True, text=True, timeout=300,
                          env=environment(), cwd=REPO)


def start_crawl(db: Path, url: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hubcensus", "crawl", "--db", str(db), "--endpoint", url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment(), cwd=REPO)


def wait_until_fetching(crawl: subprocess.Popen, db: Path) -> None:
    """The crawl holds its lock once its staging file exists (it is made under the lock)."""
    deadline = time.monotonic() + 30
    while not Path(f"{db}.staging").exists():
        assert crawl.poll() is None and time.monotonic() < deadline, crawl.communicate()
        time.sleep(0.05)


def stop(crawl: subprocess.Popen) -> int:
    crawl.send_signal(signal.SIGTERM)
    crawl.communicate(timeout=60)
    return crawl.returncode


@pytest.mark.parametrize("alias_kind", ["symlink", "hardlink"])
def test_a_second_crawl_through_an_alias_is_refused(sim_factory, tmp_path, alias_kind):
    first_night = sim_factory(models=5000, seed=8)
    db, alias = tmp_path / "hub.duckdb", tmp_path / "alias.duckdb"
    assert hubcensus("crawl", "--db", str(db), "--endpoint", first_night.url).returncode == 0
    if alias_kind == "symlink":
        alias.symlink_to(db)
    else:
        os.link(db, alias)
    slow = sim_factory(models=5000, seed=8, day=2, latency_ms=400)   # a second night of slow pages
    crawl = start_crawl(db, slow.url)
    try:
        wait_until_fetching(crawl, db)
        second = hubcensus("crawl", "--db", str(alias), "--endpoint", slow.url)
    finally:
        code = stop(crawl)
    assert second.returncode == 3, second.stderr
    errors = [line for line in second.stderr.splitlines() if line.startswith("hubcensus: error: ")]
    held_by = ("under another name (a hard link to the same file)" if alias_kind == "hardlink"
               else f"(lock {db}.lock)")    # the symlink's lock file is the real file's
    assert errors == [f"hubcensus: error: another crawl is running on {alias} {held_by}; wait for it to finish"]
    assert code == 6
    # The refused crawl left nothing of its own: no staging beside the alias.
    assert not Path(f"{alias}.staging").exists()
    # The interrupted night resumes and completes, merged once.
    assert hubcensus("crawl", "--db", str(db), "--endpoint", slow.url).returncode == 0
    with duckdb.connect(str(db), read_only=True) as con:
        rows, distinct = con.execute("SELECT count(*), count(DISTINCT (snapshot_date, model_id)) "
                                     "FROM model_snapshots").fetchone()
        complete = con.execute("SELECT count(DISTINCT night_id) FROM crawl_runs WHERE status = 'complete'").fetchone()[0]
    assert rows == distinct and complete == 2


def test_the_lock_file_is_beside_the_real_file(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert lock_path(tmp_path / "link" / "hub.duckdb") == tmp_path / "real" / "hub.duckdb.lock"


def test_duckdb_writes_the_file_while_the_crawl_holds_its_flock(tmp_path):
    """flock and DuckDB's POSIX record locks are independent on Linux: the crawl's own
    connection opens and writes the file it has flocked; another process is refused both."""
    db = tmp_path / "hub.duckdb"
    duckdb.connect(str(db)).close()
    with crawl_lock(db):
        con = duckdb.connect(str(db))
        con.execute("CREATE TABLE t AS SELECT 42 AS x")
        con.close()   # before any other descriptor of the file is closed (that drops DuckDB's locks)
        fd = os.open(db, os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)   # a new open file description: refused
        finally:
            os.close(fd)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT x FROM t").fetchall() == [(42,)]
