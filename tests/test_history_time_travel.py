"""`--as-of`: the figures and the report of a past night equal what they were on that night.

A 2,500-model hubsim universe is crawled on six nights (licenses, gating, pipelines, libraries
and base models change every day; models are deleted and, by crawling an earlier hubsim day
again, listed again). After each night the figures and the report (Markdown) are recorded;
after the last night every recorded night is asked for again with --as-of. The same is asked of
three nights of the real sample cloned, with hostile values injected.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

import pipeline
from analysis import report
from analysis.figures import compute_figures
from analysis.time_travel import InconsistentHistory, NoHistory, travel
from crawler.http import RetryPolicy
from golden import HOSTILE_FAULTS
from history_twins import create_full_row_db
from hubcensus.cli import main
from hubsim.server import SimServer
from hubsim.universe import Universe
from storage.db import connect_readonly

GENERATED_AT = dt.datetime(2027, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
# (hubsim day, snapshot date); day 3 after day 5 lists again the models deleted on days 4-5
NIGHTS = [(1, dt.date(2026, 11, 1)), (2, dt.date(2026, 11, 2)), (5, dt.date(2026, 11, 4)),
          (3, dt.date(2026, 11, 5)), (7, dt.date(2026, 11, 7)), (9, dt.date(2026, 11, 9))]


def markdown(con) -> str:
    return report.render_markdown(report.collect(con), generated_at=GENERATED_AT)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("time-travel")
    db = folder / "hub.duckdb"
    sim = SimServer(Universe.build(models=2500, seed=12, day=1)).start()
    figures, reports = {}, {}
    try:
        for day, date in NIGHTS:
            sim.set_day(day)
            pipeline.run_night(str(db), endpoint=sim.url, progress=False, snapshot_date=date)
            with contextlib.closing(connect_readonly(db)) as con:
                figures[date] = compute_figures(con)
                reports[date] = markdown(con)
    finally:
        sim.stop()
    return {"db": db, "figures": figures, "reports": reports, "folder": folder}


def test_the_nights_changed_what_time_travel_must_undo(crawled):
    with contextlib.closing(duckdb.connect(str(crawled["db"]), read_only=True)) as con:
        fields = dict(con.execute("SELECT field, count(*) FROM model_changes GROUP BY 1").fetchall())
        removed = con.execute("SELECT count(*) FROM lineage_removed").fetchone()[0]
        revived = con.execute("""
            SELECT count(*) FROM model_counts c1 JOIN model_counts c2 USING (model_key)
            WHERE c2.valid_from > c1.valid_to""").fetchone()[0]   # a gap between two runs of a model
    assert set(fields) == {"license", "gated", "base_models", "pipeline_tag", "library_name"}
    assert removed > 0 and revived > 0
    totals = [crawled["figures"][date]["models_total"] for _day, date in NIGHTS]
    assert len(set(totals)) == len(totals)


def test_figures_as_of_each_night_equal_the_figures_of_that_night(crawled):
    for _day, date in NIGHTS:
        with contextlib.closing(connect_readonly(crawled["db"])) as con:
            assert compute_figures(con, as_of=date) == crawled["figures"][date], date


def test_a_day_between_nights_is_the_night_before_it(crawled):
    with contextlib.closing(connect_readonly(crawled["db"])) as con:
        assert compute_figures(con, as_of=dt.date(2026, 11, 6)) == crawled["figures"][dt.date(2026, 11, 5)]


def test_one_connection_travels_back_and_forth(crawled):
    with contextlib.closing(connect_readonly(crawled["db"])) as con:
        assert travel(con, dt.date(2026, 11, 2)) == dt.date(2026, 11, 2)
        assert compute_figures(con) == crawled["figures"][dt.date(2026, 11, 2)]
        assert travel(con, dt.date(2026, 11, 30)) == dt.date(2026, 11, 9)
        assert compute_figures(con) == crawled["figures"][dt.date(2026, 11, 9)]


def test_the_report_as_of_a_night_equals_the_report_of_that_night(crawled):
    for date in (dt.date(2026, 11, 4), dt.date(2026, 11, 7)):
        with contextlib.closing(connect_readonly(crawled["db"])) as con:
            data = report.collect(con, as_of=date)
        assert report.render_markdown(data, generated_at=GENERATED_AT) == crawled["reports"][date]


def test_cli_figures_and_report_as_of(crawled, capsys):
    db = str(crawled["db"])
    before = crawled["db"].read_bytes()
    assert main(["figures", "--db", db, "--json", "--as-of", "2026-11-05"]) == 0
    assert json.loads(capsys.readouterr().out) == crawled["figures"][dt.date(2026, 11, 5)]
    out = crawled["folder"] / "report.md"
    assert main(["report", "--db", db, "--as-of", "2026-11-04", "--out", str(out)]) == 0
    assert out.read_text().startswith("# The Hugging Face Hub on 4 November 2026\n")
    assert crawled["db"].read_bytes() == before   # readers never write, travelling or not


def test_cli_as_of_before_the_first_night_or_not_a_date(crawled, capsys):
    db = str(crawled["db"])
    assert main(["figures", "--db", db, "--as-of", "2026-10-31"]) == 2
    assert "no complete night on or before 2026-10-31" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["figures", "--db", db, "--as-of", "31/10/2026"])
    assert exit_info.value.code == 2
    assert "--as-of takes a date as YYYY-MM-DD, not '31/10/2026'" in capsys.readouterr().err


def test_a_database_without_history_tables_cannot_travel(crawled, tmp_path, capsys):
    older = create_full_row_db(tmp_path / "v3.duckdb")
    with contextlib.closing(duckdb.connect(str(older))) as con:
        con.execute("INSERT INTO crawl_runs (run_id, plan, status, snapshot_date) VALUES (1, 'full', 'complete', DATE '2026-11-01')")
    with contextlib.closing(connect_readonly(older)) as con, pytest.raises(NoHistory, match="the next `hubcensus crawl` upgrades it"):
        travel(con, dt.date(2026, 11, 1))
    assert main(["figures", "--db", str(older), "--as-of", "2026-11-01"]) == 2   # readers need the current schema
    err = capsys.readouterr().err
    assert "older than this hubcensus" in err and "run `hubcensus migrate`" in err


def test_a_copy_travels_the_same(crawled, tmp_path):
    copy = Path(shutil.copy(crawled["db"], tmp_path / "another name.duckdb"))   # its catalog is "another name"
    with contextlib.closing(connect_readonly(copy)) as con:
        assert compute_figures(con, as_of=dt.date(2026, 11, 4)) == crawled["figures"][dt.date(2026, 11, 4)]


def test_a_history_that_does_not_pair_with_the_rows_stops_the_travel(crawled, tmp_path, capsys):
    # Two runs holding on one night for one model would give it two states, and shift every
    # later model's history onto its neighbour: the travel refuses instead of answering wrong.
    broken = Path(shutil.copy(crawled["db"], tmp_path / "broken.duckdb"))
    with contextlib.closing(duckdb.connect(str(broken))) as con:
        con.execute("""INSERT INTO model_runs_recent
                       SELECT model_key, valid_from, DATE '2026-11-08', downloads, downloads_all_time, likes, gated,
                              downloads_all_time_delta
                       FROM model_counts_open WHERE valid_from <= DATE '2026-11-07' LIMIT 1""")
    with contextlib.closing(connect_readonly(broken)) as con, \
            pytest.raises(InconsistentHistory, match="the history of hub_models is inconsistent"):
        travel(con, dt.date(2026, 11, 7))
    assert main(["figures", "--db", str(broken), "--as-of", "2026-11-07"]) == 2
    assert "cannot answer for a past night" in capsys.readouterr().err


def test_a_model_without_history_is_as_its_row_has_it_up_to_the_night(crawled, tmp_path):
    # A hub_models row no snapshot ever keyed (model_key NULL: a row written by hand, or by a
    # hubcensus before history) travels as its row has it: seen from first_seen, deleted only if
    # by the night, its heavy fields known only if refreshed by the night, its counts as stored.
    copy = Path(shutil.copy(crawled["db"], tmp_path / "unkeyed.duckdb"))
    with contextlib.closing(duckdb.connect(str(copy))) as con:
        con.execute("""INSERT INTO hub_models (model_id, first_seen, last_seen, deleted_at, refreshed_on, downloads,
                                               license, gated)
                       VALUES ('hand/written', DATE '2026-11-02', DATE '2026-11-09', DATE '2026-11-05',
                               DATE '2026-11-03', 42, 'mit', 'auto'),
                              ('hand/refreshed-later', DATE '2026-11-02', DATE '2026-11-09', NULL,
                               DATE '2026-11-09', 5, 'mit', 'auto'),
                              ('hand/later', DATE '2026-11-08', DATE '2026-11-09', NULL, NULL, 7, NULL, NULL)""")
    with contextlib.closing(connect_readonly(copy)) as con:
        travel(con, dt.date(2026, 11, 4))
        rows = con.execute("""SELECT model_id, deleted_at, refreshed_on, downloads, license, gated, last_seen
                              FROM hub_models WHERE model_id LIKE 'hand/%' ORDER BY model_id""").fetchall()
    assert rows == [("hand/refreshed-later", None, None, 5, None, "auto", dt.date(2026, 11, 4)),
                    ("hand/written", None, dt.date(2026, 11, 3), 42, "mit", "auto", dt.date(2026, 11, 4))]


@pytest.fixture(scope="module")
def hostile_nights(tmp_path_factory, real_sample_path) -> dict:
    """Three nights of the real sample cloned to 1,500 records, with the hostile values of the
    golden crawl injected (negative and string counts, dates in year 9999 and before the common
    era, invalid UTF-8, records that are not objects): what the parse rejects or nulls one night
    must travel back as it was stored."""
    db = tmp_path_factory.mktemp("hostile-travel") / "hub.duckdb"
    fast = RetryPolicy(attempts=2, backoff_initial=0.01, backoff_max=0.02, jitter=0.0)
    figures, reports = {}, {}
    for day in (1, 2, 4):
        date = dt.date(2026, 11, day)
        universe = Universe.build(models=0, seed=5, day=day, real_path=real_sample_path, real_scale=1500)
        sim = SimServer(universe, faults=HOSTILE_FAULTS).start()
        try:
            pipeline.run_night(str(db), endpoint=sim.url, progress=False, policy=fast, repo_types=("models",),
                               snapshot_date=date)
        finally:
            sim.stop()
        with contextlib.closing(connect_readonly(db)) as con:
            figures[date] = compute_figures(con)
            reports[date] = markdown(con)
    return {"db": db, "figures": figures, "reports": reports}


def test_hostile_nights_travel_back_to_what_they_stored(hostile_nights):
    with contextlib.closing(connect_readonly(hostile_nights["db"])) as con:
        rejected = dict(con.execute("SELECT snapshot_date, count(*) FROM rejected_records GROUP BY 1").fetchall())
    assert sorted(rejected) == sorted(hostile_nights["figures"]) and min(rejected.values()) > 0   # every night was hostile
    for date, expected in hostile_nights["figures"].items():
        with contextlib.closing(connect_readonly(hostile_nights["db"])) as con:
            assert compute_figures(con, as_of=date) == expected, date
            data = report.collect(con, as_of=date)
        assert report.render_markdown(data, generated_at=GENERATED_AT) == hostile_nights["reports"][date], date
