"""Every failure gets its documented exit code and one true line (exit 1 is "a bug"), through
real `hubcensus` processes: unusable database paths, bad endpoints, a Hub that is a web site,
too little memory, a full disk, a schema from the future, a password in the URL, nothing
crawled yet, unwritable outputs."""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from hubcensus.cli import main
from storage.db import open_main
from tests.cli_fixtures import make_db

REPO = Path(__file__).resolve().parents[1]
NOBODY = 65534


def hubcensus(*argv, env=None, cwd=REPO, **kw) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HF_ENDPOINT", "HUBCENSUS_DB")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "hubcensus", *argv], capture_output=True, text=True, timeout=300,
                          env=environment, cwd=cwd, **kw)


def error_line(result: subprocess.CompletedProcess) -> str:
    """The one error line, after checking there is exactly one and no traceback."""
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("hubcensus: error: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


class CountingHub(http.server.BaseHTTPRequestHandler):
    """A web site where a Hub should be: every path is an HTML 404. Counts what it was asked."""

    requests: list[str] = []

    def do_GET(self):
        type(self).requests.append(self.path)
        body = b"<!DOCTYPE html><html><head><title>Not Found</title></head><body><h1>404</h1></body></html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def web_site():
    CountingHub.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", CountingHub.requests
    server.shutdown()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the database path ----------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["figures"], ["sql", "SELECT 1"], ["report", "--out", "r.html"],
                                     ["crawl", "--endpoint", "http://127.0.0.1:1"]])
def test_a_directory_as_database_is_exit_2(tmp_path, command):
    (tmp_path / "data.duckdb").mkdir()
    result = hubcensus(command[0], "--db", str(tmp_path / "data.duckdb"), *command[1:], cwd=tmp_path)
    assert result.returncode == 2
    assert error_line(result) == f"hubcensus: error: {tmp_path / 'data.duckdb'} is a directory, not a DuckDB database file"


@pytest.mark.parametrize("command", [["figures"], ["sql", "SELECT 1"], ["export", "--out", "out"],
                                     ["crawl", "--endpoint", "http://127.0.0.1:1"]])
def test_a_file_that_is_not_duckdb_is_exit_2_and_left_alone(tmp_path, command):
    notes = tmp_path / "notes.duckdb"
    notes.write_text("my notes, not a database\n")
    result = hubcensus(command[0], "--db", str(notes), *command[1:], cwd=tmp_path)
    assert result.returncode == 2
    assert error_line(result) == f"hubcensus: error: {notes} is not a DuckDB database (no DuckDB header)"
    assert notes.read_text() == "my notes, not a database\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.duckdb"]


def test_another_duckdb_database_is_neither_read_nor_crawled_into(tmp_path):
    other = tmp_path / "sales.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE orders AS SELECT 1 AS id")
    before = other.read_bytes()
    read = hubcensus("sql", "--db", str(other), "SELECT * FROM orders")
    assert read.returncode == 2
    assert error_line(read) == (f"hubcensus: error: {other} is a DuckDB database but not a hubcensus one "
                                "(no hub_models table); run `hubcensus crawl` into a new file")
    crawl = hubcensus("crawl", "--db", str(other), "--endpoint", "http://127.0.0.1:1")
    assert crawl.returncode == 2
    assert error_line(crawl) == f"hubcensus: error: {other} holds another DuckDB database (tables orders); crawl into a new file"
    assert other.read_bytes() == before


def test_an_unreadable_database_is_exit_2(tmp_path, capsys):
    """Root reads every file, so the CLI runs (in this process) with the effective uid of nobody."""
    db = make_db(tmp_path / "hub.duckdb")
    db.chmod(0o600)
    tmp_path.chmod(0o755)
    os.seteuid(NOBODY)
    try:
        code = main(["sql", "--db", str(db), "SELECT 1"])
    finally:
        os.seteuid(0)
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert captured.err == f"hubcensus: error: cannot read {db}: permission denied\n"


def test_crawl_into_a_missing_directory_names_it_and_creates_nothing(tmp_path):
    result = hubcensus("crawl", "--db", str(tmp_path / "missing" / "dir" / "x.duckdb"), "--endpoint", "http://127.0.0.1:1")
    assert result.returncode == 2
    assert error_line(result) == (f"hubcensus: error: cannot create {tmp_path / 'missing' / 'dir' / 'x.duckdb'}: "
                                  f"directory {tmp_path / 'missing'} does not exist (create it first)")
    assert list(tmp_path.iterdir()) == []


def test_the_default_database_folder_is_created(tmp_path, web_site):
    """A fresh clone has no data/: `hubcensus crawl` without --db makes it (then fails on the site)."""
    url, _ = web_site
    result = hubcensus("crawl", "--endpoint", url, cwd=tmp_path)
    assert result.returncode == 4
    assert (tmp_path / "data").is_dir()


# --- the endpoint ----------------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint, why", [
    ("huggingface.co", "it needs http:// or https:// and a host"),
    ("ftp://mirror.example.org/hub", "scheme ftp:// is not supported"),
    ("http://", "it needs http:// or https:// and a host"),
])
def test_an_endpoint_that_is_not_an_http_url_is_exit_2_before_any_work(tmp_path, endpoint, why):
    result = hubcensus("crawl", "--db", str(tmp_path / "hub.duckdb"), "--endpoint", endpoint)
    assert result.returncode == 2
    assert error_line(result) == (f"hubcensus: error: --endpoint {endpoint!r}: {why}; give a URL such as "
                                  "https://huggingface.co or http://127.0.0.1:8765")
    assert list(tmp_path.iterdir()) == []


def test_hf_endpoint_is_checked_the_same_way(tmp_path):
    result = hubcensus("crawl", "--db", str(tmp_path / "hub.duckdb"), env={"HF_ENDPOINT": "localhost:8765"})
    assert result.returncode == 2
    assert "HF_ENDPOINT 'localhost:8765': it needs http:// or https:// and a host" in error_line(result)


def test_a_web_site_instead_of_a_hub_is_exit_4_naming_the_404(tmp_path, web_site):
    url, requests = web_site
    result = hubcensus("crawl", "--db", str(tmp_path / "hub.duckdb"), "--endpoint", url)
    assert result.returncode == 4
    line = error_line(result)
    assert line == (f"hubcensus: error: {url} refused /api/models: HTTP 404 (text/html), "
                    "not the Hub's JSON API: check --endpoint / HF_ENDPOINT")
    assert requests and requests[0].startswith("/api/models?")


def test_an_unresolvable_hub_keeps_the_cause_in_its_message(tmp_path):
    result = hubcensus("crawl", "--db", str(tmp_path / "hub.duckdb"), "--endpoint", "http://no-such-hub.invalid")
    assert result.returncode == 4
    line = error_line(result)
    assert line.startswith("hubcensus: error: cannot reach http://no-such-hub.invalid")
    assert "Failed to resolve 'no-such-hub.invalid'" in line and len(line) < 400


def test_a_password_in_the_endpoint_never_appears(tmp_path, sim_factory):
    secret = "s3cret-Passw0rd"
    closed = hubcensus("crawl", "--db", str(tmp_path / "a.duckdb"), "--endpoint",
                       f"http://analyst:{secret}@127.0.0.1:{free_port()}")
    assert closed.returncode == 4
    assert secret not in closed.stdout + closed.stderr
    assert "analyst:***@127.0.0.1" in error_line(closed)

    sim = sim_factory(models=300, seed=2)
    host = sim.url.removeprefix("http://")
    crawled = hubcensus("crawl", "--db", str(tmp_path / "b.duckdb"), "--endpoint", f"http://analyst:{secret}@{host}",
                        env={"HUBCENSUS_LOG_LEVEL": "DEBUG"})
    assert crawled.returncode == 0, crawled.stderr
    assert secret not in crawled.stdout + crawled.stderr
    with duckdb.connect(str(tmp_path / "b.duckdb"), read_only=True) as con:
        stored = con.execute("SELECT string_agg(DISTINCT endpoint, ',') FROM crawl_runs").fetchone()[0]
    assert stored == sim.url and secret not in stored


# --- memory and disk -------------------------------------------------------------------------------

def test_a_crawl_memory_below_the_working_minimum_is_exit_2(tmp_path):
    result = hubcensus("crawl", "--db", str(tmp_path / "hub.duckdb"), "--endpoint", "http://127.0.0.1:1",
                       env={"HUBCENSUS_CRAWL_MEMORY": "100MB"})
    assert result.returncode == 2
    assert error_line(result) == ("hubcensus: error: HUBCENSUS_CRAWL_MEMORY=100MB is below the 192MB a crawl needs "
                                  "to finish a night (default 256MB)")
    assert list(tmp_path.iterdir()) == []


FULL_DISK = """
set -u
mount -t tmpfs -o size=1m tmpfs "$1"
"$2" -m hubcensus crawl --db "$1/hub.duckdb" --endpoint "$3" 2>"$4/first.err"
echo "first=$?"
mount -o remount,size=64m "$1"      # the operator frees space
"$2" -m hubcensus crawl --db "$1/hub.duckdb" --endpoint "$3" >/dev/null 2>"$4/second.err"
echo "second=$?"
"$2" -m hubcensus figures --db "$1/hub.duckdb" --json | "$2" -c "import json,sys; print('models=%d' % json.load(sys.stdin)['models_total'])"
"""


def test_a_full_disk_is_exit_7_saying_so_and_the_next_crawl_completes(tmp_path, sim_factory):
    """A real ENOSPC: the database folder is a 1 MB tmpfs in a private mount namespace."""
    sim = sim_factory(models=3000, seed=4)
    mount_point, logs = tmp_path / "small", tmp_path / "logs"
    mount_point.mkdir()
    logs.mkdir()
    result = subprocess.run(["unshare", "--map-root-user", "--mount", "sh", "-c", FULL_DISK, "sh", str(mount_point),
                             sys.executable, sim.url, str(logs)], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.stdout.splitlines() == ["first=7", "second=0", "models=3000"], (result.stdout, result.stderr)
    first = [line for line in (logs / "first.err").read_text().splitlines() if line.startswith("hubcensus: error: ")]
    assert len(first) == 1
    assert first[0].startswith("hubcensus: error: the disk is full (")
    assert "No space left on device" in first[0]
    assert first[0].endswith("free space and run again; the next crawl resumes from its last committed page")


FILE_SIZE_LIMIT = """
import resource, signal, subprocess, sys
def limit():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # the write fails with EFBIG instead of killing us
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
sys.exit(subprocess.run(sys.argv[1:], preexec_fn=limit).returncode)
"""


def test_a_file_size_limit_is_exit_7_and_named_as_such(tmp_path, sim_factory):
    sim = sim_factory(models=3000, seed=4)
    result = subprocess.run([sys.executable, "-c", FILE_SIZE_LIMIT, sys.executable, "-m", "hubcensus", "crawl",
                             "--db", str(tmp_path / "hub.duckdb"), "--endpoint", sim.url],
                            capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.returncode == 7
    assert error_line(result).startswith(
        "hubcensus: error: a file reached this process's file size limit (ulimit -f) (")


# --- the database's contents -----------------------------------------------------------------------

def future_database(path: Path) -> Path:
    con = open_main(path)
    con.execute("INSERT INTO schema_migrations VALUES (99, '099_from_the_future.sql', now()::TIMESTAMP)")
    con.close()
    return path


def test_a_schema_newer_than_the_code_is_exit_2_before_any_fetching(tmp_path, web_site):
    url, requests = web_site
    db = future_database(tmp_path / "hub.duckdb")
    result = hubcensus("crawl", "--db", str(db), "--endpoint", url)
    assert result.returncode == 2
    assert error_line(result).startswith(f"hubcensus: error: {db} has schema version 99, newer than this hubcensus "
                                         "knows (")
    assert error_line(result).endswith("); upgrade hubcensus to read or crawl it")
    assert requests == []
    for reader in (["figures"], ["sql", "SELECT 1"]):
        assert hubcensus(reader[0], "--db", str(db), *reader[1:]).returncode == 2


def test_figures_and_report_without_a_complete_crawl_are_exit_2(tmp_path):
    db = tmp_path / "hub.duckdb"
    open_main(db).close()   # migrated, nothing crawled (as after a first crawl that failed)
    for command in (["figures"], ["figures", "--json"], ["report", "--out", str(tmp_path / "r.html")]):
        result = hubcensus(command[0], "--db", str(db), *command[1:])
        assert (result.returncode, result.stdout) == (2, ""), command
        assert error_line(result) == f"hubcensus: error: {db} has no complete crawl yet; run `hubcensus crawl` first"
    assert not (tmp_path / "r.html").exists()


# --- outputs ---------------------------------------------------------------------------------------

def test_report_into_a_directory_is_exit_2_and_leaves_nothing(tmp_path):
    db = make_db(tmp_path / "hub.duckdb")
    (tmp_path / "out").mkdir()
    result = hubcensus("report", "--db", str(db), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert error_line(result) == (f"hubcensus: error: --out {tmp_path / 'out'} is a directory; name a file in it, "
                                  f"e.g. {tmp_path / 'out' / 'report.html'}")
    assert list((tmp_path / "out").iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hub.duckdb", "out"]


def test_export_where_nothing_can_be_written_is_exit_2(tmp_path):
    db = make_db(tmp_path / "hub.duckdb")
    result = hubcensus("export", "--db", str(db), "--out", "/proc/nope")
    assert result.returncode == 2
    assert error_line(result).startswith("hubcensus: error: cannot write the export to /proc/nope: ")
    assert not Path("/proc/nope").exists()


@pytest.mark.browser
def test_report_as_pdf_is_a_real_pdf(tmp_path):
    db = make_db(tmp_path / "hub.duckdb")
    result = hubcensus("report", "--db", str(db), "--out", str(tmp_path / "r.pdf"))
    assert (result.returncode, result.stdout) == (0, f"wrote {tmp_path / 'r.pdf'}\n"), result.stderr
    pdf = (tmp_path / "r.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and b"/Type /Page" in pdf and len(pdf) > 10_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hub.duckdb", "r.pdf"]


def test_report_as_pdf_without_chromium_is_exit_2_before_any_work(tmp_path):
    db = make_db(tmp_path / "hub.duckdb")
    python_only = tmp_path / "bin"
    python_only.mkdir()
    os.symlink(sys.executable, python_only / "python")
    result = hubcensus("report", "--db", str(db), "--out", str(tmp_path / "r.pdf"), env={"PATH": str(python_only)})
    assert result.returncode == 2
    assert error_line(result) == (
        "hubcensus: error: writing r.pdf needs Chromium to print the report, and none was found (chromium, "
        "chromium-browser, google-chrome, google-chrome-stable on PATH or $HUBCENSUS_CHROMIUM); install it "
        "(Debian: apt-get install chromium, or make chromium) or write --out report.html")
    assert not (tmp_path / "r.pdf").exists()
    assert shutil.which("chromium", path=str(python_only)) is None
