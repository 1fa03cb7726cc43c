"""The privacy duties: export everything we hold about a customer (JSON) and erase the personal
data while keeping the aggregates (orders, scores, complaint counts) and an audit note.

Complaints and e-mails carry copies of personal data too; they are anonymised through
lightweight table clauses because customers must not import the packages above it.
"""
from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from customers.models import Customer, CustomerScore, Interaction, Order, SegmentTransition
from customers.records import get_customer
from extensions import db
from platform_support.errors import ServiceError

log = logging.getLogger(__name__)

_complaints = sa.table("complaints", sa.column("id"), sa.column("customer_id"), sa.column("reference"),
                       sa.column("subject"), sa.column("description"), sa.column("status"), sa.column("created_at", sa.DateTime),
                       sa.column("contact_name"), sa.column("contact_email"), sa.column("contact_phone"),
                       sa.column("desired_outcome"), sa.column("order_reference"), sa.column("resolution"))
_outbox = sa.table("outbox_messages", sa.column("customer_id"), sa.column("kind"), sa.column("subject"),
                   sa.column("created_at", sa.DateTime), sa.column("sent_at", sa.DateTime), sa.column("to_address"), sa.column("to_name"),
                   sa.column("text_body"), sa.column("html_body"))
ERASED_EMAIL = "erased@invalid"


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj, columns) -> dict:
    return {c: _plain(getattr(obj, c)) for c in columns}


def export_customer(customer_id: int) -> dict:
    customer = get_customer(customer_id)
    file_columns = ("external_id", "name", "email", "phone", "job_title", "language", "timezone", "preferred_channel",
                    "preferred_days", "preferred_hour_start", "preferred_hour_end", "salutation", "patronymic",
                    "birthday", "notes", "is_partner", "disqualified", "surveys_opted_out_at", "greetings_opted_out_at",
                    "created_at", "erased_at")
    score = db.session.get(CustomerScore, customer_id)
    return {
        "customer": {**_row(customer, file_columns),
                     "organisation": customer.organisation.name if customer.organisation else None},
        "orders": [_row(o, ("external_ref", "ordered_on", "amount", "currency", "due_on", "paid_on"))
                   for o in db.session.scalars(sa.select(Order).where(Order.customer_id == customer_id).order_by(Order.id))],
        "complaints": [{k: _plain(v) for k, v in row._mapping.items()} for row in db.session.execute(
            sa.select(_complaints.c.reference, _complaints.c.subject, _complaints.c.description, _complaints.c.status,
                      _complaints.c.created_at, _complaints.c.desired_outcome, _complaints.c.resolution)
            .where(_complaints.c.customer_id == customer_id).order_by(_complaints.c.created_at))],
        "emails": [{k: _plain(v) for k, v in row._mapping.items()} for row in db.session.execute(
            sa.select(_outbox.c.kind, _outbox.c.subject, _outbox.c.created_at, _outbox.c.sent_at)
            .where(_outbox.c.customer_id == customer_id).order_by(_outbox.c.created_at))],
        "interactions": [_row(i, ("kind", "occurred_at", "minutes", "body")) for i in db.session.scalars(
            sa.select(Interaction).where(Interaction.customer_id == customer_id).order_by(Interaction.occurred_at))],
        "scores": _row(score, ("computed_at", "satisfaction", "loyalty", "abc", "category", "stage")) if score else None,
        "segment_transitions": [_row(t, ("changed_at", "dimension", "from_value", "to_value")) for t in db.session.scalars(
            sa.select(SegmentTransition).where(SegmentTransition.customer_id == customer_id).order_by(SegmentTransition.id))],
    }


def erase_customer(customer_id: int, *, actor_id: int, actor_name: str, now: datetime) -> Customer:
    """Anonymise personal data everywhere; keep orders, scores and counts. One transaction."""
    customer = get_customer(customer_id)
    if customer.erased_at is not None:
        raise ServiceError(_("This customer file was already erased."))
    placeholder = _("Erased customer #%(id)d", id=customer.id)
    for field in ("phone", "job_title", "salutation", "patronymic", "notes", "preferred_days"):
        setattr(customer, field, "")
    customer.name, customer.email, customer.email_normalised, customer.birthday = placeholder, None, None, None
    customer.preferred_hour_start = customer.preferred_hour_end = None
    customer.erased_at = now
    customer.greetings_opted_out_at = customer.greetings_opted_out_at or now
    customer.surveys_opted_out_at = customer.surveys_opted_out_at or now
    db.session.execute(sa.update(_complaints).where(_complaints.c.customer_id == customer_id).values(
        contact_name=placeholder, contact_email=ERASED_EMAIL, contact_phone="", description=_("[erased]"),
        desired_outcome="", order_reference=""))
    db.session.execute(sa.update(_outbox).where(_outbox.c.customer_id == customer_id).values(
        to_address=ERASED_EMAIL, to_name="", text_body=_("[erased]"), html_body=None))
    db.session.execute(sa.update(Interaction).where(Interaction.customer_id == customer_id,
                                                    Interaction.kind != "audit").values(body=_("[erased]")))
    db.session.add(Interaction(customer_id=customer_id, kind="audit", occurred_at=now, created_at=now, minutes=0,
                               staff_user_id=actor_id,
                               body=_("Personal data erased by %(who)s; orders, scores and counts kept.", who=actor_name)))
    db.session.commit()
    log.info("customer %s erased by staff %s", customer_id, actor_id)
    return customer
