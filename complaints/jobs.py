from __future__ import annotations

from datetime import datetime

from complaints.services import escalate_overdue
from complaints.status_counts import fold_counts


def escalate_overdue_complaints(now: datetime) -> int:
    return escalate_overdue(now=now)


def fold_complaint_counts(now: datetime) -> int:
    return fold_counts(now)
