"""The same answers on Spark: the headline figures computed by a real local Spark over a
`hubcensus export` equal `analysis.figures.compute_figures` on the DuckDB file, key for key,
including top_derivatives (recursive descendants, walked by a loop of joins on Spark).

One SparkSession (local[2], 2 shuffle partitions, no UI) serves every test of this module: the
JVM start is most of the cost.
"""

from __future__ import annotations

import json

import duckdb
import pytest

import pipeline
import storage.db
from analysis.example_db import create_example_db, create_history_db
from analysis.figures import compute_figures
from analysis.spark import (FIGURE_VIEWS, duckdb_view_definitions, figures_from_export, main, register_export,
                            spark_session, to_spark_sql, views_in_order)
from storage.export import export_parquet

# pyspark 4.3 warns about pandas 3 on import of its pandas helpers; the figures do not use pandas.
pytestmark = [pytest.mark.slow,   # one JVM start and Spark's first queries: ~30 s on 2 idle cores
              pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")]


@pytest.fixture(scope="module")
def spark():
    session = spark_session(master="local[2]", shuffle_partitions=2)
    yield session
    session.stop()


def descendant_counts_duckdb(db) -> list[tuple[str, int]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute("SELECT model_id, descendants FROM descendant_counts").fetchall())


def descendant_counts_spark(spark) -> list[tuple[str, int]]:
    return sorted((row.model_id, row.descendants) for row in spark.table("descendant_counts").collect())


def test_the_figure_views_are_transpiled_from_the_duckdb_definitions():
    definitions = duckdb_view_definitions()
    ordered = views_in_order(FIGURE_VIEWS, definitions)
    # Dependencies first; descendant_counts (hand-written for Spark) after what it reads.
    assert ordered.index("alive_lineage") < ordered.index("descendant_counts") < ordered.index("figure_top_derivatives")
    assert ordered.index("latest_snapshot") < ordered.index("figure_summary")
    assert ordered.index("models") < ordered.index("alive_models") < ordered.index("figure_license_family_counts")
    assert set(FIGURE_VIEWS) <= set(ordered)
    spark_sql = to_spark_sql(definitions["figure_models_created_by_month"])
    assert "DATE_FORMAT(month_start, 'yyyy-MM')" in spark_sql   # DuckDB's strftime, in Spark's words
    assert "DATE_TRUNC('MONTH', created_at)" in spark_sql
    assert "MATERIALIZED" not in to_spark_sql(definitions["figure_top_derivatives"])


def test_spark_figures_equal_duckdb_after_two_crawled_nights(sim_factory, tmp_path, spark):
    sim = sim_factory(models=3000, seed=31)
    db = tmp_path / "hub.duckdb"
    pipeline.run_night(str(db), endpoint=sim.url, progress=False)
    sim.set_day(2)
    pipeline.run_night(str(db), endpoint=sim.url, progress=False)
    con = duckdb.connect(str(db), read_only=True)   # the night installed the analysis views
    expected = compute_figures(con)
    # The data exercise what matters: two nights, changes and deletions on the second, lineage deeper than one level.
    nights = con.execute("SELECT snapshot_date, count(*) FROM model_snapshots GROUP BY 1 ORDER BY 1").fetchall()
    changes, deleted = con.execute("SELECT (SELECT count(*) FROM model_changes), "
                                   "(SELECT count(*) FROM hub_models WHERE deleted_at IS NOT NULL)").fetchone()
    con.close()
    assert len(nights) == 2 and changes > 0 and deleted > 0
    assert len(expected["top_derivatives"]) == 20
    assert any(entry["descendants"] > entry["direct"] for entry in expected["top_derivatives"])

    out = tmp_path / "export"
    export_parquet(db, out)
    assert figures_from_export(spark, str(out)) == expected
    assert descendant_counts_spark(spark) == descendant_counts_duckdb(db)

    # Spark reads the partitions as they are: snapshot_date a date column from the directory names.
    snapshots = spark.read.parquet(str(out / "model_snapshots"))
    assert snapshots.schema["snapshot_date"].dataType.simpleString() == "date"
    per_night = sorted((row[0], row[1]) for row in snapshots.groupBy("snapshot_date").count().collect())
    assert per_night == nights


def test_spark_figures_equal_duckdb_on_the_history_example(tmp_path, spark):
    """Failed and partial runs, a failed later sweep, gating and license changes, a deleted model."""
    db = tmp_path / "history.duckdb"
    con = create_history_db(db)
    expected = compute_figures(con)
    con.close()
    export_parquet(db, tmp_path / "export")
    assert figures_from_export(spark, str(tmp_path / "export")) == expected
    assert descendant_counts_spark(spark) == descendant_counts_duckdb(db)


def test_python_m_analysis_spark_prints_the_figures_of_the_lineage_example(tmp_path, spark, capsys):
    """A diamond merge, a deleted intermediate, orphans, a cycle, a self-edge, unknown and bogus
    relations: the walk stops on the cycle and counts the diamond once, as DuckDB does."""
    db = tmp_path / "example.duckdb"
    con = create_example_db(db)
    expected = compute_figures(con)
    con.close()
    export_parquet(db, tmp_path / "export")
    assert main([str(tmp_path / "export"), "--master", "local[2]"]) == 0
    printed = capsys.readouterr().out
    assert printed == json.dumps(expected, sort_keys=True, indent=2) + "\n"   # as `hubcensus figures --json`
    assert descendant_counts_spark(spark) == descendant_counts_duckdb(db)
    assert not spark.sparkContext._jsc.sc().isStopped()   # it used, and left running, the session it found


def test_an_export_without_nights_registers_an_empty_snapshots_table(tmp_path, spark):
    db = tmp_path / "empty.duckdb"
    storage.db.open_main(db).close()
    export_parquet(db, tmp_path / "export")
    assert register_export(spark, str(tmp_path / "export")) == [
        "model_snapshots", "hub_models", "lineage", "model_changes", "crawl_runs", "rejected_records",
        "hub_datasets", "hub_spaces", "repo_links", "repo_link_changes", "license_taxonomy"]
    snapshots = spark.table("model_snapshots")
    assert snapshots.count() == 0
    assert snapshots.schema["snapshot_date"].dataType.simpleString() == "date"
