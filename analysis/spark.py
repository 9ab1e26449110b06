"""The headline figures on Spark, computed from a `hubcensus export` directory (docs/lakehouse.md).

The path for users who outgrow one machine: the same JSON object as `hubcensus figures --json`
(docs/figures.md), computed by Spark over the exported Parquet, locally or on a cluster.

The figure views are not rewritten by hand: the figure_* views of analysis/sql and the views they
read are parsed as DuckDB SQL and transpiled to Spark SQL by sqlglot at run time, so Spark follows
the same definitions the DuckDB figures do. One view is hand-written: `descendant_counts` walks
lineage with a recursive CTE using UNION (set semantics, which stops on a cycle); Spark 4.3's
recursive CTEs accept only UNION ALL, which on a lineage cycle runs into the recursion limit, so
the walk here is a loop of joins over the distinct (ancestor, descendant) pairs until a step adds
no new pair.

    python -m analysis.spark EXPORT_DIR [--master local[*]]     # prints the figures as JSON

pyspark and sqlglot come with the `test` extra (Java 17 is needed for Spark).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from collections.abc import Collection
from functools import reduce
from pathlib import Path

import sqlglot
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from sqlglot import exp

from analysis.installer import load_taxonomy, sql_scripts
from analysis.lifecycle import BOOLEAN_FIELDS as LIFECYCLE_BOOLEANS
from analysis.lifecycle import ID_FIELDS as LIFECYCLE_IDS
from analysis.lifecycle import LIST_VIEWS as LIFECYCLE_LIST_VIEWS
from analysis.lifecycle import SCALAR_VIEWS as LIFECYCLE_SCALAR_VIEWS

# The export's layout (storage/export.py, docs/lakehouse.md): one directory per table.
SNAPSHOTS = "model_snapshots"
WHOLE_TABLES = ("models", "lineage", "model_changes", "crawl_runs", "rejected_records",
                "datasets", "spaces", "repo_links", "repo_link_changes")
OPTIONAL_TABLES = frozenset({"rejected_records", "datasets", "spaces", "repo_links", "repo_link_changes"})
# Exported as the analysis views (with license_family), registered as the tables they are made of.
STORED_AS = {"models": "hub_models", "datasets": "hub_datasets", "spaces": "hub_spaces"}
# The contract's columns (ARCHITECTURE.md), for an export that holds no night yet.
EMPTY_SNAPSHOTS_SCHEMA = ("model_id STRING, downloads BIGINT, downloads_all_time BIGINT, likes BIGINT, "
                          "gated STRING, snapshot_date DATE")
# The views `analysis.figures.compute_figures` reads; everything they depend on is found from
# their SQL. Relations no view defines are the exported tables, registered from Parquet.
FIGURE_VIEWS = (
    "figure_summary", "figure_models_created_by_month", "figure_gated", "figure_license_counts",
    "figure_license_family_counts", "figure_relation_counts", "figure_top_derivatives",
    *LIFECYCLE_SCALAR_VIEWS.values(), *(view for view, _fields, _order in LIFECYCLE_LIST_VIEWS.values()),
)
# JSON key -> the (key, count) view it is read from.
PAIR_VIEWS = {
    "models_created_by_month": "figure_models_created_by_month", "gated": "figure_gated",
    "license_counts": "figure_license_counts", "license_family_counts": "figure_license_family_counts",
    "relation_counts": "figure_relation_counts",
}
TOP_DERIVATIVE_FIELDS = ("model_id", "direct", "descendants", "finetune", "adapter", "quantized", "merge")
TAXONOMY_SCHEMA = "license_id STRING, family STRING, spdx_id STRING, restrictions_note STRING"

# --- descendant_counts, by iteration (docs/figures.md "top_derivatives") --------------------------
# Distinct alive edges, and the internal ones: edges whose child has alive children itself. Leaves
# never extend a walk, so the closure is taken over internal nodes only and leaves are added when
# counting: the descendants of `a` are the children of the edges leaving {a} + internal nodes
# reachable from `a`, `a` itself excluded (a cycle may lead back to it).
WALK_VIEWS = ("hc_spark_edges", "hc_spark_internal_edges", "hc_spark_frontier", "hc_spark_reach")
EDGES_SQL = "SELECT DISTINCT parent_id, child_id FROM alive_lineage"
INTERNAL_EDGES_SQL = """
SELECT e.parent_id, e.child_id
FROM hc_spark_edges e
LEFT SEMI JOIN (SELECT DISTINCT parent_id FROM hc_spark_edges) p ON p.parent_id = e.child_id
"""
REACH_START_SQL = "SELECT parent_id AS ancestor_id, child_id AS descendant_id FROM hc_spark_internal_edges"
# One step of the walk: pairs one edge beyond the last step's new pairs that are not known yet.
REACH_STEP_SQL = """
SELECT DISTINCT f.ancestor_id, e.child_id AS descendant_id
FROM hc_spark_frontier f
JOIN hc_spark_internal_edges e ON e.parent_id = f.descendant_id
LEFT ANTI JOIN hc_spark_reach r ON r.ancestor_id = f.ancestor_id AND r.descendant_id = e.child_id
"""
DESCENDANTS_SQL = """
WITH span AS (
    SELECT ancestor_id, descendant_id AS member_id FROM hc_spark_reach WHERE ancestor_id <> descendant_id
    UNION ALL
    SELECT DISTINCT parent_id, parent_id FROM hc_spark_edges
)
SELECT s.ancestor_id AS model_id, CAST(count(DISTINCT e.child_id) AS BIGINT) AS descendants
FROM span s
JOIN hc_spark_edges e ON e.parent_id = s.member_id
WHERE e.child_id <> s.ancestor_id
GROUP BY s.ancestor_id
"""


def spark_session(master: str = "local[2]", shuffle_partitions: int = 4, app_name: str = "hubcensus") -> SparkSession:
    """A local Spark session sized for the figures of one export: UTC, no UI, few shuffle
    partitions (Spark's default of 200 is for far bigger joins), no adaptive execution (it
    re-plans every stage as its own job: ~2x the jobs and the time for these small queries), and
    a driver JVM that compiles with C1 only: the figures are a few dozen short queries, where the
    optimising compiler's warm-up costs more than it saves (measured on the lineage example: first
    figures 22 s -> 13 s, session start 7 s -> 5 s). The JVM options apply when this call starts
    the JVM. On a cluster, pass your own session to figures_from_export instead."""
    logging.getLogger("py4j").setLevel(logging.WARNING)   # its INFO lines (connections opened and closed) are noise
    spark = (SparkSession.builder.master(master).appName(app_name)
             .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
             .config("spark.sql.adaptive.enabled", "false")
             .config("spark.sql.session.timeZone", "UTC")
             # not ./spark-warehouse in whatever folder the command runs from (no table is saved)
             .config("spark.sql.warehouse.dir", str(Path(tempfile.gettempdir()) / f"hubcensus-spark-warehouse-{os.getuid()}"))
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


# --- the exported tables ---------------------------------------------------------------------------

def _read_parquet(spark: SparkSession, path: str) -> DataFrame | None:
    """A Parquet dataset, or None where the export has none (no directory, or no file in it)."""
    try:
        return spark.read.parquet(path)
    except AnalysisException as error:
        if error.getCondition() in ("PATH_NOT_FOUND", "UNABLE_TO_INFER_SCHEMA"):
            return None
        raise


def register_export(spark: SparkSession, export_dir: str, only: Collection[str] | None = None) -> list[str]:
    """Register the exported tables as temp views under their database names (model_snapshots,
    hub_models, lineage, model_changes, crawl_runs, rejected_records when exported) plus
    license_taxonomy from the reviewed CSV, or only those named; returns the names registered.

    Tables are found by their directory names (the manifest, `_hubcensus_export.json`, is for
    people and tools: Spark skips files whose names start with `_`). Reading a table's schema
    is a Spark job, hence `only`."""
    root = str(export_dir).rstrip("/")
    wanted = set(only) if only is not None else None
    registered = []
    if wanted is None or SNAPSHOTS in wanted:
        snapshots = _read_parquet(spark, f"{root}/{SNAPSHOTS}")   # snapshot_date from the partition names
        if snapshots is None:   # no night exported yet: no partition to infer a schema from
            snapshots = spark.createDataFrame([], EMPTY_SNAPSHOTS_SCHEMA)
        snapshots.createOrReplaceTempView(SNAPSHOTS)
        registered.append(SNAPSHOTS)
    for name in WHOLE_TABLES:
        # hub_models as stored; `models` (with license_family) is rebuilt by the analysis view
        # from the current taxonomy, as `hubcensus figures` does.
        relation = STORED_AS.get(name, name)
        if wanted is not None and relation not in wanted:
            continue
        frame = _read_parquet(spark, f"{root}/{name}")
        if frame is None:
            if name in OPTIONAL_TABLES:
                continue
            raise FileNotFoundError(f"{root} has no {name}/ table: not a hubcensus export (run `hubcensus export`)")
        if name in STORED_AS and "license_family" in frame.columns:
            frame = frame.drop("license_family")
        frame.createOrReplaceTempView(relation)
        registered.append(relation)
    if wanted is None or "license_taxonomy" in wanted:
        spark.createDataFrame(load_taxonomy(), TAXONOMY_SCHEMA).createOrReplaceTempView("license_taxonomy")
        registered.append("license_taxonomy")
    return registered


# --- the views, transpiled --------------------------------------------------------------------------

def _statements(text: str) -> list[str]:
    """A script's statements, split at the semicolons the SQL tokenizer sees (not in strings)."""
    dialect = sqlglot.Dialect.get_or_raise("duckdb")
    ends = [token.end for token in dialect.tokenize(text) if token.token_type == sqlglot.TokenType.SEMICOLON]
    starts = [0] + [end + 1 for end in ends]
    return [text[a:b] for a, b in zip(starts, ends + [len(text)]) if text[a:b].strip()]


def duckdb_view_definitions() -> dict[str, exp.Expression]:
    """Every CREATE VIEW of analysis/sql as a sqlglot query (DuckDB dialect), by view name.
    Statements sqlglot cannot parse (macros with DuckDB-only syntax, say) are skipped: a view
    the figures need and that cannot be read is reported by figures_from_export."""
    views: dict[str, exp.Expression] = {}
    for _name, text in sql_scripts():
        for statement_text in _statements(text):
            try:
                statement = sqlglot.parse_one(statement_text, read="duckdb")
            except sqlglot.errors.ParseError:
                continue
            if isinstance(statement, exp.Create) and statement.args.get("kind") == "VIEW":
                views[statement.this.name] = statement.expression
    return views


def referenced_relations(query: exp.Expression) -> set[str]:
    """Tables and views a query reads (its own CTE names excluded)."""
    ctes = {cte.alias for cte in query.find_all(exp.CTE)}
    return {table.name for table in query.find_all(exp.Table) if table.name not in ctes}


def views_in_order(wanted: tuple[str, ...], definitions: dict[str, exp.Expression]) -> list[str]:
    """The wanted views and the views they read, dependencies first. A hand-written view comes
    after what its DuckDB definition reads (its Spark version reads the same)."""
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name in ordered or name not in definitions:
            return
        for dependency in sorted(referenced_relations(definitions[name])):
            visit(dependency)
        ordered.append(name)

    for name in wanted:
        visit(name)
    return ordered


def to_spark_sql(query: exp.Expression) -> str:
    """A DuckDB query as Spark SQL (MATERIALIZED is a DuckDB planner hint Spark does not parse)."""
    query = query.copy()
    for cte in query.find_all(exp.CTE):
        cte.set("materialized", None)
    return query.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)


def install_descendant_counts(spark: SparkSession) -> int:
    """Register `descendant_counts` (model_id, descendants); returns the number of walk steps.

    Each step's new pairs are checkpointed (eager: one job, and the plan stops growing); the
    pairs known so far are the union of those checkpoints, never recomputed."""
    for view in WALK_VIEWS:   # a previous walk in this session: release its cached edges
        spark.catalog.dropTempView(view)
    spark.sql(EDGES_SQL).cache().createOrReplaceTempView("hc_spark_edges")
    spark.sql(INTERNAL_EDGES_SQL).cache().createOrReplaceTempView("hc_spark_internal_edges")
    found = [spark.sql(REACH_START_SQL).localCheckpoint()]
    while True:   # ends: the pairs are finite and every step adds only new ones
        found[-1].createOrReplaceTempView("hc_spark_frontier")
        reduce(DataFrame.union, found).createOrReplaceTempView("hc_spark_reach")
        new = spark.sql(REACH_STEP_SQL).localCheckpoint()
        if new.isEmpty():
            break
        found.append(new)
    spark.sql(DESCENDANTS_SQL).createOrReplaceTempView("descendant_counts")
    return len(found) - 1


# Views Spark SQL cannot run as DuckDB writes them, by name -> the function that registers them.
HAND_WRITTEN = {"descendant_counts": install_descendant_counts}


def base_relations(ordered: list[str], definitions: dict[str, exp.Expression]) -> set[str]:
    """The tables the given views read that no view defines: what the export must provide."""
    read = set().union(*(referenced_relations(definitions[name]) for name in ordered))
    return read - set(definitions)


def install_views(spark: SparkSession, ordered: list[str], definitions: dict[str, exp.Expression]) -> None:
    """Create the views, in order, as Spark temp views over the registered tables."""
    readers = {name: sum(name in referenced_relations(definitions[other]) for other in ordered) for name in ordered}
    for name in ordered:
        if name in HAND_WRITTEN:
            HAND_WRITTEN[name](spark)
            continue
        view = spark.sql(to_spark_sql(definitions[name]))
        if readers[name] > 1:   # computed once, not once per reader (alive_lineage: by four)
            view = view.localCheckpoint()
        view.createOrReplaceTempView(name)


# --- the figures --------------------------------------------------------------------------------------

def _pair_figures(spark: SparkSession) -> dict[str, dict]:
    """The two-column figure views (key, count), as dicts sorted by key, read in one Spark job."""
    frames = [spark.table(view).toDF("key", "n").withColumn("figure", F.lit(key)) for key, view in PAIR_VIEWS.items()]
    rows = reduce(DataFrame.unionByName, frames).collect()
    pairs: dict[str, dict] = {key: {} for key in PAIR_VIEWS}
    for row in sorted(rows, key=lambda row: row["key"]):
        pairs[row["figure"]][row["key"]] = int(row["n"])
    return pairs


def figures_from_export(spark: SparkSession, export_dir: str) -> dict:
    """The object `hubcensus figures --json` gives, computed by Spark from an export directory."""
    definitions = duckdb_view_definitions()
    missing = [name for name in FIGURE_VIEWS if name not in definitions]
    if missing:
        raise LookupError(f"no view {', '.join(missing)} in analysis/sql that sqlglot can read")
    ordered = views_in_order(FIGURE_VIEWS, definitions)
    register_export(spark, export_dir, only=base_relations(ordered, definitions))
    install_views(spark, ordered, definitions)
    summary = spark.sql("SELECT * FROM figure_summary").collect()[0]
    (snapshot_date, models_total, created_last_30d, gated_share, with_base_model, ge_100m) = summary
    top = [dict(zip(TOP_DERIVATIVE_FIELDS, row)) for row in spark.sql("SELECT * FROM figure_top_derivatives").collect()]
    top.sort(key=lambda entry: (-entry["descendants"], entry["model_id"]))   # the view's order, whatever Spark keeps
    figures = {
        **_pair_figures(spark),
        "snapshot_date": snapshot_date.isoformat() if snapshot_date is not None else None,
        "models_total": int(models_total),
        "models_created_last_30d": int(created_last_30d),
        # Python's round(), as analysis.figures and hubsim's truth do.
        "gated_share": round(float(gated_share), 6),
        "models_with_base_model": int(with_base_model),
        "top_derivatives": [{k: (v if k == "model_id" else int(v)) for k, v in entry.items()} for entry in top],
        "models_ge_100m_downloads_all_time": int(ge_100m),
        **_lifecycle_figures(spark),
    }
    return dict(sorted(figures.items()))


def _lifecycle_figures(spark: SparkSession) -> dict:
    """The eight lifecycle keys, read as analysis.lifecycle reads them from DuckDB."""
    figures: dict = {}
    for key, view in LIFECYCLE_SCALAR_VIEWS.items():   # constants of analysis.lifecycle
        figures[key] = int(spark.sql(f"SELECT {key} FROM {view}").collect()[0][0])
    for key, (view, fields, order) in LIFECYCLE_LIST_VIEWS.items():
        rows = spark.sql(f"SELECT {', '.join(fields)} FROM {view} ORDER BY {order}").collect()
        figures[key] = [{f: (v if f in LIFECYCLE_IDS else bool(v) if f in LIFECYCLE_BOOLEANS else int(v))
                         for f, v in zip(fields, row)} for row in rows]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis.spark",
        description="Print the headline figures (as `hubcensus figures --json`) computed by Spark from a "
                    "`hubcensus export` directory (a local path, or s3a://... with Spark's S3 settings).")
    parser.add_argument("export_dir", metavar="EXPORT_DIR")
    parser.add_argument("--master", default="local[*]", help="Spark master URL (default: local[*])")
    args = parser.parse_args(argv)
    running = SparkSession.getActiveSession()   # e.g. inside a notebook or pyspark shell: use it, leave it running
    spark = running or spark_session(master=args.master)
    try:
        figures = figures_from_export(spark, args.export_dir)
    finally:
        if running is None:
            spark.stop()
    sys.stdout.write(json.dumps(figures, sort_keys=True, indent=2) + "\n")   # as `hubcensus figures --json`
    return 0


if __name__ == "__main__":
    sys.exit(main())
