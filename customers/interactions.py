"""Staff-logged calls, meetings and notes (with handling minutes) — seed 003: record every communication."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from customers.models import Interaction
from customers.records import get_customer
from extensions import db
from platform_support.errors import ServiceError

KIND_LABELS = {"call": _l("Phone call"), "meeting": _l("Meeting"), "note": _l("Note"), "audit": _l("Audit note")}
LOGGABLE_KINDS = ("call", "meeting", "note")
MAX_MINUTES = 24 * 60


def log_interaction(customer_id: int, *, kind: str, body: str, minutes: int | None, occurred_at: datetime | None,
                    staff_user_id: int | None, now: datetime) -> Interaction:
    customer = get_customer(customer_id)
    errors: dict[str, list[str]] = {}
    if kind not in LOGGABLE_KINDS:
        errors["kind"] = [_("Choose a call, a meeting or a note.")]
    minutes = minutes or 0
    if not 0 <= minutes <= MAX_MINUTES:
        errors["minutes"] = [_("Enter a number of minutes between 0 and %(max)d.", max=MAX_MINUTES)]
    body = (body or "").strip()
    if not body:
        errors["body"] = [_("Write down what was said or agreed.")]
    if occurred_at is not None and occurred_at > now:
        errors["occurred_at"] = [_("The contact cannot be in the future.")]
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    interaction = Interaction(customer_id=customer.id, kind=kind, body=body, minutes=minutes,
                              occurred_at=occurred_at or now, staff_user_id=staff_user_id, created_at=now)
    db.session.add(interaction)
    db.session.commit()
    return interaction
