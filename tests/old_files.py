"""Turning a database of today's schema into one an older hubcensus made (no tests here)."""

from __future__ import annotations

import duckdb

# Storage's migration 003 (the lifecycle graph) and 005 (its compact history), dropped in an
# order that leaves no view without its tables.
LIFECYCLE_VIEWS = ("dataset_snapshots", "space_snapshots")
LIFECYCLE_TABLES = ("dataset_keys", "dataset_nights", "dataset_runs_open", "dataset_runs_closed",
                    "space_keys", "space_nights", "space_runs_open", "space_runs_closed",
                    "repo_link_changes", "repo_links", "hub_spaces", "hub_datasets")


def forget_lifecycle_graph(con: duckdb.DuckDBPyConnection) -> None:
    """The file without what the lifecycle graph stores: no datasets, Spaces or links. Its
    recorded schema version stays (the CLI refuses a file older than its code); the views
    installed on top are left to the caller's `install`."""
    for view in LIFECYCLE_VIEWS:
        con.execute(f"DROP VIEW {view}")   # names are constants of this module
    for table in LIFECYCLE_TABLES:
        con.execute(f"DROP TABLE {table}")
