"""Use cases on the customer file itself: create/update by external id (API, import), edit (staff form)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from audit.recording import record
from customers.models import Customer, Organisation
from customers.services import normalise_email
from customers.validation import clean_customer
from extensions import db
from platform_support.errors import NotFound, PermissionDenied, ServiceError

# Columns a staff member or an API client may set directly (organisation is resolved by name).
DIRECT_FIELDS = ("name", "email", "phone", "language", "timezone", "preferred_channel", "salutation", "patronymic",
                 "job_title", "notes", "preferred_days", "birthday", "country")


# What an edit is audited by (before and after values); the sensitive ones are for managers.
AUDITED_FIELDS = DIRECT_FIELDS + ("is_partner", "disqualified", "account_owner_id", "greetings_opted_out_at",
                                  "surveys_opted_out_at", "preferred_hour_start", "preferred_hour_end", "organisation_id")
SENSITIVE_FIELDS = ("email", "is_partner", "disqualified", "greetings_opted_out_at", "surveys_opted_out_at")


def _snapshot(customer: Customer) -> dict:
    return {name: getattr(customer, name) for name in AUDITED_FIELDS}


def _text(value) -> str | None:
    return None if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)


def _audit_changes(customer: Customer, before: dict, *, actor, now: datetime, created: bool = False) -> dict:
    """The file's edit in the audit log: every changed field with its value before and after.
    Refuses a change of a sensitive field (e-mail, partner, disqualified, opt-outs) by a non-manager."""
    db.session.flush()
    after = _snapshot(customer)
    changes = {name: [_text(before.get(name)), _text(after[name])] for name in AUDITED_FIELDS
               if before.get(name) != after[name]}
    refused = sorted(name for name in changes if name in SENSITIVE_FIELDS)
    if refused and not created and not getattr(actor, "is_manager", False):
        db.session.rollback()
        raise PermissionDenied(_("Only managers can change the e-mail address, the partner and disqualified flags "
                                 "and the opt-outs of a customer file."))
    if changes and actor is not None:
        record("customer.created" if created else "customer.edited", actor=actor, now=now,
               via="api" if has_request_context() and g.get("api_user") is not None else "session",
               target={"customer_id": str(customer.id), "changes": changes})
    return changes


@dataclass
class SavedCustomer:
    customer: Customer
    created: bool


def organisation_named(name: str) -> Organisation:
    """Organisations are matched by name (case-insensitive); a new name creates one."""
    found = db.session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower())
                              .order_by(Organisation.id).limit(1))
    if found is None:
        found = Organisation(name=name)
        db.session.add(found)
        db.session.flush()
    return found


def _apply(customer: Customer, clean: dict) -> None:
    for field in DIRECT_FIELDS:
        if field in clean:
            setattr(customer, field, clean[field])
    if "email" in clean:
        customer.email = clean["email"] or None  # no address: NULL, so the unique index allows many
        customer.email_normalised = normalise_email(clean["email"]) if clean["email"] else None
    if "organisation" in clean:
        customer.organisation = organisation_named(clean["organisation"]) if clean["organisation"] else None


def _email_taken(email: str | None, customer_id: int | None) -> bool:
    if not email:
        return False
    other = db.session.scalar(select(Customer.id).where(Customer.email_normalised == normalise_email(email)))
    return other is not None and other != customer_id


def save_customer(external_id: str, raw: dict, *, now: datetime, actor=None) -> SavedCustomer:
    """PUT semantics on the customer file: create it, or update the fields given. Commits; the
    change is in the audit log (before and after) when `actor` (a staff user) made it."""
    external_id = (external_id or "").strip()
    if not external_id or len(external_id) > 100:
        raise ServiceError(_("Invalid external id."), {"external_id": [_("1 to 100 characters.")]})
    customer = db.session.scalar(select(Customer).where(Customer.external_id == external_id))
    clean, errors = clean_customer(raw, require_name=customer is None)
    if customer is None and not clean.get("email"):
        errors.setdefault("email", []).append(_("This field is required."))
    if not errors and _email_taken(clean.get("email"), customer.id if customer else None):
        errors.setdefault("email", []).append(_("Another customer file already has this e-mail address."))
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    if customer is not None and customer.erased_at is not None:
        raise ServiceError(_("This customer file was erased."), {"external_id": [_("The file was erased.")]})
    created = customer is None
    if created:
        customer = Customer(external_id=external_id, name=clean["name"], created_at=now)
        db.session.add(customer)
    before = {} if created else _snapshot(customer)
    _apply(customer, clean)
    try:
        _audit_changes(customer, before, actor=actor, now=now, created=created)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_("Another customer file already has this e-mail address."),
                           {"email": [_("Another customer file already has this e-mail address.")]}) from None
    return SavedCustomer(customer, created)


def get_customer(customer_id: int) -> Customer:
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def customers_with_email(email: str) -> list[Customer]:
    """The (not erased) customer files with this address, compared as normalised."""
    return list(db.session.scalars(select(Customer).where(Customer.email_normalised == normalise_email(email),
                                                          Customer.erased_at.is_(None)).order_by(Customer.id)))


def get_customer_by_external_id(external_id: str) -> Customer:
    customer = db.session.scalar(select(Customer).where(Customer.external_id == external_id))
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def update_customer(customer_id: int, raw: dict, *, is_partner: bool | None = None, disqualified: bool | None = None,
                    account_owner_id: int | None = None, greetings_opt_out: bool | None = None,
                    surveys_opt_out: bool | None = None, preferred_hours: tuple[int | None, int | None] | None = None,
                    actor, now: datetime) -> Customer:
    """The staff edit form: file fields, staff flags (partner, disqualified), opt-outs, owner. The
    sensitive ones (e-mail, flags, opt-outs) only by a manager; every change is in the audit log
    with its before and after values. Commits."""
    customer = get_customer(customer_id)
    if customer.erased_at is not None:
        raise ServiceError(_("This customer file was erased."))
    clean, errors = clean_customer(raw)
    if preferred_hours is not None:
        start, end = preferred_hours
        if (start is None) != (end is None) or (start is not None and not 0 <= start < end <= 24):
            errors.setdefault("preferred_hour_start", []).append(_("Give both hours, the start before the end (0–24)."))
    if not errors and _email_taken(clean.get("email"), customer.id):
        errors.setdefault("email", []).append(_("Another customer file already has this e-mail address."))
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    before = _snapshot(customer)
    _apply(customer, clean)
    if preferred_hours is not None:
        customer.preferred_hour_start, customer.preferred_hour_end = preferred_hours
    if is_partner is not None:
        customer.is_partner = is_partner
    if disqualified is not None:
        customer.disqualified = disqualified
    if account_owner_id is not None:
        customer.account_owner_id = account_owner_id or None
    if greetings_opt_out is not None:
        customer.greetings_opted_out_at = (customer.greetings_opted_out_at or now) if greetings_opt_out else None
    if surveys_opt_out is not None:
        customer.surveys_opted_out_at = (customer.surveys_opted_out_at or now) if surveys_opt_out else None
    _audit_changes(customer, before, actor=actor, now=now)
    db.session.commit()
    return customer


def save_organisation(organisation_id: int, *, name: str, founded_on, notes: str) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_("No such organisation."))
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ServiceError(_("Please correct the highlighted fields."), {"name": [_("1 to 200 characters.")]})
    organisation.name, organisation.founded_on, organisation.notes = name, founded_on, notes or ""
    db.session.commit()
    return organisation


def record_transition_reason(transition_id: int, reason: str, note: str, *, actor, now: datetime):
    """Staff say why a customer really moved (seed 000: competitor prices, delivery trouble, a
    personality conflict…), beside the reasons the figures give. Any staff; audited. Commits."""
    from customers.models import SegmentTransition
    from customers.segments import STAFF_REASONS

    if reason not in STAFF_REASONS:
        raise ServiceError(_("Choose a reason."), {"reason": [_("Choose a reason.")]})
    note = (note or "").strip()
    if reason == "other" and not note:
        raise ServiceError(_("Say what the reason was."), {"note": [_("Say what the reason was.")]})
    if len(note) > 2000 or "\x00" in note:
        raise ServiceError(_("Please write at most %(n)d characters.", n=2000), {"note": [_("Please write at most %(n)d characters.", n=2000)]})
    transition = db.session.get(SegmentTransition, transition_id)
    if transition is None:
        raise NotFound(_("No such move."))
    transition.staff_reason, transition.staff_note = reason, note
    transition.staff_reason_at, transition.staff_reason_by_id = now, actor.id
    record("customer.transition_reason", actor=actor, now=now,
           target={"customer_id": transition.customer_id, "transition_id": transition.id, "reason": reason})
    db.session.commit()
    return transition
