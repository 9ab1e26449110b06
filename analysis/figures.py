"""The headline figures (docs/figures.md) as one JSON-ready dict, read from the figure_* views.

The one producer of the figures: `hubcensus figures --json` prints `figures_json(con)`, the
report shows `compute_figures(con)`. Every number is computed by the analysis views; this
module only turns their rows into the object. It never writes: on a file whose stored views
are missing or stale the views are created as TEMP objects on the connection
(`analysis.prepare_reader`), so a read-only connection works.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from analysis.lifecycle import lifecycle_figures
from analysis.installer import prepare_reader
from analysis.time_travel import travel

TOP_DERIVATIVE_FIELDS = ("model_id", "direct", "descendants", "finetune", "adapter", "quantized", "merge")


def _pairs(con: duckdb.DuckDBPyConnection, view: str) -> dict:
    """A two-column figure view (key, count) as a dict sorted by key."""
    rows = con.execute(f"SELECT * FROM {view}").fetchall()  # view names are constants of this module
    return {key: int(value) for key, value in sorted(rows)}


def _record(con: duckdb.DuckDBPyConnection, sql: str) -> dict:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone()))


def compute_figures(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> dict:
    """The figures of the latest complete night, or with `as_of` of the latest complete night on
    or before that day, as they were then (analysis.time_travel; the connection stays there)."""
    prepare_reader(con)
    if as_of is not None:
        travel(con, as_of)
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
