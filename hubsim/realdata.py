"""Real Hub records (`--real FILE.jsonl`), served verbatim, optionally cloned (`--scale N`).

Cloning (`scale=N`) turns the file's R records into N records in total, copy-major: real slot
r is copy k = r // R of original i = r % R (copy 0 is the original itself). A clone is its
original with a new id (`author/name-c<k>`), `modelId` and `_id`, and its lineage pointing to
copy k of its parent when the parent is in the file and has a copy k (else to the original
parent), so the clones form k independent copies of the sample's family trees. Everything
else, createdAt included, is the original's: served in createdAt order, the copies of one
record sit next to each other, as a page of clones of one heavy record does (the real
sample's 560 KB record, cloned to 200k, fills one ~120 MB page). Nothing is copied up
front: a clone's dict is built when it is rendered (a shallow copy with a handful of keys
replaced). Real records never change across days.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson

from hubsim import clock

_KEY_FIELDS = {"downloads": "downloads", "likes": "likes", "trendingScore": "trendingScore"}
MAX_NAME = 96   # the Hub's limit on the name part of a repo id
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _splitmix(x: np.ndarray) -> np.ndarray:
    """A 64-bit mixing function: unique clone _ids that look random."""
    with np.errstate(over="ignore"):
        z = x + _MIX
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def clone_id(original_id: str, copy: int) -> str:
    """`author/name` -> `author/name-c<copy>` (the name cut so that it stays a valid Hub id)."""
    if copy == 0:
        return original_id
    suffix = f"-c{copy}"
    author, slash, name = original_id.rpartition("/")
    name = name[: MAX_NAME - len(suffix)]
    return f"{author}{slash}{name}{suffix}"


class RecordView:
    """records[r] -> the record of real slot r (a clone built on demand); len(); iteration."""

    def __init__(self, real: "RealRecords") -> None:
        self.real = real

    def __len__(self) -> int:
        return len(self.real)

    def __getitem__(self, r: int) -> dict:
        if r < 0:
            r += len(self.real)
        if not 0 <= r < len(self.real):
            raise IndexError(r)
        return self.real.record(r)

    def __iter__(self):
        return (self.real.record(r) for r in range(len(self.real)))


class RealRecords:
    def __init__(self, originals: list[dict], scale: int | None = None) -> None:
        self.originals = originals
        R = self.R = len(originals)
        n = self.n = R if scale is None else int(scale)
        if n < R:
            raise ValueError(f"--scale {n} is below the {R} records of the file")
        if R == 0 and n:
            raise ValueError("--scale needs a --real file with records")
        orig_ids = [r["id"] for r in originals]
        self.orig_index = {rid: i for i, rid in enumerate(orig_ids)}
        if len(self.orig_index) != R:
            raise ValueError("duplicate ids in the real records file")
        r_all = np.arange(n, dtype=np.int64)
        self.orig = (r_all % R) if R else r_all
        self.copy = (r_all // R) if R else r_all
        self.ids = [clone_id(orig_ids[i], k) for i, k in zip(self.orig.tolist(), self.copy.tolist())]
        self.index = {rid: r for r, rid in enumerate(self.ids)}
        if len(self.index) != n:
            raise ValueError("cloned ids collide with ids of the real records file")
        ts = np.array([int(r["_id"][:8], 16) for r in originals], dtype=np.int64)
        rnd = np.array([int(r["_id"][8:24] or "0", 16) for r in originals], dtype=np.uint64)
        self.oid_ts = ts[self.orig] if R else np.zeros(0, dtype=np.int64)
        self.oid_rand = rnd[self.orig] if R else np.zeros(0, dtype=np.uint64)
        clones = self.copy > 0
        if clones.any():
            mixed = _splitmix(self.oid_rand[clones] ^ (self.copy[clones].astype(np.uint64) << np.uint64(40)))
            self.oid_rand[clones] = mixed
            pairs = np.unique(np.stack([self.oid_ts, self.oid_rand.view(np.int64)]).T, axis=0)
            if len(pairs) != n:
                raise ValueError("clone _ids collide")
        self._orig_keys = {
            "createdAt": [clock.parse_iso(r["createdAt"]) if r.get("createdAt") else 0 for r in originals],
            "lastModified": [clock.parse_iso(r["lastModified"]) if r.get("lastModified") else 0 for r in originals],
        }
        for sort, field in _KEY_FIELDS.items():
            self._orig_keys[sort] = [int(r.get(field) or 0) for r in originals]
        self.orig_tag_sets = [frozenset(t for t in (r.get("tags") or ()) if isinstance(t, str)) for r in originals]
        self.records = RecordView(self)

    @classmethod
    def load(cls, path: str | Path, scale: int | None = None) -> "RealRecords":
        records = []
        with open(path, "rb") as fh:
            for line in fh:
                if line.strip():
                    records.append(orjson.loads(line))
        return cls(records, scale)

    @classmethod
    def empty(cls) -> "RealRecords":
        return cls([])

    def __len__(self) -> int:
        return self.n

    @property
    def scaled(self) -> bool:
        return self.n > self.R

    def key(self, sort: str) -> np.ndarray:
        base = np.array(self._orig_keys[sort], dtype=np.int64)
        return base[self.orig] if self.R else base

    def copies(self, i: int) -> int:
        """How many records (original included) original i has."""
        return self.n // self.R + (1 if i < self.n % self.R else 0)

    def parent_slot(self, copy: int, j: int) -> int:
        """Real slot that copy `copy` of a child points to for in-file parent j."""
        r = copy * self.R + j
        return r if r < self.n else j

    def map_parent(self, copy: int, parent_id: str) -> str:
        j = self.orig_index.get(parent_id)
        if copy == 0 or j is None:
            return parent_id
        return self.ids[self.parent_slot(copy, j)]

    # ------------------------------------------------------------------ records
    def record(self, r: int) -> dict:
        """The record of real slot r: the original dict (never mutate it), or its clone."""
        i, k = r % self.R, r // self.R
        orig = self.originals[i]
        if k == 0:
            return orig
        rec = dict(orig)
        rec["_id"] = f"{int(self.oid_ts[r]):08x}{int(self.oid_rand[r]):016x}"
        rec["id"] = self.ids[r]
        if "modelId" in rec:
            rec["modelId"] = self.ids[r]
        tags = orig.get("tags")
        if isinstance(tags, list) and any(isinstance(t, str) and t.startswith("base_model:") for t in tags):
            rec["tags"] = [self._map_tag(k, t) for t in tags]
        card = orig.get("cardData")
        if isinstance(card, dict) and "base_model" in card:
            card = dict(card)
            base = card["base_model"]
            if isinstance(base, str):
                card["base_model"] = self.map_parent(k, base)
            elif isinstance(base, list):
                card["base_model"] = [self.map_parent(k, b) if isinstance(b, str) else b for b in base]
            rec["cardData"] = card
        bm = orig.get("baseModels")
        if bm is not None:
            rec["baseModels"] = self._map_base_models(k, bm)
        return rec

    def _map_tag(self, k: int, tag):
        if not isinstance(tag, str) or not tag.startswith("base_model:"):
            return tag
        head, _, parent = tag.rpartition(":")   # ids never contain ':'
        return f"{head}:{self.map_parent(k, parent)}"

    def _map_base_models(self, k: int, bm):
        if isinstance(bm, list):
            return [self._map_base_models(k, g) for g in bm]
        if not isinstance(bm, dict) or not isinstance(bm.get("models"), list):
            return bm
        group = dict(bm)
        group["models"] = [{**m, "id": self.map_parent(k, m["id"])} if isinstance(m, dict) and isinstance(m.get("id"), str)
                           else m for m in bm["models"]]
        return group

    def field(self, r: int, name: str):
        """A top-level value cloning never changes (author, pipeline_tag, ...)."""
        return self.originals[r % self.R].get(name)

    def tag_mask(self, tag: str) -> np.ndarray:
        """Real slots whose (cloned) tags contain `tag`."""
        if not tag.startswith("base_model:") or not self.scaled:
            has = np.array([tag in s for s in self.orig_tag_sets], dtype=bool)
            return has[self.orig] if self.R else has
        return np.array([tag in (self.record(r).get("tags") or ()) for r in range(self.n)], dtype=bool)
