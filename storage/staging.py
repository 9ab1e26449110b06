"""The staging file beside the main DB (`<db>.staging`): the night in progress.

Every page's rows and the next cursor commit in one transaction here, so a crawl killed at
any point resumes from its last committed page with nothing lost or counted twice. The main
file is only touched by `storage.merge` at the end of the night.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from crawler import sqlfiles
from storage import db, sqlfile

SCHEMA = db.SQL_DIR / "staging_schema.sql"
STAGE_PAGE = db.SQL_DIR / "stage_page.sql"


def staging_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.staging")


@dataclass
class NightState:
    night_id: str
    plans: list[str]
    endpoint: str | None
    snapshot_date: dt.date | None
    prev_watermark: dt.datetime | None


@dataclass
class PlanState:
    plan: str
    status: str
    next_url: str | None
    pages: int
    models: int
    skipped: int
    requests: int
    retries: int
    bytes: int
    seconds: float
    watermark: dt.datetime | None


@dataclass
class PageCounters:
    """What fetching one page cost (added to the plan's totals with the page)."""
    requests: int = 0
    retries: int = 0
    bytes: int = 0
    seconds: float = 0.0


class Staging:
    def __init__(self, db_path: str | Path) -> None:
        self.db_path = Path(db_path)
        self.path = staging_path(db_path)
        self.spool = Path(f"{self.path}.page.json")
        self.con = db.configure(duckdb.connect(str(self.path)))
        sqlfile.run(self.con, sqlfiles.MACROS)
        # The stage tables take their columns from the crawler's mapping: parse an empty page.
        self.spool.write_bytes(b"[]")
        sqlfile.run(self.con, sqlfiles.PARSE_PAGE, {"path": str(self.spool), "heavy": True})
        sqlfile.run(self.con, SCHEMA)

    def close(self) -> None:
        self.con.close()
        self.spool.unlink(missing_ok=True)

    # ------------------------------------------------------------------ state
    def night(self) -> NightState | None:
        row = self.con.execute("SELECT night_id, plans, endpoint, snapshot_date, prev_watermark FROM night").fetchone()
        return NightState(*row) if row else None

    def plan(self, plan: str) -> PlanState:
        row = self.con.execute(
            "SELECT plan, status, next_url, pages, models, skipped, requests, retries, bytes, seconds, watermark "
            "FROM plan_state WHERE plan = ?", [plan]).fetchone()
        return PlanState(*row)

    def start_night(self, night_id: str, plans, endpoint: str, snapshot_date: dt.date | None,
                    prev_watermark: dt.datetime | None) -> NightState:
        self.con.execute("BEGIN")
        self.clear_tables()
        self.con.execute("INSERT INTO night VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP)",
                         [night_id, list(plans), endpoint, snapshot_date, prev_watermark])
        for plan in plans:
            self.con.execute("INSERT INTO plan_state (plan, status) VALUES (?, 'pending')", [plan])
        self.con.execute("COMMIT")
        return self.night()

    def clear_tables(self) -> None:
        for table in ("night", "plan_state", "stage_rows", "stage_skipped", "stage_edges"):
            self.con.execute(f"DELETE FROM {table}")

    def discard(self) -> None:
        """Forget the night (after a merge, or when it cannot be resumed)."""
        self.con.execute("BEGIN")
        self.clear_tables()
        self.con.execute("COMMIT")
        self.con.execute("CHECKPOINT")

    # ------------------------------------------------------------------ pages
    def stage_page(self, plan: str, body: bytes, heavy: bool, next_url: str | None, counters: PageCounters,
                   snapshot_date: dt.date | None = None, watermark: dt.datetime | None = None) -> tuple[int, int]:
        """Parse one page body in DuckDB and commit its rows with the next cursor (None: the
        plan is complete). Returns (models staged, records skipped)."""
        self.spool.write_bytes(body)
        con = self.con
        sqlfile.run(con, sqlfiles.PARSE_PAGE, {"path": str(self.spool), "heavy": heavy})
        models, skipped = con.execute(
            "SELECT count(*) FILTER (WHERE skip_reason IS NULL), count(*) FILTER (WHERE skip_reason IS NOT NULL) "
            "FROM page_rows").fetchone()
        con.execute("BEGIN")
        try:
            page_no = con.execute("SELECT pages + 1 FROM plan_state WHERE plan = ?", [plan]).fetchone()[0]
            sqlfile.run(con, STAGE_PAGE, {"plan": plan, "page_no": page_no})
            con.execute(
                """UPDATE plan_state SET
                       status = CASE WHEN ? IS NULL THEN 'complete' ELSE 'running' END,
                       next_url = ?, pages = pages + 1, models = models + ?, skipped = skipped + ?,
                       requests = requests + ?, retries = retries + ?, bytes = bytes + ?, seconds = seconds + ?,
                       watermark = coalesce(watermark, ?),
                       started_at = coalesce(started_at, now()::TIMESTAMP),
                       finished_at = CASE WHEN ? IS NULL THEN now()::TIMESTAMP END
                   WHERE plan = ?""",
                [next_url, next_url, models, skipped, counters.requests, counters.retries, counters.bytes,
                 counters.seconds, watermark, next_url, plan])
            if snapshot_date is not None:
                con.execute("UPDATE night SET snapshot_date = coalesce(snapshot_date, ?)", [snapshot_date])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return models, skipped

    def skipped_reasons(self) -> list[tuple[str, int]]:
        return self.con.execute("SELECT reason, count(*) FROM stage_skipped GROUP BY reason ORDER BY 2 DESC").fetchall()


def remove_files(db_path: str | Path) -> None:
    """Delete the staging file and its WAL (after a successful merge, nothing is left in it)."""
    path = staging_path(db_path)
    for p in (path, Path(f"{path}.wal"), Path(f"{path}.page.json")):
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
