"""The hubcensus report: one self-contained HTML file, or a Markdown summary.

`render(con, fmt="html"|"md")` reads the analysis views (analysis/sql/) on any connection,
read-only included, and returns the document. Charts are inline SVG drawn here, so the file
needs no network and no JavaScript (its Content-Security-Policy forbids both). Every chart has
its numbers in a table beside it. Everything that comes from the Hub (model ids, authors,
license names, languages) is untrusted: it reaches HTML only through `esc()` (and Markdown
only through `md_escape()`), and every list is bounded by a LIMIT.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import string
from importlib import resources
from typing import Callable, Iterable, Sequence

import duckdb

from analysis.figures import compute_figures

# --- the data -------------------------------------------------------------------------------
# Every query reads the analysis views; limits keep the report small on a 3M-model Hub.

COVERAGE_SQL = """
SELECT (SELECT snapshot_date FROM latest_snapshot)                        AS snapshot_date,
       (SELECT count(*) FROM alive_models)                                AS alive,
       (SELECT count(*) FROM hub_models)                                  AS ever_seen,
       (SELECT count(*) FROM hub_models WHERE deleted_at IS NOT NULL)     AS deleted,
       (SELECT count(*) FROM hub_models WHERE refreshed_on IS NOT NULL)   AS refreshed,
       (SELECT count(DISTINCT snapshot_date) FROM model_snapshots)        AS snapshots,
       (SELECT min(snapshot_date) FROM model_snapshots)                   AS first_snapshot,
       (SELECT max(snapshot_date) FROM model_snapshots)                   AS last_snapshot
"""
# The latest run of each plan for the snapshot date (a day crawled twice keeps both in crawl_runs).
LAST_NIGHT_SQL = """
SELECT plan, status, finished_at, models_seen, requests, bytes
FROM crawl_runs
WHERE snapshot_date = (SELECT snapshot_date FROM latest_snapshot)
QUALIFY row_number() OVER (PARTITION BY plan ORDER BY run_id DESC) = 1
ORDER BY run_id
"""
DAILY_NEW_SQL = """
WITH days AS (
    SELECT CAST(unnest(generate_series(CAST(s - 89 AS TIMESTAMP), CAST(s AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS day
    FROM (SELECT snapshot_date AS s FROM latest_snapshot WHERE snapshot_date IS NOT NULL)
)
SELECT d.day, coalesce(g.new_models, 0) AS new_models
FROM days d LEFT JOIN growth_daily g ON g.day = d.day
ORDER BY d.day
"""
MONTHLY_SQL = "SELECT month, new_models, cumulative_models, cumulative_models_alive FROM growth_monthly ORDER BY month"
HUB_SIZE_SQL = "SELECT snapshot_date, models_listed FROM hub_size_by_snapshot ORDER BY snapshot_date"
TOP_DERIVATIVES_SQL = "SELECT * FROM figure_top_derivatives"
TOP_FAMILIES_SQL = "SELECT root_id, descendants, family_depth FROM top_families ORDER BY rank LIMIT ?"
TREE_LEVEL_SQL = """
WITH edges AS (
    SELECT parent_id, child_id, min(relation) AS relation
    FROM alive_lineage
    WHERE parent_id IN (SELECT unnest(CAST(? AS VARCHAR[])))
    GROUP BY parent_id, child_id
), ranked AS (
    SELECT e.parent_id, e.child_id, e.relation, coalesce(d.descendants, 0) AS descendants,
           row_number() OVER (PARTITION BY e.parent_id ORDER BY coalesce(d.descendants, 0) DESC, e.child_id) AS rn,
           count(*) OVER (PARTITION BY e.parent_id) AS siblings
    FROM edges e LEFT JOIN report_descendants d ON d.model_id = e.child_id
)
SELECT parent_id, child_id, relation, descendants, siblings FROM ranked WHERE rn <= ? ORDER BY parent_id, rn
"""
GATED_BY_SNAPSHOT_SQL = """
SELECT snapshot_date, models, gated_auto, gated_manual, gated_share
FROM gated_prevalence_by_snapshot ORDER BY snapshot_date
"""
GATED_BY_FAMILY_SQL = """
SELECT license_family, models, gated_auto + gated_manual AS gated, gated_share, gated_share_by_downloads
FROM gated_prevalence_by_license_family ORDER BY models DESC, license_family
"""
LICENSE_FAMILIES_SQL = """
SELECT license_family, models, models_share, downloads_share
FROM license_family_landscape ORDER BY models DESC, license_family
"""
TOP_LICENSES_SQL = """
SELECT coalesce(license, 'none') AS license, license_family, models, models_share, downloads_share
FROM license_landscape ORDER BY models DESC, license LIMIT 15
"""
LICENSE_DRIFT_SQL = """
SELECT parent_family, child_family, edges, edges_license_differs, share_of_parent_family
FROM license_drift ORDER BY parent_family, child_family
"""
LICENSE_DRIFT_SUMMARY_SQL = "SELECT * FROM license_drift_summary"
LICENSE_CHANGES_SQL = """
SELECT snapshot_date, coalesce(old_license, 'none'), coalesce(new_license, 'none'), models
FROM license_changes ORDER BY snapshot_date DESC, models DESC, 2, 3 LIMIT 15
"""
CONCENTRATION_SQL = """
SELECT models, downloads_30d, top_1pct_models, top_1pct_downloads_share, top_100_downloads_share,
       models_zero_downloads_30d, models_ge_1m_downloads_30d, models_ge_100m_downloads_all_time
FROM concentration
"""
# Lorenz-style curve: share of 30-day downloads held by the top x% of alive models.
LORENZ_SQL = """
WITH ranked AS (
    SELECT coalesce(downloads, 0) AS d,
           row_number() OVER (ORDER BY coalesce(downloads, 0) DESC, model_id) AS r
    FROM alive_models
), cumulative AS (
    SELECT r, sum(d) OVER (ORDER BY r ROWS UNBOUNDED PRECEDING) AS c,
           count(*) OVER () AS n, sum(d) OVER () AS total
    FROM ranked
), points AS (SELECT unnest([0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0]) AS x)
SELECT p.x, CASE WHEN c.total > 0 THEN c.c / c.total ELSE 0 END AS share
FROM points p JOIN cumulative c ON c.r = greatest(1, CAST(ceil(p.x * c.n) AS BIGINT))
ORDER BY p.x
"""
TOP_MODELS_SQL = "SELECT rank, model_id, downloads, likes, license FROM top_models_by_downloads ORDER BY rank LIMIT 15"
LANGUAGES_SQL = "SELECT language, models, downloads FROM language_counts ORDER BY models DESC, language LIMIT 20"
LANGUAGE_COVERAGE_SQL = "SELECT count(*) FILTER (WHERE len(coalesce(languages, [])) > 0), count(*) FROM alive_models"
DOWNLOADS_SQL = "SELECT snapshot_date, downloads_30d FROM downloads_ecosystem ORDER BY snapshot_date"

# The derivatives view walks the whole lineage (seconds at Hub scale); the tree queries read
# its counts once from a temporary table (allowed on read-only connections too).
DESCENDANTS_TEMP_SQL = "CREATE OR REPLACE TEMP TABLE report_descendants AS SELECT model_id, descendants FROM derivatives"
DROP_DESCENDANTS_TEMP_SQL = "DROP TABLE IF EXISTS temp.report_descendants"

TREE_FAMILIES = 3
TREE_CHILDREN = (6, 3)  # children shown per node at depth 1, 2
LABEL_CHARS = 40        # Hub strings in charts are cut to this (full text in the tooltip/table)


def _rows(con, sql: str, params: Sequence | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def collect(con: duckdb.DuckDBPyConnection) -> dict:
    """Everything the report shows, as plain Python values."""
    data = {
        "figures": compute_figures(con),
        "coverage": dict(zip(
            ("snapshot_date", "alive", "ever_seen", "deleted", "refreshed", "snapshots", "first_snapshot", "last_snapshot"),
            _rows(con, COVERAGE_SQL)[0],
        )),
        "last_night": _rows(con, LAST_NIGHT_SQL),
        "daily_new": _rows(con, DAILY_NEW_SQL),
        "monthly": _rows(con, MONTHLY_SQL),
        "hub_size": _rows(con, HUB_SIZE_SQL),
        "top_derivatives": _rows(con, TOP_DERIVATIVES_SQL),
        "families": family_trees(con),
        "gated_by_snapshot": _rows(con, GATED_BY_SNAPSHOT_SQL),
        "gated_by_family": _rows(con, GATED_BY_FAMILY_SQL),
        "license_families": _rows(con, LICENSE_FAMILIES_SQL),
        "top_licenses": _rows(con, TOP_LICENSES_SQL),
        "license_drift": _rows(con, LICENSE_DRIFT_SQL),
        "license_drift_summary": (_rows(con, LICENSE_DRIFT_SUMMARY_SQL) or [None])[0],
        "license_changes": _rows(con, LICENSE_CHANGES_SQL),
        "concentration": (_rows(con, CONCENTRATION_SQL) or [None])[0],
        "lorenz": _rows(con, LORENZ_SQL),
        "top_models": _rows(con, TOP_MODELS_SQL),
        "languages": _rows(con, LANGUAGES_SQL),
        "language_coverage": _rows(con, LANGUAGE_COVERAGE_SQL)[0],
        "downloads": _rows(con, DOWNLOADS_SQL),
    }
    return data


def family_trees(con) -> list[dict]:
    con.execute(DESCENDANTS_TEMP_SQL)
    try:
        return [family_tree(con, root, descendants, depth)
                for root, descendants, depth in _rows(con, TOP_FAMILIES_SQL, [TREE_FAMILIES])]
    finally:
        con.execute(DROP_DESCENDANTS_TEMP_SQL)


def family_tree(con, root: str, descendants: int, depth: int) -> dict:
    """The top of one family: the root, its largest children, and theirs (a bounded tree)."""
    tree = {"id": root, "relation": None, "descendants": int(descendants), "children": [], "more": 0}
    level, seen = [tree], {root}
    for limit in TREE_CHILDREN:
        by_parent = {node["id"]: node for node in level}
        next_level = []
        for parent_id, child_id, relation, child_descendants, siblings in _rows(
            con, TREE_LEVEL_SQL, [list(by_parent), limit]
        ):
            parent = by_parent[parent_id]
            parent["more"] = int(siblings) - min(int(siblings), limit)
            if child_id in seen:  # a merge reached twice, or a cycle: draw it once
                continue
            seen.add(child_id)
            child = {"id": child_id, "relation": relation, "descendants": int(child_descendants), "children": [], "more": 0}
            parent["children"].append(child)
            next_level.append(child)
        level = next_level
        if not level:
            break
    tree["depth"] = int(depth)
    return tree


# --- HTML building blocks -------------------------------------------------------------------

class Html(str):
    """Markup this module built itself; anything else is text and gets escaped."""


def esc(value) -> Html:
    if isinstance(value, Html):
        return value
    return Html(html.escape("" if value is None else str(value), quote=True))


def join(parts: Iterable) -> Html:
    return Html("".join(esc(p) for p in parts))


def clip(text, limit: int = LABEL_CHARS) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fmt_int(value) -> str:
    return "–" if value is None else f"{int(value):,}"


def fmt_share(value, digits: int = 1) -> str:
    return "–" if value is None else f"{float(value) * 100:.{digits}f}%"


def fmt_bytes(value) -> str:
    if value is None:
        return "–"
    size = float(value)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return str(value)


def table(headers: Sequence[str], rows: Iterable[Sequence], numeric: Sequence[bool] | None = None,
          id_columns: Sequence[int] = ()) -> Html:
    rows = list(rows)
    if not rows:
        return Html('<p class="empty">no data yet</p>')
    numeric = numeric or [False] * len(headers)
    head = join(Html(f'<th class="num">{esc(h)}</th>' if n else f"<th>{esc(h)}</th>") for h, n in zip(headers, numeric))
    body = []
    for row in rows:
        cells = []
        for i, (cell, n) in enumerate(zip(row, numeric)):
            css = ' class="num"' if n else (' class="id"' if i in id_columns else "")
            cells.append(Html(f"<td{css}>{esc(cell)}</td>"))
        body.append(Html(f"<tr>{join(cells)}</tr>"))
    return Html(f"<table><thead><tr>{head}</tr></thead><tbody>{join(body)}</tbody></table>")


def pair(chart: Html, data_table: Html, caption: str = "", stacked: bool = False) -> Html:
    """A chart with its numbers beside it (or below it, for tables too wide to sit beside)."""
    caption_html = Html(f"<figcaption>{esc(caption)}</figcaption>") if caption else Html("")
    layout = "pair stacked" if stacked else "pair"
    return Html(f'<div class="{layout}"><figure>{chart}{caption_html}</figure><div>{data_table}</div></div>')


def _svg(width: int, height: int, label: str, body: Iterable) -> Html:
    return Html(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{esc(label)}" class="chart">{join(body)}</svg>'
    )


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def hbar_chart(label: str, items: Sequence[tuple[str, float]], value_text: Callable[[float], str] = fmt_int,
               width: int = 640) -> Html:
    """Horizontal bars, one per (label, value), largest scale = longest bar."""
    if not items:
        return Html('<p class="empty">no data yet</p>')
    row, left, right = 22, 230, 90
    height = row * len(items) + 10
    top = max(float(v or 0) for _, v in items) or 1.0
    body = []
    for i, (name, value) in enumerate(items):
        y = 5 + i * row
        bar = (width - left - right) * float(value or 0) / top
        body.append(Html(
            f'<g><title>{esc(name)}: {esc(value_text(value))}</title>'
            f'<text class="label" x="{left - 6}" y="{y + 15}" text-anchor="end">{esc(clip(name, 34))}</text>'
            f'<rect class="bar" x="{left}" y="{y + 3}" width="{max(bar, 1):.1f}" height="{row - 7}"></rect>'
            f'<text class="muted" x="{left + bar + 5:.1f}" y="{y + 15}">{esc(value_text(value))}</text></g>'
        ))
    return _svg(width, height, label, body)


def column_chart(label: str, items: Sequence[tuple[str, float]], width: int = 640, height: int = 220) -> Html:
    """Vertical bars over an ordered axis (e.g. days), with first/middle/last tick labels."""
    if not items:
        return Html('<p class="empty">no data yet</p>')
    left, bottom, top_pad = 50, 24, 10
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top = _nice_max(max(float(v or 0) for _, v in items))
    step = plot_w / len(items)
    body = _y_axis(left, top_pad, plot_w, plot_h, top, fmt_int)
    for i, (name, value) in enumerate(items):
        h = plot_h * float(value or 0) / top
        body.append(Html(
            f'<rect class="bar" x="{left + i * step + 0.5:.1f}" y="{top_pad + plot_h - h:.1f}" width="{max(step - 1, 0.5):.1f}" '
            f'height="{h:.1f}"><title>{esc(name)}: {esc(fmt_int(value))}</title></rect>'
        ))
    body += _x_ticks([name for name, _ in items], left, step, top_pad + plot_h)
    return _svg(width, height, label, body)


def line_chart(label: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
               value_text: Callable[[float], str] = fmt_int, y_max: float | None = None,
               width: int = 640, height: int = 220) -> Html:
    """One or two lines over an ordered axis; a single point is drawn as a dot."""
    if not x_labels:
        return Html('<p class="empty">no data yet</p>')
    left, bottom, top_pad = 64, 24, 10
    plot_w, plot_h = width - left - 14, height - bottom - top_pad
    top = y_max or _nice_max(max(float(v or 0) for _, values in series for v in values))
    step = plot_w / max(len(x_labels) - 1, 1)
    body = _y_axis(left, top_pad, plot_w, plot_h, top, value_text)
    for index, (name, values) in enumerate(series):
        css = "line" if index == 0 else "line2"
        points = [(left + i * step, top_pad + plot_h - plot_h * float(v or 0) / top) for i, v in enumerate(values)]
        if len(points) == 1:
            x, y = points[0]
            body.append(Html(f'<circle class="bar{"" if index == 0 else "2"}" cx="{x:.1f}" cy="{y:.1f}" r="4">'
                             f'<title>{esc(name)} {esc(x_labels[0])}: {esc(value_text(values[0]))}</title></circle>'))
        else:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(Html(f'<polyline class="{css}" points="{path}"><title>{esc(name)}</title></polyline>'))
    body += _x_ticks(list(x_labels), left, step, top_pad + plot_h, centred=False)
    return _svg(width, height, label, body)


def _y_axis(left, top_pad, plot_w, plot_h, top, value_text) -> list[Html]:
    parts = []
    for fraction in (0, 0.5, 1):
        y = top_pad + plot_h - plot_h * fraction
        parts.append(Html(f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}"></line>'))
        tick = top * fraction
        text = f"{tick:,.1f}" if value_text is fmt_int and tick != int(tick) else value_text(tick)
        parts.append(Html(f'<text class="muted" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{esc(text)}</text>'))
    parts.append(Html(f'<line class="axis" x1="{left}" x2="{left + plot_w}" y1="{top_pad + plot_h}" y2="{top_pad + plot_h}"></line>'))
    return parts


def _x_ticks(names: Sequence[str], left, step, y, centred: bool = True) -> list[Html]:
    if not names:
        return []
    indexes = sorted({0, len(names) // 2, len(names) - 1})
    parts = []
    for i in indexes:
        x = left + i * step + (step / 2 if centred else 0)
        anchor = "start" if i == 0 else ("end" if i == len(names) - 1 and len(names) > 1 else "middle")
        parts.append(Html(f'<text class="muted" x="{x:.1f}" y="{y + 16}" text-anchor="{anchor}">{esc(names[i])}</text>'))
    return parts


def tree_chart(family: dict, width: int = 640) -> Html:
    """An indented tree: each row one model, an elbow line from its parent."""
    rows: list[tuple[int, dict, int | None]] = []  # (depth, node, parent row)

    def walk(node, depth, parent_row):
        rows.append((depth, node, parent_row))
        me = len(rows) - 1
        for child in node["children"]:
            walk(child, depth + 1, me)
        if node["more"]:
            rows.append((depth + 1, {"id": f"+ {node['more']:,} more", "relation": None, "descendants": None,
                                      "children": [], "more": 0, "placeholder": True}, me))

    walk(family, 0, None)
    row_h, indent = 22, 26
    body = []
    for index, (depth, node, parent_row) in enumerate(rows):
        x, y = 10 + depth * indent, 8 + index * row_h
        if parent_row is not None:
            px, py = 10 + (depth - 1) * indent + 5, 8 + parent_row * row_h + 11
            body.append(Html(f'<path class="edge" d="M{px},{py} V{y + 8} H{x}"></path>'))
        if node.get("placeholder"):
            body.append(Html(f'<text class="muted" x="{x + 4}" y="{y + 12}">{esc(node["id"])}</text>'))
            continue
        detail = " · ".join(p for p in (node["relation"], f"{node['descendants']:,} descendants" if node["descendants"] else "") if p)
        body.append(Html(
            f'<g><title>{esc(node["id"])}</title><rect class="node" x="{x}" y="{y + 2}" width="10" height="12" rx="2"></rect>'
            f'<text class="label" x="{x + 16}" y="{y + 12}">{esc(clip(node["id"], 48))}</text>'
            f'<text class="muted" x="{width - 8}" y="{y + 12}" text-anchor="end">{esc(detail)}</text></g>'
        ))
    return _svg(width, 16 + len(rows) * row_h, f"family tree of {family['id']}", body)


def matrix_chart(label: str, rows: Sequence[str], columns: Sequence[str], values: dict, width: int = 640) -> Html:
    """A heat grid of shares (0..1): rows = parent license family, columns = child family."""
    if not rows:
        return Html('<p class="empty">no data yet</p>')
    left, top_pad, cell_h = 170, 70, 26
    cell_w = (width - left - 60) / max(len(columns), 1)  # room for the last rotated label
    body = []
    for j, column in enumerate(columns):
        x = left + j * cell_w + cell_w / 2
        body.append(Html(f'<text class="muted" transform="translate({x:.1f},{top_pad - 6}) rotate(-30)">{esc(clip(column, 22))}</text>'))
    for i, row in enumerate(rows):
        y = top_pad + i * cell_h
        body.append(Html(f'<text class="label" x="{left - 6}" y="{y + 17}" text-anchor="end">{esc(clip(row, 24))}</text>'))
        for j, column in enumerate(columns):
            share = values.get((row, column))
            if share is None:
                continue
            x = left + j * cell_w
            body.append(Html(
                f'<g><title>{esc(row)} → {esc(column)}: {esc(fmt_share(share))}</title>'
                f'<rect class="bar" x="{x + 1:.1f}" y="{y + 1}" width="{cell_w - 2:.1f}" height="{cell_h - 2}" '
                f'fill-opacity="{0.15 + 0.85 * float(share):.2f}"></rect>'
                f'<text class="label" x="{x + cell_w / 2:.1f}" y="{y + 17}" text-anchor="middle">{esc(fmt_share(share, 0))}</text></g>'
            ))
    return _svg(width, top_pad + len(rows) * cell_h + 8, label, body)


# --- the HTML report ------------------------------------------------------------------------

def _template(name: str) -> str:
    return (resources.files(__package__) / "templates" / name).read_text(encoding="utf-8")


def coverage_html(data: dict) -> Html:
    cov = data["coverage"]
    if cov["snapshot_date"] is None:
        return Html('<p class="coverage">The database holds no crawl yet: run <code>hubcensus crawl</code>.</p>')
    nights = join(
        Html(f"{esc(plan)} {esc(status)}" + (f" at {esc(str(finished)[:16])} UTC" if finished else "")
             + f" ({esc(fmt_int(models))} models, {esc(fmt_int(requests))} requests, {esc(fmt_bytes(size))})"
             + ("; " if i < len(data["last_night"]) - 1 else ""))
        for i, (plan, status, finished, models, requests, size) in enumerate(data["last_night"])
    )
    return Html(
        f'<p class="coverage">Snapshot <strong>{esc(cov["snapshot_date"])}</strong> (the latest complete sweep). '
        f'Covers <strong>{esc(fmt_int(cov["alive"]))}</strong> public models listed that night '
        f'({esc(fmt_int(cov["ever_seen"]))} ever seen, {esc(fmt_int(cov["deleted"]))} since deleted; heavy metadata '
        f'refreshed for {esc(fmt_int(cov["refreshed"]))}), from {esc(fmt_int(cov["snapshots"]))} nightly snapshots '
        f'{esc(cov["first_snapshot"])} – {esc(cov["last_snapshot"])}. Downloads are the Hub\'s rolling 30-day counts.</p>'
        + (f'<p class="coverage">That night\'s crawl: {nights}.</p>' if data["last_night"] else "")
    )


def section_growth(data: dict) -> Html:
    daily = [(str(day), n) for day, n in data["daily_new"]]
    monthly = data["monthly"]
    months = [m for m, *_ in monthly]
    parts = [
        Html("<h3>New models per day (last 90 days)</h3>"),
        pair(column_chart("new models per day", daily),
             table(["day", "new models"], [(d, fmt_int(n)) for d, n in daily[-14:]], [False, True]),
             "by UTC date of createdAt, every model seen (deleted ones included); table: last 14 days"),
        Html("<h3>Cumulative models</h3>"),
        pair(line_chart("cumulative models by month", months,
                        [("all models seen", [r[2] for r in monthly]), ("still listed", [r[3] for r in monthly])]),
             table(["month", "new", "cumulative", "still listed"],
                   [(m, fmt_int(n), fmt_int(c), fmt_int(a)) for m, n, c, a in monthly[-18:]], [False, True, True, True]),
             "blue: every model seen; dashed orange: those still listed. The Hub floors createdAt of pre-2022-03 repos "
             "to 2022-03-02, hence the first step"),
    ]
    if len(data["hub_size"]) > 1:
        parts.append(pair(
            line_chart("models listed per snapshot", [str(d) for d, _ in data["hub_size"]], [("listed", [n for _, n in data["hub_size"]])]),
            table(["snapshot", "models listed"], [(d, fmt_int(n)) for d, n in data["hub_size"][-14:]], [False, True]),
            "models listed by the Hub at each nightly snapshot",
        ))
    return Html("".join(parts))


def section_derivatives(data: dict) -> Html:
    top = data["top_derivatives"]
    parts = [pair(
        hbar_chart("descendants of the top models", [(r[0], r[2]) for r in top]),
        table(["model", "descendants", "direct", "finetune", "adapter", "quantized", "merge"],
              [(r[0], *(fmt_int(v) for v in (r[2], r[1], r[3], r[4], r[5], r[6]))) for r in top],
              [False] + [True] * 6, id_columns=(0,)),
        "transitive descendants (alive models reachable through base-model edges); top 20",
        stacked=True,
    )]
    for family in data["families"]:
        parts.append(Html(f"<h3>Family of {esc(family['id'])}: {esc(fmt_int(family['descendants']))} descendants, "
                          f"{esc(fmt_int(family['depth']))} generations</h3>"))
        children = [(c["id"], c["relation"], fmt_int(c["descendants"])) for c in family["children"]]
        parts.append(pair(
            tree_chart(family),
            table(["child", "relation", "descendants"], children, [False, False, True], id_columns=(0,)),
            "the largest branches, two generations deep",
        ))
    return Html("".join(parts))


def section_gated(data: dict) -> Html:
    by_snapshot = data["gated_by_snapshot"]
    by_family = data["gated_by_family"]
    return Html("".join([
        Html("<h3>Over time</h3>"),
        pair(line_chart("gated share per snapshot", [str(r[0]) for r in by_snapshot],
                        [("gated share", [r[4] for r in by_snapshot])], value_text=fmt_share),
             table(["snapshot", "models", "auto", "manual", "gated share"],
                   [(d, fmt_int(m), fmt_int(a), fmt_int(g), fmt_share(s, 2)) for d, m, a, g, s in by_snapshot[-14:]],
                   [False, True, True, True, True]),
             "share of listed models behind a gate (auto or manual approval), per nightly snapshot"),
        Html("<h3>By license family</h3>"),
        pair(hbar_chart("gated share by license family", [(r[0], r[3]) for r in by_family], fmt_share),
             table(["license family", "models", "gated", "share", "share of downloads"],
                   [(f, fmt_int(m), fmt_int(g), fmt_share(s), fmt_share(d)) for f, m, g, s, d in by_family],
                   [False, True, True, True, True])),
    ]))


def section_licenses(data: dict) -> Html:
    families = data["license_families"]
    drift = data["license_drift"]
    summary = data["license_drift_summary"]
    parents = sorted({r[0] for r in drift})
    children = sorted({r[1] for r in drift})
    parts = [
        pair(hbar_chart("models by license family", [(r[0], r[1]) for r in families]),
             table(["license family", "models", "share", "share of downloads"],
                   [(f, fmt_int(m), fmt_share(s), fmt_share(d)) for f, m, s, d in families], [False, True, True, True])),
        Html("<h3>Top licenses</h3>"),
        pair(hbar_chart("models by license", [(r[0], r[2]) for r in data["top_licenses"]]),
             table(["license", "family", "models", "share", "share of downloads"],
                   [(l, f, fmt_int(m), fmt_share(s), fmt_share(d)) for l, f, m, s, d in data["top_licenses"]],
                   [False, False, True, True, True], id_columns=(0,))),
        Html("<h3>Drift along lineage</h3>"),
    ]
    if summary is not None:
        parts.append(Html(
            f'<p class="note">Of {esc(fmt_int(summary[0]))} base-model edges whose parent is on the Hub, '
            f'{esc(fmt_int(summary[1]))} ({esc(fmt_share(summary[2]))}) declare a different license than the parent; '
            f'of {esc(fmt_int(summary[3]))} derivatives of restricted or non-commercial bases, {esc(fmt_int(summary[4]))} '
            f'({esc(fmt_share(summary[5]))}) declare a permissive license.</p>'
        ))
    parts.append(pair(
        matrix_chart("license family of derivatives by parent family", parents, children,
                     {(r[0], r[1]): r[4] for r in drift}),
        table(["parent family", "child family", "edges", "license differs", "share"],
              [(p, c, fmt_int(e), fmt_int(d), fmt_share(s)) for p, c, e, d, s in drift], [False, False, True, True, True]),
        "rows: the parent's license family; cells: share of its derivative edges by the child's family",
    ))
    parts.append(Html("<h3>License changes observed night to night</h3>"))
    parts.append(table(["snapshot", "old license", "new license", "models"],
                       [(d, o, n, fmt_int(m)) for d, o, n, m in data["license_changes"]], [False, False, False, True]))
    return Html("".join(parts))


def section_concentration(data: dict) -> Html:
    row = data["concentration"]
    lorenz = data["lorenz"]
    parts = []
    if row is not None:
        parts.append(Html(
            f'<p class="note">{esc(fmt_int(row[0]))} listed models had {esc(fmt_int(row[1]))} downloads in the last 30 days. '
            f'The top 1% ({esc(fmt_int(row[2]))} models) hold {esc(fmt_share(row[3]))}; the top 100 hold {esc(fmt_share(row[4]))}. '
            f'{esc(fmt_int(row[5]))} models had no download; {esc(fmt_int(row[6]))} had a million or more; '
            f'{esc(fmt_int(row[7]))} passed 100 million downloads all time.</p>'
        ))
    parts.append(pair(
        hbar_chart("share of 30-day downloads held by the most downloaded models",
                   [(f"top {fmt_share(x, 1)} of models", s) for x, s in lorenz], fmt_share),
        table(["top share of models", "share of 30-day downloads"],
              [(fmt_share(x, 1), fmt_share(s)) for x, s in lorenz], [True, True]),
        "models ranked by 30-day downloads: the share of all downloads held by the top x% of them",
    ))
    parts.append(Html("<h3>Most downloaded models</h3>"))
    parts.append(pair(
        hbar_chart("30-day downloads of the most downloaded models", [(r[1], r[2]) for r in data["top_models"]]),
        table(["#", "model", "downloads (30 d)", "likes", "license"],
              [(r[0], r[1], fmt_int(r[2]), fmt_int(r[3]), r[4] or "none") for r in data["top_models"]],
              [True, False, True, True, False], id_columns=(1,)),
        stacked=True,
    ))
    if len(data["downloads"]) > 1:
        parts.append(Html("<h3>Downloads over time</h3>"))
        parts.append(pair(
            line_chart("30-day downloads of all listed models per snapshot", [str(d) for d, _ in data["downloads"]],
                       [("downloads (30 d)", [v for _, v in data["downloads"]])]),
            table(["snapshot", "downloads (30 d)"], [(d, fmt_int(v)) for d, v in data["downloads"][-14:]], [False, True]),
        ))
    return Html("".join(parts))


def section_languages(data: dict) -> Html:
    declared, total = data["language_coverage"]
    languages = data["languages"]
    return Html(
        f'<p class="note">{esc(fmt_int(declared))} of {esc(fmt_int(total))} listed models declare at least one language '
        f'in their card; a model counts once per language it declares.</p>'
        + pair(hbar_chart("models per declared language", [(r[0], r[1]) for r in languages]),
               table(["language", "models", "downloads (30 d)"], [(l, fmt_int(m), fmt_int(d)) for l, m, d in languages],
                     [False, True, True], id_columns=(0,)),
               "the 20 languages declared by most models")
    )


SECTIONS = (
    ("growth", "Growth", section_growth),
    ("derivatives", "Derivatives and families", section_derivatives),
    ("gated", "Gated models", section_gated),
    ("licenses", "Licenses", section_licenses),
    ("concentration", "Download concentration", section_concentration),
    ("languages", "Languages", section_languages),
)


def render_html(data: dict, generated_at: dt.datetime | None = None, db_note: str = "the hubcensus database") -> str:
    generated_at = generated_at or dt.datetime.now(dt.timezone.utc)
    title = "hubcensus: the Hugging Face Hub" + (f" on {data['coverage']['snapshot_date']}" if data["coverage"]["snapshot_date"] else "")
    toc = join(Html(f'<a href="#{key}">{esc(name)}</a>') for key, name, _ in SECTIONS)
    sections = join(
        Html(f'<section id="{key}"><h2>{esc(name)}</h2>{build(data)}</section>') for key, name, build in SECTIONS
    )
    return string.Template(_template("report.html")).substitute(
        title=esc(title), css=_template("report.css"), coverage=coverage_html(data), toc=toc, sections=sections,
        generated_at=esc(generated_at.strftime("%Y-%m-%d %H:%M")), db_note=esc(db_note),
    )


# --- the Markdown summary -------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|#<>!~"} | {"\n": " ", "\r": " "})


def md_escape(value) -> str:
    """Hub text in Markdown: no emphasis, links, table breaks or raw HTML can be injected."""
    return html.escape("" if value is None else str(value), quote=False).translate(_MD_SPECIAL).replace("\\&", "&")


def md_table(headers: Sequence[str], rows: Iterable[Sequence], numeric: Sequence[bool]) -> str:
    rows = list(rows)
    if not rows:
        return "_no data yet_\n"
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def render_markdown(data: dict) -> str:
    figures, cov = data["figures"], data["coverage"]
    if cov["snapshot_date"] is None:
        return "# hubcensus\n\nThe database holds no crawl yet: run `hubcensus crawl`.\n"
    conc = data["concentration"]
    out = [
        f"# The Hugging Face Hub on {cov['snapshot_date']}",
        "",
        f"*hubcensus snapshot {cov['snapshot_date']}: {fmt_int(cov['alive'])} public models listed "
        f"({fmt_int(cov['ever_seen'])} ever seen, {fmt_int(cov['deleted'])} deleted), {fmt_int(cov['snapshots'])} nightly "
        f"snapshots {cov['first_snapshot']} – {cov['last_snapshot']}.*",
        "",
        f"- **{fmt_int(figures['models_total'])}** public models; **{fmt_int(figures['models_created_last_30d'])}** created in the last 30 days",
        f"- **{fmt_int(figures['models_with_base_model'])}** declare a base model "
        f"({fmt_share(figures['models_with_base_model'] / figures['models_total'] if figures['models_total'] else 0)})",
        f"- **{fmt_share(figures['gated_share'], 2)}** are gated ({fmt_int(figures['gated']['auto'])} auto, {fmt_int(figures['gated']['manual'])} manual)",
        f"- **{fmt_int(figures['models_ge_100m_downloads_all_time'])}** models passed 100 million downloads all time",
    ]
    if conc is not None:
        out.append(f"- the top 1% of models hold **{fmt_share(conc[3])}** of 30-day downloads")
    out += ["", "## Largest derivative families", ""]
    out.append(md_table(["model", "descendants", "direct", "finetune", "adapter", "quantized", "merge"],
                        [(r[0], *(fmt_int(v) for v in (r[2], r[1], r[3], r[4], r[5], r[6]))) for r in data["top_derivatives"][:10]],
                        [False] + [True] * 6))
    out += ["## License families", ""]
    out.append(md_table(["license family", "models", "share", "gated share"],
                        [(f, fmt_int(m), fmt_share(s), fmt_share(dict((r[0], r[3]) for r in data["gated_by_family"]).get(f)))
                         for f, m, s, _d in data["license_families"]], [False, True, True, True]))
    out += ["## Top licenses", ""]
    out.append(md_table(["license", "family", "models", "share"],
                        [(l, f, fmt_int(m), fmt_share(s)) for l, f, m, s, _d in data["top_licenses"][:10]],
                        [False, False, True, True]))
    out += ["## Languages", ""]
    out.append(md_table(["language", "models"], [(l, fmt_int(m)) for l, m, _d in data["languages"][:10]], [False, True]))
    out += ["## Growth (models created per month, last 12)", ""]
    out.append(md_table(["month", "new models", "cumulative"],
                        [(m, fmt_int(n), fmt_int(c)) for m, n, c, _a in data["monthly"][-12:]], [False, True, True]))
    return "\n".join(out).rstrip() + "\n"


def render(con: duckdb.DuckDBPyConnection, fmt: str = "html") -> str:
    data = collect(con)
    if fmt == "md":
        return render_markdown(data)
    if fmt == "html":
        return render_html(data)
    raise ValueError(f"unknown report format {fmt!r}")
