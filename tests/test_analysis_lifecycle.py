"""The lifecycle-graph views on the hand-built lifecycle example (analysis/example_db.py: S =
2026-11-10; three families, six datasets, six Spaces, links to datasets on and off the Hub,
deleted sources and the 30/90/365-day window edges; the diagram is in the module docstring)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from analysis.example_db import create_crawl_db, create_lifecycle_db, model
from analysis.installer import install, prepare_reader

D = dt.date
T = dt.datetime


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return create_lifecycle_db(tmp_path_factory.mktemp("lifecycle") / "lifecycle.duckdb")


def rows(con, sql, params=None):
    return con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()


# --- base views --------------------------------------------------------------------------------

def test_datasets_and_spaces_views_add_the_license_family_and_alive_ones_leave_out_deletions(con):
    assert rows(con, "SELECT dataset_id, license, license_family FROM datasets ORDER BY 1") == [
        ("ds/african", "cc-by-sa-4.0", "copyleft"), ("ds/chat", "apache-2.0", "permissive"),
        ("ds/gone", "mit", "permissive"), ("ds/nodate", None, "none"), ("ds/unused", None, "none"),
        ("ds/web", "cc-by-4.0", "permissive")]
    assert rows(con, "SELECT dataset_id FROM alive_datasets ORDER BY 1") == [
        ("ds/african",), ("ds/chat",), ("ds/nodate",), ("ds/unused",), ("ds/web",)]
    assert rows(con, "SELECT space_id, license_family FROM spaces ORDER BY 1")[0] == ("sp/chat-demo", "none")
    assert rows(con, "SELECT count(*) FROM spaces") == [(6,)]
    assert rows(con, "SELECT space_id FROM alive_spaces ORDER BY 1") == [
        ("sp/chat-demo",), ("sp/leaderboard",), ("sp/mistral-chat",), ("sp/static",), ("sp/sw-demo",)]


def test_repositories_put_the_three_types_in_one_shape(con):
    assert rows(con, "SELECT repo_type, count(*), count_if(alive) FROM repositories GROUP BY 1 ORDER BY 1") == [
        ("dataset", 6, 5), ("model", 15, 14), ("space", 6, 5)]


def test_links_are_distinct_with_where_they_were_declared_and_flags(con):
    # u1/llama-chat declares ds/chat in a tag and in cardData: storage keeps one link, from the tag
    assert rows(con, "SELECT declared_in, source_alive, target_on_hub, target_deleted FROM links "
                     "WHERE source_id = 'u1/llama-chat' AND target_id = 'ds/chat'") == [(["tag"], True, True, False)]
    flags = rows(con, "SELECT source_id, target_id, source_alive, target_on_hub, target_deleted FROM links "
                      "WHERE relation = 'trained_on' AND source_id IN ('mistral/base', 'u6/old-ft', 'u7/llama-ha') "
                      "ORDER BY 1, 2")
    assert flags == [
        ("mistral/base", "ds/gone", True, False, True),         # deleted target
        ("mistral/base", "ds/web", True, True, False),
        ("u6/old-ft", "ds/chat", False, True, False),           # deleted source
        ("u6/old-ft", "ds/gone", False, False, True),
        ("u7/llama-ha", "ghost/private-ds", True, False, False),  # never on the Hub
    ]
    # papers are not repositories: no on-Hub flag
    assert rows(con, "SELECT DISTINCT target_on_hub, target_deleted FROM links WHERE target_type = 'paper'") == [(None, None)]
    assert rows(con, "SELECT count(*) FROM links") == [(len({link[:5] for link in _example_links()}),)]
    assert rows(con, "SELECT count(*) FROM alive_links") == [(rows(con, "SELECT count(*) FROM links WHERE source_alive")[0][0],)]


def _example_links():
    from analysis.example_db import LIFECYCLE_LINKS
    return LIFECYCLE_LINKS


def test_an_empty_target_id_is_not_a_link(tmp_path):
    con = create_crawl_db(tmp_path / "t.duckdb", [model("a/m", "2026-01-01T00:00:00")],
                          links=[("model", "a/m", "dataset", "", "trained_on")],
                          typed_runs=[(1, "full", "complete", D(2026, 11, 10), "models")])
    install(con)
    assert rows(con, "SELECT count(*) FROM links") == [(0,)]
    assert rows(con, "SELECT * FROM figure_models_with_training_data") == [(0,)]


# --- dataset adoption ------------------------------------------------------------------------------

def test_dataset_adoption_counts_alive_models_in_total_and_within_30_90_365_days(con):
    assert rows(con, "SELECT dataset_id, on_hub, deleted_at, models, models_within_30_days, models_within_90_days, "
                     "models_within_365_days, first_model_created_at, spaces FROM dataset_adoption") == [
        # u2 (+49.5 d) and u3 (exactly +90 d) inside 90 days; u8 (+90 d + 1 s) and solo/early (1 s before) outside
        ("ds/african", True, None, 4, 0, 2, 3, T(2026, 3, 31, 23, 59, 59), 1),
        # u1 (+5 d), u2 (+45.5 d), u5 and v1 later; the deleted u6 does not count
        ("ds/chat", True, None, 4, 1, 2, 4, T(2026, 4, 10), 0),
        ("generator", False, None, 3, None, None, None, T(2026, 3, 31, 23, 59, 59), 0),  # never on the Hub
        ("ds/web", True, None, 2, 0, 0, 2, T(2026, 4, 1), 1),
        ("ds/gone", False, D(2026, 11, 5), 1, 1, 1, 1, T(2026, 9, 15), 0),  # deleted: windows still computed
        ("ds/nodate", True, None, 1, None, None, None, None, 0),             # no createdAt: windows unknown
        ("ghost/private-ds", False, None, 1, None, None, None, T(2026, 11, 9), 0),
        ("ds/unused", True, None, 0, 0, 0, 0, None, 1),                      # on the Hub, declared by nobody
    ]


# --- Spaces, papers --------------------------------------------------------------------------------

def test_model_spaces_counts_alive_spaces_per_model_used_on_the_hub_or_not(con):
    assert rows(con, "SELECT * FROM model_spaces") == [
        # model_id, on_hub, spaces, running, likes of those Spaces (sp/dead-demo is deleted)
        ("mistral/base", True, 2, 1, 508), ("u1/llama-chat", True, 2, 1, 520), ("gone/never-model", False, 1, 1, 500),
        ("meta/llama-base", True, 1, 1, 500), ("u2/llama-sw", True, 1, 1, 5), ("v1/mistral-ft", True, 1, 0, 8)]


def test_papers_count_alive_citing_models_datasets_and_spaces(con):
    assert rows(con, "SELECT * FROM papers") == [
        # arxiv_id, models, datasets, spaces, repositories, repo_types; ties by id
        ("2302.13971", 2, 1, 0, 3, 2), ("2305.18290", 1, 1, 1, 3, 3), ("2306.05685", 0, 0, 2, 2, 1),
        ("2310.06825", 1, 0, 0, 1, 1)]  # 9999.00001 is cited only by the deleted u6: absent


# --- growth and lifespans --------------------------------------------------------------------------

def test_datasets_and_spaces_growth_per_month(con):
    assert rows(con, "SELECT * FROM datasets_growth_monthly") == [
        ("2025-12", 1, 1, 1, 1), ("2026-04", 2, 2, 3, 3), ("2026-09", 1, 0, 4, 3), ("2026-11", 1, 1, 5, 4)]
    assert rows(con, "SELECT * FROM spaces_growth_monthly") == [
        ("2026-04", 1, 1, 1, 1), ("2026-05", 2, 1, 3, 2), ("2026-06", 1, 1, 4, 3), ("2026-09", 1, 1, 5, 4),
        ("2026-10", 1, 1, 6, 5)]
    assert rows(con, "SELECT repo_type, sum(new_repositories) FROM repository_growth_monthly GROUP BY 1 ORDER BY 1") == [
        ("dataset", 5), ("model", 14), ("space", 6)]  # ds/nodate and solo/nodate have no createdAt


def test_repository_lifespans_per_creation_month(con):
    # repo_type, cohort, repositories, deleted, share, median days to deletion,
    # observed / no commit after / share at 30, 90 and 365 days
    assert rows(con, "SELECT * FROM repository_lifespans WHERE repo_type = 'dataset'") == [
        # ds/web: last commit 2026-01-15, after day 30, within day 90; too young for 365 days
        ("dataset", "2025-12", 1, 0, 0.0, None, 1, 0, 0.0, 1, 1, 1.0, 0, 0, None),
        # ds/chat: last commit the next day; ds/african: 2026-10-01
        ("dataset", "2026-04", 2, 0, 0.0, None, 2, 1, 0.5, 2, 1, 0.5, 0, 0, None),
        # ds/gone: deleted 56 days after creation; created 2026-09-10, observable for 30 days only
        ("dataset", "2026-09", 1, 1, 1.0, 56.0, 1, 1, 1.0, 0, 0, None, 0, 0, None),
        ("dataset", "2026-11", 1, 0, 0.0, None, 0, 0, None, 0, 0, None, 0, 0, None),
        ("dataset", "all", 5, 1, 0.2, 56.0, 4, 2, 0.5, 3, 2, 0.666667, 0, 0, None),
    ]
    assert rows(con, "SELECT * FROM repository_lifespans WHERE repo_type = 'space' AND cohort_month = 'all'") == [
        ("space", "all", 6, 1, 0.166667, 168.0, 6, 5, 0.833333, 4, 3, 0.75, 0, 0, None)]


def test_the_365_day_horizon_counts_repositories_old_enough(tmp_path):
    con = create_crawl_db(
        tmp_path / "t.duckdb",
        # created on S - 365 days, a commit one second after its day 365
        [model("a/old", "2025-11-10T12:00:00", last_modified="2026-11-10T12:00:01"),
         # last commit exactly 365 days after creation: no commit *after* day 365
         model("a/edge", "2025-06-01T00:00:00", last_modified="2026-06-01T00:00:00"),
         model("a/idle", "2025-01-01T00:00:00", last_modified="2025-12-31T00:00:00"),
         # created on S - 364 days: whether it goes quiet cannot be told yet
         model("a/young", "2025-11-11T00:00:00", last_modified="2025-11-11T00:00:00")],
        typed_runs=[(1, "full", "complete", D(2026, 11, 10), "models")])
    install(con)
    assert rows(con, "SELECT observed_365d, no_commit_after_365d, no_commit_after_365d_share FROM repository_lifespans "
                     "WHERE repo_type = 'model' AND cohort_month = 'all'") == [(3, 2, 0.666667)]


# --- families --------------------------------------------------------------------------------------

def test_family_members_walk_alive_derivatives_from_any_root(con):
    assert rows(con, "SELECT root_id, model_id, distance FROM family_members ORDER BY root_id, distance, model_id") == [
        ("meta/llama-base", "meta/llama-base", 0), ("meta/llama-base", "u1/llama-chat", 1),
        ("meta/llama-base", "u2/llama-sw", 1), ("meta/llama-base", "u3/llama-yo", 1),
        ("meta/llama-base", "u7/llama-ha", 1), ("meta/llama-base", "u8/llama-ig", 1),
        ("meta/llama-base", "u4/llama-chat-gguf", 2), ("meta/llama-base", "u5/llama-merge", 2),
        ("mistral/base", "mistral/base", 0), ("mistral/base", "v1/mistral-ft", 1), ("mistral/base", "v2/mistral-q", 1),
        ("private/base", "private/base", 0), ("private/base", "w1/child", 1)]
    # a root that is itself a derivative, and an id without children
    assert rows(con, "SELECT root_id, model_id FROM family_members_of(?) ORDER BY 1, 2",
                [["u1/llama-chat", "solo/early"]]) == [
        ("solo/early", "solo/early"), ("u1/llama-chat", "u1/llama-chat"), ("u1/llama-chat", "u4/llama-chat-gguf"),
        ("u1/llama-chat", "u5/llama-merge")]


def test_family_training_data_separates_the_roots_data_from_its_derivatives(con):
    assert rows(con, "SELECT dataset_id, declared_by_root, derivatives, on_hub FROM family_training_data "
                     "WHERE root_id = 'meta/llama-base'") == [
        ("ds/web", True, 0, True), ("generator", True, 0, False),
        ("ds/african", False, 3, True), ("ds/chat", False, 3, True), ("ghost/private-ds", False, 1, False)]


def test_family_derivatives_by_day_since_release_per_relation(con):
    assert rows(con, "SELECT * FROM family_derivatives_by_day WHERE root_id = 'meta/llama-base'") == [
        # root, day, new, finetune, adapter, quantized, merge, unknown, cumulative (all, then per relation)
        ("meta/llama-base", 9, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0),
        ("meta/llama-base", 49, 1, 1, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0),
        ("meta/llama-base", 90, 2, 0, 2, 0, 0, 0, 4, 2, 2, 0, 0, 0),   # u3 at 90 d exactly, u8 one second later
        ("meta/llama-base", 91, 1, 0, 0, 1, 0, 0, 5, 2, 2, 1, 0, 0),
        ("meta/llama-base", 153, 1, 0, 0, 0, 1, 0, 6, 2, 2, 1, 1, 0),  # the merge of u1 and u2 counts once
        ("meta/llama-base", 222, 1, 1, 0, 0, 0, 0, 7, 3, 2, 1, 1, 0),
    ]
    # the root is not on the Hub: no release date, no day
    assert rows(con, "SELECT count(*) FROM family_derivatives_by_day WHERE root_id = 'private/base'") == [(0,)]


def test_family_languages_of_derivatives(con):
    assert rows(con, "SELECT language, derivatives, first_day, derivatives_within_365_days FROM family_languages "
                     "WHERE root_id = 'meta/llama-base'") == [
        ("en", 2, 9, 2), ("sw", 2, 49, 2), ("ha", 1, 222, 1), ("ig", 1, 90, 1), ("yo", 1, 90, 1)]


def test_family_spaces_list_alive_spaces_using_any_member(con):
    assert rows(con, "SELECT root_id, space_id, models_used, uses_root, likes FROM family_spaces") == [
        ("meta/llama-base", "sp/leaderboard", ["meta/llama-base", "u1/llama-chat"], True, 500),
        ("meta/llama-base", "sp/chat-demo", ["u1/llama-chat"], False, 20),
        ("meta/llama-base", "sp/sw-demo", ["u2/llama-sw"], False, 5),
        ("mistral/base", "sp/leaderboard", ["mistral/base"], True, 500),
        ("mistral/base", "sp/mistral-chat", ["mistral/base", "v1/mistral-ft"], True, 8)]


def test_family_license_drift_against_the_roots_license(con):
    assert rows(con, "SELECT * FROM family_license_drift") == [
        ("meta/llama-base", "llama3", "open-weights-restricted", 3, 3, False),
        ("meta/llama-base", "apache-2.0", "permissive", 1, 1, True),
        ("meta/llama-base", "cc-by-nc-4.0", "non-commercial", 1, 1, True),
        ("meta/llama-base", "mit", "permissive", 1, 0, True),
        ("meta/llama-base", "none", "none", 1, 0, True),
        ("mistral/base", "apache-2.0", "permissive", 1, 1, False),
        ("mistral/base", "other", "other", 1, 1, True),
        ("private/base", "none", "none", 1, 1, None)]   # the root's license is unknown


def test_family_activity_per_month_from_the_first_event_to_the_month_of_s(con):
    assert rows(con, "SELECT month, new_derivatives, last_commits, release FROM family_activity "
                     "WHERE root_id = 'meta/llama-base'") == [
        ("2026-04", 1, 0, True), ("2026-05", 1, 0, False), ("2026-06", 2, 1, False), ("2026-07", 1, 2, False),
        ("2026-08", 0, 0, False),  # a quiet month is a row
        ("2026-09", 1, 1, False), ("2026-10", 0, 1, False), ("2026-11", 1, 3, False)]
    # no release date (root not on the Hub): from the first derivative on
    assert rows(con, "SELECT month, new_derivatives, last_commits, release FROM family_activity "
                     "WHERE root_id = 'private/base'") == [
        ("2026-08", 1, 1, False), ("2026-09", 0, 0, False), ("2026-10", 0, 0, False), ("2026-11", 0, 0, False)]


def test_family_summary_of_the_llama_family(con):
    cursor = con.execute("SELECT * FROM family_summary_of(?)", [["meta/llama-base"]])
    names = [d[0] for d in cursor.description]
    summary = dict(zip(names, cursor.fetchone()))
    assert summary == {
        "root_id": "meta/llama-base", "on_hub": True, "alive": True, "deleted_at": None,
        "created_at": T(2026, 4, 1), "last_modified": T(2026, 10, 20), "license": "llama3",
        "license_family": "open-weights-restricted", "gated": "manual", "pipeline_tag": "text-generation",
        "library_name": "transformers", "downloads": 50_000, "downloads_all_time": 2_000_000, "likes": 300,
        "languages": ["en"], "days_since_release": 223,
        "derivatives": 7, "direct": 5, "generations": 2,
        "finetune": 3, "adapter": 2, "quantized": 1, "merge": 1, "unknown": 0,
        "derivatives_within_30_days": 1, "derivatives_within_90_days": 3, "derivatives_within_365_days": 7,
        "first_derivative_at": T(2026, 4, 10), "latest_derivative_at": T(2026, 11, 9),
        "derivative_languages": 5,
        "datasets_declared": 2, "datasets_declared_on_hub": 1, "post_training_datasets": 3,
        "derivatives_with_training_data": 6,
        "spaces": 3, "spaces_using_root": 1,            # sp/dead-demo is deleted
        "root_papers": ["2302.13971"], "family_papers": 2,
        "derivatives_license_differs": 4, "direct_license_differs": 2,
        "family_downloads": 62_240, "derivatives_downloads": 12_240,
        "members_modified_last_30d": 4, "members_modified_last_90d": 5,
    }


def test_family_summary_of_a_root_not_on_the_hub_and_of_an_unknown_id(con):
    got = rows(con, "SELECT root_id, on_hub, alive, days_since_release, derivatives, unknown, "
                    "derivatives_within_90_days, derivatives_license_differs FROM family_summary_of(?) ORDER BY 1",
               [["private/base", "nobody/at-all"]])
    assert got == [("nobody/at-all", False, False, None, 0, 0, None, None),
                   ("private/base", False, False, None, 1, 1, None, None)]


def test_family_summary_over_every_root_equals_the_macro(con):
    assert rows(con, "SELECT root_id, derivatives, spaces FROM family_summary") == [
        ("meta/llama-base", 7, 3), ("mistral/base", 2, 2), ("private/base", 1, 0)]
    assert rows(con, "SELECT * FROM family_summary WHERE root_id = 'mistral/base'") == rows(
        con, "SELECT * FROM family_summary_of(['mistral/base'])")


def test_the_family_macros_take_ids_as_a_parameter_on_a_read_only_reader(tmp_path):
    path = tmp_path / "l.duckdb"
    create_lifecycle_db(path).close()
    hostile = "x'); DROP TABLE hub_models; --"
    with duckdb.connect(str(path), read_only=True,
                        config={"enable_external_access": False, "lock_configuration": True}) as ro:
        prepare_reader(ro)
        assert rows(ro, "SELECT root_id, derivatives FROM family_summary_of(?) ORDER BY 1",
                    [[hostile, "mistral/base"]]) == [("mistral/base", 2), (hostile, 0)]
        assert rows(ro, "SELECT count(*) FROM hub_models") == [(15,)]
