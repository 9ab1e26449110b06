"""`hubcensus export`: Parquet that DuckDB (and Spark, Trino) read back as the same tables.

The layout and its guarantees on the small hand-built database (tests/cli_fixtures.py);
incremental behaviour over crawled nights is in test_export_incremental.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from storage.export import MANIFEST_NAME, ExportTargetNotEmpty, export_parquet
from storage.db import apply_migrations, newest_migration
from tests.cli_fixtures import DAY1, DAY2, make_db

SOURCES = {"models": "models", "lineage": "lineage", "model_changes": "model_changes", "crawl_runs": "crawl_runs"}


@pytest.fixture()
def db(tmp_path) -> Path:
    return make_db(tmp_path / "hub.duckdb")


def read_back(out: Path, name: str) -> str:
    if name == "model_snapshots":
        return f"read_parquet('{out}/model_snapshots/*/*.parquet', hive_partitioning=true)"
    return f"read_parquet('{out}/{name}/*.parquet')"


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
    assert counts == {"model_snapshots": 11, "models": 6, "lineage": 4, "model_changes": 2, "crawl_runs": 4,
                      "rejected_records": 0, "datasets": 0, "spaces": 0, "repo_links": 0, "repo_link_changes": 0}
    assert (counts.nights_added, counts.nights_replaced) == ([str(DAY1), str(DAY2)], [])
    assert counts.tables_written == ["models", "lineage", "model_changes", "crawl_runs", "rejected_records",
                                     "datasets", "spaces", "repo_links", "repo_link_changes"]
    con = duckdb.connect(str(db), read_only=True)
    assert_same_rows(con, "model_snapshots", read_back(out, "model_snapshots"))
    for name, source in SOURCES.items():
        assert_same_rows(con, source, read_back(out, name))


def test_layout_one_directory_per_table_snapshots_hive_partitioned_zstd(db, tmp_path):
    out = tmp_path / "export"
    export_parquet(db, out)
    # Every table is a directory (a Trino/Hive external table is a location); hidden entries
    # (the lock) and the `_` manifest are skipped by Spark and Hive readers.
    assert sorted(os.listdir(out)) == [".hubcensus-export.lock", MANIFEST_NAME, "crawl_runs", "datasets", "lineage",
                                       "model_changes", "model_snapshots", "models", "rejected_records",
                                       "repo_link_changes", "repo_links", "spaces"]
    for name in SOURCES:
        assert os.listdir(out / name) == ["data_0.parquet"]
    assert sorted(os.listdir(out / "model_snapshots")) == [f"snapshot_date={DAY1}", f"snapshot_date={DAY2}"]
    night = out / "model_snapshots" / f"snapshot_date={DAY1}"
    assert os.listdir(night) == ["data_0.parquet"]   # one file a night: one PUT on object storage
    con = duckdb.connect()
    codecs = con.execute("SELECT DISTINCT compression FROM parquet_metadata(?)", [str(night / "data_0.parquet")]).fetchall()
    assert codecs == [("ZSTD",)]
    # The partition value lives in the path, not repeated in the file; rows are in model_id order.
    file = str(out / "model_snapshots" / f"snapshot_date={DAY2}" / "data_0.parquet")
    columns = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning=false)", [file]).fetchall()]
    assert columns == ["model_id", "downloads", "downloads_all_time", "likes", "gated"]
    ids = [r[0] for r in con.execute("SELECT model_id FROM read_parquet(?)", [file]).fetchall()]
    assert ids == sorted(ids) and len(ids) == 5


def test_manifest_records_nights_tables_and_schema(db, tmp_path):
    out = tmp_path / "export"
    export_parquet(db, out)
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert (manifest["format"], manifest["format_version"]) == ("hubcensus-export", 1)
    assert manifest["database_schema_version"] == newest_migration()   # the fixture has the real schema
    assert manifest["nights"] == {
        str(DAY1): {"path": f"model_snapshots/snapshot_date={DAY1}/data_0.parquet", "rows": 6, "last_run_id": 2,
                    "bytes": (out / f"model_snapshots/snapshot_date={DAY1}/data_0.parquet").stat().st_size},
        str(DAY2): {"path": f"model_snapshots/snapshot_date={DAY2}/data_0.parquet", "rows": 5, "last_run_id": 4,
                    "bytes": (out / f"model_snapshots/snapshot_date={DAY2}/data_0.parquet").stat().st_size},
    }
    assert manifest["tables"]["model_snapshots"] == {
        "path": "model_snapshots", "partitioned_by": "snapshot_date",
        "columns": ["snapshot_date DATE", "model_id VARCHAR", "downloads BIGINT", "downloads_all_time BIGINT",
                    "likes BIGINT", "gated VARCHAR"]}
    models = manifest["tables"]["models"]
    assert (models["path"], models["rows"], models["columns"][-1]) == ("models/data_0.parquet", 6, "license_family VARCHAR")
    assert sorted(manifest["tables"]) == ["crawl_runs", "datasets", "lineage", "model_changes", "model_snapshots",
                                          "models", "rejected_records", "repo_link_changes", "repo_links", "spaces"]


def test_export_reads_the_database_read_only_beside_another_reader(db, tmp_path):
    reader = duckdb.connect(str(db), read_only=True)  # an analyst's open prompt
    try:
        assert export_parquet(db, tmp_path / "export")["models"] == 6
    finally:
        reader.close()


def test_refuses_a_directory_holding_something_else_unless_overwrite(db, tmp_path):
    out = tmp_path / "export"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ExportTargetNotEmpty, match="is not empty; pass --overwrite"):
        export_parquet(db, out)
    assert sorted(os.listdir(out)) == ["notes.txt"]
    export_parquet(db, out, overwrite=True)
    export_parquet(db, out)   # now DIR holds an export: a re-run brings it up to date
    export_parquet(db, out, overwrite=True)  # a second start-over replaces the first
    assert (out / "notes.txt").read_text() == "mine"
    con = duckdb.connect()
    assert con.execute(f"SELECT count(*) FROM {read_back(out, 'model_snapshots')}").fetchone() == (11,)
    assert [p for p in os.listdir(out) if p.startswith(".hubcensus-staging")] == []  # no scratch left behind


def test_overwrite_replaces_the_layout_before_the_manifest(db, tmp_path):
    out = tmp_path / "export"
    out.mkdir()
    for legacy in ("models.parquet", "lineage.parquet", "model_changes.parquet", "crawl_runs.parquet"):
        (out / legacy).write_bytes(b"PAR1 old")
    with pytest.raises(ExportTargetNotEmpty, match="pass --overwrite"):
        export_parquet(db, out)
    export_parquet(db, out, overwrite=True)
    assert not any(name.endswith(".parquet") for name in os.listdir(out))


def test_a_file_or_another_format_is_refused(db, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ExportTargetNotEmpty, match="is a file, not a directory"):
        export_parquet(db, target)
    out = tmp_path / "export"
    out.mkdir()
    (out / MANIFEST_NAME).write_text(json.dumps({"format": "hubcensus-export", "format_version": 99}))
    with pytest.raises(ExportTargetNotEmpty, match="another format .* pass --overwrite"):
        export_parquet(db, out)
    (out / MANIFEST_NAME).write_text('{"format": "hubcensus-exp')   # cut short by hand
    with pytest.raises(ExportTargetNotEmpty, match="is not a readable manifest .* pass --overwrite"):
        export_parquet(db, out)
    assert export_parquet(db, out, overwrite=True)["models"] == 6


def test_empty_database_exports_empty_datasets(tmp_path):
    db = tmp_path / "empty.duckdb"
    con = duckdb.connect(str(db))
    apply_migrations(con)
    con.close()
    counts = export_parquet(db, tmp_path / "export")
    assert counts == {"model_snapshots": 0, "models": 0, "lineage": 0, "model_changes": 0, "crawl_runs": 0,
                      "rejected_records": 0, "datasets": 0, "spaces": 0, "repo_links": 0, "repo_link_changes": 0}
    assert os.listdir(tmp_path / "export" / "model_snapshots") == []
    assert json.loads((tmp_path / "export" / MANIFEST_NAME).read_text())["nights"] == {}
