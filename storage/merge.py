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
from pathlib import Path

import duckdb


from storage import db, sqlfile
from storage.errors import DatabaseBusy, DiskFull, MainDatabaseBusy, is_disk_full
from storage.staging import Staging

log = logging.getLogger("hubcensus.storage")

MERGE = db.SQL_DIR / "merge.sql"
RUNS = db.SQL_DIR / "merge_runs.sql"
SLICE_MODELS = 100_000   # staged rows merged per slice (see merge_night): its temp tables
                         # (~60 MB per 100k heavy models) fit the crawl's 256 MB with room
BUSY_WAIT_SECONDS = 30.0


KEPT = "the night is kept in staging and the next `hubcensus crawl` merges it"
NOT_STARTED = "nothing was crawled; try again when it is free"


def with_main_file(action, db_path: str | Path, wait_seconds: float = BUSY_WAIT_SECONDS, outcome: str = KEPT):
    """Run action() (which opens the main file), retrying while another process holds it
    (storage.db.retry_while_busy, the one busy-file policy); then MainDatabaseBusy."""
    try:
        return db.retry_while_busy(action, wait_seconds, "")
    except DatabaseBusy:
        raise MainDatabaseBusy(f"{db_path} stayed locked by another process for {wait_seconds:g}s; {outcome}") from None


def merge_night(staging: Staging, listed_every_model: bool, wait_seconds: float = BUSY_WAIT_SECONDS,
                count_plans=("sweep",), heavy_plans=("refresh",)) -> bool:
    """Merge the staged night into the main file. Returns False when it was merged before.

    listed_every_model: a complete run listed every alive model, so the unlisted ones vanished.
    count_plans: plans whose rows give tonight's counts (listings of every model); heavy_plans:
    plans whose rows carry the descriptive fields. A `full` run is both.

    The night is merged in slices of about SLICE_MODELS model ids (hash(model_id) % parts),
    each prepared and merged in turn, all in the ONE transaction: every join and window works
    per model, so slicing changes no result, and memory stays flat as the Hub grows (the
    crawl's DuckDB has 256 MB; a 1M-model night in one piece ran out of it).
    """
    con = staging.con
    night = staging.night()
    staged = con.execute("SELECT count(*) FROM stage_rows").fetchone()[0]
    # A plan that is both (`full`) needs no light side: its heavy rows carry the counts, and
    # joining its rows with themselves cost a quarter of a first night's merge.
    light_plans = [p for p in count_plans if p not in heavy_plans]
    params = {"d": night.snapshot_date, "sweep_complete": listed_every_model, "light_plans": light_plans,
              "heavy_plans": list(heavy_plans), "parts": max(1, math.ceil(staged / SLICE_MODELS))}
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
            for part in range(params["parts"]):
                sqlfile.run(con, MERGE, {**params, "part": part})
            sqlfile.run(con, RUNS, params)
            con.execute("COMMIT")
        except BaseException as error:
            with contextlib.suppress(duckdb.Error):   # a failed COMMIT ends the transaction itself
                con.execute("ROLLBACK")
            if is_disk_full(error):
                raise DiskFull(f"the disk is full (merging into {main}): {' '.join(str(error).split())[:200]}; "
                               "the night is kept in staging and the next crawl merges it") from error
            raise
        # The main file must be whole on its own (analysts copy it, exports read it): fold the
        # night's WAL into it now rather than leave it to a checkpoint at close.
        con.execute("CHECKPOINT hc_merge_target")
    finally:
        con.execute("DETACH hc_merge_target")
    return True


def previous_night(db_path: str | Path, wait_seconds: float = BUSY_WAIT_SECONDS) -> tuple[dt.datetime | None, int | None]:
    """Migrate the main file and read what the night needs from it: the watermark of the last
    complete run that recorded one (refresh or full) and the number of alive models (to
    estimate a full listing's total)."""

    def read():
        con = db.open_main(db_path)
        try:
            watermark = con.execute(
                "SELECT max(watermark) FROM crawl_runs WHERE status = 'complete'").fetchone()[0]
            alive = con.execute("SELECT count(*) FROM hub_models WHERE deleted_at IS NULL").fetchone()[0]
            return watermark, (alive or None)
        finally:
            con.close()

    return with_main_file(read, db_path, wait_seconds, NOT_STARTED)
