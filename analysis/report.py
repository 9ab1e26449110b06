"""The hubcensus report: one self-contained HTML file, or a Markdown summary.

    render(con, fmt="html" | "md") -> str

1. `collect(con)` reads the analysis views (sql/10_report.sql and the section views) into
   plain dicts, by column name. The report computes no number of its own.
2. `ledes.py` writes each section's lede from those numbers; `charts.py` draws inline SVG.
3. Jinja2 templates lay them out: `templates/report.html.j2` with autoescaping (every Hub
   string is text) and a Content-Security-Policy that forbids scripts and network; and
   `templates/report.md.j2`, where every value passes through `md_escape`.

It never writes to the database (`prepare_reader`: TEMP views when the stored ones are stale),
so it runs on a read-only connection.
"""

from __future__ import annotations

import datetime as dt
import html
from importlib import resources

import duckdb
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from analysis import charts, formatting, ledes
from analysis.charts import Bar, Column, Node
from analysis.figures import compute_figures
from analysis.formatting import visible
from analysis.installer import prepare_reader
from analysis.time_travel import travel

# --- what the report reads --------------------------------------------------------------------
# Each entry: a view (with the order and bounds the report shows it in). Lists are bounded so
# the file stays small at Hub scale.
LISTS = {
    "headline": "SELECT * FROM report_headline",
    "change_summary": "SELECT * FROM report_change_summary",
    # License and gating transitions with their count in each period (most frequent first).
    "field_changes": """SELECT field, old_value, new_value,
                               sum(models) FILTER (WHERE days = 7) AS models_7,
                               sum(models) FILTER (WHERE days = 30) AS models_30
                        FROM report_recent_changes WHERE field IN ('license', 'gated') GROUP BY field, old_value, new_value
                        QUALIFY row_number() OVER (PARTITION BY field
                                                   ORDER BY coalesce(models_30, models_7) DESC, old_value, new_value) <= 6
                        ORDER BY field DESC, coalesce(models_30, models_7) DESC, old_value, new_value""",
    # Parents by derivatives gained in each period; new_family as of the longer period.
    "growing_families": """SELECT model_id, on_hub, children,
                                  sum(new_children) FILTER (WHERE days = 7) AS new_7,
                                  sum(new_children) FILTER (WHERE days = 30) AS new_30,
                                  arg_max(new_family, days) AS new_family
                           FROM report_growing_families GROUP BY ALL
                           ORDER BY coalesce(new_30, new_7) DESC, new_7 DESC NULLS LAST, model_id LIMIT 8""",
    "milestones": "SELECT * FROM report_download_milestones",
    "night_runs": "SELECT * FROM report_night_runs",
    "new_by_month": "SELECT * FROM report_new_models_by_month",
    "nights": "SELECT * FROM report_nights WHERE snapshot_date > (SELECT snapshot_date FROM latest_snapshot) - 366",
    "families": "SELECT * FROM report_families",
    "family_trees": "SELECT * FROM report_family_trees",
    "gated_by_family": "SELECT * FROM gated_prevalence_by_license_family",
    "license_families": "SELECT * FROM license_family_landscape",
    "top_licenses": "SELECT * FROM license_landscape LIMIT 12",
    "license_drift": "SELECT * FROM license_drift",
    "concentration_curve": "SELECT * FROM report_download_concentration",
    "top_models": "SELECT * FROM top_models_by_downloads LIMIT 10",
    "languages": "SELECT * FROM language_counts LIMIT 15",
}
ONE_ROW = {
    "coverage": "SELECT * FROM report_coverage",
    "runs_summary": "SELECT * FROM report_runs_summary",
    "gated": "SELECT * FROM gated_prevalence",
    "license_drift_summary": "SELECT * FROM license_drift_summary",
    "concentration": "SELECT * FROM concentration",
    "language_coverage": "SELECT * FROM report_language_coverage",
}
REJECTIONS_VIEW = "report_rejections"  # absent on a file older than rejected_records (migration 002)
REJECTIONS_SQL = "SELECT * FROM report_rejections LIMIT 20"
HAS_VIEW_SQL = "SELECT count(*) > 0 FROM duckdb_views() WHERE view_name = ? AND NOT internal"

MILESTONES_SHOWN = 5  # models listed per period and threshold (the rest are counted)
FAMILIES_CHARTED = 12
TREE_CHILDREN = {1: 6, 2: 3}  # children drawn per parent at each depth: as report_family_trees selects them


def _dicts(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def collect(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> dict:
    """Everything the report shows, as dicts keyed by column name; with `as_of`, as it was on the
    latest complete night on or before that day (analysis.time_travel)."""
    prepare_reader(con)
    if as_of is not None:
        travel(con, as_of)
    data: dict = {"figures": compute_figures(con)}
    for key, sql in LISTS.items():
        data[key] = _dicts(con.execute(sql))
    for key, sql in ONE_ROW.items():
        rows = _dicts(con.execute(sql))
        data[key] = rows[0] if rows else None
    has_rejections = con.execute(HAS_VIEW_SQL, [REJECTIONS_VIEW]).fetchone()[0]
    data["rejections"] = _dicts(con.execute(REJECTIONS_SQL)) if has_rejections else None
    data["headline"] = {row["point"]: row for row in data["headline"] if row["snapshot_date"] is not None}
    data["trees"] = family_trees(data["families"], data["family_trees"])
    return data


def family_trees(families: list[dict], rows: list[dict]) -> list[Node]:
    """The drawn top of each of the three largest families (a merge reached twice is drawn once)."""
    trees = []
    for family in families[:3]:
        root = Node(family["root_id"], descendants=family["descendants"], note=_root_note(family))
        nodes, drawn = {root.model_id: root}, {root.model_id}
        for row in (r for r in rows if r["family_rank"] == family["rank"]):
            parent = nodes.get(row["parent_id"])
            if parent is None:
                continue
            parent.more = row["siblings"] - min(row["siblings"], TREE_CHILDREN[row["depth"]])
            if row["child_id"] in drawn:
                continue
            drawn.add(row["child_id"])
            node = Node(row["child_id"], row["relation"], row["descendants"])
            parent.children.append(node)
            nodes[node.model_id] = node
        trees.append(root)
    return trees


def _root_note(family: dict) -> str:
    if not family["on_hub"]:
        return "not on the Hub"
    if not family["alive"]:
        return f"deleted {formatting.date(family['deleted_at'])}"
    return ""


# --- what the templates get ------------------------------------------------------------------

def headline_cards(data: dict) -> list[dict]:
    """The five headline numbers with their change over 7 and 30 nights (None: no history)."""
    points = data["headline"]
    now = points.get("now")
    if not now:
        return []

    def changes(key: str, kind: str = "count") -> list[dict]:
        out = []
        for point, nights in (("7 nights", 7), ("30 nights", 30)):
            then = points.get(point)
            if not then or then[key] is None:
                out.append({"nights": nights, "text": None, "since": None, "direction": "none"})
                continue
            delta = now[key] - then[key]
            text = formatting.points(delta) if kind == "share" else formatting.signed(delta)
            direction = "flat" if text.startswith("±") else ("up" if delta > 0 else "down")
            out.append({"nights": nights, "text": text, "since": formatting.date(then["snapshot_date"]),
                        "direction": direction})
        return out

    s = formatting.date(now["snapshot_date"])
    cards = [
        {"key": "models", "title": "Public models", "value": formatting.number(now["models"]),
         "detail": f"listed by the Hub on {s}", "changes": changes("models")},
        {"key": "week", "title": "New this week", "value": formatting.number(now["created_last_7d"]),
         "detail": f"created in the 7 days to {s}", "changes": changes("created_last_7d")},
        {"key": "month", "title": "New this month", "value": formatting.number(now["created_last_30d"]),
         "detail": f"created in the 30 days to {s}", "changes": changes("created_last_30d")},
        {"key": "gated", "title": "Gated", "value": formatting.percent(now["gated_share"], 1),
         "detail": f"{formatting.plural(now['gated_models'], 'model')} ask for access approval",
         "changes": changes("gated_share", "share")},
    ]
    if now["largest_family_id"] is not None:
        cards.append({"key": "family", "title": "Largest family",
                      "value": formatting.number(now["largest_family_descendants"]),
                      "detail": f"descendants of {now['largest_family_id']}",
                      "changes": changes("largest_family_descendants")})
    return cards


def charts_for(data: dict) -> dict[str, Markup]:
    """Every chart of the HTML report (the Markdown summary has tables only)."""
    months = [Column(m["month"], m["new_models"], m["partial"],
                     f"partial: {m['days_covered']} of {m['days_in_month']} days" if m["partial"] else "")
              for m in data["new_by_month"]]
    families = data["families"][:FAMILIES_CHARTED]
    drift = data["license_drift"]
    return {
        "new_by_month": charts.column_chart(
            months, label="new models per month", x_title="month of creation (UTC)", y_title="new models per month"),
        "models_by_night": charts.date_chart(
            [(n["snapshot_date"], n["models_listed"]) for n in data["nights"]], label="models listed per night",
            y_title="models listed"),
        "families": charts.hbar_chart(
            [Bar(f["root_id"], f["descendants"], "" if f["on_hub"] else "offhub", _root_note(f)) for f in families],
            label="largest families by descendants", category_title="root model", value_title="descendants (models)",
            legend=[("", "root on the Hub"), ("offhub", "root not on the Hub")]
            if any(not f["on_hub"] for f in families) else ()),
        "trees": [charts.tree_chart(tree, label=f"family tree of {tree.model_id}") for tree in data["trees"]],
        "gated_by_family": charts.hbar_chart(
            [Bar(f["license_family"], f["gated_share"]) for f in data["gated_by_family"]],
            label="gated share by license family", category_title="license family",
            value_title="gated share of the family's models (%)", value_text=formatting.percent,
            tick_text=lambda v: formatting.percent(v, 0), shares=True),
        "gated_by_night": charts.date_chart(
            [(n["snapshot_date"], n["gated_share"]) for n in data["nights"]], label="gated share per night",
            y_title="gated share of models (%)", value_text=formatting.percent, share=True),
        "license_families": charts.hbar_chart(
            [Bar(f["license_family"], f["models_share"]) for f in data["license_families"]],
            label="license families by share of models", category_title="license family",
            value_title="share of listed models (%)", value_text=formatting.percent,
            tick_text=lambda v: formatting.percent(v, 0), shares=True),
        "top_licenses": charts.hbar_chart(
            [Bar(f["license"], f["models"]) for f in data["top_licenses"]], label="most common licenses",
            category_title="license", value_title="listed models"),
        "license_drift": charts.heat_grid(
            sorted({r["parent_family"] for r in drift}), sorted({r["child_family"] for r in drift}),
            {(r["parent_family"], r["child_family"]): r["share_of_parent_family"] for r in drift},
            label="license family of derivatives by the parent's family", row_title="parent's license family",
            column_title="derivative's license family (share of the row's base-model links)"),
        "concentration": charts.concentration_chart(
            [(p["top_models"], p["share_of_models"], p["share_of_downloads"]) for p in data["concentration_curve"]],
            label="share of downloads drawn by the most downloaded models"),
        "top_models": charts.hbar_chart(
            [Bar(m["model_id"], m["downloads"]) for m in data["top_models"]], label="most downloaded models",
            category_title="model", value_title="downloads in the last 30 days"),
        "downloads_by_night": charts.date_chart(
            [(n["snapshot_date"], n["downloads_30d"]) for n in data["nights"]], label="30-day downloads per night",
            y_title="30-day downloads (sum)"),
        "languages": charts.hbar_chart(
            [Bar(lang["language"], lang["models"]) for lang in data["languages"]], label="most declared languages",
            category_title="language code", value_title="models declaring the language"),
    }


def context(data: dict, generated_at: dt.datetime) -> dict:
    cov = data["coverage"]
    snapshot = cov["snapshot_date"]
    milestones_by_period: dict = {}
    for m in data["milestones"]:
        group = milestones_by_period.setdefault((m["period"], m["threshold"]), [])
        group.append(m)
    return {
        "data": data,
        "title": "The Hugging Face Hub" + (f" on {formatting.long_date(snapshot)}" if snapshot else ""),
        "snapshot": snapshot,
        "cards": headline_cards(data),
        "ledes": {name: getattr(ledes, name)(data) for name in
                  ("headline", "changes", "growth", "derivatives", "gated", "licenses", "concentration", "languages", "coverage")},
        "milestone_groups": [{"period": p, "threshold": t, "models": ms[:MILESTONES_SHOWN],
                              "more": max(len(ms) - MILESTONES_SHOWN, 0)}
                             for (p, t), ms in milestones_by_period.items()],
        "off_hub_roots": [f for f in data["families"] if not f["on_hub"] or not f["alive"]],
        "rejected_at_snapshot": sum(r["at_snapshot"] for r in data["rejections"] or []),
        "rejected_last_30": sum(r["last_30_nights"] for r in data["rejections"] or []),
        "generated_at": generated_at,
    }


# --- rendering ---------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|#<>!~"} | {"\n": " ", "\r": " ", "\t": " "})


def md_escape(value) -> str:
    """Any value in Markdown: no emphasis, links, table breaks or raw HTML can be injected."""
    text = visible(value)
    return html.escape(text, quote=False).translate(_MD_SPECIAL).replace("\\&", "&")


FILTERS = {
    "number": formatting.number, "percent": formatting.percent, "signed": formatting.signed,
    "points": formatting.points, "plural": formatting.plural, "size": formatting.size, "date": formatting.date,
    "clock": formatting.clock, "compact": formatting.compact, "month_name": formatting.month_name,
}


def _environment(markdown: bool) -> Environment:
    env = Environment(loader=PackageLoader("analysis", "templates"), undefined=StrictUndefined,
                      autoescape=not markdown, finalize=md_escape if markdown else visible,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(FILTERS)
    return env


def render_html(data: dict, generated_at: dt.datetime | None = None) -> str:
    ctx = context(data, generated_at or dt.datetime.now(dt.timezone.utc))
    css = (resources.files(__package__) / "templates" / "report.css").read_text(encoding="utf-8")
    return _environment(markdown=False).get_template("report.html.j2").render(
        **ctx, charts=charts_for(data), css=Markup(css))


def render_markdown(data: dict, generated_at: dt.datetime | None = None) -> str:
    ctx = context(data, generated_at or dt.datetime.now(dt.timezone.utc))
    return _environment(markdown=True).get_template("report.md.j2").render(**ctx)


def render(con: duckdb.DuckDBPyConnection, fmt: str = "html", as_of: dt.date | None = None) -> str:
    """The report of the database behind `con` (read-only is fine) as HTML or Markdown; with
    `as_of`, of the Hub as it was on the latest complete night on or before that day."""
    if fmt not in ("html", "md"):
        raise ValueError(f"unknown report format {fmt!r}")
    data = collect(con, as_of)
    return render_html(data) if fmt == "html" else render_markdown(data)
