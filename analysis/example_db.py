"""A small hand-built crawl database: the lineage every analysis test and README example uses.

    python -m analysis.example_db /tmp/example.duckdb

builds it (storage's migration 001 + the rows below) and installs the analysis views.
Latest complete sweep: 2026-11-10. The lineage exercises what real data throws at the walks:

    base/A ──finetune──> ft/A1 ──quantized──> q/A1q          diamond: mrg/M merges
       │                   └──merge──┐                         ft/A1 and ft/A2, both
       ├──adapter──> ft/A2 ──merge──> mrg/M                    from base/A
       └──finetune──> del/X (deleted) ──finetune──> ft/X1      deleted intermediate
    ghost/G (never on the Hub) ──finetune──> orph/O ──adapter──> orph/O2      orphans
    cyc/C1 ──finetune──> cyc/C2 ──finetune──> cyc/C1 (bad data: a cycle); cyc/C2 ──quantized──> cyc/C3
    base/B ──unknown──> unk/U ; base/B ──"bogus" relation──> unk/U2 ; self/S ──> self/S (self-edge)
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import duckdb

MIGRATION = Path(__file__).resolve().parent.parent / "storage" / "migrations" / "001_initial.sql"

MODEL_COLUMNS = (
    "model_id", "author", "created_at", "gated", "pipeline_tag", "library_name", "license",
    "downloads", "downloads_all_time", "likes", "languages", "weight_formats", "hub_children_count",
    "first_seen", "last_seen", "deleted_at",
)
INSERT_MODEL_SQL = f"INSERT INTO hub_models ({', '.join(MODEL_COLUMNS)}) VALUES ({', '.join('?' * len(MODEL_COLUMNS))})"
INSERT_EDGE_SQL = "INSERT INTO lineage (child_id, parent_id, relation, source, first_seen) VALUES (?, ?, ?, 'tag', DATE '2026-11-01')"
INSERT_SNAPSHOT_SQL = "INSERT INTO model_snapshots VALUES (?, ?, ?, ?, ?, ?)"
INSERT_RUN_SQL = "INSERT INTO crawl_runs (run_id, plan, status, snapshot_date) VALUES (?, ?, ?, ?)"
INSERT_CHANGE_SQL = "INSERT INTO model_changes VALUES (?, ?, ?, ?, ?)"


def model(model_id: str, created: str, license: str | None = None, *, gated: str = "none", downloads: int = 0,
          downloads_all_time: int | None = None, likes: int = 0, languages: list[str] | None = None,
          weight_formats: list[str] | None = None, hub_children_count: dict | None = None,
          deleted_at: str | None = None, pipeline_tag: str | None = None, library_name: str | None = None) -> tuple:
    """One hub_models row; first seen 2026-11-01, last seen at the sweep (or its deletion)."""
    return (model_id, model_id.split("/")[0], dt.datetime.fromisoformat(created), gated, pipeline_tag, library_name,
            license, downloads, downloads_all_time, likes, languages, weight_formats, hub_children_count,
            dt.date(2026, 11, 1), dt.date.fromisoformat(deleted_at or "2026-11-10"),
            dt.date.fromisoformat(deleted_at) if deleted_at else None)


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


def create_crawl_db(path: str | Path, models=(), lineage=(), snapshots=(), runs=(), changes=()) -> duckdb.DuckDBPyConnection:
    """A fresh database with storage's schema and the given rows (all inserted as parameters)."""
    con = duckdb.connect(str(path))
    con.execute(MIGRATION.read_text(encoding="utf-8"))
    for sql, rows in ((INSERT_MODEL_SQL, models), (INSERT_EDGE_SQL, lineage), (INSERT_SNAPSHOT_SQL, snapshots),
                      (INSERT_RUN_SQL, runs), (INSERT_CHANGE_SQL, changes)):
        if rows:
            con.executemany(sql, [list(r) for r in rows])
    return con


def create_example_db(path: str | Path) -> duckdb.DuckDBPyConnection:
    from analysis.installer import install

    con = create_crawl_db(path, EXAMPLE_MODELS, EXAMPLE_LINEAGE, EXAMPLE_SNAPSHOTS, EXAMPLE_RUNS, EXAMPLE_CHANGES)
    install(con)
    return con


if __name__ == "__main__":
    create_example_db(sys.argv[1] if len(sys.argv) > 1 else "example.duckdb").close()
