"""Snapshot rows written outside the nightly merge: hand-built databases (examples, fixtures).

Since migration 004 `model_snapshots` is a view over compact history (docs/history.md), so
`INSERT INTO model_snapshots` no longer works. write_snapshot_rows() does what that INSERT
did: the rows join the history (a row for a (night, model) already stored replaces it), and the
runs are rebuilt from all rows. It reads the whole history, so it is for small databases; the
nightly merge (storage/sql/merge.sql) writes the runs incrementally.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb

from storage import db, sqlfile

REBUILD = db.SQL_DIR / "history_rebuild.sql"
SNAPSHOT_COLUMNS = ("snapshot_date", "model_id", "downloads", "downloads_all_time", "likes", "gated")

CREATE_ROWS_SQL = """
CREATE OR REPLACE TEMP TABLE history_full_rows AS
SELECT snapshot_date, model_id, downloads, downloads_all_time, likes, gated FROM model_snapshots
"""
CREATE_NEW_ROWS_SQL = """
CREATE OR REPLACE TEMP TABLE history_new_rows (snapshot_date DATE, model_id VARCHAR, downloads BIGINT,
    downloads_all_time BIGINT, likes BIGINT, gated VARCHAR)
"""
INSERT_NEW_ROW_SQL = "INSERT INTO history_new_rows VALUES (?, ?, ?, ?, ?, ?)"
MERGE_NEW_ROWS_SQL = """
DELETE FROM history_full_rows f
WHERE EXISTS (SELECT 1 FROM history_new_rows n WHERE n.snapshot_date = f.snapshot_date AND n.model_id = f.model_id);
INSERT INTO history_full_rows
SELECT * FROM history_new_rows QUALIFY row_number() OVER (PARTITION BY snapshot_date, model_id) = 1;
"""
DROP_SQL = "DROP TABLE IF EXISTS history_full_rows; DROP TABLE IF EXISTS history_new_rows"


def write_snapshot_rows(con: duckdb.DuckDBPyConnection, rows: Iterable[Sequence]) -> None:
    """Add (snapshot_date, model_id, downloads, downloads_all_time, likes, gated) rows to the
    history, as one transaction. Values travel as parameters."""
    rows = [list(r) for r in rows]
    con.execute("BEGIN")
    try:
        con.execute(CREATE_ROWS_SQL)
        con.execute(CREATE_NEW_ROWS_SQL)
        if rows:
            con.executemany(INSERT_NEW_ROW_SQL, rows)
        con.execute(MERGE_NEW_ROWS_SQL)
        sqlfile.run(con, REBUILD)
        con.execute(DROP_SQL)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
