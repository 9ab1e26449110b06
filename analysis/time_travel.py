"""Time travel: the Hub as it was on a past night, for `figures --as-of` and `report --as-of`.

travel(con, day) turns one reader's connection into the database as it stood after the latest
complete listing on or before `day` (the night S that `figures` would have described then):
TEMP views of the crawl tables' names (time_travel.sql) shadow the stored tables on this
connection only, so every analysis view, the figures and the report answer for S. The file is
never written. What history can and cannot rebuild is in docs/history.md.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources

import duckdb

from storage.db import has_table

AS_OF_VARIABLE = "hubcensus_as_of"
SQL_FILE = "time_travel.sql"
HISTORY_TABLES = ("model_keys", "model_counts_open", "model_runs_archive", "model_runs_recent", "snapshot_nights",
                  "lineage_removed")
NIGHT_SQL = """
SELECT max(snapshot_date) FROM {db}.main.crawl_runs
WHERE status = 'complete' AND plan IN ('sweep', 'full') AND snapshot_date <= ?
"""
SET_DAY_SQL = f"SET VARIABLE {AS_OF_VARIABLE} = ?"
# Each state table is paired with its stored table by position (time_travel.sql): it must hold
# exactly one row per stored row, or every row after a surplus one would take its neighbour's
# history. Counting both is free (table metadata); a mismatch stops the travel.
PAIRED_TABLES = {"as_of_models": "hub_models", "as_of_datasets": "hub_datasets", "as_of_spaces": "hub_spaces"}
PAIRED_COUNTS_SQL = "SELECT (SELECT count(*) FROM temp.main.{state}), (SELECT count(*) FROM {db}.main.{stored})"
CATALOG_SQL = "SELECT current_database()"
REQUIRES = re.compile(r"^--\s*requires:\s*(.+)$", re.MULTILINE)
STATEMENT_END = re.compile(r";[ \t]*\n")


class NoHistory(ValueError):
    """The database cannot answer for that day (no night by then, or no history tables)."""


class InconsistentHistory(NoHistory):
    """The history does not give one state per stored row (runs that overlap, say): answering
    would pair rows with the wrong models' history."""


def parse_day(text: str) -> dt.date:
    """YYYY-MM-DD as the CLI takes it; ValueError with a plain message otherwise."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--as-of takes a date as YYYY-MM-DD, not {text!r}") from None


def quoted_catalog(con: duckdb.DuckDBPyConnection) -> str:
    """The connection's own database as an identifier: the shadows read `<db>.main.<table>` (a
    bare `main.<table>` would find the shadow itself). The name is the file's stem, not Hub data;
    quoted all the same."""
    catalog = con.execute(CATALOG_SQL).fetchone()[0]
    return '"' + catalog.replace('"', '""') + '"'


def night_of(con: duckdb.DuckDBPyConnection, day: dt.date) -> dt.date | None:
    """The latest complete listing on or before `day` (from the stored crawl_runs, also on a
    connection that travelled already)."""
    return con.execute(NIGHT_SQL.replace("{db}", quoted_catalog(con)), [day]).fetchone()[0]


def statements(quoted: str) -> list[tuple[str, set[str]]]:
    """time_travel.sql's statements with {db} set to the quoted catalog, and the tables each requires."""
    text = (resources.files(__package__) / SQL_FILE).read_text(encoding="utf-8")
    out = []
    for part in STATEMENT_END.split(text):
        code = "\n".join(line for line in part.splitlines() if not line.strip().startswith("--")).strip()
        if code:
            required = {t.strip() for line in REQUIRES.findall(part) for t in line.split(",") if t.strip()}
            out.append((part.replace("{db}", quoted), required))
    return out


def travel(con: duckdb.DuckDBPyConnection, day: dt.date) -> dt.date:
    """Make this connection answer for the night S on or before `day`; returns S.

    Call it after analysis.prepare_reader (the views it installs read the shadows by name).
    Raises NoHistory when the database has no complete listing by `day` or predates the history
    tables of migration 004 (a crawl upgrades it)."""
    missing = [t for t in HISTORY_TABLES if not has_table(con, t)]
    if missing:
        raise NoHistory("this database has no nightly history tables yet (made before hubcensus stored compact "
                        "history); the next `hubcensus crawl` upgrades it")
    night = night_of(con, day)
    if night is None:
        raise NoHistory(f"no complete night on or before {day.isoformat()} in this database")
    con.execute(SET_DAY_SQL, [night])
    quoted = quoted_catalog(con)
    for sql, required in statements(quoted):
        if all(has_table(con, t) for t in required):
            con.execute(sql)
    check_pairing(con, quoted, night)
    return night


def check_pairing(con: duckdb.DuckDBPyConnection, quoted: str, night: dt.date) -> None:
    """Raise InconsistentHistory unless every state table has one row per stored row. A state
    table exists when its stored table does (time_travel.sql's `-- requires:`)."""
    for state, stored in PAIRED_TABLES.items():   # names are constants of this module
        if has_table(con, stored):
            states, rows = con.execute(PAIRED_COUNTS_SQL.format(state=state, db=quoted, stored=stored)).fetchone()
            if states != rows:
                raise InconsistentHistory(
                    f"the history of {stored} is inconsistent: {states} states on {night.isoformat()} for {rows} "
                    f"rows (runs that overlap?); this database cannot answer for a past night")
