"""`hubcensus figures` as a person reads it: the lifecycle graph's figures (datasets, Spaces,
models declaring training data or citing papers, the top training datasets with their on-Hub
mark, top papers, top models by Spaces) and what the figures' night rejected, read from
rejected_records (docs/ingest.md), with the command that shows the rows. Hub strings are
escaped for the terminal. The examples are analysis/example_db.py's (described there)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from analysis.example_db import create_crawl_db, create_history_db, create_lifecycle_db, dataset, model, space
from analysis.installer import install
from hubcensus.cli import main
from old_files import forget_lifecycle_graph

S = dt.date(2026, 11, 10)


@pytest.fixture(scope="module")
def lifecycle(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lifecycle") / "lifecycle.duckdb"
    create_lifecycle_db(path).close()
    return path


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("history") / "history.duckdb"
    create_history_db(path).close()
    return path


def figures(capsys, db: Path, *options: str) -> list[str]:
    code = main(["figures", "--db", str(db), *options])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    return captured.out.splitlines()


def section(lines: list[str], title: str) -> list[str]:
    """The lines from `title` to the next blank line."""
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start, len(lines)) if not lines[i]), len(lines))
    return lines[start:end]


def copy_of(db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / db.name
    shutil.copy(db, copy)
    return copy


# --- the lifecycle graph ------------------------------------------------------------------------

def test_the_headline_counts_models_datasets_spaces_and_papers(lifecycle, capsys):
    assert figures(capsys, lifecycle)[:12] == [
        "snapshot                      2026-11-10",
        "models alive                  14",
        "created in the last 30 days   1",
        "with a base model             10",
        "gated share                   7.14%",
        ">= 100M downloads (all time)  0",
        "declaring training data       12",
        "citing papers                 3",
        "datasets alive                5",
        "Spaces alive                  5",
        "Spaces using a model          4",
        "",
    ]


def test_the_top_training_datasets_say_which_are_on_the_hub(lifecycle, capsys):
    assert section(figures(capsys, lifecycle), "top training datasets") == [
        "top training datasets (alive models declaring each; created within 90 days of it)",
        "  dataset           models  within 90 days  on the Hub",
        "  ds/african             4               2  yes",
        "  ds/chat                4               2  yes",
        "  generator              3               0  no",
        "  ds/web                 2               0  yes",
        "  ds/gone                1               0  no",
        "  ds/nodate              1               0  yes",
        "  ghost/private-ds       1               0  no",
    ]


def test_the_top_papers_and_the_models_most_used_by_spaces(lifecycle, capsys):
    lines = figures(capsys, lifecycle)
    assert section(lines, "top papers") == [
        "top papers (alive repositories citing each arXiv id)",
        "  arXiv id    models  datasets  Spaces",
        "  2302.13971       2         1       0",
        "  2305.18290       1         1       1",
        "  2306.05685       0         0       2",
        "  2310.06825       1         0       0",
    ]
    assert section(lines, "top models by Spaces") == [
        "top models by Spaces using them",
        "  model             Spaces",
        "  mistral/base           2",
        "  u1/llama-chat          2",
        "  gone/never-model       1",
        "  meta/llama-base        1",
        "  u2/llama-sw            1",
        "  v1/mistral-ft          1",
    ]


def test_a_night_without_rejections_says_so_and_names_the_table(lifecycle, capsys):
    assert figures(capsys, lifecycle)[-2:] == [
        "rejected on the night of 2026-11-10: nothing (what is rejected and where to look: docs/ingest.md)",
        f"  the table rejected_records: hubcensus sql --db {lifecycle} "
        "\"SELECT * FROM rejected_records WHERE snapshot_date = DATE '2026-11-10'\"",
    ]


def test_a_top_list_shows_ten_entries(tmp_path, capsys):
    """figures --json holds the top 20; the text shows the first 10 of each list."""
    links = [("model", f"m/{i:02d}", "dataset", f"d/{i:02d}", "trained_on") for i in range(12)]
    path = tmp_path / "many.duckdb"
    con = create_crawl_db(path, [model(f"m/{i:02d}", "2026-01-01T00:00:00") for i in range(12)], links=links,
                          typed_runs=[(1, "full", "complete", S, "models"), (2, "full", "complete", S, "datasets"),
                                      (3, "full", "complete", S, "spaces")])
    install(con)
    con.close()
    table = section(figures(capsys, path), "top training datasets")
    assert table[1:] == ["  dataset  models  within 90 days  on the Hub",
                         *(f"  d/{i:02d}          1               0  no" for i in range(10))]


# --- datasets and Spaces not crawled, or listed on another night -----------------------------------

def test_a_models_only_database_says_datasets_and_spaces_were_not_crawled(history, capsys):
    lines = figures(capsys, history)
    assert lines[6:11] == [
        "declaring training data       0",
        "citing papers                 0",
        "datasets alive                not crawled yet (hubcensus crawl lists datasets by default)",
        "Spaces alive                  not crawled yet (hubcensus crawl lists spaces by default)",
        "Spaces using a model          not crawled yet (hubcensus crawl lists spaces by default)",
    ]
    assert not any(line.startswith(("top training datasets", "top papers", "top models by Spaces")) for line in lines)


def test_a_type_listed_before_the_figures_night_is_dated(lifecycle, tmp_path, capsys):
    db = copy_of(lifecycle, tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE crawl_runs SET snapshot_date = DATE '2026-11-08' WHERE repo_type = 'datasets'")
    assert figures(capsys, db)[8:11] == [
        "datasets alive                5 (listed 2026-11-08)",
        "Spaces alive                  5",
        "Spaces using a model          4",
    ]


def test_without_a_datasets_listing_the_on_hub_mark_is_unknown(lifecycle, tmp_path, capsys):
    db = copy_of(lifecycle, tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM crawl_runs WHERE repo_type = 'datasets'")
    table = section(figures(capsys, db), "top training datasets")
    assert table[1:4] == ["  dataset           models  within 90 days  on the Hub",
                          "  ds/african             4               2  unknown",
                          "  ds/chat                4               2  unknown"]


def test_a_database_without_the_lifecycle_tables_says_they_are_not_recorded(tmp_path, capsys):
    db = tmp_path / "no-graph.duckdb"
    con = create_crawl_db(db, [model("org/m", "2026-01-01T00:00:00")], typed_runs=[(1, "full", "complete", S, "models")])
    forget_lifecycle_graph(con)
    install(con)   # the views a file without the lifecycle tables gets
    con.close()
    lines = figures(capsys, db)
    assert lines[:8] == ["snapshot                      2026-11-10",
                         "models alive                  1",
                         "created in the last 30 days   0",
                         "with a base model             0",
                         "gated share                   0.00%",
                         ">= 100M downloads (all time)  0",
                         "datasets, Spaces, papers      not recorded by this database",
                         ""]
    assert not any(line.startswith(("top training datasets", "top papers", "top models by Spaces")) for line in lines)


# --- rejections ---------------------------------------------------------------------------------

def test_the_nights_rejections_by_kind_with_the_table_to_read(history, capsys):
    lines = figures(capsys, history)
    assert lines[lines.index("  a/ft1                                   1         1         0         0          1"
                             "         0") + 2:] == [
        "rejected on the night of 2026-11-10: 3 (what is rejected and where to look: docs/ingest.md)",
        "  records not stored          0",
        "  values dropped (now NULL)   2",
        "  pages unreadable            1",
        "  type    what   field      reason                                            count",
        "  models  value  downloads  not a non-negative integer                            2",
        "  models  page              page unreadable: HTML error page with status 200      1",
        f"  the table rejected_records: hubcensus sql --db {history} "
        "\"SELECT * FROM rejected_records WHERE snapshot_date = DATE '2026-11-10'\"",
    ]


def test_as_of_a_past_night_shows_that_nights_rejections(history, capsys):
    lines = figures(capsys, history, "--as-of", "2026-11-09")
    assert lines[0] == "snapshot                      2026-11-09"
    assert section(lines, "rejected on the night") == [
        "rejected on the night of 2026-11-09: 2 (what is rejected and where to look: docs/ingest.md)",
        "  records not stored          2",
        "  values dropped (now NULL)   0",
        "  pages unreadable            0",
        "  type    what    field  reason          count",
        "  models  record         invalid UTF-8       1",
        "  models  record         malformed JSON      1",
        f"  the table rejected_records: hubcensus sql --db {history} "
        "\"SELECT * FROM rejected_records WHERE snapshot_date = DATE '2026-11-09'\"",
    ]


def test_rejections_of_a_later_night_without_a_complete_listing_are_counted(history, tmp_path, capsys):
    """The sweep of 2026-11-11 failed, so the figures stay on 2026-11-10; what that night rejected
    is not hidden."""
    db = copy_of(history, tmp_path)
    with duckdb.connect(str(db)) as con:
        con.executemany("INSERT INTO rejected_records (snapshot_date, plan, model_id, field, reason, sample, page_no, "
                        "repo_type) VALUES (DATE '2026-11-11', 'sweep', NULL, NULL, ?, '<html>', 4, ?)",
                        [["page unreadable: body cut before its end", "models"],
                         ["page unreadable: body cut before its end", "datasets"]])
    assert figures(capsys, db)[-2:] == [
        "  and 2 on later nights without a complete listing (up to 2026-11-11)",
        f"  the table rejected_records: hubcensus sql --db {db} "
        "\"SELECT * FROM rejected_records WHERE snapshot_date = DATE '2026-11-10'\"",
    ]


def test_the_sql_pointer_quotes_the_database_path_for_a_shell(lifecycle, tmp_path, capsys):
    folder = tmp_path / "my data"
    folder.mkdir()
    db = copy_of(lifecycle, folder)
    assert figures(capsys, db)[-1] == (
        f"  the table rejected_records: hubcensus sql --db '{db}' "
        "\"SELECT * FROM rejected_records WHERE snapshot_date = DATE '2026-11-10'\"")


def test_without_db_the_pointer_has_no_db_option(lifecycle, capsys, monkeypatch):
    monkeypatch.setenv("HUBCENSUS_DB", str(lifecycle))
    code = main(["figures"])
    assert code == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "  the table rejected_records: hubcensus sql "
        "\"SELECT * FROM rejected_records WHERE snapshot_date = DATE '2026-11-10'\"")


# --- Hub strings on the terminal ----------------------------------------------------------------

RED_DATASET = "org/\x1b[31mred"
BELL_PAPER = "2401.\x0700001"
CLEAR_REASON = "could not be parsed: \x1b[2J here"


def test_hub_strings_are_escaped_and_the_columns_stay_aligned(tmp_path, capsys):
    path = tmp_path / "hostile.duckdb"
    con = create_crawl_db(
        path, [model("org/m", "2026-01-01T00:00:00"), model("org/\x1bm2", "2026-01-01T00:00:00")],
        datasets=[dataset("org/plain", "2025-01-01T00:00:00")],
        spaces=[space("org/s", "2026-02-01T00:00:00", models=["org/\x1bm2"])],
        links=[("model", "org/m", "dataset", RED_DATASET, "trained_on"),
               ("model", "org/\x1bm2", "dataset", RED_DATASET, "trained_on"),
               ("model", "org/m", "dataset", "org/plain", "trained_on"),
               ("model", "org/m", "paper", BELL_PAPER, "cites"),
               ("space", "org/s", "model", "org/\x1bm2", "uses")],
        typed_runs=[(1, "full", "complete", S, "models"), (2, "full", "complete", S, "datasets"),
                    (3, "full", "complete", S, "spaces")])
    con.execute("INSERT INTO rejected_records (snapshot_date, plan, model_id, field, reason, sample, page_no, repo_type) "
                "VALUES (?, 'full', NULL, NULL, ?, '{', 1, 'spaces')", [S, CLEAR_REASON])
    install(con)
    con.close()
    code = main(["figures", "--db", str(path)])
    out = capsys.readouterr().out
    assert code == 0
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", out)
    lines = out.splitlines()
    assert section(lines, "top training datasets")[1:] == [
        "  dataset          models  within 90 days  on the Hub",
        "  org/\\x1b[31mred       2               0  no",
        "  org/plain             1               0  yes",
    ]
    assert section(lines, "top papers")[1:] == ["  arXiv id        models  datasets  Spaces",
                                                "  2401.\\x0700001       1         0       0"]
    assert section(lines, "top models by Spaces")[1:] == ["  model       Spaces", "  org/\\x1bm2       1"]
    assert section(lines, "rejected on the night")[4:6] == [
        "  type    what    field  reason                             count",
        "  spaces  record         could not be parsed: \\x1b[2J here      1",
    ]
