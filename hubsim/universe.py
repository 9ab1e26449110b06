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

from hubsim import catalog, clock, fastsearch, links, longtail
from hubsim.datasets import DATASETS_PER_MODEL, DatasetTable
from hubsim.hostile import resolve_hostile
from hubsim.papers import PaperPool
from hubsim.realdata import RealRecords
from hubsim.spaces import SPACES_PER_MODEL, SpaceTable

NEW_PER_DAY = 0.0025        # new models per night, as a share of --models
DELETE_PER_DAY = 0.0005     # share of alive synthetic models deleted per night
MODIFY_PER_DAY = 0.01       # share of alive synthetic models modified per night
# Share of a night's new models that were created earlier as private repos and made public
# tonight (organisations prepare releases in private): their createdAt and lastModified lie
# days or weeks back, so a listing by lastModified that stops at last night's watermark
# never reaches them; only the sweep of every model does.
PUBLISHED_PER_NEW = 0.02
GROWTH_PER_DAY = 0.0025     # exponential growth rate of the creation curve (doubling ~9 months)
# Derived models by relation (finetune, adapter, quantized, merge), so that lineage LINKS are
# adapter 43 %, finetune 34 %, quantized 18 %, merge 5 % (merges have 2-3 parents): Laufer et
# al. 2025 count 241k adapter, 189k finetune and 102k quantized links, merges fewer.
RELATION_SHARES = [0.350, 0.443, 0.185, 0.022]
# Licenses of derivatives (Laufer et al. 2025): a derivative of a licensed parent drops the
# license (none) with P_DROP, and of the pairs where both declare one, 19.8 % differ (mostly
# toward apache-2.0 and mit); a derivative of an unlicensed parent adds one with P_ADOPT.
# Changes are directed: a restricted parent's (llama, gemma, qwen) derivatives change more
# often than a permissive parent's; the two rates are set so that 19.8 % of all licensed
# pairs differ (measured in the calibration test).
P_LICENSE_DROP = 0.40
P_DROP_FROM_RESTRICTED = 0.60
P_CHANGE_FROM_RESTRICTED = 0.36 * (1 - P_DROP_FROM_RESTRICTED)
P_CHANGE_FROM_OTHER = 0.17 * (1 - P_LICENSE_DROP)
P_LICENSE_ADOPT = 0.08
# A personal root upload names its family's license this often (else the generic mix).
P_ROOT_STEM_LICENSE = 0.15
# Famous roots (flagships): the most downloaded models of the Hub, organisations' releases.
FLAGSHIPS_PER_MODELS = 20_000          # max(20, N / 20,000) of them
FLAGSHIP_DL30 = (8_000_000, 60_000_000)   # their 30-day downloads (log-uniform)
OTHERS_DL30_CAP = 7_200_000            # nobody else reaches a famous root's monthly downloads
OTHERS_ALL_TIME_CAP = 36_000_000       # ... nor its all-time downloads (famous roots: >= 39M)
FLAGSHIP_PULL = 1.2                    # their weight as parents: 1.2 N in all (x the family's `pull`;
                                       # any other model: sqrt(all-time downloads))
SORT_KEYS = ("createdAt", "lastModified", "downloads", "likes", "trendingScore")

PIPELINES = sorted({f["pipeline"] for f in catalog.FAMILIES if f["pipeline"]})
LIBRARIES = sorted({f["library"] for f in catalog.FAMILIES if f["library"]} | {"peft", "gguf", "mlx"})
LIB_INDEX = {name: i for i, name in enumerate(LIBRARIES)}
PIPE_INDEX = {name: i for i, name in enumerate(PIPELINES)}
FAMILY_WEIGHTS = np.array([f["w"] for f in catalog.FAMILIES]) / sum(f["w"] for f in catalog.FAMILIES)
FLAG_WEIGHTS = np.array([f["flag"] for f in catalog.FAMILIES]) / sum(f["flag"] for f in catalog.FAMILIES)
FAMILY_PULL = np.array([f["pull"] for f in catalog.FAMILIES])
LICENSE_WEIGHTS = np.array([w for _, _, w in catalog.LICENSES]) / sum(w for _, _, w in catalog.LICENSES)
RESTRICTED = np.array([fam == "open-weights-restricted" for _, fam, _ in catalog.LICENSES])
CHANGE_LICENSES = np.array([catalog.LICENSE_INDEX[name] for name, _ in catalog.LICENSE_CHANGE_TARGETS])
CHANGE_WEIGHTS = np.array([w for _, w in catalog.LICENSE_CHANGE_TARGETS]) / sum(w for _, w in catalog.LICENSE_CHANGE_TARGETS)
N_STEMS = np.array([len(f["stems"]) for f in catalog.FAMILIES])
MAX_STEMS = int(N_STEMS.max())
# [family, stem] -> license index / owning organisation index (-1: none)
STEM_LICENSE = np.array([[catalog.LICENSE_INDEX[f["stems"][k % len(f["stems"])][2]] for k in range(MAX_STEMS)]
                         for f in catalog.FAMILIES])
STEM_ORG = np.array([[catalog.ORG_INDEX.get(f["stems"][k % len(f["stems"])][1], -1) for k in range(MAX_STEMS)]
                     for f in catalog.FAMILIES])
LEGACY_LICENSE = np.array([catalog.LICENSE_INDEX[lic] for _, _, lic in catalog.LEGACY_IDS])
LEGACY_FAMILY = np.array([fam for _, fam, _ in catalog.LEGACY_IDS])
QUANTIZERS = np.array([catalog.ORG_INDEX[o] for o in catalog.QUANTIZER_ORGS])
FINETUNERS = np.array([catalog.ORG_INDEX[o] for o in catalog.FINETUNE_ORGS])
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
    "lang1": (np.int8, -1), "lang2": (np.int8, -1),
    # declared datasets (hubsim.links): -1 none, >= 0 a dataset slot, <= -2 a name off the Hub
    "ds1": (np.int32, -1), "ds2": (np.int32, -1),
    "paper1": (np.int32, -1), "paper2": (np.int32, -1),   # cited papers (hubsim.papers), -1 none
    "params": (np.int64, 0), "dtype": (np.int8, 0), "has_st": (np.bool_, False),
    "nspaces": (np.int8, 0), "mods": (np.int16, 0),
    "flag": (np.bool_, False), "nameroot": (np.int32, -1),
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
              datasets: int | None = None, spaces: int | None = None,
              _real: RealRecords | None = None) -> "Universe":
        """Day `day` of the universe of `models` synthetic models (seeded), plus the records of
        `real_path` (cloned up to `real_scale` records when given), `hostile` records
        (hubsim.hostile.Hostile, served verbatim on their days) and, unless `long_tail` is
        False, a few synthetic records with 10k-100k files or multi-MB cards (hubsim.longtail).
        Beside the models: `datasets` and `spaces` synthetic datasets and Spaces on day 1
        (None: 0.23 and 0.27 per synthetic model, today's Hub), linked to the models."""
        if day < 1:
            raise ValueError("day starts at 1")
        u = cls()
        u.n_base, u.seed, u.day, u.start_date = int(models), int(seed), int(day), start_date
        u.real_path, u.real_scale = real_path, real_scale
        if real_scale is not None and not real_path:
            raise ValueError("real_scale needs real_path")
        u.hostile_spec = tuple(hostile or ())
        u.long_tail = bool(long_tail)
        u.n_datasets = round(DATASETS_PER_MODEL * u.n_base) if datasets is None else int(datasets)
        u.n_spaces = round(SPACES_PER_MODEL * u.n_base) if spaces is None else int(spaces)
        u.datasets_option, u.spaces_option = datasets, spaces
        if _real is not None:
            u.real = _real
        else:
            u.real = RealRecords.load(real_path, real_scale) if real_path else RealRecords.empty()
        counts = [u._new_count(d) for d in range(2, day + 1)]
        u.n_syn = u.n_base + sum(counts)
        u.c = {name: np.full(u.n_syn, default, dtype=dtype) for name, (dtype, default) in COLUMNS.items()}
        # datasets first: model cards declare datasets that exist (the datasets never depend on models)
        u.papers = PaperPool(u.seed, u.n_base)
        u.datasets = DatasetTable.build(u, u.n_datasets)
        u._generate_day1()
        links.day1(u)
        lo = u.n_base
        for d, count in zip(range(2, day + 1), counts):
            u._apply_night(d, lo, lo + count)
            lo += count
        u._finish_day()
        u._check_real_ids()
        u.spaces = SpaceTable.build(u, u.n_spaces)   # Spaces use the models (and datasets) of their day
        u.datasets.release_build_memos()
        u.heavy_files, u.heavy_cards = longtail.choose(u) if u.long_tail else ({}, {})
        u.hostile = resolve_hostile(u, u.hostile_spec)
        return u

    def at_day(self, day: int) -> "Universe":
        """The same universe on another day (real records are reused, not reloaded)."""
        return Universe.build(models=self.n_base, seed=self.seed, day=day, start_date=self.start_date,
                              real_path=self.real_path, real_scale=self.real_scale, hostile=self.hostile_spec,
                              long_tail=self.long_tail, datasets=self.datasets_option, spaces=self.spaces_option,
                              _real=self.real)

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
        # the canonical old repos: famous, liked, below the flagships
        c["dl_all"][:legacy] = np.maximum(c["dl_all"][:legacy], 20_000_000 + np.arange(legacy) * 3_000_000)
        c["dl30"][:legacy] = np.maximum(c["dl30"][:legacy], 4_000_000)
        self._flagships(np.random.default_rng([self.seed, 1, 3]), n, legacy)
        self._fix_top_all_time(n)
        famous = np.flatnonzero(c["flag"][:n] | (c["legacy"][:n] >= 0))
        c["likes"][famous] = np.floor(np.sqrt(c["dl30"][famous]) * rng.uniform(0.2, 0.8, len(famous))).astype(np.int32)
        year2023 = int(dt.datetime(2023, 1, 1, tzinfo=clock.UTC).timestamp())
        p_parent = np.where(real_created < year2023, 0.08, 0.45)
        p_parent[:legacy] = 0.0
        p_parent[c["flag"][:n]] = 0.0
        self._lineage(rng, 0, n, p_parent, prefix=True)
        self._attributes(rng, 0, n, prefix=True)
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
        c["dl30"][lo:hi] = np.minimum(dl30, OTHERS_DL30_CAP)
        c["dl_all"][lo:hi] = all_time
        c["likes"][lo:hi] = np.floor(np.power(dl30, 0.45) * rng.random(n) * 0.8).astype(np.int32)
        c["nspaces"][lo:hi] = np.clip(np.floor(np.log10(all_time + 1)) - 4, 0, 8).astype(np.int8)

    def _flagships(self, rng, n: int, legacy: int) -> None:
        """The famous roots: max(10, N / 20,000) of the most downloaded models of all time become
        organisations' releases of a famous family (LLM bases first) with the Hub's largest
        monthly downloads (8-60M; everyone else stays under 7.2M)."""
        c = self.c
        count = min(n - legacy, max(20, round(n / FLAGSHIPS_PER_MODELS)))
        if count <= 0:
            return
        top = legacy + np.argsort(-c["dl_all"][legacy:n], kind="stable")[:count]
        c["flag"][top] = True
        # families by quota (largest remainders), shuffled: every universe has its share of
        # famous LLM bases, so the shares they pass on vary little between seeds
        quota = FLAG_WEIGHTS * count
        per_family = np.floor(quota).astype(np.int64)
        extra = np.argsort(-(quota - per_family), kind="stable")[: count - int(per_family.sum())]
        per_family[extra] += 1
        fam = rng.permutation(np.repeat(np.arange(len(catalog.FAMILIES)), per_family))
        c["family"][top] = fam
        # a family's famous roots are its different releases (stems in turn from a random one)
        nth = np.zeros(count, dtype=np.int64)
        for f in np.unique(fam).tolist():
            nth[fam == f] = np.arange(int((fam == f).sum()))
        offset = rng.integers(0, 1 << 30, len(catalog.FAMILIES))
        c["stem"][top] = ((offset[fam] + nth) % N_STEMS[fam]).astype(np.int8)
        lo, hi = np.log(FLAGSHIP_DL30[0]), np.log(FLAGSHIP_DL30[1])
        dl30 = np.sort(np.exp(rng.uniform(lo, hi, count)).astype(np.int64))[::-1]   # by all-time rank
        c["dl30"][top] = dl30
        c["dl_all"][top] = np.maximum(c["dl_all"][top], 5 * dl30)

    def _fix_top_all_time(self, n: int) -> None:
        """Exactly max(3, ~65 per 2M) models reach 100M all-time downloads on day 1: flagships
        first. The flagships below the line keep a month's growth of room under it."""
        c = self.c
        k = min(n, max(3, round(65 * n / 2_000_000)))
        priority = c["dl_all"][:n] + c["flag"][:n].astype(np.int64) * (1 << 50)
        order = np.argsort(-priority, kind="stable")
        top, rest = order[:k], order[k:]
        c["dl_all"][top] = np.maximum(c["dl_all"][top], 100_000_000 + (top % 997) * 1_000_003)
        c["dl_all"][rest] = np.minimum(c["dl_all"][rest], np.where(c["flag"][rest], 97_000_000, OTHERS_ALL_TIME_CAP))
        below = rest[c["flag"][rest]]
        c["dl30"][below] = np.minimum(c["dl30"][below], 29_000_000)
        c["dl_all"][below] = np.minimum(c["dl_all"][below], 97_000_000 - 2 * c["dl30"][below])
        c["dl30"][:n] = np.minimum(c["dl30"][:n], (c["dl_all"][:n] / 1.25).astype(np.int64))

    def _lineage(self, rng, lo: int, hi: int, p_parent, prefix: bool, alive=None) -> None:
        """Parents by preferential attachment to popular models (cumulative weights)."""
        c = self.c
        n = hi - lo
        weights = np.power(c["dl_all"][:hi].astype(np.float64) + 1.0, 0.5)
        # famous roots pull derivatives, LLM bases most (their family is set before lineage),
        # each as much as any other of its family whatever its download rank, so that no
        # single famous root decides the shares its family passes on
        flag = c["flag"][:hi]
        if flag.any():   # together a fixed share of the pull at any size of universe
            per_flagship = FLAGSHIP_PULL * self.n_base / int(c["flag"].sum())
            weights[flag] = per_flagship * FAMILY_PULL[c["family"][:hi][flag]]
            # the six canonical old repos pull like half a famous root each, not like six
            # giants in a small universe
            weights[c["legacy"][:hi] >= 0] = per_flagship * 0.5
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
            return np.minimum(fastsearch.searchsorted(cum, x, side="right"), np.maximum(limit - 1, 0)).astype(np.int32)

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
        legacy = c["legacy"][idx]
        is_legacy = legacy >= 0
        flag = c["flag"][idx]
        # family and name stem: a derivative is its parent's family and is named after the
        # root its parent is named after; flagships were given theirs already
        fam_fresh = rng.choice(len(catalog.FAMILIES), size=n, p=FAMILY_WEIGHTS).astype(np.int8)
        fam = np.where(has, c["family"][pp], np.where(flag, c["family"][idx], fam_fresh))
        fam = np.where(is_legacy, LEGACY_FAMILY[np.clip(legacy, 0, None)], fam).astype(np.int8)
        stem_fresh = rng.integers(0, 1 << 30, n) % N_STEMS[fam]
        stem = np.where(has, c["stem"][pp], np.where(flag, c["stem"][idx], stem_fresh)).astype(np.int8)
        c["family"][idx], c["stem"][idx] = fam, stem
        c["nameroot"][idx] = np.where(has, c["nameroot"][pp], idx)
        c["word"][idx] = np.where((rng.random(n) < 0.6) & ~flag, rng.integers(0, len(catalog.TASK_WORDS), n), -1)
        c["suffix"][idx] = rng.integers(0, 4, n)
        # owners: organisations release the famous and popular roots of their families;
        # community organisations publish popular quantizations and fine-tunes; users the rest
        popular = c["dl_all"][idx] > 1_000_000
        r_org = rng.random(n)
        users = np.floor(np.power(rng.random(n), 2.2) * max(40, self.n_base // 5)).astype(np.int32) \
            + len(catalog.ORG_AUTHORS)
        stem_org = STEM_ORG[fam, stem]
        root_org = ~has & ~is_legacy & (stem_org >= 0) & (flag | (popular & (r_org < 0.6)))
        community = rng.integers(0, 1 << 30, n)
        derived_org = np.where(rel == 2, QUANTIZERS[community % len(QUANTIZERS)],
                               np.where(rel == 0, FINETUNERS[community % len(FINETUNERS)], -1))
        derived_org = np.where(has & popular & (r_org < 0.5), derived_org, -1)
        author = np.where(root_org, stem_org, np.where(derived_org >= 0, derived_org, users))
        c["author"][idx] = author
        # license: an organisation's root carries its release's license; a personal root
        # sometimes its family's, else the generic mix (mostly none); a derivative keeps its
        # parent's, drops it, or changes it (toward apache-2.0 and mit)
        generic = rng.choice(len(catalog.LICENSES), size=n, p=LICENSE_WEIGHTS)
        stem_lic = STEM_LICENSE[fam, stem]
        root_lic = np.where(root_org | (rng.random(n) < P_ROOT_STEM_LICENSE), stem_lic, generic)
        root_lic = np.where(is_legacy, LEGACY_LICENSE[np.clip(legacy, 0, None)], root_lic)
        parent_lic = c["lic"][pp]
        target, again = CHANGE_LICENSES[rng.choice(len(CHANGE_LICENSES), size=(2, n), p=CHANGE_WEIGHTS)]
        target = np.where(target == parent_lic, again, target)   # a change is a different license
        target = np.where(target == parent_lic, np.where(parent_lic == catalog.LICENSE_INDEX["apache-2.0"],
                                                         catalog.LICENSE_INDEX["mit"],
                                                         catalog.LICENSE_INDEX["apache-2.0"]), target)
        r = rng.random(n)
        p_drop = np.where(RESTRICTED[parent_lic], P_DROP_FROM_RESTRICTED, P_LICENSE_DROP)
        p_change = np.where(RESTRICTED[parent_lic], P_CHANGE_FROM_RESTRICTED, P_CHANGE_FROM_OTHER)
        child_lic = np.where(parent_lic == 0, np.where(r < P_LICENSE_ADOPT, target, 0),
                             np.where(r < p_drop, 0, np.where(r < p_drop + p_change, target, parent_lic)))
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
        c["gated"][idx] = np.where(is_legacy, 0, gated)
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
            # an older model of the same family becomes the base (the name stays): the first
            # of 32 random older models that is of its family, else the base stays
            tries = (rng.random((32, len(m))) * m).astype(np.int64)
            same = c["family"][tries] == c["family"][m]
            found = same.any(axis=0)
            first = tries[same.argmax(axis=0), np.arange(len(m))]
            c["parent1"][m[found]] = first[found]
        m = mods[(kind >= 0.21) & (kind < 0.26)]
        c["pipeline"][m] = rng.integers(-1, len(PIPELINES), len(m))
        m = mods[(kind >= 0.26) & (kind < 0.29)]
        c["library"][m] = rng.integers(-1, len(LIBRARIES), len(m))
        card_edits = mods[kind >= 0.29]   # card-only edits: a dataset gets declared (hubsim.links: which)
        c["ds1"][card_edits] = rng.integers(0, len(catalog.DATASETS), len(card_edits))
        # the day's new models
        if hi > lo:
            n = hi - lo
            created = np.sort(day0 + rng.integers(0, clock.DAY_SECONDS, n))
            c["created"][lo:hi] = created
            c["lastmod"][lo:hi] = np.minimum(created + rng.integers(0, 3600, n), day0 + clock.DAY_SECONDS - 1)
            c["born"][lo:hi] = d
            c["oid_rand"][lo:hi] = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64)
            self._popularity(rng, lo, hi, np.ones(n))
            c["dl_all"][lo:hi] = np.minimum(c["dl_all"][lo:hi], OTHERS_ALL_TIME_CAP)
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
        links.night(self, d, lo, hi, card_edits)

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
        """The id of a synthetic slot from its never-modified naming columns: a legacy id, or
        `author/<stem of its name root>[-task word][-relation suffix]-<slot in base 36>`."""
        c = self.c
        legacy = int(c["legacy"][slot])
        if legacy >= 0:
            return catalog.LEGACY_IDS[legacy][0]
        root = int(c["nameroot"][slot])
        root_legacy = int(c["legacy"][root])
        name = catalog.LEGACY_IDS[root_legacy][0] if root_legacy >= 0 else \
            catalog.STEM_NAMES[int(c["family"][root])][int(c["stem"][root])]
        word = int(c["word"][slot])
        if word >= 0:
            name += "-" + catalog.TASK_WORDS[word]
        relation = int(c["relation"][slot])
        if relation >= 0:
            sfx = catalog.RELATION_SUFFIX[relation]
            name += "-" + sfx[int(c["suffix"][slot]) % len(sfx)]
        return f"{self.author_name(int(c['author'][slot]))}/{name}-{_b36(slot)}"

    def synthetic_slot(self, model_id: str) -> int | None:
        """Slot of a synthetic id (alive or not), or None."""
        for j, (legacy_id, _, _) in enumerate(catalog.LEGACY_IDS):
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
            # truth and lifecycle read the universe through the renderer, which imports this
            # module: imported where used, not at the top, to keep the import graph acyclic
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

    def dataset_name(self, ref: int) -> str:
        """The id a model card declares for a `ds1`/`ds2` value (hubsim.links)."""
        return self.datasets.repo_id(ref) if ref >= 0 else links.off_hub_name(ref)

    def truth(self, lifecycle: bool = True) -> dict:
        """docs/figures.md, with the eight keys of datasets, Spaces and papers (hubsim.lifecycle);
        lifecycle=False leaves those out (the figures of a models-only crawl)."""
        from hubsim.truth import compute_truth   # see children_counts: an import cycle otherwise
        figures = compute_truth(self)
        if lifecycle:
            from hubsim.lifecycle import lifecycle_figures   # the same cycle
            figures = dict(sorted({**figures, **lifecycle_figures(self)}.items()))
        return figures
