"""`hubcensus crawl` end to end against hubsim over real HTTP: the exit code of every failure
class, and a crawl followed by `figures --json` equal to the simulator's truth."""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]


def hubcensus(*argv, env=None, timeout=300) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HF_ENDPOINT", "HUBCENSUS_DB")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "hubcensus", *argv], capture_output=True, text=True,
                          timeout=timeout, env=environment, cwd=REPO)


def truth(models: int, seed: int = 1, day: int = 1) -> dict:
    result = subprocess.run([sys.executable, "-m", "hubsim", "truth", "--models", str(models), "--seed", str(seed),
                             "--day", str(day)], capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(result.stdout)


def test_crawl_then_figures_equal_the_simulators_truth(sim_factory, tmp_path):
    sim = sim_factory(models=3000, seed=7)
    db = tmp_path / "hub.duckdb"
    crawl = hubcensus("crawl", "--db", str(db), "--endpoint", sim.url)
    assert crawl.returncode == 0, crawl.stderr
    assert crawl.stdout.splitlines()[-1].startswith("crawl complete: night 2026-11-01: 3000 models")
    figures = hubcensus("figures", "--db", str(db), "--json")
    assert figures.returncode == 0, figures.stderr
    assert json.loads(figures.stdout) == truth(3000, seed=7)
    # The night left the analysis views installed in the file for every reader.
    views = duckdb.connect(str(db), read_only=True).execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name IN ('models', 'alive_models', 'figure_summary')").fetchone()
    assert views == (3,)


def test_hf_endpoint_is_honoured(sim_factory, tmp_path):
    sim = sim_factory(models=200, seed=3)
    db = tmp_path / "hub.duckdb"
    crawl = hubcensus("crawl", "--db", str(db), env={"HF_ENDPOINT": sim.url})
    assert crawl.returncode == 0, crawl.stderr
    assert duckdb.connect(str(db), read_only=True).execute("SELECT count(*) FROM hub_models").fetchone() == (200,)


def test_snapshot_date_override(sim_factory, tmp_path):
    sim = sim_factory(models=100, seed=3)
    db = tmp_path / "hub.duckdb"
    assert hubcensus("crawl", "--db", str(db), "--endpoint", sim.url, "--snapshot-date", "2026-12-24").returncode == 0
    assert duckdb.connect(str(db), read_only=True).execute(
        "SELECT DISTINCT snapshot_date::VARCHAR FROM model_snapshots").fetchall() == [("2026-12-24",)]


def error_lines(stderr: str) -> list[str]:
    """The CLI's own error output (the crawl also writes log lines to stderr)."""
    assert "Traceback" not in stderr
    return [line for line in stderr.splitlines() if line.startswith("hubcensus: error: ")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_hub_is_exit_4(tmp_path):
    result = hubcensus("crawl", "--db", str(tmp_path / "hub.duckdb"), "--endpoint", f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 4
    assert len(error_lines(result.stderr)) == 1 and error_lines(result.stderr)[0].startswith("hubcensus: error: cannot reach")


class RejectingHub(http.server.BaseHTTPRequestHandler):
    """A Hub that answers every request with 401, as huggingface.co does for a revoked token."""

    def do_GET(self):
        body = b'{"error":"Invalid credentials in Authorization header"}'
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_rejected_token_is_exit_5_and_the_token_is_not_printed(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RejectingHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        secret = "hf_thisIsNotARealTokenButASecret123"
        result = hubcensus("crawl", "--db", str(tmp_path / "hub.duckdb"),
                           "--endpoint", f"http://127.0.0.1:{server.server_port}", env={"HF_TOKEN": secret})
    finally:
        server.shutdown()
    assert result.returncode == 5
    assert len(error_lines(result.stderr)) == 1
    assert secret not in result.stdout + result.stderr


def test_second_concurrent_crawl_is_exit_3_and_an_interrupted_one_exit_6(sim_factory, tmp_path):
    sim = sim_factory(models=20000, seed=5, latency_ms=150)  # 40 pages: ~6 s of crawling
    db = tmp_path / "hub.duckdb"
    environment = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HF_ENDPOINT")}
    first = subprocess.Popen([sys.executable, "-m", "hubcensus", "crawl", "--db", str(db), "--endpoint", sim.url],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment, cwd=REPO)
    try:
        time.sleep(1.5)  # the first crawl is fetching pages (150 ms each)
        second = hubcensus("crawl", "--db", str(db), "--endpoint", sim.url)
        assert second.returncode == 3, second.stderr
        assert len(error_lines(second.stderr)) == 1
        first.send_signal(signal.SIGTERM)
        _, stderr = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 6, stderr
    assert stderr.splitlines()[-1] == "hubcensus: error: interrupted; the next crawl resumes from the last checkpoint"
    # Run again: it resumes and completes, and the night equals the truth.
    again = hubcensus("crawl", "--db", str(db), "--endpoint", sim.url)
    assert again.returncode == 0, again.stderr
    assert json.loads(hubcensus("figures", "--db", str(db), "--json").stdout) == truth(20000, seed=5)


def test_make_crawl_names_the_crawls_own_exit_code(tmp_path):
    """make exits 2 whatever failed; its last recipe line says which exit class the crawl had."""
    environment = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HUBCENSUS_DB", "MAKEFLAGS")}
    environment["HF_ENDPOINT"] = f"http://127.0.0.1:{free_port()}"
    result = subprocess.run(["make", "--no-print-directory", "crawl", f"DB={tmp_path / 'hub.duckdb'}"],
                            capture_output=True, text=True, timeout=600, cwd=REPO, env=environment)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[-2] == ("make crawl: hubcensus crawl exited 4 (README.md, exit codes); cron wrappers should run "
                         ".venv/bin/hubcensus crawl directly")
    assert len(error_lines(result.stderr)) == 1 and error_lines(result.stderr)[0].startswith("hubcensus: error: cannot reach")
