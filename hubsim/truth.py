"""Headline figures of a universe, computed from the simulator's own state (docs/figures.md).

Synthetic models are counted straight from the numpy columns; real records are parsed here
with hubsim's own code. Never imports crawler/, storage/ or analysis/: truth and crawl are
independent checks of each other.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from hubsim import catalog, clock

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


# ------------------------------------------------------------------ figures
def compute_truth(u) -> dict:
    S = u.snapshot_date
    alive = u.alive_syn
    c = u.c
    real = u.real.records
    last30_lo = clock.day_start_ts(S, 1) - 29 * clock.DAY_SECONDS   # (S-30, S] = [S-29, S]
    last30_hi = clock.day_start_ts(S, 1) + clock.DAY_SECONDS

    created = np.concatenate([c["created"][alive], u.real.key("createdAt")])
    total = int(len(created))
    last30 = int(((created >= last30_lo) & (created < last30_hi)).sum())
    months = created.astype("datetime64[s]").astype("datetime64[M]")
    keys, counts = np.unique(months, return_counts=True)
    by_month = {str(k): int(n) for k, n in zip(keys, counts)}

    gated = dict.fromkeys(("none", "auto", "manual"), 0)
    g = np.bincount(c["gated"][alive], minlength=3)
    for name, n in zip(("none", "auto", "manual"), g.tolist()):
        gated[name] += n
    for rec in real:
        gated[_gated_key(rec.get("gated"))] += 1

    licenses: dict[str, int] = {}
    lc = np.bincount(c["lic"][alive].astype(np.int64), minlength=len(catalog.LICENSE_IDS))
    for name, n in zip(catalog.LICENSE_IDS, lc.tolist()):
        if n:
            licenses[name] = licenses.get(name, 0) + n
    for rec in real:
        name = record_license(rec) or "none"
        licenses[name] = licenses.get(name, 0) + 1
    families: dict[str, int] = {}
    for name, n in licenses.items():
        fam = catalog.license_family(name)
        families[fam] = families.get(fam, 0) + n

    dl_all = u.dl_all_now[alive]
    ge100m = int((dl_all >= 100_000_000).sum())
    for rec in real:
        v = rec.get("downloadsAllTime")
        if isinstance(v, int) and not isinstance(v, bool) and v >= 100_000_000:
            ge100m += 1

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
        c, n = u.c, u.n_syn
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

        alive = u.alive_syn
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
        rc, rp, rr = [], [], []
        for i, rec in enumerate(u.real.records):
            for pid, relation in record_edges(rec):
                rc.append(n + i)
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
