"""The one moment every test calls "now": time is a parameter, never the wall clock."""
from __future__ import annotations

from datetime import date, datetime, timedelta

NOW = datetime(2027, 1, 15, 9, 0)  # a Friday, 09:00 UTC; its week starts on Monday 2027-01-11
TODAY = NOW.date()
NOW_TEXT = NOW.strftime("%Y-%m-%dT%H:%M")  # as the CLI's --now takes it


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)
