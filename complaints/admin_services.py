"""Admin-managed reference data: the root-cause list and SLA targets."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from complaints.lifecycle import PRIORITIES
from complaints.models import RootCause, SlaTarget
from complaints.sla import DEFAULT_SLA_HOURS
from extensions import db
from platform_support.errors import ServiceError

_CODE = re.compile(r"^[a-z0-9_\-]{1,50}$")


def all_root_causes() -> list[RootCause]:
    return list(db.session.scalars(select(RootCause).order_by(RootCause.sort_order, RootCause.name)))


def save_root_cause(*, code: str, name: str, sort_order: int = 0, active: bool = True) -> RootCause:
    """Create or update by code. Codes are stable (the API resolves with them); names may change."""
    code = (code or "").strip().lower()
    if not _CODE.match(code):
        raise ServiceError(_("Use lower-case letters, digits, - and _ for the code."),
                           {"code": [_("Use lower-case letters, digits, - and _ for the code.")]})
    if not (name or "").strip():
        raise ServiceError(_("Enter a name."), {"name": [_("Enter a name.")]})
    root_cause = db.session.scalar(select(RootCause).where(RootCause.code == code))
    if root_cause is None:
        root_cause = RootCause(code=code)
        db.session.add(root_cause)
    root_cause.name, root_cause.sort_order, root_cause.active = name.strip(), sort_order or 0, active
    db.session.commit()
    return root_cause


def sla_table() -> list[tuple[str, int, int]]:
    rows = {t.priority: t for t in db.session.scalars(select(SlaTarget))}
    table = []
    for priority in PRIORITIES:
        first, resolution = DEFAULT_SLA_HOURS[priority]
        if priority in rows:
            first, resolution = rows[priority].first_response_hours, rows[priority].resolution_hours
        table.append((priority, first, resolution))
    return table


def save_sla(priority: str, first_response_hours: int, resolution_hours: int) -> tuple[SlaTarget, int]:
    """A priority's targets (business hours). The open complaints of that priority get their due
    dates recomputed in the same transaction, as after a calendar change; returns the target and
    how many complaints' due dates moved."""
    from complaints.sla import recompute_open_due_dates

    if priority not in PRIORITIES:
        raise ServiceError(_("Unknown priority."))
    if not (0 < first_response_hours <= resolution_hours):
        raise ServiceError(_("The first response must be due before the resolution."),
                           {"first_response_hours": [_("Must be at least 1 and not more than the resolution time.")]})
    target = db.session.get(SlaTarget, priority) or SlaTarget(priority=priority)
    target.first_response_hours, target.resolution_hours = first_response_hours, resolution_hours
    db.session.add(target)
    moved = recompute_open_due_dates(None, priorities=[priority])
    db.session.commit()
    return target, moved
