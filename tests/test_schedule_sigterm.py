"""`hubcensus schedule` stops gracefully on SIGTERM: the running crawl is told, ends at a
checkpoint, no new crawl starts, and the scheduler exits 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

FAKE_CRAWL = """
import pathlib, signal, sys, time
log = pathlib.Path(sys.argv[1])
def stop(signum, frame):
    with log.open("a") as f:
        f.write(f"stopped by {signal.Signals(signum).name}\\n")
    sys.exit(6)  # what `hubcensus crawl` returns when interrupted: partial, resumable
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
with log.open("a") as f:
    f.write("started\\n")
time.sleep(60)
"""

SCHEDULER = """
import logging, os, sys
from pathlib import Path
os.environ["HUBCENSUS_SCHEDULE_ALLOW_SECONDS"] = "1"
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")
from hubcensus.schedule import serve
cron, fake, log = sys.argv[1:4]
sys.exit(serve(Path("unused.duckdb"), cron, command=[sys.executable, fake, log]))
"""


def start_scheduler(tmp_path: Path, cron: str) -> tuple[subprocess.Popen, Path]:
    fake = tmp_path / "fake_crawl.py"
    fake.write_text(FAKE_CRAWL)
    crawl_log = tmp_path / "crawl.log"
    process = subprocess.Popen(
        [sys.executable, "-c", SCHEDULER, cron, str(fake), str(crawl_log)],
        stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )
    return process, crawl_log


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_sigterm_during_a_crawl_stops_it_at_a_checkpoint_and_exits_zero(tmp_path):
    process, crawl_log = start_scheduler(tmp_path, "* * * * * *")
    try:
        assert wait_for(lambda: crawl_log.exists() and "started" in crawl_log.read_text(), 10)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert crawl_log.read_text().splitlines() == ["started", "stopped by SIGTERM"]
    assert "forwarding SIGTERM to the running crawl" in stderr
    # A stop the scheduler asked for is not a failure, and there is no next run to announce.
    assert ("hubcensus.schedule: nightly crawl stopped for the shutdown (exit 6, partial); its pages so far are "
            "kept and the next run resumes from its checkpoint") in stderr
    assert "nightly crawl failed" not in stderr
    assert "next crawl at" not in stderr[stderr.index("received SIGTERM"):]
    assert stderr.rstrip().endswith("scheduler stopped")


def test_sigint_while_idle_exits_zero_without_starting_a_crawl(tmp_path):
    process, crawl_log = start_scheduler(tmp_path, "0 3 * * *")
    try:
        announcement = next(line for line in process.stderr if "first crawl at" in line)
        assert "schedule '0 3 * * *' (UTC)" in announcement
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert not crawl_log.exists()
    assert "received SIGINT" in stderr and stderr.rstrip().endswith("scheduler stopped")


def test_sigterm_stops_a_real_crawl_which_the_next_run_resumes(sim_factory, tmp_path):
    import json
    import threading

    sim = sim_factory(models=20000, seed=11, latency_ms=150)  # 40 pages: the crawl runs for seconds
    db = tmp_path / "hub.duckdb"
    environment = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HF_ENDPOINT", "HUBCENSUS_DB")}
    environment["HUBCENSUS_SCHEDULE_ALLOW_SECONDS"] = "1"
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "hubcensus", "schedule", "--db", str(db), "--endpoint", sim.url, "--cron", "* * * * * *"],
        stderr=subprocess.PIPE, text=True, env=environment,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(scheduler.stderr), daemon=True)
    reader.start()
    try:
        assert wait_for(lambda: any("event=progress plan=sweep" in line for line in lines), 30)
        scheduler.send_signal(signal.SIGTERM)
        scheduler.wait(60)
    finally:
        if scheduler.poll() is None:
            scheduler.kill()
    reader.join(5)
    log = "".join(lines)
    assert scheduler.returncode == 0, log
    # No crawl starts after the signal (a slow machine may have retried an earlier tick before it).
    assert log.rindex("nightly crawl started") < log.index("received SIGTERM"), log
    assert log.count("nightly crawl stopped for the shutdown (exit 6, partial)") == 1, log
    assert "forwarding SIGTERM to the running crawl" in log
    assert "INFO hubcensus.schedule: nightly crawl stopped for the shutdown (exit 6, partial)" in log
    assert "nightly crawl failed" not in log and " ERROR " not in log, log
    assert "next crawl at" not in log[log.index("received SIGTERM"):], log
    assert log.rstrip().endswith("scheduler stopped")

    crawl = subprocess.run([sys.executable, "-m", "hubcensus", "crawl", "--db", str(db), "--endpoint", sim.url],
                           capture_output=True, text=True, env=environment, timeout=300)
    assert crawl.returncode == 0, crawl.stderr
    assert "resuming night" in crawl.stderr
    figures = subprocess.run([sys.executable, "-m", "hubcensus", "figures", "--db", str(db), "--json"],
                             capture_output=True, text=True, env=environment)
    truth = subprocess.run([sys.executable, "-m", "hubsim", "truth", "--models", "20000", "--seed", "11"],
                           capture_output=True, text=True, check=True)
    assert json.loads(figures.stdout) == json.loads(truth.stdout)
