"""What `hubcensus figures` says beside the figures, read from the database itself: which
repository types a complete listing covered, and what the night of the figures rejected.

Not part of `figures --json`: its keys are a contract shared with hubsim's truth, which
computes figures, not crawl bookkeeping. The rejections follow docs/ingest.md (a whole record,
a dropped value, an unreadable page) and are read from `rejected_records`, the table the text
points to. On a connection that travelled (`--as-of`) the crawl tables are the night's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from analysis.lifecycle import lifecycle_recorded

# The latest complete listing of each repository type (a run before migration 003 is a models run).
LISTED_TYPES_SQL = """
SELECT coalesce(repo_type, 'models') AS repo_type, max(snapshot_date) AS listed
FROM crawl_runs
WHERE status = 'complete' AND plan IN ('sweep', 'full')
GROUP BY 1
"""
FIGURES_NIGHT_SQL = "SELECT snapshot_date FROM latest_snapshot"
# One row per kind of rejection on a night; the scope rule is report_rejections' (analysis).
REJECTIONS_SQL = """
SELECT coalesce(repo_type, 'models') AS repo_type,
       CASE WHEN field IS NOT NULL THEN 'value'
            WHEN model_id IS NULL AND reason LIKE 'page unreadable%' THEN 'page'
            ELSE 'record' END AS scope,
       field, reason, count(*) AS rejected
FROM rejected_records
WHERE snapshot_date = ?
GROUP BY ALL
ORDER BY rejected DESC, repo_type, scope, field NULLS FIRST, reason
"""
# Rejections of later nights that no complete listing closed yet (a lost page ends a night partial).
LATER_REJECTIONS_SQL = "SELECT count(*), max(snapshot_date) FROM rejected_records WHERE snapshot_date > ?"


@dataclass(frozen=True)
class Rejection:
    repo_type: str
    scope: str          # record | value | page (docs/ingest.md)
    field: str | None   # the dropped value's JSON key; None for a record or a page
    reason: str
    count: int


@dataclass
class NightNotes:
    night: dt.date | None                           # the night the figures describe (S)
    lifecycle_recorded: bool                        # the database records datasets, Spaces and links
    listed: dict[str, dt.date] = field(default_factory=dict)   # repo type -> latest complete listing
    rejections: list[Rejection] = field(default_factory=list)  # on night S, most frequent first
    later_rejections: int = 0                       # on nights after S (not complete yet)
    later_night: dt.date | None = None
    sql_prefix: str = "hubcensus sql"               # how the reader reaches this database

    def rejected(self, scope: str) -> int:
        return sum(r.count for r in self.rejections if r.scope == scope)


def read_night_notes(con: duckdb.DuckDBPyConnection, sql_prefix: str = "hubcensus sql") -> NightNotes:
    """The notes of the night the figures describe (call after prepare_views, and after
    time travel for --as-of)."""
    night = con.execute(FIGURES_NIGHT_SQL).fetchone()[0]
    notes = NightNotes(night=night, lifecycle_recorded=lifecycle_recorded(con), sql_prefix=sql_prefix)
    notes.listed = dict(con.execute(LISTED_TYPES_SQL).fetchall())
    if night is not None:
        notes.rejections = [Rejection(*row) for row in con.execute(REJECTIONS_SQL, [night]).fetchall()]
        notes.later_rejections, notes.later_night = con.execute(LATER_REJECTIONS_SQL, [night]).fetchone()
    return notes
