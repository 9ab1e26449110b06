"""Parquet export of the analyst tables: the path for users who outgrow one machine.

Layout of the output directory (read as is by DuckDB, Spark, Trino, pandas/pyarrow):

    model_snapshots/snapshot_date=YYYY-MM-DD/data_0.parquet   Hive-partitioned by day
    models.parquet  lineage.parquet  model_changes.parquet  crawl_runs.parquet

DuckDB's COPY does the work (zstd, streamed from the file), on a read-only connection, so an
export runs beside analysts and never blocks anything but the crawl's final merge. Files are
written into a hidden sibling directory first and moved into place at the end: a reader of
DIR sees the previous export or the new one, never half of one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

import duckdb

PARTITIONED_TABLE = "model_snapshots"
PARTITION_COLUMN = "snapshot_date"
# Output name -> source relation. `models` is the analysis view (hub_models + license_family)
# when installed, else the raw table; the rest are the crawl tables as stored.
WHOLE_TABLES = ("models", "lineage", "model_changes", "crawl_runs")

COPY_PARTITIONED_SQL = (
    "COPY (SELECT * FROM model_snapshots ORDER BY snapshot_date, model_id) TO ? "
    "(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (snapshot_date))"
)
# {relation} is one of the constant names above, never user or Hub input.
COPY_WHOLE_SQL = "COPY (SELECT * FROM {relation}) TO ? (FORMAT parquet, COMPRESSION zstd)"
HAS_MODELS_VIEW_SQL = "SELECT count(*) FROM duckdb_views() WHERE schema_name = 'main' AND view_name = 'models'"


class ExportTargetNotEmpty(Exception):
    pass


def _default_connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def export_outputs() -> list[str]:
    """The entries an export creates in its directory (what --overwrite replaces)."""
    return [PARTITIONED_TABLE] + [f"{name}.parquet" for name in WHOLE_TABLES]


def source_relation(con: duckdb.DuckDBPyConnection, name: str) -> str:
    if name == "models":
        return "models" if con.execute(HAS_MODELS_VIEW_SQL).fetchone()[0] else "hub_models"
    return name


def export_parquet(
    db_path: str | os.PathLike,
    out_dir: str | os.PathLike,
    overwrite: bool = False,
    connect: Callable[[Path], duckdb.DuckDBPyConnection] | None = None,
) -> dict[str, int]:
    """Export the tables of db_path into out_dir; returns rows written per output."""
    db_path, out_dir = Path(db_path), Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportTargetNotEmpty(f"{out_dir} is a file, not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise ExportTargetNotEmpty(f"{out_dir} is not empty; pass --overwrite to replace the export in it")

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.exporting-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    counts: dict[str, int] = {}
    con = (connect or _default_connect)(db_path)
    try:
        # COPY answers with the number of rows it wrote.
        counts[PARTITIONED_TABLE] = con.execute(COPY_PARTITIONED_SQL, [str(staging / PARTITIONED_TABLE)]).fetchone()[0]
        # An empty table writes no partition; keep the directory so readers find the dataset.
        (staging / PARTITIONED_TABLE).mkdir(exist_ok=True)
        for name in WHOLE_TABLES:
            relation = source_relation(con, name)
            target = str(staging / f"{name}.parquet")
            counts[name] = con.execute(COPY_WHOLE_SQL.format(relation=relation), [target]).fetchone()[0]
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        con.close()
    _move_into_place(staging, out_dir)
    return counts


def _move_into_place(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists() or not any(out_dir.iterdir()):
        if out_dir.exists():
            out_dir.rmdir()
        os.replace(staging, out_dir)
        return
    for entry in export_outputs():  # --overwrite: replace only what an export writes
        old = out_dir / entry
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
        os.replace(staging / entry, old)
    staging.rmdir()
