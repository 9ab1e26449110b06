"""The end of a night: staging merged into the main file in ONE transaction.

The staging connection ATTACHes the main file and writes only to it inside the transaction
(DuckDB lets a transaction write to a single attached database). Analysts never see half a
night. If an analyst's connection holds the main file, the attach is retried for a while;
then MainDatabaseBusy is raised and staging is kept, so the next crawl just merges again.
A night already recorded in crawl_runs (killed after the merge committed) is not merged twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import duckdb


from storage import db, sqlfile
from storage.errors import DatabaseBusy, DiskFull, MainDatabaseBusy, is_disk_full
from storage.repos import MERGE_LINKS, MERGE_REPO_HISTORY, REPO_STORES
from storage.staging import STAGING_CHECKPOINT, Staging

log = logging.getLogger("hubcensus.storage")

RUNS = db.SQL_DIR / "merge_runs.sql"
# Staged rows merged per slice (see merge_night and slice_count): the temp tables of a slice of
# heavy rows (~60 MB per 100k) fit the crawl's 256 MB; a light row (ids, counts, flags) weighs
# about a fifth of a heavy one. Fewer slices are faster: every slice reads all the staged rows
# and scans the stored repositories of its type again (a 1M-model second night: 26.6 s in
# slices of 100k rows, 20.0 s of 200k, 18.7 s of 500k, at 375-382 MB peak each).
SLICE_MODELS = 200_000
LIGHT_ROWS_PER_HEAVY = 5
BUSY_WAIT_SECONDS = 30.0
# The checkpoint threshold while the night commits. DuckDB checkpoints as part of a COMMIT whose
# changes it estimates above the threshold, and then writes them straight into the file instead
# of into the WAL first. Its estimate of a night is far below what the WAL gets (a 200k first
# night: 108 MB of WAL, written and synced, then read back by the checkpoint just after), so
# under the staging file's 64 MB the night went the long way round.
COMMIT_CHECKPOINT_THRESHOLD = "1MB"


KEPT = "the night is kept in staging and the next `hubcensus crawl` merges it"
NOT_STARTED = "nothing was crawled; try again when it is free"


def with_main_file(action, db_path: str | Path, wait_seconds: float = BUSY_WAIT_SECONDS, outcome: str = KEPT):
    """Run action() (which opens the main file), retrying while another process holds it
    (storage.db.retry_while_busy, the one busy-file policy); then MainDatabaseBusy."""
    try:
        return db.retry_while_busy(action, wait_seconds, "")
    except DatabaseBusy:
        raise MainDatabaseBusy(f"{db_path} stayed locked by another process for {wait_seconds:g}s; {outcome}") from None


@dataclass(frozen=True)
class RepoNight:
    """What the merge needs to know of one repository type's night (plan keys: storage/repos.py)."""
    repo_type: str
    listed_every_repo: bool          # a whole listing saw every alive repository: the unlisted vanished
    count_plans: tuple[str, ...]     # plans whose rows give tonight's counts (listings of every repository)
    heavy_plans: tuple[str, ...]     # plans whose rows carry the descriptive fields
    all_plans: tuple[str, ...]       # every plan of the type tonight


def merge_night(staging: Staging, repos: list[RepoNight], wait_seconds: float = BUSY_WAIT_SECONDS) -> bool:
    """Merge the staged night of every repository type into the main file, in ONE transaction.
    Returns False when it was merged before.

    Each type is merged in slice_count() slices of its ids (hash(id) % parts), each prepared
    and merged in turn (then its links): every join and window works per repository, so slicing
    changes no result, and memory stays flat as the Hub grows (the crawl's DuckDB has 256 MB; a
    1M-model night in one piece ran out of it).
    """
    con = staging.con
    night = staging.night()
    main = str(staging.db_path)

    def attach():
        con.execute("ATTACH ? AS hc_merge_target", [main])

    with_main_file(attach, main, wait_seconds)
    try:
        con.execute("BEGIN")
        try:
            seen = con.execute("SELECT count(*) FROM hc_merge_target.crawl_runs WHERE night_id = ?", [night.night_id]).fetchone()[0]
            if seen:
                con.execute("ROLLBACK")
                return False
            for repo in repos:
                _merge_repo_type(con, staging, night.snapshot_date, repo)
            sqlfile.run(con, RUNS, {"d": night.snapshot_date})
            _commit_into_the_file(con)
        except BaseException as error:
            with contextlib.suppress(duckdb.Error):   # a failed COMMIT ends the transaction itself
                con.execute("ROLLBACK")
            if is_disk_full(error):
                raise DiskFull(f"the disk is full (merging into {main}): {' '.join(str(error).split())[:200]}; "
                               "the night is kept in staging and the next crawl merges it") from error
            raise
        # The main file must be whole on its own (analysts copy it, exports read it): fold the
        # night's WAL into it now rather than leave it to a checkpoint at close (when the commit
        # checkpointed, as it does unless DuckDB could not take its checkpoint lock, this finds
        # nothing to do).
        con.execute("CHECKPOINT hc_merge_target")
    finally:
        con.execute("DETACH hc_merge_target")
    return True


def _commit_into_the_file(con) -> None:
    """COMMIT the night with DuckDB's automatic checkpoint at commit (COMMIT_CHECKPOINT_THRESHOLD);
    the threshold is the instance's, so the staging file's own is restored after."""
    con.execute(f"SET checkpoint_threshold = '{COMMIT_CHECKPOINT_THRESHOLD}'")   # constants: SET takes no parameters
    try:
        con.execute("COMMIT")
    finally:
        with contextlib.suppress(duckdb.Error):   # after a failed COMMIT the connection may refuse it
            con.execute(f"SET checkpoint_threshold = '{STAGING_CHECKPOINT}'")


def _merge_repo_type(con, staging: Staging, snapshot_date: dt.date, repo: RepoNight) -> None:
    store = REPO_STORES[repo.repo_type]
    heavy, light = staging.staged_rows(repo.repo_type, repo.heavy_plans)
    # A plan that is both (`full`) needs no light side: its heavy rows carry the counts, and
    # joining its rows with themselves cost a quarter of a first night's merge.
    light_plans = [p for p in repo.count_plans if p not in repo.heavy_plans]
    params = {"d": snapshot_date, "sweep_complete": repo.listed_every_repo, "light_plans": light_plans,
              "heavy_plans": list(repo.heavy_plans), "all_plans": list(repo.all_plans),
              "parts": slice_count(heavy, light), "source_type": store.source_type}
    for part in range(params["parts"]):
        sqlfile.run(con, store.merge_sql, {**params, "part": part})
        sqlfile.run(con, MERGE_LINKS, {**params, "part": part})
        if store.history:
            sqlfile.run(con, MERGE_REPO_HISTORY, {**params, "part": part}, identifiers=store.history)


def slice_count(heavy_rows: int, light_rows: int) -> int:
    """Slices for a type's staged rows: SLICE_MODELS heavy rows a slice, or LIGHT_ROWS_PER_HEAVY
    times as many light ones (a sweep's), or a mix of both in that proportion."""
    return max(1, math.ceil((heavy_rows + light_rows / LIGHT_ROWS_PER_HEAVY) / SLICE_MODELS))


PREVIOUS_WATERMARK_SQL = "SELECT max(watermark) FROM crawl_runs WHERE status = 'complete' AND repo_type = ?"
ALIVE_SQL = "SELECT count(*) FROM {hub_table} WHERE deleted_at IS NULL"   # {hub_table}: storage/repos.py


def previous_night(db_path: str | Path, repo_types, wait_seconds: float = BUSY_WAIT_SECONDS
                   ) -> dict[str, tuple[dt.datetime | None, int | None]]:
    """Migrate the main file and read what the night needs from it, per repository type: the
    watermark of the last complete run that recorded one (refresh or full; none: the type's first
    night) and the number of alive repositories (to estimate a full listing's total)."""

    def read():
        con = db.open_main(db_path)
        try:
            out = {}
            for repo_type in repo_types:
                watermark = con.execute(PREVIOUS_WATERMARK_SQL, [repo_type]).fetchone()[0]
                alive = con.execute(ALIVE_SQL.format(hub_table=REPO_STORES[repo_type].hub_table)).fetchone()[0]
                out[repo_type] = (watermark, alive or None)
            return out
        finally:
            con.close()

    return with_main_file(read, db_path, wait_seconds, NOT_STARTED)
