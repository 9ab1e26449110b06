"""A year of nightly history at Hub scale (issue 15): size, query latency, time travel and a
nightly merge that does not grow with the nights already stored.

The database is built the honest way where it can be: real crawls of a hubsim universe
(default 3M models) for nights 1 and 2, then the 362 nights before night 1 generated in SQL
with the Hub's nightly change (models with downloads move every night: the 30-day count by
±25 %, the all-time count by at least one download a day; the >70 % without downloads keep
their counts), written as the nightly merge writes them (runs of unchanged counts, closed runs
appended night by night in the merge's order). Night 3 is crawled once and staged; the same
staged night is merged into the 2-night database and into the 364-night one, each in its own
process (time and peak RSS), beside the merge of night 2. The current storage (one full row per
model and night) is built from the same nights for the last --full-row-nights nights and
measured beside it: file size per model-night, the per-night views, one model's series.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from analysis import install
from analysis.figures import compute_figures
from analysis.installer import prepare_reader
from bench.harness import REPO, hubsim
from storage.db import connect_readonly

DAY1 = dt.date(2026, 11, 1)            # hubsim's day 1 (its default start date)
EPOCH = dt.date(1970, 1, 1)

# ------------------------------------------------------------------ generated nights
# The base of every generated night: each model's counts on night 2 (its open run), the first
# night it existed in the generated year (its creation day, at the earliest the first night).
BASE_SQL = """
CREATE OR REPLACE TEMP TABLE bench_base AS
SELECT o.model_key, o.downloads AS dl30, o.downloads_all_time AS dl_all, o.likes, o.gated,
       greatest(CAST(h.created_at AS DATE), $first) AS first_night
FROM model_counts_open o
JOIN model_keys k USING (model_key)
JOIN hub_models h USING (model_id)
WHERE CAST(h.created_at AS DATE) < $day1 AND o.downloads_all_time IS NOT NULL
"""
# The runs of one eighth of the keys ($slice: contiguous ranges of the $keys keys, as the merge
# cuts them) that close on night $c: a model with downloads has
# one run per night (its counts move every night); one without keeps its counts and its runs
# end at its keyframe nights, (model_key + days since 1970) % 32 = 0, and on night 1 (where
# the crawled runs begin). Counts on night t lie (night 2 - t) days behind night 2's.
CLOSE_NIGHT_SQL = """
INSERT INTO bench_batch
WITH night AS (SELECT CAST($c AS DATE) AS c, $c_day AS c_day, $day2_day AS day2_day)
SELECT * FROM (
    SELECT b.model_key, n.c - 1 AS valid_from, n.c AS valid_to,
           CAST(floor(b.dl30 * (0.8 + 0.45 * (hash(b.model_key, n.c_day - 1) % 1000000) / 1000000.0)) AS BIGINT),
           greatest(b.dl_all - (n.day2_day - n.c_day + 1) * greatest(1, b.dl30 // 30), 0),
           greatest(b.likes - ((n.day2_day - n.c_day + 1) * b.dl30) // 20000, 0),
           b.gated,
           CASE WHEN b.first_night < n.c - 1
                THEN CAST(greatest(b.dl_all - (n.day2_day - n.c_day + 1) * greatest(1, b.dl30 // 30), 0)
                          - greatest(b.dl_all - (n.day2_day - n.c_day + 2) * greatest(1, b.dl30 // 30), 0) AS BIGINT) END
    FROM bench_base b, night n
    WHERE b.dl30 > 0 AND b.first_night <= n.c - 1 AND CAST(b.model_key AS BIGINT) * 8 // $keys = $slice
    UNION ALL
    SELECT b.model_key, greatest(b.first_night, n.c - ((b.model_key + n.c_day - 1) % 32 + 1)), n.c,
           b.dl30, b.dl_all, b.likes, b.gated,
           CASE WHEN greatest(b.first_night, n.c - ((b.model_key + n.c_day - 1) % 32 + 1)) > b.first_night THEN 0 END
    FROM bench_base b, night n
    WHERE b.dl30 = 0 AND b.first_night < n.c AND ((b.model_key + n.c_day) % 32 = 0 OR n.c = $day1)
      AND CAST(b.model_key AS BIGINT) * 8 // $keys = $slice
)
"""
# What the merge of night n moves to the archive: the runs of its eighth of the keys closed on
# nights n-7..n (those a night after night 2 would move are still recent).
BATCH_SQL = "CREATE OR REPLACE TEMP TABLE bench_batch AS FROM model_runs_archive LIMIT 0"
MOVE_SQL = """
INSERT INTO {table} SELECT * FROM bench_batch ORDER BY model_key >> 16, downloads_all_time, model_key, valid_from
"""
NIGHTS_SQL = "INSERT INTO snapshot_nights SELECT CAST(range AS DATE) FROM range($first, $day1, INTERVAL 1 DAY)"
RUNS_SQL = """
INSERT INTO crawl_runs (run_id, night_id, plan, status, snapshot_date, started_at, finished_at, pages, models_seen,
                        requests, retries, bytes, endpoint)
SELECT -(($day1 - CAST(range AS DATE))), 'generated-' || CAST(CAST(range AS DATE) AS VARCHAR), 'sweep', 'complete',
       CAST(range AS DATE), range + INTERVAL 27 HOUR, range + INTERVAL 27 HOUR, 0, 0, 0, 0, 0, 'generated'
FROM range($first, $day1, INTERVAL 1 DAY)
"""
FIRST_SEEN_SQL = """
UPDATE hub_models h SET first_seen = b.first_night
FROM bench_base b JOIN model_keys k USING (model_key)
WHERE h.model_id = k.model_id AND b.first_night < h.first_seen
"""


def generate_nights(db: Path, nights_before: int) -> dict:
    """Add `nights_before` generated nights before night 1 to a database crawled on nights 1-2."""
    first = DAY1 - dt.timedelta(days=nights_before)
    day2_day = (DAY1 + dt.timedelta(days=1) - EPOCH).days
    started = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("SET memory_limit = '4GB'")
    con.execute(BASE_SQL, {"first": first, "day1": DAY1})
    keys = con.execute("SELECT max(model_key) + 1 FROM model_keys").fetchone()[0]
    # closing nights run from the day after the first generated night to night 1 (runs ending
    # there); the merge of night n moves the runs of its eighth of the keys closed since n-7
    day2 = DAY1 + dt.timedelta(days=1)
    n = first + dt.timedelta(days=1)
    while n <= DAY1 + dt.timedelta(days=7):
        con.execute(BATCH_SQL)
        for back in range(8):
            c = n - dt.timedelta(days=back)
            if first < c <= DAY1:
                con.execute(CLOSE_NIGHT_SQL, {"c": c, "c_day": (c - EPOCH).days, "day2_day": day2_day, "day1": DAY1,
                                              "slice": (n - EPOCH).days % 8, "keys": keys})
        con.execute(MOVE_SQL.format(table="model_runs_archive" if n <= day2 else "model_runs_recent"))  # constant names
        n += dt.timedelta(days=1)
    con.execute(NIGHTS_SQL, {"first": first, "day1": DAY1})
    con.execute(RUNS_SQL, {"first": first, "day1": DAY1})
    con.execute(FIRST_SEEN_SQL)
    con.execute("CHECKPOINT")
    con.close()
    return {"nights_generated": nights_before, "seconds": round(time.perf_counter() - started, 1)}


# ------------------------------------------------------------------ crawling and merging
CHILD = """
import json, sys, time
import pipeline.night as night
import storage.merge
mode, db, url = sys.argv[1:4]
class Staged(Exception):
    pass
seconds = {}
real_merge = night.merge_night
def stop(*args, **kwargs):
    raise Staged()
def timed(*args, **kwargs):
    started = time.perf_counter()
    try:
        return real_merge(*args, **kwargs)
    finally:
        seconds["merge"] = time.perf_counter() - started
night.merge_night = stop if mode == "stage" else timed
def peak_rss_mb():   # this process's own high-water mark (a fork's ru_maxrss starts at its parent's)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
started = time.perf_counter()
try:
    result = night.run_night(db, endpoint=url, progress=False, install_views=False)
    print(json.dumps({"status": result.status, "models": result.models_seen, "merge_seconds": seconds.get("merge"),
                      "seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}))
except Staged:
    print(json.dumps({"status": "staged", "seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}))
"""


def child(mode: str, db: Path, url: str, env: dict | None = None) -> dict:
    """Run a night (or only its staging, or only its merge) in its own process, which reports its
    own peak RSS (VmHWM: wait4's ru_maxrss of a child starts at its parent's, and this parent
    grows while it generates nights)."""
    process = subprocess.run([sys.executable, "-c", CHILD, mode, str(db), url], stdout=subprocess.PIPE, cwd=REPO,
                             env={**os.environ, **(env or {})})
    if process.returncode != 0:
        raise RuntimeError(f"{mode} of {db} failed")
    return json.loads(process.stdout.decode().strip().splitlines()[-1])


def staging_files(db: Path) -> list[Path]:
    base = Path(f"{os.path.realpath(db)}.staging")
    return [p for p in (base, Path(f"{base}.wal"), Path(f"{base}.pages")) if p.exists()]


def copy_staging(source_db: Path, target_db: Path) -> None:
    for path in staging_files(source_db):
        target = Path(str(path).replace(os.path.realpath(source_db), os.path.realpath(target_db)))
        if path.is_dir():
            shutil.copytree(path, target, dirs_exist_ok=True)
        else:
            shutil.copy(path, target)


def staged_merge(source_db: Path, target_db: Path, url: str) -> dict:
    """Merge the night staged beside source_db into target_db (a copy of its staging)."""
    copy_staging(source_db, target_db)
    return child("merge", target_db, url)


# ------------------------------------------------------------------ the current storage, beside
FULL_ROWS_SQL = "INSERT INTO model_snapshots SELECT * FROM compact.model_snapshots WHERE snapshot_date = ?"


def build_full_rows(compact: Path, target: Path, nights: int) -> dict:
    """The last `nights` nights of `compact` as the current storage keeps them: one row per model
    and night in model_snapshots (a database at migration 003), the other tables as they are."""
    sys.path.insert(0, str(REPO / "tests"))
    from history_twins import create_full_row_db   # the full-row schema the tests use as reference


    started = time.perf_counter()
    create_full_row_db(target)
    con = duckdb.connect(str(target))
    con.execute("SET memory_limit = '4GB'")
    con.execute("ATTACH ? AS compact (READ_ONLY)", [str(compact)])
    for table in ("hub_models", "lineage", "model_changes", "crawl_runs", "rejected_records"):
        # by name: the compact file's hub_models also has the key of migration 006, left out here
        con.execute(f"INSERT INTO {table} BY NAME SELECT COLUMNS(c -> c <> 'model_key') "
                    f"FROM compact.main.{table}")   # constant table names
    kept = [n for (n,) in con.execute("SELECT snapshot_date FROM compact.snapshot_nights ORDER BY 1 DESC LIMIT ?",
                                      [nights]).fetchall()]
    for night in sorted(kept):
        con.execute(FULL_ROWS_SQL, [night])   # one night at a time, as the merge appended them
    con.execute("DELETE FROM crawl_runs WHERE snapshot_date < ?", [min(kept)])
    con.execute("DETACH compact")
    install(con)
    con.execute("CHECKPOINT")
    con.close()
    return {"nights": len(kept), "seconds": round(time.perf_counter() - started, 1)}


# ------------------------------------------------------------------ measuring
def size(db: Path) -> dict:
    with contextlib.closing(duckdb.connect(str(db), read_only=True)) as con:
        blocks = con.execute("SELECT used_blocks, total_blocks, block_size FROM pragma_database_size()").fetchone()
        nights = con.execute("SELECT count(DISTINCT snapshot_date) FROM crawl_runs").fetchone()[0]
        if db_has(con, "model_runs_archive"):
            model_nights = con.execute("SELECT sum(models) FROM history_night_totals").fetchone()[0]
            rows = con.execute("SELECT (SELECT count(*) FROM model_counts_closed) + (SELECT count(*) FROM model_counts_open)"
                               ).fetchone()[0]
        else:
            model_nights = rows = con.execute("SELECT count(*) FROM model_snapshots").fetchone()[0]
        # Every table's blocks, block_size each (a block shared by two small tables counts for
        # both): where the file goes. The history is the tables that hold the models' history,
        # not the Hub's current state (hub_models, the lineage), which does not grow with nights.
        table_bytes = {t: con.execute(TABLE_BLOCKS_SQL.format(table=t)).fetchone()[0] * blocks[2]
                       for (t,) in con.execute(TABLES_SQL).fetchall()}
        history_tables = [t for t in HISTORY_TABLES if t in table_bytes]
        history_bytes = sum(table_bytes[t] for t in history_tables)
        lifecycle = {}
        for kind, tables in LIFECYCLE_HISTORY_TABLES.items():   # datasets' and Spaces' own nights
            if all(t in table_bytes for t in tables):
                repo_nights = con.execute(f"SELECT count(*) FROM {kind}_snapshots").fetchone()[0]   # constant names
                held = sum(table_bytes[t] for t in tables)
                lifecycle[kind] = {"repo_nights": repo_nights, "bytes": held,
                                   "bytes_per_repo_night": round(held / max(repo_nights, 1), 3),
                                   "runs": con.execute(f"SELECT (SELECT count(*) FROM {kind}_runs_open) + "
                                                       f"(SELECT count(*) FROM {kind}_runs_closed)").fetchone()[0]}
    file_bytes = db.stat().st_size
    return {"file_bytes": file_bytes, "used_bytes": blocks[0] * blocks[2], "nights": nights,
            "model_nights": int(model_nights), "history_rows": int(rows),
            "bytes_per_model_night": round(file_bytes / model_nights, 3),
            "used_bytes_per_model_night": round(blocks[0] * blocks[2] / model_nights, 3),
            "history_tables": history_tables, "history_bytes": history_bytes,
            "history_bytes_per_model_night": round(history_bytes / model_nights, 3),
            "table_bytes": dict(sorted(table_bytes.items(), key=lambda kv: -kv[1])),
            "lifecycle_history": lifecycle}


HISTORY_TABLES = ("model_snapshots", "model_keys", "model_counts_open", "model_runs_archive", "model_runs_recent")
TABLE_BLOCKS_SQL = "SELECT count(DISTINCT block_id) FROM pragma_storage_info('{table}') WHERE block_id >= 0"   # catalog names
TABLES_SQL = "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1"
LIFECYCLE_HISTORY_TABLES = {   # migration 005
    "dataset": ("dataset_keys", "dataset_nights", "dataset_runs_open", "dataset_runs_closed"),
    "space": ("space_keys", "space_nights", "space_runs_open", "space_runs_closed"),
}


def db_has(con, table: str) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()[0] > 0


def best_of(query, repeats: int = 3) -> float:
    query()   # warm-up: the first read pays for loading column segments
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        query()
        timings.append(time.perf_counter() - started)
    return round(min(timings), 3)


FIGURE_VIEWS_SQL = "SELECT view_name FROM duckdb_views() WHERE NOT internal AND view_name LIKE 'figure_%' ORDER BY 1"
NIGHT_VIEWS = ("hub_size_by_snapshot", "gated_prevalence_by_snapshot", "downloads_ecosystem", "report_nights")
HISTORY_VIEWS = ("history_night_totals", "gated_share_by_month", "license_family_mix_by_month",
                 "daily_downloads_by_night", "derivatives_by_family_month")
SERIES_MODELS_SQL = """
SELECT (SELECT model_id FROM hub_models WHERE deleted_at IS NULL ORDER BY downloads DESC NULLS LAST, model_id LIMIT 1),
       (SELECT model_id FROM hub_models WHERE deleted_at IS NULL AND coalesce(downloads, 0) = 0
        ORDER BY first_seen, model_id LIMIT 1)
"""


def time_queries(db: Path, as_of_days: list[dt.date]) -> dict:

    out: dict = {}
    con = connect_readonly(db)
    prepare_reader(con)
    compact = db_has(con, "model_runs_archive")
    for (view,) in con.execute(FIGURE_VIEWS_SQL).fetchall():
        out[view] = best_of(lambda v=view: con.execute(f'SELECT * FROM "{v}"').fetchall())   # names from the catalog
    out["compute_figures"] = best_of(lambda: compute_figures(con), repeats=2)
    for view in NIGHT_VIEWS + (HISTORY_VIEWS if compact else ()):
        out[view] = best_of(lambda v=view: con.execute(f"SELECT * FROM {v}").fetchall(), repeats=1)
    busy, quiet = con.execute(SERIES_MODELS_SQL).fetchone()
    for label, model in (("busy", busy), ("quiet", quiet)):
        out[f"downloads_series({label})"] = best_of(
            lambda m=model: con.execute("SELECT * FROM downloads_series(?)", [m]).fetchall())
        out[f"model_snapshots WHERE model_id ({label})"] = best_of(
            lambda m=model: con.execute("SELECT * FROM model_snapshots WHERE model_id = ?", [m]).fetchall())
        if compact:
            out[f"daily_downloads_of({label})"] = best_of(
                lambda m=model: con.execute("SELECT * FROM daily_downloads_of(?)", [m]).fetchall())
    latest = con.execute("SELECT max(snapshot_date) FROM model_snapshots").fetchone()[0]
    out["model_snapshots WHERE snapshot_date (latest)"] = best_of(
        lambda: con.execute("SELECT count(*), sum(downloads) FROM model_snapshots WHERE snapshot_date = ?",
                            [latest]).fetchall(), repeats=1)
    con.close()
    if compact:
        for day in as_of_days:
            def as_of(day=day):
                with contextlib.closing(connect_readonly(db)) as fresh:   # as `figures --as-of` opens it
                    return compute_figures(fresh, as_of=day)
            out[f"figures --as-of {day}"] = best_of(as_of, repeats=2)
    return out


# ------------------------------------------------------------------ the run
def merge_copy(pristine: Path, target: Path, url: str, staged_beside: Path | None = None) -> dict:
    """Merge the night staged beside `staged_beside` (default: `pristine`) into a fresh copy of
    `pristine` at `target`."""
    for path in [target, *staging_files(target)]:
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    shutil.copy(pristine, target)
    return staged_merge(staged_beside or pristine, target, url)


def build(args, work: Path, result: dict) -> None:
    """nights1 (+ night 2 staged), nights2 (+ night 3 staged), big (nights-1 nights, night 3 of
    nights2 not merged): pristine databases the merges are measured on."""
    one, two, big = work / "nights1.duckdb", work / "nights2.duckdb", work / "big.duckdb"
    with hubsim("--models", str(args.models), "--seed", str(args.seed), "--day", "1") as url:
        result["night1"] = child("crawl", one, url)
    with hubsim("--models", str(args.models), "--seed", str(args.seed), "--day", "2") as url:
        result["night2_staged"] = child("stage", one, url)
        (work / "nights1.endpoint").write_text(url)
        result["night2_merge_first"] = merge_copy(one, two, url)
    shutil.copy(two, big)
    result["generated"] = generate_nights(big, args.nights - 3)
    with hubsim("--models", str(args.models), "--seed", str(args.seed), "--day", "3") as url:
        result["night3_staged"] = child("stage", two, url)
        (work / "nights2.endpoint").write_text(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=3_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--nights", type=int, default=365,
                        help="nights after the measured merge: 2 crawled, the last merged, the rest generated")
    parser.add_argument("--full-row-nights", type=int, default=30,
                        help="nights of the current storage built beside it (365: the whole year, ~11 GB at 3M)")
    parser.add_argument("--merge-repeats", type=int, default=2, help="each measured merge, alternating")
    parser.add_argument("--work", type=Path, default=None, help="folder for the databases (default: a temp folder)")
    parser.add_argument("--reuse", action="store_true", help="measure the databases an earlier run left in --work")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="hubcensus-bench-history-"))
    work.mkdir(parents=True, exist_ok=True)
    result: dict = {"date": dt.date.today().isoformat(), "models": args.models, "nights": args.nights}
    one, two, big, full = (work / "nights1.duckdb", work / "nights2.duckdb", work / "big.duckdb",
                           work / "full_rows.duckdb")
    last = f"night{args.nights}"
    try:
        if not args.reuse:
            build(args, work, result)
        merges: dict = {"night2": [], "night3": [], last: []}
        # A staged night resumes only under the endpoint it was crawled from (no request is made:
        # every plan of it is complete), so each merge names it.
        url1, url2 = (work / "nights1.endpoint").read_text(), (work / "nights2.endpoint").read_text()
        for _ in range(args.merge_repeats):   # the same staged nights, alternating, in fresh copies
            merges["night2"].append(merge_copy(one, work / "merged2.duckdb", url1))
            merges["night3"].append(merge_copy(two, work / "merged3.duckdb", url2))
            merges[last].append(merge_copy(big, work / "merged_big.duckdb", url2, staged_beside=two))
        result["merges"] = merges
        merged = work / "merged_big.duckdb"
        with contextlib.closing(duckdb.connect(str(merged))) as con:   # the views the crawl stores after a night
            install(con)
        result["size"] = size(merged)
        if not (args.reuse and full.exists()):
            full.unlink(missing_ok=True)
            result["full_rows_build"] = build_full_rows(merged, full, args.full_row_nights)
        result["full_rows_size"] = size(full)
        with contextlib.closing(duckdb.connect(str(merged), read_only=True)) as con:
            nights = [n for (n,) in con.execute("SELECT snapshot_date FROM snapshot_nights ORDER BY 1").fetchall()]
        result["seconds_compact"] = time_queries(merged, [nights[len(nights) // 2], nights[-1]])
        result["seconds_full_rows"] = time_queries(full, [])
        best = {name: {"merge_seconds": min(m["merge_seconds"] for m in runs), "peak_rss_mb": min(m["peak_rss_mb"] for m in runs)}
                for name, runs in merges.items()}
        result["merge_best"] = best
        figure_times = {k: v for k, v in result["seconds_compact"].items() if k.startswith(("figure_", "compute_figures"))}
        series = {k: v for k, v in result["seconds_compact"].items() if "series" in k or "daily_downloads_of" in k}
        as_of = {k: v for k, v in result["seconds_compact"].items() if "--as-of" in k}
        result["met"] = {
            "bytes per model-night <= 3 (whole file)": result["size"]["bytes_per_model_night"] <= 3,
            "bytes per model-night <= 3 (history tables)": result["size"]["history_bytes_per_model_night"] <= 3,
            "every figure < 2 s": max(figure_times.values()) < 2,
            "one model's series < 100 ms": max(series.values()) < 0.1,
            "--as-of figures < 5 s": max(as_of.values()) < 5,
            f"merge of {last} within 1.2x of night 2 (time)":
                best[last]["merge_seconds"] <= 1.2 * best["night2"]["merge_seconds"],
            f"merge of {last} within 1.2x of night 2 (peak RSS)":
                best[last]["peak_rss_mb"] <= 1.2 * best["night2"]["peak_rss_mb"],
        }
    finally:
        print(json.dumps(result, indent=2, default=str))
        Path("bench/results").mkdir(parents=True, exist_ok=True)
        Path("bench/results/history.json").write_text(json.dumps(result, indent=2, default=str))
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
