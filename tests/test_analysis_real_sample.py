"""End to end on real Hub metadata: ../shared/data/real-hub-sample/models.jsonl served by hubsim
on 127.0.0.1, crawled by the crawler, read through the analysis views, compared with the
sample's own truth.json (computed from the raw source files, not by this project).

Every truth.json figure a crawl can know is compared. Definition differences are documented in
analysis/README.md ("Real-sample check"); the only ones that matter here are renamings:
truth writes "(none)" for no license and false for ungated, the views write "none".
The figures truth.json carries that a crawl cannot know (records with 'N/A' metadata, the
source's own depth field and stated/listed model-tree counts) are not compared.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from analysis import install

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO.parent / "shared" / "data" / "real-hub-sample"
TRUTH = json.loads((SAMPLE / "truth.json").read_text())


def serve(*args: str) -> tuple[subprocess.Popen, str]:
    """Start hubsim on a free port; its first stdout line names the URL."""
    server = subprocess.Popen([sys.executable, "-m", "hubsim", "serve", "--port", "0", *args],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
    if not match:
        server.kill()
        raise RuntimeError(f"hubsim did not start: {line!r}")
    return server, match.group(1)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    import pipeline

    db = tmp_path_factory.mktemp("real") / "hub.duckdb"
    server, endpoint = serve("--models", "0", "--real", str(SAMPLE / "models.jsonl"))  # only the real records
    try:
        pipeline.run_night(str(db), endpoint=endpoint)
    finally:
        server.terminate()
        server.wait(timeout=30)
    connection = duckdb.connect(str(db))
    install(connection)
    yield connection
    connection.close()


def pairs(con, sql):
    return dict(con.execute(sql).fetchall())


def as_truth_license(license):
    return "(none)" if license == "none" else license


def as_truth_gated(gated):
    return "false" if gated == "none" else gated


def test_unique_models(con):
    assert con.execute("SELECT models_total FROM figure_summary").fetchone()[0] == TRUTH["unique_models"]


def test_license_distribution(con):
    got = {as_truth_license(k): v for k, v in pairs(con, "SELECT * FROM figure_license_counts").items()}
    assert got == TRUTH["license_distribution"]


def test_gated(con):
    got = {as_truth_gated(k): v for k, v in pairs(con, "SELECT * FROM figure_gated").items() if v}
    assert got == TRUTH["gated"]


def test_gated_by_license(con):
    got = {}
    for license, none, auto, manual in con.execute(
            "SELECT license, gated_none, gated_auto, gated_manual FROM gated_prevalence_by_license").fetchall():
        cell = {"false": none, "auto": auto, "manual": manual}
        got[as_truth_license(license)] = {k: v for k, v in cell.items() if v}
    assert got == TRUTH["gated_by_license"]


def test_created_per_month_and_year(con):
    assert pairs(con, "SELECT * FROM figure_models_created_by_month") == TRUTH["created_per_month"]
    assert pairs(con, "SELECT CAST(year AS VARCHAR), new_models_alive FROM growth_yearly") == TRUTH["created_per_year"]


def test_downloads_30d_at_least_a_million(con):
    assert con.execute("SELECT models_ge_1m_downloads_30d FROM concentration").fetchone()[0] == TRUTH["downloads_30d_ge_1e6"]


def test_downloads_all_time_is_unknown_in_this_sample(con):
    known, ge_100m = con.execute(
        "SELECT models_downloads_all_time_known, models_ge_100m_downloads_all_time FROM concentration").fetchone()
    assert (known, ge_100m) == (TRUTH["downloads_all_time_ge_1e6"]["known"], 0)


def test_top10_by_downloads(con):
    got = [{"id": m, "downloads": d} for m, d in
           con.execute("SELECT model_id, downloads FROM top_models_by_downloads WHERE rank <= 10").fetchall()]
    assert got == TRUTH["top10_by_downloads"]


def test_base_model_relations_and_models_without_one(con):
    got = {r: n for r, n in con.execute("SELECT relation, child_models FROM lineage_summary").fetchall() if n}
    assert got == TRUTH["base_model_relations"]
    total, with_base = con.execute("SELECT models_total, models_with_base_model FROM figure_summary").fetchone()
    assert total - with_base == TRUTH["models_without_base_model_tag"]


def test_parent_not_present(con):
    assert con.execute("SELECT count(DISTINCT child_id) FROM lineage_orphans").fetchone()[0] == TRUTH["parent_not_present"]


@pytest.mark.parametrize("root_id", sorted(TRUTH["roots"]))
def test_each_family_root(con, root_id):
    expected = TRUTH["roots"][root_id]
    row = con.execute(
        "SELECT finetune, adapter, quantized, merge, descendants FROM derivatives WHERE model_id = ?", [root_id]
    ).fetchone()
    assert row is not None, f"{root_id} has no derivatives"
    by_relation = {k: v for k, v in zip(("finetune", "adapter", "quantized", "merge"), row[:4]) if v}
    assert by_relation == expected["direct_children_present_by_relation"]
    assert row[4] == expected["transitive_descendants_present"]
