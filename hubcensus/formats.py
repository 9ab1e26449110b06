"""Writing a query result as a table, CSV, JSON or Markdown, streaming in batches.

Cells come from the Hub (untrusted): control characters are made visible in every text
format (table, markdown, CSV) so a model id cannot move the cursor or clear the analyst's
terminal, and in CSV a text cell that a spreadsheet would run as a formula (it starts with
=, +, - or @) gets a leading ' unless the caller turns that guard off.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import uuid
from typing import IO, Iterator, Sequence

FORMATS = ("table", "csv", "json", "markdown")
BATCH_ROWS = 1000          # rows fetched at a time: memory stays flat on big results
MAX_CELL_WIDTH = 60        # table/markdown cells wider than this are cut with an ellipsis
NULL_TEXT = "NULL"
FORMULA_STARTS = ("=", "+", "-", "@")   # what Excel, LibreOffice and Sheets evaluate

_CONTROL = {c: f"\\x{c:02x}" for c in list(range(0x20)) + [0x7F]}
_CONTROL.update({ord("\n"): "\\n", ord("\t"): "\\t", ord("\r"): "\\r"})


def _batches(cursor) -> Iterator[list[tuple]]:
    while True:
        rows = cursor.fetchmany(BATCH_ROWS)
        if not rows:
            return
        yield rows


def _text(value) -> str:
    """A cell as display text: NULL visible, control characters escaped."""
    if value is None:
        return NULL_TEXT
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value).translate(_CONTROL)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _json_default(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return str(value)


def _is_numeric(values: Sequence) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(isinstance(v, (int, float, decimal.Decimal)) and not isinstance(v, bool) for v in present)


def write_table(cursor, out: IO[str], markdown: bool = False) -> int:
    """Aligned columns; widths are taken from the first batch (later cells are clipped)."""
    columns = [d[0] for d in cursor.description]
    batches = _batches(cursor)
    first = next(batches, [])
    cells = [[_clip(_text(v), MAX_CELL_WIDTH) for v in row] for row in first]
    if markdown:
        columns = [c.replace("|", "\\|") for c in columns]
        cells = [[c.replace("|", "\\|") for c in row] for row in cells]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    numeric = [_is_numeric([row[i] for row in first]) for i in range(len(columns))]

    def line(row: Sequence[str]) -> str:
        padded = [
            (text.rjust(w) if num else text.ljust(w)) for text, w, num in zip(row, widths, numeric)
        ]
        return ("| " + " | ".join(padded) + " |") if markdown else "  ".join(padded).rstrip()

    out.write(line(columns) + "\n")
    if markdown:
        out.write("|" + "|".join(("-" * (w + 1) + ":") if num else ("-" * (w + 2))
                               for w, num in zip(widths, numeric)) + "|\n")
    else:
        out.write("  ".join("-" * w for w in widths) + "\n")
    count = 0
    for row in cells:
        out.write(line(row) + "\n")
        count += 1
    for batch in batches:
        for raw in batch:
            row = [_clip(_text(v), w) for v, w in zip(raw, widths)]
            if markdown:
                row = [_clip(c.replace("|", "\\|"), w) for c, w in zip(row, widths)]
            out.write(line(row) + "\n")
            count += 1
    if not markdown:
        out.write(f"({count} row{'s' if count != 1 else ''})\n")
    return count


def write_csv(cursor, out: IO[str], formula_guard: bool = True) -> int:
    """CSV with a header row; NULL is an empty cell, nested values are JSON text."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_csv_text(d[0], formula_guard) for d in cursor.description])
    count = 0
    for batch in _batches(cursor):
        writer.writerows([[_csv_cell(v, formula_guard) for v in row] for row in batch])
        count += len(batch)
    return count


def _csv_cell(value, formula_guard: bool):
    if value is None:
        return ""
    if isinstance(value, (list, dict, tuple)):   # JSON escapes control characters itself
        return json.dumps(value, default=_json_default, ensure_ascii=False)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return _json_default(value)
    if isinstance(value, str):
        return _csv_text(value, formula_guard)
    return value   # numbers stay numbers (-5 is a number, not a formula)


def _csv_text(text: str, formula_guard: bool) -> str:
    text = text.translate(_CONTROL)
    return "'" + text if formula_guard and text.startswith(FORMULA_STARTS) else text


def write_json(cursor, out: IO[str]) -> int:
    """A JSON array of objects, one per row, written row by row."""
    columns = [d[0] for d in cursor.description]
    out.write("[")
    count = 0
    for batch in _batches(cursor):
        for row in batch:
            out.write(",\n " if count else "\n ")
            out.write(json.dumps(dict(zip(columns, row)), default=_json_default, ensure_ascii=False))
            count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_result(cursor, fmt: str, out: IO[str], formula_guard: bool = True) -> int:
    if fmt == "table":
        return write_table(cursor, out)
    if fmt == "markdown":
        return write_table(cursor, out, markdown=True)
    if fmt == "csv":
        return write_csv(cursor, out, formula_guard)
    if fmt == "json":
        return write_json(cursor, out)
    raise ValueError(f"unknown format {fmt!r}")
