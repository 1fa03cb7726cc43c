"""Small hand-made customer data for the score, segment and e-mail tests (no wall clock: NOW is fixed)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from customers.models import Customer, Order
from extensions import db

NOW = datetime(2027, 1, 15, 9, 0)
TODAY = NOW.date()


# Customers whose e-mails greet them differently, for the tests that compare a composed e-mail
# with rendering it alone: (name, language, time zone, salutation, patronymic) — every language,
# Russian patronymics, Polish/Czech/Romanian forms of address, a name full of HTML.
GREETING_FORMS = [
    ("Jan Kowalski", "pl", "Europe/Warsaw", "", ""),
    ("Anna Nowak", "pl", "Europe/Warsaw", "Pani Anno", ""),
    ("Иван Петров", "ru", "Europe/Moscow", "", "Сергеевич"),
    ("Мария Иванова", "ru", "Asia/Vladivostok", "Мария Петровна", ""),
    ("Ion Popescu", "ro", "Europe/Bucharest", "Domnule Popescu", ""),
    ("Petra Nováková", "cs", "Europe/Prague", "paní Nováková", ""),
    ('Eve <script>alert("x")</script> & O\'Hara', "en", "America/New_York", "", ""),
]


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def customer(name: str, **fields) -> Customer:
    email = fields.pop("email", f"{name.lower().replace(' ', '.')}@example.com")
    row = Customer(name=name, email=email, email_normalised=email.lower(), **fields)
    db.session.add(row)
    db.session.flush()
    return row


def orders(who: Customer, *ages_and_amounts, due_after: int | None = None, paid_after: int | None = None,
           unpaid: bool = False) -> None:
    """`orders(c, (10, 100), (40, 250))` — an order 10 days ago of 100 and one 40 days ago of 250."""
    for age, amount in ages_and_amounts:
        ordered = days_ago(age)
        due = ordered + timedelta(days=due_after) if due_after is not None else None
        paid = None if unpaid else (ordered + timedelta(days=paid_after) if paid_after is not None else due)
        db.session.add(Order(customer_id=who.id, ordered_on=ordered, amount=Decimal(amount), currency="EUR",
                             due_on=due, paid_on=paid))
    db.session.flush()


def complaint(who: Customer, *, age_days: int, status: str = "new", root_cause_code: str | None = None,
              reopened: int = 0, minutes: int = 0) -> None:
    """A complaint row written directly (the complaint lifecycle has its own tests)."""
    import secrets

    from complaints.models import Complaint, RootCause

    created = NOW - timedelta(days=age_days)
    root = db.session.query(RootCause).filter_by(code=root_cause_code).one() if root_cause_code else None
    db.session.add(Complaint(
        reference=f"C-{secrets.token_hex(4)}", tracking_token_hash=secrets.token_hex(32), customer_id=who.id,
        contact_name=who.name, contact_email=who.email, description="It broke.", status=status,
        created_at=created, updated_at=created, first_response_due_at=created + timedelta(days=1),
        resolution_due_at=created + timedelta(days=5), root_cause_id=root.id if root else None,
        resolved_at=created + timedelta(days=2) if status in ("resolved", "closed") else None,
        reopened_count=reopened, handling_minutes=minutes))
    db.session.flush()


def nps(who: Customer, score: int, *, age_days: int) -> None:
    """An NPS answer through the surveys engineer's tables (skipped by callers if they are absent)."""
    from surveys.models import (
        Survey,
        SurveyAnswer,
        SurveyInvitation,
        SurveyQuestion,
        SurveyResponse,
    )

    survey = db.session.query(Survey).filter_by(code="rel-test").one_or_none()
    if survey is None:
        survey = Survey(code="rel-test", kind="relationship", title={"en": "Test"}, intro={})
        db.session.add(survey)
        db.session.flush()
        db.session.add(SurveyQuestion(survey_id=survey.id, position=1, qtype="nps", text={"en": "Recommend?"}))
        db.session.flush()
    question = db.session.query(SurveyQuestion).filter_by(survey_id=survey.id).first()
    at = NOW - timedelta(days=age_days)
    invitation = SurveyInvitation(dedupe_key=f"t-{who.id}-{age_days}-{score}", survey_id=survey.id, customer_id=who.id,
                                  kind="relationship", status="answered", due_at=at)
    db.session.add(invitation)
    db.session.flush()
    response = SurveyResponse(invitation_id=invitation.id, survey_id=survey.id, customer_id=who.id,
                              created_at=at, updated_at=at, submitted_at=at)
    db.session.add(response)
    db.session.flush()
    db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id, qtype="nps", score=score))
    db.session.flush()


def recompute(app, now: datetime = NOW):
    from customers.recompute import recompute_all
    db.session.commit()
    return recompute_all(now, app.config)


def scores(who: Customer):
    from customers.models import CustomerScore
    db.session.expire_all()
    return db.session.get(CustomerScore, who.id)
