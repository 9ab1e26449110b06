"""The sentences of the family report, written from a family_summary row (plain text: the
templates escape it). Numbers are formatted as the main report formats them (formatting.py)."""

from __future__ import annotations

from analysis.formatting import date, number, percent, plural

GATING = {"none": "not gated", "auto": "gated (access approved automatically)",
          "manual": "gated (access approved by hand)"}


def signed_days(value) -> str:
    """'day 90', and 'day −3' for a derivative created before the root's createdAt."""
    return "–" if value is None else f"day {number(value)}".replace("-", "−")


def release(s: dict, snapshot) -> str:
    if not s["on_hub"]:
        return ("Not on the Hub: it has never been listed publicly (a private or gated-away repository, or one "
                "removed before this census began), so its release date, license and card are unknown. "
                f"{plural(s['direct'], 'listed model names', 'listed models name')} it as base model.")
    when = (f"Released on {date(s['created_at'].date())} ({plural(s['days_since_release'], 'day')} before "
            f"{date(snapshot)})") if s["created_at"] is not None else "Release date unknown (no createdAt)"
    license_text = ("with no license declared" if s["license"] == "none"
                    else f"under {s['license']} ({s['license_family']})")
    gone = f" Deleted from the Hub on {date(s['deleted_at'])}; its derivatives remain." if not s["alive"] else ""
    return f"{when}, {license_text}, {GATING.get(s['gated'], s['gated'])}.{gone}"


def derivatives(s: dict) -> str:
    if not s["derivatives"]:
        return "No listed model declares it (or a model descending from it) as base model."
    text = (f"{plural(s['derivatives'], 'derivative')} in {plural(s['generations'], 'generation')} "
            f"({number(s['direct'])} direct)")
    if s["derivatives_within_90_days"] is not None:
        text += (f": {number(s['derivatives_within_30_days'])} within 30 days of the release, "
                 f"{number(s['derivatives_within_90_days'])} within 90 days, "
                 f"{number(s['derivatives_within_365_days'])} within a year")
    text += "."
    if s["latest_derivative_at"] is not None:
        text += f" The latest was created on {date(s['latest_derivative_at'].date())}."
    if s["derivative_languages"]:
        text += f" They declare {plural(s['derivative_languages'], 'language')}."
    return text


def data(s: dict) -> str:
    root = ("The root declares no training dataset." if not s["datasets_declared"] else
            f"The root declares {plural(s['datasets_declared'], 'training dataset')} "
            f"({number(s['datasets_declared_on_hub'])} on the Hub).")
    if not s["derivatives"]:
        return root
    if not s["derivatives_with_training_data"]:
        return root + " None of its derivatives declares a dataset."
    declaring = s["derivatives_with_training_data"]
    return (root + f" {number(declaring)} of its {plural(s['derivatives'], 'derivative')} "
            f"{'declares' if declaring == 1 else 'declare'} training data: "
            f"{plural(s['post_training_datasets'], 'dataset')} in all.")


def spaces(s: dict) -> str:
    if not s["spaces"]:
        return "No Space on the Hub declares that it uses a model of this family."
    return (f"{plural(s['spaces'], 'Space uses', 'Spaces use')} a model of the family; "
            f"{number(s['spaces_using_root'])} of them the root itself.")


def licenses(s: dict) -> str:
    if not s["derivatives"]:
        return ""
    if s["derivatives_license_differs"] is None:
        return "The root's license is unknown, so no derivative's license can be compared with it."
    differs = s["derivatives_license_differs"]
    share = percent(differs / s["derivatives"])
    return (f"{number(differs)} of {plural(s['derivatives'], 'derivative')} ({share}) "
            f"{'declares' if differs == 1 else 'declare'} a license other than the root's {s['license']}; "
            f"{number(s['direct_license_differs'])} of the {plural(s['direct'], 'direct child', 'direct children')}.")


def activity(s: dict) -> str:
    downloads = s["family_downloads"] or 0
    share = f", {percent(s['derivatives_downloads'] / downloads)} of them by derivatives" if downloads else ""
    return (f"Last commit in the 30 days to the snapshot: {plural(s['members_modified_last_30d'], 'model')} of the "
            f"family ({number(s['members_modified_last_90d'])} in 90 days). Its listed models drew "
            f"{plural(downloads, 'download')} in the last 30 days{share}.")


def family(s: dict, snapshot) -> dict[str, str]:
    return {"release": release(s, snapshot), "derivatives": derivatives(s), "data": data(s), "spaces": spaces(s),
            "licenses": licenses(s), "activity": activity(s)}


def cohort(summaries: list[dict]) -> str:
    largest = max(summaries, key=lambda s: (s["derivatives"], -summaries.index(s)))
    text = (f"{plural(len(summaries), 'family', 'families')}, "
            f"{plural(sum(s['derivatives'] for s in summaries), 'derivative')} in all (a model descending from two "
            f"roots counts in both). The largest is {largest['root_id']} with {plural(largest['derivatives'], 'derivative')}.")
    dated = [s for s in summaries if s["derivatives_within_90_days"] is not None]
    if dated:
        fastest = max(dated, key=lambda s: (s["derivatives_within_90_days"], -summaries.index(s)))
        text += (f" Fastest in its first 90 days: {fastest['root_id']} "
                 f"({plural(fastest['derivatives_within_90_days'], 'derivative')}).")
    missing = [s["root_id"] for s in summaries if not s["on_hub"]]
    if missing:
        text += f" Not on the Hub: {', '.join(missing)}."
    return text
