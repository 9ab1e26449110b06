"""What datasets and Spaces share (hubsim.datasets, hubsim.spaces): numpy columns one slot per
repository in creation order, day D = day 1 plus nights 2..D (each from its own seeded stream),
ids `author/<words>-<slot in base 36>`, and the keyset order of a listing.

Models keep their own code (hubsim.universe): the two tables below never touch it.
"""

from __future__ import annotations

import numpy as np

from hubsim import catalog, clock

GROWTH_PER_DAY = 0.0025       # the same creation curve as models (doubling ~9 months)
PUBLISHED_PER_NEW = 0.02      # made public tonight, created as private 2-60 days ago


def b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def creation_times(rng, n: int, end: int) -> np.ndarray:
    """n creation times (epoch seconds, sorted, not yet floored) on the exponential curve of
    the Hub's growth from 2020-01-01 to `end`."""
    span = end - clock.HISTORY_START_TS
    k = GROWTH_PER_DAY / clock.DAY_SECONDS
    u = rng.random(n)
    t = span + np.log(u * (1 - np.exp(-k * span)) + np.exp(-k * span)) / k
    return np.sort(clock.HISTORY_START_TS + np.clip(t, 0, span - 1).astype(np.int64))


def user_authors(rng, n: int, n_models: int) -> np.ndarray:
    """Personal owners, drawn like the models' owners (the same people publish models,
    datasets and Spaces): author indices into Universe.author_name."""
    return (np.floor(np.power(rng.random(n), 2.2) * max(40, n_models // 5)).astype(np.int32)
            + len(catalog.ORG_AUTHORS))


def new_count(seed: int, d: int, n_base: int, stream: int) -> int:
    if n_base == 0:
        return 0
    return int(np.random.default_rng([seed, d, stream]).poisson(n_base * GROWTH_PER_DAY))


class RepoTable:
    """Columns of one repository type. Subclasses define COLUMNS, KIND, SORT_KEYS, `_day1`,
    `_night`, `_finish` and `synthetic_id`."""

    COLUMNS: dict = {}
    KIND = ""
    SORT_KEYS: tuple = ()

    def __init__(self, u, n_base: int) -> None:
        self.u = u
        self.n_base = int(n_base)
        self._ids: dict[int, str] = {}

    def allocate(self, n: int) -> None:
        self.n = n
        self.c = {name: np.full(n, default, dtype=dtype) for name, (dtype, default) in self.COLUMNS.items()}

    def alive_at(self, d: int, upto: int | None = None) -> np.ndarray:
        upto = self.n if upto is None else upto
        born, died = self.c["born"][:upto], self.c["died"][:upto]
        return (born <= d) & ((died == 0) | (died > d))

    # ------------------------------------------------------------------ identity
    def repo_id(self, slot: int) -> str:
        cached = self._ids.get(slot)
        if cached is None:
            if len(self._ids) > 500_000:
                self._ids.clear()
            cached = self._ids[slot] = self.synthetic_id(slot)
        return cached

    def any_slot(self, repo_id: str) -> int | None:
        """Slot of an id (alive or not), or None."""
        special = self.special_ids().get(repo_id)
        if special is not None:
            return special
        if "/" not in repo_id or "-" not in repo_id:
            return None
        try:
            slot = int(repo_id.rsplit("-", 1)[1], 36)
        except ValueError:
            return None
        if slot >= self.n or self.repo_id(slot) != repo_id:
            return None
        return slot

    def slot_of(self, repo_id: str) -> int | None:
        """Slot of an id listed on day D, or None (unknown or deleted)."""
        slot = self.any_slot(repo_id)
        if slot is None or not self.alive[slot]:
            return None
        return slot

    def special_ids(self) -> dict:
        return {}

    def oid(self, slot: int) -> str:
        return f"{int(self.c['created'][slot]):08x}{int(self.c['oid_rand'][slot]):016x}"

    # ------------------------------------------------------------------ listing order
    def sort_key(self, sort: str) -> np.ndarray:
        raise NotImplementedError

    def listing_order(self, sort: str):
        """Alive slots descending by (sort key, _id): (order, key, oid_ts, oid_rand)."""
        def build():
            key = self.sort_key(sort).astype(np.int64)
            ts, rnd = self.c["created"].astype(np.int64), self.c["oid_rand"]
            alive = np.flatnonzero(self.alive)
            order = alive[np.lexsort((rnd[alive], ts[alive], key[alive]))[::-1]]
            return order, key[order], ts[order], rnd[order]
        return self.u.cached((self.KIND, "order", sort), build)

    def day_counts(self, base30: np.ndarray, seed_stream: int) -> None:
        """Day-D counts that move every night, as for models."""
        u, c = self.u, self.c
        nights = (u.day - c["born"]).astype(np.int64)
        noise = np.random.default_rng([u.seed, u.day, seed_stream]).uniform(0.8, 1.25, self.n)
        self.dl30_now = np.floor(base30 * noise).astype(np.int64)
        self.dl_all_now = c["dl_all"] + (base30 * nights) // 30 if "dl_all" in c else None
        self.likes_now = (c["likes"] + (base30 * nights) // 20_000).astype(np.int64)
        week = clock.day_start_ts(u.start_date, u.day) - 7 * clock.DAY_SECONDS
        self.trending_now = (self.dl30_now // 5_000 + np.where(c["created"] >= week, c["likes"], 0)).astype(np.int64)
