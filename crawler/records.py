"""A listing's body -> the records that can be stored, the ones that cannot, and whether the
body arrived whole (docs/ingest.md, "A whole record is rejected").

The crawler never turns a page into Python objects (DuckDB parses the records later); here it
only finds each record's bytes and checks the few things a JSON parser downstream would choke
on, so that one bad record costs only itself:

- Fast path: msgspec splits the array into raw records (`list[msgspec.Raw]`), checking the
  syntax, escapes (lone surrogates), raw control characters in strings, in C. Per record the
  crawler then checks: an object, at most MAX_RECORD_BYTES, valid UTF-8 (msgspec's skip does
  not check it), nesting at most MAX_NESTING (counted exactly only for records with that many
  brackets at all: rare).
- Slow path, when msgspec rejects the page somewhere: a tolerant scanner finds every
  element's bytes (strings skipped by one regex, so only brackets and top-level commas cost a
  Python step) and each element goes through the same checks, msgspec included, alone.
  The scanner also tells a cut body (the array never closes: worth another request) from a
  body that is not a listing at all.

Stored records go to a RecordSink, one at a time, never held together in memory: a 120 MB
page costs its body plus one record. PageFiles, the crawl's sink, writes them as
newline-delimited JSON chunk files of at most CHUNK_BYTES (a larger record gets a file of its
own), fsynced before the page is handed on; storage moves the files under its own names when it
commits the page, and parses them in batches of bounded size, so a page's size never decides
the parse's memory.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import msgspec

MAX_RECORD_BYTES = 16 * 1024 * 1024
CHUNK_BYTES = 8 * 1024 * 1024        # one NDJSON file of a page's records, at most
MAX_NESTING = 512
SAMPLE_CHARS = 200

_RAW_LIST = msgspec.json.Decoder(list[msgspec.Raw])
_WHITESPACE = b" \t\n\r"
# Outside strings, a run of bytes that changes nothing (not a bracket, quote, comma or
# backslash) or a whole string; two versions: inside a record commas do not matter.
# Possessive quantifiers (Python 3.11): an unterminated string must not make the engine try every
# way of splitting it (exponential backtracking on exactly the bodies this module exists for).
_SKIP_TOP = re.compile(rb'(?:[^\[\]{}",\\]++|"[^"\\]*+(?:\\.[^"\\]*+)*+"|\\)*+', re.S)
_SKIP_INNER = re.compile(rb'(?:[^\[\]{}"\\]++|"[^"\\]*+(?:\\.[^"\\]*+)*+"|\\)*+', re.S)
_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.S)
_CONTROL = re.compile(rb'[\x00-\x1f]')
# The first "id": "..." of a record, for naming a record we could not read (best effort).
_ID_TEXT = re.compile(rb'"id"\s*:\s*"((?:[^"\\\x00-\x1f]|\\.){1,256})"', re.S)


@dataclass(frozen=True)
class Rejection:
    """What could not be stored: a whole record (field None) or a whole page (model_id and
    field None, reason starting with 'page unreadable')."""
    model_id: str | None
    field: str | None
    reason: str
    sample: str


@dataclass
class SplitResult:
    records: int = 0                  # records handed to the sink
    rejected: list[Rejection] = field(default_factory=list)
    elements: int = 0                 # elements seen in the array (records + rejected)
    complete: bool = True             # the array was closed (False: the body was cut)
    listing: bool = True              # the body is a JSON array at all
    problem: str | None = None        # why the body is not whole, for the caller's message
    last_modified: list = field(default_factory=list)   # raw lastModified values (if asked for)


class _LastModified(msgspec.Struct):
    lastModified: object = None


_LAST_MODIFIED = msgspec.json.Decoder(_LastModified)


def sample_text(data: bytes | str, limit: int = SAMPLE_CHARS) -> str:
    """At most `limit` characters, every byte that is not printable UTF-8 escaped: safe to
    print, log, store and put in a report (which escapes HTML on its own)."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        text = bytes(data[: limit * 4]).decode("utf-8", "backslashreplace")
    else:
        text = data[: limit * 4]
    out = []
    for ch in text:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        elif ch in "\n\r\t":
            out.append(repr(ch)[1:-1])
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        if len(out) >= limit:
            break
    return "".join(out)[:limit]


def record_id_text(record: bytes) -> str | None:
    """The text of a record's first "id": "...", if it has one that can be read."""
    m = _ID_TEXT.search(record, 0, 65536)
    if not m:
        return None
    try:
        value = msgspec.json.decode(b'"' + m.group(1) + b'"')
    except msgspec.DecodeError:
        return sample_text(m.group(1), 256)
    return value if isinstance(value, str) else None


def nesting_depth(record: bytes) -> int:
    """The deepest nesting of objects and arrays in a JSON text (strings skipped)."""
    depth = deepest = 0
    pos, end = 0, len(record)
    while pos < end:
        pos = _SKIP_INNER.match(record, pos).end()
        if pos >= end:
            break
        ch = record[pos]
        if ch in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in b"]}":
            depth -= 1
        pos += 1   # an unterminated quote: step over it
    return deepest


def _check_record(record: bytes) -> str | None:
    """Why a record (whose syntax msgspec accepted) cannot be stored, or None."""
    if record[:1] != b"{":
        return "record is not an object"
    if len(record) > MAX_RECORD_BYTES:
        return f"record larger than {MAX_RECORD_BYTES // (1024 * 1024)} MiB"
    try:
        record.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid UTF-8"
    # Depth can only exceed the bound if there are that many brackets at all (rare: a record
    # with hundreds of files); only those are scanned.
    if record.count(b"{") + record.count(b"[") > MAX_NESTING and nesting_depth(record) > MAX_NESTING:
        return f"nesting deeper than {MAX_NESTING}"
    return None


def _syntax_reason(error: BaseException) -> str:
    if isinstance(error, RecursionError):
        return f"nesting deeper than {MAX_NESTING}"
    text = str(error).lower()
    if "surrogate" in text or "escape" in text or "truncated" in text:
        # msgspec reports a high surrogate followed by anything but its low half as "truncated"
        return "invalid escape"
    return "malformed JSON"


def _raw_control_in_a_string(element: bytes) -> bool:
    """Whether a string of the element holds a raw byte below 0x20 (JSON wants it escaped)."""
    return any(_CONTROL.search(m.group()) for m in _STRING.finditer(element))


class RecordSink:
    """Where stored records go: write(record) for each, one JSON object per call."""

    def write(self, record: bytes) -> None:   # pragma: no cover - interface
        raise NotImplementedError


def _emit(record: bytes, sink: RecordSink, out: SplitResult, want_modified: bool) -> None:
    reason = _check_record(record)
    if reason is not None:
        out.rejected.append(Rejection(record_id_text(record), None, reason, sample_text(record)))
        return
    if b"\n" in record or b"\r" in record:
        # Valid JSON has raw line breaks only as whitespace between tokens (msgspec checked
        # the strings), so blanking them keeps the record's meaning and one record per line.
        record = record.replace(b"\r", b" ").replace(b"\n", b" ")
    if want_modified:
        try:
            out.last_modified.append(_LAST_MODIFIED.decode(record).lastModified)
        except (msgspec.DecodeError, RecursionError):
            pass
    sink.write(record)
    out.records += 1


def split_listing(body, sink: RecordSink, want_modified: bool = False) -> SplitResult:
    """Split a listing body (bytes or a buffer) into records; storable ones go to sink."""
    out = SplitResult()
    try:
        raws = _RAW_LIST.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return _split_slowly(body, sink, want_modified)
    for raw in raws:
        _emit(bytes(raw), sink, out, want_modified)
    out.elements = len(raws)
    return out


def split_record(body, sink: RecordSink, want_modified: bool = False) -> SplitResult:
    """A single-repository response (one JSON object) through the same checks."""
    data = bytes(body)
    stripped = data.strip(_WHITESPACE)
    return split_listing(b"[" + stripped + b"]", sink, want_modified) if stripped else \
        SplitResult(complete=False, listing=False, problem="empty body")


def _split_slowly(body, sink: RecordSink, want_modified: bool) -> SplitResult:
    out = SplitResult()
    data = body if isinstance(body, bytes) else bytes(body)
    start = _skip_whitespace(data, 0)
    if data[start:start + 1] != b"[":
        out.complete = out.listing = False
        out.problem = f"not a JSON list (starts with {sample_text(data[start:start + 40], 40)!r})"
        return out
    for element, closed in _elements(data, start + 1, out):
        out.elements += 1
        if not closed:
            continue
        try:
            _RAW_LIST.decode(b"[" + element + b"]")
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError) as error:
            reason = _syntax_reason(error)
            if reason == "malformed JSON":   # a finer reason where the bytes tell it
                try:
                    element.decode("utf-8")
                    if _raw_control_in_a_string(element):
                        reason = "control character in a string"
                except UnicodeDecodeError:
                    reason = "invalid UTF-8"
            if nesting_depth(element) > MAX_NESTING:
                reason = f"nesting deeper than {MAX_NESTING}"
            out.rejected.append(Rejection(record_id_text(element), None, reason, sample_text(element)))
            continue
        _emit(element, sink, out, want_modified)
    return out


def _skip_whitespace(data: bytes, pos: int) -> int:
    while pos < len(data) and data[pos] in _WHITESPACE:
        pos += 1
    return pos


def _elements(data: bytes, pos: int, out: SplitResult):
    """Yield (element bytes, closed) for each element of the array opened before pos; sets
    out.complete/problem. An element still open at the end of the body is yielded with
    closed=False (it was cut) and counted, not stored."""
    end = len(data)
    depth = 1          # 1 = inside the listing's array, between elements
    element_start: int | None = None
    while True:
        if element_start is None:
            pos = _skip_whitespace(data, pos)
            if pos >= end:
                break
            if depth == 1 and data[pos] == ord("]"):
                out.complete = True
                return
            element_start = pos
        pos = (_SKIP_TOP if depth == 1 else _SKIP_INNER).match(data, pos).end()
        if pos >= end:
            break
        ch = data[pos]
        if ch == ord('"'):          # a string that never closes: the body was cut inside it
            pos = end
            break
        if ch in b"[{":
            depth += 1
        elif ch in b"]}":
            if depth > 1:
                depth -= 1
            elif ch == ord("]"):    # the listing's closing bracket
                yield data[element_start:pos].rstrip(_WHITESPACE), True
                out.complete = True
                return
            # a stray '}' at the top: part of a malformed element, which its check rejects
        elif ch == ord(",") and depth == 1:
            yield data[element_start:pos].rstrip(_WHITESPACE), True
            element_start = None
        pos += 1
    # The body ended inside the array.
    if element_start is not None and pos > element_start:
        yield data[element_start:end], False
    out.complete = False
    out.problem = f"body cut after {len(data)} bytes (the list never closes)"


def _noop(_record: bytes) -> None:
    return None


class CountingSink(RecordSink):
    """A sink that only counts (and optionally keeps) what it gets: for tests and probes."""

    def __init__(self, keep: bool = True, on_write: Callable[[bytes], None] = _noop) -> None:
        self.records: list[bytes] = []
        self.keep = keep
        self.on_write = on_write

    def write(self, record: bytes) -> None:
        if self.keep:
            self.records.append(record)
        self.on_write(record)


class PageFiles(RecordSink):
    """A page's storable records as NDJSON chunk files in `directory` (see the module doc)."""

    def __init__(self, directory: Path, chunk_bytes: int = CHUNK_BYTES, fsync: bool = True) -> None:
        self.directory = directory
        self.chunk_bytes = chunk_bytes
        self.fsync = fsync
        self.token = uuid.uuid4().hex
        self.files: list[Path] = []
        self.largest = 0          # bytes of the largest record (the parse sizes its buffers by it)
        self.records = 0
        self._out = None
        self._size = 0

    def write(self, record: bytes) -> None:
        n = len(record) + 1
        if self._out is None or (self._size + n > self.chunk_bytes and self._size > 0):
            self._roll()
        self._out.write(record)
        self._out.write(b"\n")
        self._size += n
        self.records += 1
        self.largest = max(self.largest, len(record))

    def _roll(self) -> None:
        self._close_current()
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{self.token}.{len(self.files)}.ndjson"
        self._out = open(path, "wb")
        self.files.append(path)
        self._size = 0

    def _close_current(self) -> None:
        if self._out is not None:
            self._out.flush()
            if self.fsync:   # on disk before the page's cursor commits (power loss, not just kill -9)
                os.fsync(self._out.fileno())
            self._out.close()
            self._out = None

    def finish(self) -> list[Path]:
        self._close_current()
        return list(self.files)

    def discard(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        for path in self.files:
            path.unlink(missing_ok=True)
        self.files.clear()
        self.records = self.largest = 0
