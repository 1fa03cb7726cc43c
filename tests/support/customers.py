"""Customers for tests: the customer file, orders, NPS answers, a recompute of scores and segments
(no wall clock: every date is relative to tests.support.clock.NOW)."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from customers.models import Customer, Order
from extensions import db
from tests.support.clock import NOW, TODAY, days_ago  # noqa: F401 — TODAY re-exported

_numbers = itertools.count(1)


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


def customer(name: str | None = None, *, email: str | None = None, **fields) -> Customer:
    """A customer file: `customer("Anna")` is anna@example.com; without a name, "Customer N" with an
    address of its own. On file since 900 days before NOW unless `created_at` says otherwise."""
    if name is None:
        n = next(_numbers)
        name, email = f"Customer {n}", email or f"customer{n}@example.com"
    email = email or f"{name.lower().replace(' ', '.')}@example.com"
    fields.setdefault("created_at", NOW - timedelta(days=900))
    row = Customer(name=name, email=email, email_normalised=email.lower(), **fields)
    db.session.add(row)
    db.session.flush()
    return row


def orders(who: Customer, *ages_and_amounts, due_after: int | None = None, paid_after: int | None = None,
           unpaid: bool = False, currency: str = "EUR") -> None:
    """`orders(c, (10, 100), (40, 250))` — an order 10 days ago of 100 and one 40 days ago of 250."""
    for age, amount in ages_and_amounts:
        ordered = days_ago(age)
        due = ordered + timedelta(days=due_after) if due_after is not None else None
        paid = None if unpaid else (ordered + timedelta(days=paid_after) if paid_after is not None else due)
        db.session.add(Order(customer_id=who.id, ordered_on=ordered, amount=Decimal(amount), currency=currency,
                             due_on=due, paid_on=paid))
    db.session.flush()


def nps(who: Customer, score: int, *, age_days: int):
    """An NPS answer `age_days` before NOW to a relationship survey "rel-test" (made on first use, so
    these tests need no default surveys)."""
    from surveys.models import Survey, SurveyQuestion
    from tests.support.surveys import answer

    if db.session.query(Survey).filter_by(code="rel-test").one_or_none() is None:
        survey = Survey(code="rel-test", kind="relationship", title={"en": "Test"}, intro={})
        db.session.add(survey)
        db.session.flush()
        db.session.add(SurveyQuestion(survey_id=survey.id, position=1, qtype="nps", text={"en": "Recommend?"}))
        db.session.flush()
    return answer(who, NOW - timedelta(days=age_days), {"nps": score}, survey_code="rel-test")


def recompute(app, now: datetime = NOW):
    from customers.recompute import recompute_all
    db.session.commit()
    return recompute_all(now, app.config)


def scores(who: Customer):
    from customers.models import CustomerScore
    db.session.expire_all()
    return db.session.get(CustomerScore, who.id)
