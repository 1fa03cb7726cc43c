"""The complaints domain's scheduled jobs (listed in scheduling/registry.py)."""
from __future__ import annotations

from datetime import datetime

from calendars import services as calendar_services
from complaints import escalation
from complaints.status_counts import fold_counts
from extensions import db
from platform_support.clock import utcnow


def escalate_overdue(*, now: datetime | None = None, limit: int = 500) -> int:
    """Escalate breached SLA clocks level by level (complaints.escalation). Safe to rerun."""
    return escalation.escalate_overdue(now=now or utcnow(), limit=limit)


def warn_before_breach(now: datetime) -> int:
    """Warn owners at SLA_WARNING_PERCENT of a target (complaints.escalation)."""
    return escalation.warn_before_breach(now=now)


def extend_calendars(now: datetime) -> int:
    """Keep the calendars' open spans years ahead of now (calendars.services)."""
    count = calendar_services.extend_calendars(now)
    db.session.commit()
    return count


def escalate_overdue_complaints(now: datetime) -> int:
    return escalate_overdue(now=now)


def fold_complaint_counts(now: datetime) -> int:
    return fold_counts(now)
