"""A listing's next page is requested while the current page's body is still being read.

The Hub names the next page in the Link header, which arrives before the body; sending that
request at once hides each page's round trip behind the previous page's download and checks.
A fake client records what the fetcher asks for, so this is checked without any timing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from crawler.plans import REFRESH, SWEEP
from crawler.source import PREFETCH, listing_pages

PAGES = 6


@dataclass
class FakeResponse:
    next_url: str | None
    files: list = field(default_factory=list)
    records: int = 0
    largest_record: int = 0
    rejected: list = field(default_factory=list)
    elements: int = 0
    last_modified: list = field(default_factory=list)
    server_time: None = None
    unreadable: None = None
    requests: int = 1
    retries: int = 0
    wire_bytes: int = 2
    seconds: float = 0.0
    answer_seconds: float = 0.0


class FakeClient:
    """Page k's body is only 'read' once page k+1's request has gone out (if the fetcher asks
    for it early, as it should); a fetcher that waits for the body first still finishes,
    after a short timeout per page, but then no overlap is recorded."""

    def __init__(self) -> None:
        self.started = {k: threading.Event() for k in range(1, PAGES + 2)}
        self.lock = threading.Lock()
        self.in_flight = self.most_in_flight = 0
        self.requested: list[str] = []
        self.overlapped: list[int] = []

    public_endpoint = "fake"

    def get_page(self, url, spool, want_modified=False, on_next=None):
        k = int(url[1:])
        with self.lock:
            self.requested.append(url)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.started[k].set()
        nxt = f"p{k + 1}" if k < PAGES else None
        if nxt and on_next:
            on_next(nxt)
        if nxt and self.started[k + 1].wait(timeout=0.5):   # the body is read while p(k+1) is on its way
            self.overlapped.append(k)
        with self.lock:
            self.in_flight -= 1
        return FakeResponse(nxt)


def run_fetcher(plan):
    client = FakeClient()
    items = list(listing_pages(client, plan, Path("/nonexistent"), start_url="p1"))
    return client, items


def test_a_listing_requests_the_next_page_before_reading_the_current_body():
    client, items = run_fetcher(SWEEP)
    assert [i.next_url for i in items] == [f"p{k}" for k in range(2, PAGES + 1)] + [None]
    assert sorted(client.requested) == [f"p{k}" for k in range(1, PAGES + 1)]   # each page once
    assert client.overlapped == list(range(1, PAGES))
    assert client.most_in_flight == PREFETCH


def test_a_refresh_reads_each_page_before_asking_for_the_next():
    client, items = run_fetcher(REFRESH)   # it may stop at any page: nothing is asked for early
    assert len(items) == PAGES
    assert client.requested == [f"p{k}" for k in range(1, PAGES + 1)]
    assert client.overlapped == [] and client.most_in_flight == 1
