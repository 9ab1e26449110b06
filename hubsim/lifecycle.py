"""The eight lifecycle figures of docs/figures.md (datasets, Spaces, papers and the links
between them), computed from hubsim's own state with its own code.

Links (docs/figures.md, "Links"): model -> dataset `trained_on` from `dataset:<id>` tags and
`cardData.datasets`; Space -> model `uses` from the Space's `models`; model, dataset or Space ->
paper `cites` from `arxiv:<id>` tags. Only alive sources count; a target may be off the Hub.
Models are what a full listing stores (hubsim.truth.TruthView: hostile records read from their
bytes); synthetic repositories are counted from the columns, real records parsed here.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from hubsim import catalog, clock
from hubsim.repolisting import model_ref
from hubsim.spaces import MODEL_COLS, REAL_BASE
from hubsim.truth import TOP_N, truth_view

WINDOW_MS = 90 * clock.DAY_SECONDS * 1000


# ------------------------------------------------------------------ parsing real records
def record_datasets(rec: dict) -> list[str]:
    """Distinct dataset ids a model record declares: `dataset:<id>` tags, then `cardData.datasets`."""
    out = []
    tags = rec.get("tags")
    for tag in tags if isinstance(tags, list) else ():
        if isinstance(tag, str) and tag.startswith("dataset:") and len(tag) > 8:
            out.append(tag[8:])
    card = rec.get("cardData")
    value = card.get("datasets") if isinstance(card, dict) else None
    for v in value if isinstance(value, list) else [value]:
        if isinstance(v, str) and v:
            out.append(v)
    return list(dict.fromkeys(out))


def record_papers(rec: dict) -> list[str]:
    tags = rec.get("tags")
    return list(dict.fromkeys(t[6:] for t in (tags if isinstance(tags, list) else ())
                              if isinstance(t, str) and t.startswith("arxiv:") and len(t) > 6))


def _created_ms(value) -> int | None:
    """A record's createdAt in epoch milliseconds (an ISO string, or epoch seconds as the
    hostile-record reader stores it), None when unknown."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value * 1000
    if isinstance(value, str):
        try:
            t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return round(t.timestamp() * 1000)
    return None


class Keys:
    """Integer keys for target ids: a table's slots first, then other names in order of arrival."""

    def __init__(self, base: int) -> None:
        self.base = base
        self.names: dict[str, int] = {}

    def name_key(self, name: str) -> int:
        key = self.names.get(name)
        if key is None:
            key = self.names[name] = self.base + len(self.names)
        return key

    def name_of(self, key: int) -> str:
        if not hasattr(self, "_by_key"):
            self._by_key = {v: k for k, v in self.names.items()}
        return self._by_key[key]


def _distinct(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique's hash path is several times slower on these arrays)."""
    a = np.sort(np.asarray(a, dtype=np.int64))
    return a[np.concatenate([[True], a[1:] != a[:-1]])] if len(a) else a


def _pairs(sources: list, targets: list) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (source, target) pairs of int64 arrays."""
    s = np.concatenate([np.asarray(x, dtype=np.int64) for x in sources]) if sources else np.zeros(0, np.int64)
    t = np.concatenate([np.asarray(x, dtype=np.int64) for x in targets]) if targets else np.zeros(0, np.int64)
    if not len(s):
        return s, t
    width = int(t.max()) + 1   # one int64 per pair: a 1-d unique is several times faster
    pairs = _distinct(s * width + t)
    return pairs // width, pairs % width


def _real_pairs(u, kept: np.ndarray, per_original: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """(model node, target key) of the kept real slots, each with its original's targets
    (clones declare what their original declares)."""
    real = u.real
    counts = np.array([len(x) for x in per_original], dtype=np.int64)
    flat = np.array([k for x in per_original for k in x], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)])
    n_each = counts[real.orig[kept]]
    sources = np.repeat(u.n_syn + kept, n_each)
    offsets = np.repeat(starts[real.orig[kept]] - np.cumsum(n_each) + n_each, n_each) + np.arange(int(n_each.sum()))
    return sources, flat[offsets]


def _top(counts: np.ndarray, candidates: np.ndarray, name_of, k: int = TOP_N) -> list[tuple[str, int]]:
    """(id, key) of the top k candidate keys by count desc, then id asc."""
    if not len(candidates):
        return []
    values = counts[candidates]
    kth = np.sort(values)[::-1][min(k, len(values)) - 1]
    picked = candidates[values >= kth]
    ranked = sorted(((-int(counts[key]), name_of(int(key)), int(key)) for key in picked.tolist()))
    return [(name, key) for _, name, key in ranked[:k]]


# ------------------------------------------------------------------ the figures
def lifecycle_figures(u) -> dict:
    view = truth_view(u)
    out = {"datasets_total": int(u.datasets.alive.sum()), "spaces_total": int(u.spaces.alive.sum())}
    out.update(_training_data(u, view))
    out.update(_papers(u, view))
    out.update(_spaces(u))
    return out


def _alive_models(u, view):
    """(synthetic alive slots, kept real slots, [(slot, record)] of hostile records)."""
    return np.flatnonzero(view.syn_alive), np.flatnonzero(view.real_keep), view.extra


def _training_data(u, view) -> dict:
    c, ds, real = u.c, u.datasets, u.real
    keys = Keys(ds.n)

    def key_of(name: str) -> int:
        slot = ds.any_slot(name)
        return slot if slot is not None else keys.name_key(name)

    syn, kept, extra = _alive_models(u, view)
    off_keys = np.array([key_of(name) for name in catalog.OFF_HUB_DATASETS], dtype=np.int64)
    sources, targets = [], []
    for col in ("ds1", "ds2"):
        ref = c[col][syn].astype(np.int64)
        has = ref != -1
        sources.append(syn[has])
        targets.append(np.where(ref[has] >= 0, ref[has], off_keys[np.clip(-2 - ref[has], 0, None)]))
    if len(kept):
        src, tgt = _real_pairs(u, kept, [[key_of(name) for name in record_datasets(rec)] for rec in real.originals])
        sources.append(src)
        targets.append(tgt)
    for slot, rec in extra:
        names = record_datasets(rec)
        sources.append(np.full(len(names), slot))
        targets.append([key_of(name) for name in names])
    model, target = _pairs(sources, targets)
    n_keys = ds.n + len(keys.names)
    per_target = np.bincount(target, minlength=n_keys)
    # created_at of every model node, in ms (-1: unknown)
    created = np.full(u.n_slots, -1, dtype=np.int64)
    created[: u.n_syn] = c["created"] * 1000
    if len(real):
        orig_ms = np.array([_created_ms(o.get("createdAt")) or -1 for o in real.originals], dtype=np.int64)
        created[u.n_syn:] = orig_ms[real.orig]
    for slot, rec in extra:
        created[slot] = _created_ms(rec.get("createdAt")) or -1
    on_hub = np.zeros(n_keys, dtype=bool)
    on_hub[: ds.n] = ds.alive
    ds_ms = np.full(n_keys, -1, dtype=np.int64)
    ds_ms[: ds.n] = ds.c["created"] * 1000
    t, start = created[model], ds_ms[target]
    within = on_hub[target] & (t >= 0) & (start >= 0) & (t >= start) & (t <= start + WINDOW_MS)
    per_target_90 = np.bincount(target[within], minlength=n_keys)

    def name_of(key: int) -> str:
        return ds.repo_id(key) if key < ds.n else keys.name_of(key)

    top = _top(per_target, _distinct(target), name_of)
    return {
        "models_with_training_data": int(len(_distinct(model))),
        "top_training_datasets": [{"dataset_id": name, "models": int(per_target[key]),
                                   "models_within_90_days": int(per_target_90[key]), "on_hub": bool(on_hub[key])}
                                  for name, key in top],
    }


def _papers(u, view) -> dict:
    c, ds, sp, real, pool = u.c, u.datasets, u.spaces, u.real, u.papers
    keys = Keys(len(pool))

    def key_of(arxiv_id: str) -> int:
        code = pool.index.get(arxiv_id)
        return code if code is not None else keys.name_key(arxiv_id)

    syn, kept, extra = _alive_models(u, view)
    sources, targets = [], []
    for col in ("paper1", "paper2"):
        p = c[col][syn].astype(np.int64)
        sources.append(syn[p >= 0])
        targets.append(p[p >= 0])
    if len(kept):
        src, tgt = _real_pairs(u, kept, [[key_of(a) for a in record_papers(rec)] for rec in real.originals])
        sources.append(src)
        targets.append(tgt)
    for slot, rec in extra:
        names = record_papers(rec)
        sources.append(np.full(len(names), slot))
        targets.append([key_of(a) for a in names])
    model, model_paper = _pairs(sources, targets)
    ds_alive = np.flatnonzero(ds.alive & (ds.c["paper"] >= 0))
    sp_alive = np.flatnonzero(sp.alive & (sp.c["paper"] >= 0))
    n_keys = len(pool) + len(keys.names)
    by_models = np.bincount(model_paper, minlength=n_keys)
    by_datasets = np.bincount(ds.c["paper"][ds_alive].astype(np.int64), minlength=n_keys)
    by_spaces = np.bincount(sp.c["paper"][sp_alive].astype(np.int64), minlength=n_keys)
    total = by_models + by_datasets + by_spaces

    def name_of(key: int) -> str:
        return pool.ids[key] if key < len(pool) else keys.name_of(key)

    top = _top(total, np.flatnonzero(total), name_of)
    return {
        "models_with_papers": int(len(_distinct(model))),
        "top_papers": [{"arxiv_id": name, "models": int(by_models[key]), "datasets": int(by_datasets[key]),
                        "spaces": int(by_spaces[key])} for name, key in top],
    }


def _spaces(u) -> dict:
    sp = u.spaces
    alive = np.flatnonzero(sp.alive)
    extra = Keys(u.n_slots)

    def key_of_ref(ref: int) -> int:
        if ref >= REAL_BASE:
            return u.n_syn + ref - REAL_BASE
        if ref >= 0:
            return ref
        name = sp.model_name(ref)
        resolved = model_ref(u, name)   # an off-Hub name that is an id on the Hub counts as that model
        return key_of_ref(resolved) if resolved is not None and resolved != ref else extra.name_key(name)

    sources, targets = [], []
    for col in MODEL_COLS:
        ref = sp.c[col][alive]
        has = ref != -1
        r = ref[has]
        mapped = np.where(r >= REAL_BASE, u.n_syn + r - REAL_BASE, r)
        off = r < 0
        if off.any():
            lookup = {code: key_of_ref(code) for code in _distinct(r[off]).tolist()}
            mapped[off] = [lookup[code] for code in r[off].tolist()]
        sources.append(alive[has])
        targets.append(mapped)
    for slot, refs in sp.boards.items():
        if sp.alive[slot]:
            sources.append(np.full(len(refs), slot))
            targets.append([key_of_ref(int(r)) for r in refs.tolist()])
    space, model = _pairs(sources, targets)
    n_keys = u.n_slots + len(extra.names)
    per_model = np.bincount(model, minlength=n_keys)

    def name_of(key: int) -> str:
        return u.model_id(key) if key < u.n_slots else extra.name_of(key)

    top = _top(per_model, _distinct(model), name_of)
    return {
        "spaces_with_models": int(len(_distinct(space))),
        "top_models_by_spaces": [{"model_id": name, "spaces": int(per_model[key])} for name, key in top],
    }
