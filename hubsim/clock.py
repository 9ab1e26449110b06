"""The simulator's calendar: day D is a UTC date; timestamps are epoch seconds."""

from __future__ import annotations

import datetime as dt

DAY_SECONDS = 86_400
UTC = dt.timezone.utc
# The Hub floors createdAt of repos older than its creation-date tracking to this instant.
CREATED_FLOOR_TS = int(dt.datetime(2022, 3, 2, 23, 29, 4, tzinfo=UTC).timestamp())
HISTORY_START_TS = int(dt.datetime(2020, 1, 1, tzinfo=UTC).timestamp())
DEFAULT_START_DATE = dt.date(2026, 11, 1)


def day_date(start_date: dt.date, day: int) -> dt.date:
    """Date of simulator day `day` (day 1 = start_date)."""
    return start_date + dt.timedelta(days=day - 1)


def day_start_ts(start_date: dt.date, day: int) -> int:
    d = day_date(start_date, day)
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())


def iso_ms(ts: int) -> str:
    """Epoch seconds -> the Hub's ISO form with milliseconds and Z."""
    return dt.datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def parse_iso(value: str) -> int:
    """The Hub's ISO timestamp -> epoch seconds (milliseconds dropped)."""
    text = value.replace("Z", "+00:00")
    return int(dt.datetime.fromisoformat(text).timestamp())
