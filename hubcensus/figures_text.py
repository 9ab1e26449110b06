"""The headline figures as a short text a person reads in a terminal.

    render(figures, notes=None) -> str

`figures` is the object of `figures --json` (docs/figures.md: models, and the lifecycle graph's
datasets, Spaces and papers); `notes` (hubcensus.night_notes) adds what only the database
knows: which repository types were listed, and what the night rejected (docs/ingest.md).
Every Hub string (ids, license names, reasons) has its control characters shown as \\xNN, so
nothing the Hub sends can move the cursor or recolour the analyst's terminal.
"""

from __future__ import annotations

from hubcensus.night_notes import NightNotes

LABEL_WIDTH = 30           # "snapshot                      2026-11-02"
TOP_LINES = 10             # entries of each lifecycle top list shown (figures --json has 20)
MAX_REASON_WIDTH = 60      # a reason may carry DuckDB's message: cut with an ellipsis
LIFECYCLE_TYPES = ("datasets", "spaces")
INGEST_DOC = "docs/ingest.md"


def _visible(text) -> str:
    """A Hub string for the terminal: control characters (and other unprintables) as \\xNN."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in str(text))


def _n(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _line(label: str, value) -> str:
    return f"{label:<{LABEL_WIDTH}}{value}"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _counts(title: str, counts: dict, total: int | None, limit: int = 12) -> list[str]:
    lines = [title]
    ranked = sorted(((_visible(k), v) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
    width = max([len(k) for k, _ in ranked[:limit]] + [4])
    for key, value in ranked[:limit]:
        share = f"  {value / total:6.1%}" if total else ""
        lines.append(f"  {key:<{width}}  {value:>12,}{share}")
    if len(ranked) > limit:
        rest = sum(v for _, v in ranked[limit:])
        lines.append(f"  {'(' + str(len(ranked) - limit) + ' more)':<{width}}  {rest:>12,}")
    return lines


def _table(title: str, header: list[str], rows: list[list], numeric: list[bool]) -> list[str]:
    """A titled table, two spaces between columns: numbers right-aligned, text left-aligned."""
    cells = [[_n(c) if isinstance(c, int) else _visible(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(header)]

    def line(row: list[str]) -> str:
        return ("  " + "  ".join(c.rjust(w) if num else c.ljust(w)
                                 for c, w, num in zip(row, widths, numeric))).rstrip()

    return [title, line(header), *(line(row) for row in cells)]


# --- the sections -------------------------------------------------------------------------------

def _headline(figures: dict, notes: NightNotes | None) -> list[str]:
    total = figures.get("models_total") or 0
    lines = [
        _line("snapshot", figures.get("snapshot_date")),
        _line("models alive", _n(total)),
        _line("created in the last 30 days", _n(figures.get("models_created_last_30d"))),
        _line("with a base model", _n(figures.get("models_with_base_model"))),
        _line("gated share", f"{figures.get('gated_share', 0):.2%}"),
        _line(">= 100M downloads (all time)", _n(figures.get("models_ge_100m_downloads_all_time"))),
    ]
    if notes is not None and not notes.lifecycle_recorded:
        return lines + [_line("datasets, Spaces, papers", "not recorded by this database")]
    lines += [
        _line("declaring training data", _n(figures.get("models_with_training_data"))),
        _line("citing papers", _n(figures.get("models_with_papers"))),
        _line("datasets alive", _listed(figures.get("datasets_total"), "datasets", notes)),
        _line("Spaces alive", _listed(figures.get("spaces_total"), "spaces", notes)),
        _line("Spaces using a model", _listed(figures.get("spaces_with_models"), "spaces", notes)),
    ]
    return lines


def _listed(value, repo_type: str, notes: NightNotes | None) -> str:
    """A count of datasets or Spaces, said to be missing where no listing of the type ever
    completed, and dated where the type's latest listing is older than the figures' night."""
    if notes is None:
        return _n(value)
    listed = notes.listed.get(repo_type)
    if listed is None:
        return f"not crawled yet (hubcensus crawl lists {repo_type} by default)"
    if notes.night is not None and listed != notes.night:
        return f"{_n(value)} (listed {listed.isoformat()})"
    return _n(value)


def _top_derivatives(figures: dict) -> list[str]:
    top = figures.get("top_derivatives", [])
    if not top:
        return []
    ids = [_visible(t["model_id"]) for t in top]
    width = max(len(i) for i in ids)
    lines = ["top derivative families",
             f"  {'model':<{width}}  {'descendants':>11}  {'direct':>8}  {'finetune':>8}  {'adapter':>8}"
             f"  {'quantized':>9}  {'merge':>8}"]
    for model_id, t in zip(ids, top):
        lines.append(f"  {model_id:<{width}}  {t['descendants']:>11,}  {t['direct']:>8,}  {t['finetune']:>8,}"
                     f"  {t['adapter']:>8,}  {t['quantized']:>9,}  {t['merge']:>8,}")
    return lines + [""]


def _lifecycle_tops(figures: dict, notes: NightNotes | None) -> list[str]:
    if notes is not None and not notes.lifecycle_recorded:
        return []
    lines: list[str] = []
    datasets_listed = notes is None or "datasets" in notes.listed
    top = figures.get("top_training_datasets", [])[:TOP_LINES]
    if top:
        on_hub = (lambda d: "yes" if d["on_hub"] else "no") if datasets_listed else (lambda d: "unknown")
        lines += _table("top training datasets (alive models declaring each; created within 90 days of it)",
                        ["dataset", "models", "within 90 days", "on the Hub"],
                        [[d["dataset_id"], d["models"], d["models_within_90_days"], on_hub(d)] for d in top],
                        [False, True, True, False]) + [""]
    top = figures.get("top_papers", [])[:TOP_LINES]
    if top:
        lines += _table("top papers (alive repositories citing each arXiv id)",
                        ["arXiv id", "models", "datasets", "Spaces"],
                        [[p["arxiv_id"], p["models"], p["datasets"], p["spaces"]] for p in top],
                        [False, True, True, True]) + [""]
    top = figures.get("top_models_by_spaces", [])[:TOP_LINES]
    if top:
        lines += _table("top models by Spaces using them",
                        ["model", "Spaces"], [[m["model_id"], m["spaces"]] for m in top], [False, True]) + [""]
    return lines


def _rejections(notes: NightNotes) -> list[str]:
    """What the figures' night could not store (docs/ingest.md), and where the rows are."""
    if notes.night is None:
        return []
    night = notes.night.isoformat()
    total = sum(r.count for r in notes.rejections)
    where = f'{notes.sql_prefix} "SELECT * FROM rejected_records WHERE snapshot_date = DATE \'{night}\'"'
    lines = [f"rejected on the night of {night}: {_n(total) if total else 'nothing'} "
             f"(what is rejected and where to look: {INGEST_DOC})"]
    if total:
        lines += [
            _line("  records not stored", _n(notes.rejected("record"))),
            _line("  values dropped (now NULL)", _n(notes.rejected("value"))),
            _line("  pages unreadable", _n(notes.rejected("page"))),
        ]
        lines += _table("", ["type", "what", "field", "reason", "count"],
                        [[r.repo_type, r.scope, r.field or "", _clip(_visible(r.reason), MAX_REASON_WIDTH), r.count]
                         for r in notes.rejections],
                        [False, False, False, False, True])[1:]
    if notes.later_rejections:
        lines.append(f"  and {_n(notes.later_rejections)} on later nights without a complete listing "
                     f"(up to {notes.later_night.isoformat()})")
    lines.append(f"  the table rejected_records: {where}")
    return lines


def render(figures: dict, notes: NightNotes | None = None) -> str:
    total = figures.get("models_total") or 0
    lines = _headline(figures, notes) + [""]
    lines += _counts("gated", figures.get("gated", {}), total) + [""]
    lines += _counts("license families", figures.get("license_family_counts", {}), total) + [""]
    lines += _counts("licenses", figures.get("license_counts", {}), total) + [""]
    lines += _counts("lineage edges by relation", figures.get("relation_counts", {}), None) + [""]
    by_month = figures.get("models_created_by_month", {})
    if by_month:
        lines.append("created by month (last 12)")
        for month in sorted(by_month)[-12:]:
            lines.append(f"  {month}  {by_month[month]:>12,}")
        lines.append("")
    lines += _top_derivatives(figures)
    lines += _lifecycle_tops(figures, notes)
    if notes is not None:
        lines += _rejections(notes)
    text = "\n".join(lines).rstrip() + "\n"
    # Every Hub string was made visible above; this pass keeps any other text from the file so too.
    return "".join(ch if ch == "\n" or ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
