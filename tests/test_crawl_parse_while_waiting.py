"""When the network is what a crawl waits for, it parses the pages it has while the next page is
on its way, so that little is left to parse after the last page; when pages come as fast as it
takes them, it keeps its parse batches full (each parse has a fixed cost). Either way the
database is the same."""

from __future__ import annotations

import datetime as dt

import pipeline
from pipeline import night
from crawler.source import Page
from storage.staging import Staging
from tests.crawl_helpers import content

DAY = dt.date(2026, 11, 1)


def page(answer_seconds: float, next_ready) -> Page:
    return Page(plan="models/full", files=[], records=0, largest_record=0, rejected=[], elements=0,
                next_url="next", server_time=None, watermark=None, answer_seconds=answer_seconds,
                next_ready=next_ready)


def test_the_crawl_waits_for_the_network_only_when_the_server_answers_slowly_and_the_next_page_is_not_in():
    slow, fast = night.SLOW_ANSWER_SECONDS * 2, night.SLOW_ANSWER_SECONDS / 10
    assert night.waiting_for_next(page(slow, lambda: False))
    assert not night.waiting_for_next(page(slow, lambda: True))     # the next page is in: go on
    assert not night.waiting_for_next(page(fast, lambda: False))    # a fast server: the fetch thread is behind
    assert not night.waiting_for_next(page(slow, None))             # not fetched ahead (a refresh): unknown


def parses_of_a_night(monkeypatch, sim, db) -> list[tuple[int, str]]:
    """(pages committed, plan status) at each parse of the night's `full` listing."""
    seen = []
    parse = Staging.parse_pending

    def spy(self, plan, heavy):
        if plan == "models/full":
            state = self.plan(plan)
            seen.append((state.pages, state.status))
        return parse(self, plan, heavy)

    monkeypatch.setattr(Staging, "parse_pending", spy)
    pipeline.run_night(db, endpoint=sim.url, progress=False, repo_types=("models",), snapshot_date=DAY)
    monkeypatch.setattr(Staging, "parse_pending", parse)
    return seen


def test_over_a_slow_link_pages_are_parsed_while_the_next_one_is_on_its_way(sim_factory, tmp_path, monkeypatch):
    fast_sim, slow_sim = sim_factory(models=5000, seed=4), sim_factory(models=5000, seed=4, latency_ms=250)
    monkeypatch.setattr(night, "PARSE_WHILE_WAITING_BYTES", 1)   # these pages are small: any bytes are worth it

    slow = parses_of_a_night(monkeypatch, slow_sim, tmp_path / "slow.duckdb")
    pages = slow[-1][0]
    assert pages >= 5
    during = [p for p, status in slow if status != "complete"]
    # 250 ms a request: the listing is parsed as it goes, not only after its last page (a parse
    # slowed by a busy machine may let the next page in first, so not necessarily after each).
    assert len(during) >= 2 and during == sorted(during)

    fast = parses_of_a_night(monkeypatch, fast_sim, tmp_path / "fast.duckdb")
    assert fast[-1] == (pages, "complete")
    # the same rows (crawl_runs differ only in the endpoint and the costs)
    assert content(tmp_path / "slow.duckdb", runs=False) == content(tmp_path / "fast.duckdb", runs=False)
