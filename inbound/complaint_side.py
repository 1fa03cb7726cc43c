"""What an e-mail does to complaints — append, reopen, file — through the complaints package's
own building blocks (transition table, events, attachments, the filing service). Nothing here
commits: `inbound.ingest` commits once, with the stored message and the mailbox cursor."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete

from complaints import signals, uploads
from complaints.models import Complaint, ComplaintEvent
from complaints.changes import attach_uploads, email_customer, owner_or_managers, record_event, transition
from complaints.classification import category_for_text
from complaints.filing import FiledComplaint, NewComplaint, file_complaint
from complaints.sla import restart_resolution_clock
from extensions import db
from notifications.models import OutboxMessage
from notifications.services import queue_email
from platform_support.errors import ServiceError


def accepted_files(files: list[uploads.Upload]) -> tuple[list, list[str]]:
    """Each file through the upload checks on its own: the good ones land on the complaint, the
    refused ones are named (with the reason) on the event; the raw message keeps them all."""
    accepted, refused = [], []
    limit = current_app.config["UPLOAD_MAX_FILES"]
    for number, upload in enumerate(files):
        if number >= limit:
            refused.append(f"{upload.filename}: {_('Too many files.')}")
            continue
        try:
            accepted.extend(uploads.check_uploads([upload]))
        except ServiceError as exc:
            refused.append(f"{upload.filename}: {' '.join(exc.fields.get('attachments', [])) or str(exc)}")
    return accepted, refused


def append_message(complaint: Complaint, text: str, files: list[uploads.Upload], *, now: datetime,
                   detail: dict) -> ComplaintEvent:
    """The customer's e-mail on the complaint, as a public customer event; the owner (or, if
    unowned, the managers) are told. A resolved complaint within REOPEN_DAYS is reopened by it."""
    accepted, refused = accepted_files(files)
    if refused:
        detail = {**detail, "refused_attachments": refused}
    if complaint.status in ("resolved", "closed"):
        _reopen_by_customer(complaint, now=now)
    else:
        transition(complaint, "customer_message")
    event = record_event(complaint, "customer_message", now=now, public=True, body=text, by_customer=True, detail=detail)
    attach_uploads(complaint, accepted, by_customer=True, now=now, event=event)
    # The staff lookup needs nothing of what this message changed: no flush for it (the caller
    # flushes the message's rows once, with the event).
    with db.session.no_autoflush:
        recipients = owner_or_managers(complaint)
    for recipient in recipients:
        queue_email(kind="complaint_customer_message", to_address=recipient.email, to_name=recipient.name,
                    template="complaint_customer_message", language=recipient.language,
                    context={"complaint": complaint, "message": text, "attachment_count": len(accepted)},
                    staff_user_id=recipient.id, complaint_id=complaint.id, now=now)
    return event


def can_reopen(complaint: Complaint, now: datetime) -> bool:
    """A reply reopens a resolved complaint only within REOPEN_DAYS of its resolution."""
    if complaint.is_open:
        return True
    settled = complaint.resolved_at or complaint.closed_at or complaint.updated_at
    return now - settled <= timedelta(days=current_app.config["REOPEN_DAYS"])


def _reopen_by_customer(complaint: Complaint, *, now: datetime) -> None:
    before, after = transition(complaint, "reopen")
    complaint.reopened_count += 1
    complaint.resolved_at = None
    complaint.closed_at = None
    restart_resolution_clock(complaint, now)
    record_event(complaint, "reopened", now=now, public=True, by_customer=True,
           body=_("Reopened by the customer's e-mail."), detail={"from": before, "to": after, "channel": "email"})
    email_customer(complaint, "complaint_reopened", now=now, context={"reason": _("You wrote to us again.")})
    signals.complaint_reopened.send(current_app._get_current_object(), complaint=complaint, now=now)


def file_from_email(*, name: str, email: str, subject: str, text: str, files: list[uploads.Upload], language: str,
                    now: datetime, acknowledge: bool, acknowledgement_headers: dict, notes: list[str],
                    event_detail: dict | None = None) -> FiledComplaint:
    """A new complaint through the filing service (channel "email"); `notes` become internal notes,
    `event_detail` goes into its "created" event (written with it: not read back and updated)."""
    accepted, refused = accepted_files(files)
    new = NewComplaint(name=name, email=email, subject=subject[:200], description=text, language=language,
                       attachments=[upload for upload, _type, _extension in accepted],
                       # The admins' keyword rules (or none): nobody picked one.
                       category=category_for_text(subject, text) or "")
    filed = file_complaint(new, channel="email", now=now, commit=False, acknowledgement_headers=acknowledgement_headers,
                           event_detail=event_detail)
    complaint = filed.complaint  # the session's own (filing added it)
    if not acknowledge:  # the hourly cap of automatic e-mails to this address is reached
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.complaint_id == complaint.id,
                                                       OutboxMessage.kind == "complaint_acknowledgement"))
        notes = notes + [_("No acknowledgement sent: too many automatic e-mails to this address in the last hour.")]
    if refused:
        notes = notes + [_("Attachments not accepted: %(files)s", files="; ".join(refused))]
    for note in notes:
        record_event(complaint, "internal_note", now=now, public=False, body=note)
    return filed


def note(complaint: Complaint, text: str, *, now: datetime) -> None:
    record_event(complaint, "internal_note", now=now, public=False, body=text)
