"""GET /api/models: parameter validation, filters, keyset cursor, page selection.

The cursor is keyset paging on (sort key, _id), descending, like the Hub's: a listing
sorted by createdAt is stable while models are added; other orders are not.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import numpy as np
import orjson

from hubsim import catalog
from hubsim.render import DEFAULT_KEYS, EXPANDABLE, LIST_FORBIDDEN_EXPAND, PageRenderer
from hubsim.universe import LIB_INDEX, PIPE_INDEX, SORT_KEYS

MAX_LIMIT = 1000
TRUE_VALUES = {"true", "True", "1"}
DEFAULT_SORT = "trendingScore"   # the Hub lists by trending when no sort is given


class BadRequest(Exception):
    pass


@dataclass
class ListQuery:
    sort: str = DEFAULT_SORT
    limit: int = MAX_LIMIT
    filters: tuple = ()
    author: str | None = None
    search: str | None = None
    pipeline_tag: str | None = None
    expand: tuple | None = None     # sorted expand keys, or None
    full: bool = False
    card: bool = False
    config: bool = False
    cursor: str | None = None
    extra: dict = field(default_factory=dict)

    def keys(self) -> list[str] | None:
        """Ordered keys to render (None = full)."""
        if self.expand is not None:
            return list(self.expand)
        if self.full:
            return None
        keys = list(DEFAULT_KEYS)
        if self.config:
            keys.append("config")
        if self.card:
            keys.append("cardData")
        return keys


def parse_query(params: list[tuple[str, str]], allow_list_lineage: bool = False) -> ListQuery:
    q = ListQuery()
    expand: list[str] = []
    filters: list[str] = []
    for name, value in params:
        if name == "limit":
            try:
                q.limit = int(value)
            except ValueError:
                raise BadRequest("limit must be an integer") from None
            if q.limit < 1:
                raise BadRequest("limit must be positive")
            q.limit = min(q.limit, MAX_LIMIT)
        elif name == "sort":
            if value not in SORT_KEYS:
                raise BadRequest(f"Invalid sort parameter: {value}")
            q.sort = value
        elif name == "direction":
            pass   # ignored by the Hub: listings are always descending
        elif name in ("filter", "filter[]"):
            filters.append(value)
        elif name == "author":
            q.author = value
        elif name == "search":
            q.search = value
        elif name == "pipeline_tag":
            q.pipeline_tag = value
        elif name in ("expand", "expand[]"):
            if value not in EXPANDABLE:
                raise BadRequest(f'"expand" must be one of {sorted(EXPANDABLE)}')
            expand.append(value)
        elif name == "full":
            q.full = value in TRUE_VALUES
        elif name == "cardData":
            q.card = value in TRUE_VALUES
        elif name == "config":
            q.config = value in TRUE_VALUES
        elif name == "cursor":
            q.cursor = value
    if expand:
        if q.full or q.card or q.config:
            raise BadRequest("Cannot use expand together with full, cardData or config")
        forbidden = sorted(set(expand) & LIST_FORBIDDEN_EXPAND)
        if forbidden and not allow_list_lineage:
            raise BadRequest(f"expand[]={forbidden[0]} is not supported when listing models")
        q.expand = tuple(sorted(set(expand)))
    q.filters = tuple(sorted(set(filters)))
    return q


# ---------------------------------------------------------------------------- cursor
def encode_cursor(sort: str, key: int, ts: int, rnd: int) -> str:
    raw = orjson.dumps([sort, int(key), int(ts), str(int(rnd))])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[int, int, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        s, key, ts, rnd = orjson.loads(raw)
        if s != sort:
            raise ValueError
        return int(key), int(ts), int(rnd)
    except Exception:
        raise BadRequest("Invalid cursor") from None


# ---------------------------------------------------------------------------- filters
def _author_index(u) -> dict:
    def build():
        top = int(u.c["author"].max()) + 1 if u.n_syn else 0
        return {u.author_name(a): a for a in range(top)}
    return u.cached(("authors",), build)


def _generic_tag_mask(u, tag: str, alive: np.ndarray) -> np.ndarray:
    mask = np.zeros(u.n_slots, dtype=bool)
    renderer = PageRenderer(u)
    syn = np.flatnonzero(alive[: u.n_syn])
    for start in range(0, len(syn), 5000):
        chunk = syn[start:start + 5000].tolist()
        for slot, rec in zip(chunk, renderer.render(chunk, ["tags"], True)):
            if tag in rec.get("tags", ()):
                mask[slot] = True
    return mask


LANG_INDEX = {name: i for i, name in enumerate(catalog.LANGUAGES)}
OFF_HUB_INDEX = {name: -2 - i for i, name in enumerate(catalog.OFF_HUB_DATASETS)}


def _dataset_code(u, name: str) -> int | None:
    """The `ds1`/`ds2` value of a declared dataset id (hubsim.links), None when no model can have it."""
    slot = u.datasets.any_slot(name)
    return slot if slot is not None else OFF_HUB_INDEX.get(name)


def _tag_mask(u, tag: str, alive: np.ndarray) -> np.ndarray:
    c, n = u.c, u.n_syn
    if tag.startswith("license:"):
        lic = catalog.LICENSE_INDEX.get(tag[8:])
        mask = np.zeros(u.n_slots, dtype=bool)
        if lic is not None and lic != 0:
            mask[:n] = (c["lic"] == lic) & ~c["lic_list"]
    elif tag.startswith("base_model:"):
        rest = tag[len("base_model:"):]
        rel = None
        head, _, tail = rest.partition(":")
        if tail and head in catalog.RELATIONS:
            rel, rest = catalog.RELATIONS.index(head), tail
        mask = np.zeros(u.n_slots, dtype=bool)
        parent = u.synthetic_slot(rest)
        if parent is not None:
            hit = (c["parent1"] == parent) | (c["parent2"] == parent) | (c["parent3"] == parent)
            hit &= c["relation"] >= 0
            if rel is not None:
                hit &= c["relation"] == rel
            mask[:n] = hit
    elif tag == "region:us":
        mask = np.ones(u.n_slots, dtype=bool)
    elif tag in PIPE_INDEX or tag in LIB_INDEX:   # tags carry the pipeline and the library
        mask = np.zeros(u.n_slots, dtype=bool)
        mask[:n] = (c["pipeline"] == PIPE_INDEX[tag]) if tag in PIPE_INDEX else (c["library"] == LIB_INDEX[tag])
    elif tag in LANG_INDEX:
        mask = np.zeros(u.n_slots, dtype=bool)
        mask[:n] = (c["lang1"] == LANG_INDEX[tag]) | (c["lang2"] == LANG_INDEX[tag])
    elif tag.startswith("dataset:"):
        d = _dataset_code(u, tag[8:])
        mask = np.zeros(u.n_slots, dtype=bool)
        if d is not None:
            mask[:n] = (c["ds1"] == d) | (c["ds2"] == d)
    elif tag.startswith("arxiv:"):
        p = u.papers.index.get(tag[6:])
        mask = np.zeros(u.n_slots, dtype=bool)
        if p is not None:
            mask[:n] = (c["paper1"] == p) | (c["paper2"] == p)
    else:
        mask = _generic_tag_mask(u, tag, alive)
    mask[n:] = u.real.tag_mask(tag)
    return mask


def _real_field_mask(u, name: str, value: str) -> np.ndarray:
    """Real slots whose `name` equals value (cloning never changes these fields)."""
    real = u.real
    per_original = np.array([o.get(name) == value for o in real.originals], dtype=bool)
    return per_original[real.orig] if real.R else per_original


def filtered_order(u, q: ListQuery):
    """(order, K, T, R): alive slots matching q, descending by (key, _id), with sorted keyset columns."""
    def build():
        order, key, ts, rnd = u.listing_order(q.sort)
        if not (q.filters or q.author or q.search or q.pipeline_tag):
            return order, key, ts, rnd
        if q.filters or q.author or q.search or q.pipeline_tag:
            alive = u.alive_mask()
            mask = alive.copy()
            for tag in q.filters:
                mask &= _tag_mask(u, tag, alive)
            if q.author is not None:
                amask = np.zeros(u.n_slots, dtype=bool)
                a = _author_index(u).get(q.author)
                if a is not None:
                    amask[: u.n_syn] = (u.c["author"] == a) & (u.c["legacy"] < 0)
                amask[u.n_syn:] = _real_field_mask(u, "author", q.author)
                mask &= amask
            if q.pipeline_tag is not None:
                pmask = np.zeros(u.n_slots, dtype=bool)
                p = PIPE_INDEX.get(q.pipeline_tag)
                if p is not None:
                    pmask[: u.n_syn] = u.c["pipeline"] == p
                pmask[u.n_syn:] = _real_field_mask(u, "pipeline_tag", q.pipeline_tag)
                mask &= pmask
            if q.search:
                needle = q.search.lower()
                smask = np.zeros(u.n_slots, dtype=bool)
                for slot in np.flatnonzero(mask).tolist():
                    smask[slot] = needle in u.model_id(slot).lower()
                mask &= smask
            sel = mask[order]
        return order[sel], key[sel], ts[sel], rnd[sel]
    return u.cached(("filtered", q.sort, q.filters, q.author, q.search, q.pipeline_tag), build)


def select_page(u, q: ListQuery):
    """Slots of the requested page and the cursor of the next page (None on the last)."""
    return page_from(filtered_order(u, q), q)


def page_from(arrays, q):
    """The page of q.limit slots after q.cursor in a keyset order (order, key, oid_ts,
    oid_rand), and the cursor of the next page (None on the last)."""
    order, K, T, R = arrays
    pos = 0
    if q.cursor:
        cur = decode_cursor(q.cursor, q.sort)
        lo, hi = 0, len(order)
        while lo < hi:   # first position whose (key, ts, rnd) is below the cursor
            mid = (lo + hi) // 2
            if (int(K[mid]), int(T[mid]), int(R[mid])) < cur:
                hi = mid
            else:
                lo = mid + 1
        pos = lo
    end = min(pos + q.limit, len(order))
    slots = order[pos:end].tolist()
    nxt = None
    if end < len(order) and slots:
        last = end - 1
        nxt = encode_cursor(q.sort, K[last], T[last], R[last])
    return slots, nxt
