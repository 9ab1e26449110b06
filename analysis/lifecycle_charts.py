"""Charts of the family report that analysis/charts.py does not draw: running totals over days
since a release, several series in one plot with a legend (relations of one family, or the
families of a cohort). Inline SVG built with charts.el (every text and attribute escaped), no
JavaScript; colours are CSS classes (`series s0` .. `s7`, templates/family_report.css).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from markupsafe import Markup

from analysis.charts import WIDTH, clip, el, empty, nice_ticks, svg
from analysis.formatting import compact, number

SERIES_STYLES = 8      # s0 .. s7 in the stylesheet; a chart draws at most this many series
MAX_POINTS = 240       # steps kept per series: a family with years of daily derivatives stays small
LEGEND_COLUMNS = 3


@dataclass
class StepSeries:
    name: str
    points: list[tuple[int, int]] = field(default_factory=list)  # (day, running total), days ascending


def thin(points: Sequence[tuple[int, int]], limit: int = MAX_POINTS) -> list[tuple[int, int]]:
    """At most `limit` points, evenly spread, the last always kept (it carries the final total)."""
    points = list(points)
    if len(points) <= limit:
        return points
    step = len(points) / (limit - 1)
    kept = [points[int(i * step)] for i in range(limit - 1)]
    return kept + [points[-1]]


def running_total_chart(series: Sequence[StepSeries], *, label: str, x_title: str, y_title: str,
                        x_end: int | None = None) -> Markup:
    """Step lines of running totals against days (from the earliest day, or 0, to `x_end`: the
    day of the snapshot). Each line starts at 0 and holds its last total to the end of the axis;
    the legend names every series with its final total."""
    series = [s for s in series if s.points][:SERIES_STYLES]
    if not series:
        return empty()
    left, right, top, plot_h = 70, 24, 16, 210
    plot_w = WIDTH - left - right
    x0 = min(0, *(s.points[0][0] for s in series))
    x1 = max(x_end if x_end is not None else 0, *(s.points[-1][0] for s in series), x0 + 1)
    y_ticks = nice_ticks(max(s.points[-1][1] for s in series), integer=True)
    to_x = lambda d: left + plot_w * (d - x0) / (x1 - x0)  # noqa: E731
    to_y = lambda v: top + plot_h - plot_h * v / y_ticks[-1]  # noqa: E731
    body = []
    for value in y_ticks:
        body.append(el("line", class_="grid", x1=left, x2=left + plot_w, y1=to_y(value), y2=to_y(value)))
        body.append(el("text", compact(value), class_="tick", x=left - 6, y=to_y(value) + 4, text_anchor="end"))
    for day in _day_ticks(x0, x1):
        x = to_x(day)
        anchor = "start" if x - left < 20 else ("end" if left + plot_w - x < 20 else "middle")
        body.append(el("text", number(day), class_="tick", x=x, y=top + plot_h + 15, text_anchor=anchor))
    for index, one in enumerate(series):
        points = thin(one.points)
        coordinates = [(to_x(x0), to_y(0))]
        for day, total in points:
            coordinates.append((to_x(day), coordinates[-1][1]))
            coordinates.append((to_x(day), to_y(total)))
        coordinates.append((to_x(x1), coordinates[-1][1]))
        final_day, final = one.points[-1]
        body.append(el("polyline", el("title", f"{one.name}: {number(final)} by day {number(final_day)}"),
                       class_=f"series s{index}", points=" ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)))
    body.append(el("line", class_="axis", x1=left, x2=left + plot_w, y1=top + plot_h, y2=top + plot_h))
    if x0 < 0:  # the release: derivatives left of it were created before the root's createdAt
        body.append(el("line", class_="release", x1=to_x(0), x2=to_x(0), y1=top, y2=top + plot_h))
    body.append(el("text", x_title, class_="axis-title", x=left + plot_w / 2, y=top + plot_h + 36,
                   text_anchor="middle"))
    body.append(el("text", y_title, class_="axis-title", text_anchor="middle",
                   transform=f"translate(14,{top + plot_h / 2:.1f}) rotate(-90)"))
    legend_top = top + plot_h + 52
    column_w = (WIDTH - left) / LEGEND_COLUMNS
    for index, one in enumerate(series):
        x = left + (index % LEGEND_COLUMNS) * column_w
        y = legend_top + (index // LEGEND_COLUMNS) * 18
        body.append(el("g",
                       el("title", f"{one.name}: {number(one.points[-1][1])}"),
                       el("line", class_=f"series s{index}", x1=x, x2=x + 22, y1=y - 4, y2=y - 4),
                       el("text", f"{clip(one.name, 30)} ({number(one.points[-1][1])})", class_="label",
                          x=x + 28, y=y)))
    rows = (len(series) + LEGEND_COLUMNS - 1) // LEGEND_COLUMNS
    return svg(WIDTH, legend_top + rows * 18, label, body)


def _day_ticks(x0: int, x1: int) -> list[int]:
    """Round day numbers across [x0, x1] (0, 30, 60 ... or 0, 100, 200 ...), 0 included."""
    step = nice_ticks(max(x1 - x0, 1), steps=6, integer=True)[1]
    first = -(-x0 // step) * step
    return [int(d) for d in range(int(first), int(x1) + 1, int(step))]
