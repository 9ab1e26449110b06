"""The analysis views: written into the file by the crawl, prepared on a reader's connection.

The crawl installs them after each night (install_views), so every tool that opens the file
(a BI tool, DuckDB's CLI) sees them. A reader never writes: on a file whose stored views are
missing or older than this code (a bare pipeline.run_night(install_views=False), an older version), prepare_views
creates them as TEMP views on its own read-only connection (analysis.prepare_reader).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

import analysis
from analysis.installer import prepare_reader
from storage import db as storage_db


def install_views(path: Path) -> None:
    """(Re)install the views in the file (the crawl, after its night is merged)."""
    con = storage_db.open_main(path)
    try:
        analysis.install(con)
    finally:
        con.close()


def prepare_views(con: duckdb.DuckDBPyConnection) -> None:
    """The views answer on this read-only connection, stored or as TEMP views."""
    prepare_reader(con)
