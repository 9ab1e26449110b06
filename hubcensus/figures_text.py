"""The headline figures as a short text a person reads in a terminal."""

from __future__ import annotations


def _n(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _counts(title: str, counts: dict, total: int | None, limit: int = 12) -> list[str]:
    lines = [title]
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    width = max([len(k) for k, _ in ranked[:limit]] + [4])
    for key, value in ranked[:limit]:
        share = f"  {value / total:6.1%}" if total else ""
        lines.append(f"  {key:<{width}}  {value:>12,}{share}")
    if len(ranked) > limit:
        rest = sum(v for _, v in ranked[limit:])
        lines.append(f"  {'(' + str(len(ranked) - limit) + ' more)':<{width}}  {rest:>12,}")
    return lines


def render(figures: dict) -> str:
    total = figures.get("models_total") or 0
    lines = [
        f"snapshot                      {figures.get('snapshot_date')}",
        f"models alive                  {_n(total)}",
        f"created in the last 30 days   {_n(figures.get('models_created_last_30d'))}",
        f"with a base model             {_n(figures.get('models_with_base_model'))}",
        f"gated share                   {figures.get('gated_share', 0):.2%}",
        f">= 100M downloads (all time)  {_n(figures.get('models_ge_100m_downloads_all_time'))}",
        "",
    ]
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
    top = figures.get("top_derivatives", [])
    if top:
        width = max(len(str(t["model_id"])) for t in top)
        lines.append("top derivative families")
        lines.append(f"  {'model':<{width}}  {'descendants':>11}  {'direct':>8}  {'finetune':>8}  {'adapter':>8}  {'quantized':>9}  {'merge':>8}")
        for t in top:
            lines.append(
                f"  {t['model_id']:<{width}}  {t['descendants']:>11,}  {t['direct']:>8,}  {t['finetune']:>8,}"
                f"  {t['adapter']:>8,}  {t['quantized']:>9,}  {t['merge']:>8,}"
            )
    text = "\n".join(lines).rstrip() + "\n"
    # Model ids and license names come from the Hub: no control characters reach the terminal.
    return "".join(ch if ch == "\n" or ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
