"""Read side of the customer pages: the keyset-paginated list, one customer's figures, the
quarterly review (moves with reasons, time spent vs revenue). Every figure is one grouped query."""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import func, or_, select

from customers.models import Customer, CustomerScore, Interaction, Order, Organisation, SegmentTransition
from customers.signals import handling_minutes
from customers.signals import root_cause_names as root_cause_names_signal
from extensions import db
from flask_babel import gettext as _
from platform_support.errors import ServiceError
from platform_support.parsing import EARLIEST, LATEST


@dataclass
class ListFilter:
    q: str = ""
    abc: str | None = None
    category: str | None = None
    stage: str | None = None


def _encode(name: str, id_: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([name, id_]).encode()).decode()


def _decode(cursor: str | None):
    if not cursor:
        return None
    try:
        name, id_ = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return (str(name), int(id_))
    except (ValueError, TypeError):
        return None


def customer_page(filters: ListFilter, *, cursor: str | None, limit: int = 50):
    """Customers by name (keyset on (name, id)) with their scores; returns (rows, next_cursor)."""
    stmt = (select(Customer, CustomerScore).outerjoin(CustomerScore, CustomerScore.customer_id == Customer.id)
            .options(sa.orm.joinedload(Customer.organisation)))
    if filters.q:
        like = f"%{filters.q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Customer.name).like(like), Customer.email_normalised.like(like),
                              func.lower(Customer.external_id).like(like)))
    for column, value in ((CustomerScore.abc, filters.abc), (CustomerScore.category, filters.category),
                          (CustomerScore.stage, filters.stage)):
        if value:
            stmt = stmt.where(column == value)
    after = _decode(cursor)
    if after:
        stmt = stmt.where(sa.tuple_(Customer.name, Customer.id) > sa.tuple_(*after))
    rows = db.session.execute(stmt.order_by(Customer.name, Customer.id).limit(limit + 1)).all()
    next_cursor = _encode(rows[limit - 1][0].name, rows[limit - 1][0].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


def score_for(customer_id: int) -> CustomerScore | None:
    return db.session.get(CustomerScore, customer_id)


def segments_for(rows) -> dict[int, CustomerScore]:
    """customer_id → score for the customers of a page of rows (the complaint queue's badges): one query."""
    ids = {getattr(row, "customer_id", None) for row in rows} - {None}
    if not ids:
        return {}
    return {s.customer_id: s for s in db.session.scalars(select(CustomerScore).where(CustomerScore.customer_id.in_(ids)))}


def orders_of(customer_id: int, limit: int = 50) -> list[Order]:
    return list(db.session.scalars(select(Order).where(Order.customer_id == customer_id)
                                   .order_by(Order.ordered_on.desc(), Order.id.desc()).limit(limit)))


def root_cause_names() -> dict[int, str]:
    """{root cause id: name}, from complaints (`customers.signals.root_cause_names`)."""
    names: dict[int, str] = {}
    for _receiver, contributed in root_cause_names_signal.send():
        names.update(contributed or {})
    return names


def transitions_of(customer_id: int, limit: int = 50) -> list[SegmentTransition]:
    return list(db.session.scalars(select(SegmentTransition).where(SegmentTransition.customer_id == customer_id)
                                   .order_by(SegmentTransition.changed_at.desc(), SegmentTransition.id.desc())
                                   .limit(limit)))


def organisation_with_contacts(organisation_id: int):
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        return None, []
    contacts = db.session.execute(select(Customer, CustomerScore)
                                  .outerjoin(CustomerScore, CustomerScore.customer_id == Customer.id)
                                  .where(Customer.organisation_id == organisation_id).order_by(Customer.name)).all()
    return organisation, contacts


# --- quarterly review -----------------------------------------------------------------------------------

def quarter_bounds(label: str | None, now: datetime) -> tuple[str, date, date]:
    """"2027Q1" → (label, first day, first day of the next quarter); default: the current quarter."""
    year, quarter = now.year, (now.month - 1) // 3 + 1
    if label:
        match = re.fullmatch(r"([0-9]{4})[Qq]([1-4])", label.strip())
        if not match or not EARLIEST.year < int(match.group(1)) < LATEST.year:
            message = _("Choose a quarter like %(example)s.", example=f"{year}Q{quarter}")
            raise ServiceError(message, {"quarter": [message]})
        year, quarter = int(match.group(1)), int(match.group(2))
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return f"{year}Q{quarter}", start, end


def previous_quarter(label: str) -> str:
    year, quarter = int(label[:4]), int(label[5])
    return f"{year - 1}Q4" if quarter == 1 else f"{year}Q{quarter - 1}"


def transitions_between(start: date, end: date, limit: int = 500):
    start_at, end_at = datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.min.time())
    return db.session.execute(
        select(SegmentTransition, Customer.name).join(Customer, Customer.id == SegmentTransition.customer_id)
        .where(SegmentTransition.changed_at >= start_at, SegmentTransition.changed_at < end_at)
        .order_by(SegmentTransition.changed_at.desc(), SegmentTransition.id.desc()).limit(limit)).all()


@dataclass(frozen=True)
class TimeVsRevenue:
    customer_id: int
    name: str
    abc: str | None
    minutes: int
    revenue: float

    @property
    def revenue_per_hour(self) -> float | None:
        return round(self.revenue * 60 / self.minutes, 2) if self.minutes else None


def time_vs_revenue(start: date, end: date, limit: int = 100) -> list[TimeVsRevenue]:
    """Handling minutes (complaint events, from `customers.signals.handling_minutes`, + logged
    contacts) against revenue, per customer, in [start, end).

    Grouped sub-queries joined once: no per-customer query.
    """
    start_at, end_at = datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.min.time())
    contact_minutes = (select(Interaction.customer_id.label("customer_id"), func.sum(Interaction.minutes).label("m"))
                       .where(Interaction.occurred_at >= start_at, Interaction.occurred_at < end_at)
                       .group_by(Interaction.customer_id))
    contributed = [select_ for _receiver, select_ in handling_minutes.send(start_at=start_at, end_at=end_at)
                   if select_ is not None]
    minutes = sa.union_all(contact_minutes, *contributed).subquery()
    total_minutes = select(minutes.c.customer_id, func.sum(minutes.c.m).label("minutes")).group_by(
        minutes.c.customer_id).subquery()
    revenue = (select(Order.customer_id, func.sum(Order.amount).label("revenue"))
               .where(Order.ordered_on >= start, Order.ordered_on < end).group_by(Order.customer_id).subquery())
    people = sa.union(select(total_minutes.c.customer_id), select(revenue.c.customer_id)).subquery()
    rows = db.session.execute(
        select(Customer.id, Customer.name, CustomerScore.abc, func.coalesce(total_minutes.c.minutes, 0),
               func.coalesce(revenue.c.revenue, 0))
        .select_from(people).join(Customer, Customer.id == people.c.customer_id)
        .outerjoin(CustomerScore, CustomerScore.customer_id == Customer.id)
        .outerjoin(total_minutes, total_minutes.c.customer_id == Customer.id)
        .outerjoin(revenue, revenue.c.customer_id == Customer.id)
        .order_by(func.coalesce(total_minutes.c.minutes, 0).desc(), Customer.id).limit(limit)).all()
    return [TimeVsRevenue(cid, name, abc, int(m or 0), float(r or 0)) for cid, name, abc, m, r in rows]


def open_tasks_for(staff_user_id: int | None, limit: int = 200, *, customer_id: int | None = None):
    from customers.models import CustomerTask
    stmt = select(CustomerTask).where(CustomerTask.done_at.is_(None))
    if staff_user_id is not None:
        stmt = stmt.where(CustomerTask.owner_id == staff_user_id)
    if customer_id is not None:
        stmt = stmt.where(CustomerTask.customer_id == customer_id)
    return list(db.session.scalars(stmt.order_by(CustomerTask.due_on, CustomerTask.id).limit(limit)))


