"""The report's views (analysis/sql/10_report.sql, 11_rejections.sql) on the history example
(analysis/example_db.py: complete listings on 2026-10-09, 11-03, 11-09 and S = 11-10; the
diagram and the events are drawn there). Every expected value is worked out by hand from it."""

import datetime as dt

import pytest

from analysis.example_db import create_crawl_db, create_history_db, model
from analysis.figures import compute_figures
from analysis.installer import install

D = dt.date
S, WEEK_BASE, MONTH_BASE = D(2026, 11, 10), D(2026, 11, 3), D(2026, 10, 9)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return create_history_db(tmp_path_factory.mktemp("report_views") / "history.duckdb")


def rows(con, sql):
    return con.execute(sql).fetchall()


def test_periods_compare_with_the_latest_listing_on_or_before_7_and_30_days_back(con):
    # S - 30 = 2026-10-11 has no listing: the one of 2026-10-09 is the base
    assert rows(con, "SELECT * FROM report_periods") == [("7 nights", 7, S, WEEK_BASE), ("30 nights", 30, S, MONTH_BASE)]


def test_headline_now_and_at_each_base(con):
    # point, nights, date, models, created in the 7 / 30 days up to the date, gated models, gated share,
    # today's largest family and its size then.
    # 11-03: org/base not gated yet (manual from 11-05), b/ft2 still auto (none from 11-09): 2 of 6.
    # Family of org/base: a/ft1, e/gone on 10-09; + b/ft2 on 11-03 (e/gone still listed); today
    # a/ft1, b/ft2, d/new, c/q (e/gone deleted on 11-08).
    assert rows(con, "SELECT * FROM report_headline") == [
        ("now", 0, S, 10, 5, 6, 2, 0.2, "org/base", 4),
        ("7 nights", 7, WEEK_BASE, 6, 1, 2, 2, 0.333333, "org/base", 3),
        ("30 nights", 30, MONTH_BASE, 5, 1, 2, 1, 0.2, "org/base", 2),
    ]


def test_headline_now_equals_the_figures(con):
    figures = compute_figures(con)
    now = con.execute("SELECT models, created_last_30d, gated_share, largest_family_id, largest_family_descendants "
                      "FROM report_headline WHERE point = 'now'").fetchone()
    top = figures["top_derivatives"][0]
    assert now == (figures["models_total"], figures["models_created_last_30d"], figures["gated_share"],
                   top["model_id"], top["descendants"])


def test_change_summary(con):
    # first seen, deleted, license changed, became gated, stopped being gated, new edges
    assert rows(con, "SELECT * FROM report_change_summary") == [
        ("7 nights", 7, WEEK_BASE, S, 5, 1, 1, 1, 1, 5),
        ("30 nights", 30, MONTH_BASE, S, 6, 1, 2, 1, 1, 6),
    ]


def test_recent_changes_by_old_and_new_value(con):
    assert rows(con, "SELECT * FROM report_recent_changes") == [
        ("7 nights", 7, "gated", "auto", "none", 1),
        ("7 nights", 7, "gated", "none", "manual", 1),
        ("7 nights", 7, "license", "mit", "apache-2.0", 1),
        ("30 nights", 30, "gated", "auto", "none", 1),
        ("30 nights", 30, "gated", "none", "manual", 1),
        ("30 nights", 30, "license", "mit", "apache-2.0", 1),
        ("30 nights", 30, "license", "none", "mit", 1),
    ]


def test_growing_families_mark_new_ones_and_parents_not_on_the_hub(con):
    # model, on the Hub, children gained, children today, all of them new
    assert rows(con, "SELECT * FROM report_growing_families") == [
        ("7 nights", 7, "private-org/internal-base-v1", False, 3, 3, True),
        ("7 nights", 7, "a/ft1", True, 1, 1, True),
        ("7 nights", 7, "org/base", True, 1, 3, False),
        ("30 nights", 30, "private-org/internal-base-v1", False, 3, 3, True),
        ("30 nights", 30, "org/base", True, 2, 3, False),
        ("30 nights", 30, "a/ft1", True, 1, 1, True),
    ]


def test_download_milestones(con):
    # org/small passed 1M before 11-03 (1.2M then), so only the 30-night period sees it cross
    assert rows(con, "SELECT * FROM report_download_milestones") == [
        ("7 nights", 7, 100_000_000, "org/base", 99_500_000, 120_000_000),
        ("7 nights", 7, 10_000_000, "old/legacy", 9_900_000, 10_300_000),
        ("30 nights", 30, 100_000_000, "org/base", 90_000_000, 120_000_000),
        ("30 nights", 30, 10_000_000, "old/legacy", 9_500_000, 10_300_000),
        ("30 nights", 30, 1_000_000, "org/small", 500_000, 1_500_000),
    ]


def test_coverage_runs_and_rejections(con):
    # the listing that defines S ran on the crawler's clock the morning after
    assert rows(con, "SELECT * FROM report_coverage") == [
        (S, "sweep", dt.datetime(2026, 11, 11, 3, 0), dt.datetime(2026, 11, 11, 3, 4), 4, MONTH_BASE, 10, 11, 1, 9)]
    assert rows(con, "SELECT plan, status, pages, models_seen, requests, retries, bytes, skipped_records "
                     "FROM report_night_runs") == [("sweep", "complete", 1, 10, 1, 0, 1000, 0),
                                                  ("refresh", "partial", 2, 1, 4, 3, 3000, 1)]
    # runs of 10-12 .. 11-11: 5 complete, 1 partial, 1 failed (the sweep of 11-11, after S)
    assert rows(con, "SELECT * FROM report_runs_summary") == [(7, 5, 1, 1, 3, D(2026, 11, 11), "failed", "sweep")]
    assert rows(con, "SELECT * FROM report_rejections") == [
        ("not a non-negative integer", "value", "downloads", 2, 2, S),
        ("invalid UTF-8", "record", None, 0, 1, D(2026, 11, 9)),
        ("malformed JSON", "record", None, 0, 1, D(2026, 11, 9)),
        ("page unreadable: HTML error page with status 200", "page", None, 1, 1, S),
    ]


def test_new_models_by_month_marks_the_month_of_s_partial(con):
    assert rows(con, "SELECT count(*), min(month), max(month) FROM report_new_models_by_month") == [(24, "2024-12", "2026-11")]
    assert rows(con, "SELECT * FROM report_new_models_by_month WHERE month >= '2026-08'") == [
        ("2026-08", 0, False, 31, 31), ("2026-09", 1, False, 30, 30), ("2026-10", 1, False, 31, 31),
        ("2026-11", 6, True, 10, 30)]
    # 2022-03 (the Hub's createdAt floor, old/legacy) is older than 24 months: not drawn
    assert rows(con, "SELECT sum(new_models) FROM report_new_models_by_month") == [(10,)]


def test_nights_series(con):
    assert rows(con, "SELECT * FROM report_nights") == [
        (MONTH_BASE, 5, 0.2, 4652), (WEEK_BASE, 6, 0.333333, 5472), (D(2026, 11, 9), 9, 0.222222, 5980), (S, 10, 0.2, 6280)]


def test_download_concentration_curve(con):
    # 10 models; 0.01% .. 10% of them all round up to 1 model, kept once. org/base: 5000 of 6280.
    assert rows(con, "SELECT * FROM report_download_concentration") == [
        (1, 0.1, 0.796178), (2, 0.2, 0.923567), (5, 0.5, 0.996815), (10, 1.0, 1.0)]


def test_families_and_trees(con):
    # rank, root, on Hub, alive, license, deleted_at, direct, finetune, adapter, quantized, merge, unknown,
    # descendants, generations
    assert rows(con, "SELECT * FROM report_families") == [
        (1, "org/base", True, True, "llama3", None, 3, 2, 1, 0, 0, 0, 4, 2),
        (2, "private-org/internal-base-v1", False, False, None, None, 3, 0, 0, 0, 0, 3, 3, 1),
    ]
    assert rows(con, "SELECT * FROM report_family_trees") == [
        (1, "org/base", 1, "org/base", "a/ft1", "finetune", 1, 1, 3),
        (1, "org/base", 1, "org/base", "b/ft2", "adapter", 0, 2, 3),
        (1, "org/base", 1, "org/base", "d/new", "finetune", 0, 3, 3),
        (1, "org/base", 2, "a/ft1", "c/q", "quantized", 0, 1, 1),
        (2, "private-org/internal-base-v1", 1, "private-org/internal-base-v1", "x/o1", "unknown", 0, 1, 3),
        (2, "private-org/internal-base-v1", 1, "private-org/internal-base-v1", "x/o2", "unknown", 0, 2, 3),
        (2, "private-org/internal-base-v1", 1, "private-org/internal-base-v1", "x/o3", "unknown", 0, 3, 3),
    ]
    assert rows(con, "SELECT * FROM report_language_coverage") == [(10, 2)]


def test_trees_show_six_children_and_three_grandchildren_with_every_relation(tmp_path):
    kids = [f"k/{i}" for i in range(8)]
    grandkids = [f"g/{i}" for i in range(5)]
    models = [model(m, "2026-01-01T00:00:00") for m in ["r/root", *kids, *grandkids]]
    edges = [(k, "r/root", "finetune") for k in kids] + [("k/7", "r/root", "merge")]
    edges += [(g, "k/7", "adapter") for g in grandkids]
    con = create_crawl_db(tmp_path / "t.duckdb", models, edges, runs=[(1, "sweep", "complete", D(2026, 11, 10))])
    install(con)
    tree = rows(con, "SELECT depth, parent_id, child_id, relation, descendants, position, siblings FROM report_family_trees")
    assert tree[:2] == [(1, "r/root", "k/7", "finetune, merge", 5, 1, 8), (1, "r/root", "k/0", "finetune", 0, 2, 8)]
    assert [r[2] for r in tree if r[0] == 1] == ["k/7", "k/0", "k/1", "k/2", "k/3", "k/4"]
    assert [r[2] for r in tree if r[0] == 2] == ["g/0", "g/1", "g/2"]
    assert {r[6] for r in tree if r[0] == 2} == {5}


def test_a_single_night_has_no_periods_to_compare(tmp_path):
    con = create_crawl_db(tmp_path / "t.duckdb", [model("a/m", "2026-11-09T00:00:00", first_seen="2026-11-10")],
                          runs=[(1, "full", "complete", S)])
    install(con)
    assert rows(con, "SELECT * FROM report_periods") == [("7 nights", 7, S, None), ("30 nights", 30, S, None)]
    assert rows(con, "SELECT point, snapshot_date, models, created_last_7d, gated_share, largest_family_id "
                     "FROM report_headline") == [
        ("now", S, 1, 1, 0.0, None), ("7 nights", None, None, None, None, None), ("30 nights", None, None, None, None, None)]
    for view in ("report_change_summary", "report_recent_changes", "report_growing_families", "report_download_milestones"):
        assert rows(con, f"SELECT count(*) FROM {view}") == [(0,)], view


def test_an_empty_database_answers_every_report_view(tmp_path):
    con = create_crawl_db(tmp_path / "t.duckdb")
    install(con)
    assert rows(con, "SELECT count(*) FROM report_periods") == [(0,)]
    assert rows(con, "SELECT count(*) FROM report_headline") == [(0,)]
    assert rows(con, "SELECT snapshot_date, nights, models_listed FROM report_coverage") == [(None, 0, 0)]
    assert rows(con, "SELECT count(*) FROM report_new_models_by_month") == [(0,)]
    assert rows(con, "SELECT count(*) FROM report_download_concentration") == [(0,)]
