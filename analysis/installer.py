"""Install the analysis layer into a hubcensus DuckDB file.

`install(con)` (re)creates, in one transaction, the `license_taxonomy` table from
`license_taxonomy.csv` and every view and macro defined in `sql/*.sql` (run in file-name
order). It only reads the crawl tables. It is idempotent and cheap: a fingerprint of the SQL
and the taxonomy is stored in `analysis_install`, and when it matches nothing is rewritten, so
the CLI can call it before every query, also on a read-only connection.
"""

from __future__ import annotations

import csv
import hashlib
import io
from importlib import resources

import duckdb

TAXONOMY_FILE = "license_taxonomy.csv"
TAXONOMY_COLUMNS = ("license_id", "family", "spdx_id", "restrictions_note")
FAMILIES = ("permissive", "copyleft", "open-weights-restricted", "openrail", "non-commercial", "other")

CREATE_TAXONOMY_SQL = """
CREATE OR REPLACE TABLE license_taxonomy (
    license_id        VARCHAR NOT NULL PRIMARY KEY,  -- lower-case Hub / SPDX license id
    family            VARCHAR NOT NULL,
    spdx_id           VARCHAR,
    restrictions_note VARCHAR
)
"""
INSERT_TAXONOMY_SQL = "INSERT INTO license_taxonomy VALUES (?, ?, ?, ?)"
CREATE_MARKER_SQL = "CREATE OR REPLACE TABLE analysis_install (fingerprint VARCHAR, installed_at TIMESTAMP)"
INSERT_MARKER_SQL = "INSERT INTO analysis_install VALUES (?, now()::TIMESTAMP)"
READ_MARKER_SQL = """
SELECT (SELECT fingerprint FROM analysis_install LIMIT 1)
FROM duckdb_views() WHERE view_name = 'models' AND schema_name = 'main'
"""


def _package_files():
    return resources.files(__package__)


def sql_scripts() -> list[tuple[str, str]]:
    """(file name, text) of every analysis SQL script, in installation order."""
    sql_dir = _package_files() / "sql"
    names = sorted(p.name for p in sql_dir.iterdir() if p.name.endswith(".sql"))
    return [(name, (sql_dir / name).read_text(encoding="utf-8")) for name in names]


def taxonomy_text() -> str:
    return (_package_files() / TAXONOMY_FILE).read_text(encoding="utf-8")


def load_taxonomy(text: str | None = None) -> list[tuple[str, str, str | None, str | None]]:
    """Rows of the reviewed taxonomy; empty cells become NULL."""
    reader = csv.DictReader(io.StringIO(text if text is not None else taxonomy_text()))
    if tuple(reader.fieldnames or ()) != TAXONOMY_COLUMNS:
        raise ValueError(f"{TAXONOMY_FILE} must have the columns {','.join(TAXONOMY_COLUMNS)}")
    return [tuple(row[c] or None for c in TAXONOMY_COLUMNS) for row in reader]


def fingerprint() -> str:
    digest = hashlib.sha256(taxonomy_text().encode())
    for name, text in sql_scripts():
        digest.update(name.encode())
        digest.update(text.encode())
    return digest.hexdigest()


def installed_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute(READ_MARKER_SQL).fetchone()
    except duckdb.CatalogException:  # no analysis_install table yet
        return None
    return row[0] if row else None


def install(con: duckdb.DuckDBPyConnection, force: bool = False) -> bool:
    """Install or refresh the analysis views; returns True when anything was (re)created."""
    wanted = fingerprint()
    if not force and installed_fingerprint(con) == wanted:
        return False
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(CREATE_TAXONOMY_SQL)
        con.executemany(INSERT_TAXONOMY_SQL, load_taxonomy())
        for _name, text in sql_scripts():
            con.execute(text)
        con.execute(CREATE_MARKER_SQL)
        con.execute(INSERT_MARKER_SQL, [wanted])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True
