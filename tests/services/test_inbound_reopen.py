"""A reply to a resolved complaint (issue 15): within REOPEN_DAYS of the resolution it reopens the
complaint; later it opens a new complaint, linked to the old one both ways by internal notes."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from complaints.models import Complaint
from extensions import db
from inbound.ingest import ingest
from notifications.models import OutboxMessage
from tests.support.clock import NOW
from tests.support.complaints import complaint_in
from tests.support.inbound import message


def _resolved(staff, **fields) -> tuple[Complaint, OutboxMessage]:
    reference = complaint_in("resolved", staff, **fields)
    complaint = db.session.scalar(select(Complaint).where(Complaint.reference == reference))
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.complaint_id == complaint.id,
                                                         OutboxMessage.kind == "complaint_resolved"))
    return complaint, mail


def test_a_reply_within_reopen_days_reopens_the_complaint(app, staff):
    app.config["REOPEN_DAYS"] = 7
    complaint, resolved = _resolved(staff)
    outcome = ingest(message(sender="jan@example.com", in_reply_to=resolved.message_id, text="It broke again."),
                     source="pipe", now=NOW + timedelta(days=7))
    assert outcome.line() == f"appended {complaint.reference}"
    db.session.expire_all()
    assert complaint.status == "in_progress" and complaint.reopened_count == 1 and complaint.resolved_at is None
    assert [e.kind for e in complaint.events][-2:] == ["reopened", "customer_message"]
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.complaint_id == complaint.id,
                                                         OutboxMessage.kind == "complaint_reopened")) is not None


def test_a_later_reply_opens_a_new_complaint_linked_to_the_old_one(app, staff):
    app.config["REOPEN_DAYS"] = 7
    complaint, resolved = _resolved(staff)
    outcome = ingest(message(sender="jan@example.com", in_reply_to=resolved.message_id, text="It broke again."),
                     source="pipe", now=NOW + timedelta(days=7, seconds=1))
    assert outcome.kind == "created" and outcome.reference != complaint.reference
    db.session.expire_all()
    assert complaint.status == "resolved" and complaint.reopened_count == 0
    new = db.session.scalar(select(Complaint).where(Complaint.reference == outcome.reference))
    assert new.contact_email == complaint.contact_email and new.channel == "email"
    assert any(complaint.reference in e.body for e in new.events if e.kind == "internal_note")
    assert any(new.reference in e.body for e in complaint.events if e.kind == "internal_note" and not e.public)
    assert not any(new.reference in e.body for e in complaint.events if e.public)
