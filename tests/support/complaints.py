"""Complaints for tests: filed and moved through the lifecycle by the service functions, as the
product does it; or, for tests that read months of history (reports, scores), rows written with
the timestamps the test needs."""
from __future__ import annotations

import hashlib
import itertools
from datetime import datetime, timedelta

from tests.support.clock import NOW

DEFAULT_FILING = {"name": "Jan Kowalski", "email": "jan@example.com", "description": "The parcel arrived crushed."}
_numbers = itertools.count(1)


def file(now: datetime = NOW, *, submission_key: str | None = None, **fields):
    """`complaints.filing.file_complaint` with a valid form (override any field); returns what
    it returns (`.complaint`, `.tracking_token`, …)."""
    from complaints import filing

    new = filing.NewComplaint(**{**DEFAULT_FILING, **fields})
    return filing.file_complaint(new, submission_key=submission_key, now=now)


def complaint_in(state: str, staff, *, now: datetime = NOW, root_cause: str = "other", **fields) -> str:
    """File a complaint at `now` and take it to `state` through the staff actions (agent `staff.agent`
    owns it); returns its reference."""
    from complaints import actions

    reference = file(now, **fields).complaint.reference
    if state == "new":
        return reference
    actions.assign_owner(reference, staff.agent.email, actor=staff.agent, now=now)
    if state == "assigned":
        return reference
    actions.post_update(reference, "We are looking into it.", public=True, actor=staff.agent, now=now)
    if state == "in_progress":
        return reference
    actions.resolve(reference, "Refunded in full", root_cause, actor=staff.agent, now=now)
    if state == "resolved":
        return reference
    actions.close(reference, actor=staff.agent, now=now)
    if state == "closed":
        return reference
    raise ValueError(f"no staff action takes a complaint to {state!r}")


def complaint_row(who=None, *, created: datetime | None = None, age_days: float | None = None, status: str = "new",
                  priority: str = "normal", owner=None, first_response: datetime | None = None,
                  resolved: datetime | None = None, cause: str | None = None, reopened: int = 0, minutes: int = 0,
                  subject: str = "Problem", description: str = "Something went wrong."):
    """A complaint row with the given timestamps (created at `created`, or `age_days` before NOW), SLA
    due dates from the priority's targets; a resolved or closed one without `resolved` was resolved
    two days after it came in. No event, e-mail or signal: use `file`/`complaint_in` for those."""
    from sqlalchemy import select

    from complaints.models import Complaint, RootCause, SlaTarget
    from extensions import db
    from tests.support.customers import customer

    n = next(_numbers)
    who = who or customer()
    if created is None:
        created = NOW - timedelta(days=age_days or 0)
    if resolved is None and status in ("resolved", "closed"):
        resolved = created + timedelta(days=2)
    target = db.session.get(SlaTarget, priority)
    row = Complaint(
        reference=f"C-T{n:07d}", tracking_token_hash=hashlib.sha256(f"t{n}".encode()).hexdigest(), customer_id=who.id,
        contact_name=who.name, contact_email=who.email, description=description, subject=subject,
        status=status, priority=priority, owner_id=owner.id if owner else None, created_at=created, updated_at=created,
        contact_confirmed_at=created,  # history rows: the customer's own complaints (complaints.contact)
        first_response_due_at=created + timedelta(hours=target.first_response_hours),
        resolution_due_at=created + timedelta(hours=target.resolution_hours), first_responded_at=first_response,
        resolved_at=resolved, handling_minutes=minutes, reopened_count=reopened,
        root_cause_id=db.session.scalar(select(RootCause.id).where(RootCause.code == cause)) if cause else None)
    db.session.add(row)
    db.session.flush()
    return row
