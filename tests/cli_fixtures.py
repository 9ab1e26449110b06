"""A small hubcensus database built from the real schema, for the CLI/export/report tests (no tests here).

Rows are written the way storage writes them (schema from storage/migrations), with the
analysis views installed on top. Includes hostile Hub strings to prove escaping.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

import analysis
from storage.db import apply_migrations, migrations
from storage.history import write_snapshot_rows

HOSTILE_ID = "<script>alert(1)</script>"
HOSTILE_LICENSE = "<b>evil</b>"
DAY1 = dt.date(2026, 11, 1)
DAY2 = dt.date(2026, 11, 2)

# model_id, author, created_at, gated, license, downloads, downloads_all_time, likes, pipeline, languages, deleted_at
MODELS = [
    ("meta/base-7b", "meta", dt.datetime(2024, 1, 5, 10, 0), "manual", "llama3", 900, 150_000_000, 50, "text-generation", ["en"], None),
    ("alice/ft-1", "alice", dt.datetime(2026, 10, 20, 8, 0), "none", "apache-2.0", 40, 100, 2, "text-generation", ["en", "fr"], None),
    ("bob/adapter", "bob", dt.datetime(2026, 10, 25, 9, 30), "auto", "mit", 7, 7, 0, None, None, None),
    ("carol/quant", "carol", dt.datetime(2026, 11, 1, 12, 0), "none", None, 3, 3, 1, "text-generation", ["de"], None),
    ("dave/gone", "dave", dt.datetime(2025, 6, 1, 0, 0), "none", "mit", 0, 10, 0, None, None, DAY2),
    (HOSTILE_ID, "<i>mallory</i>", dt.datetime(2026, 9, 1, 0, 0), "none", HOSTILE_LICENSE, 1, 1, 0, None, ["en"], None),
]
LINEAGE = [
    ("alice/ft-1", "meta/base-7b", "finetune", "tag", DAY1),
    ("bob/adapter", "alice/ft-1", "adapter", "tag", DAY1),
    ("carol/quant", "meta/base-7b", "quantized", "tag", DAY2),
    (HOSTILE_ID, "meta/base-7b", "finetune", "tag", DAY1),
]
CHANGES = [("alice/ft-1", "license", "mit", "apache-2.0", DAY2), ("bob/adapter", "gated", "none", "auto", DAY2)]


def make_db(path: Path, install_views: bool = True, schema: int | None = None) -> Path:
    """The database; schema=N stops at migration N, as an older hubcensus left it (no views then)."""
    con = duckdb.connect(str(path))
    if schema is None:
        apply_migrations(con)   # the schema exactly as storage makes it, every migration
    else:
        for version, _name, sql in migrations():
            if version <= schema:
                con.execute(sql)
        install_views = False
    for (mid, author, created, gated, lic, dl, dl_all, likes, pipe, langs, deleted) in MODELS:
        con.execute(
            """INSERT INTO hub_models (model_id, author, created_at, last_modified, gated, pipeline_tag, license,
                   downloads, downloads_all_time, likes, languages, base_models, first_seen, last_seen, deleted_at,
                   hub_children_count)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [mid, author, created, created, gated, pipe, lic, dl, dl_all, likes, langs,
             sorted(p for c, p, *_ in LINEAGE if c == mid) or None, DAY1, DAY1 if deleted else DAY2, deleted,
             {"finetune": 2, "adapter": 0, "quantized": 1, "merge": 0} if mid == "meta/base-7b" else None],
        )
    snapshots = [[day, mid, dl - (day == DAY1), dl_all - (day == DAY1), likes, gated]
                 for day in (DAY1, DAY2)
                 for (mid, _a, created, gated, _l, dl, dl_all, likes, *_rest, deleted) in MODELS
                 if created.date() <= day and not (deleted and deleted <= day)]
    if schema is None or schema >= 4:   # model_snapshots is a view over the history since migration 004
        write_snapshot_rows(con, snapshots)
    else:
        con.executemany("INSERT INTO model_snapshots VALUES (?, ?, ?, ?, ?, ?)", snapshots)
    con.executemany("INSERT INTO lineage VALUES (?, ?, ?, ?, ?)", LINEAGE)
    con.executemany("INSERT INTO model_changes VALUES (?, ?, ?, ?, ?)", CHANGES)
    for run_id, (day, plan) in enumerate([(DAY1, "sweep"), (DAY1, "refresh"), (DAY2, "sweep"), (DAY2, "refresh")], 1):
        con.execute(
            """INSERT INTO crawl_runs (run_id, night_id, plan, status, snapshot_date, started_at, finished_at,
                   pages, models_seen, requests, retries, bytes, skipped_records, endpoint)
               VALUES (?, ?, ?, 'complete', ?, ?, ?, 1, 6, 1, 0, 1000, 0, 'http://127.0.0.1')""",
            [run_id, f"night-{day}", plan, day, dt.datetime.combine(day, dt.time(3)), dt.datetime.combine(day, dt.time(3, 5))],
        )
    if install_views:
        analysis.install(con)
    con.close()
    return path
