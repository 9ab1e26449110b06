"""The crawl plans, declared as data (dlt-style): what to list, in which order, with which
expand[] set, and when to stop. One generic source (crawler.source) runs them; the repository
type is a parameter of a plan, not a copy of the code.

A night asks for the sweep and the refresh. The first night (no refresh watermark yet) would
have the refresh list every model with the heavy fields, which carry every light field too, so
the light sweep would only repeat it: that night runs `full` instead (heavy fields, every
model, createdAt order), half the requests of sweep + refresh (on the real Hub ~3,000 pages,
~15 minutes of a free account's budget). `full` can also be asked for explicitly, to re-read
every model's heavy fields.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

PAGE_LIMIT = 1000                      # the Hub's maximum page size
# The refresh re-reads this much before the last watermark: room for the Hub's listing index
# lagging behind its commits. (A model modified while a listing runs needs no overlap: the
# watermark is the newest lastModified of the listing's FIRST page, which the server sent
# before any later modification could be stamped.)
SAFETY_OVERLAP = dt.timedelta(hours=1)

# Light: what changes without a commit (counts, gating) or decides aliveness (the ids every
# record carries). Nothing the refresh brings anyway: createdAt/lastModified of a new or
# modified model come with its heavy record, and each timestamp costs ~6 of the ~35 bytes a
# model weighs gzipped. The sweep lists every model every night, so its weight IS the night's.
SWEEP_EXPAND = ("downloads", "downloadsAllTime", "likes", "gated", "private", "disabled")
# Heavy: the descriptive fields. NOT baseModels / childrenModelCount / usedStorage: the list
# endpoint rejects them with 400 (lineage comes from tags and cardData instead).
REFRESH_EXPAND = ("author", "sha", "createdAt", "lastModified", "private", "disabled", "gated", "downloads",
                  "downloadsAllTime", "likes", "trendingScore", "library_name", "pipeline_tag", "tags",
                  "cardData", "safetensors", "siblings")
# Datasets (huggingface_hub's ExpandDatasetProperty_T): the same split. Not siblings (file lists
# say nothing the figures use), citation/description (long free text), mainSize/usedStorage.
DATASET_SWEEP_EXPAND = ("downloads", "downloadsAllTime", "likes", "gated", "private", "disabled")
DATASET_REFRESH_EXPAND = ("author", "sha", "createdAt", "lastModified", "private", "disabled", "gated", "downloads",
                          "downloadsAllTime", "likes", "trendingScore", "tags", "cardData", "paperswithcode_id")
# Spaces (ExpandSpaceProperty_T) have no downloads; the runtime (RUNNING, SLEEPING, ...) changes
# without a commit, so the sweep reads it every night; what a Space uses (models, datasets) comes
# with its commits, in the refresh.
SPACE_SWEEP_EXPAND = ("likes", "private", "disabled", "runtime")
SPACE_REFRESH_EXPAND = ("author", "sha", "createdAt", "lastModified", "private", "disabled", "likes", "trendingScore",
                        "tags", "cardData", "sdk", "runtime", "models", "datasets")
REPO_TYPES = ("models", "datasets", "spaces")


@dataclass(frozen=True)
class Plan:
    name: str                          # sweep | refresh | full | catchup
    repo_type: str                     # models (datasets and spaces share the code path)
    sort: str
    expand: tuple[str, ...]
    heavy: bool                        # rows carry the descriptive fields (lists mean "none" when absent)
    lists_every_repo: bool = False     # a complete run lists every alive repository (counts, deletions)
    records_watermark: bool = False    # remembers the newest trusted lastModified of its first page
    stops_at_watermark: bool = False   # stop once a page is older than the previous watermark - overlap
    limit: int = PAGE_LIMIT
    params: tuple = field(default=())
    by_id: bool = False                # GETs single repositories instead of listing

    @property
    def key(self) -> str:
        """The plan's name among every type's plans: 'models/sweep' (how storage names it)."""
        return f"{self.repo_type}/{self.name}"

    @property
    def path(self) -> str:
        return f"/api/{self.repo_type}/{{repo_id}}" if self.by_id else f"/api/{self.repo_type}"

    @property
    def reads_last_modified(self) -> bool:
        return self.records_watermark or self.stops_at_watermark

    def query(self) -> list[tuple[str, str]]:
        if self.by_id:
            return [("expand[]", e) for e in self.expand] + list(self.params)
        q = [("sort", self.sort), ("direction", "-1"), ("limit", str(self.limit))]
        q += [("expand[]", e) for e in self.expand]
        return q + list(self.params)


def repo_plans(repo_type: str, sweep_expand: tuple[str, ...], refresh_expand: tuple[str, ...]) -> dict[str, Plan]:
    """sweep, refresh, full and catchup for one repository type."""
    # createdAt is the one order that stays stable while the Hub changes under a cursor.
    return {
        "sweep": Plan("sweep", repo_type, "createdAt", sweep_expand, heavy=False, lists_every_repo=True),
        "refresh": Plan("refresh", repo_type, "lastModified", refresh_expand, heavy=True,
                        records_watermark=True, stops_at_watermark=True),
        "full": Plan("full", repo_type, "createdAt", refresh_expand, heavy=True, lists_every_repo=True,
                     records_watermark=True),
        # After a sweep and a refresh: repositories the sweep listed that no refresh has ever
        # brought (made public long after their last commit, so a listing by lastModified never
        # reaches them; or missed by an index lagging more than the overlap). Fetched one by one
        # with the heavy fields, at most CATCHUP_MAX a night (a free account's budget is 1,000
        # requests per 5 minutes); the rest follow on the next nights. Not a plan one asks for:
        # the night decides.
        "catchup": Plan("catchup", repo_type, "", refresh_expand, heavy=True, by_id=True),
    }


PLANS_BY_TYPE = {
    "models": repo_plans("models", SWEEP_EXPAND, REFRESH_EXPAND),
    "datasets": repo_plans("datasets", DATASET_SWEEP_EXPAND, DATASET_REFRESH_EXPAND),
    "spaces": repo_plans("spaces", SPACE_SWEEP_EXPAND, SPACE_REFRESH_EXPAND),
}
PLANS = PLANS_BY_TYPE["models"]
SWEEP, REFRESH, FULL, CATCHUP = PLANS["sweep"], PLANS["refresh"], PLANS["full"], PLANS["catchup"]
LISTING_PLANS = ("sweep", "refresh", "full")   # what a user may ask for (catchup follows by itself)
CATCHUP_MAX = 1000
CATCHUP_PAGE = 100     # fetched records committed together as one staged page

# A repository id as the Hub spells them (`name` or `namespace/name`): anything else is not
# put into a URL path (an id is untrusted input; `..` or `?` would address another resource).
REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9._-]{1,96})?$")


def repo_path(plan: Plan, repo_id: str) -> str | None:
    """The single-repository path for repo_id, or None when it is not a well-formed Hub id."""
    if not REPO_ID.match(repo_id) or ".." in repo_id:
        return None
    return plan.path.format(repo_id=repo_id)


def plans_for_night(requested, prev_watermark: dt.datetime | None) -> tuple[str, ...]:
    """The listing plans a night runs, in order, for the plans asked for.

    `full` does the work of both others: asked for with either, it replaces them. Sweep and
    refresh without a watermark (the first night) become `full`. The watermark of a `full`
    run is the newest lastModified of its first page (the newest models): a model modified
    while it ran, after its cursor passed it, is stamped later than that and so is re-read by
    the next refresh.
    """
    requested = set(requested)
    if "full" in requested or ({"sweep", "refresh"} <= requested and prev_watermark is None):
        return ("full",)
    return tuple(name for name in ("sweep", "refresh") if name in requested)


def is_last_page(plan: Plan, oldest: dt.datetime | None, prev_watermark: dt.datetime | None) -> bool:
    """The refresh stops once a page reaches models older than the previous watermark minus
    the overlap (everything below was fetched by an earlier refresh). `oldest` is the oldest
    trusted lastModified of the page (crawler.hubtime)."""
    if not plan.stops_at_watermark or prev_watermark is None or oldest is None:
        return False
    return oldest < prev_watermark - SAFETY_OVERLAP
