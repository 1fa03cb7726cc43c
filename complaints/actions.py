"""Staff actions on a complaint. Each function is one transaction: it checks the actor may see the
complaint (`queries.get_visible_complaint`), moves it through the lifecycle, writes the event,
queues the e-mails the change causes, announces it, and commits — or changes nothing.

Functions take plain arguments and `now`; the HTML views and the JSON API both call them.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from complaints import signals, uploads
from complaints.changes import announce_assignment, attach_uploads, check_minutes, check_version, last_change, who_and_when, email_customer, mark_first_response, record_event, require_text, transition
from complaints.lifecycle import PRIORITIES
from complaints.models import Complaint, ComplaintEvent, RootCause
from complaints.queries import is_visible_to, lock_complaint
from complaints.sla import apply_sla, restart_resolution_clock
from extensions import db
from notifications.services import queue_email
from platform_support.clock import utcnow
from platform_support.errors import Conflict, NotFound, PermissionDenied, ServiceError
from staff.models import StaffUser


def _locked(reference: str, actor: StaffUser, expected_version: int | None,
            complaint: Complaint | None = None) -> Complaint:
    """The complaint (already locked, or locked now for this transaction), visible to `actor` and
    as the actor last saw it."""
    complaint = complaint if complaint is not None else lock_complaint(reference)
    if complaint is None or not is_visible_to(complaint, actor):
        raise NotFound(_("No complaint with this reference is visible to you."))
    check_version(complaint, expected_version)
    return complaint


locked_as_seen = _locked  # for complaints.bulk: the same lock and checks as every action here


def assign_owner(reference: str, owner_email: str, *, actor: StaffUser, minutes: int = 0,
                 now: datetime | None = None, expected_version: int | None = None, commit: bool = True) -> Complaint:
    """Name the person responsible (seed 003) and tell the customer who it is.

    Agents may take an unowned complaint themselves; giving it to someone else, or taking it
    from its owner, is a manager's decision."""
    now = now or utcnow()
    minutes = check_minutes(minutes)
    complaint = lock_complaint(reference)
    if complaint is not None and not is_visible_to(complaint, actor) and complaint.owner is not None:
        # Two agents took the same unowned complaint at once: the second is told who won.
        raise Conflict(_("Already taken by %(who)s at %(when)s.", **who_and_when(last_change(complaint))))
    complaint = _locked(reference, actor, expected_version, complaint)
    owner = db.session.scalar(select(StaffUser).where(StaffUser.email == (owner_email or "").strip().lower()))
    if owner is None or not owner.active:
        raise ServiceError(_("There is no active staff member with that e-mail."),
                           {"owner": [_("Choose an active staff member.")]})
    if not actor.is_manager and not (owner.id == actor.id and complaint.owner_id in (None, actor.id)):
        raise PermissionDenied(_("Only a manager can give a complaint to someone else or take it from its owner."))
    if complaint.owner_id == owner.id:
        raise Conflict(_("%(name)s already owns this complaint.", name=owner.name))
    before, after = transition(complaint, "assign")
    previous = complaint.owner.name if complaint.owner else None
    complaint.owner = owner
    mark_first_response(complaint, "assign", now)
    record_event(complaint, "assigned", now=now, public=True, actor=actor, minutes=minutes,
           detail={"owner": owner.name, "previous_owner": previous, "from": before, "to": after})
    email_customer(complaint, "complaint_owner_assigned", now=now, context={"owner": owner})
    announce_assignment(complaint, owner, now=now, actor=actor)
    if commit:  # False: part of a bulk action, which commits all or nothing (complaints.bulk)
        db.session.commit()
    return complaint


def record_fact(reference: str, text: str, *, actor: StaffUser, minutes: int = 0,
                now: datetime | None = None, expected_version: int | None = None) -> ComplaintEvent:
    """Establish the facts (seed 003), each as its own entry. Facts are internal."""
    now = now or utcnow()
    minutes = check_minutes(minutes)
    text = require_text(text, "text", _("Write down the fact you established."))
    complaint = _locked(reference, actor, expected_version)
    transition(complaint, "record_fact")
    event = record_event(complaint, "fact", now=now, public=False, body=text, actor=actor, minutes=minutes)
    db.session.commit()
    return event


def post_update(reference: str, message: str, *, public: bool, actor: StaffUser, minutes: int = 0,
                now: datetime | None = None, expected_version: int | None = None,
                wait_for_customer: bool = False, attachments: list[uploads.Upload] | None = None) -> ComplaintEvent:
    """A public progress update (e-mailed, on the tracking page) or an internal note (never shown
    to the customer). A public update that asks the customer something may wait for the answer
    (`wait_for_customer`): the complaint is `waiting` until the customer's next message (e-mail or
    tracking page) takes it back to `in_progress`; WAITING_AUTO_CLOSE_DAYS later without one, the
    worker resolves it (complaints.jobs.close_unanswered). `attachments` (checked by
    `uploads.check_uploads`) go with it: on the tracking page with a public update, staff-only
    with a note."""
    now = now or utcnow()
    minutes = check_minutes(minutes)
    message = require_text(message, "message", _("Write the update."))
    if wait_for_customer and not public:
        raise ServiceError(_("Only a public update can wait for the customer's answer."),
                           {"wait_for_customer": [_("The customer never sees an internal note.")]})
    accepted = uploads.check_uploads(attachments or [])
    complaint = _locked(reference, actor, expected_version)
    if public:
        action = "wait_for_customer" if wait_for_customer else "progress_update"
        before, after = transition(complaint, action)
        mark_first_response(complaint, action, now)
        detail = {"from": before, "to": after, "waiting": True} if wait_for_customer else None
        event = record_event(complaint, "progress_update", now=now, public=True, body=message, actor=actor,
                             minutes=minutes, detail=detail)
        email_customer(complaint, "complaint_progress_update", now=now, context={"message": message, "author": actor,
                                                                                   "waiting": wait_for_customer,
                                                                                   "attachment_names": [u.filename for u, _t, _e in accepted]})
    else:
        transition(complaint, "internal_note")
        event = record_event(complaint, "internal_note", now=now, public=False, body=message, actor=actor, minutes=minutes)
    attach_uploads(complaint, accepted, by_customer=False, now=now, event=event)
    db.session.commit()
    return event


def commit_action(reference: str, action: str, due_on: date | None, *, actor: StaffUser, minutes: int = 0,
                  now: datetime | None = None, expected_version: int | None = None) -> Complaint:
    """Accept that action will be taken (seed 003): what, and by when. The customer is told."""
    now = now or utcnow()
    minutes = check_minutes(minutes)
    action = require_text(action, "action", _("Describe the action you commit to."))
    if due_on is None:
        raise ServiceError(_("Give the target date for the action."), {"due_on": [_("Give the target date for the action.")]})
    if due_on < now.date():
        raise ServiceError(_("The target date cannot be in the past."), {"due_on": [_("The target date cannot be in the past.")]})
    complaint = _locked(reference, actor, expected_version)
    transition(complaint, "commit_action")
    mark_first_response(complaint, "commit_action", now)
    complaint.committed_action = action
    complaint.committed_action_due_on = due_on
    record_event(complaint, "action_committed", now=now, public=True, body=action, actor=actor, minutes=minutes,
           detail={"due_on": due_on.isoformat()})
    email_customer(complaint, "complaint_action_committed", now=now, context={"owner": complaint.owner or actor})
    db.session.commit()
    return complaint


def change_priority(reference: str, priority: str, *, actor: StaffUser, minutes: int = 0,
                    now: datetime | None = None, expected_version: int | None = None, commit: bool = True) -> Complaint:
    """A different priority means different SLA targets, counted from when the complaint arrived."""
    now = now or utcnow()
    minutes = check_minutes(minutes)
    if priority not in PRIORITIES:
        raise ServiceError(_("Unknown priority."), {"priority": [_("Choose a priority from the list.")]})
    complaint = _locked(reference, actor, expected_version)
    if complaint.priority == priority:
        return complaint
    transition(complaint, "change_priority")
    before = complaint.priority
    complaint.priority = priority
    apply_sla(complaint, complaint.created_at)
    record_event(complaint, "priority_changed", now=now, public=False, actor=actor, minutes=minutes,
           detail={"from": before, "to": priority})
    if commit:  # False: part of a bulk action, which commits all or nothing (complaints.bulk)
        db.session.commit()
    return complaint


def active_root_causes() -> list[RootCause]:
    return list(db.session.scalars(select(RootCause).where(RootCause.active.is_(True))
                                   .order_by(RootCause.sort_order, RootCause.name)))


def resolve(reference: str, resolution: str, root_cause_code: str, *, actor: StaffUser, minutes: int = 0,
            now: datetime | None = None, expected_version: int | None = None, commit: bool = True) -> Complaint:
    """Settle the complaint. A root cause is mandatory (seed 003: the cause of every failure)."""
    now = now or utcnow()
    minutes = check_minutes(minutes)
    resolution = require_text(resolution, "resolution", _("Describe how the complaint was resolved."))
    root_cause = db.session.scalar(select(RootCause).where(RootCause.code == (root_cause_code or "").strip(),
                                                           RootCause.active.is_(True)))
    if root_cause is None:
        raise ServiceError(_("Choose the root cause of the problem."), {"root_cause": [_("Choose the root cause of the problem.")]})
    complaint = _locked(reference, actor, expected_version)
    before, after = transition(complaint, "resolve")
    if complaint.owner is None:
        complaint.owner = actor  # whoever settles an unowned complaint becomes responsible for it
    mark_first_response(complaint, "resolve", now)
    complaint.resolution = resolution
    complaint.root_cause = root_cause
    complaint.resolved_at = now
    record_event(complaint, "resolved", now=now, public=True, body=resolution, actor=actor, minutes=minutes,
           detail={"root_cause": root_cause.code, "from": before, "to": after})
    email_customer(complaint, "complaint_resolved", now=now)
    signals.complaint_resolved.send(current_app._get_current_object(), complaint=complaint, now=now)
    if commit:  # False: part of a bulk action, which commits all or nothing (complaints.bulk)
        db.session.commit()
    return complaint


def reopen(reference: str, reason: str, *, actor: StaffUser, minutes: int = 0, now: datetime | None = None, expected_version: int | None = None) -> Complaint:
    """The customer (or staff) is not satisfied after all: back to work with a fresh resolution clock."""
    now = now or utcnow()
    minutes = check_minutes(minutes)
    reason = require_text(reason, "reason", _("Say why the complaint is reopened."))
    complaint = _locked(reference, actor, expected_version)
    before, after = transition(complaint, "reopen")
    complaint.reopened_count += 1
    complaint.resolved_at = None
    complaint.closed_at = None
    # A fresh resolution clock; the breach of the old one is history.
    restart_resolution_clock(complaint, now)
    record_event(complaint, "reopened", now=now, public=True, body=reason, actor=actor, minutes=minutes,
           detail={"from": before, "to": after})
    email_customer(complaint, "complaint_reopened", now=now, context={"reason": reason})
    signals.complaint_reopened.send(current_app._get_current_object(), complaint=complaint, now=now)
    db.session.commit()
    return complaint


def close(reference: str, *, actor: StaffUser, minutes: int = 0, now: datetime | None = None, expected_version: int | None = None, commit: bool = True) -> Complaint:
    """File a resolved complaint away; only a reopen brings it back."""
    now = now or utcnow()
    minutes = check_minutes(minutes)
    complaint = _locked(reference, actor, expected_version)
    before, after = transition(complaint, "close")
    complaint.closed_at = now
    record_event(complaint, "closed", now=now, public=True, actor=actor, minutes=minutes, detail={"from": before, "to": after})
    signals.complaint_closed.send(current_app._get_current_object(), complaint=complaint, now=now)
    if commit:  # False: part of a bulk action, which commits all or nothing (complaints.bulk)
        db.session.commit()
    return complaint


CALL_DIRECTIONS = ("inbound", "outbound")


def log_call(reference: str, summary: str, *, direction: str, actor: StaffUser, channel: str = "phone",
             minutes: int = 0, now: datetime | None = None, expected_version: int | None = None):
    """Write down a phone call (or a visit) about an existing complaint: what was said, which way.
    Internal (the customer knows what they said); searchable like the customer's own messages.
    The customer calling while we wait for their answer takes the complaint back to work, as
    their e-mail would; our call to them is a first response."""
    now = now or utcnow()
    minutes = check_minutes(minutes)
    summary = require_text(summary, "summary", _("Write down what was said."))
    if direction not in CALL_DIRECTIONS:
        raise ServiceError(_("Say who called whom."), {"direction": [_("Choose who called whom.")]})
    if channel not in ("phone", "visit"):
        raise ServiceError(_("Choose phone or visit."), {"channel": [_("Choose phone or visit.")]})
    complaint = _locked(reference, actor, expected_version)
    before, after = transition(complaint, "customer_message" if direction == "inbound" else "internal_note")
    if direction == "outbound" and complaint.first_responded_at is None:
        complaint.first_responded_at = now
    event = record_event(complaint, "call_logged", now=now, public=False, body=summary, actor=actor, minutes=minutes,
                         detail={"direction": direction, "channel": channel, "from": before, "to": after})
    db.session.commit()
    return event
