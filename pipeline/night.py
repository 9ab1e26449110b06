"""One night: lock -> staging -> plans -> catch-up -> merge -> views.

The crawler is a source of pages (crawler.source), storage owns the staging file, the parse and
the merge (storage.*); this module only runs them in order, decides what a resumed night does,
and says what the night did. Read run_night top to bottom.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import analysis
from crawler.errors import RetriesExhausted
from crawler.http import HubClient, RetryPolicy
from crawler.plans import CATCHUP_MAX, LISTING_PLANS, PLANS_BY_TYPE, REPO_TYPES, Plan, plans_for_night
from crawler.source import Page, by_id_pages, listing_pages
from pipeline.errors import PartialRun
from pipeline.progress import LogProgress, Progress, ProgressReport, silent
from storage import db
from storage.lock import crawl_lock
from storage.merge import BUSY_WAIT_SECONDS, RepoNight, merge_night, previous_night
from storage.staging import BATCH_BYTES, NightState, PlanState, Staging, remove_files

log = logging.getLogger("hubcensus.crawl")

DEFAULT_PLANS = ("sweep", "refresh")
# Committed pages are parsed in batches (storage.staging.parse_batches) once their records reach
# a batch's bytes: a parse has a fixed cost (~0.1 s: its statements, three Parquet files, a
# commit), which light pages (a sweep's: ~36 KB) would otherwise pay every few pages. At most
# PARSE_EVERY_PAGES wait, so that a resumed night has little to parse again.
PARSE_EVERY_BYTES = BATCH_BYTES
PARSE_EVERY_PAGES = 256
# ... and earlier when the network is what the crawl waits for: the server took at least
# SLOW_ANSWER_SECONDS to answer the last page, the next page is not in yet, and
# PARSE_WHILE_WAITING_BYTES are. The parse then runs while the crawl would only wait, and little
# is left to parse after the last page. On a fast link full batches stay cheaper: there a small
# batch's fixed cost takes CPU from the fetch thread (200k models from a warm local server:
# 11.2 s with full batches, 12.0 s parsing whenever the next page was not in).
SLOW_ANSWER_SECONDS = 0.05
PARSE_WHILE_WAITING_BYTES = 4 * 1024 * 1024


@dataclass
class PlanResult:
    plan: str
    status: str              # complete | partial (pages lost) | running (stopped)
    pages: int = 0
    models: int = 0          # records staged
    rejected: int = 0        # records rejected whole
    dropped: int = 0         # values dropped from stored records
    lost_pages: int = 0
    requests: int = 0
    retries: int = 0
    bytes: int = 0
    seconds: float = 0.0
    watermark: dt.datetime | None = None


@dataclass
class NightResult:
    snapshot_date: dt.date
    status: str              # complete | partial (merged, but a listing lost pages) | already-merged
    seen: dict[str, int]     # repository type -> distinct repositories staged tonight
    plans: dict[str, PlanResult] = field(default_factory=dict)   # by plan key, e.g. 'models/sweep'
    seconds: float = 0.0
    resumed: bool = False

    @property
    def models_seen(self) -> int:
        return self.seen.get("models", 0)

    def total(self, name: str) -> int:
        return sum(getattr(p, name) for p in self.plans.values())

    @property
    def pages(self) -> int:
        return self.total("pages")

    @property
    def requests(self) -> int:
        return self.total("requests")

    @property
    def retries(self) -> int:
        return self.total("retries")

    @property
    def bytes(self) -> int:
        return self.total("bytes")

    @property
    def skipped(self) -> int:
        return self.total("rejected")

    def summary(self) -> str:
        per_plan = "; ".join(f"{p.plan} {p.pages} pages {p.models} records {p.bytes / 1e6:.1f} MB" for p in self.plans.values())
        lost = self.total("lost_pages")
        seen = ", ".join(f"{n} {t}" for t, n in self.seen.items())
        return (f"night {self.snapshot_date}: {seen}, {self.requests} requests, "
                f"{self.retries} retries, {self.skipped} records rejected, {self.total('dropped')} values dropped"
                f"{f', {lost} pages lost' if lost else ''} ({per_plan}) in {self.seconds:.1f}s")


class PageBudget:
    """At most max_pages committed pages in this process (tests and demos stop a night early)."""

    def __init__(self, max_pages: int | None) -> None:
        self.left = max_pages

    def spend(self, plan: str, state: PlanState, page: Page) -> None:
        if self.left is None:
            return
        self.left -= 1
        if self.left <= 0 and state.status != "complete":
            raise PartialRun(f"stopped after the requested number of pages; {plan} resumes from "
                             f"{page.resume_point} on the next crawl")


def run_night(db_path, endpoint: str | None = None, token: str | None = None,
              snapshot_date: dt.date | None = None, progress: ProgressReport | None | bool = None,
              plans: Sequence[str] = DEFAULT_PLANS, repo_types: Sequence[str] = REPO_TYPES,
              policy: RetryPolicy | None = None, merge_wait_seconds: float | None = None,
              max_pages: int | None = None, install_views: bool = True) -> NightResult:
    """Crawl one night into db_path (files beside it: <db>.staging*, <db>.lock) and merge it.

    plans: what to crawl (crawler.plans; a first night's sweep + refresh runs as `full`), for
    each of repo_types (models, datasets, spaces; a type's first night is its own `full`).
    Resumes an interrupted night of the same endpoint, plans and types from its last page.
    progress: called after every committed page (default: log lines; False: nothing).
    max_pages stops after that many pages in this process (PartialRun; for tests and demos).
    Raises the crawler's, storage's and pipeline's errors, each with a one-line message.
    """
    plans, repo_types = check_plans(plans), check_repo_types(repo_types)
    report = LogProgress() if progress is None or progress is True else (silent if progress is False else progress)
    wait = BUSY_WAIT_SECONDS if merge_wait_seconds is None else merge_wait_seconds
    budget = PageBudget(max_pages)
    db_path = Path(db_path)
    started = time.perf_counter()
    with crawl_lock(db_path), HubClient(endpoint, token, policy) as client, Staging(db_path) as staging:
        night, resumed = open_night(staging, db_path, client.stored_endpoint, plans, repo_types, snapshot_date, wait)
        ran = [plan for repo_type in night.repo_types
               for plan in crawl_repo_type(client, staging, night, repo_type, report, budget)]
        for plan in ran:   # pages committed but not parsed when a crawl was killed
            staging.parse_pending(plan.key, plan.heavy)
        merged = merge_night(staging, [repo_night(staging, t, ran) for t in night.repo_types], wait)
        result = night_result(staging, night, ran, merged, time.perf_counter() - started, resumed)
        log_rejections(staging)
    remove_files(db_path)
    if install_views:
        install_analysis_views(db_path)
    return result


def crawl_repo_type(client: HubClient, staging: Staging, night: NightState, repo_type: str,
                    report: ProgressReport, budget: "PageBudget") -> list[Plan]:
    """One repository type's plans for the night (listings, then the catch-up); the plans run."""
    plans = PLANS_BY_TYPE[repo_type]
    prev_watermark, alive = night.repos[repo_type]
    ran = [plans[name] for name in plans_for_night(night.plans, prev_watermark)]
    for plan in ran:
        run_plan(staging, plan, lambda s, p=plan: listing_pages(
            client, p, staging.incoming_dir(), s.next_url, prev_watermark, s.pages),
            report, budget, alive if plan.lists_every_repo else None)
    catchup = plans["catchup"]
    if catch_up_list(staging, repo_type, ran):
        run_plan(staging, catchup, lambda s: by_id_pages(
            client, catchup, staging.catchup_ids(catchup.key, list_position(s)), list_position(s),
            staging.incoming_dir()), report, budget, None)
        ran.append(catchup)
    return ran


def repo_night(staging: Staging, repo_type: str, ran: list[Plan]) -> RepoNight:
    mine = [p for p in ran if p.repo_type == repo_type]
    return RepoNight(repo_type,
                     listed_every_repo=any(p.lists_every_repo and staging.plan(p.key).whole for p in mine),
                     count_plans=tuple(p.key for p in mine if p.lists_every_repo),
                     heavy_plans=tuple(p.key for p in mine if p.heavy),
                     all_plans=tuple(p.key for p in mine))


def check_repo_types(repo_types: Sequence[str]) -> tuple[str, ...]:
    repo_types = tuple(repo_types)
    unknown = [t for t in repo_types if t not in REPO_TYPES]
    if unknown or not repo_types:
        raise ValueError(f"repo_types must be a non-empty sequence of {', '.join(REPO_TYPES)}; got {repo_types!r}")
    return tuple(t for t in REPO_TYPES if t in repo_types)


def check_plans(plans: Sequence[str]) -> tuple[str, ...]:
    plans = tuple(plans)
    unknown = [p for p in plans if p not in LISTING_PLANS]
    if unknown or not plans:
        raise ValueError(f"plans must be a non-empty sequence of {', '.join(LISTING_PLANS)}; got {plans!r}")
    return tuple(p for p in LISTING_PLANS if p in plans)      # as asked for, in a canonical order


def open_night(staging: Staging, db_path: Path, endpoint: str, plans: tuple[str, ...], repo_types: tuple[str, ...],
               snapshot_date: dt.date | None, wait: float):
    """The night to run: the one in staging when it is the same crawl (endpoint, plans, types,
    date) and has committed anything, else a new one (which reads each type's last watermark)."""
    night = staging.night()
    if night is not None and (night.endpoint != endpoint or tuple(night.plans) != plans
                              or tuple(night.repo_types) != repo_types
                              or (snapshot_date is not None and night.snapshot_date not in (None, snapshot_date))):
        log.warning("discarding an unfinished night %s (endpoint %s, plans %s, types %s): this crawl asks for %s, %s, %s",
                    night.night_id, night.endpoint, ",".join(night.plans), ",".join(night.repo_types), endpoint,
                    ",".join(plans), ",".join(repo_types))
        night = None
    if night is not None and staging.committed_anything():
        log.info("resuming night %s from its last committed page", night.night_id)
        return night, True
    if night is not None:   # kept: what its failed requests cost still counts in crawl_runs
        log.info("trying night %s again from its first page (the last try committed none)", night.night_id)
        return night, False
    # Only a new night reads the main file before its merge (a resumed one has what it needs).
    repos = previous_night(db_path, repo_types, wait)
    run_plans = [PLANS_BY_TYPE[t][name].key for t in repo_types for name in plans_for_night(plans, repos[t][0])]
    night = staging.start_night(uuid.uuid4().hex, plans, repo_types, endpoint, snapshot_date, repos, run_plans)
    return night, False


def run_plan(staging: Staging, plan: Plan, pages: Callable[[PlanState], Iterator[Page]],
             report: ProgressReport, budget: PageBudget, total: int | None) -> None:
    """Commit a plan's pages from where it stands, parsing them in batches as they come."""
    state = staging.plan(plan.key)
    if state.status == "complete":
        return
    need_date = staging.night().snapshot_date is None
    t0, done, unparsed_bytes = time.perf_counter(), 0, 0
    log.info("plan=%s start=%s", plan.key, "resume" if state.next_url else "first page")
    source = pages(state)
    try:
        for page in source:
            snapshot = (page.server_time or dt.datetime.now(dt.timezone.utc)).date() if need_date else None
            need_date = False
            unparsed_bytes += page.record_bytes   # read before the commit moves its files
            state = staging.commit_page(plan.key, page, snapshot_date=snapshot)
            done += page.elements
            if (state.status == "complete" or unparsed_bytes >= PARSE_EVERY_BYTES
                    or state.pending_pages >= PARSE_EVERY_PAGES
                    or (unparsed_bytes >= PARSE_WHILE_WAITING_BYTES and waiting_for_next(page))):
                staging.parse_pending(plan.key, plan.heavy)
                state = staging.plan(plan.key)
                unparsed_bytes = 0
            report(progress_of(plan, state, t0, done, total))
            budget.spend(plan.key, state, page)
    except RetriesExhausted as error:   # the page is not committed, but what its tries cost counts
        staging.record_failed_attempts(plan.key, error.requests, error.retries, error.bytes)
        raise
    finally:
        source.close()


def waiting_for_next(page: Page) -> bool:
    """The crawl waits for the network: the server answers slowly, and the source, which
    fetches ahead, does not have the next page yet."""
    return page.answer_seconds >= SLOW_ANSWER_SECONDS and page.next_ready is not None and not page.next_ready()


def list_position(state: PlanState) -> int:
    """Where a catch-up resumes in its list (its cursor is "ids:<position>")."""
    return int(state.next_url.split(":", 1)[1]) if state.next_url else 0


def progress_of(plan: Plan, state: PlanState, started: float, done: int, total: int | None) -> Progress:
    elapsed = time.perf_counter() - started
    rate = done / elapsed if elapsed > 0 else 0.0
    remaining = max(0, total - state.records) if total else None
    eta = remaining / rate if remaining is not None and rate > 0 else None
    return Progress(plan.name, state.pages, state.records, state.rejected, state.requests, state.retries,
                    state.bytes, elapsed, rate, total, eta, done=state.status == "complete", repo_type=plan.repo_type)


def catch_up_list(staging: Staging, repo_type: str, ran: list[Plan]) -> bool:
    """After a type's whole refresh: its catch-up list (made once, kept when resumed)."""
    plans = PLANS_BY_TYPE[repo_type]
    if not any(p.name == "refresh" for p in ran) or not staging.plan(plans["refresh"].key).whole:
        return False
    listed, candidates = staging.prepare_catchup(repo_type, plans["sweep"].key, plans["refresh"].key,
                                                 plans["catchup"].key, CATCHUP_MAX)
    if candidates and candidates > listed:
        log.warning("%d %s the refresh never brought; %d are fetched tonight, the rest on the following nights",
                    candidates, repo_type, listed)
    return staging.has_plan(plans["catchup"].key)


def night_result(staging: Staging, night: NightState, ran: list[Plan], merged: bool, seconds: float,
                 resumed: bool) -> NightResult:
    plans = {}
    for plan in ran:
        s = staging.plan(plan.key)
        status = "partial" if s.lost_pages else s.status
        plans[plan.key] = PlanResult(plan.key, status, s.pages, s.models, s.rejected, s.dropped, s.lost_pages,
                                     s.requests, s.retries, s.bytes, s.seconds, s.watermark)
    lost = any(p.lost_pages for p in plans.values())
    status = "already-merged" if not merged else ("partial" if lost else "complete")
    seen = {t: staging.repos_staged(t) for t in night.repo_types}
    return NightResult(staging.night().snapshot_date, status, seen, plans, seconds, resumed)


def log_rejections(staging: Staging) -> None:
    for field_name, reason, count in staging.rejected_summary():
        what = f"values of {field_name} dropped" if field_name else "records rejected"
        log.warning("%d %s: %s (see rejected_records)", count, what, reason)


def install_analysis_views(db_path: Path) -> None:
    """Views are stored in the file so every reader (sql prompt, BI tool) sees them. A file an
    analyst holds open is not waited for: the night is merged, readers bring views of their own."""
    try:
        con = db.open_main(str(db_path))
    except Exception as error:   # noqa: BLE001 - busy or unreadable: the night stands without fresh views
        log.warning("analysis views not refreshed (%s); readers install their own", " ".join(str(error).split())[:200])
        return
    try:
        analysis.install(con)
    finally:
        con.close()
