"""`hubcensus sql` without a query: an interactive SQL prompt on the database, read-only.

With DuckDB's own `duckdb` CLI on PATH we hand over to it (`duckdb -readonly DB`): it has
completion, history and every dot-command. Note that it keeps the file open until you quit,
and the nightly crawl's final merge waits for that. Without it, a small built-in prompt
runs: statements end with `;`, `.tables`, `.format table|csv|json|markdown`, `.quit`. It opens
the file for each statement and closes it after, so an idle prompt never blocks the crawl.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import IO

import duckdb

from hubcensus import formats
from hubcensus.config import ExitCode, UserFacingError
from hubcensus.reading import one_line, open_readonly

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


def interactive(db: Path) -> int:
    if not db.exists():
        raise UserFacingError(f"no database at {db}; run `hubcensus crawl` first")
    duckdb_cli = shutil.which("duckdb")
    if duckdb_cli:
        return subprocess.call([duckdb_cli, "-readonly", str(db)])
    return repl(db, sys.stdin, sys.stdout, sys.stderr, show_prompt=sys.stdin.isatty())


def _lines(stdin: IO[str], out: IO[str], show_prompt: bool, pending: list[str]):
    """Input lines; with a terminal, prompts like DuckDB's (D / ·) and readline editing."""
    if show_prompt:
        try:
            import readline  # noqa: F401 - enables line editing and history for input()
        except ImportError:
            pass
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


def repl(db: Path, stdin: IO[str], out: IO[str], err: IO[str], show_prompt: bool = False) -> int:
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
                _run(db, TABLES_SQL, "table", out, err)
            else:
                err.write(f"unknown command {stripped!r}; .help lists the commands\n")
            continue
        if not stripped and not pending:
            continue
        pending.append(line)
        if stripped.endswith(";"):
            _run(db, "\n".join(pending), fmt, out, err)
            pending.clear()
    if pending and "".join(pending).strip():
        _run(db, "\n".join(pending), fmt, out, err)  # a last statement without ';' still runs
    return ExitCode.OK


def _run(db: Path, sql: str, fmt: str, out: IO[str], err: IO[str]) -> None:
    try:
        con = open_readonly(db)
    except UserFacingError as error:
        err.write(f"error: {error}\n")
        return
    try:
        cursor = con.execute(sql)
        if cursor.description is not None:
            formats.write_result(cursor, fmt, out)
    except duckdb.Error as error:
        err.write(f"error: {one_line(error)}\n")
    finally:
        con.close()
    out.flush()
