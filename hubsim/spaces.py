"""The universe's Spaces: numpy columns, one slot per Space in creation order, day 1 plus nights
2..D from their own seeded streams, built after the models of each day (a Space uses models and
datasets that were public when it was created).

* Day 1: round(SPACES_PER_MODEL x N) Spaces for N synthetic models, on the models' creation curve.
* Links: 35 % of Spaces use models (1 model 65 %, 2: 20 %, 3: 8 %, 4: 7 %), drawn by preferential
  attachment: weight (all-time downloads + 1)^SPACE_PULL, so the famous roots are used by
  thousands of Spaces and most models by none (Osborne et al. 2024: a minority of models, by a
  handful of companies, are used widely in Spaces); 3 % of the picks name a model that is not on
  the Hub (private or deleted); max(1, S / 50,000) leaderboard Spaces list 20-60 models. 12 % use
  1-2 datasets (the datasets' weights of hubsim.datasets). The real records (`--real`) are models
  like the others.
* Papers: a Space using a model that cites a paper demos it (15 %); 2 % cite a long-tail paper.
* Nights: deletions (0.1 %), modifications (2 %: lastModified and sha; 15 % of them re-pick a model,
  5 % drop every model and dataset, a commit restarts the Space: RUNNING 85 %), and runtime stage
  changes without a commit (5 % of alive Spaces a night, mostly RUNNING <-> SLEEPING); new Spaces
  (Poisson, 0.25 % of the day-1 count), 2 % of them made public from a private repo.
Spaces have no download counts; likes and trendingScore follow a hidden visit count.
"""

from __future__ import annotations

import hashlib

import numpy as np

from hubsim import catalog, clock, fastsearch
from hubsim.repotable import PUBLISHED_PER_NEW, RepoTable, b36, creation_times, new_count, user_authors

SPACES_PER_MODEL = 0.27       # ~0.6M Spaces beside ~2.2M models (hubsim/README.md, "Calibration")
DELETE_PER_DAY = 0.001
MODIFY_PER_DAY = 0.02
STAGE_CHANGE_PER_DAY = 0.05
P_USES_MODELS = 0.35
MODELS_PER_SPACE = [0.65, 0.20, 0.08, 0.07]    # 1, 2, 3, 4 models
P_USES_DATASETS = 0.12
P_OFF_HUB_MODEL = 0.03
SPACE_PULL = 0.55            # weight of a model: (all-time downloads + 1)^SPACE_PULL
BOARDS_PER_SPACES = 50_000
P_DEMO_PAPER, P_TAIL_PAPER = 0.15, 0.02
REAL_BASE = 1 << 40          # a model ref >= REAL_BASE is real record ref - REAL_BASE
SDK_P = np.array([w for _, w in catalog.SDKS])
STAGE_P = np.array([w for _, w in catalog.STAGES])
HARDWARE_P = np.array([w for _, w in catalog.HARDWARE])
LICENSE_CODES = np.array([catalog.LICENSE_INDEX[name] for name, _ in catalog.SPACE_LICENSES])
LICENSE_P = np.array([w for _, w in catalog.SPACE_LICENSES])
STAGE_NAMES = [name for name, _ in catalog.STAGES]
RUNNING, SLEEPING, BUILD_ERROR, NO_APP_FILE = (STAGE_NAMES.index(s) for s in
                                               ("RUNNING", "SLEEPING", "BUILD_ERROR", "NO_APP_FILE"))
STATIC = [name for name, _ in catalog.SDKS].index("static")
MODEL_COLS = ("m1", "m2", "m3", "m4")


class SpaceTable(RepoTable):
    KIND = "spaces"
    SORT_KEYS = ("createdAt", "lastModified", "likes", "trendingScore")
    COLUMNS = {
        "created": (np.int64, 0), "lastmod": (np.int64, 0), "oid_rand": (np.uint64, 0),
        "born": (np.int16, 1), "died": (np.int16, 0),
        "visits": (np.int64, 0), "likes": (np.int32, 0), "author": (np.int32, 0), "word": (np.int8, 0),
        "sdk": (np.int8, 0), "stage": (np.int8, 0), "hw": (np.int8, 0), "lic": (np.int8, 0),
        # models used: -1 none, a synthetic model slot, REAL_BASE + real record, <= -2 an id off the Hub
        "m1": (np.int64, -1), "m2": (np.int64, -1), "m3": (np.int64, -1), "m4": (np.int64, -1),
        "d1": (np.int32, -1), "d2": (np.int32, -1),   # datasets used (hubsim.datasets slots, -1 none)
        "paper": (np.int32, -1), "mods": (np.int16, 0),
    }

    @classmethod
    def build(cls, u, n_base: int) -> "SpaceTable":
        t = cls(u, n_base)
        counts = [new_count(u.seed, d, t.n_base, 42) for d in range(2, u.day + 1)]
        t.allocate(t.n_base + sum(counts))
        t.boards: dict[int, np.ndarray] = {}
        t._candidates = ModelCandidates(u)
        t._day1()
        lo = t.n_base
        for d, count in zip(range(2, u.day + 1), counts):
            t._night(d, lo, lo + count)
            lo += count
        del t._candidates
        t.alive = t.alive_at(u.day)
        t.day_counts(t.c["visits"], 43)
        return t

    # ------------------------------------------------------------------ day 1
    def _day1(self) -> None:
        n, u, c = self.n_base, self.u, self.c
        if n == 0:
            return
        rng = np.random.default_rng([u.seed, 1, 40])
        end = clock.day_start_ts(u.start_date, 1) + clock.DAY_SECONDS
        real_created = creation_times(rng, n, end)
        c["created"][:n] = np.maximum(real_created, clock.CREATED_FLOOR_TS)
        age = (end - real_created) / clock.DAY_SECONDS
        self._popularity(rng, 0, n, age)
        self._attributes(rng, np.arange(n), 1)
        delta = rng.integers(0, 90 * clock.DAY_SECONDS, n)
        lastmod = np.maximum(c["created"][:n], real_created + delta)
        late = lastmod >= end
        lastmod[late] = c["created"][:n][late] + delta[late] % np.maximum(1, end - c["created"][:n][late])
        c["lastmod"][:n] = lastmod
        c["oid_rand"][:n] = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64)
        popular = np.argsort(-c["visits"][:n], kind="stable")[: max(1, n // BOARDS_PER_SPACES)] if n >= 100 else []
        for slot in popular:
            self._board(rng, int(slot), 1)

    def _popularity(self, rng, lo: int, hi: int, age_days) -> None:
        n, c = hi - lo, self.c
        visits = np.where(rng.random(n) < 0.5, 0, np.floor((rng.pareto(0.8, n) + 1.0) * 3)).astype(np.int64)
        c["visits"][lo:hi] = np.minimum(visits, 5_000_000)
        months = np.maximum(np.asarray(age_days, dtype=np.float64) / 30.0, 1.0)
        c["likes"][lo:hi] = np.floor(np.power(visits, 0.5) * np.power(months, 0.3) * rng.random(n)).astype(np.int32)

    def _attributes(self, rng, idx: np.ndarray, d: int) -> None:
        c, n, u = self.c, len(idx), self.u
        org = rng.random(n) < 0.05
        c["author"][idx] = np.where(org, rng.integers(0, len(catalog.ORG_AUTHORS), n),
                                    user_authors(rng, n, u.n_base))
        c["word"][idx] = rng.integers(0, len(catalog.SPACE_WORDS), n)
        sdk = rng.choice(len(SDK_P), size=n, p=SDK_P)
        c["sdk"][idx] = sdk
        c["lic"][idx] = LICENSE_CODES[rng.choice(len(LICENSE_P), size=n, p=LICENSE_P)]
        c["hw"][idx] = rng.choice(len(HARDWARE_P), size=n, p=HARDWARE_P)
        stage = rng.choice(len(STAGE_P), size=n, p=STAGE_P)
        popular = c["visits"][idx] > 1_000
        stage = np.where(popular & (rng.random(n) < 0.6), RUNNING, stage)
        c["stage"][idx] = np.where(sdk == STATIC, np.where(rng.random(n) < 0.95, RUNNING, NO_APP_FILE), stage)
        self._pick_links(rng, idx, d)

    def _pick_links(self, rng, idx: np.ndarray, d: int) -> None:
        """Models and datasets used by Spaces `idx` created on night d (1: day 1)."""
        c, n, u = self.c, len(idx), self.u
        users = idx[rng.random(n) < P_USES_MODELS]
        m = len(users)
        k = 1 + rng.choice(4, size=m, p=MODELS_PER_SPACE)
        picks = self._candidates.pick(rng, c["created"][users], d, (4, m))
        off = rng.random((4, m)) < P_OFF_HUB_MODEL
        off_code = -2 - rng.integers(0, len(catalog.EXTERNAL_PARENTS), (4, m))
        picks = np.where(off | (picks < 0), off_code, picks)
        for col in MODEL_COLS:
            c[col][idx] = -1
        for j, col in enumerate(MODEL_COLS):
            value = np.where(k > j, picks[j], -1)
            for prev in MODEL_COLS[:j]:   # a model is listed once
                value = np.where(value == c[prev][users], -1, value)
            c[col][users] = value
        ds = u.datasets
        upto = int(np.searchsorted(ds.c["born"][: ds.n], d, side="right"))
        both = rng.random(n)
        if upto:
            cum, cmax = ds.declare_weights(d, upto)
            limit = fastsearch.searchsorted(cmax, c["created"][idx], side="right")
            last = np.maximum(limit - 1, 0)
            for col, p in (("d1", P_USES_DATASETS), ("d2", P_USES_DATASETS / 4)):
                pick = np.minimum(fastsearch.searchsorted(cum, rng.random(n) * cum[last], side="right"), last)
                c[col][idx] = np.where((both < p) & (limit > 0) & (cum[last] > 0), pick, -1)
            same = idx[c["d2"][idx] == c["d1"][idx]]
            c["d2"][same] = -1
        else:
            c["d1"][idx] = c["d2"][idx] = -1
        # papers: a demo of a model that cites one, or a long-tail paper
        model_paper = self._model_paper(c["m1"][idx])
        r = rng.random(n)
        demo = (model_paper >= 0) & (r < P_DEMO_PAPER)
        c["paper"][idx] = np.where(demo, model_paper, u.papers.long_tail_where(rng, ~demo & (r > 1 - P_TAIL_PAPER)))

    def _model_paper(self, refs: np.ndarray) -> np.ndarray:
        u = self.u
        syn = (refs >= 0) & (refs < u.n_syn)
        out = np.full(len(refs), -1, dtype=np.int32)
        out[syn] = u.c["paper1"][refs[syn]]
        return out

    def _board(self, rng, slot: int, d: int) -> None:
        """A leaderboard / arena: 20-60 distinct models public on night d (it keeps adding them)."""
        k = int(rng.integers(20, 61))
        now = clock.day_start_ts(self.u.start_date, d) + clock.DAY_SECONDS - 1
        refs = self._candidates.pick(rng, np.full(20 * k, now), d, (20 * k,))
        refs = refs[refs >= 0]
        _, first = np.unique(refs, return_index=True)
        self.boards[slot] = refs[np.sort(first)][:k]

    # ------------------------------------------------------------------ nights
    def _night(self, d: int, lo: int, hi: int) -> None:
        u, c = self.u, self.c
        rng = np.random.default_rng([u.seed, d, 41])
        alive_idx = np.flatnonzero(self.alive_at(d - 1, lo))
        day0 = clock.day_start_ts(u.start_date, d)
        n_del = int(rng.binomial(len(alive_idx), DELETE_PER_DAY)) if len(alive_idx) else 0
        victims = rng.choice(alive_idx, size=n_del, replace=False) if n_del else alive_idx[:0]
        c["died"][victims] = d
        alive_idx = np.flatnonzero(self.alive_at(d, lo))
        # runtime stages move without a commit (free Spaces fall asleep, sleeping ones wake up)
        n_stage = int(rng.binomial(len(alive_idx), STAGE_CHANGE_PER_DAY)) if len(alive_idx) else 0
        moved = rng.choice(alive_idx, size=n_stage, replace=False) if n_stage else alive_idx[:0]
        new_stage = rng.choice(len(STAGE_P), size=n_stage, p=STAGE_P)
        flip = np.where(c["stage"][moved] == RUNNING, SLEEPING, RUNNING)
        c["stage"][moved] = np.where(rng.random(n_stage) < 0.8, flip, new_stage)
        c["stage"][moved[c["sdk"][moved] == STATIC]] = RUNNING
        # commits
        n_mod = int(rng.binomial(len(alive_idx), MODIFY_PER_DAY)) if len(alive_idx) else 0
        mods = np.sort(rng.choice(alive_idx, size=n_mod, replace=False)) if n_mod else alive_idx[:0]
        c["lastmod"][mods] = day0 + rng.integers(0, clock.DAY_SECONDS, n_mod)
        c["mods"][mods] += 1
        c["stage"][mods] = np.where(rng.random(n_mod) < 0.85, RUNNING, BUILD_ERROR)
        kind = rng.random(n_mod)
        repick = mods[kind < 0.15]
        if len(repick):
            fresh = self._candidates.pick(rng, np.full(len(repick), day0), d, (len(repick),))
            keep = (fresh >= 0) & (fresh != c["m2"][repick]) & (fresh != c["m3"][repick]) & (fresh != c["m4"][repick])
            c["m1"][repick] = np.where(keep, fresh, c["m1"][repick])
        drop = mods[(kind >= 0.15) & (kind < 0.20)]
        for col in MODEL_COLS + ("d1", "d2"):
            c[col][drop] = -1
        for slot in drop.tolist():
            self.boards.pop(slot, None)
        m = mods[(kind >= 0.20) & (kind < 0.25)]
        c["hw"][m] = rng.choice(len(HARDWARE_P), size=len(m), p=HARDWARE_P)
        if hi > lo:
            n = hi - lo
            created = np.sort(day0 + rng.integers(0, clock.DAY_SECONDS, n))
            c["created"][lo:hi] = created
            c["lastmod"][lo:hi] = np.minimum(created + rng.integers(0, 3600, n), day0 + clock.DAY_SECONDS - 1)
            c["born"][lo:hi] = d
            c["oid_rand"][lo:hi] = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64)
            self._popularity(rng, lo, hi, np.ones(n))
            c["likes"][lo:hi] = np.minimum(c["likes"][lo:hi], 20)
            self._attributes(rng, np.arange(lo, hi), d)
            published = lo + np.flatnonzero(rng.random(n) < PUBLISHED_PER_NEW)
            k = len(published)
            c["created"][published] = day0 - rng.integers(2 * clock.DAY_SECONDS, 60 * clock.DAY_SECONDS, k)
            c["lastmod"][published] = c["created"][published] + rng.integers(0, 3600, k)

    # ------------------------------------------------------------------ identity and values
    def author_of(self, slot: int) -> str:
        return self.u.author_name(int(self.c["author"][slot]))

    def synthetic_id(self, slot: int) -> str:
        return f"{self.author_of(slot)}/{catalog.SPACE_WORDS[int(self.c['word'][slot])]}-{b36(slot)}"

    def sort_key(self, sort: str) -> np.ndarray:
        return {"createdAt": self.c["created"], "lastModified": self.c["lastmod"], "likes": self.likes_now,
                "trendingScore": self.trending_now}[sort]

    def sha(self, slot: int) -> str:
        return hashlib.sha1(f"{self.u.seed}:space:{slot}:{int(self.c['mods'][slot])}".encode()).hexdigest()

    def model_refs(self, slot: int) -> list[int]:
        board = self.boards.get(slot)
        refs = [int(self.c[col][slot]) for col in MODEL_COLS if self.c[col][slot] != -1]
        if board is not None:
            refs += [int(r) for r in board.tolist() if r not in refs]
        return refs

    def model_name(self, ref: int) -> str:
        u = self.u
        if ref >= REAL_BASE:
            return u.real.ids[ref - REAL_BASE]
        if ref >= 0:
            return u.model_id(ref)
        return catalog.EXTERNAL_PARENTS[-2 - ref]


class ModelCandidates:
    """Every model (synthetic and real) ordered by when it became public, with the weights Spaces
    pick them by; `pick` draws models public by a Space's creation time and alive on its night."""

    def __init__(self, u) -> None:
        c = u.c
        start = clock.day_start_ts(u.start_date, 1)
        born = c["born"].astype(np.int64)
        public = np.maximum(c["created"], np.where(born > 1, start + (born - 1) * clock.DAY_SECONDS, 0))
        real = u.real
        real_public = real.key("createdAt") if len(real) else np.zeros(0, dtype=np.int64)
        times = np.concatenate([public, real_public])
        self.refs = np.concatenate([np.arange(u.n_syn, dtype=np.int64), REAL_BASE + np.arange(len(real))])
        real_weight = (20 * real.key("downloads")).astype(np.float64) if len(real) else np.zeros(0)
        weight = np.power(np.concatenate([c["dl_all"].astype(np.float64), real_weight]) + 1.0, SPACE_PULL)
        order = np.argsort(times, kind="stable")
        self.times, self.refs, self.weight = times[order], self.refs[order], weight[order]
        syn = self.refs < REAL_BASE
        self.born = np.ones(len(order), dtype=np.int64)
        self.died = np.zeros(len(order), dtype=np.int64)
        self.born[syn] = c["born"][self.refs[syn]]
        self.died[syn] = c["died"][self.refs[syn]]
        self._night = None

    def _cum(self, d: int) -> np.ndarray:
        if self._night is None or self._night[0] != d:
            alive = (self.born <= d) & ((self.died == 0) | (self.died > d))
            self._night = (d, np.cumsum(self.weight * alive))
        return self._night[1]

    def pick(self, rng, when: np.ndarray, d: int, shape: tuple) -> np.ndarray:
        """Model refs (-1 when no model was public yet), shape (k, n) or (n,) for times `when` (n)."""
        if not len(self.refs):
            return np.full(shape, -1, dtype=np.int64)
        cum = self._cum(d)
        limit = fastsearch.searchsorted(self.times, when, side="right")
        last = np.maximum(limit - 1, 0)
        total = cum[last]
        x = rng.random(shape) * total
        pos = np.minimum(fastsearch.searchsorted(cum, x, side="right"), last)
        return np.where((limit > 0) & (total > 0), self.refs[pos], -1)
