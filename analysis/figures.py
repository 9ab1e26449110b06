"""The headline figures (docs/figures.md) as one JSON-ready dict, read from the figure_* views.

The one producer of the figures: `hubcensus figures --json` prints `figures_json(con)`, the
report shows `compute_figures(con)`. Every number is computed by the analysis views; this
module only turns their rows into the object. It never writes: on a file whose stored views
are missing or stale the views are created as TEMP objects on the connection
(`analysis.prepare_reader`), so a read-only connection works.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json

import duckdb

from analysis.installer import prepare_reader
from analysis.lifecycle import lifecycle_figures
from analysis.time_travel import quoted_catalog, travel

TOP_DERIVATIVE_FIELDS = ("model_id", "direct", "descendants", "finetune", "adapter", "quantized", "merge")

# Views that several figures read (alive_lineage: four of them, alive_links: six). While the
# figures are read, each is computed once into a TEMP table of its name, which shadows the
# stored view on this connection (as time travel's shadows do), and is dropped after: the
# figures of a 3M-model Hub no longer compute each of them again and again.
SHARED_VIEWS = ("alive_lineage", "alive_links")
STORED_VIEW_SQL = """
SELECT count(*) FROM duckdb_views()
WHERE database_name = current_database() AND schema_name = 'main' AND view_name = ?
"""
TEMP_OBJECT_SQL = """
SELECT (SELECT count(*) FROM duckdb_views() WHERE database_name = 'temp' AND view_name = $name)
     + (SELECT count(*) FROM duckdb_tables() WHERE database_name = 'temp' AND table_name = $name)
"""


def _pairs(con: duckdb.DuckDBPyConnection, view: str) -> dict:
    """A two-column figure view (key, count) as a dict sorted by key."""
    rows = con.execute(f"SELECT * FROM {view}").fetchall()  # view names are constants of this module
    return {key: int(value) for key, value in sorted(rows)}


def _record(con: duckdb.DuckDBPyConnection, sql: str) -> dict:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone()))


@contextlib.contextmanager
def shared_views_computed_once(con: duckdb.DuckDBPyConnection):
    """SHARED_VIEWS as TEMP tables for the duration. A view the file does not store (views
    installed as TEMP objects on a stale file, or a file without the lifecycle graph) is left as
    it is: the figures are the same, only slower."""
    made = []
    try:
        for view in SHARED_VIEWS:   # names are constants of this module
            stored = con.execute(STORED_VIEW_SQL, [view]).fetchone()[0]
            shadowed = con.execute(TEMP_OBJECT_SQL, {"name": view}).fetchone()[0]
            if stored and not shadowed:
                con.execute(f"CREATE TEMP TABLE {view} AS SELECT * FROM {quoted_catalog(con)}.main.{view}")
                made.append(view)
        yield
    finally:
        for view in made:
            con.execute(f"DROP TABLE IF EXISTS temp.main.{view}")


def compute_figures(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> dict:
    """The figures of the latest complete night, or with `as_of` of the latest complete night on
    or before that day, as they were then (analysis.time_travel; the connection stays there)."""
    prepare_reader(con)
    if as_of is not None:
        travel(con, as_of)
    with shared_views_computed_once(con):
        return _figures(con)


def _figures(con: duckdb.DuckDBPyConnection) -> dict:
    summary = _record(con, "SELECT * FROM figure_summary")
    cursor = con.execute(f"SELECT {', '.join(TOP_DERIVATIVE_FIELDS)} FROM figure_top_derivatives")
    top = [dict(zip(TOP_DERIVATIVE_FIELDS, row)) for row in cursor.fetchall()]
    snapshot_date = summary["snapshot_date"]
    figures = {
        "snapshot_date": snapshot_date.isoformat() if snapshot_date is not None else None,
        "models_total": int(summary["models_total"]),
        "models_created_last_30d": int(summary["models_created_last_30d"]),
        "models_created_by_month": _pairs(con, "figure_models_created_by_month"),
        "gated": _pairs(con, "figure_gated"),
        # Python's round(), as hubsim's truth computes it (DuckDB's round breaks ties differently).
        "gated_share": round(float(summary["gated_share_unrounded"]), 6),
        "license_counts": _pairs(con, "figure_license_counts"),
        "license_family_counts": _pairs(con, "figure_license_family_counts"),
        "models_with_base_model": int(summary["models_with_base_model"]),
        "relation_counts": _pairs(con, "figure_relation_counts"),
        "top_derivatives": [{k: (v if k == "model_id" else int(v)) for k, v in entry.items()} for entry in top],
        "models_ge_100m_downloads_all_time": int(summary["models_ge_100m_downloads_all_time"]),
        **lifecycle_figures(con),   # datasets, Spaces and papers (docs/figures.md)
    }
    return dict(sorted(figures.items()))


def figures_json(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> str:
    """The figures as the JSON text `hubcensus figures --json` prints: keys sorted, 2-space
    indent, non-ASCII Hub strings (license names, model ids) as themselves, not \\u escapes."""
    return json.dumps(compute_figures(con, as_of), sort_keys=True, indent=2, ensure_ascii=False)
