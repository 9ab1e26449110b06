"""Running an analyst's SQL text: every statement in turn, every result printed.

DuckDB's execute() of a multi-statement text returns only the last result; the text is split
by DuckDB's own parser instead, so `SELECT 1; SELECT 2` prints both, and a temporary view or
macro made by one statement is there for the next (same connection).
"""

from __future__ import annotations

from typing import IO

import duckdb

from hubcensus import formats
from hubcensus.config import UserFacingError
from hubcensus.reading import sql_error

# Statements that answer with a status row (Count/Success) rather than data: not printed.
QUIET_STATEMENTS = {"CREATE", "DROP", "ALTER", "SET", "VARIABLE_SET", "TRANSACTION", "PREPARE", "DEALLOCATE",
                    "ATTACH", "DETACH", "LOAD", "UPDATE_EXTENSIONS"}
NO_SQL = 'no SQL statement given; usage: hubcensus sql "SELECT ..." (or no argument for a prompt)'


def statements(con: duckdb.DuckDBPyConnection, text: str) -> list:
    try:
        found = con.extract_statements(text)
    except duckdb.Error as error:
        raise sql_error(error) from error
    if not found:
        raise UserFacingError(NO_SQL)
    return found


def run_sql(con: duckdb.DuckDBPyConnection, text: str, fmt: str, out: IO[str], formula_guard: bool = True) -> None:
    """Run each statement of text; results are separated by a blank line."""
    printed = 0
    for statement in statements(con, text):
        try:
            cursor = con.execute(statement)
            if cursor.description is None or statement.type.name in QUIET_STATEMENTS:
                continue
            if printed:
                out.write("\n")
            formats.write_result(cursor, fmt, out, formula_guard)
        except duckdb.Error as error:
            raise sql_error(error) from error
        printed += 1
