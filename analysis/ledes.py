"""The short written lede of each report section, generated from the numbers the report shows.

Each function takes the collected data (analysis/report.py `collect`) and returns plain text:
the templates escape it. Sentences name their date and their unit, so a reader can quote one.
"""

from __future__ import annotations

from analysis.formatting import date, month_name, number, percent, plural, points, relative, signed


def _share(part, whole) -> float | None:
    return part / whole if whole else None


def _change_clause(now, then_row: dict | None, key: str, kind: str = "count") -> str:
    """', up 1,234 (+1.2%) since 2026-11-03' or '' when there is no base."""
    if not then_row or then_row.get(key) is None or now is None:
        return ""
    then = then_row[key]
    if kind == "share":
        return f" ({points(now - then)} since {date(then_row['snapshot_date'])})"
    return f" ({signed(now - then)}, {relative(now, then)} since {date(then_row['snapshot_date'])})"


def headline(data: dict) -> str:
    """Which nights the headline changes compare with."""
    points = data["headline"]
    parts, missing = [], []
    for key, days in (("7 nights", 7), ("30 nights", 30)):
        base = points.get(key)
        if base:
            parts.append(f"{days} nights: against the complete listing of {date(base['snapshot_date'])}")
        else:
            missing.append(str(days))
    text = "Change over " + "; ".join(parts) + "." if parts else ""
    first = data["coverage"]["first_night"]
    if missing and first is not None:
        text += (f" No complete listing {' or '.join(missing)} nights before the snapshot yet (the history starts on "
                 f"{date(first)}): n/a.")
    return text.strip()


def changes(data: dict) -> str:
    summaries = {row["days"]: row for row in data["change_summary"]}
    first = data["coverage"]["first_night"]
    if not summaries:
        if first is None:
            return "No night has been crawled completely yet."
        return (f"History starts with the night of {date(first)}: what changed can be stated once a complete "
                f"listing 7 nights before the latest one exists.")
    parts = []
    for days, row in sorted(summaries.items()):
        crossed = len({m["model_id"] for m in data["milestones"] if m["days"] == days})
        milestone = (f"{plural(crossed, 'model')} passed 1M, 10M or 100M all-time downloads" if crossed
                     else "no model passed 1M, 10M or 100M all-time downloads")
        parts.append(
            f"In the {days} nights since {date(row['base_date'])}, {plural(row['models_first_seen'], 'model')} "
            f"appeared on the Hub and {number(row['models_deleted'])} {'was' if row['models_deleted'] == 1 else 'were'} "
            f"deleted; {number(row['models_license_changed'])} changed license, {number(row['models_became_gated'])} "
            f"became gated and {number(row['models_became_ungated'])} stopped being gated; {milestone}.")
    return " ".join(parts)


def growth(data: dict) -> str:
    now, week, month = (data["headline"].get(k) for k in ("now", "7 nights", "30 nights"))
    if not now:
        return "The database holds no crawl yet."
    text = (f"The Hub listed {plural(now['models'], 'public model')} on {date(now['snapshot_date'])}"
            f"{_change_clause(now['models'], week or month, 'models')}. "
            f"{number(now['created_last_30d'])} of them were created in the 30 days to {date(now['snapshot_date'])}, "
            f"{now['created_last_30d'] / 30:,.1f} a day.")
    complete = [m for m in data["new_by_month"] if not m["partial"] and m["new_models"]]
    if complete:
        busiest = max(complete, key=lambda m: (m["new_models"], m["month"]))
        text += f" The busiest complete month of the last two years was {month_name(busiest['month'])} " \
                f"({plural(busiest['new_models'], 'new model')})."
    partial = [m for m in data["new_by_month"] if m["partial"]]
    if partial:
        m = partial[-1]
        text += f" {month_name(m['month'])} is partial: {plural(m['new_models'], 'model')} in " \
                f"{plural(m['days_covered'], 'day')} so far."
    return text


def derivatives(data: dict) -> str:
    figures = data["figures"]
    total = figures["models_total"]
    if not data["families"]:
        return f"No listed model declares a base model ({plural(total, 'model')} listed)."
    largest = data["families"][0]
    week = data["headline"].get("7 nights")
    text = (f"{number(figures['models_with_base_model'])} of {plural(total, 'listed model')} "
            f"({percent(_share(figures['models_with_base_model'], total))}) declare a base model. "
            f"The largest family descends from {largest['root_id']}: {plural(largest['descendants'], 'model')} over "
            f"{plural(largest['generations'], 'generation')}")
    if week and week.get("largest_family_descendants") is not None:
        text += f" ({signed(largest['descendants'] - week['largest_family_descendants'])} in 7 nights)"
    text += "."
    off_hub = [f for f in data["families"] if not f["on_hub"]]
    if off_hub:
        text += (f" {plural(len(off_hub), 'of these families grows', 'of these families grow')} from a parent that is "
                 f"not on the Hub (private, gated away or never published), so its own license and card are unknown.")
    return text


def gated(data: dict) -> str:
    row = data["gated"]
    if not row or not row["models"]:
        return "No listed models yet."
    month = data["headline"].get("30 nights")
    text = (f"{percent(row['gated_share'], 1)} of listed models are gated: "
            f"{plural(row['gated_auto'], 'model approves', 'models approve')} access requests automatically, "
            f"{number(row['gated_manual'])} by hand"
            f"{_change_clause(row['gated_share'], month, 'gated_share', 'share')}. "
            f"Gated models drew {percent(row['gated_share_by_downloads'], 1)} of all 30-day downloads.")
    families = [f for f in data["gated_by_family"] if f["models"] >= 10 and f["gated_share"] > 0]
    if families:
        top = max(families, key=lambda f: (f["gated_share"], f["license_family"]))
        text += f" The most gated license family is {top['license_family']} ({percent(top['gated_share'], 1)} of its models)."
    return text


def licenses(data: dict) -> str:
    licenses_ = data["top_licenses"]
    if not licenses_:
        return "No listed models yet."
    declared = [lic for lic in licenses_ if lic["license"] != "none"]
    none = next((lic for lic in licenses_ if lic["license"] == "none"), None)
    text = ""
    if none:
        text += f"{percent(none['models_share'], 1)} of listed models declare no license. "
    if declared:
        first = declared[0]
        text += f"The most common license is {first['license']} ({percent(first['models_share'], 1)} of models)"
        if len(declared) > 1:
            second = declared[1]
            text += f", then {second['license']} ({percent(second['models_share'], 1)})"
        text += "."
    drift = data["license_drift_summary"]
    if drift and drift["edges_from_restricted"]:
        text += (f" Of {plural(drift['edges_from_restricted'], 'derivative')} of bases under a restricted or "
                 f"non-commercial license, {number(drift['edges_restricted_to_permissive'])} "
                 f"({percent(drift['restricted_to_permissive_share'], 1)}) declare a permissive one.")
    return text.strip()


def concentration(data: dict) -> str:
    row = data["concentration"]
    if not row or not row["models"]:
        return "No listed models yet."
    return (f"Downloads are concentrated: the top 1% of models ({plural(row['top_1pct_models'], 'model')}) drew "
            f"{percent(row['top_1pct_downloads_share'], 1)} of the {number(row['downloads_30d'])} downloads of the "
            f"last 30 days, the top 100 drew {percent(row['top_100_downloads_share'], 1)}. "
            f"{plural(row['models_zero_downloads_30d'], 'model')} "
            f"({percent(_share(row['models_zero_downloads_30d'], row['models']), 1)}) had none; "
            f"{plural(row['models_ge_100m_downloads_all_time'], 'model has', 'models have')} passed 100 million "
            f"downloads all time.")


def languages(data: dict) -> str:
    coverage = data["language_coverage"]
    if not coverage or not coverage["models"]:
        return "No listed models yet."
    text = (f"{number(coverage['models_declaring_language'])} of {plural(coverage['models'], 'listed model')} "
            f"({percent(_share(coverage['models_declaring_language'], coverage['models']), 1)}) declare at least one "
            f"language in their card.")
    if data["languages"]:
        top = data["languages"][0]
        text += f" The most declared is {top['language']} ({plural(top['models'], 'model')})."
    return text


def coverage(data: dict) -> str:
    cov = data["coverage"]
    if cov["snapshot_date"] is None:
        return "The database holds no crawl yet: run `hubcensus crawl`."
    text = (f"Figures describe the Hub as listed on {date(cov['snapshot_date'])}, the latest night whose listing of "
            f"every public model completed. The history holds {plural(cov['nights'], 'nightly snapshot')}"
            + (f" since {date(cov['first_night'])}" if cov["nights"] > 1 else "") + ".")
    started = cov["listing_started_at"]
    if started is not None and started.date() < cov["snapshot_date"]:
        text += (f" The crawler's clock ({started:%Y-%m-%d}) is behind the snapshot date its server gave: the Hub "
                 f"served here is a simulator whose calendar runs ahead.")
    runs = data["runs_summary"]
    if runs and runs["latest_night"] and runs["latest_night"] > cov["snapshot_date"]:
        text += (f" A later night ({date(runs['latest_night'])}) has not completed a listing "
                 f"(its last run: {runs['latest_run_plan']}, {runs['latest_run_status']}).")
    return text
