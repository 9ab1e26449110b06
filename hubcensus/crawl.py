"""One night's crawl as the CLI, the scheduler and the demo run it (only the endpoint differs).

The crawl itself lives in `crawler/`; this module adds what an application needs around it:
the exit class of each failure, SIGTERM treated like Ctrl-C (the crawl stops at a page
boundary and resumes from its checkpoint next time), and the analysis views refreshed after
a successful night.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import signal
from pathlib import Path
from typing import Callable, Sequence

import duckdb

from hubcensus.config import KNOWN_PLANS, PLANS, ExitCode, UserFacingError

log = logging.getLogger("hubcensus.crawl")


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit class of a crawl failure (see config.ExitCode)."""
    from crawler import errors as crawl_errors
    from pipeline.errors import PartialRun
    from storage import errors as storage_errors

    classes = [
        (storage_errors.CrawlLocked, ExitCode.LOCK_HELD),
        (crawl_errors.HubUnreachable, ExitCode.HUB_UNREACHABLE),
        (crawl_errors.AuthRejected, ExitCode.AUTH_REJECTED),
        (crawl_errors.RetriesExhausted, ExitCode.PARTIAL),
        (PartialRun, ExitCode.PARTIAL),
        (storage_errors.MainDatabaseBusy, ExitCode.PARTIAL),
        (storage_errors.DiskFull, ExitCode.PARTIAL),
    ]
    for cls, code in classes:
        if isinstance(error, cls):
            return code
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.PARTIAL
    if isinstance(error, UserFacingError):
        return error.code
    return ExitCode.UNEXPECTED


def is_expected(error: BaseException) -> bool:
    """A failure with a message meant for the user (no "unexpected ..." wrapping)."""
    from crawler.errors import CrawlError
    from pipeline.errors import PartialRun
    from storage.errors import StorageError

    return isinstance(error, (UserFacingError, KeyboardInterrupt, CrawlError, StorageError, PartialRun))


def parse_plans(text: str | None) -> tuple[str, ...]:
    if not text:
        return PLANS
    plans = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [p for p in plans if p not in KNOWN_PLANS]
    if unknown or not plans:
        raise UserFacingError(f"--plans takes a comma list of {', '.join(KNOWN_PLANS)}; got {text!r}")
    return plans


def check_crawl_memory() -> str:
    """$HUBCENSUS_CRAWL_MEMORY, the crawl's DuckDB memory limit, checked before any work."""
    from storage.db import writer_memory_limit

    try:
        return writer_memory_limit()
    except ValueError as error:
        raise UserFacingError(str(error)) from None


def parse_snapshot_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserFacingError(f"--snapshot-date must be YYYY-MM-DD; got {text!r}") from None


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be so the crawl unwinds through the same cleanup."""


@contextlib.contextmanager
def stop_signals_interrupt():
    """SIGTERM and SIGINT stop the crawl as an interruption (exit 6), wherever they land.

    A signal that arrives while DuckDB runs a statement surfaces as DuckDB's own
    "Query interrupted" error rather than KeyboardInterrupt; the flag says what it was.
    """
    received: list[int] = []

    def interrupt(signum, frame):
        received.append(signum)
        raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()

    try:
        previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
    except ValueError:  # not the main thread: leave signal handling to the caller
        yield
        return
    try:
        yield
    except BaseException as error:
        if received and not isinstance(error, KeyboardInterrupt):
            raise Terminated() from error
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_night(
    db_path: Path,
    endpoint: str | None = None,
    token: str | None = None,
    snapshot_date: dt.date | None = None,
    plans: Sequence[str] = PLANS,
    progress: Callable | None = None,
):
    """Crawl one night into db_path, then (re)install the analysis views on it.

    Raises the crawler's own exceptions; callers map them with exit_code_for().
    """
    import pipeline

    db_path.parent.mkdir(parents=True, exist_ok=True)
    with stop_signals_interrupt():
        # progress=None: the crawler's own display (a redrawn line on a terminal, key=value
        # log lines otherwise).
        result = pipeline.run_night(str(db_path), endpoint=endpoint, token=token, snapshot_date=snapshot_date,
                                   progress=progress, plans=tuple(plans), install_views=False)
    try:
        install_views(db_path)
    except duckdb.Error as error:  # the night is merged; readers install the views on first use
        log.warning("analysis views not refreshed (%s); `hubcensus figures` installs them on first use",
                    str(error).splitlines()[0])
    return result


def install_views(db_path: Path) -> None:
    """Views are stored in the file so every reader (sql prompt, BI tool) sees them."""
    import analysis
    from storage.db import open_main

    con = open_main(str(db_path))
    try:
        analysis.install(con)
    finally:
        with contextlib.suppress(Exception):
            con.close()


def summary_line(result, seconds: float) -> str:
    """One line a log reader can grep: what the night stored and what it cost."""
    if hasattr(result, "summary"):
        return f"crawl {getattr(result, 'status', 'ok')}: {result.summary()}"
    fields = [
        ("snapshot", getattr(result, "snapshot_date", None)),
        ("models", getattr(result, "models_seen", None)),
        ("pages", getattr(result, "pages", None)),
        ("requests", getattr(result, "requests", None)),
        ("retries", getattr(result, "retries", None)),
        ("bytes", getattr(result, "bytes", None)),
    ]
    parts = [f"{name} {value}" for name, value in fields if value is not None]
    return f"crawl ok: {', '.join(parts)}; {seconds:.1f}s" if parts else f"crawl ok in {seconds:.1f}s"
