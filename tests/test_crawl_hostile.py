"""Any byte the Hub sends: the night survives it, keeps what it can, and says what it could not
(docs/ingest.md). Real HTTP against a Hub that serves exactly the bytes each test gives it.

Each class of hostile input: the night completes, the good records are stored, each bad one is
in rejected_records with its reason, the next night is unaffected, and a night after the Hub
fixed the record stores it.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import duckdb
import pytest

import pipeline
from crawler.errors import RetriesExhausted
from crawler.http import RetryPolicy
from storage.staging import Staging, spool_dir, staging_path
from tests.pagehub import PageHub, page

FAST = RetryPolicy(attempts=2, backoff_initial=0.01, backoff_max=0.02, jitter=0.0)
NIGHTS = [dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.date(2026, 11, 3)]


def rec(i: int, **fields) -> dict:
    return {"_id": f"{i:024x}", "id": f"org/m{i}", "author": "org", "createdAt": f"2025-0{1 + i % 9}-01T00:00:00.000Z",
            "lastModified": "2025-10-01T00:00:00.000Z", "downloads": 10 * i, "downloadsAllTime": 100 * i, "likes": i,
            "gated": False, "tags": ["license:mit"], "cardData": {"license": "mit"}, **fields}


def listing(bad: bytes | None = None) -> list[bytes]:
    """Three pages of three models; org/m4 (page 2) is `bad` when given."""
    return [page(rec(1), rec(2), rec(3)), page(rec(4) if bad is None else bad, rec(5), rec(6)),
            page(rec(7), rec(8), rec(9))]


def crawl(hub: PageHub, db: Path, night: int, plans=("full",)) -> pipeline.NightResult:
    hub.date = dt.datetime.combine(NIGHTS[night], dt.time(12))
    return pipeline.run_night(str(db), endpoint=hub.url, progress=False, plans=plans, policy=FAST,
                              snapshot_date=NIGHTS[night])


def query(db: Path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def stored_ids(db: Path) -> list[str]:
    return [m for (m,) in query(db, "SELECT model_id FROM hub_models WHERE deleted_at IS NULL ORDER BY model_id")]


ALL = [f"org/m{i}" for i in range(1, 10)]
HOSTILE_RECORDS = {
    "invalid UTF-8": (b'{"id":"org/m4","cardData":{"license":"caf\xe9"},"tags":[]}', "org/m4"),
    "invalid escape": (b'{"id":"org/m4","cardData":{"x":"\\ud800"},"tags":[]}', "org/m4"),
    "nesting deeper than 512": (b'{"id":"org/m4","cardData":{"x":' + b"[" * 1000 + b"]" * 1000 + b"}}", "org/m4"),
    "control character in a string": (b'{"id":"org/m4","cardData":{"x":"a\x07b"}}', "org/m4"),
    "record is not an object": (b'"org/m4"', None),
    "id missing or not a string": (b'{"id":4,"tags":[]}', None),
}


@pytest.fixture
def hub():
    server = PageHub(listing()).start()
    yield server
    server.stop()


@pytest.mark.parametrize("reason", sorted(HOSTILE_RECORDS))
def test_an_unreadable_record_costs_only_itself_tonight_and_is_stored_once_the_hub_fixes_it(hub, tmp_path, reason):
    bad, model_id = HOSTILE_RECORDS[reason]
    db = tmp_path / "hub.duckdb"
    hub.pages = listing(bad)
    first = crawl(hub, db, 0)
    assert first.status == "complete" and first.skipped == 1 and first.models_seen == 8
    assert stored_ids(db) == [m for m in ALL if m != "org/m4"]
    assert query(db, "SELECT snapshot_date, plan, model_id, field, reason, page_no FROM rejected_records") == [
        (NIGHTS[0], "full", model_id, None, reason, 2)]
    assert query(db, "SELECT plan, status, skipped_records FROM crawl_runs WHERE repo_type = 'models'") == [("full", "complete", 1)]
    second = crawl(hub, db, 1)   # the Hub has not fixed it: the next night is unaffected
    assert (second.status, second.resumed, second.skipped) == ("complete", False, 1)
    assert not staging_path(db).exists() and not spool_dir(db).exists()
    hub.pages = listing()        # ... and once it has, the record is stored
    third = crawl(hub, db, 2)
    assert third.skipped == 0 and stored_ids(db) == ALL
    assert query(db, "SELECT count(*) FROM rejected_records WHERE snapshot_date = ?", [NIGHTS[2]]) == [(0,)]


def test_bad_values_are_stored_as_null_and_noted_and_the_records_kept(hub, tmp_path):
    db = tmp_path / "hub.duckdb"
    hub.pages = [page(rec(1, lastModified="9999-12-31T23:59:59Z"), rec(2, lastModified="9999-12-31T23:59:59-05:00"),
                      rec(3, createdAt="-0001-01-01T00:00:00Z"), rec(4, downloads=-5), rec(5, downloads="12345"),
                      rec(6, likes="many", downloadsAllTime=[1]), rec(7, createdAt="2026-11-03T00:00:00Z"))]
    result = crawl(hub, db, 0)
    assert result.status == "complete" and result.skipped == 0 and result.total("dropped") == 7
    rows = dict((m, r) for m, *r in query(db, "SELECT model_id, created_at, last_modified, downloads, likes, "
                                              "downloads_all_time FROM hub_models"))
    assert rows["org/m1"][1] is None and rows["org/m2"][1] is None          # lastModified in the future
    assert rows["org/m3"][0] is None                                         # createdAt BC
    assert rows["org/m4"][2] is None and rows["org/m5"][2] == 12345          # negative / numeric string
    assert rows["org/m6"][3] is None and rows["org/m6"][4] is None
    assert rows["org/m7"][0] is None                                         # created after the server's Date + 1 day
    assert query(db, "SELECT model_id, field, reason FROM rejected_records ORDER BY ALL") == [
        ("org/m1", "lastModified", "later than the response's Date + 1 day"),
        ("org/m2", "lastModified", "later than the response's Date + 1 day"),
        ("org/m3", "createdAt", "earlier than 2000-01-01"),
        ("org/m4", "downloads", "negative count"),
        ("org/m6", "downloadsAllTime", "not a non-negative integer"),
        ("org/m6", "likes", "not a non-negative integer"),
        ("org/m7", "createdAt", "later than the response's Date + 1 day"),
    ]
    # no year 9999 or BC month reaches the growth figures
    months = [m for (m,) in query(db, "SELECT DISTINCT strftime(created_at, '%Y-%m') FROM hub_models "
                                      "WHERE created_at IS NOT NULL")]
    assert all("2025-01" <= m <= "2026-12" for m in months)


def test_a_far_future_last_modified_never_becomes_the_watermark(hub, tmp_path):
    db = tmp_path / "hub.duckdb"
    hub.pages = [page(rec(1, lastModified="9999-12-31T23:59:59Z"), rec(2, lastModified="2026-10-31T08:00:00.000Z"),
                      rec(3, lastModified="2025-01-01T00:00:00.000Z"))]
    crawl(hub, db, 0)
    assert query(db, "SELECT watermark FROM crawl_runs WHERE repo_type = 'models'") == [(dt.datetime(2026, 10, 31, 8, 0),)]


def test_an_html_page_is_recorded_the_night_ends_partial_and_nothing_is_marked_deleted(hub, tmp_path):
    db = tmp_path / "hub.duckdb"
    crawl(hub, db, 0)
    hub.responses[1] = (200, b"<html><body>502 Bad Gateway</body></html>", "text/html", False)   # no Link: the listing ends
    result = crawl(hub, db, 1)
    assert result.status == "partial" and result.plans["models/full"].lost_pages == 1
    assert stored_ids(db) == ALL   # pages 2 and 3 were not seen: their models are not "vanished"
    assert query(db, "SELECT plan, status, watermark IS NULL, error FROM crawl_runs WHERE snapshot_date = ? AND repo_type = 'models'",
                 [NIGHTS[1]]) == [("full", "partial", True,
                                   "1 page(s) unreadable through every retry; see rejected_records")]
    [(reason,)] = query(db, "SELECT reason FROM rejected_records WHERE model_id IS NULL AND field IS NULL")
    assert reason.startswith("page unreadable: not a JSON list") and "text/html" in reason and "(after 2 tries)" in reason
    assert query(db, "SELECT count(*) FROM model_snapshots WHERE snapshot_date = ?", [NIGHTS[1]]) == [(3,)]
    del hub.responses[1]   # the Hub is well again: a fresh, whole night (nothing to resume into)
    third = crawl(hub, db, 2)
    assert (third.status, third.resumed) == ("complete", False)
    assert query(db, "SELECT count(*) FROM model_snapshots WHERE snapshot_date = ?", [NIGHTS[2]]) == [(9,)]


def test_a_body_that_stays_cut_keeps_its_whole_records_and_the_listing_goes_on(hub, tmp_path):
    db = tmp_path / "hub.duckdb"
    crawl(hub, db, 0)
    cut = listing()[1][:-40]    # page 2 always arrives cut inside its last record
    hub.responses[1] = (200, cut, "application/json", True)
    result = crawl(hub, db, 1)
    assert result.status == "partial" and result.plans["models/full"].pages == 3
    snapped = [m for (m,) in query(db, "SELECT model_id FROM model_snapshots WHERE snapshot_date = ? ORDER BY 1",
                                   [NIGHTS[1]])]
    assert snapped == [m for m in ALL if m != "org/m6"]
    assert stored_ids(db) == ALL


def test_the_first_page_of_a_listing_must_be_a_hub_listing(hub, tmp_path):
    hub.responses[0] = (200, b"<!doctype html><title>Welcome to nginx!</title>", "text/html", False)
    with pytest.raises(Exception) as caught:
        crawl(hub, tmp_path / "hub.duckdb", 0)
    assert "is not a Hub listing" in str(caught.value) and "is it a Hugging Face Hub endpoint?" in str(caught.value)


def test_failed_requests_count_in_crawl_runs_and_a_retry_that_committed_nothing_does_not_claim_to_resume(
        hub, tmp_path, caplog):
    db = tmp_path / "hub.duckdb"
    hub.responses[0] = (503, b'{"error":"down"}', "application/json", False)
    with pytest.raises(RetriesExhausted):
        crawl(hub, db, 0)
    del hub.responses[0]
    with caplog.at_level(logging.INFO, logger="hubcensus.crawl"):
        result = crawl(hub, db, 0)
    assert not result.resumed and "resuming" not in caplog.text and "trying night" in caplog.text
    assert query(db, "SELECT requests FROM crawl_runs WHERE repo_type = 'models'") == [(2 + 3,)]   # 2 failed tries of page 1, then 3 pages


def _commit_by_hand(staging: Staging, lines: list[bytes]) -> None:
    """A committed page whose record file holds `lines` as they are (bypassing the crawler's
    checks, as a file written by an older version or damaged on disk would)."""
    incoming = staging.incoming_dir()
    incoming.mkdir(parents=True, exist_ok=True)
    f = incoming / "by-hand.0.ndjson"
    f.write_bytes(b"\n".join(lines) + b"\n")

    class Hand:
        files, records, largest_record, rejected, elements = [f], len(lines), max(map(len, lines)), [], len(lines)
        next_url, server_time, watermark, unreadable = None, dt.datetime(2026, 11, 1), None, None
        requests, retries, wire_bytes, seconds = 1, 0, 1, 0.0

    staging.commit_page("models/full", Hand())


def test_records_duckdb_refuses_are_bisected_out_and_the_rest_staged(tmp_path):
    lines = [f'{{"id":"org/m{i}","tags":[]}}'.encode() for i in range(1, 40)]
    lines[17] = b'{"id":"org/m18","cardData":{"x":"\xff"}}'       # invalid UTF-8: DuckDB refuses the file
    lines[30] = b'{"id":"org/m31","x":tru}'                       # malformed
    with Staging(tmp_path / "hub.duckdb") as staging:
        staging.start_night("n", ["full"], ["models"], "http://x", NIGHTS[0], {"models": (None, None)}, ["models/full"])
        _commit_by_hand(staging, lines)
        models, rejected = staging.parse_pending("models/full", heavy=True)
        assert (models, rejected) == (37, 2)
        assert staging.con.execute("SELECT model_id, field FROM stage_rejected ORDER BY 1").fetchall() == [
            ("org/m18", None), ("org/m31", None)]
        assert all(r.startswith("could not be parsed: ") for (r,) in
                   staging.con.execute("SELECT reason FROM stage_rejected").fetchall())
        assert staging.plan("models/full").normalized_pages == 1


def test_a_file_that_stopped_the_parse_twice_is_rejected_instead_of_blocking_every_night(tmp_path, monkeypatch):
    db = tmp_path / "hub.duckdb"
    lines = [f'{{"id":"org/m{i}"}}'.encode() for i in range(1, 4)]
    with Staging(db) as staging:
        staging.start_night("n", ["full"], ["models"], "http://x", NIGHTS[0], {"models": (None, None)}, ["models/full"])
        _commit_by_hand(staging, lines)

    def dies(*args, **kwargs):   # what a parse that kills the process leaves behind
        raise KeyboardInterrupt

    for _ in range(2):
        with Staging(db) as staging, monkeypatch.context() as m:
            m.setattr(Staging, "_parse_sql", dies)
            with pytest.raises(KeyboardInterrupt):
                staging.parse_pending("models/full", heavy=True)
    with Staging(db) as staging:
        assert staging.parse_pending("models/full", heavy=True) == (0, 3)
        assert staging.con.execute("SELECT model_id, reason FROM stage_rejected ORDER BY 1").fetchall() == [
            (f"org/m{i}", "could not be parsed: the parse stopped the crawl twice") for i in range(1, 4)]
        assert staging.plan("models/full").pending_pages == 0


def test_a_crawl_talks_to_its_endpoint_and_nothing_else(hub, tmp_path, monkeypatch):
    """No request to a third party, whatever the libraries underneath would do by themselves
    (huggingface_hub 2.x fetches an agent registry from huggingface.co to build its user agent)."""
    import socket

    looked_up: list[str] = []
    real = socket.getaddrinfo

    def record(host, *args, **kwargs):
        looked_up.append(host)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", record)
    crawl(hub, tmp_path / "hub.duckdb", 0)
    assert set(looked_up) == {"127.0.0.1"}
