"""The headline figures (docs/figures.md) as one JSON-ready dict, read from the figure_* views.

Every number is computed by the views installed by `analysis.install`; this module only turns
their rows into the object `hubcensus figures --json` prints.
"""

from __future__ import annotations

import json

import duckdb

from analysis.installer import install

TOP_DERIVATIVE_FIELDS = ("model_id", "direct", "descendants", "finetune", "adapter", "quantized", "merge")


def _pairs(con: duckdb.DuckDBPyConnection, view: str) -> dict:
    """A two-column figure view (key, count) as a dict sorted by key."""
    rows = con.execute(f"SELECT * FROM {view}").fetchall()  # view names are constants of this module
    return {key: int(value) for key, value in sorted(rows)}


def compute_figures(con: duckdb.DuckDBPyConnection) -> dict:
    install(con)
    (snapshot_date, models_total, created_last_30d, gated_share, with_base_model, ge_100m) = con.execute(
        "SELECT * FROM figure_summary"
    ).fetchone()
    top = [dict(zip(TOP_DERIVATIVE_FIELDS, row)) for row in con.execute("SELECT * FROM figure_top_derivatives").fetchall()]
    figures = {
        "snapshot_date": snapshot_date.isoformat() if snapshot_date is not None else None,
        "models_total": int(models_total),
        "models_created_last_30d": int(created_last_30d),
        "models_created_by_month": _pairs(con, "figure_models_created_by_month"),
        "gated": _pairs(con, "figure_gated"),
        # Python's round(), as hubsim's truth computes it (DuckDB's round breaks ties differently).
        "gated_share": round(float(gated_share), 6),
        "license_counts": _pairs(con, "figure_license_counts"),
        "license_family_counts": _pairs(con, "figure_license_family_counts"),
        "models_with_base_model": int(with_base_model),
        "relation_counts": _pairs(con, "figure_relation_counts"),
        "top_derivatives": [{k: (v if k == "model_id" else int(v)) for k, v in entry.items()} for entry in top],
        "models_ge_100m_downloads_all_time": int(ge_100m),
    }
    return dict(sorted(figures.items()))


def figures_json(con: duckdb.DuckDBPyConnection) -> str:
    """The figures as the JSON text `hubcensus figures --json` prints (keys sorted)."""
    return json.dumps(compute_figures(con), sort_keys=True, indent=2)
