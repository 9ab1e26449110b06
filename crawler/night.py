"""One night: run the plans (sweep, refresh) page by page into staging, then merge.

A fetch thread GETs pages (HubClient: retries, pacing) and hands the raw bytes through a
small bounded queue to the writer (this thread), which has DuckDB parse and stage each page
and commit it with the next cursor. Fetching thus overlaps ingest, and at most a few pages
are ever held in Python.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import urlencode, urlsplit, urlunsplit

from crawler.errors import PartialRun
from crawler.http import HubClient, RetryPolicy
from crawler.plans import (CATCHUP, CATCHUP_MAX, CATCHUP_PAGE, PLANS, Plan, is_last_page, model_path,
                           page_time_range, plans_for_night)
from crawler.progress import Progress, default_progress

log = logging.getLogger("hubcensus.crawl")

QUEUE_PAGES = 3          # pages fetched ahead of the writer (bounded: memory stays flat)
PARSE_EVERY_PAGES = 8    # committed pages are parsed in batches (storage.staging.parse_batches)


@dataclass
class PlanResult:
    plan: str
    status: str
    pages: int = 0
    models: int = 0
    skipped: int = 0
    requests: int = 0
    retries: int = 0
    bytes: int = 0
    seconds: float = 0.0
    watermark: dt.datetime | None = None


@dataclass
class NightResult:
    snapshot_date: dt.date
    status: str                              # complete | already-merged
    models_seen: int                         # distinct models listed tonight
    plans: dict[str, PlanResult] = field(default_factory=dict)
    seconds: float = 0.0
    resumed: bool = False

    @property
    def pages(self) -> int:
        return sum(p.pages for p in self.plans.values())

    @property
    def requests(self) -> int:
        return sum(p.requests for p in self.plans.values())

    @property
    def retries(self) -> int:
        return sum(p.retries for p in self.plans.values())

    @property
    def bytes(self) -> int:
        return sum(p.bytes for p in self.plans.values())

    @property
    def skipped(self) -> int:
        return sum(p.skipped for p in self.plans.values())

    def summary(self) -> str:
        per_plan = "; ".join(f"{p.plan} {p.pages} pages {p.models} models {p.bytes / 1e6:.1f} MB" for p in self.plans.values())
        return (f"night {self.snapshot_date}: {self.models_seen} models, {self.requests} requests, "
                f"{self.retries} retries, {self.skipped} skipped ({per_plan}) in {self.seconds:.1f}s")


@dataclass
class _Page:
    body: bytes
    records: int
    next_url: str | None
    date: dt.date | None
    newest: dt.datetime | None
    requests: int
    retries: int
    wire_bytes: int
    seconds: float


_DONE = object()


def public_endpoint(endpoint: str) -> str:
    """The endpoint without any user:password@ part (it is stored in crawl_runs)."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def run_night(db_path, endpoint: str | None = None, token: str | None = None,
              snapshot_date: dt.date | None = None, progress: Callable | None | bool = None,
              plans: Sequence[str] = ("sweep", "refresh"), policy: RetryPolicy | None = None,
              merge_wait_seconds: float | None = None, max_pages: int | None = None) -> NightResult:
    """Crawl one night into db_path (default layout: <db>, <db>.staging, <db>.lock).

    plans: what to crawl (crawler.plans; a first night's sweep + refresh runs as `full`).
    Resumes an interrupted night of the same endpoint and plans from its last committed page.
    max_pages stops after that many pages in this process (PartialRun; for tests and demos).
    Raises crawler.errors.* with one-line messages.
    """
    from storage.lock import crawl_lock
    from storage.merge import BUSY_WAIT_SECONDS, merge_night, previous_night
    from storage.staging import Staging, remove_files

    plans = tuple(plans)
    unknown = [p for p in plans if p not in PLANS]
    if unknown or not plans:
        raise ValueError(f"plans must be a non-empty sequence of {sorted(PLANS)}; got {plans!r}")
    plans = tuple(p for p in PLANS if p in plans)      # as asked for, in a canonical order
    if progress is None:
        progress = default_progress()
    elif progress is False:
        progress = lambda p: None  # noqa: E731
    wait = BUSY_WAIT_SECONDS if merge_wait_seconds is None else merge_wait_seconds
    db_path = Path(db_path)
    started = time.perf_counter()

    with crawl_lock(db_path):
        client = HubClient(endpoint, token, policy)
        staging = Staging(db_path)
        try:
            where = public_endpoint(client.endpoint)
            night = staging.night()
            resumed = night is not None
            if night is not None and (night.endpoint != where or tuple(night.plans) != plans
                                      or (snapshot_date is not None and night.snapshot_date not in (None, snapshot_date))):
                log.warning("discarding an unfinished night %s (endpoint %s, plans %s): this crawl asks for %s, %s",
                            night.night_id, night.endpoint, ",".join(night.plans), where, ",".join(plans))
                night, resumed = None, False
            if night is None:
                # Only a new night reads the main file before its merge (a resumed one has what it needs).
                prev_watermark, alive_estimate = previous_night(db_path, wait)
                night = staging.start_night(uuid.uuid4().hex, plans, where, snapshot_date, prev_watermark,
                                            alive_estimate, run_plans=plans_for_night(plans, prev_watermark))
            else:
                log.info("resuming night %s from its last committed page", night.night_id)
            alive_estimate = night.alive_estimate
            run_plans = [PLANS[name] for name in plans_for_night(night.plans, night.prev_watermark)]
            budget = [max_pages]
            for plan in run_plans:
                if staging.plan(plan.name).status != "complete":
                    _run_plan(client, staging, plan, night, progress, alive_estimate, budget)
            if any(p.name == "refresh" for p in run_plans) and staging.plan("refresh").status == "complete":
                listed, candidates = staging.prepare_catchup(CATCHUP.name, CATCHUP_MAX)
                if candidates and candidates > listed:
                    log.warning("%d models the refresh never brought; %d are fetched tonight, the rest on "
                                "the following nights", candidates, listed)
                if staging.has_plan(CATCHUP.name):
                    run_plans.append(CATCHUP)
                    if staging.plan(CATCHUP.name).status != "complete":
                        _run_catchup(client, staging, progress, budget)
            for plan in run_plans:   # pages committed but not parsed when a crawl was killed
                staging.normalize(plan.name, plan.heavy)
            listed_every_model = any(p.lists_every_model and staging.plan(p.name).status == "complete"
                                     for p in run_plans)
            merged = merge_night(staging, listed_every_model, wait,
                                 count_plans=[p.name for p in run_plans if p.lists_every_model],
                                 heavy_plans=[p.name for p in run_plans if p.heavy])
            result = _result(staging, run_plans, merged, time.perf_counter() - started, resumed)
            for reason, count in staging.skipped_reasons():
                log.warning("skipped %d malformed records: %s", count, reason)
        finally:
            client.close()
            staging.close()
        remove_files(db_path)
    return result


def _result(staging, run_plans: list[Plan], merged: bool, seconds: float, resumed: bool) -> NightResult:
    night = staging.night()
    models = staging.con.execute("SELECT count(DISTINCT model_id) FROM stage_rows").fetchone()[0]
    out = NightResult(snapshot_date=night.snapshot_date, status="complete" if merged else "already-merged",
                      models_seen=models, seconds=seconds, resumed=resumed)
    for plan in run_plans:
        name = plan.name
        s = staging.plan(name)
        out.plans[name] = PlanResult(plan=name, status=s.status, pages=s.pages, models=s.models, skipped=s.skipped,
                                     requests=s.requests, retries=s.retries, bytes=s.bytes, seconds=s.seconds,
                                     watermark=s.watermark)
    return out


def _run_plan(client: HubClient, staging, plan: Plan, night, progress, alive_estimate, budget) -> None:
    from storage.staging import PageCounters

    state = staging.plan(plan.name)
    url = state.next_url or f"{client.url(plan.path)}?{urlencode(plan.query())}"
    need_date = night.snapshot_date is None
    pages: queue.Queue = queue.Queue(maxsize=QUEUE_PAGES)
    stop = threading.Event()
    fetcher = threading.Thread(target=_fetch_pages, name=f"fetch-{plan.name}", daemon=True,
                               args=(client, plan, url, night.prev_watermark, pages, stop))
    total = alive_estimate if plan.lists_every_model else None
    t0 = time.perf_counter()
    done_models = 0
    log.info("plan=%s start=%s", plan.name, "resume" if state.next_url else "first page")
    fetcher.start()
    try:
        while True:
            item = pages.get()
            if item is _DONE:
                break
            if isinstance(item, BaseException):
                raise item
            snapshot = None
            if need_date:
                snapshot = item.date or dt.datetime.now(dt.timezone.utc).date()
                need_date = False
            counters = PageCounters(item.requests, item.retries, item.wire_bytes, item.seconds)
            state = staging.commit_page(plan.name, item.body, item.records, item.next_url, counters,
                                        snapshot_date=snapshot, watermark=item.newest)
            done_models += item.records
            del item
            remaining = (lambda st: max(0, total - st.records)) if total else None
            _page_committed(staging, plan, state, progress, t0, done_models, total, remaining, budget,
                            lambda st: f"page {st.pages + 1}")
    finally:
        stop.set()
        while fetcher.is_alive():
            try:
                pages.get(timeout=0.1)
            except queue.Empty:
                pass
        fetcher.join()


def _page_committed(staging, plan: Plan, state, progress, started: float, done: int, total, remaining, budget,
                    resume_point) -> None:
    """After a committed page: parse the pending pages when a batch is due, report progress
    (done items this run; remaining(state) left of total, for the ETA), and stop with
    PartialRun once the max_pages budget is spent (resume_point(state) names where it resumes)."""
    if state.status == "complete" or state.pending_pages >= PARSE_EVERY_PAGES:
        staging.normalize(plan.name, plan.heavy)
        state = staging.plan(plan.name)
    elapsed = time.perf_counter() - started
    rate = done / elapsed if elapsed > 0 else 0.0
    eta = remaining(state) / rate if remaining and rate > 0 else None
    progress(Progress(plan.name, state.pages, state.records, state.skipped, state.requests, state.retries,
                      state.bytes, elapsed, rate, total, eta, done=state.status == "complete"))
    if budget[0] is not None:
        budget[0] -= 1
        if budget[0] <= 0 and state.status != "complete":
            raise PartialRun(f"stopped after the requested number of pages; {plan.name} resumes "
                             f"from {resume_point(state)} on the next crawl")


def _run_catchup(client: HubClient, staging, progress, budget) -> None:
    """Fetch the night's catch-up list one model at a time (crawler.plans.CATCHUP), committing
    every CATCHUP_PAGE ids as one staged page whose cursor is the next list position."""
    from storage.staging import PageCounters

    plan = CATCHUP
    state = staging.plan(plan.name)
    start = int(state.next_url.split(":", 1)[1]) if state.next_url else 0
    ids = staging.catchup_ids(start)
    query = urlencode(plan.query())
    t0 = time.perf_counter()
    log.info("plan=%s start=%s models=%d", plan.name, "resume" if start else "first model", len(ids))
    for offset in range(0, len(ids), CATCHUP_PAGE):
        chunk = ids[offset:offset + CATCHUP_PAGE]
        bodies, counters = [], PageCounters()
        for model_id in chunk:
            path = model_path(plan, model_id)
            if path is None:
                log.warning("not fetching a model whose id is not a Hub id: %r", model_id[:100])
                continue
            r = client.get_record(f"{client.url(path)}?{query}")
            counters.requests += r.requests
            counters.retries += r.retries
            counters.bytes += r.wire_bytes
            counters.seconds += r.seconds
            if r.body is not None:   # gone since the sweep listed it: nothing to stage
                bodies.append(r.body)
        done = start + offset + len(chunk)
        next_url = f"ids:{done}" if offset + CATCHUP_PAGE < len(ids) else None
        state = staging.commit_page(plan.name, b"[" + b",".join(bodies) + b"]", len(bodies), next_url, counters)
        fetched = offset + len(chunk)
        _page_committed(staging, plan, state, progress, t0, fetched, len(ids), lambda st: len(ids) - fetched, budget,
                        lambda st: f"model {done + 1}")


def _fetch_pages(client: HubClient, plan: Plan, url: str, prev_watermark, pages: queue.Queue,
                 stop: threading.Event) -> None:
    def put(item) -> bool:
        while not stop.is_set():
            try:
                pages.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    # The next page's request goes out as soon as a page's headers name it (Link), so its
    # round trip overlaps this page's download and checks: at most PREFETCH requests in flight.
    # Not for a refresh, which decides from a page's records whether to go on at all.
    ahead = _Prefetcher(client, stop) if not plan.stops_at_watermark else None
    try:
        while url and not stop.is_set():
            r = ahead.get(url) if ahead else client.get_page(url)
            oldest, newest = page_time_range(r.last_modified) if plan.records_watermark else (None, None)
            last = r.next_url is None or is_last_page(plan, oldest, prev_watermark)
            item = _Page(r.body, r.records, None if last else r.next_url, r.date, newest, r.requests, r.retries,
                         r.wire_bytes, r.seconds)
            del r
            if not put(item):
                return
            url = item.next_url
        put(_DONE)
    except BaseException as exc:  # handed to the writer, which raises it in the main thread
        put(exc)
    finally:
        if ahead:
            ahead.close()


PREFETCH = 2   # listing requests in flight at once (the page being read and the next one)
PREFETCH_HELD = 3   # pages requested ahead and not yet taken by the fetch loop (memory bound)


class _Prefetcher:
    """Pages of one listing, each requested as soon as the previous page's headers name it,
    with at most PREFETCH requests in flight and PREFETCH_HELD pages not yet taken. A next
    page that cannot go out yet is sent as soon as a request finishes or a page is taken."""

    def __init__(self, client: HubClient, stop: threading.Event) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.client, self.stop = client, stop
        self.pool = ThreadPoolExecutor(max_workers=PREFETCH, thread_name_prefix="prefetch")
        self.futures: dict = {}      # url -> Future of its Response, not yet taken
        self.deferred: str | None = None
        self.lock = threading.Lock()

    def _schedule(self, url: str | None) -> None:
        with self.lock:
            if url is None or url in self.futures or self.stop.is_set():
                return
            in_flight = sum(1 for f in self.futures.values() if not f.done())
            if in_flight >= PREFETCH or len(self.futures) >= PREFETCH_HELD:
                self.deferred = url
                return
            self.deferred = None
            future = self.pool.submit(self.client.get_page, url, None, self._schedule)
            self.futures[url] = future
        future.add_done_callback(self._retry_deferred)

    def _retry_deferred(self, _future=None) -> None:
        with self.lock:
            url = self.deferred
        self._schedule(url)

    def get(self, url: str):
        """The page at url: prefetched, or requested now."""
        self._schedule(url)
        with self.lock:
            future = self.futures.get(url)
            if future is None and self.deferred == url:   # fetched below: never twice
                self.deferred = None
        try:
            return future.result() if future is not None else self.client.get_page(url, on_next=self._schedule)
        finally:
            with self.lock:
                self.futures.pop(url, None)
            self._retry_deferred()

    def close(self) -> None:
        with self.lock:
            self.futures.clear()
            self.deferred = None
        self.pool.shutdown(wait=False, cancel_futures=True)
