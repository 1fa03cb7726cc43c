"""Recompute is deterministic and idempotent (Hypothesis), and transitions state their reasons."""
from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.models import CustomerScore, SegmentTransition
from customers.segments import describe_transition
from extensions import db
from tests.support.clock import NOW
from tests.support.complaints import complaint_row
from tests.support.customers import customer, nps, orders, recompute, scores


def _snapshot():
    rows = db.session.query(CustomerScore).order_by(CustomerScore.customer_id).all()
    return [tuple(getattr(r, c.name) for c in CustomerScore.__table__.columns if c.name != "computed_at") for r in rows]


def _reset():
    from customers.models import Customer, Order
    from complaints.models import Complaint
    db.session.rollback()
    for model in (SegmentTransition, CustomerScore, Order, Complaint, Customer):
        db.session.query(model).delete()
    db.session.commit()


customer_shape = st.fixed_dictionaries({
    "orders": st.lists(st.tuples(st.integers(0, 900), st.integers(1, 5000)), max_size=6),
    "complaints": st.lists(st.tuples(st.integers(0, 400), st.sampled_from(["new", "resolved", "closed"])), max_size=3),
    "late": st.booleans(),
    "partner": st.booleans(),
})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=st.lists(customer_shape, min_size=1, max_size=8))
def test_recompute_is_deterministic_and_idempotent(app, shapes):
    _reset()
    for number, shape in enumerate(shapes):
        who = customer(f"Customer {number}", is_partner=shape["partner"])
        if shape["orders"]:
            orders(who, *shape["orders"], due_after=10, paid_after=30 if shape["late"] else 5)
        for age, status in shape["complaints"]:
            complaint_row(who, age_days=age, status=status)
    first = recompute(app)
    snapshot = _snapshot()
    assert first.customers == len(shapes)
    assert first.transitions == 0  # nothing to compare with on the first run
    again = recompute(app)
    assert again.transitions == 0  # same data, same moment: nothing moves
    assert _snapshot() == snapshot
    assert db.session.query(SegmentTransition).count() == 0


def test_a_move_is_recorded_once_with_its_reasons(app):
    from complaints.models import RootCause
    cause = db.session.query(RootCause).order_by(RootCause.id).first()
    big, other = customer("Big"), customer("Other")
    # Last quarter Big bought a lot; this quarter much less, two complaints about the same cause.
    orders(big, (100, 5000), (120, 5000), (30, 5800))
    orders(other, (20, 4000), (150, 4000))
    later = NOW + timedelta(days=0)
    recompute(app, NOW - timedelta(days=60))
    complaint_row(big, age_days=10, cause=cause.code, status="resolved")
    complaint_row(big, age_days=5, cause=cause.code)
    orders(other, (1, 100_000))
    result = recompute(app, later)
    moves = db.session.query(SegmentTransition).filter_by(customer_id=big.id, dimension="abc").all()
    assert result.transitions >= 1 and len(moves) == 1
    move = moves[0]
    assert (move.from_value, move.to_value) == ("A", "B")
    text = describe_transition(move, cause.name)
    # Only the figures that moved downwards, in the customer's own numbers.
    assert text.startswith("A → B: revenue down: ") and "this quarter" in text and "the quarter before" in text
    assert f"2 complaints this quarter (root cause: {cause.name})" in text
    assert recompute(app, later).transitions == 0  # recorded once


def test_nps_change_is_named_in_the_reasons(app):
    fan = customer("Fan")
    orders(fan, (10, 100), (50, 100))
    nps(fan, 9, age_days=40)
    recompute(app, NOW - timedelta(days=20))
    assert scores(fan).category == "devoted"
    nps(fan, 5, age_days=2)
    recompute(app)
    move = db.session.query(SegmentTransition).filter_by(customer_id=fan.id, dimension="category").one()
    assert (move.from_value, move.to_value) == ("devoted", "core")
    assert "NPS 9 → 5" in describe_transition(move)


def test_reasons_fall_back_to_time_passing(app):
    quiet = customer("Quiet")
    orders(quiet, (380, 100), (420, 100))
    recompute(app, NOW - timedelta(days=100))
    recompute(app)
    move = db.session.query(SegmentTransition).filter_by(customer_id=quiet.id, dimension="stage").one()
    assert (move.from_value, move.to_value) == ("repeat", "inactive")
    assert "no order since" in describe_transition(move)
