"""Headline figures of a universe, computed from the simulator's own state (docs/figures.md).

Synthetic models are counted straight from the numpy columns; real records are parsed here
with hubsim's own code. Never imports crawler/, storage/ or analysis/: truth and crawl are
independent checks of each other.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from hubsim import catalog, clock
from hubsim.ingest import read_record
from hubsim.render import ALL_KEYS, PageRenderer

RELATION_KEYS = ("finetune", "adapter", "quantized", "merge", "unknown")
REL_CODE = {name: i for i, name in enumerate(RELATION_KEYS)}
TOP_N = 20


# ------------------------------------------------------------------ real-record parsing
def record_license(rec: dict) -> str | None:
    """First license:<x> tag, else cardData.license (first element of a list), lower-cased."""
    for tag in rec.get("tags") or ():
        if isinstance(tag, str) and tag.startswith("license:") and len(tag) > 8:
            return tag[8:].lower()
    card = rec.get("cardData")
    value = card.get("license") if isinstance(card, dict) else None
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str) and value:
        return value.lower()
    return None


def record_edges(rec: dict) -> list[tuple[str, str]]:
    """(parent id, relation) edges of a record by the precedence of docs/figures.md."""
    child = rec.get("id")
    edges: list[tuple[str, str]] = []
    bm = rec.get("baseModels")
    for group in (bm if isinstance(bm, list) else [bm] if isinstance(bm, dict) else []):
        if isinstance(group, dict):
            for m in group.get("models") or ():
                if isinstance(m, dict) and isinstance(m.get("id"), str):
                    edges.append((m["id"], group.get("relation")))
    if not edges:
        for tag in rec.get("tags") or ():
            if isinstance(tag, str) and tag.startswith("base_model:"):
                parts = tag.split(":", 2)
                if len(parts) == 3 and parts[1] in RELATION_KEYS[:4]:
                    edges.append((parts[2], parts[1]))
    if not edges:
        card = rec.get("cardData")
        value = card.get("base_model") if isinstance(card, dict) else None
        values = value if isinstance(value, list) else [value]
        edges = [(v, "unknown") for v in values if isinstance(v, str) and v]
    return [(p, r) for p, r in dict.fromkeys(edges) if p != child]


def _gated_key(value) -> str:
    return value if value in ("auto", "manual") else "none"


def real_edge_arrays(real):
    """Edges of every real record, clones included (hubsim.realdata: copy k of a child points
    to copy k of an in-file parent when it exists, else to the original parent):
    (child real slot, parent real slot or -1, index into names or -1, relation code, names of
    parents outside the file). Computed once per RealRecords (records never change)."""
    cached = getattr(real, "_edge_arrays", None)
    if cached is not None:
        return cached
    e_i, e_j, e_x, e_rel = [], [], [], []
    names: dict[str, int] = {}
    for i, rec in enumerate(real.originals):
        for pid, relation in record_edges(rec):
            j = real.orig_index.get(pid)
            e_i.append(i)
            e_j.append(-1 if j is None else j)
            e_x.append(names.setdefault(pid, len(names)) if j is None else -1)
            e_rel.append(REL_CODE.get(relation, REL_CODE["unknown"]))
    e_i, e_j, e_x, e_rel = (np.array(v, dtype=np.int64) for v in (e_i, e_j, e_x, e_rel))
    if real.R and len(e_i):
        R, n = real.R, real.n
        copies = n // R + (np.arange(R) < n % R)
        cnt = copies[e_i]
        edge = np.repeat(np.arange(len(e_i)), cnt)
        k = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        child = k * R + e_i[edge]
        pj = e_j[edge]
        cand = k * R + pj
        parent = np.where(pj >= 0, np.where(cand < n, cand, pj), -1)
        out = (child, parent, e_x[edge], e_rel[edge], list(names))
    else:
        out = (e_i, e_j, e_x, e_rel, list(names))
    real._edge_arrays = out
    return out


class TruthView:
    """What a full listing of day D stores, by docs/ingest.md: synthetic slots counted from the
    arrays (`syn_alive`), real records from their originals (`real_keep`), and hostile records
    (hubsim.hostile) read from the bytes a full listing serves: rejected whole (left out of
    everything) or stored with their dropped values as None (`extra`: (slot, record))."""

    FULL_LISTING_KEYS = [k for k in ALL_KEYS if k not in ("baseModels", "childrenModelCount", "usedStorage")]

    def __init__(self, u) -> None:
        self.syn_alive = u.alive_syn.copy()
        self.real_keep = np.ones(len(u.real), dtype=bool)
        self.extra: list[tuple[int, dict]] = []
        self.rejected: dict[int, str] = {}
        self.dropped: dict[int, list[str]] = {}
        alive = u.alive_mask()
        slots = sorted(s for s in u.hostile.by_slot if alive[s])
        if not slots:
            return
        # The latest Date of day D: a time later than it + 1 day is never trusted.
        date_ts = clock.day_start_ts(u.start_date, u.day) + clock.DAY_SECONDS - 1
        parts = PageRenderer(u).render_bytes(slots, self.FULL_LISTING_KEYS, True)
        for slot, raw in zip(slots, parts):
            if slot < u.n_syn:
                self.syn_alive[slot] = False
            else:
                self.real_keep[slot - u.n_syn] = False
            reason, rec, dropped = read_record(raw, date_ts)
            if reason is not None:
                self.rejected[slot] = reason
            else:
                self.extra.append((slot, rec))
                self.dropped[slot] = dropped


def truth_view(u) -> TruthView:
    return u.cached(("truth_view",), lambda: TruthView(u))


def _per_original(real, keep, values: list) -> dict:
    """Counts of a per-original value over the kept real slots (clones share their original's)."""
    if not real.R:
        return {}
    codes, inverse = np.unique(np.array(values, dtype=object).astype(str), return_inverse=True)
    counts = np.bincount(inverse[real.orig[keep]], minlength=len(codes))
    return {str(name): int(n) for name, n in zip(codes, counts) if n}


# ------------------------------------------------------------------ figures
def compute_truth(u) -> dict:
    S = u.snapshot_date
    view = truth_view(u)
    alive = view.syn_alive
    keep = view.real_keep
    c = u.c
    real = u.real
    extra = [rec for _, rec in view.extra]
    last30_lo = clock.day_start_ts(S, 1) - 29 * clock.DAY_SECONDS   # (S-30, S] = [S-29, S]
    last30_hi = clock.day_start_ts(S, 1) + clock.DAY_SECONDS

    extra_created = np.array([r["createdAt"] for r in extra if r.get("createdAt") is not None], dtype=np.int64)
    created = np.concatenate([c["created"][alive], real.key("createdAt")[keep], extra_created])
    total = int(alive.sum()) + int(keep.sum()) + len(extra)
    last30 = int(((created >= last30_lo) & (created < last30_hi)).sum())
    months = created.astype("datetime64[s]").astype("datetime64[M]")
    keys, counts = np.unique(months, return_counts=True)
    by_month = {str(k): int(n) for k, n in zip(keys, counts)}

    gated = dict.fromkeys(("none", "auto", "manual"), 0)
    g = np.bincount(c["gated"][alive], minlength=3)
    for name, n in zip(("none", "auto", "manual"), g.tolist()):
        gated[name] += n
    for name, n in _per_original(real, keep, [_gated_key(o.get("gated")) for o in real.originals]).items():
        gated[name] += n
    for rec in extra:
        if "gated" in rec:   # an absent key is unknown: no gated value to count
            gated[_gated_key(rec["gated"])] += 1

    licenses: dict[str, int] = {}
    lc = np.bincount(c["lic"][alive].astype(np.int64), minlength=len(catalog.LICENSE_IDS))
    for name, n in zip(catalog.LICENSE_IDS, lc.tolist()):
        if n:
            licenses[name] = licenses.get(name, 0) + n
    real_lic = _per_original(real, keep, [record_license(o) or "none" for o in real.originals])
    for name in [record_license(rec) or "none" for rec in extra]:
        real_lic[name] = real_lic.get(name, 0) + 1
    for name, n in real_lic.items():
        licenses[name] = licenses.get(name, 0) + n
    families: dict[str, int] = {}
    for name, n in licenses.items():
        fam = catalog.license_family(name)
        families[fam] = families.get(fam, 0) + n

    dl_all = u.dl_all_now[alive]
    ge100m = int((dl_all >= 100_000_000).sum())
    big = [isinstance(v, int) and not isinstance(v, bool) and v >= 100_000_000
           for v in (o.get("downloadsAllTime") for o in real.originals)]
    ge100m += _per_original(real, keep, big).get("True", 0)
    ge100m += sum(1 for rec in extra if (rec.get("downloadsAllTime") or 0) >= 100_000_000)

    graph = LineageGraph.from_universe(u)
    figures = {
        "snapshot_date": S.isoformat(),
        "models_total": total,
        "models_created_last_30d": last30,
        "models_created_by_month": dict(sorted(by_month.items())),
        "gated": gated,
        "gated_share": round((gated["auto"] + gated["manual"]) / total, 6) if total else 0.0,
        "license_counts": dict(sorted(licenses.items())),
        "license_family_counts": dict(sorted(families.items())),
        "models_with_base_model": graph.children_with_edges(),
        "relation_counts": graph.relation_counts(),
        "top_derivatives": graph.top_derivatives(TOP_N),
        "models_ge_100m_downloads_all_time": ge100m,
    }
    return dict(sorted(figures.items()))


class LineageGraph:
    """Distinct (child, parent, relation) edges whose child is alive, over integer nodes:
    synthetic slots, then real records, then parents that are not on the Hub."""

    def __init__(self, u, child, parent, rel, names_extra: list[str]) -> None:
        self.u = u
        self.n_nodes = u.n_slots + len(names_extra)
        self.names_extra = names_extra
        if len(child):
            e = np.unique(np.stack([parent, child, rel]).T, axis=0)
            self.parent, self.child, self.rel = e[:, 0], e[:, 1], e[:, 2]
        else:
            self.parent = self.child = self.rel = np.zeros(0, dtype=np.int64)

    @classmethod
    def from_universe(cls, u) -> "LineageGraph":
        """Edges of what a full listing stores (TruthView): hostile records by their bytes."""
        c, n = u.c, u.n_syn
        view = truth_view(u)
        extra: dict[str, int] = {}

        def node_of(model_id: str) -> int:
            r = u.real.index.get(model_id)
            if r is not None:
                return n + r
            slot = u.synthetic_slot(model_id)
            if slot is not None:
                return slot
            if model_id not in extra:
                extra[model_id] = u.n_slots + len(extra)
            return extra[model_id]

        alive = view.syn_alive
        slots = np.arange(n, dtype=np.int64)
        parts_c, parts_p, parts_r = [], [], []
        for col in ("parent1", "parent2", "parent3"):
            ok = alive & (c[col] >= 0) & (c["relation"] >= 0)
            parts_c.append(slots[ok])
            parts_p.append(c[col][ok].astype(np.int64))
            parts_r.append(c["relation"][ok].astype(np.int64))
        ext = alive & (c["ext"] >= 0)
        ext_nodes = np.array([node_of(name) for name in catalog.EXTERNAL_PARENTS], dtype=np.int64)
        parts_c.append(slots[ext])
        parts_p.append(ext_nodes[c["ext"][ext].astype(np.int64)] if ext.any() else np.zeros(0, dtype=np.int64))
        parts_r.append(np.full(int(ext.sum()), REL_CODE["unknown"], dtype=np.int64))
        child_r, parent_r, ext_idx, rel, names = real_edge_arrays(u.real)
        ok = view.real_keep[child_r] if len(child_r) else np.zeros(0, dtype=bool)
        name_nodes = np.array([node_of(name) for name in names] + [0], dtype=np.int64)
        parts_c.append(n + child_r[ok])
        parts_p.append(np.where(parent_r[ok] >= 0, n + parent_r[ok], name_nodes[ext_idx[ok]]))
        parts_r.append(rel[ok])
        rc, rp, rr = [], [], []
        for slot, rec in view.extra:
            child = node_of(rec["id"]) if rec["id"] != u.model_id(slot) else slot
            for pid, relation in record_edges(rec):
                rc.append(child)
                rp.append(node_of(pid))
                rr.append(REL_CODE.get(relation, REL_CODE["unknown"]))
        parts_c.append(np.array(rc, dtype=np.int64))
        parts_p.append(np.array(rp, dtype=np.int64))
        parts_r.append(np.array(rr, dtype=np.int64))
        child, parent, rel = (np.concatenate(x) for x in (parts_c, parts_p, parts_r))
        keep = child != parent
        return cls(u, child[keep], parent[keep], rel[keep], list(extra))

    def name(self, node: int) -> str:
        if node >= self.u.n_slots:
            return self.names_extra[node - self.u.n_slots]
        return self.u.model_id(node)

    def children_with_edges(self) -> int:
        return int(len(np.unique(self.child)))

    def relation_counts(self) -> dict:
        counts = np.bincount(self.rel, minlength=5).tolist()
        return dict(sorted(zip(RELATION_KEYS, counts)))

    def top_derivatives(self, k: int) -> list[dict]:
        if not len(self.child):
            return []
        V = self.n_nodes
        pc = np.unique(np.stack([self.parent, self.child]).T, axis=0)   # distinct (parent, child)
        p, ch = pc[:, 0], pc[:, 1]
        direct = np.bincount(p, minlength=V)
        by_rel = np.zeros((V, 5), dtype=np.int64)
        np.add.at(by_rel, (self.parent, self.rel), 1)
        indptr = np.concatenate([[0], np.cumsum(direct)])   # children of node v: ch[indptr[v]:indptr[v+1]]
        bound = self._path_bound(p, ch, V)
        candidates = np.unique(p)
        candidates = candidates[np.argsort(-bound[candidates], kind="stable")]
        results: list[tuple[int, str, int]] = []
        visited = np.zeros(V, dtype=bool)
        for node in candidates.tolist():
            if len(results) >= k:
                kth = sorted(r[0] for r in results)[-k]
                if bound[node] < kth:
                    break
            results.append((self._reach(node, indptr, ch, visited), self.name(node), node))
        results.sort(key=lambda r: (-r[0], r[1]))
        out = []
        for desc, name, node in results[:k]:
            rel = by_rel[node].tolist()
            out.append({"model_id": name, "direct": int(direct[node]), "descendants": int(desc),
                        "finetune": rel[0], "adapter": rel[1], "quantized": rel[2], "merge": rel[3]})
        return out

    @staticmethod
    def _path_bound(p, ch, V) -> np.ndarray:
        """Upper bound of descendants: number of paths (exact on trees). Infinite on cycles."""
        level = np.zeros(V, dtype=np.int64)
        for _ in range(V + 1):
            new = level.copy()
            np.maximum.at(new, ch, level[p] + 1)
            if np.array_equal(new, level):
                break
            level = new
            if int(level.max()) > 10_000:   # a cycle: no finite bound, check everything exactly
                return np.full(V, np.inf)
        bound = np.zeros(V, dtype=np.float64)
        lc = level[ch]
        for lv in range(int(level.max()), 0, -1):
            sel = lc == lv
            np.add.at(bound, p[sel], 1.0 + bound[ch[sel]])
        return bound

    @staticmethod
    def _reach(node: int, indptr, ch, visited) -> int:
        """Distinct nodes reachable from `node` (excluded), vectorised BFS."""
        touched = [np.array([node])]
        visited[node] = True
        frontier = np.array([node])
        count = 0
        while len(frontier):
            starts, ends = indptr[frontier], indptr[frontier + 1]
            lens = ends - starts
            total = int(lens.sum())
            if total == 0:
                break
            offs = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
            nxt = np.unique(ch[offs])
            nxt = nxt[~visited[nxt]]
            visited[nxt] = True
            touched.append(nxt)
            count += len(nxt)
            frontier = nxt
        for t in touched:
            visited[t] = False
        return count
