"""The universe's datasets: numpy columns, one slot per dataset in creation order, day 1 plus
nights 2..D from their own seeded streams (so the models' draws keep their values).

* Day 1: round(DATASETS_PER_MODEL x N) datasets for N synthetic models, on the models' creation
  curve; among them the named datasets (catalog.NAMED_DATASETS: `imdb`, `squad`,
  `HuggingFaceH4/ultrachat_200k`, `fka/awesome-chatgpt-prompts`, ... at their release dates) and
  the hot post-training datasets (catalog.HOT_DATASETS, max(1, N / 500k) of them; the first
  released 150 days before day 1, so its whole 90-day window lies in the past).
* Nights: deletions (0.05 % of alive datasets, never a named or hot one), modifications (1 %:
  lastModified and sha move; 10 % of them change the license, 5 % gated, 10 % the paper cited),
  new datasets (Poisson, 0.25 % of the day-1 count), 2 % of them made public from a private repo
  created 2-60 days earlier.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np

from hubsim import catalog, clock
from hubsim.repotable import PUBLISHED_PER_NEW, RepoTable, b36, creation_times, new_count, user_authors

DATASETS_PER_MODEL = 0.23     # ~0.5M datasets beside ~2.2M models (hubsim/README.md, "Calibration")
DELETE_PER_DAY = 0.0005
MODIFY_PER_DAY = 0.01
# The Hub floors a dataset's createdAt to the time it began storing them (datasets:
# 2022-03-02T23:29:22Z, as `squad` and `imdb` carry it).
CREATED_FLOOR_TS = int(dt.datetime(2022, 3, 2, 23, 29, 22, tzinfo=clock.UTC).timestamp())
HOT_PER_MODELS = 500_000
HOT_FIRST_DAYS_AGO = 150
P_ORG = 0.08                  # synthetic datasets owned by a dataset-publishing organisation
P_PAPER_TAIL, P_PAPER_KNOWN = 0.06, 0.02
LICENSE_CODES = np.array([catalog.LICENSE_INDEX[name] for name, _ in catalog.DATASET_LICENSES])
LICENSE_WEIGHTS = np.array([w for _, w in catalog.DATASET_LICENSES])
LANGUAGE_WEIGHTS = np.array(catalog.LANG_WEIGHTS) / sum(catalog.LANG_WEIGHTS)


def _iso_ts(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=clock.UTC).timestamp())


class DatasetTable(RepoTable):
    KIND = "datasets"
    SORT_KEYS = ("createdAt", "lastModified", "downloads", "likes", "trendingScore")
    COLUMNS = {
        "created": (np.int64, 0), "lastmod": (np.int64, 0), "oid_rand": (np.uint64, 0),
        "born": (np.int16, 1), "died": (np.int16, 0),
        "dl30": (np.int64, 0), "dl_all": (np.int64, 0), "likes": (np.int32, 0),
        "author": (np.int32, 0),        # >= 0: Universe.author_name; < 0: -(k + 1) of catalog.DATASET_ORGS
        "word": (np.int8, 0), "word2": (np.int8, -1), "lang": (np.int8, -1), "task": (np.int8, 0),
        "size": (np.int8, 0), "lic": (np.int8, 0), "gated": (np.int8, 0), "paper": (np.int32, -1),
        "named": (np.int16, -1), "hot": (np.int8, -1), "mods": (np.int16, 0),
    }

    @classmethod
    def build(cls, u, n_base: int) -> "DatasetTable":
        t = cls(u, n_base)
        counts = [new_count(u.seed, d, t.n_base, 32) for d in range(2, u.day + 1)]
        t.allocate(t.n_base + sum(counts))
        t.named_slots: dict[str, int] = {}
        t._day1()
        lo = t.n_base
        for d, count in zip(range(2, u.day + 1), counts):
            t._night(d, lo, lo + count)
            lo += count
        t.alive = t.alive_at(u.day)
        t.day_counts(t.c["dl30"], 33)
        return t

    # ------------------------------------------------------------------ day 1
    def _day1(self) -> None:
        n, u, c = self.n_base, self.u, self.c
        if n == 0:
            return
        rng = np.random.default_rng([u.seed, 1, 30])
        end = clock.day_start_ts(u.start_date, 1) + clock.DAY_SECONDS
        n_named = len(catalog.NAMED_DATASETS) if n >= 4 * len(catalog.NAMED_DATASETS) else 0
        n_hot = max(1, u.n_base // HOT_PER_MODELS) if n_named else 0
        n_hot = min(n_hot, len(catalog.HOT_DATASETS))
        named_times = [_iso_ts(d[1]) for d in catalog.NAMED_DATASETS[:n_named]]
        hot_times = []
        if n_hot:   # the first one released 150 days ago, the others within the last 400 days
            first = end - (HOT_FIRST_DAYS_AGO + 1) * clock.DAY_SECONDS + int(rng.integers(0, clock.DAY_SECONDS))
            hot_times = [first] + (end - rng.integers(20, 400, n_hot - 1) * clock.DAY_SECONDS
                                   - rng.integers(0, clock.DAY_SECONDS, n_hot - 1)).tolist()
        times = np.concatenate([creation_times(rng, n - n_named - n_hot, end),
                                np.array(named_times + hot_times[:n_hot], dtype=np.int64)])
        special = np.concatenate([np.full(n - n_named - n_hot, -1), np.arange(n_named), 1000 + np.arange(n_hot)])
        order = np.argsort(times, kind="stable")
        real_created = times[order]
        special = special[order]
        c["created"][:n] = np.maximum(real_created, CREATED_FLOOR_TS)
        c["named"][:n] = np.where((special >= 0) & (special < 1000), special, -1)
        c["hot"][:n] = np.where(special >= 1000, special - 1000, -1)
        for slot in np.flatnonzero(c["named"][:n] >= 0).tolist():
            self.named_slots[catalog.NAMED_DATASETS[int(c["named"][slot])][0]] = slot
        age = (end - real_created) / clock.DAY_SECONDS
        self._popularity(rng, 0, n, age)
        self._attributes(rng, np.arange(n))
        delta = rng.integers(0, 90 * clock.DAY_SECONDS, n)
        lastmod = np.maximum(c["created"][:n], real_created + delta)
        late = lastmod >= end
        lastmod[late] = c["created"][:n][late] + delta[late] % np.maximum(1, end - c["created"][:n][late])
        c["lastmod"][:n] = lastmod
        c["oid_rand"][:n] = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64)

    def _popularity(self, rng, lo: int, hi: int, age_days) -> None:
        n, c = hi - lo, self.c
        nonzero = rng.random(n) >= 0.55
        raw = np.floor((rng.pareto(0.7, n) + 1.0) * 2.0)
        dl30 = np.where(nonzero, np.minimum(raw, 3_000_000), 0).astype(np.int64)
        months = np.maximum(np.asarray(age_days, dtype=np.float64) / 30.0, 1.0)
        all_time = np.floor(dl30 * np.power(months, 0.9) * rng.lognormal(0.0, 0.5, n)).astype(np.int64)
        named, hot = c["named"][lo:hi] >= 0, c["hot"][lo:hi] >= 0
        star = np.exp(rng.uniform(np.log(200_000), np.log(3_000_000), n)).astype(np.int64)
        dl30 = np.where(named, star, np.where(hot, star // 3, dl30))
        all_time = np.where(named | hot, np.maximum(all_time, 8 * dl30), all_time)
        c["dl30"][lo:hi] = dl30
        c["dl_all"][lo:hi] = np.maximum(all_time, np.ceil(dl30 * 1.25).astype(np.int64))
        c["likes"][lo:hi] = np.floor(np.power(dl30, 0.45) * rng.random(n) * 0.8
                                     + np.where(named | hot, 300, 0)).astype(np.int32)

    def _attributes(self, rng, idx: np.ndarray) -> None:
        c, n = self.c, len(idx)
        pool = self.u.papers
        org = rng.random(n) < P_ORG
        users = user_authors(rng, n, self.u.n_base)
        orgs = -(1 + rng.integers(0, len(catalog.DATASET_ORGS), n))
        hot = c["hot"][idx]
        hot_org = np.array([-(1 + catalog.DATASET_ORGS.index(org_name)) for _, org_name in catalog.HOT_DATASETS])
        c["author"][idx] = np.where(hot >= 0, hot_org[np.clip(hot, 0, None)], np.where(org, orgs, users))
        c["word"][idx] = rng.integers(0, len(catalog.DATASET_WORDS), n)
        c["word2"][idx] = np.where(rng.random(n) < 0.4, rng.integers(0, len(catalog.DATASET_WORDS), n), -1)
        lang = rng.choice(len(catalog.LANGUAGES), size=n, p=LANGUAGE_WEIGHTS)
        c["lang"][idx] = np.where(rng.random(n) < 0.25, -1, lang)
        c["task"][idx] = rng.choice(len(catalog.DATASET_TASKS), size=n, p=catalog.DATASET_TASK_WEIGHTS)
        c["size"][idx] = rng.choice(len(catalog.SIZE_CATEGORIES), size=n, p=catalog.SIZE_WEIGHTS)
        c["lic"][idx] = LICENSE_CODES[rng.choice(len(LICENSE_CODES), size=n, p=LICENSE_WEIGHTS)]
        g = rng.random(n)
        c["gated"][idx] = np.where(g < 0.02, 1, np.where(g < 0.03, 2, 0))
        r = rng.random(n)
        known = rng.integers(0, pool.n_known, n)
        paper = np.where(r < P_PAPER_TAIL, pool.long_tail_where(rng, r < P_PAPER_TAIL),
                         np.where(r < P_PAPER_TAIL + P_PAPER_KNOWN, known, -1))
        c["paper"][idx] = np.where(hot >= 0, pool.long_tail_where(rng, hot >= 0), paper)
        named = c["named"][idx]
        for j in np.flatnonzero(named >= 0).tolist():
            _, _, arxiv_id, task, size, lic, _ = catalog.NAMED_DATASETS[int(named[j])]
            slot = idx[j]
            c["paper"][slot] = pool.code(arxiv_id) if arxiv_id else -1
            c["task"][slot] = [t for t, _ in catalog.DATASET_TASKS].index(task)
            c["size"][slot] = catalog.SIZE_CATEGORIES.index(size)
            c["lic"][slot] = catalog.LICENSE_INDEX[lic]
            c["lang"][slot] = catalog.LANGUAGES.index("en")
            c["gated"][slot] = 0
        c["gated"][idx[hot >= 0]] = 0

    # ------------------------------------------------------------------ nights
    def _night(self, d: int, lo: int, hi: int) -> None:
        u, c = self.u, self.c
        rng = np.random.default_rng([u.seed, d, 31])
        alive_idx = np.flatnonzero(self.alive_at(d - 1, lo))
        day0 = clock.day_start_ts(u.start_date, d)
        n_del = int(rng.binomial(len(alive_idx), DELETE_PER_DAY)) if len(alive_idx) else 0
        victims = rng.choice(alive_idx, size=n_del, replace=False) if n_del else alive_idx[:0]
        victims = victims[(c["named"][victims] < 0) & (c["hot"][victims] < 0)]
        c["died"][victims] = d
        alive_idx = np.flatnonzero(self.alive_at(d, lo))
        n_mod = int(rng.binomial(len(alive_idx), MODIFY_PER_DAY)) if len(alive_idx) else 0
        mods = np.sort(rng.choice(alive_idx, size=n_mod, replace=False)) if n_mod else alive_idx[:0]
        c["lastmod"][mods] = day0 + rng.integers(0, clock.DAY_SECONDS, n_mod)
        c["mods"][mods] += 1
        kind = rng.random(n_mod)
        new_lic = LICENSE_CODES[rng.choice(len(LICENSE_CODES), size=n_mod, p=LICENSE_WEIGHTS)]
        c["lic"][mods[kind < 0.10]] = new_lic[kind < 0.10]
        m = mods[(kind >= 0.10) & (kind < 0.15)]
        c["gated"][m] = np.where(c["gated"][m] == 0, 1, 0)
        m = mods[(kind >= 0.15) & (kind < 0.25)]
        c["paper"][m] = np.where(c["paper"][m] >= 0, -1, u.papers.long_tail(rng, len(m)))
        if hi > lo:
            n = hi - lo
            created = np.sort(day0 + rng.integers(0, clock.DAY_SECONDS, n))
            c["created"][lo:hi] = created
            c["lastmod"][lo:hi] = np.minimum(created + rng.integers(0, 3600, n), day0 + clock.DAY_SECONDS - 1)
            c["born"][lo:hi] = d
            c["oid_rand"][lo:hi] = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64)
            self._popularity(rng, lo, hi, np.ones(n))
            c["dl30"][lo:hi] = np.minimum(c["dl30"][lo:hi], 1_000)
            c["likes"][lo:hi] = np.minimum(c["likes"][lo:hi], 20)
            self._attributes(rng, np.arange(lo, hi))
            published = lo + np.flatnonzero(rng.random(n) < PUBLISHED_PER_NEW)
            k = len(published)
            c["created"][published] = day0 - rng.integers(2 * clock.DAY_SECONDS, 60 * clock.DAY_SECONDS, k)
            c["lastmod"][published] = c["created"][published] + rng.integers(0, 3600, k)

    # ------------------------------------------------------------------ identity
    def special_ids(self) -> dict:
        return self.named_slots

    def author_of(self, slot: int) -> str | None:
        named = int(self.c["named"][slot])
        if named >= 0:
            rid = catalog.NAMED_DATASETS[named][0]
            return rid.split("/", 1)[0] if "/" in rid else None
        a = int(self.c["author"][slot])
        return catalog.DATASET_ORGS[-a - 1] if a < 0 else self.u.author_name(a)

    def synthetic_id(self, slot: int) -> str:
        c = self.c
        named = int(c["named"][slot])
        if named >= 0:
            return catalog.NAMED_DATASETS[named][0]
        hot = int(c["hot"][slot])
        if hot >= 0:
            name = catalog.HOT_DATASETS[hot][0]
        else:
            name = catalog.DATASET_WORDS[int(c["word"][slot])]
            if c["word2"][slot] >= 0:
                name += "-" + catalog.DATASET_WORDS[int(c["word2"][slot])]
        return f"{self.author_of(slot)}/{name}-{b36(slot)}"

    def sort_key(self, sort: str) -> np.ndarray:
        return {"createdAt": self.c["created"], "lastModified": self.c["lastmod"], "downloads": self.dl30_now,
                "likes": self.likes_now, "trendingScore": self.trending_now}[sort]

    def sha(self, slot: int) -> str:
        return hashlib.sha1(f"{self.u.seed}:dataset:{slot}:{int(self.c['mods'][slot])}".encode()).hexdigest()

    # ------------------------------------------------------------------ what model cards declare
    def declare_weights(self, d: int, upto: int) -> tuple[np.ndarray, np.ndarray]:
        """(cumulative weights, running max of createdAt) of the datasets [0, upto) a model card
        can declare on night d (alive then): popular datasets far more than others (sqrt of all-time
        downloads), the named ones (benchmarks, instruction sets) by their pull, the hot
        post-training datasets like a small named one (hubsim.links adds their adoption window). The running max of createdAt
        bounds a model to datasets that existed when it was created (a dataset made public from a
        private repo counts from its publication)."""
        memo = getattr(self, "_declare_memo", None)
        if memo is not None and memo[0] == (d, upto):   # a night asks for its new models, then its card edits
            return memo[1]
        c = self.c
        w = np.sqrt(c["dl_all"][:upto].astype(np.float64) + 1.0)
        named = c["named"][:upto]
        if (named >= 0).any():
            pull = np.array([x[6] for x in catalog.NAMED_DATASETS], dtype=np.float64)
            share = NAMED_PULL * w[named < 0].sum() / pull.sum() if (named < 0).any() else 1.0
            w = np.where(named >= 0, pull[np.clip(named, 0, None)] * share, w)
            w = np.where(c["hot"][:upto] >= 0, HOT_PULL * share, w)
        w *= self.alive_at(d, upto)
        result = np.cumsum(w), np.maximum.accumulate(np.maximum(c["created"][:upto], self._born_ts(upto)))
        self._declare_memo = ((d, upto), result)
        return result

    def release_build_memos(self) -> None:
        self._declare_memo = None

    def _born_ts(self, upto: int) -> np.ndarray:
        """The start of the night a dataset was born (0 on day 1): when it became public."""
        born = self.c["born"][:upto].astype(np.int64)
        start = clock.day_start_ts(self.u.start_date, 1)
        return np.where(born > 1, start + (born - 1) * clock.DAY_SECONDS, 0)


# The named datasets together weigh NAMED_PULL x all other datasets when a card declares one.
NAMED_PULL = 0.45
HOT_PULL = 1.0                # a hot dataset's pull, in the named datasets' units
