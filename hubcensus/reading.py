"""Opening the database for reading while the nightly crawl may be writing it.

DuckDB lets one process write a file, and a read-only open fails while that writer holds it.
The crawl keeps its work in a staging file and holds the main file only for its final merge
(seconds), so a reader that finds the file busy waits (storage.db.retry_while_busy, the one
busy-file policy) and tries again. The connection is storage.db.connect_readonly: it can
write nothing and read no other file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from hubcensus.config import UserFacingError
from hubcensus.failures import one_line
from storage import db as storage_db

BUSY_WAIT_SECONDS = 10.0
DUCKDB_MAGIC = b"DUCK"            # bytes 8-11 of every DuckDB database file
DUCKDB_MAGIC_OFFSET = 8
NO_CRAWL_SQL = "SELECT count(*) FROM crawl_runs WHERE status = 'complete'"

READ_ONLY_HINT = ("hubcensus sql is read-only: it cannot write or read files, attach databases, install or "
                  "load extensions, or change settings")


def check_database_file(path: Path) -> None:
    """A clear line for a path that is not a DuckDB database we can read (exit 2).

    Reads the header with a plain open() and closes it: call it only while this process has no
    DuckDB connection to the file (closing a descriptor drops DuckDB's POSIX locks).
    """
    try:
        if path.is_dir():   # (raises PermissionError itself when a parent folder is closed to us)
            raise UserFacingError(f"{path} is a directory, not a DuckDB database file")
        with open(path, "rb") as file:
            header = file.read(DUCKDB_MAGIC_OFFSET + len(DUCKDB_MAGIC))
    except PermissionError:
        raise UserFacingError(f"cannot read {path}: permission denied") from None
    except FileNotFoundError:
        raise UserFacingError(f"no database at {path}; run `hubcensus crawl` first") from None
    except OSError as error:
        raise UserFacingError(f"cannot read {path}: {error.strerror or error}") from None
    if header[DUCKDB_MAGIC_OFFSET:] != DUCKDB_MAGIC:
        raise UserFacingError(f"{path} is not a DuckDB database (no DuckDB header)")


def open_readonly(path: Path, wait_seconds: float | None = None,
                  writable_directory: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A connection that can change nothing; clear errors for an unusable or busy file."""
    check_database_file(path)
    wait = BUSY_WAIT_SECONDS if wait_seconds is None else wait_seconds
    busy = f"{path} is busy (a crawl is merging its night into it); waited {wait:g}s, try again in a minute"
    try:
        con = storage_db.retry_while_busy(lambda: storage_db.connect_readonly(path, writable_directory), wait, busy)
    except duckdb.Error as error:
        raise UserFacingError(f"cannot open {path}: {one_line(error)}") from error
    try:
        if not storage_db.has_table(con, "hub_models"):
            raise UserFacingError(f"{path} is a DuckDB database but not a hubcensus one (no hub_models table); "
                                  "run `hubcensus crawl` into a new file")
        storage_db.check_schema_current(con, path)
    except BaseException:
        con.close()
        raise
    return con


def sql_error(error: duckdb.Error) -> UserFacingError:
    """An analyst's SQL failed: DuckDB's message, plus why when it hit the read-only fence."""
    message = one_line(error)
    if isinstance(error, duckdb.PermissionException) or "configuration has been locked" in message:
        return UserFacingError(f"{READ_ONLY_HINT} ({message})")
    return UserFacingError(message)


def require_complete_night(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Figures and reports describe the latest complete night: without one there is nothing."""
    try:
        complete = con.execute(NO_CRAWL_SQL).fetchone()[0]
    except duckdb.CatalogException:
        complete = 0
    if not complete:
        raise UserFacingError(f"{path} has no complete crawl yet; run `hubcensus crawl` first")
