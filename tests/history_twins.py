"""Two databases fed the same crawled nights: one stores history compactly (the code as it is),
its twin stores full snapshot rows, as every night did before migration 004.

The twin is the reference: it has migrations 001-003 only, and its merges are today's merge.sql,
merge_datasets.sql and merge_spaces.sql with the history block (between `-- ==== BEGIN history`
and `-- ==== END history`) replaced by the two statements that wrote one row per repository and
night (and no merge_repo_history.sql after them). Each night is crawled once; the
staged night is merged into the compact database and then into its twin, so both see exactly
the same input. No tests here: tests/test_history_*.py use it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from pathlib import Path

import duckdb

import pipeline.night
import storage.db
from storage.merge import merge_night
from storage.repos import REPO_STORES

HISTORY_BLOCK = re.compile(r"-- ==== BEGIN history.*?-- ==== END history\n", re.DOTALL)
FULL_ROW_STATEMENTS = """-- One snapshot row per model and date: re-running a day replaces that day's rows.
DELETE FROM hc_merge_target.model_snapshots
WHERE snapshot_date = $d AND model_id IN (SELECT model_id FROM night_models);

INSERT INTO hc_merge_target.model_snapshots (snapshot_date, model_id, downloads, downloads_all_time, likes, gated)
SELECT $d, model_id, downloads, downloads_all_time, likes, gated FROM night_models;
"""
FULL_ROW_STATEMENTS_OF = {
    "models": FULL_ROW_STATEMENTS,
    "datasets": """DELETE FROM hc_merge_target.dataset_snapshots
WHERE snapshot_date = $d AND dataset_id IN (SELECT dataset_id FROM night_datasets);

INSERT INTO hc_merge_target.dataset_snapshots (snapshot_date, dataset_id, downloads, downloads_all_time, likes, gated)
SELECT $d, dataset_id, downloads, downloads_all_time, likes, gated FROM night_datasets;
""",
    "spaces": """DELETE FROM hc_merge_target.space_snapshots
WHERE snapshot_date = $d AND space_id IN (SELECT space_id FROM night_spaces);

INSERT INTO hc_merge_target.space_snapshots (snapshot_date, space_id, likes, runtime_stage)
SELECT $d, space_id, likes, runtime_stage FROM night_spaces;
""",
}
LAST_FULL_ROW_VERSION = 3


def full_row_merge_sql(folder: Path, repo_type: str = "models") -> Path:
    """A type's merge SQL as it was before compact history (the history block swapped back)."""
    text = REPO_STORES[repo_type].merge_sql.read_text()
    assert len(HISTORY_BLOCK.findall(text)) == 1, f"the {repo_type} merge must hold exactly one history block"
    path = folder / f"merge_{repo_type}_full_rows.sql"
    path.write_text(HISTORY_BLOCK.sub(lambda _m: FULL_ROW_STATEMENTS_OF[repo_type], text))
    return path


def create_full_row_db(path: Path) -> Path:
    """A new database at the last schema version that stored full snapshot rows."""
    older = [m for m in storage.db.migrations() if m[0] <= LAST_FULL_ROW_VERSION]
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE TABLE schema_migrations (version INTEGER NOT NULL, name VARCHAR NOT NULL, "
                    "applied_at TIMESTAMP NOT NULL)")
        for version, name, sql in older:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)", [version, name])
    finally:
        con.close()
    return path


class Twins:
    """run(endpoint, **run_night kwargs) crawls a night into `compact` and merges the same staged
    night into `full_rows`."""

    def __init__(self, folder: Path) -> None:
        self.compact = folder / "compact.duckdb"
        self.full_rows = create_full_row_db(folder / "full_rows.duckdb")
        self.full_row_stores = {
            repo_type: dataclasses.replace(store, merge_sql=full_row_merge_sql(folder, repo_type), runs=False)
            for repo_type, store in REPO_STORES.items()}

    def run(self, monkeypatch, endpoint: str, **kwargs):
        def merge_both(staging, *args, **kw):
            merged = merge_night(staging, *args, **kw)
            compact_path = staging.db_path
            with monkeypatch.context() as patch:
                for repo_type, store in self.full_row_stores.items():
                    patch.setitem(REPO_STORES, repo_type, store)
                staging.db_path = self.full_rows
                try:
                    merge_night(staging, *args, **kw)
                finally:
                    staging.db_path = compact_path
            return merged

        with monkeypatch.context() as patch:
            patch.setattr(pipeline.night, "merge_night", merge_both)
            return pipeline.night.run_night(str(self.compact), endpoint=endpoint, progress=False, **kwargs)


def rows(db: Path, sql: str, params=None) -> list[tuple]:
    with contextlib.closing(duckdb.connect(str(db), read_only=True)) as con:
        return sorted(con.execute(sql, params).fetchall(), key=repr)
