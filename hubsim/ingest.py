"""docs/ingest.md, implemented again for the truth: what a night keeps of a record's bytes.

hubsim never imports the crawler or storage (truth and crawl are independent checks), so the
rejection rules are written here on their own. `read_record` returns the reason a record is
rejected whole, or the record with its dropped values set to None and the names of the
dropped fields.
"""

from __future__ import annotations

import datetime as dt
import re

import orjson

MAX_DEPTH = 512
MAX_RECORD_BYTES = 16 * 1024 * 1024
MAX_ID = 256
EARLIEST_TS = int(dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc).timestamp())
TIME_FIELDS = ("createdAt", "lastModified")
COUNT_FIELDS = ("downloads", "downloadsAllTime", "likes")
STRING_FIELDS = ("library_name", "pipeline_tag", "author", "sha")
BOOL_FIELDS = ("private", "disabled")

_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
_ESCAPE = re.compile(r'\\(u[0-9A-Fa-f]{4}|.)', re.S)
_CONTROL = re.compile(r"[\x00-\x1f]")
_BRACKETS = re.compile(r"[\[\]{}]")
_DIGITS = re.compile(r"[0-9]+")


def _bad_escape(body: str) -> bool:
    """A `\\` escape that is not JSON's, or a \\u surrogate without its other half."""
    pending_high = False
    end = 0
    for m in _ESCAPE.finditer(body):
        esc = m.group(1)
        adjacent = m.start() == end
        end = m.end()
        if esc[0] == "u" and len(esc) == 5:
            code = int(esc[1:], 16)
            if pending_high:
                if not (adjacent and 0xDC00 <= code <= 0xDFFF):
                    return True
                pending_high = False
                continue
            if 0xD800 <= code <= 0xDBFF:
                pending_high = True
            elif 0xDC00 <= code <= 0xDFFF:
                return True
        else:
            if pending_high or esc not in '"\\/bfnrt':
                return True
    return pending_high


def reject_reason(raw: bytes) -> str | None:
    """The docs/ingest.md reason a record's text is rejected whole (None: it parses)."""
    if len(raw) > MAX_RECORD_BYTES:
        return "record larger than 16 MiB"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid UTF-8"
    strings = list(_STRING.finditer(text))
    for m in strings:
        if "\\" in m.group(1) and _bad_escape(m.group(1)):
            return "invalid escape"
    for m in strings:
        if _CONTROL.search(m.group(1)):
            return "control character in a string"
    depth = deepest = 0
    for m in _BRACKETS.finditer(_STRING.sub('""', text)):
        depth += 1 if m.group() in "[{" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        return f"nesting deeper than {MAX_DEPTH}"
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return "malformed JSON"
    if not isinstance(value, dict):
        return "record is not an object"
    rid = value.get("id")
    if not isinstance(rid, str):
        return "id missing or not a string"
    if not rid or len(rid) > MAX_ID or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in rid):
        return "id empty, too long or with control characters"
    return None


def read_time(value, date_ts: int) -> int | None:
    """Epoch seconds of a trusted ISO-8601 time, else None (docs/ingest.md's window:
    2000-01-01 <= t <= Date + 1 day)."""
    if not isinstance(value, str):
        return None
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    try:
        ts = t.timestamp()
    except (OverflowError, ValueError):
        return None
    if ts < EARLIEST_TS or ts > date_ts + 86_400:
        return None
    return int(ts)


def read_count(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    if isinstance(value, int) and 0 <= value < 2**63:
        return value
    return None


def clean_values(rec: dict, date_ts: int) -> tuple[dict, list[str]]:
    """The record as stored: dropped values become None; returns (record, dropped fields).
    Times are returned as epoch seconds, counts as ints, lists without their bad elements."""
    out = dict(rec)
    dropped = []

    def drop(name):
        out[name] = None
        dropped.append(name)

    for name in TIME_FIELDS:
        if name in rec:
            ts = read_time(rec[name], date_ts)
            if ts is None:
                drop(name)
            else:
                out[name] = ts
    for name in COUNT_FIELDS:
        if name in rec:
            n = read_count(rec[name])
            if n is None:
                drop(name)
            else:
                out[name] = n
    if "trendingScore" in rec and (isinstance(rec["trendingScore"], bool)
                                   or not isinstance(rec["trendingScore"], (int, float))):
        drop("trendingScore")
    for name in BOOL_FIELDS:
        if name in rec and not isinstance(rec[name], bool):
            drop(name)
    if "gated" in rec:
        out["gated"] = rec["gated"] if rec["gated"] in ("auto", "manual") else "none"
    if "tags" in rec:
        if isinstance(rec["tags"], list):
            out["tags"] = [t for t in rec["tags"] if isinstance(t, str)]
        else:
            drop("tags")
    if "siblings" in rec:
        if isinstance(rec["siblings"], list):
            out["siblings"] = [s for s in rec["siblings"] if isinstance(s, dict) and isinstance(s.get("rfilename"), str)]
        else:
            drop("siblings")
    for name in ("cardData", "safetensors"):
        if name in rec and not isinstance(rec[name], dict):
            drop(name)
    for name in STRING_FIELDS:
        if name in rec and not isinstance(rec[name], str):
            drop(name)
    return out, dropped


def read_record(raw: bytes, date_ts: int) -> tuple[str | None, dict | None, list[str]]:
    """(reason rejected whole, None, []) or (None, record as stored, dropped fields)."""
    reason = reject_reason(raw)
    if reason is not None:
        return reason, None, []
    rec, dropped = clean_values(orjson.loads(raw), date_ts)
    return None, rec, dropped
