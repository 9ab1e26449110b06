"""Opening the database for reading while the nightly crawl may be writing it.

DuckDB lets one process write a file, and a read-only open fails while that writer holds it.
The crawl keeps its work in a staging file and holds the main file only for its final merge
(seconds), so a reader that finds the file busy waits a little and tries again.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from hubcensus.config import ExitCode, UserFacingError

BUSY_WAIT_SECONDS = 10.0
BUSY_POLL_SECONDS = 0.25


def one_line(error: BaseException) -> str:
    """DuckDB's message on one line: drop the `LINE n:` echo and caret that follow it."""
    lines = [line.strip() for line in str(error).splitlines()]
    kept = []
    for line in lines:
        if line.startswith("LINE ") or set(line) <= {"^", " "}:
            continue
        kept.append(line)
    return " ".join(kept)


def is_busy(error: duckdb.Error) -> bool:
    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()


def _connect_readonly(path: Path) -> duckdb.DuckDBPyConnection:
    from storage.db import connect_readonly

    return connect_readonly(str(path))


def open_readonly(path: Path, wait_seconds: float | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection; clear errors for a missing or persistently busy file."""
    if wait_seconds is None:
        wait_seconds = BUSY_WAIT_SECONDS
    if not path.exists():
        raise UserFacingError(f"no database at {path}; run `hubcensus crawl` first")
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return _connect_readonly(path)
        except duckdb.Error as error:
            if not is_busy(error):
                raise UserFacingError(f"cannot open {path}: {one_line(error)}") from error
            if time.monotonic() >= deadline:
                raise UserFacingError(
                    f"{path} is busy (a crawl is merging its night into it); "
                    f"waited {wait_seconds:g}s, try again in a minute",
                    ExitCode.LOCK_HELD,
                ) from error
            time.sleep(BUSY_POLL_SECONDS)


def ensure_views(path: Path) -> None:
    """Make sure the analysis views in the file match this code before reading through them.

    The crawl installs them after each night; a database written by an older version, or by
    a bare crawler.run_night (benchmarks), gets them here, by a short write when needed.
    """
    from analysis.installer import fingerprint, installed_fingerprint

    con = open_readonly(path)
    try:
        current = installed_fingerprint(con) == fingerprint()
    finally:
        con.close()
    if not current:
        from hubcensus.crawl import install_views

        deadline = time.monotonic() + BUSY_WAIT_SECONDS
        while True:
            try:
                install_views(path)
                return
            except duckdb.Error as error:
                if not is_busy(error) or time.monotonic() >= deadline:
                    raise UserFacingError(f"cannot install the analysis views in {path}: {one_line(error)}") from error
                time.sleep(BUSY_POLL_SECONDS)
