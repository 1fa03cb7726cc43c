"""Dead and disqualified customers get no surveys and no greetings (seed 001: "stop serving");
someone who never bought — a first complaint — is "new", so they do get them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from customers.greetings import send_greetings
from notifications.models import OutboxMessage
from surveys import planning
from surveys.models import SurveyInvitation
from tests.support.clock import NOW
from tests.support.customers import customer, orders, recompute, scores
from tests.support.surveys import install_default_surveys, resolved_complaint


def _people(db_session):
    dead = customer("Dead Buyer", birthday=date(1970, 1, 15))
    orders(dead, (300, 15), due_after=14, unpaid=True)
    barred = customer("Barred Prospect", birthday=date(1971, 1, 15), disqualified=True)
    fresh = customer("Fresh Face", birthday=date(1972, 1, 15))  # never bought
    orders(customer("Big Buyer"), (10, 50_000))  # so the dead one's 15 is class C
    db_session.commit()
    return dead, barred, fresh


def test_no_relationship_survey_and_no_greeting_for_dead_or_disqualified(app, db_session):
    install_default_surveys(db_session)
    dead, barred, fresh = _people(db_session)
    recompute(app)
    assert (scores(dead).category, scores(fresh).category) == ("dead", "new")
    planning.plan_relationship_surveys(now=NOW)
    invited = set(db_session.scalars(select(SurveyInvitation.customer_id)))
    assert dead.id not in invited and barred.id not in invited and fresh.id in invited
    send_greetings(datetime(2027, 1, 15, 12, 0))
    greeted = set(db_session.scalars(select(OutboxMessage.customer_id).where(OutboxMessage.kind.like("greeting%"))))
    assert greeted == {fresh.id}


def test_complaint_survey_of_a_dead_customer_is_cancelled_with_the_reason(app, db_session, staff):
    install_default_surveys(db_session)
    dead, _barred, _fresh = _people(db_session)
    recompute(app)
    complaint = resolved_complaint(staff, email=dead.email, name=dead.name)
    invitation = db_session.scalars(select(SurveyInvitation).where(SurveyInvitation.complaint_id == complaint.id)).one()
    assert invitation.status == "cancelled" and "dead" in invitation.status_reason


def test_a_first_time_complainant_is_surveyed(app, db_session, staff):
    install_default_surveys(db_session)
    complaint = resolved_complaint(staff, email="first@example.com", name="First Time")
    recompute(app)
    who = complaint.customer
    assert (scores(who).category, scores(who).stage) == ("new", "prospect")
    invitation = db_session.scalars(select(SurveyInvitation).where(SurveyInvitation.complaint_id == complaint.id)).one()
    assert invitation.status == "scheduled"
