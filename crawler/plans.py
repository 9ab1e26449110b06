"""The crawl plans, declared as data (dlt-style): what to list, in which order, with which
expand[] set, and when to stop. One generic paginator (crawler.night) runs them.

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


@dataclass(frozen=True)
class Plan:
    name: str
    path: str
    sort: str
    expand: tuple[str, ...]
    heavy: bool                        # rows carry the descriptive fields (lists mean "none" when absent)
    lists_every_model: bool = False    # a complete run lists every alive model (counts, deletions)
    records_watermark: bool = False    # remembers the newest lastModified of its first page (next refresh stops there)
    stops_at_watermark: bool = False   # stop once a page is older than the previous watermark - overlap
    limit: int = PAGE_LIMIT
    params: tuple = field(default=())
    by_id: bool = False                # GETs single models (path has {model_id}) instead of listing

    def query(self) -> list[tuple[str, str]]:
        if self.by_id:
            return [("expand[]", e) for e in self.expand] + list(self.params)
        q = [("sort", self.sort), ("direction", "-1"), ("limit", str(self.limit))]
        q += [("expand[]", e) for e in self.expand]
        return q + list(self.params)


# createdAt is the one order that stays stable while the Hub changes under a cursor.
SWEEP = Plan(name="sweep", path="/api/models", sort="createdAt", expand=SWEEP_EXPAND, heavy=False,
             lists_every_model=True)
REFRESH = Plan(name="refresh", path="/api/models", sort="lastModified", expand=REFRESH_EXPAND, heavy=True,
               records_watermark=True, stops_at_watermark=True)
FULL = Plan(name="full", path="/api/models", sort="createdAt", expand=REFRESH_EXPAND, heavy=True,
            lists_every_model=True, records_watermark=True)
PLANS = {p.name: p for p in (SWEEP, REFRESH, FULL)}

# After a sweep and a refresh: models the sweep listed that no refresh has ever brought (made
# public long after their last commit, so a listing by lastModified never reaches them; or
# missed by an index lagging more than the overlap). Fetched one by one from the single-model
# endpoint with the heavy fields, at most CATCHUP_MAX a night (a free account's budget is
# 1,000 requests per 5 minutes); the rest are caught up on the following nights. Not a plan
# one asks for: the night decides (crawler.night).
CATCHUP = Plan(name="catchup", path="/api/models/{model_id}", sort="", expand=REFRESH_EXPAND, heavy=True,
               by_id=True)
CATCHUP_MAX = 1000
CATCHUP_PAGE = 100     # fetched records committed together as one staged page

# A model id as the Hub spells them (`name` or `namespace/name`): anything else is not put
# into a URL path (an id is untrusted input; `..` or `?` would address another resource).
MODEL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9._-]{1,96})?$")


def model_path(plan: Plan, model_id: str) -> str | None:
    """The single-model path for model_id, or None when it is not a well-formed Hub id."""
    if not MODEL_ID.match(model_id) or ".." in model_id:
        return None
    return plan.path.format(model_id=model_id)


def plans_for_night(requested, prev_watermark: dt.datetime | None) -> tuple[str, ...]:
    """The plans a night runs, in order, for the plans asked for.

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


def parse_hub_time(value) -> dt.datetime | None:
    """The Hub's ISO timestamps ("2025-03-06T13:32:06.000Z") as naive UTC datetimes."""
    if not isinstance(value, str):
        return None
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is not None:
        t = t.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return t


def page_time_range(last_modified) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(oldest, newest) of a page's lastModified values (unparseable ones are ignored)."""
    times = [t for t in map(parse_hub_time, last_modified) if t]
    return (min(times), max(times)) if times else (None, None)


def is_last_page(plan: Plan, oldest: dt.datetime | None, prev_watermark: dt.datetime | None) -> bool:
    """The refresh stops once a page reaches models older than the previous watermark minus
    the overlap (everything below was fetched by an earlier refresh)."""
    if not plan.stops_at_watermark or prev_watermark is None or oldest is None:
        return False
    return oldest < prev_watermark - SAFETY_OVERLAP
