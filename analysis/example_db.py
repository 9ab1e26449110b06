"""Small hand-built crawl databases: the examples every analysis test and README example uses.

    python -m analysis.example_db /tmp/example.duckdb           # the lineage example
    python -m analysis.example_db --history /tmp/history.duckdb # four nights of history
    python -m analysis.example_db --lifecycle /tmp/lifecycle.duckdb  # datasets, Spaces, links

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

**The lifecycle example** (`create_lifecycle_db`): models, datasets and Spaces listed on S =
2026-11-10, with the links between them (docs/figures.md "Links"). Three families:

    meta/llama-base (2026-04-01T00:00, llama3, gated manual; trained_on ds/web, generator)
       ├─finetune─> u1/llama-chat (+9 d) ─quantized─> u4/llama-chat-gguf (+91 d)
       │                 └──merge──┐
       ├─finetune─> u2/llama-sw (+49.5 d, apache-2.0) ─merge─> u5/llama-merge (+153 d, mit)
       ├─adapter──> u3/llama-yo (exactly +90 d)      ├─adapter─> u8/llama-ig (+90 d + 1 s)
       ├─finetune─> u7/llama-ha (+222 d)             └─finetune─> u6/old-ft (deleted 11-01)
    mistral/base (2026-09-15) ─finetune─> v1/mistral-ft ; ─quantized─> v2/mistral-q
    private/base (never on the Hub) ─unknown─> w1/child ;  solo/early, solo/nodate: no lineage

    trained_on   ds/african (created 04-01T00:00): u2, u3 (at +90 d: inside), u8 (+90 d + 1 s:
                 outside), solo/early (1 s before the dataset); ds/chat (04-05): u1, u2, u5,
                 v1, and the deleted u6; generator (never on the Hub): meta/llama-base,
                 solo/early, w1/child; ds/web: meta/llama-base, mistral/base; ds/gone (deleted
                 11-05): mistral/base, u6; ds/nodate (no createdAt): solo/nodate (no createdAt);
                 ghost/private-ds (not on the Hub): u7. ds/unused: nobody.
    uses         sp/leaderboard -> meta/llama-base, u1/llama-chat, mistral/base, gone/never-model
                 (not on the Hub), ds/web; sp/chat-demo -> u1; sp/sw-demo -> u2, ds/african;
                 sp/mistral-chat -> mistral/base, v1; sp/static -> ds/unused;
                 sp/dead-demo (deleted 10-20) -> meta/llama-base, ds/chat
    cites        2302.13971: meta/llama-base, u1, ds/web (and the deleted sp/dead-demo);
                 2305.18290: u1, ds/chat, sp/static; 2306.05685: sp/leaderboard, sp/chat-demo;
                 2310.06825: mistral/base (and the deleted ds/gone); 9999.00001: only the deleted u6
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import duckdb

from analysis.installer import install
from storage.db import apply_migrations
from storage.history import write_snapshot_rows

MODEL_COLUMNS = (
    "model_id", "author", "created_at", "gated", "pipeline_tag", "library_name", "license",
    "downloads", "downloads_all_time", "likes", "languages", "weight_formats", "hub_children_count",
    "first_seen", "last_seen", "deleted_at", "refreshed_on", "last_modified",
)
INSERT_MODEL_SQL = f"INSERT INTO hub_models ({', '.join(MODEL_COLUMNS)}) VALUES ({', '.join('?' * len(MODEL_COLUMNS))})"
INSERT_EDGE_SQL = "INSERT INTO lineage (child_id, parent_id, relation, source, first_seen) VALUES (?, ?, ?, 'tag', ?)"
RUN_COLUMNS = ("run_id", "plan", "status", "snapshot_date", "started_at", "finished_at", "pages", "models_seen",
               "requests", "retries", "bytes", "skipped_records")
INSERT_RUN_SQL = f"INSERT INTO crawl_runs ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' * len(RUN_COLUMNS))})"
INSERT_CHANGE_SQL = "INSERT INTO model_changes VALUES (?, ?, ?, ?, ?)"
INSERT_REJECTED_SQL = ("INSERT INTO rejected_records (snapshot_date, plan, model_id, field, reason, sample, page_no) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)")   # repo_type: its default, models
DATASET_COLUMNS = ("dataset_id", "author", "created_at", "last_modified", "gated", "license", "downloads",
                   "downloads_all_time", "likes", "languages", "first_seen", "last_seen", "deleted_at")
INSERT_DATASET_SQL = (f"INSERT INTO hub_datasets ({', '.join(DATASET_COLUMNS)}) "
                      f"VALUES ({', '.join('?' * len(DATASET_COLUMNS))})")
SPACE_COLUMNS = ("space_id", "author", "created_at", "last_modified", "sdk", "runtime_stage", "license", "likes",
                 "models", "datasets", "first_seen", "last_seen", "deleted_at")
INSERT_SPACE_SQL = f"INSERT INTO hub_spaces ({', '.join(SPACE_COLUMNS)}) VALUES ({', '.join('?' * len(SPACE_COLUMNS))})"
INSERT_LINK_SQL = ("INSERT INTO repo_links (source_type, source_id, target_type, target_id, relation, source, first_seen) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)")
INSERT_TYPED_RUN_SQL = "INSERT INTO crawl_runs (run_id, plan, status, snapshot_date, repo_type) VALUES (?, ?, ?, ?, ?)"
EDGE_FIRST_SEEN = dt.date(2026, 11, 1)  # lineage example edges: (child, parent, relation) first seen then


def model(model_id: str, created: str, license: str | None = None, *, gated: str = "none", downloads: int = 0,
          downloads_all_time: int | None = None, likes: int = 0, languages: list[str] | None = None,
          weight_formats: list[str] | None = None, hub_children_count: dict | None = None,
          deleted_at: str | None = None, pipeline_tag: str | None = None, library_name: str | None = None,
          first_seen: str = "2026-11-01", refreshed_on: str | None = None, last_modified: str | None = None) -> tuple:
    """One hub_models row; first seen 2026-11-01 unless said, last seen at the sweep (or its deletion).
    `created` None: the Hub gave no createdAt."""
    return (model_id, model_id.split("/")[0], _timestamp(created), gated, pipeline_tag, library_name,
            license, downloads, downloads_all_time, likes, languages, weight_formats, hub_children_count,
            dt.date.fromisoformat(first_seen), dt.date.fromisoformat(deleted_at or "2026-11-10"),
            dt.date.fromisoformat(deleted_at) if deleted_at else None,
            dt.date.fromisoformat(refreshed_on) if refreshed_on else None, _timestamp(last_modified))


def _timestamp(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


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


# --- the lifecycle example ----------------------------------------------------------------------

LIFECYCLE_SNAPSHOT_DATE = dt.date(2026, 11, 10)


def dataset(dataset_id: str, created: str | None, license: str | None = None, *, last_modified: str | None = None,
            downloads: int = 0, likes: int = 0, languages: list[str] | None = None,
            deleted_at: str | None = None, gated: str = "none") -> tuple:
    """One hub_datasets row (DATASET_COLUMNS), first seen 2026-11-01."""
    return (dataset_id, dataset_id.split("/")[0], _timestamp(created), _timestamp(last_modified), gated, license,
            downloads, downloads, likes, languages, dt.date(2026, 11, 1),
            dt.date.fromisoformat(deleted_at or "2026-11-10"), dt.date.fromisoformat(deleted_at) if deleted_at else None)


def space(space_id: str, created: str, *, last_modified: str | None = None, sdk: str = "gradio",
          runtime_stage: str = "RUNNING", license: str | None = None, likes: int = 0, models: list[str] | None = None,
          datasets: list[str] | None = None, deleted_at: str | None = None) -> tuple:
    """One hub_spaces row (SPACE_COLUMNS), first seen 2026-11-01."""
    return (space_id, space_id.split("/")[0], _timestamp(created), _timestamp(last_modified), sdk, runtime_stage,
            license, likes, models or [], datasets or [], dt.date(2026, 11, 1),
            dt.date.fromisoformat(deleted_at or "2026-11-10"), dt.date.fromisoformat(deleted_at) if deleted_at else None)


LIFECYCLE_MODELS = [
    model("meta/llama-base", "2026-04-01T00:00:00", "llama3", gated="manual", downloads=50_000,
          downloads_all_time=2_000_000, likes=300, languages=["en"], pipeline_tag="text-generation",
          library_name="transformers", last_modified="2026-10-20T00:00:00"),
    model("u1/llama-chat", "2026-04-10T00:00:00", "llama3", downloads=9000, languages=["en"],
          last_modified="2026-11-02T00:00:00"),
    model("u2/llama-sw", "2026-05-20T12:00:00", "apache-2.0", downloads=800, languages=["sw"],
          last_modified="2026-09-01T00:00:00"),
    model("u3/llama-yo", "2026-06-30T00:00:00", "llama3", downloads=300, languages=["yo"],
          last_modified="2026-06-30T00:00:00"),
    model("u8/llama-ig", "2026-06-30T00:00:01", "cc-by-nc-4.0", downloads=40, languages=["ig"],
          last_modified="2026-07-15T00:00:00"),
    model("u4/llama-chat-gguf", "2026-07-01T00:00:00", None, downloads=2000, last_modified="2026-07-01T00:00:00"),
    model("u5/llama-merge", "2026-09-01T00:00:00", "mit", downloads=100, languages=["en", "sw"],
          last_modified="2026-11-08T00:00:00"),
    model("u6/old-ft", "2026-05-01T00:00:00", "mit", downloads=10, deleted_at="2026-11-01",
          last_modified="2026-05-02T00:00:00"),
    model("u7/llama-ha", "2026-11-09T00:00:00", "llama3", languages=["ha"], last_modified="2026-11-09T00:00:00"),
    model("mistral/base", "2026-09-15T00:00:00", "apache-2.0", downloads=20_000, languages=["en", "fr"],
          last_modified="2026-09-15T00:00:00"),
    model("v1/mistral-ft", "2026-10-01T00:00:00", "apache-2.0", downloads=500, languages=["fr"],
          last_modified="2026-10-01T00:00:00"),
    model("v2/mistral-q", "2026-10-02T00:00:00", "other", downloads=50, last_modified="2026-10-02T00:00:00"),
    model("w1/child", "2026-08-01T00:00:00", None, downloads=1, last_modified="2026-08-01T00:00:00"),
    model("solo/early", "2026-03-31T23:59:59", "apache-2.0", downloads=5, last_modified="2026-03-31T23:59:59"),
    model("solo/nodate", None, None),
]

LIFECYCLE_LINEAGE = [
    ("u1/llama-chat", "meta/llama-base", "finetune"),
    ("u2/llama-sw", "meta/llama-base", "finetune"),
    ("u3/llama-yo", "meta/llama-base", "adapter"),
    ("u8/llama-ig", "meta/llama-base", "adapter"),
    ("u4/llama-chat-gguf", "u1/llama-chat", "quantized"),
    ("u5/llama-merge", "u1/llama-chat", "merge"),
    ("u5/llama-merge", "u2/llama-sw", "merge"),
    ("u6/old-ft", "meta/llama-base", "finetune"),
    ("u7/llama-ha", "meta/llama-base", "finetune"),
    ("v1/mistral-ft", "mistral/base", "finetune"),
    ("v2/mistral-q", "mistral/base", "quantized"),
    ("w1/child", "private/base", "unknown"),
]

LIFECYCLE_DATASETS = [
    dataset("ds/web", "2025-12-01T00:00:00", "cc-by-4.0", last_modified="2026-01-15T00:00:00", downloads=5000),
    dataset("ds/chat", "2026-04-05T00:00:00", "apache-2.0", last_modified="2026-04-06T00:00:00", downloads=3000),
    dataset("ds/african", "2026-04-01T00:00:00", "cc-by-sa-4.0", last_modified="2026-10-01T00:00:00",
            downloads=700, languages=["sw", "yo", "ig", "ha"]),
    dataset("ds/gone", "2026-09-10T00:00:00", "mit", last_modified="2026-09-10T00:00:00", deleted_at="2026-11-05"),
    dataset("ds/nodate", None),
    dataset("ds/unused", "2026-11-01T00:00:00", None, last_modified="2026-11-01T00:00:00"),
]

LIFECYCLE_SPACES = [
    space("sp/leaderboard", "2026-05-01T00:00:00", last_modified="2026-11-09T00:00:00", likes=500,
          models=["meta/llama-base", "u1/llama-chat", "mistral/base", "gone/never-model"], datasets=["ds/web"]),
    space("sp/chat-demo", "2026-04-15T00:00:00", last_modified="2026-04-16T00:00:00", runtime_stage="SLEEPING",
          likes=20, models=["u1/llama-chat"]),
    space("sp/dead-demo", "2026-05-05T00:00:00", last_modified="2026-05-06T00:00:00", sdk="streamlit",
          models=["meta/llama-base"], datasets=["ds/chat"], deleted_at="2026-10-20"),
    space("sp/sw-demo", "2026-06-01T00:00:00", last_modified="2026-06-02T00:00:00", sdk="docker", likes=5,
          models=["u2/llama-sw"], datasets=["ds/african"]),
    space("sp/mistral-chat", "2026-09-20T00:00:00", last_modified="2026-10-01T00:00:00",
          runtime_stage="RUNTIME_ERROR", likes=8, models=["mistral/base", "v1/mistral-ft"]),
    space("sp/static", "2026-10-01T00:00:00", last_modified="2026-10-01T00:00:00", sdk="static", likes=1,
          datasets=["ds/unused"]),
]


def _space_links() -> list[tuple]:
    """The `uses` links of LIFECYCLE_SPACES, as the parse writes them from the Space's listing."""
    return [("space", s[0], kind, target, "uses", "listing")
            for s in LIFECYCLE_SPACES for kind, targets in (("model", s[8]), ("dataset", s[9])) for target in targets]


# (source_type, source_id, target_type, target_id, relation[, source])
LIFECYCLE_LINKS = [
    ("model", "meta/llama-base", "dataset", "ds/web", "trained_on"),
    ("model", "meta/llama-base", "dataset", "generator", "trained_on", "cardData"),
    ("model", "u1/llama-chat", "dataset", "ds/chat", "trained_on"),   # also in its cardData: the tag is kept
    ("model", "u2/llama-sw", "dataset", "ds/chat", "trained_on"),
    ("model", "u2/llama-sw", "dataset", "ds/african", "trained_on"),
    ("model", "u3/llama-yo", "dataset", "ds/african", "trained_on"),
    ("model", "u8/llama-ig", "dataset", "ds/african", "trained_on"),
    ("model", "u5/llama-merge", "dataset", "ds/chat", "trained_on", "cardData"),
    ("model", "u6/old-ft", "dataset", "ds/chat", "trained_on"),
    ("model", "u6/old-ft", "dataset", "ds/gone", "trained_on"),
    ("model", "u7/llama-ha", "dataset", "ghost/private-ds", "trained_on"),
    ("model", "v1/mistral-ft", "dataset", "ds/chat", "trained_on"),
    ("model", "mistral/base", "dataset", "ds/gone", "trained_on"),
    ("model", "mistral/base", "dataset", "ds/web", "trained_on"),
    ("model", "solo/early", "dataset", "ds/african", "trained_on"),
    ("model", "solo/early", "dataset", "generator", "trained_on", "cardData"),
    ("model", "solo/nodate", "dataset", "ds/nodate", "trained_on"),
    ("model", "w1/child", "dataset", "generator", "trained_on", "cardData"),
    *_space_links(),
    ("model", "meta/llama-base", "paper", "2302.13971", "cites"),
    ("model", "u1/llama-chat", "paper", "2302.13971", "cites"),
    ("model", "u1/llama-chat", "paper", "2305.18290", "cites"),
    ("model", "u6/old-ft", "paper", "9999.00001", "cites"),
    ("model", "mistral/base", "paper", "2310.06825", "cites"),
    ("dataset", "ds/web", "paper", "2302.13971", "cites"),
    ("dataset", "ds/chat", "paper", "2305.18290", "cites"),
    ("dataset", "ds/gone", "paper", "2310.06825", "cites"),
    ("space", "sp/leaderboard", "paper", "2306.05685", "cites"),
    ("space", "sp/chat-demo", "paper", "2306.05685", "cites"),
    ("space", "sp/dead-demo", "paper", "2302.13971", "cites"),
    ("space", "sp/static", "paper", "2305.18290", "cites"),
]

# (run_id, plan, status, snapshot_date, repo_type): each type's first night is its own full listing.
LIFECYCLE_RUNS = [
    (1, "full", "complete", dt.date(2026, 11, 1), "models"),
    (2, "sweep", "complete", LIFECYCLE_SNAPSHOT_DATE, "models"),
    (3, "refresh", "complete", LIFECYCLE_SNAPSHOT_DATE, "models"),
    (4, "full", "complete", LIFECYCLE_SNAPSHOT_DATE, "datasets"),
    (5, "full", "complete", LIFECYCLE_SNAPSHOT_DATE, "spaces"),
]


def _link_row(link) -> list:
    """A repo_links row from (source_type, source_id, target_type, target_id, relation[, source[, first_seen]])."""
    defaults = ("tag", EDGE_FIRST_SEEN)
    return list(link) + list(defaults[len(link) - 5:])


def _run_row(run) -> list:
    """A crawl_runs row from (run_id, plan, status, snapshot_date[, the RUN_COLUMNS that follow])."""
    return list(run) + [None] * (len(RUN_COLUMNS) - len(run))


def _edge_row(edge) -> list:
    """A lineage row from (child, parent, relation[, first_seen])."""
    return list(edge) if len(edge) == 4 else [*edge, EDGE_FIRST_SEEN]


def create_crawl_db(path: str | Path, models=(), lineage=(), snapshots=(), runs=(), changes=(),
                    rejected=(), datasets=(), spaces=(), links=(), typed_runs=()) -> duckdb.DuckDBPyConnection:
    """A fresh database with storage's schema (all migrations) and the given rows (inserted as parameters).
    `typed_runs`: (run_id, plan, status, snapshot_date, repo_type) of runs that name their type."""
    con = duckdb.connect(str(path))
    apply_migrations(con)
    for sql, rows in ((INSERT_MODEL_SQL, [list(r) for r in models]), (INSERT_EDGE_SQL, [_edge_row(e) for e in lineage]),
                      (INSERT_RUN_SQL, [_run_row(r) for r in runs]),
                      (INSERT_CHANGE_SQL, [list(r) for r in changes]), (INSERT_REJECTED_SQL, [list(r) for r in rejected]),
                      (INSERT_DATASET_SQL, [list(r) for r in datasets]), (INSERT_SPACE_SQL, [list(r) for r in spaces]),
                      (INSERT_LINK_SQL, [_link_row(link) for link in links]),
                      (INSERT_TYPED_RUN_SQL, [list(r) for r in typed_runs])):
        if rows:
            con.executemany(sql, rows)
    if snapshots:   # model_snapshots is a view over compact history since migration 004
        write_snapshot_rows(con, snapshots)
    return con


def create_lifecycle_db(path: str | Path) -> duckdb.DuckDBPyConnection:
    con = create_crawl_db(path, LIFECYCLE_MODELS, LIFECYCLE_LINEAGE, datasets=LIFECYCLE_DATASETS,
                          spaces=LIFECYCLE_SPACES, links=LIFECYCLE_LINKS, typed_runs=LIFECYCLE_RUNS)
    install(con)
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
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--history", action="store_true", help="the four-night history example")
    kind.add_argument("--lifecycle", action="store_true", help="the lifecycle example (datasets, Spaces, links)")
    args = parser.parse_args(argv)
    build = create_history_db if args.history else create_lifecycle_db if args.lifecycle else create_example_db
    build(args.path).close()


if __name__ == "__main__":
    main()
