"""Growth, gated, license, concentration, language and download views on the hand-built example
(analysis/example_db.py; latest complete sweep 2026-11-10; del/X deleted on 2026-11-09)."""

import datetime as dt

import pytest

from analysis.example_db import create_example_db

D = dt.date


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return create_example_db(tmp_path_factory.mktemp("views") / "example.duckdb")


def rows(con, sql):
    return con.execute(sql).fetchall()


# --- question 1: growth -------------------------------------------------------------------

def test_growth_monthly_counts_every_model_seen_and_the_alive_ones(con):
    # month, new, new alive, cumulative, cumulative alive (del/X was created in March)
    assert rows(con, "SELECT * FROM growth_monthly") == [
        ("2026-01", 1, 1, 1, 1), ("2026-02", 1, 1, 2, 2), ("2026-03", 2, 1, 4, 3), ("2026-04", 2, 2, 6, 5),
        ("2026-05", 2, 2, 8, 7), ("2026-06", 1, 1, 9, 8), ("2026-07", 1, 1, 10, 9), ("2026-08", 1, 1, 11, 10),
        ("2026-09", 1, 1, 12, 11), ("2026-10", 2, 2, 14, 13), ("2026-11", 2, 2, 16, 15),
    ]


def test_growth_daily_weekly_yearly(con):
    assert rows(con, "SELECT * FROM growth_daily WHERE day >= DATE '2026-10-01'") == [
        (D(2026, 10, 11), 1, 1, 13, 12), (D(2026, 10, 12), 1, 1, 14, 13),
        (D(2026, 11, 5), 1, 1, 15, 14), (D(2026, 11, 10), 1, 1, 16, 15),
    ]
    assert rows(con, "SELECT count(*), sum(new_models) FROM growth_daily") == [(16, 16)]
    # weeks start on Monday: 2026-01-15 (Thursday) falls in the week of 2026-01-12
    assert rows(con, "SELECT * FROM growth_weekly LIMIT 3") == [
        (D(2026, 1, 12), 1, 1, 1, 1), (D(2026, 1, 26), 1, 1, 2, 2), (D(2026, 2, 23), 1, 0, 3, 2)]
    assert rows(con, "SELECT * FROM growth_yearly") == [(2026, 16, 15, 16, 15)]


def test_recent_rate_is_directly_readable(con):
    # snapshot, created on S, last 7 days, last 30 days, per day over 7, per day over 30
    assert rows(con, "SELECT * FROM growth_recent_rate") == [(D(2026, 11, 10), 1, 2, 3, 0.3, 0.1)]


def test_growth_split_by_has_weights(con):
    assert rows(con, "SELECT month, facet_value, new_models FROM growth_monthly_by_facet "
                     "WHERE facet = 'has_weights' AND month IN ('2026-01', '2026-02', '2026-11')") == [
        ("2026-01", "yes", 1), ("2026-02", "no", 1), ("2026-11", "unknown", 1), ("2026-11", "yes", 1)]
    assert rows(con, "SELECT DISTINCT facet FROM growth_monthly_by_facet ORDER BY 1") == [
        ("has_weights",), ("library_name",), ("license_family",), ("pipeline_tag",)]


def test_hub_size_by_snapshot(con):
    assert rows(con, "SELECT * FROM hub_size_by_snapshot") == [(D(2026, 11, 9), 1, None), (D(2026, 11, 10), 2, 1)]
    assert rows(con, "SELECT * FROM hub_size_by_snapshot_facet WHERE facet = 'has_weights'") == [
        (D(2026, 11, 10), "has_weights", "no", 1),
        (D(2026, 11, 10), "has_weights", "unknown", 12),
        (D(2026, 11, 10), "has_weights", "yes", 2),
    ]


# --- question 3: gated ----------------------------------------------------------------------

def test_gated_prevalence_overall_and_downloads_weighted(con):
    # 2 of 15 gated; they hold 1500 of 1670 downloads
    assert rows(con, "SELECT * FROM gated_prevalence") == [(D(2026, 11, 10), 15, 13, 1, 1, 0.133333, 1670, 1500, 0.898204)]


def test_gated_prevalence_by_license_and_family(con):
    assert rows(con, "SELECT * FROM gated_prevalence_by_license") == [
        ("apache-2.0", 3, 2, 1, 0, 0.333333, 1.0),
        ("mit", 3, 3, 0, 0, 0.0, 0.0),
        ("gpl-3.0", 2, 2, 0, 0, 0.0, 0.0),
        ("llama3", 2, 1, 0, 1, 0.5, 0.952381),
        ("none", 2, 2, 0, 0, 0.0, 0.0),
        ("cc-by-nc-4.0", 1, 1, 0, 0, 0.0, 0.0),
        ("other", 1, 1, 0, 0, 0.0, 0.0),
        ("weird-license", 1, 1, 0, 0, 0.0, 0.0),
    ]
    assert rows(con, "SELECT * FROM gated_prevalence_by_license_family") == [
        ("permissive", 6, 5, 1, 0, 0.166667, 0.826446),
        ("copyleft", 2, 2, 0, 0, 0.0, 0.0),
        ("none", 2, 2, 0, 0, 0.0, 0.0),
        ("open-weights-restricted", 2, 1, 0, 1, 0.5, 0.952381),
        ("other", 2, 2, 0, 0, 0.0, 0.0),
        ("non-commercial", 1, 1, 0, 0, 0.0, 0.0),
    ]


def test_gated_prevalence_by_cohort_and_snapshot(con):
    assert rows(con, "SELECT * FROM gated_prevalence_by_cohort LIMIT 3") == [
        ("2026-01", 1, 0, 1, 1.0), ("2026-02", 1, 1, 0, 1.0), ("2026-03", 1, 0, 0, 0.0)]
    assert rows(con, "SELECT * FROM gated_prevalence_by_snapshot") == [
        (D(2026, 11, 9), 1, 0, 1, 1.0, 1.0), (D(2026, 11, 10), 2, 1, 1, 1.0, 1.0)]


# --- question 4: licenses -------------------------------------------------------------------

def test_license_landscape_by_count_and_downloads(con):
    assert rows(con, "SELECT * FROM license_landscape") == [
        ("apache-2.0", "permissive", 3, 0.2, 500, 0.299401),
        ("mit", "permissive", 3, 0.2, 105, 0.062874),
        ("gpl-3.0", "copyleft", 2, 0.133333, 0, 0.0),
        ("llama3", "open-weights-restricted", 2, 0.133333, 1050, 0.628743),
        ("none", "none", 2, 0.133333, 0, 0.0),
        ("cc-by-nc-4.0", "non-commercial", 1, 0.066667, 10, 0.005988),
        ("other", "other", 1, 0.066667, 5, 0.002994),
        ("weird-license", "other", 1, 0.066667, 0, 0.0),
    ]
    assert rows(con, "SELECT license_family, models, downloads FROM license_family_landscape") == [
        ("permissive", 6, 605), ("copyleft", 2, 0), ("none", 2, 0), ("open-weights-restricted", 2, 1050),
        ("other", 2, 5), ("non-commercial", 1, 10)]


def test_license_drift_edges_list_every_derivative_whose_license_differs(con):
    # ghost/G is not on the Hub, so orph/O's edge has no parent license to compare
    assert rows(con, "SELECT * FROM license_drift_edges") == [
        ("ft/A1", "base/A", "finetune", "llama3", "open-weights-restricted", "mit", "permissive", True),
        ("cyc/C3", "cyc/C2", "quantized", "gpl-3.0", "copyleft", "none", "none", False),
        ("mrg/M", "ft/A1", "merge", "mit", "permissive", "cc-by-nc-4.0", "non-commercial", False),
        ("q/A1q", "ft/A1", "quantized", "mit", "permissive", "none", "none", False),
        ("mrg/M", "ft/A2", "merge", "llama3", "open-weights-restricted", "cc-by-nc-4.0", "non-commercial", False),
        ("orph/O2", "orph/O", "adapter", "other", "other", "weird-license", "other", False),
    ]


def test_license_drift_by_family_and_summary(con):
    assert rows(con, "SELECT * FROM license_drift") == [
        ("copyleft", "copyleft", 2, 0, 0.666667),
        ("copyleft", "none", 1, 1, 0.333333),
        ("open-weights-restricted", "non-commercial", 1, 1, 0.333333),
        ("open-weights-restricted", "open-weights-restricted", 1, 0, 0.333333),
        ("open-weights-restricted", "permissive", 1, 1, 0.333333),
        ("other", "other", 1, 1, 1.0),
        ("permissive", "non-commercial", 1, 1, 0.2),
        ("permissive", "none", 1, 1, 0.2),
        ("permissive", "permissive", 3, 0, 0.6),
    ]
    # 12 edges with the parent on the Hub, 6 change license; of 3 from restricted bases, 1 turns permissive
    assert rows(con, "SELECT * FROM license_drift_summary") == [(12, 6, 0.5, 3, 1, 0.333333)]


def test_license_changes_over_time(con):
    assert rows(con, "SELECT * FROM license_changes") == [
        (D(2026, 11, 10), "llama3", "mit", 1), (D(2026, 11, 10), "none", "apache-2.0", 1)]


# --- question 5: concentration --------------------------------------------------------------

def test_concentration(con):
    # snapshot, models, downloads, top-1% size, its share, top-100 share, zero-download models,
    # >= 1M downloads (30 d), all-time known, >= 100M all time
    assert rows(con, "SELECT * FROM concentration") == [(D(2026, 11, 10), 15, 1670, 1, 0.598802, 1.0, 8, 0, 2, 1)]


def test_top_models_by_downloads(con):
    assert rows(con, "SELECT rank, model_id, downloads FROM top_models_by_downloads LIMIT 8") == [
        (1, "base/A", 1000), (2, "base/B", 500), (3, "ft/A1", 100), (4, "ft/A2", 50), (5, "mrg/M", 10),
        (6, "ft/X1", 5), (7, "orph/O", 5), (8, "cyc/C1", 0)]


def test_top_authors_by_models_and_downloads(con):
    assert rows(con, "SELECT * FROM top_authors") == [
        ("ft", 3, 155, None, 0, 1, 2),
        ("cyc", 3, 0, None, 0, 1, 5),
        ("base", 2, 1500, 200000050, 0, 3, 1),
        ("orph", 2, 5, None, 0, 3, 4),
        ("unk", 2, 0, None, 0, 3, 5),
        ("mrg", 1, 10, None, 0, 6, 3),
        ("q", 1, 0, None, 0, 6, 5),
        ("self", 1, 0, None, 0, 6, 5),
    ]


# --- question 6: languages ------------------------------------------------------------------

def test_language_counts_show_every_language(con):
    assert rows(con, "SELECT * FROM language_counts") == [("en", 2, 1500, 1), ("yo", 2, 600, 1)]
    assert rows(con, "SELECT * FROM languages_over_time") == [
        ("2026-01", "en", 1, 1), ("2026-02", "en", 1, 2), ("2026-02", "yo", 1, 1), ("2026-11", "yo", 1, 2)]


# --- question 7: downloads over time ----------------------------------------------------------

def test_downloads_ecosystem_and_one_model_series(con):
    assert rows(con, "SELECT * FROM downloads_ecosystem") == [
        (D(2026, 11, 9), 1, 900, 199999000, 10, None), (D(2026, 11, 10), 2, 1500, 200000050, 15, 1050)]
    assert con.execute("SELECT * FROM downloads_series(?)", ["base/A"]).fetchall() == [
        (D(2026, 11, 9), 900, 199999000, 10, None, None), (D(2026, 11, 10), 1000, 200000000, 12, 1000, 2)]
