"""`hubcensus sql` without a query: an interactive SQL prompt on the database, read-only.

A small prompt of our own: statements end with `;`, `.tables`, `.format
table|csv|json|markdown`, `.quit`, line editing and history through readline on a terminal.
It opens the file for each statement, through the same locked-down connection as
`hubcensus sql "..."` (no file access, no ATTACH, no extensions, locked settings), and closes
it after, so an idle prompt never blocks the crawl. (It no longer hands over to a `duckdb`
CLI found on PATH: that one can write files, and one of another DuckDB version cannot read
the file at all. `duckdb -readonly -safe FILE` of the same version is the analyst's choice.)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

from hubcensus import formats
from hubcensus.config import ExitCode, UserFacingError
from hubcensus.queries import run_sql
from hubcensus.reading import check_database_file, open_readonly
from hubcensus.views import prepare_views

HELP = """statements end with ';'. commands:
  .tables                 list tables and views
  .format FORMAT          table | csv | json | markdown
  .help                   this text
  .quit / .exit / Ctrl-D  leave"""

TABLES_SQL = """
SELECT table_name AS name, CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END AS kind
FROM information_schema.tables
WHERE table_schema = 'main'
ORDER BY name
"""


def interactive(db: Path, formula_guard: bool = True) -> int:
    check_database_file(db)
    return repl(db, sys.stdin, sys.stdout, sys.stderr, show_prompt=sys.stdin.isatty(), formula_guard=formula_guard)


def _lines(stdin: IO[str], out: IO[str], show_prompt: bool, pending: list[str]):
    """Input lines; with a terminal, prompts like DuckDB's (D / ·) and readline editing."""
    if show_prompt:
        # Imported only at a terminal (it enables line editing and history for input()): on
        # some terminals importing readline writes a control sequence to stdout.
        import readline  # noqa: F401
        while True:
            try:
                yield input("   ...> " if pending else "hubcensus> ")
            except EOFError:
                out.write("\n")
                return
            except KeyboardInterrupt:  # Ctrl-C drops the statement being typed, like a shell
                out.write("^C\n")
                pending.clear()
    else:
        for line in stdin:
            yield line.rstrip("\n")


def repl(db: Path, stdin: IO[str], out: IO[str], err: IO[str], show_prompt: bool = False,
         formula_guard: bool = True) -> int:
    fmt = "table"
    pending: list[str] = []
    if show_prompt:
        out.write(f"hubcensus sql on {db} (read-only). .help for help.\n")
    for line in _lines(stdin, out, show_prompt, pending):
        stripped = line.strip()
        if not pending and stripped.startswith("."):
            word, _, argument = stripped.partition(" ")
            if word in (".quit", ".exit"):
                break
            if word == ".help":
                out.write(HELP + "\n")
            elif word == ".format" and argument.strip() in formats.FORMATS:
                fmt = argument.strip()
            elif word == ".tables":
                _run(db, TABLES_SQL, "table", out, err, formula_guard)
            else:
                err.write(f"unknown command {stripped!r}; .help lists the commands\n")
            continue
        if not stripped and not pending:
            continue
        pending.append(line)
        if stripped.endswith(";"):
            _run(db, "\n".join(pending), fmt, out, err, formula_guard)
            pending.clear()
    if pending and "".join(pending).strip():
        _run(db, "\n".join(pending), fmt, out, err, formula_guard)  # a last statement without ';' still runs
    return ExitCode.OK


def _run(db: Path, sql: str, fmt: str, out: IO[str], err: IO[str], formula_guard: bool) -> None:
    try:
        con = open_readonly(db)
    except UserFacingError as error:
        err.write(f"error: {error}\n")
        return
    try:
        prepare_views(con)
        run_sql(con, sql, fmt, out, formula_guard)
    except UserFacingError as error:
        err.write(f"error: {error}\n")
    finally:
        con.close()
    out.flush()
