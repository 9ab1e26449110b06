"""Hostile records: values the real Hub sends that no well-behaved record would, put on a
chosen model on chosen days, deterministically (for multi-night tests; the random,
per-request kind are the faults of hubsim.badbytes).

    Hostile(model_id="x/y-1a", field="lastModified", raw=b'"9999-12-31T23:59:59Z"', days=range(2, 9))

`raw` is the exact JSON text (bytes, need not be valid) served as the value of `field` in
every rendering that includes that field (list pages with the key in their key set, the
single-model GET), on the days in `days` (None: every day). `field=None` replaces the whole
record's text. A record that lacks the field gets it when the key is asked for. Where the
raw value is a time (ISO string) or a count (integer) of a sort key, the listing sorts the
record by it, as the Hub sorts by what it stores. The truth applies docs/ingest.md to the
record as a full listing serves it (hubsim.ingest).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import orjson

SORT_FIELDS = {"createdAt", "lastModified", "downloads", "likes", "trendingScore"}
_TIME_SORTS = {"createdAt", "lastModified"}


@dataclass(frozen=True)
class Hostile:
    model_id: str | None = None
    slot: int | None = None
    field: str | None = None
    raw: bytes = b"null"
    days: object = None          # a range, a tuple/list of days, or None for every day

    def __post_init__(self) -> None:
        if (self.model_id is None) == (self.slot is None):
            raise ValueError("Hostile needs exactly one of model_id and slot")
        if not isinstance(self.raw, (bytes, bytearray)):
            raise ValueError("Hostile.raw is the JSON text as bytes")

    def active(self, day: int) -> bool:
        return self.days is None or day in self.days


def load_file(path: str | Path) -> list[Hostile]:
    """JSONL, one hostile record a line: {"model_id" | "slot", "field" (null = whole record),
    "raw" (JSON text as a string) | "raw_b64" (bytes, e.g. invalid UTF-8), "days": [first, last]}."""
    out = []
    for line in Path(path).read_bytes().splitlines():
        if not line.strip():
            continue
        spec = orjson.loads(line)
        raw = base64.b64decode(spec["raw_b64"]) if "raw_b64" in spec else spec["raw"].encode()
        days = spec.get("days")
        out.append(Hostile(model_id=spec.get("model_id"), slot=spec.get("slot"), field=spec.get("field"), raw=raw,
                           days=range(days[0], days[1] + 1) if days else None))
    return out


def _sort_value(field: str, raw: bytes):
    """The key the listing sorts by for a raw value, or None when it does not read as one."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if field in _TIME_SORTS:
        if not isinstance(value, str):
            return None
        try:
            t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.timezone.utc)
        try:
            return int(t.timestamp())
        except (OverflowError, ValueError):
            return None
    if isinstance(value, int) and not isinstance(value, bool) and -2**63 <= value < 2**63:
        return value
    return None


class HostileSet:
    """The hostile records active on the universe's day, by slot."""

    def __init__(self, by_slot: dict[int, list[Hostile]]) -> None:
        self.by_slot = by_slot

    def __bool__(self) -> bool:
        return bool(self.by_slot)

    def __contains__(self, slot: int) -> bool:
        return slot in self.by_slot

    def sort_overrides(self, sort: str) -> dict[int, int]:
        out = {}
        for slot, entries in self.by_slot.items():
            for h in entries:
                if h.field == sort:
                    value = _sort_value(sort, h.raw)
                    if value is not None:
                        out[slot] = value
        return out

    def splice(self, slot: int, rec: dict, keys: list[str] | None) -> bytes:
        """The record's JSON text with the hostile values of `slot` in place. `keys`: the key
        set being rendered (None = every key the record has)."""
        entries = self.by_slot[slot]
        whole = [h for h in entries if h.field is None]
        if whole:
            return bytes(whole[-1].raw)
        rec = dict(rec)
        markers = []
        added = False
        for n, h in enumerate(entries):
            if h.field in rec or (keys is not None and h.field in keys):
                added |= h.field not in rec
                marker = f"@@hubsim-hostile-{n}@@"
                rec[h.field] = marker
                markers.append((b'"' + marker.encode() + b'"', bytes(h.raw)))
        if added and keys is not None:   # a key the record lacked goes where the key set puts it
            order = {k: i for i, k in enumerate(keys)}
            rec = dict(sorted(rec.items(), key=lambda kv: order.get(kv[0], len(order))))
        body = orjson.dumps(rec)
        for marker, raw in markers:
            body = body.replace(marker, raw, 1)
        return body


def resolve_hostile(u, specs) -> HostileSet:
    by_slot: dict[int, list[Hostile]] = {}
    for h in specs:
        if not h.active(u.day):
            continue
        if h.slot is not None:
            slot = int(h.slot)
            if not 0 <= slot < u.n_slots:
                raise ValueError(f"hostile slot {slot} is not in the universe")
        else:
            r = u.real.index.get(h.model_id)
            slot = u.n_syn + r if r is not None else u.synthetic_slot(h.model_id)
            if slot is None:
                raise ValueError(f"hostile model {h.model_id!r} is not in the universe")
        by_slot.setdefault(slot, []).append(h)
    return HostileSet(by_slot)
