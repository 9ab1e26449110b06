"""Running a .sql file of several statements with named parameters ($name).

Values always travel as parameters (Hub data is untrusted); each statement gets only the
parameters it uses, because DuckDB rejects unused ones. A file shared by every repository type
names its tables as @identifiers (@stage_table, @hub_table, @id_column): they are replaced by
the constants of storage/repos.py, and only by names made of letters and underscores.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_STATEMENT_END = re.compile(r";[ \t]*(?:--[^\n]*)?\n")


def _code(statement: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in statement.splitlines())


@lru_cache(maxsize=None)
def statements(path: str) -> tuple[tuple[str, frozenset], ...]:
    """(statement, names of the $parameters it uses) for each statement of the file."""
    text = Path(path).read_text()
    out = []
    for part in _STATEMENT_END.split(text + "\n"):
        code = _code(part).strip()
        if code:
            out.append((part.strip(), frozenset(re.findall(r"\$([A-Za-z_]\w*)", code))))
    return tuple(out)


_IDENTIFIER = re.compile(r"^[a-z_]+$")


def run(con, path: str | Path, params: dict | None = None, identifiers: dict[str, str] | None = None) -> None:
    params = params or {}
    for statement, names in statements(str(path)):
        for key, name in (identifiers or {}).items():
            if not _IDENTIFIER.match(name):
                raise ValueError(f"not an identifier: {name!r}")
            statement = statement.replace(f"@{key}", name)
        con.execute(statement, {k: params[k] for k in names} if names else None)
