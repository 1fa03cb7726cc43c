from __future__ import annotations

from datetime import datetime

from complaints.services import escalate_overdue


def escalate_overdue_complaints(now: datetime) -> int:
    return escalate_overdue(now=now)
