"""The analysis views on a reader's connection.

The crawl (pipeline.run_night) stores them in the file after each night, so every tool that
opens the file (a BI tool, DuckDB's CLI) sees them. A reader never writes: on a file whose
stored views are missing or older than this code (a bare pipeline.run_night(install_views=False),
an older version), prepare_views creates them as TEMP views on its own read-only connection.
"""

from __future__ import annotations

import duckdb

from analysis.installer import prepare_reader


def prepare_views(con: duckdb.DuckDBPyConnection) -> None:
    """The views answer on this read-only connection, stored or as TEMP views."""
    prepare_reader(con)
