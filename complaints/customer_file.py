"""What the complaints domain contributes to a customer's file (customers sits below complaints
and cannot read its tables), through `customers.signals` (connected in
`factory.register_signal_receivers`): the complaint events and the e-mails about a complaint in
the interaction timeline, and the "Complaints" box — each narrowed by the one visibility rule
(`complaints.queries.visible_to`) for the staff member who reads the file; the root causes' names
and the minutes spent on complaints, for the segment moves and the quarterly review."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from complaints.models import Complaint, ComplaintEvent, RootCause
from complaints.queries import visible_to
from customers.signals import complaint_summaries, handling_minutes, root_cause_names, timeline_sources
from customers.timeline import ComplaintSummary, TimelineEntry
from extensions import db
from notifications.models import OutboxMessage


def _visible(query: sa.Select, viewer) -> sa.Select:
    return query if viewer is None else visible_to(viewer, query)


def complaint_timeline_entries(_sender=None, *, customer_id: int, limit: int, viewer=None,
                               **_extra) -> list[TimelineEntry]:
    """The customer's newest `limit` complaint events (internal ones included: staff read the file)
    and e-mails about a complaint, of the complaints `viewer` may see (None: all)."""
    events = db.session.execute(_visible(
        sa.select(Complaint.reference, ComplaintEvent.kind, ComplaintEvent.body, ComplaintEvent.minutes,
                  ComplaintEvent.created_at)
        .join(Complaint, Complaint.id == ComplaintEvent.complaint_id)
        .where(Complaint.customer_id == customer_id).order_by(ComplaintEvent.created_at.desc()).limit(limit), viewer))
    entries = [TimelineEntry(at=created_at, source="complaint", title=_("Complaint %(ref)s: %(kind)s", ref=ref, kind=kind),
                             body=body or "", minutes=minutes or 0, link_reference=ref)
               for ref, kind, body, minutes, created_at in events]
    emails = db.session.execute(_visible(
        sa.select(Complaint.reference, OutboxMessage.subject, OutboxMessage.kind, OutboxMessage.status,
                  OutboxMessage.created_at, OutboxMessage.sent_at)
        .join(Complaint, Complaint.id == OutboxMessage.complaint_id)
        .where(OutboxMessage.customer_id == customer_id).order_by(OutboxMessage.created_at.desc()).limit(limit), viewer))
    entries += [TimelineEntry(at=sent_at or created_at, source="email", title=_("E-mail: %(subject)s", subject=subject),
                              body=f"{kind} · {status}", link_reference=ref)
                for ref, subject, kind, status, created_at, sent_at in emails]
    return entries


def customer_complaints(_sender=None, *, customer_id: int, limit: int, viewer=None, **_extra) -> list[ComplaintSummary]:
    rows = db.session.execute(_visible(
        sa.select(Complaint.reference, Complaint.subject, Complaint.status, Complaint.priority, Complaint.created_at)
        .where(Complaint.customer_id == customer_id).order_by(Complaint.created_at.desc()).limit(limit), viewer))
    return [ComplaintSummary(*row) for row in rows]


def root_cause_name_map(_sender=None, **_extra) -> dict[int, str]:
    return dict(db.session.execute(sa.select(RootCause.id, RootCause.name)).tuples().all())


def complaint_minutes(_sender=None, *, start_at, end_at, **_extra) -> sa.Select:
    """Minutes recorded on complaint events in [start_at, end_at), per customer (one grouped SELECT)."""
    return (sa.select(Complaint.customer_id.label("customer_id"), sa.func.sum(ComplaintEvent.minutes).label("m"))
            .join(Complaint, Complaint.id == ComplaintEvent.complaint_id)
            .where(ComplaintEvent.created_at >= start_at, ComplaintEvent.created_at < end_at)
            .group_by(Complaint.customer_id))


_connected = False


def connect() -> None:
    """Once per process (blinker signals are global; apps come and go in tests)."""
    global _connected
    if not _connected:
        timeline_sources.connect(complaint_timeline_entries)
        complaint_summaries.connect(customer_complaints)
        root_cause_names.connect(root_cause_name_map)
        handling_minutes.connect(complaint_minutes)
        _connected = True
