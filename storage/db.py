"""Opening the main DuckDB file: read-only for readers, migrated read-write for the crawl.

Migrations are `storage/migrations/NNN_name.sql`, applied in order inside one transaction
each and recorded in `schema_migrations`. A file created from 001 by hand (test fixtures,
older tools) without that table is recognised by its `hub_models` table and adopted.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQL_DIR = Path(__file__).with_name("sql")
# DuckDB's own defaults take 80% of RAM and every core; a nightly job beside analysts should
# not. Parse batches are <= 16 MB of JSON and the merge works in slices of 100k models, so the
# crawl's working set is small; DuckDB fills whatever limit it gets with cached blocks, so the
# limit is what the process's memory follows (~180 MB above it). 256 MB carries a 3M-model
# first night (436 MB peak RSS) and second night (see bench/README.md) at ~12% less speed than
# 640 MB on a 200k night. HUBCENSUS_CRAWL_MEMORY overrides it. Analysts' queries (joins over
# 30 nights of 3M snapshots) get more room.
CRAWL_MEMORY_ENV = "HUBCENSUS_CRAWL_MEMORY"
DEFAULT_WRITER_MEMORY_LIMIT = "256MB"
READER_MEMORY_LIMIT = "2GB"
THREADS = 2
_MEMORY_SIZE = re.compile(r"^\d{1,6}(\.\d{1,3})?\s?(KB|MB|GB|KiB|MiB|GiB)$", re.IGNORECASE)


def writer_memory_limit() -> str:
    """The crawl's DuckDB memory limit: $HUBCENSUS_CRAWL_MEMORY (e.g. 1GB) or the default."""
    value = os.environ.get(CRAWL_MEMORY_ENV, "").strip() or DEFAULT_WRITER_MEMORY_LIMIT
    if not _MEMORY_SIZE.match(value):   # it is spliced into SET (which takes no parameters)
        raise ValueError(f"{CRAWL_MEMORY_ENV} must be a size such as 640MB or 1GB; got {value!r}")
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


def sql_text(name: str) -> str:
    """A storage SQL file by name (storage/sql/<name>.sql)."""
    return (SQL_DIR / f"{name}.sql").read_text()


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every migration, in order."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        m = _MIGRATION_NAME.match(path.name)
        if m:
            found.append((int(m.group(1)), path.name, path.read_text()))
    return found


def connect_readonly(db_path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection for analysts and reports (fails while a writer holds the file)."""
    return configure(duckdb.connect(str(db_path), read_only=True), READER_MEMORY_LIMIT)


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
    """Apply pending migrations; returns the versions applied now."""
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
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


def _has_table(con, name: str) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND table_name = ?", [name]).fetchone()[0] > 0
