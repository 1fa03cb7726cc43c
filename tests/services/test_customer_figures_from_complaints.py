"""What complaints contribute to the customer pages through customers.signals (customers cannot read
complaints' tables): root-cause names for the reasons of a move, minutes for the quarterly review."""
from __future__ import annotations

from datetime import timedelta

from complaints.models import ComplaintEvent, RootCause
from customers.models import Interaction
from customers.queries import root_cause_names, time_vs_revenue
from extensions import db
from tests.support.clock import NOW
from tests.support.complaints import complaint_row
from tests.support.customers import customer, orders


def test_root_cause_names_come_from_the_complaints_list(app):
    names = root_cause_names()
    listed = {cause.id: cause.name for cause in db.session.query(RootCause)}
    assert names == listed and names  # the baseline's starting root causes


def test_time_vs_revenue_adds_complaint_minutes_to_logged_contacts_inside_the_quarter(app):
    who, other = customer("Busy"), customer("Quiet")
    orders(who, (5, 120))
    row = complaint_row(who, age_days=10)
    db.session.add_all([
        ComplaintEvent(complaint_id=row.id, kind="internal_note", body="Phoned the carrier.", minutes=25,
                       created_at=NOW - timedelta(days=3)),
        ComplaintEvent(complaint_id=row.id, kind="internal_note", body="Last year.", minutes=999,
                       created_at=NOW - timedelta(days=400)),
        Interaction(customer_id=who.id, kind="call", occurred_at=NOW - timedelta(days=2), minutes=30, body="Call"),
    ])
    db.session.commit()
    start, end = (NOW - timedelta(days=30)).date(), (NOW + timedelta(days=1)).date()
    (busy,) = [r for r in time_vs_revenue(start, end) if r.customer_id == who.id]
    assert (busy.minutes, busy.revenue) == (55, 120.0)
    assert other.id not in {r.customer_id for r in time_vs_revenue(start, end)}
