"""The simulated Hub: a deterministic universe of models held as numpy columns.

Slots 0..n_syn-1 are synthetic models in creation order (so a parent's slot is always
smaller than its child's, which makes the lineage a DAG by construction); slots n_syn..
are the real records of `--real`, served verbatim. Day D = day 1 plus nights 2..D, each
night drawn from its own seeded stream, so building any day is cheap and repeatable.
Records are rendered lazily per page (hubsim.render); nothing is serialised up front.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from hubsim import catalog, clock, longtail
from hubsim.hostile import Hostile, resolve_hostile
from hubsim.realdata import RealRecords

NEW_PER_DAY = 0.0025        # new models per night, as a share of --models
DELETE_PER_DAY = 0.0005     # share of alive synthetic models deleted per night
MODIFY_PER_DAY = 0.01       # share of alive synthetic models modified per night
# Share of a night's new models that were created earlier as private repos and made public
# tonight (organisations prepare releases in private): their createdAt and lastModified lie
# days or weeks back, so a listing by lastModified that stops at last night's watermark
# never reaches them; only the sweep of every model does.
PUBLISHED_PER_NEW = 0.02
GROWTH_PER_DAY = 0.0025     # exponential growth rate of the creation curve (doubling ~9 months)
RELATION_SHARES = [0.50, 0.28, 0.18, 0.04]   # finetune > adapter > quantized > merge
SORT_KEYS = ("createdAt", "lastModified", "downloads", "likes", "trendingScore")

PIPELINES = sorted({f["pipeline"] for f in catalog.FAMILIES if f["pipeline"]})
LIBRARIES = sorted({f["library"] for f in catalog.FAMILIES if f["library"]} | {"peft", "gguf", "mlx"})
LIB_INDEX = {name: i for i, name in enumerate(LIBRARIES)}
PIPE_INDEX = {name: i for i, name in enumerate(PIPELINES)}
FAMILY_WEIGHTS = np.array([f["w"] for f in catalog.FAMILIES]) / sum(f["w"] for f in catalog.FAMILIES)
LICENSE_WEIGHTS = np.array([w for _, _, w in catalog.LICENSES]) / sum(w for _, _, w in catalog.LICENSES)
LANG_WEIGHTS = np.array(catalog.LANG_WEIGHTS) / sum(catalog.LANG_WEIGHTS)


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


COLUMNS = {  # name -> dtype, default
    "created": (np.int64, 0), "lastmod": (np.int64, 0), "oid_rand": (np.uint64, 0),
    "born": (np.int16, 1), "died": (np.int16, 0),
    "dl30": (np.int64, 0), "dl_all": (np.int64, 0), "likes": (np.int32, 0),
    "author": (np.int32, 0), "family": (np.int8, 0), "stem": (np.int8, 0), "word": (np.int8, -1),
    "suffix": (np.int8, 0), "legacy": (np.int8, -1),
    "parent1": (np.int32, -1), "parent2": (np.int32, -1), "parent3": (np.int32, -1),
    "relation": (np.int8, -1), "ext": (np.int8, -1), "selfref": (np.bool_, False),
    "lic": (np.int8, 0), "lic_list": (np.bool_, False), "gated": (np.int8, 0),
    "pipeline": (np.int8, -1), "library": (np.int8, -1),
    "lang1": (np.int8, -1), "lang2": (np.int8, -1), "ds1": (np.int8, -1), "ds2": (np.int8, -1),
    "params": (np.int64, 0), "dtype": (np.int8, 0), "has_st": (np.bool_, False),
    "nspaces": (np.int8, 0), "mods": (np.int16, 0),
}


class Universe:
    """Day D of a seeded universe. Build with Universe.build(...)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._build_lock = threading.RLock()   # builds may nest (filtered order -> listing order)
        self._cache: OrderedDict = OrderedDict()   # derived per-day structures (orders, filters)
        self._ids: dict[int, str] = {}               # slot -> id (ids never change for a slot)

    # ------------------------------------------------------------------ construction
    @classmethod
    def build(cls, models: int = 2000, seed: int = 1, day: int = 1,
              start_date: dt.date = clock.DEFAULT_START_DATE, real_path: str | Path | None = None,
              real_scale: int | None = None, hostile=(), long_tail: bool = True,
              _real: RealRecords | None = None) -> "Universe":
        """Day `day` of the universe of `models` synthetic models (seeded), plus the records of
        `real_path` (cloned up to `real_scale` records when given), `hostile` records
        (hubsim.hostile.Hostile, served verbatim on their days) and, unless `long_tail` is
        False, a few synthetic records with 10k-100k files or multi-MB cards (hubsim.longtail)."""
        if day < 1:
            raise ValueError("day starts at 1")
        u = cls()
        u.n_base, u.seed, u.day, u.start_date = int(models), int(seed), int(day), start_date
        u.real_path, u.real_scale = real_path, real_scale
        if real_scale is not None and not real_path:
            raise ValueError("real_scale needs real_path")
        u.hostile_spec = tuple(hostile or ())
        u.long_tail = bool(long_tail)
        if _real is not None:
            u.real = _real
        else:
            u.real = RealRecords.load(real_path, real_scale) if real_path else RealRecords.empty()
        counts = [u._new_count(d) for d in range(2, day + 1)]
        u.n_syn = u.n_base + sum(counts)
        u.c = {name: np.full(u.n_syn, default, dtype=dtype) for name, (dtype, default) in COLUMNS.items()}
        u._generate_day1()
        lo = u.n_base
        for d, count in zip(range(2, day + 1), counts):
            u._apply_night(d, lo, lo + count)
            lo += count
        u._finish_day()
        u._check_real_ids()
        u.heavy_files, u.heavy_cards = longtail.choose(u) if u.long_tail else ({}, {})
        u.hostile = resolve_hostile(u, u.hostile_spec)
        return u

    def at_day(self, day: int) -> "Universe":
        """The same universe on another day (real records are reused, not reloaded)."""
        return Universe.build(models=self.n_base, seed=self.seed, day=day, start_date=self.start_date,
                              real_path=self.real_path, real_scale=self.real_scale, hostile=self.hostile_spec,
                              long_tail=self.long_tail, _real=self.real)

    def _new_count(self, d: int) -> int:
        if self.n_base == 0:
            return 0
        return int(np.random.default_rng([self.seed, d, 0]).poisson(self.n_base * NEW_PER_DAY))

    def _generate_day1(self) -> None:
        n = self.n_base
        if n == 0:
            return
        rng = np.random.default_rng([self.seed, 1, 1])
        c = self.c
        end = clock.day_start_ts(self.start_date, 1) + clock.DAY_SECONDS
        span = end - clock.HISTORY_START_TS
        k = GROWTH_PER_DAY / clock.DAY_SECONDS
        u = rng.random(n)
        t = span + np.log(u * (1 - np.exp(-k * span)) + np.exp(-k * span)) / k
        real_created = np.sort(clock.HISTORY_START_TS + np.clip(t, 0, span - 1).astype(np.int64))
        c["created"][:n] = np.maximum(real_created, clock.CREATED_FLOOR_TS)
        age = (end - real_created) / clock.DAY_SECONDS
        legacy = min(len(catalog.LEGACY_IDS), n // 200)
        c["legacy"][:legacy] = np.arange(legacy)
        self._popularity(rng, 0, n, age)
        c["dl_all"][:legacy] = np.maximum(c["dl_all"][:legacy], 150_000_000 + np.arange(legacy) * 37_000_000)
        c["dl30"][:legacy] = np.maximum(c["dl30"][:legacy], 4_000_000)
        self._fix_top_all_time(n)
        year2023 = int(dt.datetime(2023, 1, 1, tzinfo=clock.UTC).timestamp())
        p_parent = np.where(real_created < year2023, 0.08, 0.45)
        p_parent[:legacy] = 0.0
        self._lineage(rng, 0, n, p_parent, prefix=True)
        self._attributes(rng, 0, n, prefix=True)
        c["lic"][:legacy] = catalog.LICENSE_INDEX["apache-2.0"]
        c["gated"][:legacy] = 0
        lastmod_delta = rng.integers(0, 90 * clock.DAY_SECONDS, n)
        lastmod = np.maximum(c["created"][:n], real_created + lastmod_delta)
        # A recent model's last commit falls somewhere between its creation and now, not on the
        # universe's last second (clamping there piled ~10% of the Hub onto one instant, which
        # every incremental refresh then had to re-read).
        late = lastmod >= end
        lastmod[late] = c["created"][:n][late] + lastmod_delta[late] % np.maximum(1, end - c["created"][:n][late])
        c["lastmod"][:n] = lastmod
        c["oid_rand"][:n] = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64)

    def _popularity(self, rng, lo: int, hi: int, age_days) -> None:
        """Heavy-tailed 30-day and all-time downloads (Osborne et al. 2024: >70% zero)."""
        n = hi - lo
        c = self.c
        nonzero = rng.random(n) >= 0.74
        raw = np.floor((rng.pareto(0.62, n) + 1.0) * 1.5)
        dl30 = np.where(nonzero, np.minimum(raw, 90_000_000), 0).astype(np.int64)
        months = np.maximum(np.asarray(age_days, dtype=np.float64) / 30.0, 1.0)
        history = dl30 * np.power(months, 0.9) * rng.lognormal(0.0, 0.5, n)
        stale = rng.random(n) < 0.35   # old downloads even when nobody downloads it now
        all_time = np.floor(history + np.where(stale, rng.integers(1, 60, n), 0))
        all_time = np.maximum(all_time.astype(np.int64), np.ceil(dl30 * 1.25).astype(np.int64))
        c["dl30"][lo:hi] = dl30
        c["dl_all"][lo:hi] = all_time
        c["likes"][lo:hi] = np.floor(np.power(dl30, 0.45) * rng.random(n) * 0.8).astype(np.int32)
        c["nspaces"][lo:hi] = np.clip(np.floor(np.log10(all_time + 1)) - 4, 0, 8).astype(np.int8)

    def _fix_top_all_time(self, n: int) -> None:
        """Exactly max(3, ~65 per 2M) models reach 100M all-time downloads on day 1."""
        c = self.c
        k = min(n, max(3, round(65 * n / 2_000_000)))
        order = np.argsort(-c["dl_all"][:n], kind="stable")
        top, rest = order[:k], order[k:]
        c["dl_all"][top] = np.maximum(c["dl_all"][top], 100_000_000 + (top % 997) * 1_000_003)
        c["dl_all"][rest] = np.minimum(c["dl_all"][rest], 97_000_000)
        c["dl30"][:n] = np.minimum(c["dl30"][:n], (c["dl_all"][:n] / 1.25).astype(np.int64))

    def _lineage(self, rng, lo: int, hi: int, p_parent, prefix: bool, alive=None) -> None:
        """Parents by preferential attachment to popular models (cumulative weights)."""
        c = self.c
        n = hi - lo
        weights = np.power(c["dl_all"][:hi].astype(np.float64) + 1.0, 0.5)
        if alive is not None:
            weights[:lo] *= alive[:lo]
        weights[lo:hi] *= 1.0 if prefix else 0.0
        cum = np.cumsum(weights)
        limit = np.arange(lo, hi) if prefix else np.full(n, lo)
        has = (rng.random(n) < p_parent) & (limit > 0)
        relation = rng.choice(4, size=n, p=RELATION_SHARES).astype(np.int8)

        def pick():
            total = cum[np.maximum(limit - 1, 0)]
            x = rng.random(n) * total
            return np.minimum(np.searchsorted(cum, x, side="right"), np.maximum(limit - 1, 0)).astype(np.int32)

        p1, p2, p3 = pick(), pick(), pick()
        merge = has & (relation == 3)
        p2 = np.where(merge & (p2 != p1), p2, -1)
        p3 = np.where(merge & (rng.random(n) < 0.4) & (p3 != p1) & (p3 != p2), p3, -1)
        external = has & (rng.random(n) < 0.015)
        c["parent1"][lo:hi] = np.where(has & ~external, p1, -1)
        c["parent2"][lo:hi] = np.where(external, -1, p2)
        c["parent3"][lo:hi] = np.where(external, -1, p3)
        c["relation"][lo:hi] = np.where(has & ~external, relation, -1)
        c["ext"][lo:hi] = np.where(external, rng.integers(0, len(catalog.EXTERNAL_PARENTS), n), -1)
        c["selfref"][lo:hi] = ~has & (rng.random(n) < 0.001)

    def _attributes(self, rng, lo: int, hi: int, prefix: bool) -> None:
        """Family, license, gating, task... Roots draw fresh; derivatives inherit (by depth)."""
        c = self.c
        idx = np.arange(lo, hi)
        parent = c["parent1"][lo:hi]
        in_batch = (parent >= lo) & prefix
        level = np.zeros(hi - lo, dtype=np.int32)
        while True:   # converges: a parent's slot is smaller than its child's
            new = np.where(in_batch, level[np.clip(parent - lo, 0, None)] + 1, 0)
            if np.array_equal(new, level):
                break
            level = new
        for lv in range(int(level.max()) + 1 if len(level) else 0):
            self._assign(rng, idx[level == lv])

    def _assign(self, rng, idx: np.ndarray) -> None:
        c = self.c
        n = len(idx)
        if n == 0:
            return
        parent = c["parent1"][idx]
        has = parent >= 0
        pp = np.where(has, parent, 0)
        rel = c["relation"][idx]
        # family and name stem
        fam_fresh = rng.choice(len(catalog.FAMILIES), size=n, p=FAMILY_WEIGHTS).astype(np.int8)
        fam = np.where(has, c["family"][pp], fam_fresh)
        legacy = c["legacy"][idx]
        legacy_fam = np.array([f for _, f in catalog.LEGACY_IDS])[np.clip(legacy, 0, None)]
        fam = np.where(legacy >= 0, legacy_fam, fam).astype(np.int8)
        nstems = np.array([len(f["stems"]) for f in catalog.FAMILIES])[fam]
        stem = np.where(has, c["stem"][pp], rng.integers(0, 1 << 30, n) % nstems).astype(np.int8)
        c["family"][idx], c["stem"][idx] = fam, stem
        c["word"][idx] = np.where(rng.random(n) < 0.6, rng.integers(0, len(catalog.TASK_WORDS), n), -1)
        c["suffix"][idx] = rng.integers(0, 4, n)
        # license: family default or the generic mix for roots; inherit with drift
        generic = rng.choice(len(catalog.LICENSES), size=n, p=LICENSE_WEIGHTS)
        fam_lic = np.array([catalog.LICENSE_INDEX[f["lics"][0]] if f["lics"] else 0 for f in catalog.FAMILIES])
        fam_lic_alt = np.array([catalog.LICENSE_INDEX[f["lics"][-1]] if f["lics"] else 0 for f in catalog.FAMILIES])
        family_choice = np.where(rng.random(n) < 0.6, fam_lic[fam], fam_lic_alt[fam])
        root_lic = np.where((generic != 0) & (rng.random(n) < 0.45), family_choice, generic)
        r = rng.random(n)
        child_lic = np.where(r < 0.70, c["lic"][pp], np.where(r < 0.82, 0, generic))
        lic = np.where(has, child_lic, root_lic).astype(np.int8)
        c["lic"][idx] = lic
        c["lic_list"][idx] = (lic != 0) & (rng.random(n) < 0.006)
        # gated: concentrated among popular models under llama/gemma licenses
        restricted = np.isin(lic, [catalog.LICENSE_INDEX[x] for x in catalog.RESTRICTED_GATE_LICENSES])
        popular = c["dl_all"][idx] >= 50_000
        g = rng.random(n)
        gated = np.where(restricted & popular & ~has, np.where(g < 0.55, 2, np.where(g < 0.7, 1, 0)),
                         np.where(g < 0.010, 1, np.where(g < 0.013, 2, 0)))
        gated = np.where(restricted & has & (g > 0.96), 2, gated)
        c["gated"][idx] = gated
        # task and library
        fam_pipe = np.array([PIPE_INDEX[f["pipeline"]] if f["pipeline"] else -1 for f in catalog.FAMILIES])
        fam_lib = np.array([LIB_INDEX[f["library"]] if f["library"] else -1 for f in catalog.FAMILIES])
        pipe = np.where(rng.random(n) < 0.82, fam_pipe[fam], -1)
        lib = np.where(rng.random(n) < 0.85, fam_lib[fam], -1)
        lib = np.where(has & (rel == 1), LIB_INDEX["peft"], lib)
        quant = has & (rel == 2)
        lib = np.where(quant, np.where(rng.random(n) < 0.8, LIB_INDEX["gguf"], LIB_INDEX["mlx"]), lib)
        c["pipeline"][idx], c["library"][idx] = pipe, lib
        # languages (incl. low-resource ones) and datasets
        nl = rng.random(n)
        langs = rng.choice(len(catalog.LANGUAGES), size=(2, n), p=LANG_WEIGHTS)
        c["lang1"][idx] = np.where(nl < 0.55, -1, langs[0])
        c["lang2"][idx] = np.where((nl > 0.9) & (langs[1] != langs[0]), langs[1], -1)
        nd = rng.random(n)
        dsets = rng.integers(0, len(catalog.DATASETS), size=(2, n))
        c["ds1"][idx] = np.where(nd < 0.7, -1, dsets[0])
        c["ds2"][idx] = np.where((nd > 0.93) & (dsets[1] != dsets[0]), dsets[1], -1)
        # size: safetensors parameters for about half of the models that have weights
        choices = [f["params"] or [0] for f in catalog.FAMILIES]
        pick = rng.integers(0, 1 << 30, n)
        params = np.array([choices[f][p % len(choices[f])] for f, p in zip(fam.tolist(), pick.tolist())],
                          dtype=np.int64)
        params = np.where(has & (rel == 1), 4_194_304 * (1 + pick % 40), params)
        c["params"][idx] = params
        c["has_st"][idx] = (params > 0) & (rng.random(n) < 0.62) & ~quant
        c["dtype"][idx] = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
        author = np.floor(np.power(rng.random(n), 2.2) * max(40, self.n_base // 5)).astype(np.int32)
        org = (c["dl_all"][idx] > 1_000_000) & (rng.random(n) < 0.7)
        c["author"][idx] = np.where(org, rng.integers(0, len(catalog.ORG_AUTHORS), n), author)

    # ------------------------------------------------------------------ nights
    def _apply_night(self, d: int, lo: int, hi: int) -> None:
        """Night d: deletions, modifications of alive models, then the day's new models."""
        c = self.c
        rng = np.random.default_rng([self.seed, d, 1])
        alive = self._alive_at(d - 1, lo)
        alive_idx = np.flatnonzero(alive)
        day0 = clock.day_start_ts(self.start_date, d)
        # deletions (not the legacy canonical repos)
        n_del = int(rng.binomial(len(alive_idx), DELETE_PER_DAY)) if len(alive_idx) else 0
        victims = rng.choice(alive_idx, size=n_del, replace=False) if n_del else alive_idx[:0]
        victims = victims[c["legacy"][victims] < 0]
        c["died"][victims] = d
        alive[victims] = False
        alive_idx = np.flatnonzero(alive)
        # modifications
        n_mod = int(rng.binomial(len(alive_idx), MODIFY_PER_DAY)) if len(alive_idx) else 0
        mods = np.sort(rng.choice(alive_idx, size=n_mod, replace=False)) if n_mod else alive_idx[:0]
        c["lastmod"][mods] = day0 + rng.integers(0, clock.DAY_SECONDS, n_mod)
        c["mods"][mods] += 1
        kind = rng.random(n_mod)
        lic_new = rng.choice(len(catalog.LICENSES), size=n_mod, p=LICENSE_WEIGHTS).astype(np.int8)
        m = mods[kind < 0.12]
        c["lic"][m] = lic_new[kind < 0.12]
        c["lic_list"][m] = False
        m = mods[(kind >= 0.12) & (kind < 0.17)]
        c["gated"][m] = np.where(c["gated"][m] == 0, 1 + (m % 2), 0)
        m = mods[(kind >= 0.17) & (kind < 0.21)]
        m = m[(c["relation"][m] >= 0) & (c["relation"][m] != 3) & (m > 0)]
        if len(m):
            cand = (rng.random(len(m)) * m).astype(np.int32)   # an older model becomes the base
            c["parent1"][m] = cand
        m = mods[(kind >= 0.21) & (kind < 0.26)]
        c["pipeline"][m] = rng.integers(-1, len(PIPELINES), len(m))
        m = mods[(kind >= 0.26) & (kind < 0.29)]
        c["library"][m] = rng.integers(-1, len(LIBRARIES), len(m))
        m = mods[kind >= 0.29]   # card-only edits: a dataset gets declared
        c["ds1"][m] = rng.integers(0, len(catalog.DATASETS), len(m))
        # the day's new models
        if hi > lo:
            n = hi - lo
            created = np.sort(day0 + rng.integers(0, clock.DAY_SECONDS, n))
            c["created"][lo:hi] = created
            c["lastmod"][lo:hi] = np.minimum(created + rng.integers(0, 3600, n), day0 + clock.DAY_SECONDS - 1)
            c["born"][lo:hi] = d
            c["oid_rand"][lo:hi] = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64)
            self._popularity(rng, lo, hi, np.ones(n))
            c["dl_all"][lo:hi] = np.minimum(c["dl_all"][lo:hi], 97_000_000)
            c["dl30"][lo:hi] = np.minimum(c["dl30"][lo:hi], 1_000)
            c["likes"][lo:hi] = np.minimum(c["likes"][lo:hi], 20)
            alive_all = np.zeros(hi, dtype=bool)
            alive_all[:lo] = alive
            self._lineage(rng, lo, hi, np.full(n, 0.45), prefix=False, alive=alive_all)
            self._attributes(rng, lo, hi, prefix=False)
            # Made public tonight, created 2-60 days ago (its own stream: the draws above keep
            # their values).
            rng_published = np.random.default_rng([self.seed, d, 2])
            published = lo + np.flatnonzero(rng_published.random(n) < PUBLISHED_PER_NEW)
            k = len(published)
            c["created"][published] = day0 - rng_published.integers(2 * clock.DAY_SECONDS, 60 * clock.DAY_SECONDS, k)
            c["lastmod"][published] = c["created"][published] + rng_published.integers(0, 3600, k)

    def _alive_at(self, d: int, upto: int) -> np.ndarray:
        c = self.c
        born, died = c["born"][:upto], c["died"][:upto]
        return (born <= d) & ((died == 0) | (died > d))

    def _finish_day(self) -> None:
        """Day-D counts (downloads move every night, deterministically) and sort columns."""
        c, D = self.c, self.day
        n = self.n_syn
        self.alive_syn = self._alive_at(D, n)
        nights = (D - c["born"]).astype(np.int64)
        noise = np.random.default_rng([self.seed, D, 2]).uniform(0.8, 1.25, n)
        base30 = c["dl30"]
        self.dl30_now = np.floor(base30 * noise).astype(np.int64)
        self.dl_all_now = c["dl_all"] + (base30 * nights) // 30
        self.likes_now = (c["likes"] + (base30 * nights) // 20_000).astype(np.int64)
        week = clock.day_start_ts(self.start_date, D) - 7 * clock.DAY_SECONDS
        self.trending_now = (self.dl30_now // 5_000 + np.where(c["created"] >= week, c["likes"], 0)).astype(np.int64)
        self.snapshot_date = clock.day_date(self.start_date, D)

    def _check_real_ids(self) -> None:
        if self.n_syn == 0:
            return
        for rid in self.real.ids:
            slot = self.synthetic_slot(rid)
            if slot is not None:
                raise ValueError(f"real id {rid!r} collides with a synthetic id")

    # ------------------------------------------------------------------ identity
    @property
    def n_slots(self) -> int:
        return self.n_syn + len(self.real)

    def author_name(self, a: int) -> str:
        if a < len(catalog.ORG_AUTHORS):
            return catalog.ORG_AUTHORS[a]
        a -= len(catalog.ORG_AUTHORS)
        name = catalog.NAME_A[a % 20] + "-" + catalog.NAME_B[(a // 20) % 20]
        return name + (str(a // 400) if a >= 400 else "")

    def model_id(self, slot: int) -> str:
        if slot >= self.n_syn:
            return self.real.ids[slot - self.n_syn]
        cached = self._ids.get(slot)
        if cached is None:
            if len(self._ids) > 500_000:   # bounded: popular parents stay hot anyway
                self._ids.clear()
            cached = self._ids[slot] = self._synthetic_id(slot)
        return cached

    def _synthetic_id(self, slot: int) -> str:
        c = self.c
        return self.compose_id(slot, int(c["legacy"][slot]), int(c["family"][slot]), int(c["stem"][slot]),
                               int(c["word"][slot]), int(c["relation"][slot]), int(c["suffix"][slot]),
                               int(c["author"][slot]))

    def compose_id(self, slot: int, legacy: int, family: int, stem: int, word: int, relation: int,
                   suffix: int, author: int) -> str:
        """The id of a synthetic slot from its (never modified) naming columns."""
        if legacy >= 0:
            return catalog.LEGACY_IDS[legacy][0]
        name = catalog.FAMILIES[family]["stems"][stem]
        if word >= 0:
            name += "-" + catalog.TASK_WORDS[word]
        if relation >= 0:
            sfx = catalog.RELATION_SUFFIX[relation]
            name += "-" + sfx[suffix % len(sfx)]
        return f"{self.author_name(author)}/{name}-{_b36(slot)}"

    def synthetic_slot(self, model_id: str) -> int | None:
        """Slot of a synthetic id (alive or not), or None."""
        for j, (legacy_id, _) in enumerate(catalog.LEGACY_IDS):
            if model_id == legacy_id:
                hits = np.flatnonzero(self.c["legacy"] == j)
                return int(hits[0]) if len(hits) else None
        if "/" not in model_id or "-" not in model_id:
            return None
        tail = model_id.rsplit("-", 1)[1]
        try:
            slot = int(tail, 36)
        except ValueError:
            return None
        if slot >= self.n_syn or self.model_id(slot) != model_id:
            return None
        return slot

    def slot_of(self, model_id: str) -> int | None:
        """Slot of an id listed on day D, or None (unknown or deleted)."""
        r = self.real.index.get(model_id)
        if r is not None:
            return self.n_syn + r
        slot = self.synthetic_slot(model_id)
        if slot is None or not self.alive_syn[slot]:
            return None
        return slot

    def oid(self, slot: int) -> str:
        if slot >= self.n_syn:
            return self.real.records[slot - self.n_syn]["_id"]   # a clone's dict is cheap to build
        return f"{int(self.c['created'][slot]):08x}{int(self.c['oid_rand'][slot]):016x}"

    # ------------------------------------------------------------------ derived, cached
    def cached(self, key, build):
        """Memoise a derived structure; one build at a time (concurrent first pages of a
        3M universe would otherwise each sort it)."""
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        with self._build_lock:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            value = build()
            with self._lock:
                self._cache[key] = value
                while len(self._cache) > 24:
                    self._cache.popitem(last=False)
            return value

    def sort_columns(self, sort: str):
        """(key, oid_ts, oid_rand) for every slot, the keyset of the listing order."""
        c, real = self.c, self.real
        syn_key = {
            "createdAt": c["created"], "lastModified": c["lastmod"], "downloads": self.dl30_now,
            "likes": self.likes_now, "trendingScore": self.trending_now,
        }[sort]
        key = np.concatenate([syn_key.astype(np.int64), real.key(sort)])
        ts = np.concatenate([c["created"].astype(np.int64), real.oid_ts])
        rnd = np.concatenate([c["oid_rand"], real.oid_rand])
        # A hostile value the Hub stores (a lastModified in year 9999) is also where the Hub
        # sorts the record: first in a listing by lastModified.
        for slot, key_value in self.hostile.sort_overrides(sort).items():
            key[slot] = key_value
        return key, ts, rnd

    def listing_order(self, sort: str):
        """Alive slots sorted descending by (sort key, _id), with the keyset columns in that
        order: (order, key, oid_ts, oid_rand)."""
        def build():
            key, ts, rnd = self.sort_columns(sort)
            alive = np.flatnonzero(self.alive_mask())
            order = alive[np.lexsort((rnd[alive], ts[alive], key[alive]))[::-1]]
            return order, key[order], ts[order], rnd[order]
        return self.cached(("order", sort), build)

    def alive_mask(self) -> np.ndarray:
        return np.concatenate([self.alive_syn, np.ones(len(self.real), dtype=bool)])

    def children_counts(self) -> np.ndarray:
        """(n_slots, 4) alive children by relation (tag lineage), for childrenModelCount."""
        def build():
            from hubsim.truth import real_edge_arrays
            c = self.c
            counts = np.zeros((self.n_slots, 4), dtype=np.int64)
            alive = self.alive_syn
            for col in ("parent1", "parent2", "parent3"):
                p = c[col]
                ok = (p >= 0) & alive & (c["relation"] >= 0)
                np.add.at(counts, (p[ok], c["relation"][ok].astype(np.int64)), 1)
            _, parent_r, _, rel, _ = real_edge_arrays(self.real)
            ok = (parent_r >= 0) & (rel < 4)
            np.add.at(counts, (self.n_syn + parent_r[ok], rel[ok]), 1)
            return counts
        return self.cached(("children",), build)

    def truth(self) -> dict:
        from hubsim.truth import compute_truth
        return compute_truth(self)
