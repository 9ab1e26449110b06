"""A model family's lifecycle report: one root (`hubcensus report --family ID`) or a cohort side by
side (`hubcensus report --cohort FILE`, one model id a line), as one self-contained HTML file or
a Markdown summary.

    render(con, roots, fmt="html" | "md") -> str
    read_cohort(path) -> list[str]        # the ids of a cohort file

For each root: the release (date, license, gating), the training data it declares, its
derivatives over time by relation and by language, the post-training datasets they declare, the
Spaces using the family, license drift from the root, and the family's activity. Every number
is a row of the family macros of sql/15_lifecycle_families.sql (`family_*_of(roots)`, the ids
passed as a parameter); `family_ledes.py` words them, `charts.py` and `lifecycle_charts.py` draw
inline SVG, and the Jinja2 templates lay them out (HTML autoescaped; Markdown through
`md_escape`). It never writes (`prepare_reader`), so a read-only connection works.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from analysis import charts, family_ledes, formatting
from analysis.charts import Bar, Column
from analysis.formatting import visible
from analysis.installer import prepare_reader
from analysis.lifecycle import lifecycle_recorded
from analysis.lifecycle_charts import SERIES_STYLES, StepSeries, running_total_chart
from analysis.report import FILTERS, md_escape

MAX_FAMILIES = 40          # a cohort report stays readable (and its file small)
MAX_ID_LENGTH = 256        # Hub ids are at most 96 characters; longer lines are not ids
MAX_COHORT_BYTES = 64 * 1024
RELATIONS = ("finetune", "adapter", "quantized", "merge", "unknown")

# What the report reads, per family (bounded: the largest families have thousands of Spaces).
FAMILY_SQL = {
    "summary": "SELECT * FROM family_summary_of(?)",
    # the root's own datasets (up to 20), and the 12 most declared by derivatives
    "training_root": """SELECT * FROM family_training_data_of(?) WHERE declared_by_root
                        QUALIFY row_number() OVER (PARTITION BY root_id ORDER BY dataset_id) <= 20""",
    "post_training": """SELECT * FROM family_training_data_of(?) WHERE derivatives > 0
                        QUALIFY row_number() OVER (PARTITION BY root_id ORDER BY derivatives DESC, dataset_id) <= 12""",
    "by_day": "SELECT * FROM family_derivatives_by_day_of(?)",
    "languages": """SELECT * FROM family_languages_of(?)
                    QUALIFY row_number() OVER (PARTITION BY root_id ORDER BY derivatives DESC, language) <= 15""",
    "spaces": """SELECT * FROM family_spaces_of(?)
                 QUALIFY row_number() OVER (PARTITION BY root_id ORDER BY likes DESC NULLS LAST, space_id) <= 10""",
    "license_drift": """SELECT * FROM family_license_drift_of(?)
                        QUALIFY row_number() OVER (PARTITION BY root_id ORDER BY derivatives DESC, license) <= 10""",
    "activity": "SELECT * FROM family_activity_of(?)",
}
SNAPSHOT_SQL = "SELECT snapshot_date FROM latest_snapshot"


class CohortError(ValueError):
    """A cohort file or root list the report cannot use (empty, too long, not ids)."""


class NoLifecycleGraph(LookupError):
    """The database records no lifecycle graph (a file made before storage's migration 003)."""


def check_roots(roots) -> list[str]:
    """The roots as a list of distinct ids in their order; CohortError when unusable."""
    ids: list[str] = []
    for root in roots:
        root = visible(root).strip()
        if not root:
            continue
        if len(root) > MAX_ID_LENGTH:
            raise CohortError(f"not a model id (longer than {MAX_ID_LENGTH} characters): {root[:40]!r}...")
        if root not in ids:
            ids.append(root)
    if not ids:
        raise CohortError("no model id given")
    if len(ids) > MAX_FAMILIES:
        raise CohortError(f"{len(ids)} model ids: a report compares at most {MAX_FAMILIES} families")
    return ids


def read_cohort(path: str | Path) -> list[str]:
    """The model ids of a cohort file: one a line; blank lines and lines starting with '#' are
    skipped, surrounding spaces ignored, repeats kept once (first place). UTF-8, at most 64 KB."""
    path = Path(path)
    with path.open("rb") as handle:
        data = handle.read(MAX_COHORT_BYTES + 1)
    if len(data) > MAX_COHORT_BYTES:
        raise CohortError(f"{path}: larger than {MAX_COHORT_BYTES // 1024} KB; a cohort lists model ids, one a line")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CohortError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    lines = [line.strip() for line in text.splitlines()]
    return check_roots(line for line in lines if line and not line.startswith("#"))


def _dicts(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def collect(con: duckdb.DuckDBPyConnection, roots) -> dict:
    """Everything the report shows, per family in the order given, as dicts by column name."""
    roots = check_roots(roots)
    prepare_reader(con)
    if not lifecycle_recorded(con):
        raise NoLifecycleGraph("this database records no datasets, Spaces or links yet (made before the lifecycle "
                               "graph): a crawl with this version adds them")
    rows = {key: _dicts(con.execute(sql, [roots])) for key, sql in FAMILY_SQL.items()}
    families = []
    for index, root in enumerate(roots, start=1):
        mine = {key: [r for r in value if r["root_id"] == root] for key, value in rows.items()}
        families.append({
            "index": index,
            "root_id": root,
            "summary": mine["summary"][0],
            "training_root": mine["training_root"],
            "post_training": mine["post_training"],
            "by_day": mine["by_day"],
            "languages": mine["languages"],
            "spaces": mine["spaces"],
            "license_drift": mine["license_drift"],
            "activity": mine["activity"],
        })
    return {"snapshot": con.execute(SNAPSHOT_SQL).fetchone()[0], "families": families}


# --- what the templates get ------------------------------------------------------------------

def relation_series(family: dict) -> list[StepSeries]:
    """All derivatives and each relation present, as running totals by day since release."""
    days = family["by_day"]
    series = [StepSeries("all derivatives", [(d["day"], d["cumulative_derivatives"]) for d in days])]
    for relation in RELATIONS:
        if days and days[-1][f"cumulative_{relation}"]:
            series.append(StepSeries(relation, [(d["day"], d[f"cumulative_{relation}"]) for d in days
                                                if d[relation]]))
    return series


def family_charts(family: dict, snapshot) -> dict[str, Markup]:
    summary = family["summary"]
    root = visible(family["root_id"])
    return {
        "over_time": running_total_chart(
            relation_series(family), label=f"derivatives of {root} by days since its release",
            x_title="days since the root's release (createdAt)", y_title="derivatives (running total)",
            x_end=summary["days_since_release"]),
        "languages": charts.hbar_chart(
            [Bar(r["language"], r["derivatives"],
                 note="" if r["first_day"] is None else f"the first on {family_ledes.signed_days(r['first_day'])}")
             for r in family["languages"]],
            label=f"languages of the derivatives of {root}", category_title="language code",
            value_title="derivatives declaring the language"),
        "post_training": charts.hbar_chart(
            [Bar(r["dataset_id"], r["derivatives"], "" if r["on_hub"] else "offhub",
                 "" if r["on_hub"] else "not on the Hub") for r in family["post_training"]],
            label=f"datasets the derivatives of {root} declare", category_title="dataset",
            value_title="derivatives declaring it (trained_on)",
            legend=[("", "on the Hub"), ("offhub", "not on the Hub")]
            if any(not r["on_hub"] for r in family["post_training"]) else ()),
        "activity": charts.column_chart(
            [Column(a["month"], a["new_derivatives"], note="release month" if a["release"] else "")
             for a in family["activity"]],
            label=f"new derivatives of {root} per month", x_title="month of creation (UTC)",
            y_title="new derivatives", tick_every=max(1, len(family["activity"]) // 8)),
    }


def cohort_charts(families: list[dict]) -> dict[str, Markup]:
    """The cohort side by side: running totals by days since each root's release (the families
    with most derivatives, as many as the chart has styles), and derivatives per family."""
    dated = [f for f in families if f["summary"]["days_since_release"] is not None and f["by_day"]]
    drawn = sorted(dated, key=lambda f: (-f["summary"]["derivatives"], f["index"]))[:SERIES_STYLES]
    drawn.sort(key=lambda f: f["index"])
    return {
        "over_time": running_total_chart(
            [StepSeries(f["root_id"], [(d["day"], d["cumulative_derivatives"]) for d in f["by_day"]]) for f in drawn],
            label="derivatives of each family by days since its release",
            x_title="days since the root's release (createdAt)", y_title="derivatives (running total)",
            x_end=max((f["summary"]["days_since_release"] for f in drawn), default=None)),
        "derivatives": charts.hbar_chart(
            [Bar(f["root_id"], f["summary"]["derivatives"], "" if f["summary"]["on_hub"] else "offhub",
                 "" if f["summary"]["on_hub"] else "not on the Hub") for f in families],
            label="derivatives per family", category_title="root model", value_title="derivatives (alive models)"),
        "drawn": len(drawn),
        "undated": [f["root_id"] for f in families if f["summary"]["days_since_release"] is None],
    }


def context(data: dict, generated_at: dt.datetime) -> dict:
    families = data["families"]
    for family in families:
        family["ledes"] = family_ledes.family(family["summary"], data["snapshot"])
    cohort = len(families) > 1
    title = ("A cohort of " + formatting.plural(len(families), "model family", "model families")
             if cohort else f"The {visible(families[0]['root_id'])} family")
    return {
        "title": title,
        "cohort": cohort,
        "snapshot": data["snapshot"],
        "families": families,
        "cohort_lede": family_ledes.cohort([f["summary"] for f in families]) if cohort else "",
        "generated_at": generated_at,
    }


# --- rendering ---------------------------------------------------------------------------------

def _environment(markdown: bool) -> Environment:
    env = Environment(loader=PackageLoader("analysis", "templates"), undefined=StrictUndefined,
                      autoescape=not markdown, finalize=md_escape if markdown else visible,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(FILTERS)
    env.filters["signed_days"] = family_ledes.signed_days
    return env


def _stylesheets() -> Markup:
    templates = resources.files(__package__) / "templates"
    return Markup("\n".join((templates / name).read_text(encoding="utf-8")
                            for name in ("report.css", "family_report.css")))


def render_html(data: dict, generated_at: dt.datetime | None = None) -> str:
    ctx = context(data, generated_at or dt.datetime.now(dt.timezone.utc))
    for family in ctx["families"]:
        family["charts"] = family_charts(family, data["snapshot"])
    return _environment(markdown=False).get_template("family_report.html.j2").render(
        **ctx, cohort_charts=cohort_charts(ctx["families"]) if ctx["cohort"] else None, css=_stylesheets())


def render_markdown(data: dict, generated_at: dt.datetime | None = None) -> str:
    ctx = context(data, generated_at or dt.datetime.now(dt.timezone.utc))
    return _environment(markdown=True).get_template("family_report.md.j2").render(**ctx)


def render(con: duckdb.DuckDBPyConnection, roots, fmt: str = "html") -> str:
    """The lifecycle report of the families rooted at `roots` (one id: `--family`; several: a
    cohort) as HTML or Markdown. Read-only connections are fine."""
    if fmt not in ("html", "md"):
        raise ValueError(f"unknown report format {fmt!r}")
    data = collect(con, roots)
    return render_html(data) if fmt == "html" else render_markdown(data)
