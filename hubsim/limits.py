"""Rate limiting (fixed window, like the Hub's "api" bucket), seeded faults, request log."""

from __future__ import annotations

import hashlib
import math
import random
import threading
import time

from hubsim.badbytes import PAGE_FAULTS, RECORD_FAULTS

FAULT_KINDS = ("500", "503", "reset", "truncate", "slow") + RECORD_FAULTS + PAGE_FAULTS
# Not drawn per request: a property of a list page's URL (every request for it is cut).
URL_FAULTS = ("cutalways",)
INJECTED_LOG_MAX = 100_000
# Request targets kept for /_sim/requests: a 3M-model night is ~3,100 requests.
TARGET_LOG_MAX = 100_000


class RateLimiter:
    """N requests per fixed window of W seconds, per client (token, else IP)."""

    def __init__(self, budget: int, window: int, clock=time.time) -> None:
        if budget < 1 or window < 1:
            raise ValueError("rate limit must be N/SECONDS with N, SECONDS >= 1")
        self.budget, self.window = budget, window
        self.clock = clock
        self.lock = threading.Lock()
        self.windows: dict[str, tuple[int, int]] = {}   # client -> (window index, used)
        self.retry_at: dict[str, float] = {}            # client -> when its last Retry-After ends

    @classmethod
    def parse(cls, spec: str) -> "RateLimiter":
        n, _, w = spec.partition("/")
        return cls(int(n), int(w or 300))

    @property
    def policy(self) -> str:
        return f'"fixed window";"api";q={self.budget};w={self.window}'

    def hit(self, client: str) -> tuple[bool, int, int, bool]:
        """Count one request: (allowed, remaining, seconds to reset, early) where early means
        the client came back before the Retry-After of its last 429 had elapsed."""
        now = self.clock()
        index = int(now // self.window)
        reset = max(1, math.ceil((index + 1) * self.window - now))
        with self.lock:
            early = now < self.retry_at.get(client, 0.0) - 0.05   # 50 ms for clock jitter
            w, used = self.windows.get(client, (index, 0))
            if w != index:
                used = 0
            if used >= self.budget:
                self.windows[client] = (index, used)
                self.retry_at[client] = now + reset
                return False, 0, reset, early
            used += 1
            self.windows[client] = (index, used)
        return True, self.budget - used, reset, early


class FaultInjector:
    """Seeded, deterministic sequence of faults: one draw per /api request. `cutalways:p` is
    the exception: a share p of list-page URLs (by a seeded hash of the query) are cut on
    every request, so no retry helps."""

    def __init__(self, spec: str | None, seed: int = 0) -> None:
        self.table: list[tuple[str, float, float]] = []   # kind, probability, argument
        self.seed = seed
        self.cut_share = 0.0
        for part in (spec or "").split(","):
            part = part.strip()
            if not part:
                continue
            kind, _, rest = part.partition(":")
            prob, _, arg = rest.partition("@")
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault kind {kind!r} (known: {', '.join(FAULT_KINDS)})")
            if kind in URL_FAULTS:
                self.cut_share = float(prob)
                continue
            self.table.append((kind, float(prob), float(arg) if arg else 2.0))
        if sum(p for _, p, _ in self.table) > 1.0:
            raise ValueError("fault probabilities add up to more than 1")
        self.rng = random.Random(seed)
        self.lock = threading.Lock()

    def draw(self) -> tuple[str | None, float]:
        if not self.table:
            return None, 0.0
        with self.lock:
            x = self.rng.random()
        acc = 0.0
        for kind, prob, arg in self.table:
            acc += prob
            if x < acc:
                return kind, arg
        return None, 0.0

    def cut_point(self, length: int) -> int:
        """Where a truncated body ends: somewhere inside, never the whole body."""
        with self.lock:
            return max(1, min(length - 1, int(length * (0.1 + 0.8 * self.rng.random()))))

    def pick(self, n: int) -> int:
        """Which record of a response of n a record fault corrupts."""
        with self.lock:
            return int(self.rng.random() * n) if n else 0

    def coin(self) -> bool:
        with self.lock:
            return self.rng.random() < 0.5

    def _url_fraction(self, query: tuple, salt: bytes) -> float:
        digest = hashlib.blake2b(repr((self.seed, query)).encode() + salt, digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2**64

    def always_cut(self, query: tuple) -> bool:
        """Is this list page (its query, in any parameter order) one that is cut every time?"""
        return self.cut_share > 0 and self._url_fraction(tuple(sorted(query)), b"cut") < self.cut_share

    def fixed_cut_point(self, query: tuple, length: int) -> int:
        """The same cut for every request of that page: 10-90% into the body."""
        share = 0.1 + 0.8 * self._url_fraction(tuple(sorted(query)), b"where")
        return max(1, min(length - 1, int(length * share)))


class _Entry:
    FIELDS = ("requests", "pages", "records", "bytes", "429", "early_after_429")

    def __init__(self, lock) -> None:
        self.lock = lock
        self.values = dict.fromkeys(self.FIELDS, 0)
        self.faults = dict.fromkeys(FAULT_KINDS, 0)

    def count(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.values[name] += n

    def fault(self, kind: str) -> None:
        with self.lock:
            self.faults[kind] += 1


class Stats:
    """Request log by (path kind, sorted expand set): what the crawler asked for; every record a
    fault corrupted (kind, model id, request kind), so a test can account for each; and the
    request targets in order (bounded), so a benchmark's floor can replay exactly the requests a
    contender made."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[tuple, _Entry] = {}
        self.injected: list[dict] = []
        self.targets: list[str] = []
        self.targets_dropped = 0

    def record_target(self, target: str) -> None:
        with self.lock:
            if len(self.targets) < TARGET_LOG_MAX:
                self.targets.append(target)
            else:
                self.targets_dropped += 1

    def requested(self) -> dict:
        with self.lock:
            return {"targets": list(self.targets), "dropped": self.targets_dropped}

    def record_fault(self, kind: str, model_id: str, request: str) -> None:
        with self.lock:
            if len(self.injected) < INJECTED_LOG_MAX:
                self.injected.append({"kind": kind, "model_id": model_id, "request": request})

    def entry(self, kind: str, expand: list[str]) -> _Entry:
        key = (kind, tuple(expand))
        with self.lock:
            e = self.entries.get(key)
            if e is None:
                e = self.entries[key] = _Entry(self.lock)
            return e

    def reset(self) -> None:
        with self.lock:
            self.entries = {}
            self.injected = []
            self.targets = []
            self.targets_dropped = 0

    def snapshot(self) -> dict:
        with self.lock:
            totals = dict.fromkeys(_Entry.FIELDS, 0)
            faults = dict.fromkeys(FAULT_KINDS, 0)
            by = []
            for (kind, expand), e in sorted(self.entries.items()):
                for k, v in e.values.items():
                    totals[k] += v
                for k, v in e.faults.items():
                    faults[k] += v
                by.append({"kind": kind, "expand": list(expand), **e.values, "faults": dict(e.faults)})
            return {"totals": {**totals, "faults": faults}, "by_request": by, "injected": list(self.injected)}
