"""What every change to a complaint does: the lifecycle transition, the event row, the e-mail to
the customer, stored attachments — shared by the staff actions, the customer's tracking page and
the scheduled escalation. Nothing here commits: the use case does, once."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from complaints import lifecycle, links, signals, tasks, uploads
from complaints.labels import EVENT_LABELS
from complaints.models import Attachment, Complaint, ComplaintEvent
from complaints.sla import sync_waiting
from extensions import db
from notifications.services import RenderedEmail, queue_email, render_email
from platform_support.errors import Conflict, ServiceError
from staff.models import StaffUser

MAX_MINUTES_PER_ACTION = 24 * 60


def record_event(complaint: Complaint, kind: str, *, now: datetime, public: bool, body: str = "",
           actor: StaffUser | None = None, by_customer: bool = False, minutes: int = 0,
           detail: dict | None = None) -> ComplaintEvent:
    event = ComplaintEvent(complaint=complaint, kind=kind, public=public, body=body, actor=actor,
                           by_customer=by_customer, minutes=minutes, detail=detail or {}, created_at=now)
    db.session.add(event)
    complaint.updated_at = now
    # Every change is an event: the version tells a page (or an API client) that what it shows
    # is no longer current (see check_version).
    complaint.version = (complaint.version or 1) + 1
    complaint.handling_minutes += minutes
    # The SLA clock pauses while the complaint waits for the customer (complaints.sla).
    if complaint.status == "waiting" or complaint.waiting_since is not None:
        sync_waiting(complaint, now)
    note_change(complaint)
    return event


def note_change(complaint: Complaint, *, filed: bool = False) -> None:
    """Mark the complaint as changed in this transaction: the trigger rules run over it before the
    commit (complaints.triggers). Changes made by the rules themselves are not noted (no loops)."""
    info = db.session().info
    if info.get("triggers_running"):
        return
    noted = info.setdefault("changed_complaints", {})
    noted[id(complaint)] = (complaint, filed or noted.get(id(complaint), (None, False))[1])


def check_minutes(minutes: int | None) -> int:
    minutes = minutes or 0
    if minutes < 0 or minutes > MAX_MINUTES_PER_ACTION:
        raise ServiceError(_("Handling time must be between 0 and %(max)d minutes.", max=MAX_MINUTES_PER_ACTION),
                           {"minutes": [_("Enter a number of minutes between 0 and %(max)d.", max=MAX_MINUTES_PER_ACTION)]})
    return minutes


def require_text(value: str, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(message, {field_name: [message]})
    return value


def last_change(complaint: Complaint) -> ComplaintEvent | None:
    return db.session.scalar(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id)
                             .order_by(ComplaintEvent.id.desc()).limit(1))


def who_and_when(event: ComplaintEvent | None) -> dict:
    from flask_babel import format_datetime

    if event is None:
        return {"who": _("someone"), "when": ""}
    who = event.actor.name if event.actor is not None else _("the customer") if event.by_customer else _("the system")
    return {"who": who, "when": format_datetime(event.created_at, "short")}


def check_version(complaint: Complaint, expected_version: int | None) -> None:
    """Refuse an action based on an outdated view of the complaint (409): the person sees what
    changed and decides again, instead of their action being applied to something they did not see."""
    if expected_version is None or expected_version == complaint.version:
        return
    event = last_change(complaint)
    message = _("This complaint changed since you opened it (last: %(change)s by %(who)s at %(when)s). "
                "Check the latest entries, then send again.",
                change=EVENT_LABELS.get(event.kind, event.kind) if event else "?", **who_and_when(event))
    raise Conflict(message, {"version": [message]})


def transition(complaint: Complaint, action: str) -> tuple[str, str]:
    before = complaint.status
    try:
        after = lifecycle.next_state(before, action)
    except lifecycle.IllegalTransition as exc:
        if before in set(lifecycle.TRANSITIONS.get(action, {}).values()):
            # Someone else did it first ("already resolved by Ana at 10:02"): a race lost, not bad input.
            raise Conflict(_("Already %(state)s by %(who)s at %(when)s.",
                             state=lifecycle.STATE_LABELS[before].lower(), **who_and_when(last_change(complaint)))) from None
        raise ServiceError(str(exc)) from None
    complaint.status = after
    return before, after


def mark_first_response(complaint: Complaint, action: str, now: datetime) -> None:
    if action in lifecycle.CUSTOMER_FACING_ACTIONS and complaint.first_responded_at is None:
        complaint.first_responded_at = now


def _customer_email(complaint: Complaint, kind: str, context: dict | None) -> dict:
    # Dates in the customer's own time zone (the customer file knows it; new customers get UTC).
    # Every one carries the tracking link and is answerable (Reply-To, thread headers: links.py).
    customer = complaint.customer
    return dict(template=kind, language=complaint.language, timezone=customer.timezone if customer else None,
                context={"complaint": complaint, "tracking_url": links.link_url(complaint.reference), **(context or {})})


def email_customer(complaint: Complaint, kind: str, *, now: datetime, context: dict | None = None,
                    dedupe_key: str | None = None) -> None:
    queued = queue_email(kind=kind, to_address=complaint.contact_email, to_name=complaint.contact_name,
                         dedupe_key=dedupe_key, extra_headers=links.thread_headers(complaint),
                         customer_id=complaint.customer_id, complaint_id=complaint.id, now=now,
                         **_customer_email(complaint, kind, context))
    if queued is not None:  # a customer who prefers the phone or a visit gets a call too (complaints.tasks)
        tasks.add_call_task(complaint, kind, now=now)


def preview_customer_email(complaint: Complaint, kind: str, *, context: dict | None = None) -> RenderedEmail:
    """The e-mail `email_customer` would queue, rendered by the same code, without queuing it
    (the composer's preview)."""
    return render_email(**_customer_email(complaint, kind, context))



def attach_uploads(complaint: Complaint, accepted, *, by_customer: bool, now: datetime,
                   event: ComplaintEvent | None = None, event_id: int | None = None) -> None:
    """Store the accepted uploads (`uploads.check_uploads`) on `complaint`, linked to its `event`
    (or the event of that id)."""
    link = {"event": event} if event is not None else {"event_id": event_id}  # (event=None would clear event_id)
    for upload, content_type, extension in accepted:
        db.session.add(Attachment(
            complaint=complaint, **link, stored_name=uploads.store(upload.content, extension),
            original_name=(upload.filename or "attachment")[:255], content_type=content_type,
            size_bytes=len(upload.content), uploaded_by_customer=by_customer, created_at=now))



def announce_assignment(complaint: Complaint, owner: StaffUser, *, now: datetime, actor: StaffUser | None = None,
                        template: str | None = "complaint_assigned_to_you", context: dict | None = None) -> None:
    """What every assignment announces, by hand (actions.assign_owner), by a routing rule or by a
    trigger rule: an e-mail to the new owner (`template`; none when they took it themselves, or
    None when the caller's own notice already tells them) and the `complaint_assigned` signal
    (webhooks' complaint.assigned). Before the caller's commit, like every receiver."""
    if template and (actor is None or owner.id != actor.id):
        queue_email(kind=template, to_address=owner.email, to_name=owner.name, template=template,
                    language=owner.language, context={"complaint": complaint, "actor": actor, **(context or {})},
                    staff_user_id=owner.id, complaint_id=complaint.id, now=now)
    signals.complaint_assigned.send(current_app._get_current_object(), complaint=complaint, owner=owner, now=now)


def owner_or_managers(complaint: Complaint) -> list[StaffUser]:
    if complaint.owner is not None and complaint.owner.active:
        return [complaint.owner]
    return managers()


def managers() -> list[StaffUser]:
    return list(db.session.scalars(
        select(StaffUser).where(StaffUser.active.is_(True), StaffUser.role.in_(("manager", "admin")))
        .order_by(StaffUser.id)))
