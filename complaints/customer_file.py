"""What the complaints domain contributes to a customer's file (customers sits below complaints
and cannot read its tables): the complaint events in the interaction timeline, through
`customers.signals.timeline_sources` (connected in `factory.register_signal_receivers`)."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from complaints.models import Complaint, ComplaintEvent
from customers.signals import timeline_sources
from customers.timeline import TimelineEntry
from extensions import db


def complaint_timeline_entries(_sender=None, *, customer_id: int, limit: int, **_extra) -> list[TimelineEntry]:
    """The customer's newest `limit` complaint events, internal ones included (staff read the file)."""
    rows = db.session.execute(
        sa.select(Complaint.reference, ComplaintEvent.kind, ComplaintEvent.body, ComplaintEvent.minutes,
                  ComplaintEvent.created_at)
        .join(Complaint, Complaint.id == ComplaintEvent.complaint_id)
        .where(Complaint.customer_id == customer_id).order_by(ComplaintEvent.created_at.desc()).limit(limit))
    return [TimelineEntry(at=created_at, source="complaint", title=_("Complaint %(ref)s: %(kind)s", ref=ref, kind=kind),
                          body=body or "", minutes=minutes or 0, link_reference=ref)
            for ref, kind, body, minutes, created_at in rows]


_connected = False


def connect() -> None:
    """Once per process (blinker signals are global; apps come and go in tests)."""
    global _connected
    if not _connected:
        timeline_sources.connect(complaint_timeline_entries)
        _connected = True
