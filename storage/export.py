"""Incremental Parquet export of the analyst tables: the lakehouse path for teams and bigger engines.

Layout of the output directory (read as is by DuckDB, Spark, Trino, pyarrow; docs/lakehouse.md):

    _hubcensus_export.json                                    manifest: nights exported, schemas
    model_snapshots/snapshot_date=YYYY-MM-DD/data_0.parquet   Hive-partitioned, one file a night
    models/data_0.parquet  lineage/data_0.parquet  model_changes/data_0.parquet
    crawl_runs/data_0.parquet  rejected_records/data_0.parquet (when the database has it)

Every table is a directory (a Trino/Hive external table is a location, not a file).

Incremental and atomic:
- a night is exported once: only nights the manifest does not list (or whose crawl_runs show a
  run newer than the one exported: a re-crawl of that date) are written;
- a night is written to a hidden scratch directory inside DIR, then renamed into place as a
  whole (or, when its partition already exists, its one file is replaced with os.replace):
  a reader sees the night complete or not at all, and a crash leaves only hidden scratch;
- the whole tables are replaced file by file (os.replace) when their content changed, judged
  by a content hash recorded in the manifest; unchanged tables are not touched, so a re-run
  with nothing new writes nothing (same files, bytes and mtimes; `aws s3 sync` uploads nothing);
- the manifest is written (atomically) after every night, so an interrupted export keeps the
  nights it finished and the next run continues.

DuckDB's COPY does the work (zstd, streamed from the file) on a read-only connection, so an
export runs beside analysts and blocks nothing but the crawl's final merge. `model_snapshots`
is read as a relation (table or view), never by its storage.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import duckdb

FORMAT = "hubcensus-export"
FORMAT_VERSION = 1
MANIFEST_NAME = "_hubcensus_export.json"
LOCK_NAME = ".hubcensus-export.lock"        # kept between runs: a lock file that comes and goes changes DIR
SCRATCH_PREFIX = ".hubcensus-staging-"      # hidden: Spark, Hive/Trino and `s3 sync --exclude '.*'` skip it
DATA_FILE = "data_0.parquet"

PARTITIONED_TABLE = "model_snapshots"
PARTITION_COLUMN = "snapshot_date"
# Output name -> source relation. `models` is the analysis view (hub_models + license_family)
# when installed, else the raw table; the rest are the crawl tables as stored.
WHOLE_TABLES = ("models", "lineage", "model_changes", "crawl_runs", "rejected_records",
                "datasets", "spaces", "repo_links", "repo_link_changes")   # the last four: the lifecycle graph
# older databases lack them (rejected_records: migration 002; the lifecycle graph: 003)
OPTIONAL_TABLES = frozenset({"rejected_records", "datasets", "spaces", "repo_links", "repo_link_changes"})
# The layout before the manifest (one file per table at the top): --overwrite removes it.
LEGACY_OUTPUTS = ("models.parquet", "lineage.parquet", "model_changes.parquet", "crawl_runs.parquet")
NO_NIGHT = dt.date(1, 1, 1)

# {relation} is always one of the constant names above, never user or Hub input.
COPY_NIGHT_SQL = (
    "COPY (SELECT * EXCLUDE (snapshot_date) FROM model_snapshots WHERE snapshot_date = ? ORDER BY model_id) "
    "TO ? (FORMAT parquet, COMPRESSION zstd)"
)
COPY_WHOLE_SQL = "COPY (SELECT * FROM {relation}) TO ? (FORMAT parquet, COMPRESSION zstd)"
# Nights newer than the newest exported one. A range filter, so zone maps (or a view's pushed-down
# filter) skip the history already exported instead of reading every night again.
NIGHTS_AFTER_SQL = "SELECT DISTINCT snapshot_date FROM model_snapshots WHERE snapshot_date > ? ORDER BY 1"
# The last run merged into each night: a night re-crawled after its export shows a newer run.
NIGHT_RUNS_SQL = "SELECT snapshot_date, max(run_id) FROM crawl_runs GROUP BY 1"
COLUMNS_SQL = "DESCRIBE SELECT * FROM {relation}"
# Order-independent content hash (DuckDB's hash() is deterministic across processes).
FINGERPRINT_SQL = "SELECT count(*), coalesce(sum(hash(t)), 0)::VARCHAR FROM {relation} t"
HAS_MODELS_VIEW_SQL = "SELECT count(*) FROM duckdb_views() WHERE schema_name = 'main' AND view_name = 'models'"
HAS_RELATION_SQL = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?"
SCHEMA_VERSION_SQL = "SELECT max(version) FROM schema_migrations"


class ExportTargetNotEmpty(Exception):
    pass


class ExportSchemaChanged(ExportTargetNotEmpty):
    """DIR holds nights of another model_snapshots schema: mixing them would break readers."""


class ExportCounts(dict):
    """Rows per output as the export now holds them (model_snapshots: all exported nights), plus
    what this run did: nights added or replaced, whole tables rewritten."""

    def __init__(self, rows: dict[str, int], nights_added: list[str], nights_replaced: list[str],
                 tables_written: list[str]) -> None:
        super().__init__(rows)
        self.nights_added = nights_added
        self.nights_replaced = nights_replaced
        self.tables_written = tables_written


def _default_connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def export_outputs() -> list[str]:
    """The entries of DIR an export owns (what --overwrite replaces; other files are left alone)."""
    return [MANIFEST_NAME, PARTITIONED_TABLE, *WHOLE_TABLES, *LEGACY_OUTPUTS]


def partition_dir(night: str) -> str:
    return f"{PARTITIONED_TABLE}/{PARTITION_COLUMN}={night}"


def read_manifest(out_dir: str | os.PathLike) -> dict | None:
    """The manifest of an export directory, or None when DIR holds no hubcensus export."""
    path = Path(out_dir) / MANIFEST_NAME
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ExportTargetNotEmpty(f"{path} is not a readable manifest ({error}); pass --overwrite to "
                                   "replace the export in it") from error
    if not isinstance(manifest, dict):
        raise ExportTargetNotEmpty(f"{path} is not a hubcensus export manifest; pass --overwrite to replace the export in it")
    return manifest


def source_relation(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """The relation an output is read from; None for an optional table the database lacks."""
    if name == "models":
        return "models" if con.execute(HAS_MODELS_VIEW_SQL).fetchone()[0] else "hub_models"
    if name in ("datasets", "spaces"):   # the analysis view (with license_family) when installed
        if con.execute(HAS_RELATION_SQL, [name]).fetchone()[0]:
            return name
        return f"hub_{name}" if con.execute(HAS_RELATION_SQL, [f"hub_{name}"]).fetchone()[0] else None
    if name in OPTIONAL_TABLES and not con.execute(HAS_RELATION_SQL, [name]).fetchone()[0]:
        return None
    return name


def export_parquet(
    db_path: str | os.PathLike,
    out_dir: str | os.PathLike,
    overwrite: bool = False,
    connect: Callable[[Path], duckdb.DuckDBPyConnection] | None = None,
) -> ExportCounts:
    """Bring the export in out_dir up to date with db_path (or start it over with overwrite).

    Raises ExportTargetNotEmpty when out_dir holds something that is not a hubcensus export
    (unless overwrite), ExportSchemaChanged when its nights have another schema than the
    database's (re-export everything with overwrite)."""
    db_path, out_dir = Path(db_path), Path(out_dir)
    _existing_manifest(out_dir, overwrite)   # refuse a foreign DIR before opening the database
    con = (connect or _default_connect)(db_path)   # before creating DIR: a missing db leaves nothing
    try:
        con.execute("SET preserve_insertion_order = true")   # keep ORDER BY model_id in the files
        out_dir.mkdir(parents=True, exist_ok=True)
        with _exclusive(out_dir):
            _remove_abandoned_scratch(out_dir)
            if overwrite:
                return _start_over(con, out_dir)
            manifest = _existing_manifest(out_dir, overwrite=False)   # another export may have run meanwhile
            with _Export(con, out_dir, manifest, out_dir / f"{SCRATCH_PREFIX}{os.getpid()}") as export:
                return export.run()
    finally:
        con.close()


def _existing_manifest(out_dir: Path, overwrite: bool) -> dict | None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportTargetNotEmpty(f"{out_dir} is a file, not a directory")
    if overwrite or not out_dir.is_dir():
        return None
    manifest = read_manifest(out_dir)
    if manifest is None:
        foreign = [p for p in os.listdir(out_dir) if p != LOCK_NAME and not p.startswith(SCRATCH_PREFIX)]
        if foreign:
            raise ExportTargetNotEmpty(f"{out_dir} is not empty; pass --overwrite to replace the export in it")
        return None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise ExportTargetNotEmpty(
            f"{out_dir} holds an export of another format ({manifest.get('format')} "
            f"{manifest.get('format_version')}); pass --overwrite to replace the export in it")
    return manifest


@contextmanager
def _exclusive(out_dir: Path) -> Iterator[None]:
    """One export at a time per DIR (a second one waits, then finds nothing left to do)."""
    fd = os.open(out_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)   # no O_TRUNC: keeps its mtime
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)   # releases the lock


def _remove_abandoned_scratch(out_dir: Path) -> None:
    """Scratch left by a killed export (the lock is held, so no live export owns one)."""
    for entry in os.listdir(out_dir):
        if entry.startswith(SCRATCH_PREFIX):
            shutil.rmtree(out_dir / entry, ignore_errors=True)


def _start_over(con: duckdb.DuckDBPyConnection, out_dir: Path) -> ExportCounts:
    """--overwrite: build a whole new export in scratch, then swap it in entry by entry, so a
    reader sees the old export until the swap and a failure leaves the old export as it was."""
    scratch = out_dir / f"{SCRATCH_PREFIX}{os.getpid()}"
    fresh, retired = scratch / "export", scratch / "previous"
    fresh.mkdir(parents=True)
    retired.mkdir()
    try:
        with _Export(con, fresh, None, scratch / "work") as export:
            counts = export.run()
        for entry in export_outputs():
            if (out_dir / entry).exists():
                os.replace(out_dir / entry, retired / entry)
            if (fresh / entry).exists():
                os.replace(fresh / entry, out_dir / entry)
        _fsync(out_dir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return counts


class _Export:
    """One export run into `root` (DIR itself, or the fresh tree of --overwrite)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, root: Path, manifest: dict | None, scratch: Path) -> None:
        self.con, self.root, self.scratch = con, root, scratch
        self.manifest = manifest or {"format": FORMAT, "format_version": FORMAT_VERSION, "tables": {}, "nights": {}}
        self.manifest_text = _manifest_text(manifest) if manifest else None
        self.added: list[str] = []
        self.replaced: list[str] = []
        self.written: list[str] = []

    def __enter__(self) -> "_Export":
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)   # an interrupted night leaves nothing behind

    def run(self) -> ExportCounts:
        columns = self._columns(PARTITIONED_TABLE)
        self._check_snapshot_schema(columns)
        self.manifest["database_schema_version"] = self._schema_version()
        self.manifest["tables"][PARTITIONED_TABLE] = {
            "path": PARTITIONED_TABLE, "partitioned_by": PARTITION_COLUMN, "columns": columns}
        self._save_manifest()   # first of all: a DIR with published nights always has its manifest
        (self.root / PARTITIONED_TABLE).mkdir(exist_ok=True)   # readers find the dataset before its first night
        for night, last_run in self._nights_to_export():
            self._export_night(night, last_run)
        for name in WHOLE_TABLES:
            relation = source_relation(self.con, name)
            if relation is not None:
                self._export_table(name, relation)
        self._save_manifest()
        rows = {PARTITIONED_TABLE: sum(n["rows"] for n in self.manifest["nights"].values())}
        rows.update((name, self.manifest["tables"][name]["rows"]) for name in WHOLE_TABLES if name in self.manifest["tables"])
        return ExportCounts(rows, self.added, self.replaced, self.written)

    # --- nights ---------------------------------------------------------------------------------

    def _nights_to_export(self) -> list[tuple[str, int | None]]:
        """(night, last run id) of nights not exported yet, re-crawled since, or whose file is gone."""
        exported = self.manifest["nights"]
        newest = max((dt.date.fromisoformat(n) for n in exported), default=NO_NIGHT)
        runs = {d.isoformat(): run for d, run in self.con.execute(NIGHT_RUNS_SQL).fetchall()}
        wanted = {d.isoformat() for (d,) in self.con.execute(NIGHTS_AFTER_SQL, [newest]).fetchall()}
        for night, run in runs.items():
            done = exported.get(night)
            if done is None or done["last_run_id"] is None or run > done["last_run_id"]:
                wanted.add(night)
        for night, done in exported.items():
            if done["rows"] and not _same_file(self.root / done["path"], done["bytes"]):
                wanted.add(night)
        return [(night, runs.get(night)) for night in sorted(wanted)]

    def _export_night(self, night: str, last_run: int | None) -> None:
        staged_dir = self.scratch / f"{PARTITION_COLUMN}={night}"
        staged_dir.mkdir(parents=True)
        staged = staged_dir / DATA_FILE
        rows = self.con.execute(COPY_NIGHT_SQL, [dt.date.fromisoformat(night), str(staged)]).fetchone()[0]
        target_dir = self.root / partition_dir(night)
        previous = self.manifest["nights"].get(night)
        if rows == 0:   # a run without snapshot rows: nothing to publish (and nothing stale kept)
            shutil.rmtree(staged_dir)
            if target_dir.exists():
                os.replace(target_dir, self.scratch / f"retired-{night}")
            entry = {"path": None, "rows": 0, "bytes": 0, "last_run_id": last_run}
        else:
            _fsync(staged)
            if target_dir.exists():   # re-crawled night, or a crash after its rename: swap the one file
                os.replace(staged, target_dir / DATA_FILE)
                shutil.rmtree(staged_dir)
            else:
                target_dir.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged_dir, target_dir)
            _fsync(target_dir.parent)
            path = f"{partition_dir(night)}/{DATA_FILE}"
            entry = {"path": path, "rows": rows, "bytes": (self.root / path).stat().st_size, "last_run_id": last_run}
        (self.replaced if previous else self.added).append(night)
        self.manifest["nights"][night] = entry
        self._save_manifest()

    def _check_snapshot_schema(self, columns: list[str]) -> None:
        exported = self.manifest["tables"].get(PARTITIONED_TABLE, {}).get("columns")
        if self.manifest["nights"] and exported is not None and exported != columns:
            raise ExportSchemaChanged(
                f"{self.root} holds {PARTITIONED_TABLE} with columns {_describe(exported)}; the database now has "
                f"{_describe(columns)}; pass --overwrite to export every night again")

    # --- whole tables -----------------------------------------------------------------------------

    def _export_table(self, name: str, relation: str) -> None:
        columns = self._columns(relation)
        rows, fingerprint = self.con.execute(FINGERPRINT_SQL.format(relation=relation)).fetchone()
        path = f"{name}/{DATA_FILE}"
        done = self.manifest["tables"].get(name)
        if done and done["fingerprint"] == fingerprint and done["columns"] == columns \
                and _same_file(self.root / path, done["bytes"]):
            return
        self.scratch.mkdir(parents=True, exist_ok=True)
        staged = self.scratch / f"{name}.parquet"
        self.con.execute(COPY_WHOLE_SQL.format(relation=relation), [str(staged)])
        _fsync(staged)
        (self.root / name).mkdir(exist_ok=True)
        os.replace(staged, self.root / path)
        _fsync(self.root / name)
        self.manifest["tables"][name] = {"path": path, "rows": rows, "bytes": (self.root / path).stat().st_size,
                                         "fingerprint": fingerprint, "columns": columns}
        self.written.append(name)

    # --- helpers ----------------------------------------------------------------------------------

    def _columns(self, relation: str) -> list[str]:
        return [f"{row[0]} {row[1]}" for row in self.con.execute(COLUMNS_SQL.format(relation=relation)).fetchall()]

    def _schema_version(self) -> int | None:
        if not self.con.execute(HAS_RELATION_SQL, ["schema_migrations"]).fetchone()[0]:
            return None   # a file made from 001 by hand (tests, older tools)
        return self.con.execute(SCHEMA_VERSION_SQL).fetchone()[0]

    def _save_manifest(self) -> None:
        """Write the manifest atomically, and only when it changed (a no-op run touches nothing)."""
        text = _manifest_text(self.manifest)
        if text == self.manifest_text:
            return
        self.scratch.mkdir(parents=True, exist_ok=True)
        staged = self.scratch / MANIFEST_NAME
        staged.write_text(text, encoding="utf-8")
        _fsync(staged)
        os.replace(staged, self.root / MANIFEST_NAME)
        self.manifest_text = text


def _manifest_text(manifest: dict) -> str:
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def _describe(columns: list[str]) -> str:
    return "(" + ", ".join(columns) + ")"


def _same_file(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except FileNotFoundError:
        return False


def _fsync(path: Path) -> None:
    """Flush a file or a directory entry to disk before it becomes visible (crash safety)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
