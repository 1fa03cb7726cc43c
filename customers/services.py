"""Use cases on the customer file that other domains call."""
from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from customers.models import Customer, CustomerScore, SegmentPriorityRule
from extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_customer_by_email(email: str) -> Customer | None:
    return db.session.scalar(select(Customer).where(Customer.email_normalised == normalise_email(email)))


def find_or_create_customer_by_email(*, email: str, name: str, phone: str = "", language: str = "en",
                                     preferred_channel: str = "email", timezone: str = "") -> Customer:
    """Complaints link to a customer file by e-mail, creating one for a newcomer.

    Runs inside the caller's transaction (no commit here). Two first complaints from the same
    new address at once: the loser's insert fails on the unique index inside a savepoint and it
    uses the winner's row.
    """
    customer = find_customer_by_email(email)
    if customer is not None:
        return customer
    customer = Customer(name=name, email=email.strip(), email_normalised=normalise_email(email), phone=phone or "",
                        language=language, preferred_channel=preferred_channel, timezone=_known_zone(timezone))
    try:
        with db.session.begin_nested():
            db.session.add(customer)
    except IntegrityError:
        customer = find_customer_by_email(email)
        if customer is None:
            raise
    return customer


def _known_zone(name: str | None) -> str:
    """The browser-reported IANA zone of a newcomer (dates in their e-mails read in local time);
    anything unknown is UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    name = (name or "").strip()
    if not name or len(name) > 64:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def complaint_priority_for(customer: Customer | None) -> str:
    """The priority a new complaint from this customer starts with: the first admin rule (by
    position) that matches one of the customer's current segments; "normal" when none does or the
    customer has not been segmented yet. SLA targets follow from the priority."""
    if customer is None or customer.id is None:
        return "normal"
    score = CustomerScore
    rule = SegmentPriorityRule
    matches = or_(and_(rule.dimension == "abc", rule.value == score.abc),
                  and_(rule.dimension == "category", rule.value == score.category),
                  and_(rule.dimension == "stage", rule.value == score.stage))
    priority = db.session.scalar(
        select(rule.priority).join(score, matches).where(score.customer_id == customer.id)
        .order_by(rule.position, rule.id).limit(1))
    return priority or "normal"
