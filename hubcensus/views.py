"""The analysis views in the database file: the one place the door writes them.

The crawl installs them after each night (install_views). Readers call ensure_views before
reading through them: a database written by an older version, or by a bare crawler.run_night
(benchmarks), gets them by a short write. That write is the only one a reader makes; it goes
once analysis.install can create the views as TEMP views on the read-only connection, and
this module is the one change then.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

import analysis
from analysis.installer import fingerprint, installed_fingerprint
from hubcensus.config import UserFacingError
from hubcensus.failures import one_line
from hubcensus.reading import BUSY_WAIT_SECONDS, open_readonly
from storage import db as storage_db


def install_views(path: Path) -> None:
    """(Re)install the views in the file so every reader (prompt, BI tool) sees them."""
    con = storage_db.open_main(path)
    try:
        analysis.install(con)
    finally:
        con.close()


def ensure_views(path: Path) -> None:
    """The views match this code before a reader reads through them (a write only if not)."""
    con = open_readonly(path)
    try:
        current = installed_fingerprint(con) == fingerprint()
    finally:
        con.close()
    if current:
        return
    busy = f"{path} is busy (a crawl is merging its night into it); waited {BUSY_WAIT_SECONDS:g}s, try again in a minute"
    try:
        storage_db.retry_while_busy(lambda: install_views(path), BUSY_WAIT_SECONDS, busy)
    except duckdb.Error as error:
        raise UserFacingError(f"cannot install the analysis views in {path}: {one_line(error)}") from error
