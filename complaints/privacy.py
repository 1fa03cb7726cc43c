"""The complaints domain's part of the privacy duties (`customers.signals`, connected in
`factory.register_signal_receivers`): what a customer's complaints hold — the contact data they
were filed with, their texts, every event's text, the attachments (rows and stored files) and the
e-mails about them (also those to staff quoting the customer) — exported, counted, erased; and
their dates for the retention policy. Erased complaints keep their dates, states, priorities,
owners, root causes and minutes: the figures stay, the person goes."""
from __future__ import annotations

import json

import sqlalchemy as sa
from flask_babel import gettext as _

from platform_support import file_store
from complaints.lifecycle import OPEN_STATES
from complaints.models import Attachment, Complaint, ComplaintEvent
from complaints.search import forget_deleted_text
from customers.privacy import ERASED_EMAIL, ErasureItem, ExportSection, plain
from customers.signals import (activity_sources, customer_erasing, erasure_identifiers, erasure_preview,
                               export_sections)
from extensions import db
from notifications.models import OutboxMessage

TEXT_COLUMNS = ("subject", "description", "order_reference", "desired_outcome", "committed_action", "resolution")


def _complaint_ids(customer_id: int) -> sa.Select:
    return sa.select(Complaint.id).where(Complaint.customer_id == customer_id)


def identifiers(_sender=None, *, customer_id: int, **_extra) -> list[str]:
    rows = db.session.execute(sa.select(Complaint.contact_name, Complaint.contact_email, Complaint.contact_phone)
                              .where(Complaint.customer_id == customer_id)).all()
    return [value for row in rows for value in row if value]


def preview(_sender=None, *, customer_id: int, **_extra) -> list[ErasureItem]:
    count = lambda *where: db.session.scalar(sa.select(sa.func.count()).select_from(Complaint).where(  # noqa: E731
        Complaint.customer_id == customer_id, *where))
    attachments = db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)
                                    .where(Attachment.complaint_id.in_(_complaint_ids(customer_id))))
    events = db.session.scalar(sa.select(sa.func.count()).select_from(ComplaintEvent).where(
        ComplaintEvent.complaint_id.in_(_complaint_ids(customer_id)), ComplaintEvent.body != ""))
    return [
        ErasureItem(_("Complaints: contact data and texts (dates, states and root causes are kept)"), count()),
        ErasureItem(_("Messages, notes and facts on those complaints"), events),
        ErasureItem(_("Attached files"), attachments),
        ErasureItem(_("Open complaints"), count(Complaint.status.in_(OPEN_STATES)), blocks=True),
    ]


def _scrub(value, erasure) -> object:
    """A JSON value without the strings that name the person."""
    text = json.dumps(value, ensure_ascii=False)
    return None if any(identifier in text for identifier in erasure.identifiers) else value


def erase(_sender=None, *, erasure, **_extra) -> None:
    ids = _complaint_ids(erasure.customer_id)
    db.session.execute(sa.update(Complaint).where(Complaint.customer_id == erasure.customer_id).values(
        contact_name=erasure.placeholder, contact_email=ERASED_EMAIL, contact_phone="", submission_key=None,
        **{name: "" for name in TEXT_COLUMNS}))
    for event in db.session.scalars(sa.select(ComplaintEvent).where(ComplaintEvent.complaint_id.in_(ids))):
        event.body = ""
        event.detail = {key: value for key, value in (event.detail or {}).items()
                        if _scrub(value, erasure) is not None}
    for stored_name in db.session.scalars(sa.select(Attachment.stored_name).where(Attachment.complaint_id.in_(ids))):
        file_store.delete(stored_name)  # the database store: in this transaction
    db.session.execute(sa.delete(Attachment).where(Attachment.complaint_id.in_(ids)))
    # E-mails about these complaints, to the customer or to staff (which quote the customer):
    # unsent ones are dropped, sent ones keep only that they were sent.
    about = OutboxMessage.complaint_id.in_(ids)
    db.session.execute(sa.delete(OutboxMessage).where(about, OutboxMessage.status.in_(("queued", "parked"))))
    db.session.execute(sa.update(OutboxMessage).where(about).values(
        subject=_("[erased]"), text_body="", html_body=None, extra_headers={}, to_name="", last_error=""))
    db.session.execute(sa.update(OutboxMessage).where(about, OutboxMessage.staff_user_id.is_(None))
                       .values(to_address=ERASED_EMAIL))
    forget_deleted_text()


def export(_sender=None, *, customer_id: int, **_extra) -> list[ExportSection]:
    """Every complaint with the customer's and our public messages, and its attachments as files."""
    complaints, files = [], []
    for complaint in db.session.scalars(sa.select(Complaint).where(Complaint.customer_id == customer_id)
                                        .order_by(Complaint.created_at, Complaint.id)):
        attachments = []
        for attachment in complaint.attachments:
            if attachment.event is not None and not attachment.event.public:
                continue
            path = f"files/{complaint.reference}/{attachment.id}-{attachment.original_name}"
            try:
                files.append((path, file_store.read(attachment.stored_name)))
            except FileNotFoundError:
                pass
            attachments.append({"file": path, "name": attachment.original_name, "type": attachment.content_type,
                                "size_bytes": attachment.size_bytes, "uploaded_at": plain(attachment.created_at)})
        complaints.append({
            "reference": complaint.reference, "created_at": plain(complaint.created_at), "status": complaint.status,
            "contact_name": complaint.contact_name, "contact_email": complaint.contact_email,
            "contact_phone": complaint.contact_phone, "preferred_channel": complaint.preferred_channel,
            "language": complaint.language, "subject": complaint.subject, "description": complaint.description,
            "order_reference": complaint.order_reference, "occurred_on": plain(complaint.occurred_on),
            "desired_outcome": complaint.desired_outcome, "committed_action": complaint.committed_action,
            "resolution": complaint.resolution, "resolved_at": plain(complaint.resolved_at),
            "messages": [{"at": plain(e.created_at), "from": "customer" if e.by_customer else "us", "kind": e.kind,
                          "text": e.body} for e in complaint.events if e.public],
            "attachments": attachments,
        })
    return [ExportSection("complaints", complaints, files)]


def activity(_sender=None, **_extra) -> list[sa.Select]:
    return [sa.select(Complaint.customer_id, sa.func.max(Complaint.updated_at)).group_by(Complaint.customer_id)]


_connected = False


def connect() -> None:
    global _connected
    if not _connected:
        erasure_identifiers.connect(identifiers)
        erasure_preview.connect(preview)
        customer_erasing.connect(erase)
        export_sections.connect(export)
        activity_sources.connect(activity)
        _connected = True
