"""The crawler as a source (like dlt's REST API source or github-to-sqlite's paginate()): the
pages of a plan, one after another, each already split into record files on disk. It knows
the Hub (cursor pagination in the Link header, where a refresh stops, which time to trust) and
nothing of storage: the consumer commits each Page and tells the source where to resume.

Listings are prefetched: the next page's request goes out as soon as the current page's
headers name it (Link), so its round trip overlaps this body's download and split. Pages
fetched ahead sit on disk (their record files), so how far ahead costs no memory.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlencode

from crawler.errors import HubRequestRejected
from crawler.http import HubClient, Response
from crawler.hubtime import trusted_range
from crawler.plans import CATCHUP_PAGE, Plan, is_last_page, repo_path
from crawler.records import PageFiles, Rejection

log = logging.getLogger("hubcensus.crawl")

PREFETCH = 2         # listing requests in flight at once (the page being read and the next one)
PREFETCH_HELD = 4    # pages fetched ahead and not yet taken (on disk, so this bounds disk, not memory)


@dataclass
class Page:
    """One page of a plan as the source hands it over (storage.staging.StagedPage)."""
    plan: str
    files: list[Path]                  # NDJSON files of its storable records (fsynced)
    records: int                       # storable records in files
    largest_record: int                # bytes of the largest of them
    rejected: list[Rejection]          # records that cannot be stored (docs/ingest.md)
    elements: int                      # elements the page listed (records + rejected)
    next_url: str | None               # where the plan continues; None: it is done (or stops here)
    server_time: dt.datetime | None    # the response's Date (UTC)
    watermark: dt.datetime | None      # newest trusted lastModified (plans that record one)
    unreadable: str | None = None      # why the page could not be read whole (a lost page)
    requests: int = 0
    retries: int = 0
    wire_bytes: int = 0
    seconds: float = 0.0
    answer_seconds: float = 0.0        # the server's time to answer (to its headers)
    resume_point: str = field(default="")   # for people: where a stop here would resume
    # Whether the next page is already fetched (a listing fetched ahead); None: not known, the
    # next page is requested when this one is taken. Lets the consumer do batch work while it
    # would otherwise wait for the network.
    next_ready: Callable[[], bool] | None = field(default=None, repr=False)

    def discard(self) -> None:
        for path in self.files:
            path.unlink(missing_ok=True)

    @property
    def record_bytes(self) -> int:
        """Bytes of its record files (while they are where the source wrote them)."""
        return sum(path.stat().st_size for path in self.files if path.exists())


def first_url(client: HubClient, plan: Plan) -> str:
    return f"{client.url(plan.path)}?{urlencode(plan.query())}"


def listing_pages(client: HubClient, plan: Plan, spool: Path, start_url: str | None = None,
                  prev_watermark: dt.datetime | None = None, pages_done: int = 0) -> Iterator[Page]:
    """The pages of a listing plan from start_url (default: its first page) until the last.

    A refresh (stops_at_watermark) ends at the first page older than prev_watermark minus the
    overlap; only trusted lastModified values decide (crawler.hubtime). A page the Hub never
    sent readable is handed on with `unreadable` set and the listing goes on from its Link
    header when it has one. The first page of a listing must be readable: an endpoint that
    answers it with something else (an HTML page) is not a Hub API."""
    url = start_url or first_url(client, plan)
    fresh = start_url is None
    # Not for a refresh, which decides from each page whether to go on at all.
    ahead = _Prefetcher(client, spool, plan.reads_last_modified) if not plan.stops_at_watermark else None
    number = pages_done
    try:
        while url:
            r = ahead.get(url) if ahead else client.get_page(url, spool, plan.reads_last_modified)
            number += 1
            if r.unreadable and fresh and number == 1 and r.records == 0 and r.next_url is None:
                _discard(r)
                raise HubRequestRejected(
                    f"{client.public_endpoint} answered {plan.path} with a page that is not a Hub listing "
                    f"({r.unreadable}); is it a Hugging Face Hub endpoint?")
            oldest, newest = trusted_range(r.last_modified, r.server_time) if plan.reads_last_modified else (None, None)
            last = r.next_url is None or is_last_page(plan, oldest, prev_watermark)
            page = _page(plan, r, None if last else r.next_url, newest if plan.records_watermark else None)
            page.resume_point = f"page {number + 1}"
            if ahead and page.next_url:
                page.next_ready = lambda u=page.next_url: ahead.ready(u)
            yield page
            url = page.next_url
    finally:
        if ahead:
            ahead.close()


def by_id_pages(client: HubClient, plan: Plan, ids: list[str], start: int, spool: Path) -> Iterator[Page]:
    """Repositories fetched one by one (plan.by_id), CATCHUP_PAGE of them committed as one page
    whose cursor is "ids:<next position>". Ids that are not Hub ids never reach a URL path; a
    repository gone since it was listed has nothing to store."""
    query = urlencode(plan.query())
    for offset in range(0, len(ids), CATCHUP_PAGE):
        chunk = ids[offset:offset + CATCHUP_PAGE]
        files = PageFiles(spool)
        page = Page(plan=plan.key, files=[], records=0, largest_record=0, rejected=[], elements=0,
                    next_url=None, server_time=None, watermark=None)
        try:
            for repo_id in chunk:
                path = repo_path(plan, repo_id)
                if path is None:
                    log.warning("not fetching a repository whose id is not a Hub id: %r", repo_id[:100])
                    continue
                r = client.get_record(f"{client.url(path)}?{query}", spool)
                page.requests += r.requests
                page.retries += r.retries
                page.wire_bytes += r.wire_bytes
                page.seconds += r.seconds
                page.server_time = r.server_time or page.server_time
                page.rejected += r.rejected
                page.elements += r.elements
                for f in r.files:   # one small file per repository: gathered into the page's files
                    for line in f.read_bytes().splitlines():
                        if line:
                            files.write(line)
                    f.unlink(missing_ok=True)
        except BaseException:
            files.discard()
            raise
        done = start + offset + len(chunk)
        page.files, page.records, page.largest_record = files.finish(), files.records, files.largest
        page.next_url = f"ids:{done}" if offset + CATCHUP_PAGE < len(ids) else None
        page.resume_point = f"repository {done + 1}"
        yield page


def _page(plan: Plan, r: Response, next_url: str | None, watermark: dt.datetime | None) -> Page:
    return Page(plan=plan.key, files=r.files, records=r.records, largest_record=r.largest_record,
                rejected=r.rejected, elements=r.elements, next_url=next_url, server_time=r.server_time,
                watermark=watermark, unreadable=r.unreadable, requests=r.requests, retries=r.retries,
                wire_bytes=r.wire_bytes, seconds=r.seconds, answer_seconds=r.answer_seconds)


def _discard(r: Response) -> None:
    for path in r.files:
        path.unlink(missing_ok=True)


class _Prefetcher:
    """Pages of one listing, each requested as soon as the previous page's headers name it,
    with at most PREFETCH requests in flight and PREFETCH_HELD pages not yet taken. A next
    page that cannot go out yet is sent as soon as a request finishes or a page is taken."""

    def __init__(self, client: HubClient, spool: Path, want_modified: bool) -> None:
        self.client, self.spool, self.want_modified = client, spool, want_modified
        self.pool = ThreadPoolExecutor(max_workers=PREFETCH, thread_name_prefix="prefetch")
        self.futures: dict[str, Future] = {}   # url -> Future of its Response, not yet taken
        self.deferred: str | None = None
        self.closed = False
        self.lock = threading.Lock()

    def _fetch(self, url: str) -> Response:
        return self.client.get_page(url, self.spool, self.want_modified, on_next=self._schedule)

    def _schedule(self, url: str | None) -> None:
        with self.lock:
            if url is None or url in self.futures or self.closed:
                return
            in_flight = sum(1 for f in self.futures.values() if not f.done())
            if in_flight >= PREFETCH or len(self.futures) >= PREFETCH_HELD:
                self.deferred = url
                return
            self.deferred = None
            future = self.pool.submit(self._fetch, url)
            self.futures[url] = future
        future.add_done_callback(self._retry_deferred)

    def _retry_deferred(self, _future=None) -> None:
        with self.lock:
            url = self.deferred
        self._schedule(url)

    def ready(self, url: str) -> bool:
        """Whether the page at url is fetched and waits to be taken."""
        with self.lock:
            future = self.futures.get(url)
        return future is not None and future.done()

    def get(self, url: str) -> Response:
        """The page at url: prefetched, or requested now."""
        self._schedule(url)
        with self.lock:
            future = self.futures.get(url)
            if future is None and self.deferred == url:   # fetched below: never twice
                self.deferred = None
        try:
            return future.result() if future is not None else self._fetch(url)
        finally:
            with self.lock:
                self.futures.pop(url, None)
            self._retry_deferred()

    def close(self) -> None:
        with self.lock:
            self.closed = True
            pending = list(self.futures.values())
            self.futures.clear()
            self.deferred = None
        for future in pending:   # pages fetched ahead and never taken: their files go
            future.add_done_callback(_drop_files)
        self.pool.shutdown(wait=False, cancel_futures=True)


def _drop_files(future: Future) -> None:
    if not future.cancelled() and future.exception() is None:
        _discard(future.result())
