"""Canned responses: prepared replies and notes staff insert in the complaint page's composer.

Shared responses (no owner) are managed by admins; personal ones by the staff member who owns
them. Each is written in one language. Placeholders in braces are filled in here, on the server,
for one complaint: the result is plain text that goes into the composer (the page escapes it like
any text, the e-mail's HTML part too), so nothing a customer typed — their name — becomes markup.
"""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import format_date, force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, or_, select

from complaints import links
from complaints.models import CannedResponse, Complaint
from customers.salutations import salutation
from extensions import db
from notifications.services import force_timezone
from platform_support.clock import utcnow
from platform_support.errors import NotFound, PermissionDenied, ServiceError
from platform_support.templating import LANGUAGE_NAMES as LANGUAGES
from staff.models import StaffUser

TITLE_MAX = 120
BODY_MAX = 10_000

# The placeholders a canned response may use, with what each becomes (shown on the edit page).
PLACEHOLDERS = {
    "salutation": _l("the greeting line for the customer, e.g. “Dear Ms Novak,”"),
    "name": _l("the customer's name as they gave it"),
    "reference": _l("the complaint's reference"),
    "owner": _l("the name of the complaint's owner (or yours, if nobody owns it yet)"),
    "tracking_link": _l("the customer's link to the tracking page"),
    "due_date": _l("the date the complaint is due to be resolved, in the customer's time zone"),
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def usable_by(actor: StaffUser, language: str | None = None) -> list[CannedResponse]:
    """The shared responses and the actor's own; those in `language` first, then by title."""
    query = select(CannedResponse).where(or_(CannedResponse.owner_staff_id.is_(None),
                                             CannedResponse.owner_staff_id == actor.id))
    order = [CannedResponse.title, CannedResponse.id]
    if language:
        order.insert(0, case((CannedResponse.language == language, 0), else_=1))
    return list(db.session.scalars(query.order_by(*order)))


def get_usable(canned_id: int | None, actor: StaffUser) -> CannedResponse:
    found = db.session.get(CannedResponse, canned_id) if canned_id else None
    if found is None or found.owner_staff_id not in (None, actor.id):
        raise NotFound(_("No such canned response."))
    return found


def may_manage(actor: StaffUser, canned: CannedResponse) -> bool:
    return actor.is_admin if canned.owner_staff_id is None else canned.owner_staff_id == actor.id


def _check(title: str, body: str, language: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not title or len(title) > TITLE_MAX:
        errors["title"] = [_("Give a title of at most %(max)d characters.", max=TITLE_MAX)]
    if not body or len(body) > BODY_MAX:
        errors["body"] = [_("Write the text (at most %(max)d characters).", max=BODY_MAX)]
    unknown = sorted({name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})
    if unknown:
        errors.setdefault("body", []).append(_("Unknown placeholder: %(names)s. Use one of: %(known)s.",
                                               names=", ".join("{%s}" % n for n in unknown),
                                               known=", ".join("{%s}" % n for n in PLACEHOLDERS)))
    if language not in LANGUAGES:
        errors["language"] = [_("Choose a language from the list.")]
    if errors:
        raise ServiceError(next(iter(errors.values()))[0], errors)
    return title, body


def save(actor: StaffUser, *, title: str, body: str, language: str, shared: bool,
         canned_id: int | None = None, now: datetime | None = None) -> CannedResponse:
    """Create (no `canned_id`) or change a canned response. Only admins write shared ones; anyone
    writes their own personal ones. A response keeps its owner when edited."""
    now = now or utcnow()
    title, body = _check(title, body, language)
    if canned_id is None:
        if shared and not actor.is_admin:
            raise PermissionDenied(_("Only an admin can add shared canned responses."))
        canned = CannedResponse(owner_staff_id=None if shared else actor.id, created_at=now)
        db.session.add(canned)
    else:
        canned = db.session.get(CannedResponse, canned_id)
        if canned is None or canned.owner_staff_id not in (None, actor.id):
            raise NotFound(_("No such canned response."))
        if not may_manage(actor, canned):
            raise PermissionDenied(_("Only an admin can change shared canned responses."))
    canned.title, canned.body, canned.language, canned.updated_at = title, body, language, now
    db.session.commit()
    return canned


def delete(actor: StaffUser, canned_id: int) -> None:
    canned = db.session.get(CannedResponse, canned_id)
    if canned is None or canned.owner_staff_id not in (None, actor.id):
        raise NotFound(_("No such canned response."))
    if not may_manage(actor, canned):
        raise PermissionDenied(_("Only an admin can delete shared canned responses."))
    db.session.delete(canned)
    db.session.commit()


def values_for(complaint: Complaint, *, actor: StaffUser, language: str) -> dict[str, str]:
    """What each placeholder becomes for `complaint`, written in `language` (the response's) and
    dated in the customer's time zone."""
    customer = complaint.customer
    zone = customer.timezone if customer is not None else "UTC"
    with force_locale(language), force_timezone(zone):
        due = format_date(complaint.resolution_due_at, "long") if complaint.resolution_due_at else ""
    owner = complaint.owner or actor
    return {
        "salutation": salutation(customer, language=language, name=complaint.contact_name),
        "name": complaint.contact_name,
        "reference": complaint.reference,
        "owner": owner.name,
        "tracking_link": links.link_url(complaint.reference),
        "due_date": due,
    }


def fill(canned: CannedResponse, complaint: Complaint, *, actor: StaffUser) -> str:
    """The response's text with its placeholders filled in for `complaint` (plain text: one pass,
    so a value that itself looks like a placeholder stays as it is)."""
    values = values_for(complaint, actor=actor, language=canned.language)
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), canned.body)
