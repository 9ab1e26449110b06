"""Small hand-built crawl databases: the examples every analysis test and README example uses.

    python -m analysis.example_db /tmp/example.duckdb           # the lineage example
    python -m analysis.example_db --history /tmp/history.duckdb # four nights of history

Both are built with storage's own migrations (`storage.db.apply_migrations`, so this works
from an installed package: no migration is read by file path) plus the rows below, and get
the analysis views installed.

**The lineage example** (`create_example_db`). Latest complete sweep: 2026-11-10. The lineage
exercises what real data throws at the walks:

    base/A ──finetune──> ft/A1 ──quantized──> q/A1q          diamond: mrg/M merges
       │                   └──merge──┐                         ft/A1 and ft/A2, both
       ├──adapter──> ft/A2 ──merge──> mrg/M                    from base/A
       └──finetune──> del/X (deleted) ──finetune──> ft/X1      deleted intermediate
    ghost/G (never on the Hub) ──finetune──> orph/O ──adapter──> orph/O2      orphans
    cyc/C1 ──finetune──> cyc/C2 ──finetune──> cyc/C1 (bad data: a cycle); cyc/C2 ──quantized──> cyc/C3
    base/B ──unknown──> unk/U ; base/B ──"bogus" relation──> unk/U2 ; self/S ──> self/S (self-edge)

**The history example** (`create_history_db`): a small Hub crawled on four nights, complete
listings on 2026-10-09 (the first night, a `full` run), 2026-11-03, 2026-11-09 and 2026-11-10
(= S); the refresh of S ended partial (a page could not be read) and a sweep on 2026-11-11
failed. So "7 nights" compares with 2026-11-03 and "30 nights" with 2026-10-09 (no listing
on 2026-10-11; the latest before it counts). What happened:

    org/base (llama3) ──finetune──> a/ft1 (10-09) ──quantized──> c/q (11-09)
             ├──adapter──> b/ft2 (11-03)      ├──finetune──> d/new (11-09)
             └──finetune──> e/gone (10-09, deleted 11-08)
    private-org/internal-base-v1 (never on the Hub) ──unknown──> x/o1, x/o2 (11-09), x/o3 (11-10)
    old/legacy: created at the Hub's createdAt floor 2022-03-02, gated auto

    org/base became gated (manual) on 11-05; b/ft2 stopped being gated (auto -> none) on 11-09;
    org/small's license went mit -> apache-2.0 on 11-04, a/ft1's none -> mit on 10-20.
    All-time downloads: org/base 90M -> 99.5M -> 120M (crosses 100M), old/legacy 9.5M -> 9.9M
    -> 10.3M (crosses 10M), org/small 0.5M -> 1.2M -> 1.5M (crosses 1M within 30 nights).
    Rejected: 2 whole records on 11-09; 1 unreadable page and 2 dropped `downloads` values on S.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import duckdb

from analysis.installer import install
from storage.db import apply_migrations

MODEL_COLUMNS = (
    "model_id", "author", "created_at", "gated", "pipeline_tag", "library_name", "license",
    "downloads", "downloads_all_time", "likes", "languages", "weight_formats", "hub_children_count",
    "first_seen", "last_seen", "deleted_at", "refreshed_on",
)
INSERT_MODEL_SQL = f"INSERT INTO hub_models ({', '.join(MODEL_COLUMNS)}) VALUES ({', '.join('?' * len(MODEL_COLUMNS))})"
INSERT_EDGE_SQL = "INSERT INTO lineage (child_id, parent_id, relation, source, first_seen) VALUES (?, ?, ?, 'tag', ?)"
INSERT_SNAPSHOT_SQL = "INSERT INTO model_snapshots VALUES (?, ?, ?, ?, ?, ?)"
RUN_COLUMNS = ("run_id", "plan", "status", "snapshot_date", "started_at", "finished_at", "pages", "models_seen",
               "requests", "retries", "bytes", "skipped_records")
INSERT_RUN_SQL = f"INSERT INTO crawl_runs ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' * len(RUN_COLUMNS))})"
INSERT_CHANGE_SQL = "INSERT INTO model_changes VALUES (?, ?, ?, ?, ?)"
INSERT_REJECTED_SQL = ("INSERT INTO rejected_records (snapshot_date, plan, model_id, field, reason, sample, page_no) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)")   # repo_type: its default, models
EDGE_FIRST_SEEN = dt.date(2026, 11, 1)  # lineage example edges: (child, parent, relation) first seen then


def model(model_id: str, created: str, license: str | None = None, *, gated: str = "none", downloads: int = 0,
          downloads_all_time: int | None = None, likes: int = 0, languages: list[str] | None = None,
          weight_formats: list[str] | None = None, hub_children_count: dict | None = None,
          deleted_at: str | None = None, pipeline_tag: str | None = None, library_name: str | None = None,
          first_seen: str = "2026-11-01", refreshed_on: str | None = None) -> tuple:
    """One hub_models row; first seen 2026-11-01 unless said, last seen at the sweep (or its deletion)."""
    return (model_id, model_id.split("/")[0], dt.datetime.fromisoformat(created), gated, pipeline_tag, library_name,
            license, downloads, downloads_all_time, likes, languages, weight_formats, hub_children_count,
            dt.date.fromisoformat(first_seen), dt.date.fromisoformat(deleted_at or "2026-11-10"),
            dt.date.fromisoformat(deleted_at) if deleted_at else None,
            dt.date.fromisoformat(refreshed_on) if refreshed_on else None)


EXAMPLE_MODELS = [
    model("base/A", "2026-01-15T10:00:00", "llama3", gated="manual", downloads=1000, downloads_all_time=200_000_000,
          languages=["en"], weight_formats=["safetensors"], pipeline_tag="text-generation", library_name="transformers",
          hub_children_count={"finetune": 2, "adapter": 1, "quantized": 0, "merge": 0}),
    model("base/B", "2026-02-01T00:00:00", "apache-2.0", gated="auto", downloads=500, downloads_all_time=50,
          languages=["en", "yo"], weight_formats=[], hub_children_count={"finetune": 0, "adapter": 0, "quantized": 0, "merge": 0}),
    model("ft/A1", "2026-11-05T23:59:59", "mit", downloads=100, languages=["yo"], weight_formats=["gguf"]),
    model("ft/A2", "2026-11-10T08:00:00", "llama3", downloads=50),
    model("q/A1q", "2026-10-11T12:00:00", None),
    model("mrg/M", "2026-10-12T00:00:00", "cc-by-nc-4.0", downloads=10),
    model("del/X", "2026-03-01T00:00:00", "mit", downloads=7, downloads_all_time=300_000_000, deleted_at="2026-11-09"),
    model("ft/X1", "2026-03-02T00:00:00", "mit", downloads=5),
    model("orph/O", "2026-04-01T00:00:00", "other", downloads=5),
    model("orph/O2", "2026-04-02T00:00:00", "weird-license"),
    model("cyc/C1", "2026-05-01T00:00:00", "gpl-3.0"),
    model("cyc/C2", "2026-05-02T00:00:00", "gpl-3.0"),
    model("cyc/C3", "2026-06-01T00:00:00", None),
    model("unk/U", "2026-07-01T00:00:00", "apache-2.0"),
    model("unk/U2", "2026-08-01T00:00:00", "apache-2.0"),
    model("self/S", "2026-09-01T00:00:00", "mit"),
]

# (child, parent, relation)
EXAMPLE_LINEAGE = [
    ("ft/A1", "base/A", "finetune"),
    ("ft/A2", "base/A", "adapter"),
    ("q/A1q", "ft/A1", "quantized"),
    ("mrg/M", "ft/A1", "merge"),
    ("mrg/M", "ft/A2", "merge"),
    ("del/X", "base/A", "finetune"),
    ("ft/X1", "del/X", "finetune"),
    ("orph/O", "ghost/G", "finetune"),
    ("orph/O2", "orph/O", "adapter"),
    ("cyc/C2", "cyc/C1", "finetune"),
    ("cyc/C1", "cyc/C2", "finetune"),
    ("cyc/C3", "cyc/C2", "quantized"),
    ("unk/U", "base/B", "unknown"),
    ("unk/U2", "base/B", "bogus"),
    ("self/S", "self/S", "finetune"),
]

# (snapshot_date, model_id, downloads, downloads_all_time, likes, gated)
EXAMPLE_SNAPSHOTS = [
    (dt.date(2026, 11, 9), "base/A", 900, 199_999_000, 10, "manual"),
    (dt.date(2026, 11, 10), "base/A", 1000, 200_000_000, 12, "manual"),
    (dt.date(2026, 11, 10), "base/B", 500, 50, 3, "auto"),
]

# (run_id, plan, status, snapshot_date): the failed sweep and the later refresh do not count.
EXAMPLE_RUNS = [
    (1, "sweep", "complete", dt.date(2026, 11, 10)),
    (2, "refresh", "complete", dt.date(2026, 11, 10)),
    (3, "sweep", "failed", dt.date(2026, 11, 11)),
    (4, "refresh", "complete", dt.date(2026, 11, 12)),
]

# (model_id, field, old_value, new_value, snapshot_date)
EXAMPLE_CHANGES = [
    ("ft/A1", "license", "llama3", "mit", dt.date(2026, 11, 10)),
    ("unk/U", "license", None, "apache-2.0", dt.date(2026, 11, 10)),
    ("base/A", "gated", "auto", "manual", dt.date(2026, 11, 10)),
]

# --- the history example ----------------------------------------------------------------------

NIGHTS = (dt.date(2026, 10, 9), dt.date(2026, 11, 3), dt.date(2026, 11, 9), dt.date(2026, 11, 10))
HISTORY_SNAPSHOT_DATE = NIGHTS[-1]

HISTORY_MODELS = [
    model("org/base", "2025-05-01T09:00:00", "llama3", gated="manual", downloads=5000, downloads_all_time=120_000_000,
          likes=40, languages=["en"], weight_formats=["safetensors"], pipeline_tag="text-generation",
          library_name="transformers", first_seen="2026-10-09", refreshed_on="2026-10-09"),
    model("org/small", "2026-01-10T12:00:00", "apache-2.0", downloads=800, downloads_all_time=1_500_000, likes=5,
          languages=["en", "fr"], first_seen="2026-10-09", refreshed_on="2026-11-04"),
    model("a/ft1", "2026-10-05T08:00:00", "mit", downloads=300, downloads_all_time=7000, likes=2,
          first_seen="2026-10-09", refreshed_on="2026-10-20"),
    model("b/ft2", "2026-11-01T10:00:00", "llama3", downloads=120, downloads_all_time=300, likes=1,
          first_seen="2026-11-03", refreshed_on="2026-11-03"),
    model("c/q", "2026-11-06T00:00:00", None, downloads=40, downloads_all_time=40, first_seen="2026-11-09",
          refreshed_on="2026-11-09"),
    model("d/new", "2026-11-09T15:00:00", "mit", downloads=10, downloads_all_time=10, first_seen="2026-11-09",
          refreshed_on="2026-11-09"),
    model("e/gone", "2026-09-15T00:00:00", "mit", downloads=60, downloads_all_time=60, first_seen="2026-10-09",
          deleted_at="2026-11-08", refreshed_on="2026-10-09"),
    model("x/o1", "2026-11-07T00:00:00", None, downloads=5, downloads_all_time=5, first_seen="2026-11-09",
          refreshed_on="2026-11-09"),
    model("x/o2", "2026-11-08T00:00:00", None, downloads=3, downloads_all_time=3, first_seen="2026-11-09",
          refreshed_on="2026-11-09"),
    model("x/o3", "2026-11-10T06:00:00", None, downloads=0, downloads_all_time=0, first_seen="2026-11-10"),
    model("old/legacy", "2022-03-02T23:29:04", None, gated="auto", downloads=2, downloads_all_time=10_300_000,
          first_seen="2026-10-09", refreshed_on="2026-10-09"),
]

# (child, parent, relation, first_seen)
HISTORY_LINEAGE = [
    ("a/ft1", "org/base", "finetune", NIGHTS[0]),
    ("e/gone", "org/base", "finetune", NIGHTS[0]),
    ("b/ft2", "org/base", "adapter", NIGHTS[1]),
    ("c/q", "a/ft1", "quantized", NIGHTS[2]),
    ("d/new", "org/base", "finetune", NIGHTS[2]),
    ("x/o1", "private-org/internal-base-v1", "unknown", NIGHTS[2]),
    ("x/o2", "private-org/internal-base-v1", "unknown", NIGHTS[2]),
    ("x/o3", "private-org/internal-base-v1", "unknown", NIGHTS[3]),
]

# model_id -> (downloads, downloads_all_time, likes, gated) on each night of NIGHTS it was listed
_SERIES = {
    "org/base": [(4000, 90_000_000, 30, "none"), (4500, 99_500_000, 35, "none"),
                 (4800, 99_900_000, 38, "manual"), (5000, 120_000_000, 40, "manual")],
    "org/small": [(500, 500_000, 3, "none"), (700, 1_200_000, 4, "none"), (790, 1_400_000, 5, "none"),
                  (800, 1_500_000, 5, "none")],
    "a/ft1": [(100, 1000, 1, "none"), (200, 5000, 2, "none"), (280, 6000, 2, "none"), (300, 7000, 2, "none")],
    "b/ft2": [None, (10, 10, 0, "auto"), (100, 200, 1, "none"), (120, 300, 1, "none")],
    "c/q": [None, None, (5, 5, 0, "none"), (40, 40, 0, "none")],
    "d/new": [None, None, (0, 0, 0, "none"), (10, 10, 0, "none")],
    "e/gone": [(50, 50, 0, "none"), (60, 60, 0, "none"), None, None],
    "x/o1": [None, None, (2, 2, 0, "none"), (5, 5, 0, "none")],
    "x/o2": [None, None, (1, 1, 0, "none"), (3, 3, 0, "none")],
    "x/o3": [None, None, None, (0, 0, 0, "none")],
    "old/legacy": [(2, 9_500_000, 0, "auto"), (2, 9_900_000, 0, "auto"), (2, 10_200_000, 0, "auto"),
                   (2, 10_300_000, 0, "auto")],
}
HISTORY_SNAPSHOTS = [(night, model_id, *values) for model_id, series in _SERIES.items()
                     for night, values in zip(NIGHTS, series) if values is not None]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A crawl clock time: each night runs at 03:00 UTC the morning after its snapshot date."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(hour, minute))


# run_id, plan, status, snapshot_date, started_at, finished_at, pages, models_seen, requests, retries, bytes, skipped
HISTORY_RUNS = [
    (1, "full", "complete", NIGHTS[0], _at(NIGHTS[0], 3), _at(NIGHTS[0], 3, 5), 1, 5, 1, 0, 14_000, 0),
    (2, "sweep", "complete", NIGHTS[1], _at(NIGHTS[1], 3), _at(NIGHTS[1], 3, 1), 1, 6, 1, 0, 600, 0),
    (3, "refresh", "complete", NIGHTS[1], _at(NIGHTS[1], 3, 1), _at(NIGHTS[1], 3, 2), 1, 2, 1, 0, 5_000, 0),
    (4, "sweep", "complete", NIGHTS[2], _at(NIGHTS[2], 3), _at(NIGHTS[2], 3, 1), 1, 10, 1, 0, 900, 0),
    (5, "refresh", "complete", NIGHTS[2], _at(NIGHTS[2], 3, 1), _at(NIGHTS[2], 3, 3), 2, 6, 2, 1, 16_000, 2),
    (6, "sweep", "complete", NIGHTS[3], _at(NIGHTS[3], 3), _at(NIGHTS[3], 3, 4), 1, 10, 1, 0, 1_000, 0),
    (7, "refresh", "partial", NIGHTS[3], _at(NIGHTS[3], 3, 4), _at(NIGHTS[3], 3, 9), 2, 1, 4, 3, 3_000, 1),
    (8, "sweep", "failed", dt.date(2026, 11, 11), _at(dt.date(2026, 11, 11), 3), _at(dt.date(2026, 11, 11), 3, 1),
     0, 0, 5, 4, 0, 0),
]

HISTORY_CHANGES = [
    ("a/ft1", "license", None, "mit", dt.date(2026, 10, 20)),
    ("org/small", "license", "mit", "apache-2.0", dt.date(2026, 11, 4)),
    ("org/base", "gated", "none", "manual", dt.date(2026, 11, 5)),
    ("b/ft2", "gated", "auto", "none", NIGHTS[2]),
]

# snapshot_date, plan, model_id, field, reason, sample, page_no
HISTORY_REJECTED = [
    (NIGHTS[2], "refresh", "bad/utf8", None, "invalid UTF-8", '{"id": "bad/utf8", "x": "\\xff"}', 2),
    (NIGHTS[2], "refresh", None, None, "malformed JSON", '{"id": ', 2),
    (NIGHTS[3], "refresh", None, None, "page unreadable: HTML error page with status 200", "<html>", 2),
    (NIGHTS[3], "sweep", "org/small", "downloads", "not a non-negative integer", "-5", 1),
    (NIGHTS[3], "sweep", "a/ft1", "downloads", "not a non-negative integer", '"lots"', 1),
]


def _run_row(run) -> list:
    """A crawl_runs row from (run_id, plan, status, snapshot_date[, the RUN_COLUMNS that follow])."""
    return list(run) + [None] * (len(RUN_COLUMNS) - len(run))


def _edge_row(edge) -> list:
    """A lineage row from (child, parent, relation[, first_seen])."""
    return list(edge) if len(edge) == 4 else [*edge, EDGE_FIRST_SEEN]


def create_crawl_db(path: str | Path, models=(), lineage=(), snapshots=(), runs=(), changes=(),
                    rejected=()) -> duckdb.DuckDBPyConnection:
    """A fresh database with storage's schema (all migrations) and the given rows (inserted as parameters)."""
    con = duckdb.connect(str(path))
    apply_migrations(con)
    for sql, rows in ((INSERT_MODEL_SQL, [list(r) for r in models]), (INSERT_EDGE_SQL, [_edge_row(e) for e in lineage]),
                      (INSERT_SNAPSHOT_SQL, [list(r) for r in snapshots]), (INSERT_RUN_SQL, [_run_row(r) for r in runs]),
                      (INSERT_CHANGE_SQL, [list(r) for r in changes]), (INSERT_REJECTED_SQL, [list(r) for r in rejected])):
        if rows:
            con.executemany(sql, rows)
    return con


def create_example_db(path: str | Path) -> duckdb.DuckDBPyConnection:
    con = create_crawl_db(path, EXAMPLE_MODELS, EXAMPLE_LINEAGE, EXAMPLE_SNAPSHOTS, EXAMPLE_RUNS, EXAMPLE_CHANGES)
    install(con)
    return con


def create_history_db(path: str | Path) -> duckdb.DuckDBPyConnection:
    con = create_crawl_db(path, HISTORY_MODELS, HISTORY_LINEAGE, HISTORY_SNAPSHOTS, HISTORY_RUNS, HISTORY_CHANGES,
                          HISTORY_REJECTED)
    install(con)
    return con


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m analysis.example_db", description="build an example database")
    parser.add_argument("path", nargs="?", default="example.duckdb")
    parser.add_argument("--history", action="store_true", help="the four-night history example")
    args = parser.parse_args(argv)
    (create_history_db if args.history else create_example_db)(args.path).close()


if __name__ == "__main__":
    main()
