"""The staging file beside the main DB (`<db>.staging`): the night in progress.

A page arrives as NDJSON files of its storable records (written by the crawler into
`incoming_dir()`), plus what it could not store. commit_page moves the files under the page's
number and commits them, the rejections and the next cursor together, so a crawl killed at any
point resumes from its last committed page with nothing lost or counted twice. Pages are then
parsed into rows in batches of bounded size (parse_pending), each batch in its own transaction.
The main file is only touched by `storage.merge` at the end of the night.

Nothing staged may block later nights (docs/ingest.md):
- a batch DuckDB cannot parse is bisected (files, then the lines of a file) until the records
  it cannot parse are alone; they are rejected with DuckDB's reason, the rest is staged;
- a batch whose parse stopped the process (killed, crashed) is retried one file at a time on
  the next run; a file that stops it twice is rejected whole (its ids still count as listed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

import duckdb

from storage import db, sqlfile
from storage.errors import DiskFull, is_disk_full
from storage.repos import REPO_STORES, RepoStore, split_key

log = logging.getLogger("hubcensus.storage")

SCHEMA = db.SQL_DIR / "staging_schema.sql"
PARSE_MACROS = db.SQL_DIR / "parse_macros.sql"
PARSE_PAGE = REPO_STORES["models"].parse_sql   # models; every type's parse is in storage/repos.py
CATCHUP_CANDIDATES = db.SQL_DIR / "catchup_candidates.sql"
# Bump when staging_schema.sql or the row mapping changes: a staging file of another version is
# dropped (its night is re-crawled) instead of being misread.
STAGING_VERSION = 9
STAGING_CHECKPOINT = "64MB"      # WAL size that triggers a checkpoint of the staging file
BATCH_FILES = 256                # record files parsed by one statement at most ...
BATCH_BYTES = 32 * 1024 * 1024   # ... and JSON bytes (see parse_batches)
# The trusted time window of docs/ingest.md (the crawler applies the same one to watermarks).
TRUSTED_SINCE = dt.datetime(2000, 1, 1)
TRUSTED_AHEAD = dt.timedelta(days=1)
SAMPLE_CHARS = 200
# DuckDB errors that come from the data of a batch (malformed JSON, casts, a record too large
# for memory): worth bisecting. Anything else (I/O, a bug in our SQL) is raised.
DATA_ERRORS = tuple(getattr(duckdb, name) for name in (
    "InvalidInputException", "ConversionException", "OutOfMemoryException", "OutOfRangeException",
    "TypeMismatchException", "NotImplementedException") if hasattr(duckdb, name)) + (
    # DuckDB's JSON errors quote the offending value cut at a byte count: cut inside a multi-byte
    # character, the message is not UTF-8 and reaches Python as this instead of its own error.
    UnicodeDecodeError,)
_ID_TEXT = re.compile(rb'"id"\s*:\s*"((?:[^"\\\x00-\x1f]|\\.){1,256})"')
_RECORD_FILE = re.compile(r"^(\d+)\.(\d+)\.ndjson$")


def staging_path(db_path: str | Path) -> Path:
    """<db>.staging beside the database's real path: a night interrupted under one name (a
    symlink) resumes under another."""
    return Path(f"{os.path.realpath(db_path)}.staging")


def spool_dir(db_path: str | Path) -> Path:
    """Committed record files waiting to be parsed: <db>.staging.pages/<plan>/<page_no>.<k>.ndjson."""
    return Path(f"{os.path.realpath(db_path)}.staging.pages")


class Rejected(Protocol):
    model_id: str | None
    field: str | None
    reason: str
    sample: str


class StagedPage(Protocol):
    """What a page must say for storage to commit it (crawler.source.Page has these)."""
    files: Sequence[Path]
    records: int
    largest_record: int
    rejected: Sequence[Rejected]
    elements: int
    next_url: str | None
    server_time: dt.datetime | None
    watermark: dt.datetime | None
    unreadable: str | None
    requests: int
    retries: int
    wire_bytes: int
    seconds: float


@dataclass
class NightState:
    night_id: str
    plans: list[str]
    repo_types: list[str]
    endpoint: str | None
    snapshot_date: dt.date | None
    repos: dict[str, tuple[dt.datetime | None, int | None]]   # repo type -> (prev watermark, alive estimate)


@dataclass
class PlanState:
    plan: str
    status: str
    next_url: str | None
    pages: int
    records: int
    models: int
    rejected: int
    dropped: int
    lost_pages: int
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

    @property
    def whole(self) -> bool:
        """Complete, and no page was lost on the way."""
        return self.status == "complete" and self.lost_pages == 0


PLAN_STATE_COLUMNS = ("plan, status, next_url, pages, records, models, rejected, dropped, lost_pages, requests, "
                      "retries, bytes, seconds, watermark, normalized_pages")

# One page's commit: ONE autocommitted INSERT (its rejections, when it has any, before it in the
# same transaction). Each statement costs the crawl a round trip in which the fetching thread
# may hold the GIL; the plan's totals are added up by the plan_state view when asked for.
INSERT_PAGE_SQL = "INSERT INTO stage_pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)"
# A parsed batch: its rows, links and (models) lineage edges go to Parquet files in the spool
# (parsed/<kind>/<repo type>/<plan>/<page>.<chunk>.parquet, fsynced), never through the staging
# file's WAL and checkpoints (which cost a 200k-model night more than its parse); what could not
# be stored goes to stage_rejected in the batch's transaction. The merge reads the files through
# the views of the same names (parsed_views). {id_column} comes from storage/repos.py.
PARSED_KINDS = ("rows", "links", "edges")
COPY_PARSED_SQL = {
    "rows": "COPY (SELECT $plan AS plan, * EXCLUDE (skip_reason, record_sample) FROM page_rows "
            "WHERE skip_reason IS NULL) TO $path (FORMAT parquet, COMPRESSION snappy)",
    "links": "COPY (SELECT $plan AS plan, * FROM page_links) TO $path (FORMAT parquet, COMPRESSION snappy)",
    "edges": "COPY (SELECT * FROM page_edges) TO $path (FORMAT parquet, COMPRESSION snappy)",
}
STAGE_REJECTED_SQL = (
    "INSERT INTO stage_rejected SELECT $plan, page_no, {id_column}, NULL, skip_reason, record_sample "
    "FROM page_rows WHERE skip_reason IS NOT NULL",
    "INSERT INTO stage_rejected SELECT $plan, page_no, repo_id, field, reason, sample FROM page_drops",
)
# A view over every parsed file of a kind (and its empty `shape` file, so the glob never comes
# up empty). {glob} is a path of this staging's own spool, quoted by parsed_views.
PARSED_VIEW_SQL = "CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM read_parquet({glob})"
PAGE_TABLES = ("page_rows", "page_drops", "page_links", "page_edges")   # what a parse leaves (edges: models)
INSERT_REJECTED_SQL = "INSERT INTO stage_rejected VALUES (?, ?, ?, ?, ?, ?)"
FAILED_ATTEMPTS_SQL = ("UPDATE plans SET failed_requests = failed_requests + ?, failed_retries = failed_retries + ?, "
                       "failed_bytes = failed_bytes + ?, failed_at = coalesce(failed_at, now()::TIMESTAMP) WHERE plan = ?")
PENDING_FILES_SQL = """
SELECT page_no, files, largest_record, server_time FROM stage_pages
WHERE plan = ? AND page_no > ? ORDER BY page_no
"""
PARSE_PROGRESS_SQL = """
UPDATE plans SET normalized_pages = $pages, normalized_chunks = $chunks, parse_attempts = 0,
    models = models + $models, parse_rejected = parse_rejected + $rejected, dropped = dropped + $dropped
WHERE plan = $plan
"""
BATCH_COUNTS_SQL = """
SELECT (SELECT count(*) FROM page_rows WHERE skip_reason IS NULL),
       (SELECT count(*) FROM page_rows WHERE skip_reason IS NOT NULL),
       (SELECT count(*) FROM page_drops)
"""


@dataclass(frozen=True)
class RecordFile:
    page_no: int
    chunk: int
    path: Path
    largest_record: int
    server_time: dt.datetime | None


class Staging:
    def __init__(self, db_path: str | Path) -> None:
        self.db_path = Path(db_path)
        self.path = staging_path(db_path)
        self.spool = spool_dir(db_path)
        existed = self.path.exists()
        self._states: dict[str, PlanState] = {}   # per plan, as last read or committed
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
        # rows not yet checkpointed stay in memory.
        self.con.execute(f"SET checkpoint_threshold = '{STAGING_CHECKPOINT}'")
        # Nor on close: the WAL is durable (a resumed crawl replays it) and after a merge the
        # file is deleted, so a checkpoint at close would write the whole night once more.
        self.con.execute("PRAGMA disable_checkpoint_on_shutdown")
        sqlfile.run(self.con, PARSE_MACROS)
        sqlfile.run(self.con, SCHEMA)
        self._parsed_views()
        shutil.rmtree(self.incoming_dir(), ignore_errors=True)   # files of pages never committed

    def parsed_dir(self, kind: str, plan: str | None = None, repo_type: str | None = None) -> Path:
        """Where a kind of parsed file goes: parsed/<kind>/<repo type>[/<plan>] (links of every
        type together: parsed/links/<repo type>/...)."""
        base = self.spool / "parsed" / kind
        if plan is not None:
            return base / plan   # a plan key is '<repo type>/<plan>'
        return base / repo_type if repo_type else base

    def _parsed_views(self) -> None:
        """stage_rows / stage_dataset_rows / stage_space_rows, stage_links and stage_edges: views
        over the parsed Parquet files, each with an empty `shape` file (made from an empty parse)
        so that a type with nothing parsed yet still reads as an empty table of its columns."""
        for store in REPO_STORES.values():
            self._parse_empty(store)
            shapes = {"rows": self.parsed_dir("rows", repo_type=store.repo_type),
                      "links": self.parsed_dir("links", repo_type=store.repo_type)}
            if store.lineage:
                shapes["edges"] = self.parsed_dir("edges", repo_type=store.repo_type)
            for kind, directory in shapes.items():
                directory.mkdir(parents=True, exist_ok=True)
                shape = directory / "shape.parquet"
                if not shape.exists():   # the parse above left its tables empty: their columns only
                    sql = COPY_PARSED_SQL[kind]
                    self.con.execute(sql, {"plan": "", "path": str(shape)} if "$plan" in sql else {"path": str(shape)})
            self.con.execute(PARSED_VIEW_SQL.format(view=store.stage_table,
                                                    glob=_sql_string(f"{shapes['rows']}/**/*.parquet")))
            if store.lineage:
                self.con.execute(PARSED_VIEW_SQL.format(view="stage_edges",
                                                        glob=_sql_string(f"{shapes['edges']}/**/*.parquet")))
        self.con.execute(PARSED_VIEW_SQL.format(view="stage_links",
                                                glob=_sql_string(f"{self.parsed_dir('links')}/**/*.parquet")))

    def _parse_empty(self, store: RepoStore) -> None:
        """The temp tables a parse of `store` leaves, empty (their columns are what matters)."""
        empty = self.spool / "schema" / "0.0.ndjson"
        empty.parent.mkdir(parents=True, exist_ok=True)
        empty.write_bytes(b"")
        self._parse_sql(store, [empty], heavy=True, largest=16, latest=dt.datetime(2000, 1, 2))

    def _version_matches(self) -> bool:
        try:
            return self.con.execute("SELECT version FROM staging_version").fetchone()[0] == STAGING_VERSION
        except duckdb.CatalogException:
            return False

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def incoming_dir(self) -> Path:
        """Where the source writes record files of pages not committed yet."""
        return self.spool / "incoming"

    # ------------------------------------------------------------------ state
    def night(self) -> NightState | None:
        row = self.con.execute("SELECT night_id, plans, repo_types, endpoint, snapshot_date FROM night").fetchone()
        if row is None:
            return None
        repos = {t: (w, a) for t, w, a in self.con.execute(
            "SELECT repo_type, prev_watermark, alive_estimate FROM night_repos").fetchall()}
        return NightState(*row, repos=repos)

    def has_plan(self, plan: str) -> bool:
        return self.con.execute("SELECT count(*) FROM plans WHERE plan = ?", [plan]).fetchone()[0] > 0

    def plan(self, plan: str) -> PlanState:
        row = self.con.execute(f"SELECT {PLAN_STATE_COLUMNS} FROM plan_state WHERE plan = ?", [plan]).fetchone()
        state = self._states[plan] = PlanState(*row)
        return state

    def committed_anything(self) -> bool:
        """Whether the night in staging has any committed page (a resume has something to resume)."""
        return self.con.execute("SELECT count(*) FROM stage_pages").fetchone()[0] > 0

    def start_night(self, night_id: str, plans, repo_types, endpoint: str, snapshot_date: dt.date | None,
                    repos: dict[str, tuple[dt.datetime | None, int | None]], run_plans) -> NightState:
        """A new night: `plans` and `repo_types` as asked for (a resumed night must ask for the
        same), what it read of each type (prev watermark, alive estimate) and the plan keys it
        runs, each with its own cursor."""
        con = self.con

        def work():
            self.clear_tables()
            con.execute("INSERT INTO night VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP)",
                        [night_id, list(plans), list(repo_types), endpoint, snapshot_date])
            for repo_type, (watermark, alive) in repos.items():
                con.execute("INSERT INTO night_repos VALUES (?, ?, ?)", [repo_type, watermark, alive])
            for key in run_plans:
                con.execute("INSERT INTO plans (plan) VALUES (?)", [key])

        self._transaction(work)
        for key in run_plans:   # record files of an abandoned night
            shutil.rmtree(self.spool / key, ignore_errors=True)
        return self.night()

    def clear_tables(self) -> None:
        self._states.clear()
        for table in ("night", "night_repos", "plans", "stage_pages", "stage_rejected", "catchup_ids"):
            self.con.execute(f"DELETE FROM {table}")   # constant table names
        self._remove_parsed(lambda _plan, _position: True)

    def discard(self) -> None:
        """Forget the night (after a merge, or when it cannot be resumed)."""
        self._transaction(self.clear_tables)
        self.con.execute("CHECKPOINT")
        for plan_dir in self.spool.iterdir():
            if plan_dir.name not in ("schema", "parsed"):
                shutil.rmtree(plan_dir, ignore_errors=True)

    def _autocommit(self, statement):
        """One statement, its own transaction (DuckDB's autocommit), with _transaction's errors."""
        try:
            return statement()
        except BaseException as error:
            if is_disk_full(error):
                raise DiskFull(f"the disk is full (writing {self.path}): {one_line(error)}; what was committed "
                               "before is kept and the next crawl resumes from it") from error
            raise

    def _transaction(self, work):
        con = self.con
        con.execute("BEGIN")
        try:
            result = work()
            con.execute("COMMIT")
            return result
        except BaseException as error:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass   # a failed COMMIT ends the transaction itself; the first error is the one to tell
            if is_disk_full(error):
                raise DiskFull(f"the disk is full (writing {self.path}): {one_line(error)}; what was committed "
                               "before is kept and the next crawl resumes from it") from error
            raise

    # ------------------------------------------------------------------ pages
    def record_file(self, plan: str, page_no: int, chunk: int) -> Path:
        return self.spool / plan / f"{page_no}.{chunk}.ndjson"

    def commit_page(self, plan: str, page: StagedPage, snapshot_date: dt.date | None = None) -> PlanState:
        """Commit one page: its record files under the page's number, then its rejections and
        its stage_pages row (cursor, None: the plan is complete; counts; costs) in one
        transaction, one statement when nothing was rejected. Returns the plan's new state:
        the last one read or committed plus this page (only this process writes the plan's
        pages; its parse counts are as of the last plan() or parse)."""
        before = self._states.get(plan) or self.plan(plan)
        page_no = before.pages + 1
        target = self.spool / plan
        target.mkdir(parents=True, exist_ok=True)
        for stale in target.glob(f"{page_no}.*.ndjson"):   # a try of this page that never committed
            stale.unlink()
        for chunk, path in enumerate(page.files):
            os.replace(path, self.record_file(plan, page_no, chunk))
        rejected = [(plan, page_no, r.model_id, r.field, r.reason, r.sample) for r in page.rejected]
        if page.unreadable:
            rejected.append((plan, page_no, None, None, f"page unreadable: {page.unreadable}"[:500], None))
        lost = 1 if page.unreadable else 0
        row = [plan, page_no, page.server_time, len(page.files), page.largest_record, page.records, page.elements,
               len(page.rejected), lost, page.next_url, page.requests, page.retries, page.wire_bytes, page.seconds,
               page.watermark]
        con = self.con

        def work():
            if snapshot_date is not None:   # the server's date of the night's first response
                con.execute("UPDATE night SET snapshot_date = coalesce(snapshot_date, ?)", [snapshot_date])
            if rejected:
                con.executemany(INSERT_REJECTED_SQL, rejected)
            con.execute(INSERT_PAGE_SQL, row)

        try:
            if snapshot_date is None and not rejected:
                self._autocommit(lambda: con.execute(INSERT_PAGE_SQL, row))
            else:
                self._transaction(work)
        except duckdb.ConstraintException as error:
            raise RuntimeError(f"staging of plan {plan} moved on under this crawl (page {page_no} already "
                               "committed)") from error
        state = self._states[plan] = dataclasses.replace(
            before, status="running" if page.next_url else "complete", next_url=page.next_url, pages=page_no,
            records=before.records + page.elements, rejected=before.rejected + len(page.rejected),
            lost_pages=before.lost_pages + lost, requests=before.requests + page.requests,
            retries=before.retries + page.retries, bytes=before.bytes + page.wire_bytes,
            seconds=before.seconds + page.seconds,
            watermark=before.watermark if before.watermark is not None else page.watermark)
        return state

    def record_failed_attempts(self, plan: str, requests: int, retries: int, wire_bytes: int) -> None:
        """What a GET that gave up cost (its page is not committed; the night still counts it)."""
        self.con.execute(FAILED_ATTEMPTS_SQL, [requests, retries, wire_bytes, plan])

    # ------------------------------------------------------------------ parse
    def parse_pending(self, plan: str, heavy: bool) -> tuple[int, int]:
        """Parse every committed record file not parsed yet into stage_rows, a batch of files
        per DuckDB statement and transaction, deleting them. Returns (models, rejected)."""
        pages, chunks, attempts = self.con.execute(
            "SELECT normalized_pages, normalized_chunks, parse_attempts FROM plans WHERE plan = ?",
            [plan]).fetchone()
        # Parsed files past the committed position are a batch a killed crawl never committed.
        self._remove_parsed(lambda key, position: key == plan and position >= (pages + 1, chunks))
        pending = self._pending_files(plan, pages, chunks)
        careful = attempts > 0   # the last run died inside a parse: one file at a time now
        models = rejected = 0
        for batch in parse_batches(pending, 1 if careful else BATCH_FILES):
            m, r = self._parse_batch(plan, heavy, batch, pending)
            models, rejected = models + m, rejected + r
        self._states.pop(plan, None)   # its parse counts moved: read again when next needed
        return models, rejected

    def _pending_files(self, plan: str, pages: int, chunks: int) -> list[RecordFile]:
        out = []
        for page_no, files, largest, server_time in self.con.execute(PENDING_FILES_SQL, [plan, pages]).fetchall():
            first = chunks if page_no == pages + 1 else 0
            out += [RecordFile(page_no, k, self.record_file(plan, page_no, k), largest, server_time)
                    for k in range(first, files)]
        # Pages with no storable records still have to be marked parsed.
        return out or self._empty_progress(plan, pages)

    def _empty_progress(self, plan: str, pages: int) -> list[RecordFile]:
        committed = self.con.execute("SELECT count(*) FROM stage_pages WHERE plan = ?", [plan]).fetchone()[0]
        if committed > pages:
            self.con.execute("UPDATE plans SET normalized_pages = ?, normalized_chunks = 0 WHERE plan = ?",
                             [committed, plan])
        return []

    def _parse_batch(self, plan: str, heavy: bool, batch: list[RecordFile], pending: list[RecordFile]) -> tuple[int, int]:
        con = self.con
        store = REPO_STORES[split_key(plan)[0]]
        attempts = con.execute("UPDATE plans SET parse_attempts = parse_attempts + 1 WHERE plan = ? "
                               "RETURNING parse_attempts", [plan]).fetchone()[0]
        largest = max(f.largest_record for f in batch)
        latest = max((f.server_time for f in batch if f.server_time), default=None)
        latest = (latest or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)) + TRUSTED_AHEAD
        if attempts > 2 and len(batch) == 1:
            # This file stopped the process twice: reject its records rather than block every night.
            self._reject_file(store, batch[0], "could not be parsed: the parse stopped the crawl twice")
        else:
            try:   # the fast read first; a batch it refuses is read tolerantly, then bisected
                self._parse_sql(store, [f.path for f in batch], heavy, largest, latest)
            except DATA_ERRORS as error:
                try:
                    if len(batch) > 1 and isinstance(error, duckdb.OutOfMemoryException):
                        raise   # heavy records: the tolerant read of the same batch would not fit either
                    self._parse_sql(store, [f.path for f in batch], heavy, largest, latest, tolerant=True)
                except DATA_ERRORS:
                    self._isolate(store, batch, heavy, largest, latest)
        # Where the parse now stands: through the last file of the batch.
        last = batch[-1]
        page_done = all(f.page_no != last.page_no or f.chunk <= last.chunk for f in pending)
        through_pages, through_chunks = (last.page_no, 0) if page_done else (last.page_no - 1, last.chunk + 1)
        # pages committed after the last file that have no record files are parsed too
        if page_done:
            following = [f.page_no for f in pending if f.page_no > last.page_no]
            gap_end = (min(following) - 1) if following else con.execute(
                "SELECT count(*) FROM stage_pages WHERE plan = ?", [plan]).fetchone()[0]
            through_pages = max(through_pages, gap_end)
        models, rejected, dropped = con.execute(BATCH_COUNTS_SQL).fetchone()

        first = batch[0]
        for kind in PARSED_KINDS:
            if kind == "edges" and not store.lineage:
                continue
            path = self.parsed_dir(kind, plan) / f"{first.page_no:09d}.{first.chunk:05d}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            sql = COPY_PARSED_SQL[kind]
            con.execute(sql, {"plan": plan, "path": str(path)} if "$plan" in sql else {"path": str(path)})
            _fsync(path)   # on disk before the batch's progress commits

        def work():
            for statement in STAGE_REJECTED_SQL:
                con.execute(statement.format(id_column=store.id_column), {"plan": plan})
            con.execute(PARSE_PROGRESS_SQL, {"plan": plan, "pages": through_pages, "chunks": through_chunks,
                                             "models": models, "rejected": rejected, "dropped": dropped})

        self._transaction(work)
        for f in batch:
            f.path.unlink(missing_ok=True)
        return models, rejected

    def _parse_sql(self, store: RepoStore, paths: list[Path], heavy: bool, largest: int, latest: dt.datetime,
                   tolerant: bool = False) -> None:
        """The parse of `store` (its @tolerant switch: storage/sql/parse_page.sql)."""
        sqlfile.run(self.con, store.parse_sql, {"paths": [str(p) for p in paths], "heavy": heavy,
                                                "max_object_bytes": max(largest + 1, 1024),
                                                "since": TRUSTED_SINCE, "latest": latest},
                    identifiers={"tolerant": "true" if tolerant else "false"})

    def _isolate(self, store: RepoStore, batch: list[RecordFile], heavy: bool, largest: int,
                 latest: dt.datetime) -> None:
        """Parse what can be parsed of a batch DuckDB refused, one file then one half of a file
        at a time, rejecting each record it refuses alone; leaves the result in page_*."""
        con = self.con
        tables = self._empty_accumulators(store)
        work = [(f.page_no, f.path) for f in batch]
        refused = 0
        with tempfile.TemporaryDirectory(dir=self.spool) as scratch:
            parts = 0
            while work:
                page_no, path = work.pop()
                try:
                    self._parse_sql(store, [path], heavy, largest, latest, tolerant=True)
                    for table in tables:
                        con.execute(f"INSERT INTO acc_{table} SELECT * FROM {table}")
                    continue
                except DATA_ERRORS as error:
                    reason = f"could not be parsed: {one_line(error)}"
                lines = [line for line in path.read_bytes().split(b"\n") if line]
                if len(lines) <= 1:
                    for line in lines:
                        self._accumulate_rejection(store, page_no, line, reason)
                        refused += 1
                    continue
                half = len(lines) // 2
                for piece in (lines[:half], lines[half:]):
                    parts += 1
                    part = Path(scratch) / f"{page_no}.{parts}.ndjson"
                    part.write_bytes(b"\n".join(piece) + b"\n")
                    work.append((page_no, part))
        for table in tables:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM acc_{table}")
        if refused:
            log.warning("a batch of staged records could not be parsed whole; the %d records DuckDB refused "
                        "are in rejected_records", refused)
        else:
            log.info("a batch of staged records too heavy to parse at once was parsed one file at a time")

    def _empty_accumulators(self, store: RepoStore) -> list[str]:
        """acc_<table> for each table a parse of `store` leaves, empty (their shape)."""
        self._parse_empty(store)
        tables = [t for t in PAGE_TABLES if t != "page_edges" or store.lineage]
        for table in tables:   # constant names
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE acc_{table} AS SELECT * FROM {table} LIMIT 0")
        return tables

    def _accumulate_rejection(self, store: RepoStore, page_no: int, record: bytes, reason: str) -> None:
        self.con.execute(f"INSERT INTO acc_page_rows (page_no, skip_reason, {store.id_column}, record_sample) "
                         "VALUES (?, ?, ?, ?)", [page_no, reason[:500], record_id(record), sample(record)])

    def _reject_file(self, store: RepoStore, f: RecordFile, reason: str) -> None:
        for table in self._empty_accumulators(store):
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM acc_{table}")
        lines = [line for line in f.path.read_bytes().split(b"\n") if line] if f.path.exists() else []
        self.con.executemany(f"INSERT INTO page_rows (page_no, skip_reason, {store.id_column}, record_sample) "
                             "VALUES (?, ?, ?, ?)", [[f.page_no, reason, record_id(line), sample(line)] for line in lines])
        log.warning("rejected %d records of page %d: %s", len(lines), f.page_no, reason)

    def _remove_parsed(self, doomed) -> None:
        """Delete parsed files for which doomed(plan key, (page, chunk)) is true (shapes stay)."""
        root = self.spool / "parsed"
        if not root.exists():
            return
        for path in root.glob("*/*/*/*.parquet"):
            key = f"{path.parent.parent.name}/{path.parent.name}"
            page, _, chunk = path.stem.partition(".")
            if page.isdigit() and chunk.isdigit() and doomed(key, (int(page), int(chunk))):
                path.unlink(missing_ok=True)

    # ------------------------------------------------------------------ reading back
    def rejected_summary(self) -> list[tuple[str | None, str, int]]:
        """(field, reason, count) of tonight's rejections, most frequent first."""
        return self.con.execute("SELECT field, reason, count(*) FROM stage_rejected GROUP BY ALL "
                                "ORDER BY 3 DESC, 2").fetchall()

    def staged_rows(self, repo_type: str, heavy_plans: Sequence[str]) -> tuple[int, int]:
        """Parsed rows of a type: (of heavy_plans, of the other plans), in one pass."""
        store = REPO_STORES[repo_type]   # constant names
        heavy, light = self.con.execute(
            "SELECT count(*) FILTER (WHERE list_contains($heavy, plan)), "
            f"count(*) FILTER (WHERE NOT list_contains($heavy, plan)) FROM {store.stage_table}",
            {"heavy": list(heavy_plans)}).fetchone()
        return heavy, light

    def repos_staged(self, repo_type: str) -> int:
        store = REPO_STORES[repo_type]   # constant names
        return self.con.execute(f"SELECT count(DISTINCT {store.id_column}) FROM {store.stage_table}").fetchone()[0]

    # ------------------------------------------------------------------ catch-up
    def prepare_catchup(self, repo_type: str, sweep: str, refresh: str, catchup: str,
                        limit: int) -> tuple[int, int | None]:
        """Once per night and repository type, after its sweep and refresh: list what to catch
        up (storage/sql/catchup_candidates.sql) and add the plan `catchup` for it. Returns (ids
        listed for tonight, candidates in all; None when an earlier run of this night made the
        list); (0, 0) without a main file. Idempotent: a resumed night keeps its list."""
        if self.has_plan(catchup):
            return self.con.execute("SELECT count(*) FROM catchup_ids WHERE plan = ?", [catchup]).fetchone()[0], None
        if not self.db_path.exists():
            return 0, 0
        store = REPO_STORES[repo_type]
        self.con.execute("ATTACH ? AS hc_catchup_main (READ_ONLY)", [str(self.db_path)])
        try:
            def work():
                sqlfile.run(self.con, CATCHUP_CANDIDATES,
                            {"limit": limit, "sweep": sweep, "refresh": refresh, "catchup": catchup},
                            identifiers={"stage_table": store.stage_table, "hub_table": store.hub_table,
                                         "id_column": store.id_column})
                listed = self.con.execute("SELECT count(*) FROM catchup_ids WHERE plan = ?", [catchup]).fetchone()[0]
                candidates = self.con.execute("SELECT count(*) FROM catchup_candidates").fetchone()[0]
                if listed:
                    self.con.execute("INSERT INTO plans (plan) VALUES (?)", [catchup])
                return listed, candidates
            return self._transaction(work)
        finally:
            self.con.execute("DETACH hc_catchup_main")

    def catchup_ids(self, catchup: str, start: int) -> list[str]:
        """A catch-up list from position `start` on (at most CATCHUP_MAX ids: small)."""
        return [r for (r,) in self.con.execute("SELECT repo_id FROM catchup_ids WHERE plan = ? AND seq >= ? ORDER BY seq",
                                               [catchup, start]).fetchall()]


def _sql_string(text: str) -> str:
    """A SQL string literal of one of our own spool paths (views take no parameters)."""
    if "\x00" in text:
        raise ValueError("a path with a NUL byte")
    return "'" + text.replace("'", "''") + "'"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def parse_batches(files: list[RecordFile], max_files: int = BATCH_FILES) -> list[list[RecordFile]]:
    """Consecutive record files grouped for one parse statement: at most max_files files (each
    statement and its commit has a fixed cost) and at most BATCH_BYTES of JSON, which bounds
    the parse's memory whatever the pages weigh (a 120 MB page is 15 files of 8 MB, parsed in
    4 batches). A larger file (one record over the bound) goes alone."""
    batches: list[list[RecordFile]] = []
    size = 0
    for f in files:
        n = os.path.getsize(f.path) if f.path.exists() else 0
        if batches and len(batches[-1]) < max_files and size + n <= BATCH_BYTES:
            batches[-1].append(f)
            size += n
        else:
            batches.append([f])
            size = n
    return batches


def record_id(record: bytes) -> str | None:
    m = _ID_TEXT.search(record, 0, 65536)
    return sample(m.group(1), 256) if m else None


def sample(data: bytes, limit: int = SAMPLE_CHARS) -> str:
    """At most `limit` characters, with every byte that is not printable UTF-8 escaped."""
    text = data[: limit * 4].decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)[:limit]


def one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:300]


def remove_files(db_path: str | Path) -> None:
    """Delete the staging file, its WAL and its record files (after a merge, nothing is left)."""
    path = staging_path(db_path)
    for p in (path, Path(f"{path}.wal")):
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
    shutil.rmtree(spool_dir(db_path), ignore_errors=True)
