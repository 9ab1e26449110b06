"""Opening the main DuckDB file: read-only for readers, migrated read-write for the crawl.

Migrations are `storage/migrations/NNN_name.sql`, applied in order inside one transaction
each and recorded in `schema_migrations`. A file created from 001 by hand (test fixtures,
older tools) without that table is recognised by its `hub_models` table and adopted. A file
whose schema is newer than this code's migrations is refused (SchemaTooNew), never written.

Readers (`hubcensus sql`, figures, report, export) get a connection that is read-only in
every way, not only for the database file: no file access (COPY TO, EXPORT DATABASE,
read_csv, glob, ATTACH), no extension install or load, locked settings (SET/RESET/PRAGMA of
any of these fail), and query spills go to a private directory outside the data folder.

One busy-file policy for every process that opens the main file: DuckDB lets one process
write it and refuses other opens meanwhile; retry_while_busy() waits with backoff and then
raises DatabaseBusy with the caller's message.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

import duckdb
import tenacity

from storage.errors import DatabaseBusy, SchemaTooNew, SchemaTooOld, StorageError  # noqa: F401 - their home; callers import them from here too

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQL_DIR = Path(__file__).with_name("sql")
# DuckDB's own defaults take 80% of RAM and every core; a nightly job beside analysts should
# not. Parse batches are <= 32 MB of JSON and the merge works in slices of 200k heavy rows (1M
# light ones), so the crawl's working set is small; DuckDB fills whatever limit it gets with
# cached blocks, so the limit is what the process's memory follows (~180 MB above it). 256 MB
# carries a 3M-model first night (436 MB peak RSS) and second night (see bench/README.md) at ~12%
# less speed than 640 MB on a 200k night. HUBCENSUS_CRAWL_MEMORY overrides it. Analysts'
# queries (joins over 30 nights of 3M snapshots) get more room.
CRAWL_MEMORY_ENV = "HUBCENSUS_CRAWL_MEMORY"
DEFAULT_WRITER_MEMORY_LIMIT = "256MB"
READER_MEMORY_LIMIT = "2GB"
THREADS = 2
_MEMORY_SIZE = re.compile(r"^\d{1,6}(\.\d{1,3})?\s?(KB|MB|GB|KiB|MiB|GiB)$", re.IGNORECASE)
_UNIT_BYTES = {"kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}
# Below this the crawl cannot finish even a small first night: DuckDB runs out of memory in the
# parse and merge steps. Measured 2026-12-03 (a fresh first night, 2 threads): the `make demo`
# universe (20k synthetic models + the real-Hub sample) fails at 144MB and completes at 152MB;
# 2,000 synthetic models fail at 96MB and complete at 128MB. The floor is the demo's 152MB plus
# ~25% margin; the default (256MB) is what 3M-model nights were measured with. The floor is not
# enough at Hub scale: a second night of 3M models, 693k datasets and 814k Spaces runs out of
# memory at 192MB in the Spaces' merge (the insert of new Spaces), and completes at 256MB.
MIN_WRITER_MEMORY_LIMIT = "192MB"

# Readers: settings that may still change under lock_configuration (they touch no file).
READER_ALLOWED_SETTINGS = ("TimeZone", "Calendar", "default_order", "default_null_order", "preserve_insertion_order")


def memory_bytes(size: str) -> int:
    """'256MB' -> 256000000 (the units DuckDB's memory_limit takes)."""
    m = re.match(r"^(\d+(?:\.\d+)?)\s?([a-z]+)$", size.strip().lower())
    if not m or m.group(2) not in _UNIT_BYTES:
        raise ValueError(f"not a memory size: {size!r}")
    return int(float(m.group(1)) * _UNIT_BYTES[m.group(2)])


def writer_memory_limit() -> str:
    """The crawl's DuckDB memory limit: $HUBCENSUS_CRAWL_MEMORY (e.g. 1GB) or the default."""
    value = os.environ.get(CRAWL_MEMORY_ENV, "").strip() or DEFAULT_WRITER_MEMORY_LIMIT
    if not _MEMORY_SIZE.match(value):   # it is spliced into SET (which takes no parameters)
        raise ValueError(f"{CRAWL_MEMORY_ENV} must be a size such as 640MB or 1GB; got {value!r}")
    if memory_bytes(value) < memory_bytes(MIN_WRITER_MEMORY_LIMIT):
        raise ValueError(f"{CRAWL_MEMORY_ENV}={value} is below the {MIN_WRITER_MEMORY_LIMIT} a crawl needs to "
                         f"finish a night (default {DEFAULT_WRITER_MEMORY_LIMIT})")
    return value

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def configure(con: duckdb.DuckDBPyConnection, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Resource limits for a connection (default: the crawl's, writer_memory_limit())."""
    memory_limit = memory_limit or writer_memory_limit()
    if not _MEMORY_SIZE.match(memory_limit):
        raise ValueError(f"not a memory size: {memory_limit!r}")
    con.execute(f"SET memory_limit = '{memory_limit}'")   # validated above: SET takes no parameters
    con.execute(f"SET threads = {THREADS}")
    con.execute("SET preserve_insertion_order = false")
    return con


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every migration, in order."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        m = _MIGRATION_NAME.match(path.name)
        if m:
            found.append((int(m.group(1)), path.name, path.read_text()))
    return found


def connect_readonly(db_path: str | Path, writable_directory: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A connection for analysts and reports that can change nothing, anywhere.

    The file is opened read-only, and the connection can reach no other file: external
    access is off (COPY TO/FROM, EXPORT DATABASE, read_csv/read_parquet/glob, ATTACH of a
    file, INSTALL/LOAD of extensions all fail with a PermissionException), extensions are
    never auto-installed or auto-loaded, and the configuration is locked so no SET, RESET or
    PRAGMA can undo any of this (only READER_ALLOWED_SETTINGS stay changeable).
    writable_directory: the one directory COPY may write into (the Parquet export's staging
    directory); None for every analyst-facing reader.
    Fails with duckdb.IOException while a writer holds the file (see retry_while_busy).
    """
    con = duckdb.connect(str(db_path), read_only=True, config={
        "memory_limit": READER_MEMORY_LIMIT,
        "threads": THREADS,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "allow_persistent_secrets": False,
        "python_enable_replacements": False,   # SQL must not read this process's Python variables
        "temp_directory": spill_directory(),    # not <db>.tmp beside the database
    })
    try:
        # Order matters: allowed_directories can only be set while external access is on, and
        # nothing can be set once the configuration is locked.
        if writable_directory is not None:
            con.execute("SET allowed_directories = ?", [[f"{Path(writable_directory).resolve()}/"]])
        con.execute("SET allowed_configs = ?", [list(READER_ALLOWED_SETTINGS)])
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


_spill: list[str] = []


def spill_directory() -> str:
    """Where a reader's large sorts and joins spill: one private directory per process in the
    system temp folder (mode 0700), removed when the process exits. DuckDB's default, a
    `<db>.tmp` directory beside the file, would make a reader write into the data folder."""
    if not _spill:
        _spill.append(tempfile.mkdtemp(prefix="hubcensus-spill-"))
        atexit.register(shutil.rmtree, _spill[0], True)
    return _spill[0]


T = TypeVar("T")


def is_busy(error: BaseException) -> bool:
    """DuckDB refused to open the file because another process holds its lock."""
    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()


def retry_while_busy(action: Callable[[], T], wait_seconds: float, message: str) -> T:
    """Run action() (which opens the main file), retrying with backoff while another process
    holds the file; after wait_seconds raise DatabaseBusy(message). Other errors pass."""
    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(is_busy),
        wait=tenacity.wait_exponential_jitter(multiplier=0.05, max=1.0, jitter=0.05),
        stop=tenacity.stop_after_delay(wait_seconds),
        reraise=True,
    )
    try:
        return retrying(action)
    except duckdb.IOException as error:
        if is_busy(error):
            raise DatabaseBusy(message) from error
        raise


def open_main(db_path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection to the main file with every migration applied."""
    con = configure(duckdb.connect(str(db_path)))
    try:
        apply_migrations(con)
    except BaseException:
        con.close()
        raise
    return con


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations; returns the versions applied now.

    Raises SchemaTooNew, before writing anything, when the file records a migration this code
    does not have (a newer hubcensus migrated it)."""
    check_schema_not_newer(con)
    con.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)")
    done = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    if not done and _has_table(con, "hub_models"):
        # Made from 001 by hand: adopt it rather than fail on CREATE TABLE.
        con.execute("INSERT INTO schema_migrations VALUES (1, '001_initial.sql', now()::TIMESTAMP)")
        done = {1}
    applied = []
    for version, name, sql in migrations():
        if version in done:
            continue
        con.execute("BEGIN")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)", [version, name])
            con.execute("COMMIT")
        except BaseException:
            # A failed statement (disk full, say) may have ended the transaction already; the
            # error worth reporting is the first one, not "no transaction is active".
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The newest migration recorded in the file (None: no schema_migrations table)."""
    if not _has_table(con, "schema_migrations"):
        return None
    return con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]


def newest_migration() -> int:
    return max(version for version, _name, _sql in migrations())


def check_schema_not_newer(con: duckdb.DuckDBPyConnection, db_path: str | Path | None = None) -> None:
    """Raise SchemaTooNew when the file's schema is ahead of this code (works read-only)."""
    found, known = schema_version(con), newest_migration()
    if found is not None and found > known:
        where = f"{db_path} has" if db_path is not None else "the database has"
        raise SchemaTooNew(f"{where} schema version {found}, newer than this hubcensus knows ({known}); "
                           "upgrade hubcensus to read or crawl it")


def check_schema_current(con: duckdb.DuckDBPyConnection, db_path: str | Path | None = None) -> None:
    """For readers: the file's schema is exactly this code's (newer: SchemaTooNew; older:
    SchemaTooOld, since a reader never writes and so cannot migrate it)."""
    check_schema_not_newer(con, db_path)
    found, known = schema_version(con), newest_migration()
    if found is None or found < known:
        where = f"{db_path} has" if db_path is not None else "the database has"
        raise SchemaTooOld(f"{where} schema version {found or 1}, older than this hubcensus ({known}); "
                           "run `hubcensus migrate` (or the next `hubcensus crawl`) to bring it up to date")


def has_table(con, name: str) -> bool:
    """A table of that name in the connection's own database (not an attached or temp one)."""
    return _has_table(con, name)


def _has_table(con, name: str) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND table_name = ?", [name]).fetchone()[0] > 0
