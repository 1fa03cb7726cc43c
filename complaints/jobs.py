"""The complaints domain's scheduled jobs (listed in scheduling/registry.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from complaints import lifecycle
from complaints.changes import managers, record_event
from complaints.models import Complaint
from complaints.status_counts import fold_counts
from extensions import db
from notifications.services import queue_email
from platform_support.clock import utcnow


def escalate_overdue(*, now: datetime | None = None, limit: int = 500) -> int:
    """E-mail the managers once per SLA breach (first response, resolution). Safe to rerun: the
    escalated_at stamp and the outbox dedupe key make a second pass a no-op."""
    now = now or utcnow()
    open_states = lifecycle.OPEN_STATES
    first = list(db.session.scalars(
        select(Complaint).where(Complaint.status.in_(open_states), Complaint.first_responded_at.is_(None),
                                Complaint.first_response_due_at < now, Complaint.first_response_escalated_at.is_(None))
        .order_by(Complaint.first_response_due_at).limit(limit)))
    resolution = list(db.session.scalars(
        select(Complaint).where(Complaint.status.in_(open_states), Complaint.resolution_due_at < now,
                                Complaint.resolution_escalated_at.is_(None))
        .order_by(Complaint.resolution_due_at).limit(limit)))
    recipients = managers()
    count = 0
    for breach, complaints in (("first_response", first), ("resolution", resolution)):
        for complaint in complaints:
            due = complaint.first_response_due_at if breach == "first_response" else complaint.resolution_due_at
            setattr(complaint, f"{breach}_escalated_at", now)
            record_event(complaint, "escalated", now=now, public=False, detail={"breach": breach, "due_at": due.isoformat()})
            for manager in recipients:
                queue_email(kind="complaint_escalation", to_address=manager.email, to_name=manager.name,
                            template="complaint_escalation", language=manager.language,
                            dedupe_key=f"escalation:{breach}:{complaint.id}:{due.isoformat()}:{manager.id}",
                            context={"complaint": complaint, "breach": breach, "due_at": due},
                            staff_user_id=manager.id, complaint_id=complaint.id, now=now)
            count += 1
    db.session.commit()
    return count


def escalate_overdue_complaints(now: datetime) -> int:
    return escalate_overdue(now=now)


def fold_complaint_counts(now: datetime) -> int:
    return fold_counts(now)
