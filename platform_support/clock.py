"""Time is a parameter: code that compares with "now" takes it as an argument.

Datetimes are stored as naive UTC (SQLite has no time zones); `utcnow()` is the only default.
"""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def parse_now(value: str | None) -> datetime:
    """Parse a `--now` option (ISO-8601; an offset is converted to UTC)."""
    if not value:
        return utcnow()
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed
