"""Bulk actions on the queue: assign, change priority, close with a root cause — each one
transaction, all or nothing.

Every complaint goes through the same staff action as on its own page (`complaints.actions`, with
`commit=False`): the same visibility rule, permission rules, lifecycle table, events and e-mails,
and the version the person saw on the queue (a complaint changed since is refused, naming it).
The rows are locked in one order (by reference), so two bulk actions at once cannot deadlock: the
second waits for the first, then finds the versions moved on — one wins, the other is told which
complaint changed and nothing of theirs is applied.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from complaints import actions
from complaints.lifecycle import PRIORITIES
from complaints.models import RootCause
from complaints.queries import is_visible_to, lock_complaint
from extensions import db
from platform_support.clock import utcnow
from platform_support.errors import ServiceError
from staff.models import StaffUser

MAX_BULK = 200
BULK_ACTIONS = {"assign": _l("Assign to"), "priority": _l("Set priority"), "close": _l("Close with a root cause")}


class BulkRefused(ServiceError):
    """One complaint of the batch was refused: nothing of the batch was applied."""

    def __init__(self, reference: str, reason: ServiceError):
        super().__init__(_("Nothing was changed: %(reference)s — %(reason)s", reference=reference, reason=reason.message),
                         {"complaints": [reference]})
        self.status_code = reason.status_code
        self.reference = reference


def parse_selection(values: list[str]) -> list[tuple[str, int | None]]:
    """The queue's checkboxes, "REFERENCE:VERSION" each (the version the row showed)."""
    selected: dict[str, int | None] = {}
    for value in values:
        reference, _sep, version = (value or "").strip().partition(":")
        if not reference or len(reference) > 20:
            continue
        selected[reference] = int(version) if version.isdigit() and len(version) < 10 else None
    return list(selected.items())


def check_bulk(action: str, selection: list[tuple[str, int | None]], *, owner: str = "", priority: str = "",
               root_cause: str = "", resolution: str = "") -> dict:
    """Refuse an incomplete request before anything is locked; the cleaned parameters."""
    if action not in BULK_ACTIONS:
        raise ServiceError(_("Choose what to do with the selected complaints."), {"action": [_("Choose an action.")]})
    if not selection:
        raise ServiceError(_("Select at least one complaint."), {"complaints": [_("Select at least one complaint.")]})
    if len(selection) > MAX_BULK:
        message = _("Select at most %(max)d complaints at once.", max=MAX_BULK)
        raise ServiceError(message, {"complaints": [message]})
    if action == "assign":
        found = db.session.scalar(select(StaffUser).where(StaffUser.email == (owner or "").strip().lower(),
                                                          StaffUser.active.is_(True)))
        if found is None:
            raise ServiceError(_("There is no active staff member with that e-mail."),
                               {"owner": [_("Choose an active staff member.")]})
        return {"owner": found}
    if action == "priority":
        if priority not in PRIORITIES:
            raise ServiceError(_("Unknown priority."), {"priority": [_("Choose a priority from the list.")]})
        return {"priority": priority}
    cause = db.session.scalar(select(RootCause).where(RootCause.code == (root_cause or "").strip(),
                                                      RootCause.active.is_(True)))
    if cause is None:
        raise ServiceError(_("Choose the root cause of the problem."),
                           {"root_cause": [_("Choose the root cause of the problem.")]})
    resolution = (resolution or "").strip()
    if not resolution:
        raise ServiceError(_("Describe how the complaints were resolved."),
                           {"resolution": [_("Describe how the complaints were resolved.")]})
    return {"root_cause": cause, "resolution": resolution}


def apply_bulk(action: str, selection: list[tuple[str, int | None]], *, actor: StaffUser, owner: str = "",
               priority: str = "", root_cause: str = "", resolution: str = "", now: datetime | None = None) -> int:
    """Apply `action` to every selected complaint in one transaction; returns how many changed.
    "close" resolves an open complaint first (with the root cause and resolution given), then
    closes it; a resolved one is closed as it is."""
    now = now or utcnow()
    params = check_bulk(action, selection, owner=owner, priority=priority, root_cause=root_cause, resolution=resolution)
    changed = 0
    try:
        for reference, version in sorted(selection):
            try:
                changed += _apply_one(action, reference, version, params, actor=actor, now=now)
            except ServiceError as exc:
                raise BulkRefused(reference, exc) from exc
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return changed


def _apply_one(action: str, reference: str, version: int | None, params: dict, *, actor: StaffUser, now: datetime) -> int:
    if action == "assign":
        current = lock_complaint(reference)
        if current is not None and current.owner_id == params["owner"].id and is_visible_to(current, actor):
            actions.locked_as_seen(reference, actor, version, current)  # as they saw it: else they are told
            return 0  # already theirs: nothing to do for this one
        actions.assign_owner(reference, params["owner"].email, actor=actor, now=now, expected_version=version, commit=False)
        return 1
    if action == "priority":
        before = actions.locked_as_seen(reference, actor, version).priority
        actions.change_priority(reference, params["priority"], actor=actor, now=now, expected_version=version, commit=False)
        return int(before != params["priority"])
    complaint = actions.locked_as_seen(reference, actor, version)
    if complaint.status == "closed":
        return 0
    if complaint.status != "resolved":
        complaint = actions.resolve(reference, params["resolution"], params["root_cause"].code, actor=actor, now=now,
                                    expected_version=version, commit=False)
        version = complaint.version
    actions.close(reference, actor=actor, now=now, expected_version=version, commit=False)
    return 1
