"""Time is a parameter: code that compares with "now" takes it as an argument.

Datetimes are stored as naive UTC (SQLite has no time zones); `utcnow()` is the only default.
"""
from __future__ import annotations

from datetime import datetime, timezone

import click


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def parse_now(value: str | None) -> datetime:
    """Parse a `--now` option (ISO-8601; an offset is converted to UTC); ValueError for text
    that is not a moment between 1900 and 2199 (near year 1 or 9999 date arithmetic overflows)."""
    from platform_support.parsing import bounded_datetime

    if not value:
        return utcnow()
    return bounded_datetime(value)


def cli_now(value: str | None) -> datetime:
    """The `--now` option of every CLI command: one parser, one clear message (exit 2)."""
    try:
        return parse_now(value)
    except ValueError:
        raise click.BadParameter("use ISO-8601 between 1900 and 2199, e.g. 2027-01-15T09:00",
                                 param_hint="--now") from None
