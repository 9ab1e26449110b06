"""The report's charts: inline SVG, no JavaScript, no network.

Every chart has a title for each axis (with its unit), tick labels, and a <title> tooltip per
mark with the exact number. Markup is built with markupsafe (Jinja2's own escaping): `el()`
escapes every attribute value and every text child that is not already Markup, so a model id
such as `<script>` is drawn as text. Colours and fonts live in templates/report.css (classes
only), so the charts print as they show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

from markupsafe import Markup, escape

from analysis.formatting import compact, number, percent, visible

WIDTH = 720
LABEL_CHARS = 42  # Hub strings drawn in a chart are cut to this; the tooltip has them whole


# --- building blocks ---------------------------------------------------------------------------

def _attr_value(value) -> str:
    return f"{value:.1f}" if isinstance(value, float) else visible(value)


def el(tag: str, *children, **attrs) -> Markup:
    """<tag attr="..">children</tag>; `class_` -> class, `text_anchor` -> text-anchor."""
    attributes = Markup("").join(
        Markup(' {}="{}"').format(name.rstrip("_").replace("_", "-"), _attr_value(value))
        for name, value in attrs.items() if value is not None
    )
    return Markup("<{0}{1}>{2}</{0}>").format(Markup(tag), attributes, Markup("").join(escape(visible(c)) for c in children))


def svg(width: int, height: int, label: str, body: Sequence[Markup]) -> Markup:
    return el("svg", *body, xmlns="http://www.w3.org/2000/svg", viewBox=f"0 0 {width} {height}", width=width,
              height=height, role="img", aria_label=label, class_="chart")


def clip(text, limit: int = LABEL_CHARS) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def nice_ticks(top: float, steps: int = 4, integer: bool = False) -> list[float]:
    """0 .. a round number >= top in about `steps` round steps (whole steps for counts)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1, math.ceil(step))
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def empty(message: str = "no data yet") -> Markup:
    return el("p", message, class_="empty")


def _axis_titles(x_title: str, y_title: str, left: int, plot_w: float, top: int, plot_h: float, x_title_y: float) -> list:
    return [
        el("text", x_title, class_="axis-title", x=left + plot_w / 2, y=x_title_y, text_anchor="middle"),
        el("text", y_title, class_="axis-title", text_anchor="middle",
           transform=f"translate(14,{top + plot_h / 2:.1f}) rotate(-90)"),
    ]


def _y_grid(ticks: Sequence[tuple[float, str]], to_y: Callable[[float], float], left: int, plot_w: float) -> list:
    parts = []
    for value, text in ticks:
        y = to_y(value)
        parts.append(el("line", class_="grid", x1=left, x2=left + plot_w, y1=y, y2=y))
        parts.append(el("text", text, class_="tick", x=left - 6, y=y + 4, text_anchor="end"))
    return parts


# --- vertical columns over an ordered axis (months) ----------------------------------------------

@dataclass
class Column:
    label: str
    value: float
    partial: bool = False
    note: str = ""  # tooltip addition, e.g. "partial: 10 of 30 days"


def column_chart(items: Sequence[Column], *, label: str, x_title: str, y_title: str,
                 value_text: Callable = number, tick_every: int = 3) -> Markup:
    """Columns; a partial period is drawn pale with a dashed outline and labelled 'partial'."""
    if not items:
        return empty()
    left, right, top, plot_h = 70, 40, 30, 190
    plot_w = WIDTH - left - right
    ticks = nice_ticks(max(float(i.value or 0) for i in items), integer=True)
    to_y = lambda v: top + plot_h - plot_h * v / ticks[-1]  # noqa: E731
    step = plot_w / len(items)
    body = _y_grid([(t, compact(t)) for t in ticks], to_y, left, plot_w)
    for index, item in enumerate(items):
        x, y = left + index * step + step * 0.12, to_y(float(item.value or 0))
        tooltip = f"{item.label}: {value_text(item.value)}" + (f" ({item.note})" if item.note else "")
        body.append(el("rect", el("title", tooltip), class_="bar partial" if item.partial else "bar",
                       x=x, y=y, width=step * 0.76, height=top + plot_h - y))
        if item.partial:  # above the plot (no bar reaches there), tied to its bar by a dashed leader
            centre = x + step * 0.38
            body.append(el("line", class_="partial-leader", x1=centre, x2=centre, y1=top - 4, y2=y - 2))
            body.append(el("text", "partial", class_="partial-label", x=x + step * 0.76, y=top - 8, text_anchor="end"))
        if (len(items) - 1 - index) % tick_every == 0:
            body.append(el("text", item.label, class_="tick", x=x + step * 0.38, y=top + plot_h + 15, text_anchor="middle"))
    body.append(el("line", class_="axis", x1=left, x2=left + plot_w, y1=top + plot_h, y2=top + plot_h))
    body += _axis_titles(x_title, y_title, left, plot_w, top, plot_h, top + plot_h + 38)
    return svg(WIDTH, top + plot_h + 46, label, body)


# --- horizontal bars (ranked categories) -----------------------------------------------------------

@dataclass
class Bar:
    label: str
    value: float
    kind: str = ""   # extra CSS class, e.g. "offhub" (drawn grey, see the legend)
    note: str = ""   # shown after the value, e.g. "not on the Hub"


def hbar_chart(items: Sequence[Bar], *, label: str, category_title: str, value_title: str,
               value_text: Callable = number, tick_text: Callable = compact,
               legend: Sequence[tuple[str, str]] = (), shares: bool = False) -> Markup:
    """One bar per item, longest = largest; the value (and note) printed after each bar.
    shares: values are shares 0..1 (ticks need not be whole numbers)."""
    if not items:
        return empty()
    left, right, top, row = 250, 120, 26, 22
    plot_w = WIDTH - left - right
    ticks = nice_ticks(max(float(i.value or 0) for i in items), integer=not shares)
    to_x = lambda v: left + plot_w * v / ticks[-1]  # noqa: E731
    plot_h = row * len(items)
    body = [el("text", category_title, class_="axis-title", x=left - 8, y=14, text_anchor="end")]
    for value in ticks:
        body.append(el("line", class_="grid", x1=to_x(value), x2=to_x(value), y1=top, y2=top + plot_h))
        body.append(el("text", tick_text(value), class_="tick", x=to_x(value), y=top + plot_h + 14, text_anchor="middle"))
    for index, item in enumerate(items):
        y = top + index * row
        end = to_x(float(item.value or 0))
        shown = value_text(item.value) + (f" · {item.note}" if item.note else "")
        body.append(el("g",
                       el("title", f"{item.label}: {shown}"),
                       el("text", clip(item.label, 36), class_="label", x=left - 8, y=y + 15, text_anchor="end"),
                       el("rect", class_=f"bar {item.kind}".strip(), x=left, y=y + 4, width=max(end - left, 1.0),
                          height=row - 8),
                       el("text", shown, class_="value", x=end + 5, y=y + 15)))
    body.append(el("line", class_="axis", x1=left, x2=left, y1=top, y2=top + plot_h))
    body.append(el("text", value_title, class_="axis-title", x=left + plot_w / 2, y=top + plot_h + 34, text_anchor="middle"))
    height = top + plot_h + 44
    for index, (css, text) in enumerate(legend):
        x = left + index * 200
        body.append(el("rect", class_=f"bar {css}".strip(), x=x, y=height - 2, width=12, height=10))
        body.append(el("text", text, class_="tick", x=x + 17, y=height + 7))
    return svg(WIDTH, height + (18 if legend else 0), label, body)


# --- lines over dates, and the concentration curve ------------------------------------------------

@dataclass
class Series:
    name: str
    points: list[tuple[float, float]] = field(default_factory=list)  # (x, y) in data units


def _plot(series: Sequence[Series], *, label: str, x_title: str, y_title: str, x_ticks: Sequence[tuple[float, str]],
          y_ticks: Sequence[tuple[float, str]], x_domain: tuple[float, float], y_domain: tuple[float, float],
          point_text: Callable[[float, float], str], x_map: Callable[[float], float] = lambda v: v) -> Markup:
    left, right, top, plot_h = 70, 24, 16, 200
    plot_w = WIDTH - left - right
    (x0, x1), (y0, y1) = (x_map(x_domain[0]), x_map(x_domain[1])), y_domain
    to_x = lambda v: left + plot_w * ((x_map(v) - x0) / (x1 - x0) if x1 != x0 else 0.5)  # noqa: E731
    to_y = lambda v: top + plot_h - plot_h * (v - y0) / ((y1 - y0) or 1)  # noqa: E731
    body = _y_grid(y_ticks, to_y, left, plot_w)
    for value, text in x_ticks:
        x = to_x(value)  # labels at the ends of the axis are anchored inside it
        anchor = "start" if x - left < 30 else ("end" if left + plot_w - x < 30 else "middle")
        body.append(el("text", text, class_="tick", x=x, y=top + plot_h + 15, text_anchor=anchor))
    for index, one in enumerate(series):
        css = "line" if index == 0 else "line second"
        coordinates = [(to_x(x), to_y(y)) for x, y in one.points]
        if len(coordinates) > 1:
            body.append(el("polyline", el("title", one.name), class_=css,
                           points=" ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)))
        for (x, y), (vx, vy) in zip(coordinates, one.points):
            body.append(el("circle", el("title", point_text(vx, vy)), class_="dot", cx=x, cy=y, r=3))
    body.append(el("line", class_="axis", x1=left, x2=left + plot_w, y1=top + plot_h, y2=top + plot_h))
    body += _axis_titles(x_title, y_title, left, plot_w, top, plot_h, top + plot_h + 36)
    return svg(WIDTH, top + plot_h + 44, label, body)


def date_chart(points: Sequence[tuple], *, label: str, y_title: str, value_text: Callable = number,
               tick_text: Callable = compact, share: bool = False) -> Markup:
    """One series over snapshot dates (x title: the snapshot date, UTC). share: y from 0 to 1."""
    points = [(d, v) for d, v in points if v is not None]
    if not points:
        return empty()
    ordinals = [(d.toordinal(), float(v)) for d, v in points]
    values = [v for _, v in ordinals]
    if share:
        top = max(nice_ticks(max(values) or 0.01)[-1], 0.01)
        y_ticks = [(t, percent(t, 1)) for t in nice_ticks(top)]
        low = 0.0
    else:
        span = max(values) - min(values)
        pad = span * 0.15 or max(abs(max(values)) * 0.05, 1)
        low_raw, high = max(min(values) - pad, 0), max(values) + pad
        step = nice_ticks(high - low_raw)[1]
        low = math.floor(low_raw / step) * step
        y_ticks = [(low + i * step, tick_text(low + i * step)) for i in range(int(math.ceil((high - low) / step)) + 1)]
    first, last = ordinals[0][0], ordinals[-1][0]
    domain = (first - 0.5, last + 0.5) if first == last else (first, last)
    x_ticks = [(d.toordinal(), d.isoformat()) for d in _date_ticks([d for d, _ in points], domain)]
    by_ordinal = {o: d for d, o in zip((d for d, _ in points), (o for o, _ in ordinals))}
    return _plot([Series(label, ordinals)], label=label, x_title="snapshot date (UTC)", y_title=y_title,
                 x_ticks=x_ticks, y_ticks=y_ticks, x_domain=domain, y_domain=(low, y_ticks[-1][0]),
                 point_text=lambda x, y: f"{by_ordinal[int(x)].isoformat()}: {value_text(y)}")


def _date_ticks(dates: Sequence, domain: tuple[float, float], min_gap: float = 0.18) -> list:
    """The first and the last date (the axis spans exactly them), and dates between them at
    least `min_gap` of the axis from their neighbours, so labels never overlap."""
    span = (domain[1] - domain[0]) or 1
    position = lambda d: (d.toordinal() - domain[0]) / span  # noqa: E731
    kept = [dates[0]]
    for d in dates[1:-1]:
        if position(d) - position(kept[-1]) >= min_gap and position(dates[-1]) - position(d) >= min_gap:
            kept.append(d)
    return kept + list(dates[-1:]) if len(dates) > 1 else kept


CONCENTRATION_X_TICKS = (0.0001, 0.001, 0.01, 0.1, 1.0)


def concentration_chart(points: Sequence[tuple[int, float, float]], *, label: str) -> Markup:
    """The share of downloads drawn by the top x of models, x on a log scale from 0.01% to 100%.

    points: (top_models, share_of_models, share_of_downloads)."""
    points = [p for p in points if p[1] > 0]
    if not points:
        return empty()
    low = min(CONCENTRATION_X_TICKS[0], points[0][1])
    series = Series("share of 30-day downloads", [(share_models, share_downloads) for _, share_models, share_downloads in points])
    counts = {share_models: top for top, share_models, _ in points}
    x_ticks = [(x, percent(x, 2 if x < 0.001 else (1 if x < 0.01 else 0))) for x in CONCENTRATION_X_TICKS if x >= low]
    y_ticks = [(t, percent(t, 0)) for t in (0, 0.25, 0.5, 0.75, 1.0)]
    return _plot([series], label=label, x_title="most downloaded models, as a share of all listed models (log scale)",
                 y_title="share of all 30-day downloads", x_ticks=x_ticks, y_ticks=y_ticks, x_domain=(low, 1.0),
                 y_domain=(0.0, 1.0), x_map=math.log10,
                 point_text=lambda x, y: f"top {number(counts[x])} models ({percent(x, 2)}): {percent(y)} of downloads")


# --- family trees ---------------------------------------------------------------------------------

@dataclass
class Node:
    model_id: str
    relation: str | None = None     # of the edge from its parent ('finetune, merge' when several)
    descendants: int = 0
    children: list["Node"] = field(default_factory=list)
    more: int = 0                   # children not drawn
    note: str = ""                  # e.g. "not on the Hub"


def tree_chart(root: Node, *, label: str) -> Markup:
    """An indented tree: one row per model, an elbow from its parent, the relation as a tag and
    the number of descendants on the right; '+ N more children' where children were left out."""
    rows: list[tuple[int, Node | str, int | None]] = []

    def walk(node: Node, depth: int, parent_row: int | None) -> None:
        rows.append((depth, node, parent_row))
        me = len(rows) - 1
        for child in node.children:
            walk(child, depth + 1, me)
        if node.more:
            rows.append((depth + 1, f"+ {node.more:,} more {'child' if node.more == 1 else 'children'}", me))

    walk(root, 0, None)
    row_h, indent, top = 22, 24, 26
    body = [el("text", "model (relation to its parent)", class_="axis-title", x=10, y=14),
            el("text", "descendants (models)", class_="axis-title", x=WIDTH - 8, y=14, text_anchor="end")]
    for index, (depth, node, parent_row) in enumerate(rows):
        x, y = 10 + depth * indent, top + index * row_h
        if parent_row is not None:
            px, py = 10 + (depth - 1) * indent + 5, top + parent_row * row_h + 14
            body.append(el("path", class_="edge", d=f"M{px},{py} V{y + 9} H{x}"))
        if isinstance(node, str):
            body.append(el("text", node, class_="more", x=x + 4, y=y + 13))
            continue
        name = clip(node.model_id, 60 - depth * 4)
        text = [el("tspan", name, class_="root" if depth == 0 else None)]
        if node.relation:
            text.append(el("tspan", f"  {node.relation}", class_="relation"))
        if node.note:
            text.append(el("tspan", f"  {node.note}", class_="flag"))
        body.append(el("g",
                       el("title", f"{node.model_id}: {number(node.descendants)} descendants"),
                       el("rect", class_="node offhub" if node.note else "node", x=x, y=y + 3, width=10, height=12, rx=2),
                       el("text", *text, class_="label", x=x + 16, y=y + 13),
                       el("text", number(node.descendants) if node.descendants else "", class_="value",
                          x=WIDTH - 8, y=y + 13, text_anchor="end")))
    return svg(WIDTH, top + len(rows) * row_h + 6, label, body)


# --- a share matrix (license drift) ---------------------------------------------------------------

def heat_grid(rows: Sequence[str], columns: Sequence[str], values: dict, *, label: str, row_title: str,
              column_title: str) -> Markup:
    """Cells = shares 0..1 of each row (darker = larger), printed in the cell."""
    if not rows:
        return empty()
    left, top, cell_h = 190, 128, 26
    cell_w = (WIDTH - left - 40) / max(len(columns), 1)
    body = [el("text", column_title, class_="axis-title", x=left, y=14),
            el("text", row_title, class_="axis-title", x=left - 8, y=top - 6, text_anchor="end")]
    for j, column in enumerate(columns):
        x = left + j * cell_w + cell_w / 2
        body.append(el("text", clip(column, 24), class_="tick", transform=f"translate({x:.1f},{top - 8}) rotate(-35)"))
    for i, row in enumerate(rows):
        y = top + i * cell_h
        body.append(el("text", clip(row, 26), class_="label", x=left - 8, y=y + 17, text_anchor="end"))
        for j, column in enumerate(columns):
            share = values.get((row, column))
            if share is None:
                continue
            x = left + j * cell_w
            body.append(el("g",
                           el("title", f"{row} → {column}: {percent(share)}"),
                           el("rect", class_="cell", x=x + 1, y=y + 1, width=cell_w - 2, height=cell_h - 2,
                              fill_opacity=f"{0.12 + 0.88 * float(share):.2f}"),
                           el("text", percent(share, 0), class_="cell-text" if share < 0.5 else "cell-text dark",
                              x=x + cell_w / 2, y=y + 17, text_anchor="middle")))
    return svg(WIDTH, top + len(rows) * cell_h + 8, label, body)
