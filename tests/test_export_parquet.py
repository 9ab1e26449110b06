"""`hubcensus export`: Parquet that DuckDB (and Spark, Trino) read back as the same tables."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from storage.export import ExportTargetNotEmpty, export_parquet
from test_cli_fixtures import DAY1, DAY2, make_db

SOURCES = {"models": "models", "lineage": "lineage", "model_changes": "model_changes", "crawl_runs": "crawl_runs"}


@pytest.fixture()
def db(tmp_path) -> Path:
    return make_db(tmp_path / "hub.duckdb")


def read_back(con, out: Path, name: str) -> str:
    if name == "model_snapshots":
        return f"read_parquet('{out}/model_snapshots/*/*.parquet', hive_partitioning=true)"
    return f"read_parquet('{out}/{name}.parquet')"


def assert_same_rows(con, source: str, exported: str) -> None:
    columns = [row[0] for row in con.execute(f"DESCRIBE {source}").fetchall()]
    select = ", ".join(f'"{c}"' for c in columns)
    assert con.execute(f"SELECT count(*) FROM {exported}").fetchone() == con.execute(f"SELECT count(*) FROM {source}").fetchone()
    for left, right in ((source, exported), (exported, source)):
        difference = con.execute(f"SELECT {select} FROM {left} EXCEPT ALL SELECT {select} FROM {right}").fetchall()
        assert difference == [], f"{left} has rows {right} lacks"
    # Types survive too (dates, timestamps, lists, structs), not only values.
    types = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {exported}").fetchall()}
    assert {c: types[c] for c in columns} == {row[0]: row[1] for row in con.execute(f"DESCRIBE {source}").fetchall()}


def test_round_trip_equals_the_tables(db, tmp_path):
    out = tmp_path / "export"
    counts = export_parquet(db, out)
    assert counts == {"model_snapshots": 11, "models": 6, "lineage": 4, "model_changes": 2, "crawl_runs": 4}
    con = duckdb.connect(str(db), read_only=True)
    assert_same_rows(con, "model_snapshots", read_back(con, out, "model_snapshots"))
    for name, source in SOURCES.items():
        assert_same_rows(con, source, read_back(con, out, name))


def test_snapshots_are_hive_partitioned_by_day_and_zstd_compressed(db, tmp_path):
    out = tmp_path / "export"
    export_parquet(db, out)
    assert sorted(os.listdir(out)) == ["crawl_runs.parquet", "lineage.parquet", "model_changes.parquet",
                                       "model_snapshots", "models.parquet"]
    assert sorted(os.listdir(out / "model_snapshots")) == [f"snapshot_date={DAY1}", f"snapshot_date={DAY2}"]
    con = duckdb.connect()
    codecs = con.execute(
        "SELECT DISTINCT compression FROM parquet_metadata(?)", [str(out / "model_snapshots" / f"snapshot_date={DAY1}" / "data_0.parquet")]
    ).fetchall()
    assert codecs == [("ZSTD",)]
    # The partition value lives in the path, not repeated in the file.
    columns = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning=false)", [str(out / "model_snapshots" / f"snapshot_date={DAY2}" / "data_0.parquet")]).fetchall()]
    assert "snapshot_date" not in columns


def test_export_reads_the_database_read_only_beside_another_reader(db, tmp_path):
    reader = duckdb.connect(str(db), read_only=True)  # an analyst's open prompt
    try:
        assert export_parquet(db, tmp_path / "export")["models"] == 6
    finally:
        reader.close()


def test_refuses_a_non_empty_directory_unless_overwrite(db, tmp_path):
    out = tmp_path / "export"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ExportTargetNotEmpty, match="is not empty; pass --overwrite"):
        export_parquet(db, out)
    assert sorted(os.listdir(out)) == ["notes.txt"]
    export_parquet(db, out, overwrite=True)
    export_parquet(db, out, overwrite=True)  # a second export replaces the first
    assert (out / "notes.txt").read_text() == "mine"
    con = duckdb.connect()
    assert con.execute(f"SELECT count(*) FROM {read_back(con, out, 'model_snapshots')}").fetchone() == (11,)
    assert [p for p in os.listdir(tmp_path) if p.startswith(".export")] == []  # no staging left behind


def test_empty_database_exports_empty_datasets(tmp_path):
    db = tmp_path / "empty.duckdb"
    con = duckdb.connect(str(db))
    con.execute((Path(__file__).resolve().parents[1] / "storage/migrations/001_initial.sql").read_text())
    con.close()
    counts = export_parquet(db, tmp_path / "export")
    assert counts == {"model_snapshots": 0, "models": 0, "lineage": 0, "model_changes": 0, "crawl_runs": 0}
    assert os.listdir(tmp_path / "export" / "model_snapshots") == []
