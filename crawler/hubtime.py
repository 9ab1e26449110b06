"""The Hub's timestamps, and which of them are trusted (docs/ingest.md, "Time that is trusted").

A listing's lastModified values decide how far a refresh reads and where the next night's
refresh stops. One record claiming year 9999 must not become that watermark, and one claiming
year 1 must not end a refresh early: only values inside [TRUSTED_SINCE, server Date + 1 day]
take part.
"""

from __future__ import annotations

import datetime as dt
import email.utils

TRUSTED_SINCE = dt.datetime(2000, 1, 1)           # naive UTC, like every timestamp we store
TRUSTED_AHEAD = dt.timedelta(days=1)              # of the response's Date header


def parse_hub_time(value) -> dt.datetime | None:
    """The Hub's ISO timestamps ("2025-03-06T13:32:06.000Z") as naive UTC datetimes; None for
    anything else, including offsets that would leave the representable range."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if t.tzinfo is not None:
            t = t.astimezone(dt.timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None
    return t


def parse_http_date(value: str | None) -> dt.datetime | None:
    """An HTTP Date header as a naive UTC datetime, or None."""
    try:
        return email.utils.parsedate_to_datetime(value).astimezone(dt.timezone.utc).replace(tzinfo=None)
    except (TypeError, ValueError, AttributeError, OverflowError, IndexError):
        return None


def is_trusted(t: dt.datetime | None, server_time: dt.datetime | None) -> bool:
    """A time we believe: not before TRUSTED_SINCE, not after the server's clock + 1 day (with no
    server clock, not after ours + 1 day)."""
    if t is None or t < TRUSTED_SINCE:
        return False
    now = server_time or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return t <= now + TRUSTED_AHEAD


def trusted_range(values, server_time: dt.datetime | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(oldest, newest) of the trusted times among raw lastModified values."""
    times = [t for t in map(parse_hub_time, values) if is_trusted(t, server_time)]
    return (min(times), max(times)) if times else (None, None)
