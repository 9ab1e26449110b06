"""What models link to: the datasets their cards declare (`dataset:<id>` tags and
`cardData.datasets`) and the papers they cite (`arxiv:<id>` tags).

The models' own draws (hubsim.universe) decide WHETHER a model declares datasets (30 % one,
7 % two, as before issue 13); here, from streams of their own, we decide WHICH: a dataset that
existed when the model was created, popular ones far more than others (hubsim.datasets
`declare_weights`), 6 % of declarations a name that is no dataset on the Hub (`generator`,
`json`, ...). Derivatives (fine-tunes and adapters) created within 90 days of a hot post-training
dataset's release declare it with probability P_HOT. So the model universe of a seed keeps
every other value it had.

Columns of the model table: `ds1`, `ds2` (-1: none; >= 0: a dataset slot; <= -2: the off-Hub
name catalog.OFF_HUB_DATASETS[-2 - code]) and `paper1`, `paper2` (-1 or an index of the
paper pool, hubsim.papers).
"""

from __future__ import annotations

import numpy as np

from hubsim import catalog, clock, fastsearch, papers
from hubsim.datasets import CREATED_FLOOR_TS as DATASET_FLOOR_TS

P_OFF_HUB = 0.06
P_HOT = 0.009               # a fine-tune/adapter within 90 days of a hot dataset's release adopts it
HOT_WINDOW = 90 * clock.DAY_SECONDS
P_HOT_PAPER = 0.2            # ... and cites the dataset's paper
P_DROP_DATASETS = 0.10       # a card edit that removes every declared dataset
P_EDIT_PAPER = 0.08          # a card edit that adds a paper
OFF_HUB_P = np.array(catalog.OFF_HUB_WEIGHTS) / sum(catalog.OFF_HUB_WEIGHTS)
# Papers of models: an organisation's root cites its family's paper; a derivative that copies its
# base's card keeps it; the card template's CO2 paper; method papers of adapters (LoRA) and
# fine-tunes (DPO); a long tail.
P_ROOT_FAMILY, P_DERIVED_FAMILY, P_TEMPLATE, P_METHOD, P_TAIL = 0.85, 0.06, 0.035, 0.05, 0.02
YEAR_2022 = 1_640_995_200


def off_hub_name(code: int) -> str:
    return catalog.OFF_HUB_DATASETS[-2 - code]


def _datasets_born_by(ds, d: int) -> int:
    return int(np.searchsorted(ds.c["born"][: ds.n], d, side="right"))


def declare(u, slots: np.ndarray, d: int, rng, cols=("ds1", "ds2")) -> None:
    """Replace the placeholder declarations (>= 0) of `cols` of model `slots` by dataset refs."""
    c, ds = u.c, u.datasets
    upto = _datasets_born_by(ds, d)
    cum, cmax = ds.declare_weights(d, upto) if upto else (np.zeros(1), np.zeros(1, dtype=np.int64))
    for col in cols:
        want = slots[c[col][slots] >= 0]
        if not len(want):
            continue
        # models and datasets older than the Hub's creation-date tracking sit at their floors
        # (datasets' 18 s after models'): an old model may declare any old dataset
        t = np.where(c["created"][want] <= clock.CREATED_FLOOR_TS, DATASET_FLOOR_TS, c["created"][want])
        limit = fastsearch.searchsorted(cmax, t, side="right") if upto else np.zeros(len(want), dtype=np.int64)
        last = np.maximum(limit - 1, 0)
        total = cum[last]
        pick = np.minimum(fastsearch.searchsorted(cum, rng.random(len(want)) * total, side="right"), last)
        off = (rng.random(len(want)) < P_OFF_HUB) | (limit == 0) | (total <= 0)
        code = -2 - rng.choice(len(catalog.OFF_HUB_DATASETS), size=len(want), p=OFF_HUB_P)
        c[col][want] = np.where(off, code, pick)
    same = slots[(c["ds2"][slots] == c["ds1"][slots]) & (c["ds2"][slots] != -1)]
    c["ds2"][same] = -1


def adopt_hot(u, slots: np.ndarray, rng) -> None:
    """Fine-tunes and adapters among `slots` created within 90 days of a hot dataset's release
    declare it (P_HOT), a fifth of them also citing its paper."""
    c, ds = u.c, u.datasets
    if not len(slots):
        return
    for h in np.flatnonzero(ds.c["hot"][: ds.n] >= 0).tolist():
        start = int(ds.c["created"][h])
        t = c["created"][slots]
        cand = slots[(t >= start) & (t <= start + HOT_WINDOW) & ((c["relation"][slots] == 0) | (c["relation"][slots] == 1))]
        draw = rng.random(len(cand))
        take = cand[draw < P_HOT]
        take = take[(c["ds1"][take] != h) & (c["ds2"][take] != h)]
        c["ds2"][take] = np.where(c["ds1"][take] != -1, c["ds1"][take], c["ds2"][take])
        c["ds1"][take] = h
        cite = take[rng.random(len(take)) < P_HOT_PAPER]
        paper = int(ds.c["paper"][h])
        if paper >= 0:
            cite = cite[(c["paper1"][cite] != paper)]
            c["paper2"][cite] = paper


def cite(u, idx: np.ndarray, rng) -> None:
    """paper1 / paper2 of model slots `idx` (attributes and relation already drawn)."""
    c, pool = u.c, u.papers
    n = len(idx)
    if not n:
        return
    fam = c["family"][idx].astype(np.int64)
    family_paper = pool.family[fam]
    has = c["relation"][idx] >= 0
    rel = c["relation"][idx]
    org_root = ~has & (c["author"][idx] < len(catalog.ORG_AUTHORS)) & (c["legacy"][idx] < 0)
    r = rng.random((4, n))
    p1 = np.where(org_root & (r[0] < P_ROOT_FAMILY), family_paper, -1)
    p1 = np.where(has & (r[0] < P_DERIVED_FAMILY), family_paper, p1)
    template = (p1 < 0) & (r[1] < P_TEMPLATE) & (c["created"][idx] >= YEAR_2022)
    p1 = np.where(template, pool.code(papers.TEMPLATE), p1)
    method = np.where(rel == 1, pool.code(papers.LORA), np.where(rel == 0, pool.code(papers.DPO), -1))
    p2 = np.where(has & (r[2] < P_METHOD), method, -1)
    p2 = np.where((p2 < 0) & (r[3] < P_TAIL), pool.long_tail_where(rng, (p2 < 0) & (r[3] < P_TAIL)), p2)
    p2 = np.where(p2 == p1, -1, p2)
    c["paper1"][idx] = p1
    c["paper2"][idx] = p2


def day1(u) -> None:
    """Links of the day-1 models."""
    n = u.n_base
    if not n:
        return
    slots = np.arange(n)
    cite(u, slots, np.random.default_rng([u.seed, 1, 12]))
    rng = np.random.default_rng([u.seed, 1, 11])
    declare(u, slots, 1, rng)
    adopt_hot(u, slots, rng)


def night(u, d: int, lo: int, hi: int, card_edits: np.ndarray) -> None:
    """Links of night d: the day's new models [lo, hi), and the card edits (their `ds1` holds a
    fresh placeholder): a new dataset declared, or every dataset removed, perhaps a paper added."""
    c = u.c
    rng = np.random.default_rng([u.seed, d, 11])
    new = np.arange(lo, hi)
    cite(u, new, np.random.default_rng([u.seed, d, 12]))
    declare(u, new, d, rng)
    adopt_hot(u, new, rng)
    if len(card_edits):
        drop = rng.random(len(card_edits)) < P_DROP_DATASETS
        c["ds1"][card_edits[drop]] = -1
        c["ds2"][card_edits[drop]] = -1
        declare(u, card_edits[~drop], d, rng, cols=("ds1",))
        paper = card_edits[rng.random(len(card_edits)) < P_EDIT_PAPER]
        tail = u.papers.long_tail(rng, len(paper))
        c["paper2"][paper] = np.where(tail != c["paper1"][paper], tail, c["paper2"][paper])
