"""One night's crawl as the CLI, the scheduler and the demo run it (only the endpoint differs).

The crawl itself lives in `crawler/`; this module checks what the user gave before any work
(plans, date, endpoint, memory limit, the database path and schema), makes SIGTERM act like
Ctrl-C (the crawl stops at a page boundary and resumes from its checkpoint next time), shows
progress, and refreshes the analysis views after a successful night. `run_night` below is
the one call into the crawl.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import signal
from pathlib import Path
from typing import Sequence
from urllib.parse import urlsplit, urlunsplit

import duckdb
from tqdm.contrib.logging import logging_redirect_tqdm

import analysis
import pipeline
from hubcensus import progress as progress_display
from hubcensus.config import KNOWN_PLANS, PLANS, REPO_TYPES, UserFacingError
from hubcensus.failures import add_endpoint_secrets, one_line
from hubcensus.reading import check_database_file
from storage import db as storage_db

log = logging.getLogger("hubcensus.crawl")

ENDPOINT_SCHEMES = ("http", "https")
FOREIGN_TABLES_SQL = ("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                      "ORDER BY table_name")


def parse_plans(text: str | None) -> tuple[str, ...]:
    return _comma_list(text, "--plans", KNOWN_PLANS, PLANS)


def migrate(db: Path) -> list[int]:
    """Apply this version's migrations and store its analysis views; the migrations applied."""
    con = storage_db.configure(duckdb.connect(str(db)))
    try:
        applied = storage_db.apply_migrations(con)
        analysis.install(con)
        return applied
    finally:
        con.close()


def parse_repo_types(text: str | None) -> tuple[str, ...]:
    return _comma_list(text, "--repo-types", REPO_TYPES, REPO_TYPES)


def _comma_list(text: str | None, option: str, known: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
    """An option's comma list, each item one of `known` (none given: `default`)."""
    if not text:
        return default
    items = tuple(item.strip() for item in text.split(",") if item.strip())
    if not items or any(item not in known for item in items):
        raise UserFacingError(f"{option} takes a comma list of {', '.join(known)}; got {text!r}")
    return items


def check_crawl_memory() -> str:
    """$HUBCENSUS_CRAWL_MEMORY, the crawl's DuckDB memory limit, checked before any work."""
    try:
        return storage_db.writer_memory_limit()
    except ValueError as error:
        raise UserFacingError(str(error)) from None


def parse_snapshot_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserFacingError(f"--snapshot-date must be YYYY-MM-DD; got {text!r}") from None


def redacted(endpoint: str) -> str:
    """The endpoint as it may be printed: a password in it replaced by ***."""
    try:
        parts = urlsplit(endpoint)
        if parts.password is None:
            return endpoint
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        return endpoint


def check_endpoint(endpoint: str | None, source: str = "--endpoint") -> str | None:
    """An http(s) URL with a host, or None (the crawler's default, https://huggingface.co).

    Its password, if any, is registered as a secret first, so no message or log shows it."""
    if endpoint is None:
        return None
    add_endpoint_secrets(endpoint)
    example = "such as https://huggingface.co or http://127.0.0.1:8765"
    try:
        parts = urlsplit(endpoint)
        port_ok = parts.port is None or parts.port > 0
    except ValueError as error:
        raise UserFacingError(f"{source} {redacted(endpoint)!r} is not a valid URL ({error}); give one {example}") from None
    if parts.scheme.lower() not in ENDPOINT_SCHEMES or not parts.hostname or not port_ok:
        why = (f"scheme {parts.scheme}:// is not supported" if parts.scheme and parts.hostname
               else "it needs http:// or https:// and a host")
        raise UserFacingError(f"{source} {redacted(endpoint)!r}: {why}; give a URL {example}")
    return endpoint


def check_database_for_crawl(db: Path, default_path: bool) -> None:
    """Before any fetching: a directory to write into, a usable file, a schema we know.

    The default data/ directory is created (a fresh clone has none); a directory named by
    --db or $HUBCENSUS_DB must exist, as with sqlite3 or duckdb: a typo should not quietly
    create a tree somewhere else.
    """
    parent = db.parent
    if not parent.is_dir():
        if default_path:
            parent.mkdir(parents=True, exist_ok=True)
        else:
            missing = next((p for p in reversed([parent, *parent.parents]) if not p.exists()), parent)
            raise UserFacingError(f"cannot create {db}: directory {missing} does not exist (create it first)")
    if not db.exists():   # a new database (or a symlink to where one will be made)
        return
    check_database_file(db)
    try:
        con = storage_db.connect_readonly(db)
    except duckdb.IOException as error:
        if storage_db.is_busy(error):
            return    # a crawl is merging: the lock tells the user, and open_main checks again
        raise UserFacingError(f"cannot open {db}: {one_line(error)}") from error
    try:
        storage_db.check_schema_not_newer(con, db)
        foreign = con.execute(FOREIGN_TABLES_SQL).fetchall()
    finally:
        con.close()
    if foreign and not any(name in ("hub_models", "schema_migrations") for (name,) in foreign):
        names = ", ".join(name for (name,) in foreign[:5])
        raise UserFacingError(f"{db} holds another DuckDB database (tables {names}); crawl into a new file")


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


def run_night(db_path: Path, endpoint: str | None = None, token: str | None = None,
              snapshot_date: dt.date | None = None, plans: Sequence[str] = PLANS,
              repo_types: Sequence[str] = REPO_TYPES, progress=None):
    """Crawl one night into db_path (the pipeline also refreshes the analysis views stored in it).

    progress: a display (hubcensus.progress); None picks the bar or log lines for stderr.
    Raises the crawler's own exceptions; hubcensus.failures maps them to exit codes.
    """
    display = progress or progress_display.display_for()
    bar = isinstance(display, progress_display.Bar)
    with stop_signals_interrupt(), (logging_redirect_tqdm() if bar else contextlib.nullcontext()):
        try:
            result = pipeline.run_night(str(db_path), endpoint=endpoint, token=token, snapshot_date=snapshot_date,
                                        progress=display, plans=tuple(plans), repo_types=tuple(repo_types))
        finally:
            display.close()
    return result


def summary_line(result) -> str:
    """One line a log reader can grep: what the night stored and what it cost."""
    return f"crawl {result.status}: {result.summary()}"
