"""The series only history gives (analysis/sql/20_history.sql), on a small hand-built history.

Five complete nights, 30 Oct - 4 Nov 2026, with no crawl on 3 Nov:
    org/root  apache-2.0, became gated (manual) on 1 Nov; the root of a family
    a/steady  mit, 100 downloads a day            child of org/root since 30 Oct
    b/spike   mit -> apache-2.0 on 2 Nov; 20,000 downloads on 1 Nov on a 3,000-a-month model
                                                  child of org/root since 2 Nov
    c/launch  no license, created 29 Oct, 50,000 downloads on its first full day
                                                  child of a/steady since 31 Oct
    d/away    mit, not listed on 31 Oct           child of org/root from 30 Oct until 1 Nov
    e/recount cc-by-nc-4.0, its all-time count went down by 1,000 on 31 Oct
"""

from __future__ import annotations

import contextlib
import datetime as dt

import duckdb
import pytest

from analysis.example_db import create_crawl_db, model
from analysis.installer import install

D = dt.date
NIGHTS = [D(2026, 10, 30), D(2026, 10, 31), D(2026, 11, 1), D(2026, 11, 2), D(2026, 11, 4)]

MODELS = [
    model("org/root", "2025-06-01T00:00:00", "apache-2.0", gated="manual", first_seen="2026-10-30", refreshed_on="2026-10-30"),
    model("a/steady", "2026-01-01T00:00:00", "mit", first_seen="2026-10-30", refreshed_on="2026-10-30"),
    model("b/spike", "2026-01-01T00:00:00", "apache-2.0", first_seen="2026-10-30", refreshed_on="2026-11-02"),
    model("c/launch", "2026-10-29T10:00:00", None, first_seen="2026-10-30", refreshed_on="2026-10-30"),
    model("d/away", "2026-01-01T00:00:00", "mit", first_seen="2026-10-30", refreshed_on="2026-10-30"),
    model("e/recount", "2026-01-01T00:00:00", "cc-by-nc-4.0", first_seen="2026-10-30", refreshed_on="2026-10-30"),
]
# model_id -> [(downloads_30d, downloads_all_time, gated) per night of NIGHTS, None: not listed]
SERIES = {
    "org/root": [(10, 7000, "none"), (10, 7000, "none"), (10, 7000, "manual"), (10, 7000, "manual"), (10, 7000, "manual")],
    "a/steady": [(3000, 1000, "none"), (3000, 1100, "none"), (3000, 1200, "none"), (3000, 1300, "none"), (3000, 1500, "none")],
    "b/spike": [(3000, 5000, "none"), (3000, 5100, "none"), (23000, 25100, "none"), (23100, 25200, "none"),
                (23300, 25400, "none")],
    "c/launch": [(0, 0, "none"), (50000, 50000, "none"), (50100, 50100, "none"), (50200, 50200, "none"),
                 (50300, 50300, "none")],
    "d/away": [(5, 10, "none"), None, (5, 30, "none"), (5, 40, "none"), (5, 50, "none")],
    "e/recount": [(0, 9000, "none"), (0, 8000, "none"), (0, 8000, "none"), (0, 8000, "none"), (0, 8000, "none")],
}
SNAPSHOTS = [(night, model_id, values[0], values[1], 0, values[2])
             for model_id, series in SERIES.items() for night, values in zip(NIGHTS, series) if values is not None]
RUNS = [(i + 1, "sweep", "complete", night) for i, night in enumerate(NIGHTS)]
CHANGES = [("org/root", "gated", "none", "manual", D(2026, 11, 1)),
           ("b/spike", "license", "mit", "apache-2.0", D(2026, 11, 2))]
LINEAGE = [("a/steady", "org/root", "finetune", D(2026, 10, 30)), ("b/spike", "org/root", "adapter", D(2026, 11, 2)),
           ("c/launch", "a/steady", "quantized", D(2026, 10, 31))]
REMOVED_EDGE = ("d/away", "org/root", "finetune", "tag", D(2026, 10, 30), D(2026, 11, 1))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("history-views") / "history.duckdb"
    db = create_crawl_db(path, MODELS, LINEAGE, SNAPSHOTS, RUNS, CHANGES)
    db.execute("INSERT INTO lineage_removed VALUES (?, ?, ?, ?, ?, ?)", list(REMOVED_EDGE))
    install(db)
    db.close()
    with contextlib.closing(duckdb.connect(str(path), read_only=True)) as reader:
        yield reader


def select(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_daily_downloads_are_the_exact_differences_of_all_time_counts(con):
    rows = select(con, """SELECT model_id, snapshot_date, previous_night, days, downloads, downloads_30d, downloads_per_day,
                                 suspected_automated
                          FROM daily_downloads ORDER BY model_id, snapshot_date""")
    n = {night.day: night for night in NIGHTS}
    assert rows == [
        ("a/steady", n[31], n[30], 1, 100, 3000, 100.0, False),
        ("a/steady", n[1], n[31], 1, 100, 3000, 100.0, False),
        ("a/steady", n[2], n[1], 1, 100, 3000, 100.0, False),
        ("a/steady", n[4], n[2], 2, 200, 3000, 100.0, False),      # no crawl on 3 Nov: two days
        ("b/spike", n[31], n[30], 1, 100, 3000, 100.0, False),
        ("b/spike", n[1], n[31], 1, 20000, 23000, 20000.0, True),  # > 10x (23,000 - 20,000) / 29 a day
        ("b/spike", n[2], n[1], 1, 100, 23100, 100.0, False),
        ("b/spike", n[4], n[2], 2, 200, 23300, 100.0, False),
        ("c/launch", n[31], n[30], 1, 50000, 50000, 50000.0, False),  # 2 days old: its window is its life
        ("c/launch", n[1], n[31], 1, 100, 50100, 100.0, False),
        ("c/launch", n[2], n[1], 1, 100, 50200, 100.0, False),
        ("c/launch", n[4], n[2], 2, 100, 50300, 50.0, False),
        ("d/away", n[2], n[1], 1, 10, 5, 10.0, False),   # back on 1 Nov: nothing to compare with that night
        ("d/away", n[4], n[2], 2, 10, 5, 5.0, False),
        ("e/recount", n[31], n[30], 1, -1000, 0, -1000.0, False),
    ]
    assert select(con, "SELECT count(*) FROM daily_downloads_of('b/spike')") == [(4,)]


def test_daily_downloads_by_night_add_up_and_split_out_the_flagged(con):
    assert select(con, "SELECT * FROM daily_downloads_by_night") == [
        (NIGHTS[1], NIGHTS[0], 1, 3, 49200, 0, 0),
        (NIGHTS[2], NIGHTS[1], 1, 3, 20200, 1, 20000),
        (NIGHTS[3], NIGHTS[2], 1, 4, 310, 0, 0),
        (NIGHTS[4], NIGHTS[3], 2, 4, 510, 0, 0),
    ]


def test_gated_share_by_month_reads_each_months_last_night(con):
    assert select(con, "SELECT * FROM gated_share_by_month") == [
        ("2026-10", NIGHTS[1], 5, 0, 0, 0.0),
        ("2026-11", NIGHTS[4], 6, 0, 1, 0.166667),
    ]


def test_license_mix_by_month_rolls_licenses_back_to_each_night(con):
    assert select(con, "SELECT month, license, license_family, models, share FROM license_mix_by_month") == [
        ("2026-10", "mit", "permissive", 2, 0.4),              # b/spike was still mit
        ("2026-10", "apache-2.0", "permissive", 1, 0.2),
        ("2026-10", "cc-by-nc-4.0", "non-commercial", 1, 0.2),
        ("2026-10", "none", "none", 1, 0.2),
        ("2026-11", "apache-2.0", "permissive", 2, 0.333333),
        ("2026-11", "mit", "permissive", 2, 0.333333),
        ("2026-11", "cc-by-nc-4.0", "non-commercial", 1, 0.166667),
        ("2026-11", "none", "none", 1, 0.166667),
    ]
    assert select(con, "SELECT month, license_family, models FROM license_family_mix_by_month") == [
        ("2026-10", "permissive", 3), ("2026-10", "non-commercial", 1), ("2026-10", "none", 1),
        ("2026-11", "permissive", 4), ("2026-11", "non-commercial", 1), ("2026-11", "none", 1)]


def test_derivatives_by_family_month_walk_each_nights_edges_through_listed_models(con):
    # 31 Oct: a/steady and c/launch (d/away's edge still held but d/away was not listed);
    # 4 Nov: a/steady, c/launch and b/spike (d/away's edge was removed on 1 Nov)
    assert select(con, "SELECT root_id, month, snapshot_date, descendants, change FROM derivatives_by_family_month") == [
        ("org/root", "2026-10", NIGHTS[1], 2, 2),
        ("org/root", "2026-11", NIGHTS[4], 3, 1),
    ]


def test_the_per_night_views_read_the_runs(con):
    assert select(con, "SELECT snapshot_date, models_listed, change_since_previous FROM hub_size_by_snapshot") == [
        (NIGHTS[0], 6, None), (NIGHTS[1], 5, -1), (NIGHTS[2], 6, 1), (NIGHTS[3], 6, 0), (NIGHTS[4], 6, 0)]
    assert select(con, "SELECT snapshot_date, downloads_all_time, downloads_all_time_delta FROM downloads_ecosystem") == [
        (NIGHTS[0], 22010, None), (NIGHTS[1], 71200, 49190), (NIGHTS[2], 91430, 20230),
        (NIGHTS[3], 91740, 310), (NIGHTS[4], 92250, 510)]


def test_without_a_complete_listing_the_latest_snapshot_is_the_latest_night_with_rows(tmp_path):
    runs = [(1, "sweep", "failed", NIGHTS[0]), (2, "refresh", "complete", NIGHTS[1])]
    db = create_crawl_db(tmp_path / "no-listing.duckdb", MODELS, (), [s for s in SNAPSHOTS if s[0] <= NIGHTS[1]], runs)
    install(db)
    assert db.execute("SELECT * FROM latest_snapshot").fetchall() == [(NIGHTS[1],)]
    db.close()
