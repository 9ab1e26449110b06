"""Hashes of everything a crawl stores, for checking that the night's result does not change
when its machinery does (issue 16: faster parse and staging, the same database). No tests here.

`python -m tests.golden` prints the hashes for the universe of tests/test_crawl_golden.py; they
were recorded into tests/golden_hashes.json by the crawl as of commit c92bfb0, before the parse
and staging were rewritten for speed, against the hubsim of the commit that records them.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

import duckdb

# Every table the night writes, in a stable order; crawl_runs without its times, costs and ids.
TABLES = {
    "hub_models": "SELECT * EXCLUDE (refreshed_on, model_key) FROM hub_models ORDER BY ALL",   # model_key: a copy of model_keys (migration 006)
    "model_snapshots": "SELECT * FROM model_snapshots ORDER BY ALL",
    "lineage": "SELECT * FROM lineage ORDER BY ALL",
    "model_changes": "SELECT * FROM model_changes ORDER BY ALL",
    "rejected_records": "SELECT * EXCLUDE (page_no) FROM rejected_records ORDER BY ALL",
    "repo_links": "SELECT * FROM repo_links ORDER BY ALL",
    "crawl_runs": "SELECT plan, status, snapshot_date, pages, models_seen, skipped_records, watermark FROM crawl_runs "
                  "ORDER BY ALL",
}
HOSTILE_FAULTS = "negcount:0.15,strcount:0.15,farfuture:0.15,bcdate:0.15,badutf8:0.15,nonobject:0.15"


def content_hashes(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        out = {}
        for table, sql in TABLES.items():
            digest = hashlib.sha256()
            for row in con.execute(sql).fetchall():
                digest.update(repr(row).encode())
            out[table] = digest.hexdigest()
        return out


def crawl_golden_universe(db: Path, real_sample: Path) -> dict[str, str]:
    """Two nights of the real sample cloned to 3,000 records (served verbatim, so changes to hubsim's
    synthetic universe cannot move them) with hostile values injected."""
    import datetime as dt

    import pipeline
    from crawler.http import RetryPolicy
    from hubsim.server import SimServer
    from hubsim.universe import Universe

    fast = RetryPolicy(attempts=2, backoff_initial=0.01, backoff_max=0.02, jitter=0.0)
    for day in (1, 2):
        universe = Universe.build(models=0, seed=5, day=day, real_path=real_sample, real_scale=3000)
        sim = SimServer(universe, faults=HOSTILE_FAULTS).start()
        try:
            pipeline.run_night(str(db), endpoint=sim.url, progress=False, policy=fast, repo_types=("models",),
                               snapshot_date=dt.date(2026, 11, day))
        finally:
            sim.stop()
    return content_hashes(db)


if __name__ == "__main__":
    sample = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real-hub-sample" / "models.jsonl"
    with tempfile.TemporaryDirectory() as tmp:
        json.dump(crawl_golden_universe(Path(tmp) / "golden.duckdb", sample), sys.stdout, indent=2, sort_keys=True)
        print()
