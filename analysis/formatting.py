"""How the report writes numbers, shares, changes, dates and plurals (HTML, Markdown and ledes
share these, so a number reads the same everywhere). Plain text in, plain text out: escaping
is the templates' job."""

from __future__ import annotations

import datetime as dt
import re

from markupsafe import Markup

DASH = "–"
MINUS = "−"
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def visible(value):
    """Text with control characters shown as U+FFFD: Hub strings never reach HTML, SVG or
    Markdown with raw control bytes (invalid in XML, confusing in a terminal). Markup passes."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return CONTROL_CHARACTERS.sub("\ufffd", str(value))


def number(value) -> str:
    """12,345; a dash for unknown."""
    return DASH if value is None else f"{int(value):,}"


def percent(value, digits: int = 1) -> str:
    """A share 0..1 as 12.3%; a non-zero share that would print as 0 is '<0.1%' (never '0.0%')."""
    if value is None:
        return DASH
    share = float(value) * 100
    smallest = 10 ** -digits
    if 0 < share < smallest / 2:
        return f"<{smallest:.{digits}f}%"
    return f"{share:.{digits}f}%"


def signed(value) -> str:
    """A change in a count: +1,234, −56, ±0."""
    if value is None:
        return DASH
    value = int(value)
    if value == 0:
        return "±0"
    return f"+{value:,}" if value > 0 else f"{MINUS}{-value:,}"


def points(value, digits: int = 1) -> str:
    """A change in a share, in percentage points: +0.3 pt."""
    if value is None:
        return DASH
    change = float(value) * 100
    if round(change, digits) == 0:
        return "±0 pt"
    return f"{'+' if change > 0 else MINUS}{abs(change):.{digits}f} pt"


def relative(new, old) -> str:
    """The relative change from old to new: +1.4%; a dash when old is 0 or unknown."""
    if new is None or old in (None, 0):
        return DASH
    change = (float(new) - float(old)) / float(old) * 100
    if round(change, 1) == 0:
        return "±0%"
    return f"{'+' if change > 0 else MINUS}{abs(change):.1f}%"


def plural(count, singular: str, plural_form: str | None = None) -> str:
    """'1 nightly snapshot', '2 nightly snapshots', '1,234 models'."""
    word = singular if count is not None and int(count) == 1 else (plural_form or singular + "s")
    return f"{number(count)} {word}"


def size(num_bytes) -> str:
    """Bytes as B / KB / MB / GB (1 KB = 1,024 B)."""
    if num_bytes is None:
        return DASH
    value = float(num_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} GB"


def date(value) -> str:
    """2026-11-10 (ISO, as every date in the report)."""
    if value is None:
        return DASH
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def long_date(value) -> str:
    """10 November 2026 (titles)."""
    if value is None:
        return DASH
    return f"{value.day} {value.strftime('%B %Y')}"


def clock(value) -> str:
    """A crawl-clock timestamp to the minute: 2026-11-11 03:04 UTC."""
    if value is None:
        return DASH
    return value.strftime("%Y-%m-%d %H:%M UTC")


def month_name(month: str) -> str:
    """'2026-11' -> 'November 2026'."""
    return dt.datetime.strptime(month, "%Y-%m").strftime("%B %Y")


def compact(value) -> str:
    """Axis ticks: 0, 950, 1.2k, 3.4M, 1.5B."""
    value = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            text = f"{value / limit:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"
