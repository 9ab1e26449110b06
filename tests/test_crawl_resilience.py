"""The crawl under bad conditions: faults and a tight rate limit, kill -9 and resume, a second
concurrent crawl, an unreachable endpoint, a rejected token, and the token's secrecy."""

from __future__ import annotations

import http.server
import logging
import math
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import crawler
import pipeline
from storage.errors import CrawlLocked
from crawler.http import RetryPolicy
from tests.crawl_helpers import content

REPO = Path(__file__).resolve().parents[1]
MODELS = 12_000
FAST = RetryPolicy(backoff_initial=0.02, backoff_max=0.2, jitter=0.02)


def comparable(db) -> dict:
    """Content without the endpoint (each test's simulator listens on its own port)."""
    c = content(db)
    c["crawl_runs"] = [row[:-1] for row in c["crawl_runs"]]
    return c


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """An undisturbed crawl of the universe the other tests disturb."""
    from hubsim.server import SimServer
    from hubsim.universe import Universe

    with SimServer(Universe.build(models=MODELS, seed=3, day=1)) as sim:
        db = tmp_path_factory.mktemp("clean") / "hub.duckdb"
        pipeline.run_night(str(db), endpoint=sim.url, progress=False)
    return comparable(db)


def test_faults_and_a_tight_rate_limit_give_the_same_database(sim_factory, tmp_path, clean):
    sim = sim_factory(models=MODELS, seed=3, faults="500:0.08,503:0.08,reset:0.08,truncate:0.08,slow:0.04@0.3",
                      rate_limit="12/2")
    db = tmp_path / "hub.duckdb"
    result = pipeline.run_night(str(db), endpoint=sim.url, progress=False, policy=FAST)
    stats = sim.stats()["totals"]
    assert all(stats["faults"][k] > 0 for k in ("500", "503", "reset", "truncate"))
    assert result.retries > 0
    assert comparable(db) == clean
    # Pacing learned the budget from the RateLimit header: the limit never had to say no.
    assert stats["429"] == 0


def test_without_pacing_429s_are_obeyed(sim_factory, tmp_path, clean):
    sim = sim_factory(models=MODELS, seed=3, rate_limit="5/2")   # 12 pages: the budget is overrun
    db = tmp_path / "hub.duckdb"
    started = time.monotonic()
    pipeline.run_night(str(db), endpoint=sim.url, progress=False,
                      policy=RetryPolicy(backoff_initial=0.02, backoff_max=0.2, jitter=0.02, pace=False))
    elapsed = time.monotonic() - started
    rejected = sim.stats()["totals"]["429"]
    assert rejected > 0
    # A request before Retry-After elapsed would be refused again in the same window: waiting
    # as told means at most one 429 per 2-second window.
    assert rejected <= elapsed / 2 + 1
    assert comparable(db) == clean


CRAWL_SCRIPT = textwrap.dedent("""
    import sys, pipeline
    pipeline.run_night(sys.argv[1], endpoint=sys.argv[2], progress=False)
""")


def test_kill_9_mid_run_then_resume_gives_the_same_database(sim_factory, tmp_path, clean):
    sim = sim_factory(models=MODELS, seed=3, latency_ms=60)
    db = tmp_path / "hub.duckdb"
    child = subprocess.Popen([sys.executable, "-c", CRAWL_SCRIPT, str(db), sim.url], cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while sim.stats()["totals"]["pages"] < 7 and time.monotonic() < deadline:   # mid-way through the 12 pages
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert Path(f"{db}.staging").exists()
    result = pipeline.run_night(str(db), endpoint=sim.url, progress=False)
    assert result.resumed
    assert comparable(db) == clean
    assert not Path(f"{db}.staging").exists()


def test_stopped_night_is_invisible_until_resumed(sim_factory, tmp_path, clean):
    sim = sim_factory(models=MODELS, seed=3)
    db = tmp_path / "hub.duckdb"
    with pytest.raises(pipeline.PartialRun):
        pipeline.run_night(str(db), endpoint=sim.url, progress=False, max_pages=7)
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT (SELECT count(*) FROM hub_models) + (SELECT count(*) FROM crawl_runs)").fetchone() == (0,)
    con.close()
    sim.reset_stats()
    pipeline.run_night(str(db), endpoint=sim.url, progress=False)
    u = sim.universe   # a first night lists every model, dataset and Space once, 1,000 a page
    night_pages = sum(math.ceil(n / 1000) for n in (u.truth()["models_total"], u.datasets.alive.sum(), u.spaces.alive.sum()))
    assert sim.stats()["totals"]["pages"] == night_pages - 7   # only the pages not committed before
    assert comparable(db) == clean


def test_a_second_concurrent_crawl_is_refused(sim_factory, tmp_path):
    sim = sim_factory(models=100)
    db = tmp_path / "hub.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from storage.lock import crawl_lock\n"
                               "with crawl_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(60)", str(db)],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(CrawlLocked) as caught:
            pipeline.run_night(str(db), endpoint=sim.url, progress=False)
        assert str(caught.value) == f"another crawl is running on {db} (lock {db}.lock); wait for it to finish"
    finally:
        holder.kill()
        holder.wait()
    pipeline.run_night(str(db), endpoint=sim.url, progress=False)   # the lock dies with its holder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_endpoint_is_a_clear_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(crawler.HubUnreachable) as caught:
        pipeline.run_night(str(tmp_path / "hub.duckdb"), endpoint=url, progress=False, policy=FAST)
    assert str(caught.value).startswith(f"cannot reach {url}: ")
    assert "\n" not in str(caught.value)


class _Reject(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(401)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_rejected_token_is_a_clear_error(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Reject)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with pytest.raises(crawler.AuthRejected) as caught:
            pipeline.run_night(str(tmp_path / "hub.duckdb"), endpoint=url, token="hf_wrong", progress=False)
    finally:
        server.shutdown()
    assert str(caught.value) == f"{url} rejected the credentials (HTTP 401); check HF_TOKEN or `hf auth login`"


def test_the_token_never_reaches_the_database_or_the_logs(sim_factory, tmp_path, caplog):
    token = "hf_SecretTokenThatMustNotLeak0123456789"
    sim = sim_factory(models=300, rate_limit="1000/60")
    db = tmp_path / "hub.duckdb"
    with caplog.at_level(logging.DEBUG):
        pipeline.run_night(str(db), endpoint=sim.url, token=token, progress=pipeline.LogProgress(every=0))
    pipeline.run_night(str(db), endpoint=sim.url, token=token, progress=False)
    leftovers = [p for p in tmp_path.iterdir()]
    assert db in leftovers
    for path in leftovers:
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
    assert token not in caplog.text
    # The token was used: the simulator keys its rate limit on it.
    assert sim.limiter.windows and all(k.startswith("token:") for k in sim.limiter.windows)
