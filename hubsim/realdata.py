"""Real Hub records (`--real FILE.jsonl`): served verbatim, never changed across days."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson

from hubsim import clock

_KEY_FIELDS = {"downloads": "downloads", "likes": "likes", "trendingScore": "trendingScore"}


class RealRecords:
    def __init__(self, records: list[dict]) -> None:
        self.records = records
        self.ids = [r["id"] for r in records]
        self.index = {rid: i for i, rid in enumerate(self.ids)}
        if len(self.index) != len(records):
            raise ValueError("duplicate ids in the real records file")
        self.oid_ts = np.array([int(r["_id"][:8], 16) for r in records], dtype=np.int64)
        self.oid_rand = np.array([int(r["_id"][8:24] or "0", 16) for r in records], dtype=np.uint64)
        self._keys = {
            "createdAt": [clock.parse_iso(r["createdAt"]) if r.get("createdAt") else 0 for r in records],
            "lastModified": [clock.parse_iso(r["lastModified"]) if r.get("lastModified") else 0 for r in records],
        }
        for sort, field in _KEY_FIELDS.items():
            self._keys[sort] = [int(r.get(field) or 0) for r in records]
        self.tag_sets = [frozenset(r.get("tags") or ()) for r in records]

    @classmethod
    def load(cls, path: str | Path) -> "RealRecords":
        records = []
        with open(path, "rb") as fh:
            for line in fh:
                if line.strip():
                    records.append(orjson.loads(line))
        return cls(records)

    @classmethod
    def empty(cls) -> "RealRecords":
        return cls([])

    def __len__(self) -> int:
        return len(self.records)

    def key(self, sort: str) -> np.ndarray:
        return np.array(self._keys[sort], dtype=np.int64)
