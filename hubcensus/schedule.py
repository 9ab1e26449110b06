"""`hubcensus schedule`: the nightly crawl on a cron schedule, in UTC, with APScheduler 3.

Each tick runs `hubcensus crawl` as a child process: the night gets a fresh process (memory
returns to the OS after every crawl), its exit code is exactly the CLI's exit class, and a
stop can be forwarded to it as a signal. The token and the endpoint reach the child through
the environment (HF_TOKEN or the `hf` token file; HF_ENDPOINT), never its command line, where
any local user could read them (`ps`): an endpoint may carry a password.

- one crawl at a time (max_instances=1): a tick while a crawl still runs is skipped;
- coalesce=True: ticks missed while the process was suspended run once, not once each;
- misfire_grace_time: a tick up to an hour late still runs;
- a failed night is logged with its exit class; the next tick retries it, and the crawl
  resumes from its checkpoint, so nothing is dropped;
- SIGTERM/SIGINT: no new crawl starts; a running crawl gets the signal, stops at a page
  boundary (exit 6, resumable; logged at INFO as a stop, not a failure, with no next run)
  and the scheduler exits 0 once it has.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Sequence

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from hubcensus.config import ExitCode, UserFacingError

log = logging.getLogger("hubcensus.schedule")

JOB_ID = "nightly-crawl"
MISFIRE_GRACE_SECONDS = 3600
STOP_GRACE_SECONDS = 120     # after forwarding the stop, how long a crawl may take to unwind
# Test hook: a 6-field expression (seconds first) is accepted when this is set, so a test can
# tick every second. Production schedules are the standard 5 crontab fields.
ALLOW_SECONDS_ENV = "HUBCENSUS_SCHEDULE_ALLOW_SECONDS"

# How a crawl that was told to stop ends: interrupted (6), or killed after the grace period.
STOPPED_CODES = (ExitCode.PARTIAL, -signal.SIGTERM, -signal.SIGINT, -signal.SIGKILL)

_CRON_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _cron_weekdays(field: str) -> str:
    """Crontab's day-of-week field in APScheduler 3 terms.

    APScheduler 3 reads weekday numbers with 0 = Monday, crontab with 0 (and 7) = Sunday;
    passing numbers through would shift every weekly schedule by a day. The field is expanded
    to day names here, which both read the same way.
    """
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ValueError(f"bad step in day of week {part!r}")
        if base == "*":
            low, high = 0, 6
        elif "-" in base:
            first, last = base.split("-", 1)
            low, high = _weekday_number(first), _weekday_number(last)
        else:
            low = _weekday_number(base)
            high = 6 if step else low
        if high < low:
            raise ValueError(f"bad day-of-week range {part!r}")
        days.update(day % 7 for day in range(low, high + 1, step or 1))
    return ",".join(_CRON_WEEKDAYS[day] for day in sorted(days))


def _weekday_number(text: str) -> int:
    """0-7 (0 and 7 both Sunday, as crontab allows) or a three-letter name."""
    text = text.strip().lower()
    if text.isdigit() and 0 <= int(text) <= 7:
        return int(text)
    if text in _CRON_WEEKDAYS:
        return _CRON_WEEKDAYS.index(text)
    raise ValueError(f"bad day of week {text!r}")


def trigger_for(expression: str, allow_seconds: bool | None = None) -> CronTrigger:
    """A UTC cron trigger; raises UserFacingError (exit 2) for a bad expression."""
    if allow_seconds is None:
        allow_seconds = bool(os.environ.get(ALLOW_SECONDS_ENV))
    fields = expression.split()
    try:
        if len(fields) == 6 and allow_seconds:
            second, minute, hour, day, month, weekday = fields
            return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                               day_of_week=_cron_weekdays(weekday), timezone=dt.timezone.utc)
        if len(fields) != 5:
            raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
        fields[4] = _cron_weekdays(fields[4])
        return CronTrigger.from_crontab(" ".join(fields), timezone=dt.timezone.utc)
    except ValueError as error:
        raise UserFacingError(f"bad --cron {expression!r}: {error}") from None


def crawl_command(db: Path, endpoint: str | None = None, plans: str | None = None,
                  repo_types: str | None = None) -> list[str]:
    command = [sys.executable, "-m", "hubcensus", "crawl", "--db", str(db)]
    if endpoint:
        command += ["--endpoint", endpoint]
    if plans:
        command += ["--plans", plans]
    if repo_types:
        command += ["--repo-types", repo_types]
    return command


def describe(code: int) -> str:
    try:
        return ExitCode(code).name.lower().replace("_", " ")
    except ValueError:
        return f"killed by signal {-code}" if code < 0 else "unknown"


class NightlyJob:
    """The scheduled job: run one crawl process and return its exit code. Callable alone."""

    def __init__(self, command: Sequence[str], stop_grace_seconds: float = STOP_GRACE_SECONDS):
        self.command = list(command)
        self.stop_grace_seconds = stop_grace_seconds
        self._lock = threading.Lock()
        self._child: subprocess.Popen | None = None
        self._stopping = False

    def __call__(self) -> int:
        with self._lock:
            if self._stopping:
                log.info("stopping: no new crawl started")
                return ExitCode.PARTIAL
            # Own session: a terminal's Ctrl-C reaches the scheduler only, which forwards it once.
            self._child = subprocess.Popen(self.command, start_new_session=True)
        log.info("nightly crawl started (pid %d)", self._child.pid)
        code = self._child.wait()
        with self._lock:
            self._child = None
        if code == ExitCode.OK:
            log.info("nightly crawl finished: exit 0 (ok)")
        elif self.stopping and code in STOPPED_CODES:
            log.info("nightly crawl stopped for the shutdown (exit %d, %s); its pages so far are kept and "
                     "the next run resumes from its checkpoint", code, describe(code))
        else:
            log.error("nightly crawl failed: exit %d (%s); it is retried at the next tick and "
                      "resumes from its checkpoint", code, describe(code))
        return code

    @property
    def stopping(self) -> bool:
        """A stop was asked for (SIGTERM/SIGINT): no new crawl, no next run."""
        with self._lock:
            return self._stopping

    def stop(self, signum: int = signal.SIGTERM) -> None:
        """No new crawl; forward the signal to a running one and kill it if it hangs."""
        with self._lock:
            self._stopping = True
            child = self._child
        if child is None or child.poll() is not None:
            return
        log.info("forwarding %s to the running crawl (pid %d)", signal.Signals(signum).name, child.pid)
        child.send_signal(signum)

        def kill_if_hung():
            try:
                child.wait(self.stop_grace_seconds)
            except subprocess.TimeoutExpired:
                log.warning("crawl did not stop within %ss; killing it (it resumes from its checkpoint)",
                            self.stop_grace_seconds)
                child.kill()

        threading.Thread(target=kill_if_hung, daemon=True).start()


def build_scheduler(trigger: CronTrigger, job) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=dt.timezone.utc)
    scheduler.add_job(
        job, trigger, id=JOB_ID, name="hubcensus nightly crawl",
        max_instances=1, coalesce=True, misfire_grace_time=MISFIRE_GRACE_SECONDS,
    )

    def after_run(event):
        # From the trigger, not scheduler.get_job(): listeners run in the job thread, and during
        # shutdown the scheduler holds its job-store lock while joining that thread.
        next_run = trigger.get_next_fire_time(None, dt.datetime.now(dt.timezone.utc))
        if event.code == EVENT_JOB_MAX_INSTANCES:
            log.warning("tick skipped: the previous crawl is still running")
        elif event.code == EVENT_JOB_ERROR:
            log.error("nightly job raised %r; retrying at the next tick", event.exception)
        if next_run is not None and not getattr(job, "stopping", False):
            log.info("next crawl at %s", next_run.isoformat())

    scheduler.add_listener(after_run, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES)
    return scheduler


def serve(db: Path, cron: str, endpoint: str | None = None, plans: str | None = None, repo_types: str | None = None,
          command: Sequence[str] | None = None) -> int:
    """Run until SIGTERM/SIGINT; returns 0 after a graceful stop."""
    trigger = trigger_for(cron)
    if endpoint:
        os.environ["HF_ENDPOINT"] = endpoint   # inherited by every night's crawl
    job = NightlyJob(command or crawl_command(db, None, plans, repo_types))
    scheduler = build_scheduler(trigger, job)
    stopping = threading.Event()

    def on_signal(signum, frame):
        if stopping.is_set():
            return
        stopping.set()
        log.info("received %s: stopping after the running crawl (if any) ends", signal.Signals(signum).name)
        job.stop(signum)
        # Not from inside the handler: shutdown(wait=True) joins the job thread.
        threading.Thread(target=shut_down, daemon=True).start()

    def shut_down():
        while not scheduler.running:  # a signal that arrived just before start()
            time.sleep(0.05)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("schedule %r (UTC) on %s; first crawl at %s", cron, db,
             trigger.get_next_fire_time(None, dt.datetime.now(dt.timezone.utc)).isoformat())
    scheduler.start()  # returns once shutdown has completed
    log.info("scheduler stopped")
    return ExitCode.OK
