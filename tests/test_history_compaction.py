"""Compact history answers exactly what full snapshot rows answered (docs/history.md).

One crawl of a 3,000-model hubsim universe over ten nights feeds two databases the same staged
nights (tests/history_twins.py): the code as it is (runs of unchanged counts) and a twin that
stores a full row per model and night, as before migration 004. The nights are made to hit
every path: counts moving, models deleted (hubsim deletes some every day) and listed again (a
later night crawls an earlier hubsim day), a night crawled twice with other values, a night
that lost pages (models missing without being deleted), a refresh-only night, and a night older
than the latest one merged after it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from analysis.figures import compute_figures
from analysis.installer import install, prepare_reader
from analysis.time_travel import travel
from crawler.http import RetryPolicy
from history_twins import Twins, rows
from hubsim.server import SimServer
from hubsim.universe import Universe
import storage.merge
from storage.db import apply_migrations, connect_readonly

FAST = RetryPolicy(attempts=2, backoff_initial=0.01, backoff_max=0.02, jitter=0.0)


def night(day: int) -> dt.date:
    return dt.date(2026, 11, day)


# (hubsim day, snapshot date, what the night does)
NIGHTS = [
    (1, night(1), "first night: one heavy listing"),
    (2, night(2), "counts move"),
    (4, night(3), "two days of change at once"),
    (3, night(4), "the day before: models deleted on day 4 are listed again"),
    (5, night(4), "the same date crawled again, with other values"),
    (6, night(5), "pages lost: their models are not listed, not deleted"),
    (7, night(6), "a refresh-only night"),
    (9, night(9), "counts move; a negative count on one record of every page"),
    (8, night(8), "a night older than the latest, merged after it"),
    (10, night(10), "after the older night"),
]
SNAPSHOTS = "SELECT snapshot_date, model_id, downloads, downloads_all_time, likes, gated FROM model_snapshots"
# Datasets' and Spaces' snapshots (runs since migration 005), compared the same way.
LIFECYCLE_SNAPSHOTS = {
    "datasets": "SELECT snapshot_date, dataset_id, downloads, downloads_all_time, likes, gated FROM dataset_snapshots",
    "spaces": "SELECT snapshot_date, space_id, likes, runtime_stage FROM space_snapshots",
}
USER_VIEWS = "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' ORDER BY 1"
# All-time downloads since the snapshot night before, from full rows (NULL: not listed then).
FULL_ROW_DELTAS = """
WITH nights AS (SELECT snapshot_date, lag(snapshot_date) OVER (ORDER BY snapshot_date) AS previous
                FROM (SELECT DISTINCT snapshot_date FROM model_snapshots))
SELECT s.snapshot_date, s.model_id, s.downloads_all_time - p.downloads_all_time
FROM model_snapshots s JOIN nights n USING (snapshot_date)
LEFT JOIN model_snapshots p ON p.model_id = s.model_id AND p.snapshot_date = n.previous
"""
# hub_models rows whose key is not their model's key in model_keys (migration 006).
ROWS_WITHOUT_THEIR_KEY = """
SELECT count(*) FROM hub_models h LEFT JOIN model_keys k USING (model_id) WHERE h.model_key IS DISTINCT FROM k.model_key
"""
# The figures count lineage edges and links as rows, without DISTINCT: storage keeps one row per
# key, and lineage's relation is one of the five. Rows breaking either, in the stored tables...
STORED_DUPLICATES = """
SELECT (SELECT count(*) - count(DISTINCT (child_id, parent_id, relation)) FROM lineage)
     + (SELECT count(*) FROM lineage WHERE relation NOT IN ('finetune', 'adapter', 'quantized', 'merge', 'unknown'))
     + (SELECT count(*) - count(DISTINCT (source_type, source_id, target_type, target_id, relation)) FROM repo_links)
"""
# ... and in what the figures read, as stored and as time travel rebuilds it for a past night.
ALIVE_DUPLICATES = """
SELECT (SELECT count(*) - count(DISTINCT (parent_id, child_id, relation)) FROM alive_lineage)
     + (SELECT count(*) - count(DISTINCT (source_type, source_id, target_type, target_id, relation)) FROM alive_links)
"""
RUN_DELTAS = """
SELECT n.snapshot_date, c.model_id,
       CASE WHEN c.valid_from = n.snapshot_date THEN c.downloads_all_time_delta ELSE 0 END
FROM model_counts c
JOIN snapshot_nights n ON c.valid_from <= n.snapshot_date AND (c.valid_to IS NULL OR n.snapshot_date < c.valid_to)
"""


@pytest.fixture(scope="module")
def twins(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("history")
    pair = Twins(folder)
    sim = SimServer(Universe.build(models=3000, seed=5, day=1)).start()
    lossy = SimServer(Universe.build(models=3000, seed=5, day=6), faults="cutalways:0.4").start()
    hostile = SimServer(Universe.build(models=3000, seed=5, day=9), faults="negcount:1.0").start()
    equal_after: list[tuple[dt.date, bool]] = []
    keys_wrong: list[tuple[dt.date, int]] = []
    duplicates: list[tuple[dt.date, int]] = []
    statuses = []
    try:
        with pytest.MonkeyPatch.context() as patch:
            # Merge in slices of 300 ids, as a Hub-scale night does in slices of 100,000: every
            # night then merges ~10 slices of models and 3 of datasets and of Spaces.
            patch.setattr(storage.merge, "SLICE_MODELS", 300)
            patch.setattr(storage.merge, "LIGHT_ROWS_PER_HEAVY", 1)
            for day, date, _what in NIGHTS:
                sim.set_day(day)
                kwargs = {"snapshot_date": date, "policy": FAST}
                if day == 7:
                    kwargs["plans"] = ("refresh",)
                endpoint = {6: lossy.url, 9: hostile.url}.get(day, sim.url)
                statuses.append(pair.run(patch, endpoint, **kwargs).status)
                equal_after.append((date, all(rows(pair.compact, sql) == rows(pair.full_rows, sql)
                                              for sql in (SNAPSHOTS, *LIFECYCLE_SNAPSHOTS.values()))))
                keys_wrong.append((date, rows(pair.compact, ROWS_WITHOUT_THEIR_KEY)[0][0]))
                duplicates.append((date, rows(pair.compact, STORED_DUPLICATES)[0][0]))
    finally:
        sim.stop()
        lossy.stop()
        hostile.stop()
    with contextlib.closing(duckdb.connect(str(pair.full_rows))) as con:
        install(con)
    converted = Path(shutil.copy(pair.full_rows, folder / "converted.duckdb"))
    with contextlib.closing(duckdb.connect(str(converted))) as con:
        applied = apply_migrations(con)
        install(con)
    return {"compact": pair.compact, "full_rows": pair.full_rows, "converted": converted, "applied": applied,
            "equal_after": equal_after, "keys_wrong": keys_wrong, "duplicates": duplicates, "statuses": statuses}


def views(db: Path, without_keys: bool = False) -> dict[str, list]:
    """Every view's rows; `without_keys` leaves out model_key columns (each database numbers its
    models its own way)."""
    with contextlib.closing(duckdb.connect(str(db), read_only=True)) as con:
        names = [n for (n,) in con.execute(USER_VIEWS).fetchall()]
        out = {}
        for name in names:   # catalog names
            cursor = con.execute(f'SELECT * FROM "{name}"')
            keep = [i for i, d in enumerate(cursor.description) if not (without_keys and d[0] == "model_key")]
            out[name] = sorted((tuple(row[i] for i in keep) for row in cursor.fetchall()), key=repr)
        return out


def figures(db: Path) -> dict:
    with contextlib.closing(duckdb.connect(str(db), read_only=True)) as con:
        return compute_figures(con)


def test_the_nights_hit_every_path(twins):
    assert twins["statuses"] == ["complete"] * 5 + ["partial"] + ["complete"] * 4
    runs = rows(twins["full_rows"], "SELECT snapshot_date, count(*) FROM model_snapshots GROUP BY 1")
    listed = dict(runs)
    assert listed[night(5)] < listed[night(4)] - 100        # the lost pages' models are missing that night
    assert listed[night(6)] < listed[night(4)] / 2              # a refresh lists only what changed
    revived = rows(twins["full_rows"], """
        SELECT count(DISTINCT model_id) FROM model_snapshots s
        WHERE snapshot_date = DATE '2026-11-04'
          AND model_id NOT IN (SELECT model_id FROM model_snapshots WHERE snapshot_date = DATE '2026-11-03')
          AND model_id IN (SELECT model_id FROM model_snapshots WHERE snapshot_date = DATE '2026-11-02')""")
    assert revived[0][0] > 0


def test_model_snapshots_equal_the_full_rows_after_every_night(twins):
    assert twins["equal_after"] == [(date, True) for _day, date, _what in NIGHTS]
    assert rows(twins["compact"], SNAPSHOTS) == rows(twins["full_rows"], SNAPSHOTS)


def test_dataset_and_space_snapshots_equal_the_full_rows_after_every_night(twins):
    # the nights above move their counts, delete and revive some, lose pages, re-run and go back,
    # and night 9 stores some counts as NULL (negative on the wire)
    nulls = rows(twins["full_rows"], "SELECT count(*) FROM dataset_snapshots WHERE downloads IS NULL AND snapshot_date = ?",
                 [night(9)])
    assert nulls[0][0] > 0
    for repo_type, sql in LIFECYCLE_SNAPSHOTS.items():
        full = rows(twins["full_rows"], sql)
        assert len({r[0] for r in full}) == 9 and len(full) > 1000, repo_type
        assert rows(twins["compact"], sql) == full, repo_type
        assert rows(twins["converted"], sql) == full, repo_type
    # stored as runs: fewer rows than the nights' listings
    runs = rows(twins["compact"], "SELECT (SELECT count(*) FROM dataset_runs_closed) + (SELECT count(*) FROM dataset_runs_open)")
    assert runs[0][0] < len(rows(twins["full_rows"], LIFECYCLE_SNAPSHOTS["datasets"])) / 2


def test_every_view_and_figure_equals_the_full_row_answer(twins):
    compact, full = views(twins["compact"], without_keys=True), views(twins["full_rows"])   # the full rows have no keys
    shared = sorted(set(compact) & set(full))
    assert len(shared) >= 90 and "report_nights" in shared and "downloads_ecosystem" in shared
    assert [name for name in shared if compact[name] != full[name]] == []
    assert figures(twins["compact"]) == figures(twins["full_rows"])


def test_one_models_series_equals_the_full_row_series(twins):
    busiest = rows(twins["full_rows"], "SELECT model_id FROM model_snapshots GROUP BY 1 ORDER BY max(downloads) DESC, 1 LIMIT 3")
    for (model_id,) in busiest:
        series = "SELECT * FROM downloads_series(?)"
        assert rows(twins["compact"], series, [model_id]) == rows(twins["full_rows"], series, [model_id])


def test_runs_keep_each_nights_all_time_downloads_delta(twins):
    assert rows(twins["compact"], RUN_DELTAS) == rows(twins["full_rows"], FULL_ROW_DELTAS)


def test_migration_004_converts_full_rows_to_the_same_answers(twins):
    assert twins["applied"] == [4, 5, 6]
    assert rows(twins["converted"], SNAPSHOTS) == rows(twins["full_rows"], SNAPSHOTS)
    assert rows(twins["converted"], RUN_DELTAS) == rows(twins["full_rows"], FULL_ROW_DELTAS)
    # The same nights, cut into runs its own way (model_counts and model_counts_closed list the
    # runs) and keyed its own way: the conversion numbers ids by first night, the sliced merge
    # slice by slice, so history_month_listings is compared by model id.
    converted, compact = views(twins["converted"], without_keys=True), views(twins["compact"], without_keys=True)
    assert converted.keys() == compact.keys()
    own_way = {"model_counts", "model_counts_closed", "history_month_listings"}
    assert [name for name in converted if name not in own_way and converted[name] != compact[name]] == []
    listings = "SELECT l.month, l.snapshot_date, k.model_id FROM history_month_listings l JOIN model_keys k USING (model_key)"
    assert rows(twins["converted"], listings) == rows(twins["compact"], listings)


def test_closed_runs_move_to_the_archive_by_contiguous_eighths_of_the_keys(twins):
    # The last merge (night 10) moved every recent run of its eighth of the keys: the contiguous
    # range model_key * 8 // (largest key + 1) = days since 1970 % 8 (no key was added since).
    eighth = "CAST(model_key AS BIGINT) * 8 // (SELECT max(model_key) + 1 FROM model_keys)"
    tonight = (night(10) - dt.date(1970, 1, 1)).days % 8
    left = rows(twins["compact"], f"SELECT count(*) FROM model_runs_recent WHERE {eighth} = ?", [tonight])
    assert left == [(0,)]
    moved = rows(twins["compact"], f"SELECT count(*) FROM model_runs_archive WHERE valid_to = ? AND {eighth} = ?",
                 [night(10), tonight])
    assert moved[0][0] > 0
    # a night's batch is one range of keys, so its keys lie between the range's ends
    ranges = rows(twins["compact"], f"""
        SELECT count(DISTINCT {eighth}) FROM model_runs_archive WHERE valid_to = ?""", [night(10)])
    assert ranges == [(1,)]


def test_every_hub_models_row_carries_its_models_key_after_every_night(twins):
    # New models, models inserted whole again by a refresh, revived ones, sliced merges, a re-run
    # night and a night merged out of order: the key time travel pairs rows by stays right.
    assert [wrong for _date, wrong in twins["keys_wrong"]] == [0] * len(NIGHTS)
    assert rows(twins["converted"], ROWS_WITHOUT_THEIR_KEY) == [(0,)]   # and migration 006 sets it


def test_runs_never_overlap_and_the_latest_night_is_the_open_runs(twins):
    overlapping = rows(twins["compact"], """
        SELECT count(*) FROM model_counts a JOIN model_counts b
          ON a.model_key = b.model_key AND a.valid_from < b.valid_from
         AND (a.valid_to IS NULL OR a.valid_to > b.valid_from)""")
    assert overlapping == [(0,)]
    latest = rows(twins["compact"], "SELECT model_id FROM model_snapshots WHERE snapshot_date = DATE '2026-11-10'")
    open_runs = rows(twins["compact"], "SELECT k.model_id FROM model_counts_open JOIN model_keys k USING (model_key)")
    assert open_runs == latest and len(latest) > 2900


def test_lineage_and_links_hold_one_row_per_edge_on_every_night_and_as_of_it(twins):
    # The nights removed edges and links (what time travel puts back for a past night), and one
    # was merged after a later one: the cases where a key could come back twice.
    removed = rows(twins["compact"], "SELECT (SELECT count(*) FROM lineage_removed), "
                                     "(SELECT count(*) FROM repo_link_changes WHERE change = 'removed')")[0]
    assert min(removed) > 0, removed
    assert [count for _date, count in twins["duplicates"]] == [0] * len(NIGHTS)
    with contextlib.closing(connect_readonly(twins["compact"])) as con:
        prepare_reader(con)
        assert con.execute(ALIVE_DUPLICATES).fetchone()[0] == 0
        for date in sorted({date for _day, date, _what in NIGHTS}):
            travel(con, date)
            assert con.execute(ALIVE_DUPLICATES).fetchone()[0] == 0, date
