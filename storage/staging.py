"""The staging file beside the main DB (`<db>.staging`): the night in progress.

Every page's rows and the next cursor commit in one transaction here, so a crawl killed at
any point resumes from its last committed page with nothing lost or counted twice. The main
file is only touched by `storage.merge` at the end of the night.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import logging

from crawler import sqlfiles
from storage import db, sqlfile

log = logging.getLogger("hubcensus.storage")

SCHEMA = db.SQL_DIR / "staging_schema.sql"
# Bump when staging_schema.sql or the crawler's row mapping changes: a staging file of another
# version is dropped (its night is re-crawled) instead of being misread.
STAGING_VERSION = 5
FSYNC_PAGES = True   # a page file must be on disk before its cursor commits (power loss, not just kill -9)
STAGE_PAGE = db.SQL_DIR / "stage_page.sql"
CATCHUP_CANDIDATES = db.SQL_DIR / "catchup_candidates.sql"
STAGING_CHECKPOINT = "64MB"      # WAL size that triggers a checkpoint of the staging file
BATCH_PAGES = 8                  # pages parsed by one statement at most ...
BATCH_BYTES = 16 * 1024 * 1024   # ... and JSON bytes (see parse_batches)


def staging_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.staging")


def spool_dir(db_path: str | Path) -> Path:
    """Committed page bodies waiting to be parsed: <db>.staging.pages/<plan>/<page_no>.json."""
    return Path(f"{db_path}.staging.pages")


@dataclass
class NightState:
    night_id: str
    plans: list[str]
    endpoint: str | None
    snapshot_date: dt.date | None
    prev_watermark: dt.datetime | None
    alive_estimate: int | None


@dataclass
class PlanState:
    plan: str
    status: str
    next_url: str | None
    pages: int
    records: int
    models: int
    skipped: int
    requests: int
    retries: int
    bytes: int
    seconds: float
    watermark: dt.datetime | None
    normalized_pages: int = 0

    @property
    def pending_pages(self) -> int:
        """Committed pages whose rows are not parsed into stage_rows yet."""
        return self.pages - self.normalized_pages


PLAN_STATE_COLUMNS = ("plan, status, next_url, pages, records, models, skipped, requests, retries, bytes, seconds, "
                      "watermark, normalized_pages")

# One page's commit is this single statement (atomic on its own): the cursor, the plan's
# totals and the page count move together. RETURNING hands the new state back, so the writer
# needs no further query per page (each costs ~1 ms, more while the fetch thread holds the GIL).
COMMIT_PAGE_SQL = f"""
UPDATE plan_state SET
    status = CASE WHEN $next_url IS NULL THEN 'complete' ELSE 'running' END,
    next_url = $next_url, pages = pages + 1, records = records + $records,
    requests = requests + $requests, retries = retries + $retries, bytes = bytes + $bytes,
    seconds = seconds + $seconds,
    watermark = coalesce(watermark, $watermark),  -- the first page's newest lastModified (crawler.plans)
    started_at = coalesce(started_at, now()::TIMESTAMP),
    finished_at = CASE WHEN $next_url IS NULL THEN now()::TIMESTAMP END
WHERE plan = $plan AND pages = $page_no - 1
RETURNING {PLAN_STATE_COLUMNS}
"""


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
        self.spool = spool_dir(db_path)
        existed = self.path.exists()
        self._pages: dict[str, int] = {}   # committed pages per plan, as last read or written
        self.con = db.configure(duckdb.connect(str(self.path)))
        if not self._version_matches():
            self.con.close()
            if existed:
                log.warning("dropping %s: written by another version of hubcensus", self.path)
            remove_files(db_path)
            self.con = db.configure(duckdb.connect(str(self.path)))
            self.con.execute("CREATE TABLE staging_version AS SELECT CAST(? AS INTEGER) AS version", [STAGING_VERSION])
        # Staged rows are rewritten by the merge anyway, so checkpoint less often than DuckDB's
        # 16 MB default (whose checkpoints cost more than the pages' inserts), but not rarely:
        # rows not yet checkpointed stay in memory, and a 1 GB threshold let a 1M-model night's
        # staged rows fill all the memory the crawl may use.
        self.con.execute(f"SET checkpoint_threshold = '{STAGING_CHECKPOINT}'")
        # Nor on close: the WAL is durable (a resumed crawl replays it) and after a merge the
        # file is deleted, so a checkpoint at close would write the whole night once more.
        self.con.execute("PRAGMA disable_checkpoint_on_shutdown")
        sqlfile.run(self.con, sqlfiles.MACROS)
        # The stage tables take their columns from the crawler's mapping: parse an empty page.
        empty = self.page_file("schema", 0)
        empty.parent.mkdir(parents=True, exist_ok=True)
        empty.write_bytes(b"[]")
        sqlfile.run(self.con, sqlfiles.PARSE_PAGE, {"paths": [str(empty)], "heavy": True, "max_object_bytes": 16})
        sqlfile.run(self.con, SCHEMA)

    def _version_matches(self) -> bool:
        try:
            return self.con.execute("SELECT version FROM staging_version").fetchone()[0] == STAGING_VERSION
        except duckdb.CatalogException:
            return False

    def close(self) -> None:
        self.con.close()

    # ------------------------------------------------------------------ state
    def night(self) -> NightState | None:
        row = self.con.execute("SELECT night_id, plans, endpoint, snapshot_date, prev_watermark, alive_estimate FROM night").fetchone()
        return NightState(*row) if row else None

    def has_plan(self, plan: str) -> bool:
        return self.con.execute("SELECT count(*) FROM plan_state WHERE plan = ?", [plan]).fetchone()[0] > 0

    def prepare_catchup(self, plan: str, limit: int) -> tuple[int, int]:
        """Once per night, after the sweep and the refresh: list the models to catch up
        (storage/sql/catchup_candidates.sql) and add `plan` for them. Returns (ids listed for
        tonight, candidates in all); (0, 0) without a main file. Idempotent: a resumed night
        keeps the list it made."""
        if self.has_plan(plan):
            return self.con.execute("SELECT count(*) FROM catchup_ids").fetchone()[0], None
        if not self.db_path.exists():
            return 0, 0
        self.con.execute("ATTACH ? AS hc_catchup_main (READ_ONLY)", [str(self.db_path)])
        try:
            self.con.execute("BEGIN")
            try:
                self.con.execute("DELETE FROM catchup_ids")
                sqlfile.run(self.con, CATCHUP_CANDIDATES, {"limit": limit})
                listed = self.con.execute("SELECT count(*) FROM catchup_ids").fetchone()[0]
                candidates = self.con.execute("SELECT count(*) FROM catchup_candidates").fetchone()[0]
                if listed:
                    self.con.execute("INSERT INTO plan_state (plan, status) VALUES (?, 'pending')", [plan])
                self.con.execute("COMMIT")
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
        finally:
            self.con.execute("DETACH hc_catchup_main")
        return listed, candidates

    def catchup_ids(self, start: int) -> list[str]:
        """The catch-up list from position `start` on (at most CATCHUP_MAX ids: small)."""
        return [m for (m,) in self.con.execute("SELECT model_id FROM catchup_ids WHERE seq >= ? ORDER BY seq",
                                               [start]).fetchall()]

    def plan(self, plan: str) -> PlanState:
        row = self.con.execute(f"SELECT {PLAN_STATE_COLUMNS} FROM plan_state WHERE plan = ?", [plan]).fetchone()
        state = PlanState(*row)
        self._pages[plan] = state.pages
        return state

    def start_night(self, night_id: str, plans, endpoint: str, snapshot_date: dt.date | None,
                    prev_watermark: dt.datetime | None, alive_estimate: int | None = None,
                    run_plans=None) -> NightState:
        """A new night: `plans` as asked for (a resumed night must ask for the same), and
        `run_plans` the plans it runs (default: the same), each with its own cursor."""
        run_plans = list(plans if run_plans is None else run_plans)
        self.con.execute("BEGIN")
        self.clear_tables()
        self.con.execute("INSERT INTO night VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
                         [night_id, list(plans), endpoint, snapshot_date, prev_watermark, alive_estimate])
        for plan in run_plans:
            self.con.execute("INSERT INTO plan_state (plan, status) VALUES (?, 'pending')", [plan])
        self.con.execute("COMMIT")
        for plan in run_plans:   # page files of an abandoned night
            shutil.rmtree(self.spool / plan, ignore_errors=True)
        return self.night()

    def clear_tables(self) -> None:
        self._pages.clear()
        for table in ("night", "plan_state", "stage_rows", "stage_skipped", "stage_edges", "catchup_ids"):
            self.con.execute(f"DELETE FROM {table}")

    def discard(self) -> None:
        """Forget the night (after a merge, or when it cannot be resumed)."""
        self.con.execute("BEGIN")
        self.clear_tables()
        self.con.execute("COMMIT")
        self.con.execute("CHECKPOINT")
        for plan_dir in self.spool.iterdir():
            if plan_dir.name != "schema":
                shutil.rmtree(plan_dir, ignore_errors=True)

    # ------------------------------------------------------------------ pages
    def page_file(self, plan: str, page_no: int) -> Path:
        return self.spool / plan / f"{page_no}.json"

    def commit_page(self, plan: str, body: bytes, records: int, next_url: str | None, counters: PageCounters,
                    snapshot_date: dt.date | None = None, watermark: dt.datetime | None = None) -> PlanState:
        """Commit one page: its body durably in the spool, then its cursor (None: the plan is
        complete) and counters in one statement. Returns the plan's new state."""
        con = self.con
        if plan not in self._pages:
            self.plan(plan)
        page_no = self._pages[plan] + 1
        path = self.page_file(plan, page_no)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            f.write(body)
            f.flush()
            if FSYNC_PAGES:
                os.fsync(f.fileno())
        if snapshot_date is not None:   # the server's date of the night's first response
            con.execute("UPDATE night SET snapshot_date = coalesce(snapshot_date, ?)", [snapshot_date])
        row = con.execute(COMMIT_PAGE_SQL, {
            "plan": plan, "page_no": page_no, "next_url": next_url, "records": records,
            "requests": counters.requests, "retries": counters.retries, "bytes": counters.bytes,
            "seconds": counters.seconds, "watermark": watermark}).fetchone()
        if row is None:
            raise RuntimeError(f"staging of plan {plan} moved on under this crawl (page {page_no} already committed)")
        self._pages[plan] = page_no
        return PlanState(*row)

    def normalize(self, plan: str, heavy: bool) -> tuple[int, int]:
        """Parse every committed page not parsed yet into stage_rows, a batch of pages per
        DuckDB statement and transaction, dropping their files. Returns (models, skipped)."""
        done, pages = self.con.execute("SELECT normalized_pages, pages FROM plan_state WHERE plan = ?", [plan]).fetchone()
        models = skipped = 0
        for batch in parse_batches([self.page_file(plan, n) for n in range(done + 1, pages + 1)]):
            m, s = self._normalize_batch(plan, heavy, done + len(batch), batch)
            done += len(batch)
            models, skipped = models + m, skipped + s
        return models, skipped

    def _normalize_batch(self, plan: str, heavy: bool, through_page: int, batch: list[Path]) -> tuple[int, int]:
        con = self.con
        paths = [str(p) for p in batch]
        largest = max(os.path.getsize(p) for p in paths)
        sqlfile.run(con, sqlfiles.PARSE_PAGE, {"paths": paths, "heavy": heavy, "max_object_bytes": largest + 1})
        models, skipped = con.execute(
            "SELECT count(*) FILTER (WHERE skip_reason IS NULL), count(*) FILTER (WHERE skip_reason IS NOT NULL) "
            "FROM page_rows").fetchone()
        con.execute("BEGIN")
        try:
            sqlfile.run(con, STAGE_PAGE, {"plan": plan})
            con.execute("UPDATE plan_state SET normalized_pages = ?, models = models + ?, skipped = skipped + ? "
                        "WHERE plan = ?", [through_page, models, skipped, plan])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        for p in paths:
            Path(p).unlink(missing_ok=True)
        return models, skipped

    def skipped_reasons(self) -> list[tuple[str, int]]:
        return self.con.execute("SELECT reason, count(*) FROM stage_skipped GROUP BY reason ORDER BY 2 DESC").fetchall()


def parse_batches(files: list[Path]) -> list[list[Path]]:
    """Consecutive pages grouped for one parse statement: at most BATCH_PAGES pages (each
    statement and its commit has a fixed cost: 8 heavy pages a batch parse in 15 ms a page, 2
    in 25 ms) and at most BATCH_BYTES of JSON, which bounds the parse's memory (8 heavy pages,
    13 MB, peak at ~180 MB RSS in a bare DuckDB; real Hub pages with long file lists run to
    several MB). A larger page goes alone."""
    batches: list[list[Path]] = []
    size = 0
    for f in files:
        n = os.path.getsize(f)
        if batches and len(batches[-1]) < BATCH_PAGES and size + n <= BATCH_BYTES:
            batches[-1].append(f)
            size += n
        else:
            batches.append([f])
            size = n
    return batches


def remove_files(db_path: str | Path) -> None:
    """Delete the staging file and its WAL (after a successful merge, nothing is left in it)."""
    path = staging_path(db_path)
    for p in (path, Path(f"{path}.wal")):
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
    shutil.rmtree(spool_dir(db_path), ignore_errors=True)
