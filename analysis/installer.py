"""Install the analysis layer into a hubcensus DuckDB file, or onto one reader's connection.

Two ways, one set of SQL (`sql/*.sql`, run in file-name order, every statement a
`CREATE OR REPLACE VIEW` or `CREATE OR REPLACE MACRO`) and one taxonomy (`license_taxonomy.csv`):

- `install(con)` stores them in the file (the crawl does this after each night, so BI tools and
  the plain `duckdb` CLI see them). It writes: a read-write connection only.
- `prepare_reader(con)` is for readers (figures, report, `hubcensus sql`): when the file's
  stored views match this code it does nothing; when they are missing or stale it creates the
  same views and macros as TEMP objects on this connection only. DuckDB allows temp objects on
  a read-only connection (also with `enable_external_access=false` and
  `lock_configuration=true`), they shadow the stored ones of the same name, and the file's
  bytes stay as they were. A reader never writes.

A script may start with `-- requires: table_a, table_b`: it is skipped on a database without
those crawl tables (a file made before their migration); the fingerprint says which scripts
were installed, so the next install after the migration adds them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from importlib import resources

import duckdb

TAXONOMY_FILE = "license_taxonomy.csv"
TAXONOMY_COLUMNS = ("license_id", "family", "spdx_id", "restrictions_note")
FAMILIES = ("permissive", "copyleft", "open-weights-restricted", "openrail", "non-commercial", "other")

CREATE_TAXONOMY_SQL = """
CREATE OR REPLACE {temp}TABLE license_taxonomy (
    license_id        VARCHAR NOT NULL PRIMARY KEY,  -- lower-case Hub / SPDX license id
    family            VARCHAR NOT NULL,
    spdx_id           VARCHAR,
    restrictions_note VARCHAR
)
"""
INSERT_TAXONOMY_SQL = "INSERT INTO license_taxonomy VALUES (?, ?, ?, ?)"
CREATE_MARKER_SQL = "CREATE OR REPLACE TABLE analysis_install (fingerprint VARCHAR, installed_at TIMESTAMP)"
INSERT_MARKER_SQL = "INSERT INTO analysis_install VALUES (?, now()::TIMESTAMP)"
# The stored marker counts only beside a stored `models` view (a half-deleted install is stale).
READ_MARKER_SQL = """
SELECT (SELECT fingerprint FROM analysis_install LIMIT 1)
FROM duckdb_views() WHERE view_name = 'models' AND schema_name = 'main' AND NOT temporary
"""
# What this connection's temp install was made from (a temp table: the file is not touched).
CREATE_TEMP_MARKER_SQL = "CREATE OR REPLACE TEMP TABLE analysis_reader_install AS SELECT CAST(? AS VARCHAR) AS fingerprint"
READ_TEMP_MARKER_SQL = "SELECT fingerprint FROM temp.analysis_reader_install"
MAIN_TABLES_SQL = """
SELECT table_name FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary
"""
TEMP_OBJECTS_SQL = """
SELECT 'VIEW', view_name FROM duckdb_views() WHERE temporary AND NOT internal
UNION ALL
SELECT DISTINCT CASE function_type WHEN 'table_macro' THEN 'MACRO TABLE' ELSE 'MACRO' END, function_name
FROM duckdb_functions() WHERE database_name = 'temp' AND function_type IN ('macro', 'table_macro')
UNION ALL
SELECT 'TABLE', table_name FROM duckdb_tables() WHERE temporary
  AND table_name IN ('license_taxonomy', 'analysis_reader_install')
"""

REQUIRES = re.compile(r"^--\s*requires:\s*(.+)$", re.MULTILINE)
CREATE_STATEMENT = re.compile(r"^CREATE OR REPLACE (VIEW|MACRO) ", re.MULTILINE)


def _package_files():
    return resources.files(__package__)


def sql_scripts() -> list[tuple[str, str]]:
    """(file name, text) of every analysis SQL script, in installation order."""
    sql_dir = _package_files() / "sql"
    names = sorted(p.name for p in sql_dir.iterdir() if p.name.endswith(".sql"))
    return [(name, (sql_dir / name).read_text(encoding="utf-8")) for name in names]


def required_tables(text: str) -> set[str]:
    """Crawl tables a script names in its `-- requires:` line(s)."""
    return {name.strip() for line in REQUIRES.findall(text) for name in line.split(",") if name.strip()}


def applicable_scripts(con: duckdb.DuckDBPyConnection | None = None) -> list[tuple[str, str]]:
    """The scripts whose required tables the database holds (all of them when con is None)."""
    scripts = sql_scripts()
    if con is None:
        return scripts
    present = {name for (name,) in con.execute(MAIN_TABLES_SQL).fetchall()}
    return [(name, text) for name, text in scripts if required_tables(text) <= present]


def temporary_sql(text: str) -> str:
    """A script's statements as TEMP objects (every statement is CREATE OR REPLACE VIEW|MACRO)."""
    return CREATE_STATEMENT.sub(lambda m: f"CREATE OR REPLACE TEMP {m.group(1)} ", text)


def taxonomy_text() -> str:
    return (_package_files() / TAXONOMY_FILE).read_text(encoding="utf-8")


def load_taxonomy(text: str | None = None) -> list[tuple[str, str, str | None, str | None]]:
    """Rows of the reviewed taxonomy; empty cells become NULL."""
    reader = csv.DictReader(io.StringIO(text if text is not None else taxonomy_text()))
    if tuple(reader.fieldnames or ()) != TAXONOMY_COLUMNS:
        raise ValueError(f"{TAXONOMY_FILE} must have the columns {','.join(TAXONOMY_COLUMNS)}")
    return [tuple(row[c] or None for c in TAXONOMY_COLUMNS) for row in reader]


def fingerprint(con: duckdb.DuckDBPyConnection | None = None) -> str:
    """SHA-256 of the taxonomy and the scripts that apply to this database (all without con)."""
    digest = hashlib.sha256(taxonomy_text().encode())
    for name, text in applicable_scripts(con):
        digest.update(name.encode())
        digest.update(text.encode())
    return digest.hexdigest()


def installed_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint stored in the file, or None when the file holds no analysis install."""
    try:
        row = con.execute(READ_MARKER_SQL).fetchone()
    except duckdb.CatalogException:  # no analysis_install table yet
        return None
    return row[0] if row else None


def temporary_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of this connection's temp install, or None."""
    try:
        row = con.execute(READ_TEMP_MARKER_SQL).fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def _load_taxonomy(con: duckdb.DuckDBPyConnection, temp: bool) -> None:
    con.execute(CREATE_TAXONOMY_SQL.format(temp="TEMP " if temp else ""))
    con.executemany(INSERT_TAXONOMY_SQL, load_taxonomy())


def _in_transaction(con: duckdb.DuckDBPyConnection, steps) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        steps()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def drop_temporary(con: duckdb.DuckDBPyConnection) -> None:
    """Remove this connection's temp install (so stored views bind to stored objects only)."""
    for kind, name in con.execute(TEMP_OBJECTS_SQL).fetchall():
        quoted = '"' + name.replace('"', '""') + '"'
        con.execute(f"DROP {kind} IF EXISTS temp.main.{quoted}")  # names read from DuckDB's catalog


def install(con: duckdb.DuckDBPyConnection, force: bool = False) -> bool:
    """Store or refresh the analysis views in the file; True when anything was (re)created.

    Writes: for the crawl (after each night) and for building example databases. Readers call
    prepare_reader() instead.
    """
    wanted = fingerprint(con)
    if not force and installed_fingerprint(con) == wanted:
        return False

    def steps():
        drop_temporary(con)
        _load_taxonomy(con, temp=False)
        for _name, text in applicable_scripts(con):
            con.execute(text)
        con.execute(CREATE_MARKER_SQL)
        con.execute(INSERT_MARKER_SQL, [wanted])

    _in_transaction(con, steps)
    return True


def install_temporary(con: duckdb.DuckDBPyConnection) -> None:
    """Create every view and macro as TEMP objects on this connection (read-only is fine)."""
    wanted = fingerprint(con)

    def steps():
        _load_taxonomy(con, temp=True)
        for _name, text in applicable_scripts(con):
            con.execute(temporary_sql(text))
        con.execute(CREATE_TEMP_MARKER_SQL, [wanted])

    _in_transaction(con, steps)


def prepare_reader(con: duckdb.DuckDBPyConnection) -> str:
    """Make the analysis views answer on this connection without writing the file.

    Returns "stored" when the file's views match this code (nothing done), else "temporary"
    (the views live as TEMP objects on this connection, created now or earlier). Call it once
    after opening a reader; it is cheap to call again.
    """
    wanted = fingerprint(con)
    if installed_fingerprint(con) == wanted:
        return "stored"
    if temporary_fingerprint(con) != wanted:
        install_temporary(con)
    return "temporary"
