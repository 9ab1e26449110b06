"""GET /api/datasets and GET /api/spaces: parameters, filters and pages, over the tables of
hubsim.datasets and hubsim.spaces. The cursor is the models' keyset cursor (hubsim.listing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hubsim import catalog
from hubsim import render_repos as rr
from hubsim.listing import MAX_LIMIT, TRUE_VALUES, BadRequest, page_from
from hubsim.spaces import MODEL_COLS, REAL_BASE


@dataclass(frozen=True)
class RepoType:
    """What differs between the two list endpoints."""
    kind: str                      # "datasets" | "spaces"
    singular: str
    all_keys: list
    default_keys: list
    full_keys: list
    one_keys: list
    expandable: set
    sort_keys: tuple
    renderer: type

    def table(self, u):
        return u.datasets if self.kind == "datasets" else u.spaces

    def render(self, u, slots, keys, expand: bool) -> list[dict]:
        """keys: ordered keys (None = full); expand: they came from expand[]."""
        want = rr.wanted_keys(self.all_keys, self.default_keys, self.full_keys, keys, expand)
        return self.renderer(self.table(u)).render(slots, want)


DATASETS = RepoType("datasets", "dataset", rr.DATASET_KEYS, rr.DATASET_DEFAULT_KEYS, rr.DATASET_FULL_KEYS,
                    rr.DATASET_ONE_KEYS, rr.DATASET_EXPANDABLE,
                    ("createdAt", "lastModified", "downloads", "likes", "trendingScore"), rr.DatasetRenderer)
SPACES = RepoType("spaces", "space", rr.SPACE_KEYS, rr.SPACE_DEFAULT_KEYS, rr.SPACE_FULL_KEYS, rr.SPACE_ONE_KEYS,
                  rr.SPACE_EXPANDABLE, ("createdAt", "lastModified", "likes", "trendingScore"), rr.SpaceRenderer)
DEFAULT_SORT = "trendingScore"


@dataclass
class RepoQuery:
    repo: RepoType
    sort: str = DEFAULT_SORT
    limit: int = MAX_LIMIT
    filters: tuple = ()
    author: str | None = None
    search: tuple = ()
    gated: bool | None = None      # datasets
    models: tuple = ()             # Spaces using every one of these models
    datasets: tuple = ()           # Spaces using every one of these datasets
    linked: bool = False           # Spaces using at least one model or dataset
    expand: tuple | None = None
    full: bool = False
    cursor: str | None = None

    def keys(self) -> list[str] | None:
        """Ordered keys to render (None = full)."""
        if self.expand is not None:
            return list(self.expand)
        if self.full:
            return None
        return list(self.repo.default_keys)

    def cache_key(self) -> tuple:
        return (self.repo.kind, "filtered", self.sort, self.filters, self.author, self.search, self.gated,
                self.models, self.datasets, self.linked)


def parse_repo_query(repo: RepoType, params: list[tuple[str, str]], allow_list_storage: bool = False) -> RepoQuery:
    q = RepoQuery(repo)
    expand, filters, search, models, datasets = [], [], [], [], []
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
            if value not in repo.sort_keys:
                raise BadRequest(f"Invalid sort parameter: {value}")
            q.sort = value
        elif name in ("filter", "filter[]"):
            filters.append(value)
        elif name == "author":
            q.author = value
        elif name == "search":
            search.append(value)
        elif name == "gated" and repo.kind == "datasets":
            q.gated = value in TRUE_VALUES
        elif name == "models" and repo.kind == "spaces":
            models.append(value)
        elif name == "datasets" and repo.kind == "spaces":
            datasets.append(value)
        elif name == "linked" and repo.kind == "spaces":
            q.linked = value in TRUE_VALUES
        elif name in ("expand", "expand[]"):
            if value not in repo.expandable:
                raise BadRequest(f'"expand" must be one of {sorted(repo.expandable)}')
            expand.append(value)
        elif name == "full":
            q.full = value in TRUE_VALUES
        elif name == "cursor":
            q.cursor = value
    if expand:
        if q.full:
            raise BadRequest("Cannot use expand together with full")
        forbidden = sorted(set(expand) & rr.LIST_FORBIDDEN_EXPAND)
        if forbidden and not allow_list_storage:
            raise BadRequest(f"expand[]={forbidden[0]} is not supported when listing {repo.kind}")
        q.expand = tuple(sorted(set(expand)))
    q.filters = tuple(sorted(set(filters)))
    q.search = tuple(sorted(set(search)))
    q.models, q.datasets = tuple(sorted(set(models))), tuple(sorted(set(datasets)))
    return q


# ---------------------------------------------------------------------------- filters
def _tag_mask(u, repo: RepoType, tag: str, alive: np.ndarray) -> np.ndarray:
    table = repo.table(u)
    if tag == "region:us":
        return alive.copy()
    mask = np.zeros(table.n, dtype=bool)
    slots = np.flatnonzero(alive)
    renderer = repo.renderer(table)
    for start in range(0, len(slots), 5000):
        chunk = slots[start:start + 5000].tolist()
        for slot, rec in zip(chunk, renderer.render(chunk, ["tags"])):
            if tag in rec["tags"]:
                mask[slot] = True
    return mask


def model_ref(u, model_id: str) -> int | None:
    """A Space's reference to a model id (hubsim.spaces), None when no Space can use it."""
    r = u.real.index.get(model_id)
    if r is not None:
        return REAL_BASE + r
    slot = u.synthetic_slot(model_id)
    if slot is not None:
        return slot
    if model_id in catalog.EXTERNAL_PARENTS:
        return -2 - catalog.EXTERNAL_PARENTS.index(model_id)
    return None


def _uses_model(spaces, ref: int) -> np.ndarray:
    c = spaces.c
    mask = np.zeros(spaces.n, dtype=bool)
    for col in MODEL_COLS:
        mask |= c[col] == ref
    for slot, refs in spaces.boards.items():
        mask[slot] |= bool((refs == ref).any())
    return mask


def filtered_order(u, q: RepoQuery):
    table = q.repo.table(u)

    def build():
        order, key, ts, rnd = table.listing_order(q.sort)
        if not (q.filters or q.author or q.search or q.gated is not None or q.models or q.datasets or q.linked):
            return order, key, ts, rnd
        alive = table.alive
        mask = alive.copy()
        for tag in q.filters:
            mask &= _tag_mask(u, q.repo, tag, alive)
        if q.gated is not None:
            mask &= (table.c["gated"] > 0) == q.gated
        for model_id in q.models:
            ref = model_ref(u, model_id)
            mask &= _uses_model(table, ref) if ref is not None else False
        for dataset_id in q.datasets:
            d = u.datasets.any_slot(dataset_id)
            mask &= ((table.c["d1"] == d) | (table.c["d2"] == d)) if d is not None else False
        if q.linked:
            mask &= (table.c["m1"] != -1) | (table.c["d1"] != -1) | np.isin(np.arange(table.n), list(table.boards))
        if q.author is not None or q.search:
            needles = [s.lower() for s in q.search]
            for slot in np.flatnonzero(mask).tolist():
                if q.author is not None and table.author_of(slot) != q.author:
                    mask[slot] = False
                    continue
                rid = table.repo_id(slot).lower()
                mask[slot] = all(n in rid for n in needles)
        sel = mask[order]
        return order[sel], key[sel], ts[sel], rnd[sel]
    return u.cached(q.cache_key(), build)


def select_page(u, q: RepoQuery):
    return page_from(filtered_order(u, q), q)
