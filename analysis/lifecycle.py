"""The figures of the lifecycle graph (docs/figures.md: the eight keys from `datasets_total` to
`top_models_by_spaces`) as a JSON-ready dict, read from the figure_* views of
sql/13_lifecycle_figures.sql.

    lifecycle_figures(con) -> dict   # exactly the eight keys, typed as docs/figures.md says

Like analysis.figures it computes nothing itself and never writes (`prepare_reader`). On a
file made before storage's migration 003 (no datasets, Spaces or links recorded) the views are
not installed; the figures are then the empty graph's (0 and []), and `lifecycle_recorded(con)`
tells the two cases apart.
"""

from __future__ import annotations

import duckdb

from analysis.installer import prepare_reader

# JSON key -> the one-row, one-column view it is read from.
SCALAR_VIEWS = {
    "datasets_total": "figure_datasets_total",
    "spaces_total": "figure_spaces_total",
    "models_with_training_data": "figure_models_with_training_data",
    "models_with_papers": "figure_models_with_papers",
    "spaces_with_models": "figure_spaces_with_models",
}
# JSON key -> (view, the entry's fields in the documented order, the documented sort order:
# the views sort so too; said again so that no reader depends on a view's row order).
LIST_VIEWS = {
    "top_training_datasets": ("figure_top_training_datasets",
                              ("dataset_id", "models", "models_within_90_days", "on_hub"), "models DESC, dataset_id"),
    "top_papers": ("figure_top_papers", ("arxiv_id", "models", "datasets", "spaces"),
                   "models + datasets + spaces DESC, arxiv_id"),
    "top_models_by_spaces": ("figure_top_models_by_spaces", ("model_id", "spaces"), "spaces DESC, model_id"),
}
ID_FIELDS = frozenset({"dataset_id", "arxiv_id", "model_id"})
BOOLEAN_FIELDS = frozenset({"on_hub"})
LIFECYCLE_KEYS = tuple(sorted((*SCALAR_VIEWS, *LIST_VIEWS)))

HAS_VIEW_SQL = "SELECT count(*) > 0 FROM duckdb_views() WHERE view_name = ? AND NOT internal"


def lifecycle_recorded(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the database records the lifecycle graph (the figure views are installed)."""
    prepare_reader(con)
    return bool(con.execute(HAS_VIEW_SQL, ["figure_datasets_total"]).fetchone()[0])


def _typed(field: str, value):
    if field in ID_FIELDS:
        return value
    if field in BOOLEAN_FIELDS:
        return bool(value)
    return int(value)


def lifecycle_figures(con: duckdb.DuckDBPyConnection) -> dict:
    """The eight lifecycle keys of `figures --json`, keys sorted (read-only connection is fine)."""
    if not lifecycle_recorded(con):
        return {key: (0 if key in SCALAR_VIEWS else []) for key in LIFECYCLE_KEYS}
    figures: dict = {}
    for key, view in SCALAR_VIEWS.items():  # view and column names are constants of this module
        figures[key] = int(con.execute(f"SELECT {key} FROM {view}").fetchone()[0])
    for key, (view, fields, order) in LIST_VIEWS.items():
        rows = con.execute(f"SELECT {', '.join(fields)} FROM {view} ORDER BY {order}").fetchall()
        figures[key] = [{f: _typed(f, v) for f, v in zip(fields, row)} for row in rows]
    return dict(sorted(figures.items()))
