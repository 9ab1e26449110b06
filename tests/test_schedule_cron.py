"""The nightly schedule: UTC cron semantics, one crawl at a time, failures retried next tick."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
import time

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES

from hubcensus.config import ExitCode, UserFacingError
from hubcensus.schedule import NightlyJob, build_scheduler, crawl_command, trigger_for

UTC = dt.timezone.utc


def fire_times(expression: str, after: dt.datetime, count: int) -> list[dt.datetime]:
    trigger, times, previous = trigger_for(expression), [], None
    now = after
    for _ in range(count):
        previous = trigger.get_next_fire_time(previous, now)
        times.append(previous)
        now = previous + dt.timedelta(microseconds=1)
    return times


def test_default_cron_fires_at_three_utc_every_day():
    assert fire_times("0 3 * * *", dt.datetime(2026, 11, 22, 3, 0, 1, tzinfo=UTC), 2) == [
        dt.datetime(2026, 11, 23, 3, 0, tzinfo=UTC),
        dt.datetime(2026, 11, 24, 3, 0, tzinfo=UTC),
    ]


def test_weekday_numbers_mean_what_crontab_means():
    # crontab: 0 and 7 are Sunday, 1-5 Monday..Friday (APScheduler 3 alone would read 0 as Monday)
    sunday = dt.datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    assert sunday.strftime("%A") == "Sunday"
    assert fire_times("0 3 * * 0", dt.datetime(2026, 11, 23, tzinfo=UTC), 1) == [sunday]
    assert fire_times("0 3 * * 7", dt.datetime(2026, 11, 23, tzinfo=UTC), 1) == [sunday]
    weekdays = fire_times("30 2 * * 1-5", dt.datetime(2026, 11, 27, 12, tzinfo=UTC), 2)  # from a Friday noon
    assert [t.strftime("%a %H:%M") for t in weekdays] == ["Mon 02:30", "Tue 02:30"]


@pytest.mark.parametrize("expression", ["0 3 * *", "61 3 * * *", "0 3 * * 8", "* * * * * *", "every night"])
def test_bad_expressions_are_usage_errors(expression):
    with pytest.raises(UserFacingError) as raised:
        trigger_for(expression)
    assert raised.value.code == ExitCode.USAGE
    assert str(raised.value).startswith(f"bad --cron {expression!r}")


def test_crawl_command_carries_no_token():
    assert crawl_command("data/x.duckdb", "http://127.0.0.1:1", "sweep") == [
        sys.executable, "-m", "hubcensus", "crawl", "--db", "data/x.duckdb",
        "--endpoint", "http://127.0.0.1:1", "--plans", "sweep",
    ]


def run_in_thread(scheduler) -> threading.Thread:
    thread = threading.Thread(target=scheduler.start, daemon=True)
    thread.start()
    return thread


def test_a_per_second_cron_actually_fires_the_job():
    fired = []
    done = threading.Event()

    def job():
        fired.append(dt.datetime.now(UTC))
        done.set()

    started = dt.datetime.now(UTC)
    scheduler = build_scheduler(trigger_for("* * * * * *", allow_seconds=True), job)
    thread = run_in_thread(scheduler)
    try:
        assert done.wait(3.0), "the job did not fire within 3 s on a per-second cron"
    finally:
        scheduler.shutdown(wait=True)
        thread.join(5)
    assert started <= fired[0] <= started + dt.timedelta(seconds=3)
    assert not thread.is_alive()


def test_two_overlapping_ticks_make_one_run():
    running, started_runs, max_running = [0], [0], [0]
    lock = threading.Lock()
    release = threading.Event()
    refused = threading.Semaphore(0)

    def slow_crawl():
        with lock:
            running[0] += 1
            started_runs[0] += 1
            max_running[0] = max(max_running[0], running[0])
        release.wait(10)
        with lock:
            running[0] -= 1

    scheduler = build_scheduler(trigger_for("* * * * * *", allow_seconds=True), slow_crawl)
    scheduler.add_listener(lambda event: refused.release(), EVENT_JOB_MAX_INSTANCES)
    thread = run_in_thread(scheduler)
    try:
        # Wait for two ticks that came while the first crawl was still running.
        assert refused.acquire(timeout=5) and refused.acquire(timeout=5)
        assert started_runs[0] == 1
        assert max_running[0] == 1
    finally:
        release.set()
        scheduler.shutdown(wait=True)
        thread.join(5)


def fake_crawl(tmp_path, exit_codes: list[int]) -> list[str]:
    """A stand-in for `hubcensus crawl` that exits with the given codes, one per run."""
    script = tmp_path / "fake_crawl.py"
    state = tmp_path / "runs.txt"
    script.write_text(
        "import pathlib, sys\n"
        f"state = pathlib.Path({str(state)!r})\n"
        "runs = state.read_text().splitlines() if state.exists() else []\n"
        f"codes = {[int(c) for c in exit_codes]!r}\n"
        "code = codes[min(len(runs), len(codes) - 1)]\n"
        "state.write_text(''.join(r + '\\n' for r in runs + [str(code)]))\n"
        "sys.exit(code)\n"
    )
    return [sys.executable, str(script)]


def test_job_returns_the_crawl_exit_code_and_logs_its_class(tmp_path, caplog):
    job = NightlyJob(fake_crawl(tmp_path, [ExitCode.HUB_UNREACHABLE]))
    with caplog.at_level(logging.INFO, logger="hubcensus.schedule"):
        assert job() == ExitCode.HUB_UNREACHABLE
    assert "nightly crawl failed: exit 4 (hub unreachable); it is retried at the next tick" in caplog.text


def test_a_failed_night_is_retried_at_the_next_tick(tmp_path):
    job = NightlyJob(fake_crawl(tmp_path, [ExitCode.PARTIAL, ExitCode.OK]))
    results = []
    two_runs = threading.Event()

    def record(event):
        results.append(event.retval)
        if len(results) == 2:
            two_runs.set()

    scheduler = build_scheduler(trigger_for("* * * * * *", allow_seconds=True), job)
    scheduler.add_listener(record, EVENT_JOB_EXECUTED)
    thread = run_in_thread(scheduler)
    try:
        assert two_runs.wait(6)
    finally:
        job.stop()
        scheduler.shutdown(wait=True)
        thread.join(5)
    assert results[:2] == [ExitCode.PARTIAL, ExitCode.OK]
    assert (tmp_path / "runs.txt").read_text().splitlines()[:2] == ["6", "0"]


def test_a_stopped_job_starts_no_new_crawl(tmp_path):
    job = NightlyJob(fake_crawl(tmp_path, [0]))
    job.stop()
    assert job() == ExitCode.PARTIAL
    assert not (tmp_path / "runs.txt").exists()
