"""analysis.lifecycle.lifecycle_figures: the eight lifecycle keys of docs/figures.md, exactly, on
the lifecycle example and on small databases built for one rule each (the top-20 cut with
ties, deleted sources, targets off the Hub, the 90-day window's edges, empty and older files)."""

from __future__ import annotations

import datetime as dt
import json

import duckdb

import analysis.figures as figures_module
from analysis.example_db import create_crawl_db, create_lifecycle_db, dataset, model, space
from analysis.figures import _figures, compute_figures
from analysis.installer import install
from analysis.lifecycle import LIFECYCLE_KEYS, lifecycle_figures, lifecycle_recorded
from old_files import forget_lifecycle_graph

D = dt.date
S = D(2026, 11, 10)
RUNS = [(1, "full", "complete", S, "models"), (2, "full", "complete", S, "datasets"), (3, "full", "complete", S, "spaces")]
READER_CONFIG = {"enable_external_access": False, "lock_configuration": True}
TEMP_TABLES_SQL = "SELECT table_name FROM duckdb_tables() WHERE database_name = 'temp' ORDER BY 1"


def figures_of(path) -> dict:
    with duckdb.connect(str(path), read_only=True, config=READER_CONFIG) as con:
        return lifecycle_figures(con)


def build(tmp_path, models=(), datasets=(), spaces=(), links=()):
    path = tmp_path / "t.duckdb"
    create_crawl_db(path, models, datasets=datasets, spaces=spaces, links=links, typed_runs=RUNS).close()
    return path


def test_the_lifecycle_example(tmp_path):
    create_lifecycle_db(tmp_path / "l.duckdb").close()
    assert figures_of(tmp_path / "l.duckdb") == {
        "datasets_total": 5,            # ds/gone is deleted
        "spaces_total": 5,              # sp/dead-demo is deleted
        "models_with_training_data": 12,
        "models_with_papers": 3,
        "spaces_with_models": 4,        # sp/static uses only a dataset
        "top_training_datasets": [
            # a tie at 4, by id; u3 at exactly +90 days counts, u8 one second later and solo/early
            # one second before the dataset do not
            {"dataset_id": "ds/african", "models": 4, "models_within_90_days": 2, "on_hub": True},
            {"dataset_id": "ds/chat", "models": 4, "models_within_90_days": 2, "on_hub": True},
            {"dataset_id": "generator", "models": 3, "models_within_90_days": 0, "on_hub": False},
            {"dataset_id": "ds/web", "models": 2, "models_within_90_days": 0, "on_hub": True},
            # deleted since: not on the Hub, so 0 although mistral/base came 5 days after it
            {"dataset_id": "ds/gone", "models": 1, "models_within_90_days": 0, "on_hub": False},
            {"dataset_id": "ds/nodate", "models": 1, "models_within_90_days": 0, "on_hub": True},
            {"dataset_id": "ghost/private-ds", "models": 1, "models_within_90_days": 0, "on_hub": False},
        ],
        "top_papers": [
            {"arxiv_id": "2302.13971", "models": 2, "datasets": 1, "spaces": 0},  # 3, tie by id
            {"arxiv_id": "2305.18290", "models": 1, "datasets": 1, "spaces": 1},  # 3
            {"arxiv_id": "2306.05685", "models": 0, "datasets": 0, "spaces": 2},
            {"arxiv_id": "2310.06825", "models": 1, "datasets": 0, "spaces": 0},  # the deleted ds/gone's citation gone
        ],
        "top_models_by_spaces": [
            {"model_id": "mistral/base", "spaces": 2},
            {"model_id": "u1/llama-chat", "spaces": 2},
            {"model_id": "gone/never-model", "spaces": 1},   # not on the Hub: still a candidate
            {"model_id": "meta/llama-base", "spaces": 1},    # the deleted sp/dead-demo does not count
            {"model_id": "u2/llama-sw", "spaces": 1},
            {"model_id": "v1/mistral-ft", "spaces": 1},
        ],
    }


def test_exactly_the_eight_keys_sorted_and_typed_as_documented(tmp_path):
    create_lifecycle_db(tmp_path / "l.duckdb").close()
    figures = figures_of(tmp_path / "l.duckdb")
    assert list(figures) == sorted(LIFECYCLE_KEYS) == [
        "datasets_total", "models_with_papers", "models_with_training_data", "spaces_total", "spaces_with_models",
        "top_models_by_spaces", "top_papers", "top_training_datasets"]
    for key in ("datasets_total", "models_with_papers", "models_with_training_data", "spaces_total", "spaces_with_models"):
        assert type(figures[key]) is int
    assert [list(e) for e in figures["top_training_datasets"]][0] == ["dataset_id", "models", "models_within_90_days", "on_hub"]
    assert [list(e) for e in figures["top_papers"]][0] == ["arxiv_id", "models", "datasets", "spaces"]
    assert [list(e) for e in figures["top_models_by_spaces"]][0] == ["model_id", "spaces"]
    assert {type(e["on_hub"]) for e in figures["top_training_datasets"]} == {bool}
    assert {type(v) for e in figures["top_papers"] for k, v in e.items() if k != "arxiv_id"} == {int}
    # JSON: booleans as true/false, never 0/1
    assert '"on_hub": false' in json.dumps(figures)


def test_the_top_20_cut_falls_inside_a_tie_and_deleted_sources_do_not_lift_a_candidate(tmp_path):
    models, links = [], []
    for i in range(30):
        models.append(model(f"m/{i:02d}", "2026-06-01T00:00:00"))
    for i in range(5):
        models.append(model(f"dead/{i}", "2026-06-01T00:00:00", deleted_at="2026-11-01"))
    # 18 datasets declared by 29, 28, ... 12 models; then three declared by 5 models each (places
    # 19, 20, 21: the cut keeps t/x-a and t/x-b, by id); the deleted models all declare t/x-c.
    counts = {f"t/d{j:02d}": 29 - j for j in range(18)} | {"t/x-b": 5, "t/x-a": 5, "t/x-c": 5, "t/z": 1}
    for dataset_id, count in counts.items():
        links += [("model", f"m/{i:02d}", "dataset", dataset_id, "trained_on") for i in range(count)]
    links += [("model", f"dead/{i}", "dataset", "t/x-c", "trained_on") for i in range(5)]
    top = figures_of(build(tmp_path, models, links=links))["top_training_datasets"]
    assert [(e["dataset_id"], e["models"]) for e in top] == (
        [(f"t/d{j:02d}", 29 - j) for j in range(18)] + [("t/x-a", 5), ("t/x-b", 5)])
    assert {(e["on_hub"], e["models_within_90_days"]) for e in top} == {(False, 0)}  # none is a Hub dataset


def test_the_top_20_papers_and_models_by_spaces_are_cut_inside_ties(tmp_path):
    models = [model(f"m/{i:02d}", "2026-06-01T00:00:00") for i in range(25)]
    spaces = [space(f"s/{i:02d}", "2026-06-01T00:00:00") for i in range(25)]
    spaces.append(space("s/deleted", "2026-06-01T00:00:00", deleted_at="2026-11-01"))
    links = []
    # papers p/00..p/18 are cited by 20 - j models (p/18 by 2); p/b by 2 models, p/a by a model
    # and a Space, p/c by 2 Spaces (and the deleted one): four papers at 2 for places 19 and 20,
    # which go to p/18 and p/a by id
    for j in range(19):
        links += [("model", f"m/{i:02d}", "paper", f"p/{j:02d}", "cites") for i in range(20 - j)]
    links += [("model", "m/00", "paper", "p/b", "cites"), ("model", "m/01", "paper", "p/b", "cites"),
              ("model", "m/00", "paper", "p/a", "cites"), ("space", "s/00", "paper", "p/a", "cites"),
              ("space", "s/00", "paper", "p/c", "cites"), ("space", "s/01", "paper", "p/c", "cites"),
              ("space", "s/deleted", "paper", "p/c", "cites")]
    # models used by Spaces: x/00..x/18 used by 20 - j Spaces; y/b, y/a, y/c by 2 (y/c also by the
    # deleted Space): only y/a gets place 20
    for j in range(19):
        links += [("space", f"s/{i:02d}", "model", f"x/{j:02d}", "uses") for i in range(20 - j)]
    for target in ("y/b", "y/a", "y/c"):
        links += [("space", "s/00", "model", target, "uses"), ("space", "s/01", "model", target, "uses")]
    links.append(("space", "s/deleted", "model", "y/c", "uses"))
    figures = figures_of(build(tmp_path, models, spaces=spaces, links=links))
    papers = figures["top_papers"]
    assert len(papers) == 20
    assert papers[-2:] == [{"arxiv_id": "p/18", "models": 2, "datasets": 0, "spaces": 0},
                           {"arxiv_id": "p/a", "models": 1, "datasets": 0, "spaces": 1}]
    by_spaces = figures["top_models_by_spaces"]
    assert [(e["model_id"], e["spaces"]) for e in by_spaces] == [(f"x/{j:02d}", 20 - j) for j in range(19)] + [("y/a", 2)]
    assert figures["spaces_with_models"] == 20  # s/00..s/19 (s/deleted does not count)
    assert figures["models_with_papers"] == 20 and figures["spaces_total"] == 25


def test_the_90_day_window_includes_both_ends_and_needs_the_dataset_on_the_hub(tmp_path):
    created = "2026-01-01T12:00:00"
    models = [
        model("at/start", created),                       # the same instant as the dataset: inside
        model("before/1s", "2026-01-01T11:59:59"),        # one second before: outside
        model("at/end", "2026-04-01T12:00:00"),           # created + 90 days exactly: inside
        model("after/1s", "2026-04-01T12:00:01"),         # one second later: outside
        model("no/date", None),                           # unknown createdAt: outside
        model("dead/in", "2026-01-02T00:00:00", deleted_at="2026-11-01"),  # deleted source: not counted at all
    ]
    datasets = [dataset("d/window", created), dataset("d/deleted", created, deleted_at="2026-11-02"),
                dataset("d/nodate", None)]
    links = [("model", m[0], "dataset", d, "trained_on") for m in models for d in ("d/window", "d/deleted", "d/nodate")]
    links.append(("model", "at/start", "dataset", "d/never-seen", "trained_on"))
    figures = figures_of(build(tmp_path, models, datasets=datasets, links=links))
    assert figures["top_training_datasets"] == [
        {"dataset_id": "d/deleted", "models": 5, "models_within_90_days": 0, "on_hub": False},
        {"dataset_id": "d/nodate", "models": 5, "models_within_90_days": 0, "on_hub": True},
        {"dataset_id": "d/window", "models": 5, "models_within_90_days": 2, "on_hub": True},
        {"dataset_id": "d/never-seen", "models": 1, "models_within_90_days": 0, "on_hub": False},
    ]
    assert figures["models_with_training_data"] == 5
    assert figures["datasets_total"] == 2


def test_a_database_with_the_tables_and_no_rows(tmp_path):
    path = tmp_path / "empty.duckdb"
    create_crawl_db(path).close()
    assert figures_of(path) == {
        "datasets_total": 0, "models_with_papers": 0, "models_with_training_data": 0, "spaces_total": 0,
        "spaces_with_models": 0, "top_models_by_spaces": [], "top_papers": [], "top_training_datasets": []}


def test_a_file_made_before_the_lifecycle_tables_reads_as_the_empty_graph(tmp_path):
    path = tmp_path / "old.duckdb"
    con = create_crawl_db(path, [model("a/m", "2026-01-01T00:00:00")])
    forget_lifecycle_graph(con)
    con.execute("DELETE FROM schema_migrations WHERE version IN (3, 5)")
    install(con)
    con.close()
    with duckdb.connect(str(path), read_only=True, config=READER_CONFIG) as ro:
        assert lifecycle_recorded(ro) is False
        assert lifecycle_figures(ro)["top_papers"] == [] and lifecycle_figures(ro)["datasets_total"] == 0
    create_lifecycle_db(tmp_path / "l.duckdb").close()
    with duckdb.connect(str(tmp_path / "l.duckdb"), read_only=True, config=READER_CONFIG) as ro:
        assert lifecycle_recorded(ro) is True


def test_figure_views_agree_with_the_analyst_views(tmp_path):
    con = create_lifecycle_db(tmp_path / "l.duckdb")
    # the figure's rows are the first rows of dataset_adoption, with the window shown as 0 off the Hub
    assert con.execute("SELECT * FROM figure_top_training_datasets").fetchall() == con.execute(
        "SELECT dataset_id, models, CASE WHEN on_hub THEN coalesce(models_within_90_days, 0) ELSE 0 END, on_hub "
        "FROM dataset_adoption WHERE models > 0 LIMIT 20").fetchall()
    assert con.execute("SELECT * FROM figure_top_papers").fetchall() == con.execute(
        "SELECT arxiv_id, models, datasets, spaces FROM papers LIMIT 20").fetchall()
    assert con.execute("SELECT * FROM figure_top_models_by_spaces").fetchall() == con.execute(
        "SELECT model_id, spaces FROM model_spaces LIMIT 20").fetchall()


def test_compute_figures_reads_the_shared_views_once_and_leaves_the_connection_as_it_was(tmp_path):
    path = tmp_path / "l.duckdb"
    create_lifecycle_db(path).close()
    with duckdb.connect(str(path), read_only=True, config=READER_CONFIG) as ro:
        direct = _figures(ro)   # every figure view reading the stored alive_lineage and alive_links
        seen_during: list[list] = []
        real = figures_module.lifecycle_figures

        def spying(con):
            seen_during.append(con.execute(TEMP_TABLES_SQL).fetchall())
            return real(con)

        figures_module.lifecycle_figures = spying
        try:
            assert compute_figures(ro) == direct
        finally:
            figures_module.lifecycle_figures = real
        assert seen_during == [[("alive_lineage",), ("alive_links",)]]
        assert ro.execute(TEMP_TABLES_SQL).fetchall() == []


def test_a_shared_view_already_shadowed_on_the_connection_is_left_alone(tmp_path):
    path = tmp_path / "l.duckdb"
    create_lifecycle_db(path).close()
    with duckdb.connect(str(path), read_only=True, config=READER_CONFIG) as ro:
        expected = compute_figures(ro)
        ro.execute("CREATE TEMP VIEW alive_links AS SELECT * FROM l.main.alive_links")   # e.g. an analyst's own
        assert compute_figures(ro) == expected
        assert ro.execute("SELECT count(*) FROM duckdb_views() WHERE database_name = 'temp' "
                          "AND view_name = 'alive_links'").fetchone() == (1,)
