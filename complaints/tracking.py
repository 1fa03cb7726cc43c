"""The customer's side after filing: the tracking page's complaint and the messages added there."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from complaints import contact, links, uploads
from complaints.changes import attach_uploads, owner_or_managers, record_event, transition
from complaints.models import Complaint
from extensions import db
from notifications.services import queue_email
from platform_support.clock import utcnow
from platform_support.database import write_intent
from platform_support.errors import NotFound, ServiceError
from platform_support.tokens import hash_secret


def complaint_for_tracking_token(token: str) -> Complaint:
    complaint = None
    if token and len(token) <= 100:
        complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_token_hash == hash_secret(token)))
        reference = links.reference_of_token(token) if complaint is None else None
        if reference:  # the signed link of a later e-mail (complaints/links.py)
            complaint = db.session.scalar(select(Complaint).where(Complaint.reference == reference))
    if complaint is None:
        raise NotFound(_("We could not find this complaint. Please check the link in your e-mail."))
    if complaint.customer.erased_at is not None:  # the person asked to be forgotten
        raise NotFound(_("This complaint is no longer available."))
    return complaint


def open_tracking(token: str, *, now: datetime) -> Complaint:
    """The tracking page opened: through the signed link of one of our e-mails, that proves the
    contact address (complaints.contact); the page's own link (shown after filing) does not."""
    complaint = complaint_for_tracking_token(token)
    if complaint.contact_confirmed_at is None and links.reference_of_token(token) == complaint.reference:
        complaint_id = complaint.id
        db.session.commit()  # end the read; the write is a transaction of its own (SQLite: BEGIN IMMEDIATE)
        with write_intent():
            contact.confirm_contact(complaint_id, now=now)
            db.session.commit()
        complaint = complaint_for_tracking_token(token)
    return complaint


def add_customer_message(token: str, text: str, attachments: list[uploads.Upload] | None = None,
                         *, now: datetime | None = None) -> Complaint:
    """The customer adds information on the tracking page; the owner (or the managers) are told."""
    now = now or utcnow()
    complaint = complaint_for_tracking_token(token)
    text = (text or "").strip()
    accepted = uploads.check_uploads(attachments or [])
    if not text and not accepted:
        raise ServiceError(_("Please write a message or attach a file."),
                           {"message": [_("Please write a message or attach a file.")]})
    transition(complaint, "customer_message")
    event = record_event(complaint, "customer_message", now=now, public=True, body=text, by_customer=True)
    attach_uploads(complaint, accepted, by_customer=True, now=now, event=event)
    for recipient in owner_or_managers(complaint):
        queue_email(kind="complaint_customer_message", to_address=recipient.email, to_name=recipient.name,
                    template="complaint_customer_message", language=recipient.language,
                    context={"complaint": complaint, "message": text, "attachment_count": len(accepted)},
                    staff_user_id=recipient.id, complaint_id=complaint.id, now=now)
    db.session.commit()
    return complaint
