"""`hubcensus export` after every crawl: only new nights are added, each atomically; the small
tables are replaced only when they changed; a re-run with nothing new touches nothing; an
interrupted export leaves the previous export readable and complete.

Databases are real crawls of a hubsim universe over HTTP on three nights (copies of the file
taken after each night), so "the next night" is exactly what a nightly crawl produces.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import threading
from pathlib import Path

import duckdb
import pyarrow.dataset as pads
import pytest

import pipeline
import storage.db
import storage.export as export_module
from hubsim.server import SimServer
from hubsim.universe import Universe
from storage.export import MANIFEST_NAME, ExportSchemaChanged, export_parquet

DAYS = [dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.date(2026, 11, 3)]
NIGHTS = [str(day) for day in DAYS]
WHOLE_TABLES = ["models", "lineage", "model_changes", "crawl_runs", "rejected_records",
                "datasets", "spaces", "repo_links", "repo_link_changes"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> dict[str, Path]:
    """Copies of one database after night 1, 2 and 3 of a 2,000-model universe, and after
    night 2 crawled a second time (the same date again: newer runs for an exported night)."""
    folder = tmp_path_factory.mktemp("crawled")
    db = folder / "hub.duckdb"
    copies: dict[str, Path] = {}
    sim = SimServer(Universe.build(models=2000, seed=21, day=1)).start()
    try:
        for day in (1, 2, 3):
            sim.set_day(day)
            pipeline.run_night(str(db), endpoint=sim.url, progress=False)   # installs the analysis views too
            copies[f"night{day}"] = shutil.copy(db, folder / f"night{day}.duckdb")
            if day == 2:   # the same date crawled again, from a copy
                again = shutil.copy(db, folder / "night2-again.duckdb")
                pipeline.run_night(str(again), endpoint=sim.url, progress=False)
                copies["night2-again"] = Path(again)
    finally:
        sim.stop()
    return {name: Path(path) for name, path in copies.items()}


def tree(out: Path) -> dict[str, tuple[int, int]]:
    """Every entry under DIR (and DIR itself) -> (size, mtime in ns): what a re-run must not change."""
    state = {".": (0, out.stat().st_mtime_ns)}
    for folder, dirs, files in os.walk(out):
        for name in dirs + files:
            path = Path(folder) / name
            info = path.stat()
            state[str(path.relative_to(out))] = (info.st_size if path.is_file() else 0, info.st_mtime_ns)
    return state


def nights_in_db(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {str(d): n for d, n in con.execute("SELECT snapshot_date, count(*) FROM model_snapshots GROUP BY 1").fetchall()}


def nights_in_export(out: Path) -> dict[str, int]:
    rows = duckdb.connect().execute(
        "SELECT snapshot_date, count(*) FROM read_parquet(?, hive_partitioning = true) GROUP BY 1",
        [f"{out}/model_snapshots/*/*.parquet"]).fetchall()
    return {str(d): n for d, n in rows}


def assert_export_equals(db: Path, out: Path) -> None:
    """Every exported table holds exactly the database's rows (snapshots: of every night)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        pairs = [("model_snapshots", f"read_parquet('{out}/model_snapshots/*/*.parquet', hive_partitioning = true)")]
        pairs += [(name, f"read_parquet('{out}/{name}/*.parquet')") for name in WHOLE_TABLES]
        for source, exported in pairs:
            columns = ", ".join(f'"{row[0]}"' for row in con.execute(f"DESCRIBE {source}").fetchall())
            for left, right in ((source, exported), (exported, source)):
                assert con.execute(f"SELECT count(*) FROM (SELECT {columns} FROM {left} EXCEPT ALL "
                                   f"SELECT {columns} FROM {right})").fetchone() == (0,), f"{source}: {left} has rows {right} lacks"
    finally:
        con.close()


def test_the_first_export_writes_every_night(crawled, tmp_path):
    out = tmp_path / "export"
    counts = export_parquet(crawled["night2"], out)
    assert counts.nights_added == NIGHTS[:2]
    assert counts.tables_written == WHOLE_TABLES
    assert sorted(os.listdir(out / "model_snapshots")) == [f"snapshot_date={n}" for n in NIGHTS[:2]]
    assert nights_in_export(out) == nights_in_db(crawled["night2"])
    assert counts["model_snapshots"] == sum(nights_in_db(crawled["night2"]).values())
    assert_export_equals(crawled["night2"], out)
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert sorted(manifest["nights"]) == NIGHTS[:2]
    assert manifest["database_schema_version"] == max(v for v, _n, _s in storage.db.migrations())


def test_the_next_night_adds_only_its_partition_and_rewrites_only_the_small_tables(crawled, tmp_path):
    out = tmp_path / "export"
    export_parquet(crawled["night2"], out)
    before = tree(out)
    counts = export_parquet(crawled["night3"], out)
    after = tree(out)
    assert (counts.nights_added, counts.nights_replaced) == ([NIGHTS[2]], [])
    new_night = f"model_snapshots/snapshot_date={NIGHTS[2]}"
    assert sorted(set(after) - set(before)) == [new_night, f"{new_night}/data_0.parquet"]
    # The nights already exported are untouched: same files, same bytes, same mtimes.
    for night in NIGHTS[:2]:
        for entry in (f"model_snapshots/snapshot_date={night}", f"model_snapshots/snapshot_date={night}/data_0.parquet"):
            assert after[entry] == before[entry]
    changed = sorted(entry for entry in before if after[entry] != before[entry])
    rewritten = [f"{name}/data_0.parquet" for name in counts.tables_written]
    # A night always brings new runs and new counts; what else changed was rewritten, nothing more.
    assert {"models", "crawl_runs"} <= set(counts.tables_written)
    assert changed == sorted([".", MANIFEST_NAME, "model_snapshots", *rewritten, *counts.tables_written])
    assert_export_equals(crawled["night3"], out)


def test_a_rerun_with_no_new_night_changes_nothing(crawled, tmp_path):
    out = tmp_path / "export"
    export_parquet(crawled["night3"], out)
    before = tree(out)
    counts = export_parquet(crawled["night3"], out)
    assert (counts.nights_added, counts.nights_replaced, counts.tables_written) == ([], [], [])
    assert counts["model_snapshots"] == sum(nights_in_db(crawled["night3"]).values())
    assert tree(out) == before   # files, sizes and mtimes, and no directory entry came or went


def test_a_night_crawled_again_replaces_its_partition(crawled, tmp_path):
    out = tmp_path / "export"
    export_parquet(crawled["night2"], out)
    before = tree(out)
    counts = export_parquet(crawled["night2-again"], out)
    assert (counts.nights_added, counts.nights_replaced) == ([], [NIGHTS[1]])
    night_file = f"model_snapshots/snapshot_date={NIGHTS[1]}/data_0.parquet"
    assert tree(out)[night_file] != before[night_file]
    assert tree(out)[f"model_snapshots/snapshot_date={NIGHTS[0]}/data_0.parquet"] == \
        before[f"model_snapshots/snapshot_date={NIGHTS[0]}/data_0.parquet"]
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    with duckdb.connect(str(crawled["night2-again"]), read_only=True) as con:
        last_run = con.execute("SELECT max(run_id) FROM crawl_runs WHERE snapshot_date = ?", [DAYS[1]]).fetchone()[0]
    assert manifest["nights"][NIGHTS[1]]["last_run_id"] == last_run
    assert_export_equals(crawled["night2-again"], out)


def test_an_export_interrupted_inside_a_night_leaves_the_previous_export_complete(crawled, tmp_path, monkeypatch):
    out = tmp_path / "export"
    export_parquet(crawled["night1"], out)
    previous_tables = {name: (out / name / "data_0.parquet").read_bytes() for name in WHOLE_TABLES}
    real_fsync = export_module._fsync

    def crash_in_night_3(path: Path) -> None:   # night 3's file is written, not yet published
        if f"snapshot_date={NIGHTS[2]}" in str(path):
            raise OSError("disk vanished")
        real_fsync(path)

    monkeypatch.setattr(export_module, "_fsync", crash_in_night_3)
    with pytest.raises(OSError, match="disk vanished"):
        export_parquet(crawled["night3"], out)
    # Night 2 finished before the crash and is published whole; night 3 is not visible at all;
    # the small tables are still the previous ones (consistent with the manifest).
    assert sorted(os.listdir(out / "model_snapshots")) == [f"snapshot_date={n}" for n in NIGHTS[:2]]
    expected = nights_in_db(crawled["night3"])
    assert nights_in_export(out) == {n: expected[n] for n in NIGHTS[:2]}
    assert sorted(json.loads((out / MANIFEST_NAME).read_text())["nights"]) == NIGHTS[:2]
    assert {name: (out / name / "data_0.parquet").read_bytes() for name in WHOLE_TABLES} == previous_tables
    assert [e for e in os.listdir(out) if e.startswith(".hubcensus-staging")] == []

    monkeypatch.setattr(export_module, "_fsync", real_fsync)
    counts = export_parquet(crawled["night3"], out)
    assert (counts.nights_added, counts.nights_replaced) == ([NIGHTS[2]], [])
    assert_export_equals(crawled["night3"], out)


def test_scratch_left_by_a_killed_export_is_invisible_and_cleaned_up(crawled, tmp_path):
    out = tmp_path / "export"
    export_parquet(crawled["night2"], out)
    # What SIGKILL during night 3 leaves: a half-written file in hidden scratch.
    scratch = out / ".hubcensus-staging-999999" / f"snapshot_date={NIGHTS[2]}"
    scratch.mkdir(parents=True)
    (scratch / "data_0.parquet").write_bytes(b"PAR1 half")
    assert nights_in_export(out) == nights_in_db(crawled["night2"])   # readers never see it
    assert export_parquet(crawled["night3"], out).nights_added == [NIGHTS[2]]
    assert not (out / ".hubcensus-staging-999999").exists()
    assert_export_equals(crawled["night3"], out)


def test_a_changed_snapshot_schema_needs_overwrite(crawled, tmp_path):
    out = tmp_path / "export"
    export_parquet(crawled["night2"], out)
    db = Path(shutil.copy(crawled["night3"], tmp_path / "migrated.duckdb"))
    with duckdb.connect(str(db)) as con:
        # model_snapshots is a view over compact history (migration 004): a later version adds a column
        con.execute("ALTER VIEW model_snapshots RENAME TO model_snapshots_v4")
        con.execute("CREATE VIEW model_snapshots AS SELECT *, CAST(NULL AS DOUBLE) AS trending_score FROM model_snapshots_v4")
    before = tree(out)
    with pytest.raises(ExportSchemaChanged, match=r"trending_score DOUBLE\); pass --overwrite"):
        export_parquet(db, out)
    assert tree(out) == before
    counts = export_parquet(db, out, overwrite=True)
    assert counts.nights_added == NIGHTS
    columns = duckdb.connect().execute("DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning = true)",
                                       [f"{out}/model_snapshots/*/*.parquet"]).fetchall()
    assert "trending_score" in [c[0] for c in columns]


def test_two_exports_at_once_take_turns(crawled, tmp_path):
    out = tmp_path / "export"
    export_parquet(crawled["night1"], out)
    results, errors = [], []

    def run() -> None:
        try:
            results.append(export_parquet(crawled["night3"], out))
        except BaseException as error:   # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.nights_added for r in results) == [[], NIGHTS[1:]]   # the second found nothing to do
    assert_export_equals(crawled["night3"], out)


def test_duckdb_and_pyarrow_read_the_partitions(crawled, tmp_path):
    out = tmp_path / "export"
    export_parquet(crawled["night3"], out)
    expected = nights_in_db(crawled["night3"])
    assert nights_in_export(out) == expected
    dataset = pads.dataset(out / "model_snapshots", format="parquet", partitioning="hive")
    table = dataset.to_table(columns=["snapshot_date", "model_id"])
    assert table.num_rows == sum(expected.values())
    per_night = table.group_by("snapshot_date").aggregate([("model_id", "count")]).to_pylist()
    assert {str(row["snapshot_date"]): row["model_id_count"] for row in per_night} == expected
    models = pads.dataset(out / "models", format="parquet").to_table()
    with duckdb.connect(str(crawled["night3"]), read_only=True) as con:
        assert models.num_rows == con.execute("SELECT count(*) FROM models").fetchone()[0]
