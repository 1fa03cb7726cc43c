"""Surveys for tests: the default surveys, a resolved complaint, one scheduler pass, the links in a
received invitation, and hand-made answers and invitations for the report tests."""
from __future__ import annotations

import itertools
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from customers.models import Customer
from extensions import db
from tests.support.clock import NOW
from tests.support.complaints import file

_numbers = itertools.count(1)


def install_default_surveys(db_session) -> None:
    from surveys import defaults
    defaults.install(db_session.connection(), now=NOW)
    db_session.commit()


def resolved_complaint(staff, *, email="jan@example.com", name="Jan Kowalski", now=NOW, **customer_fields):
    """A complaint filed at `now` and resolved at once by the agent (cause: damaged in transit) — what
    starts an after-complaint survey; `customer_fields` are set on the customer file in between.
    Returns the resolved Complaint."""
    from complaints import actions
    from customers.services import find_customer_by_email

    reference = file(now, name=name, email=email, submission_key=secrets.token_urlsafe(16)).complaint.reference
    if customer_fields:
        customer = find_customer_by_email(email)
        for key, value in customer_fields.items():
            setattr(customer, key, value)
        db.session.commit()
    return actions.resolve(reference, "Refunded in full", "damaged_in_transit", actor=staff.agent, now=now)


def run_due(app, now):
    from scheduling.runner import run_due as run
    return run(app, now)


def survey_links(message) -> dict[str, str]:
    """score → path of the one-click links in a received e-mail (text part)."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    return {m.group(2): m.group(1) for m in re.finditer(r"http://localhost(/survey/[\w-]+\?score=(\d+))", text)}


def survey_mails(smtp_server, address):
    return [m for m in smtp_server.to(address) if m["List-Unsubscribe"]]


def answer(who: Customer, at: datetime, scores: dict[str, int], *, complaint_id: int | None = None,
           survey_code: str = "after_complaint", comment: str | None = None, language: str = "en"):
    """One submitted response with the given scores ({"nps": 9, "csat": 5, "ces": 6})."""
    from surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse

    n = next(_numbers)
    survey = db.session.scalar(select(Survey).where(Survey.code == survey_code))
    questions = {q.qtype: q for q in db.session.scalars(select(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id))}
    invitation = SurveyInvitation(dedupe_key=f"test:{n}", survey_id=survey.id, customer_id=who.id,
                                  complaint_id=complaint_id, kind=survey.kind, status="answered", due_at=at,
                                  sent_at=at - timedelta(hours=2), created_at=at)
    response = SurveyResponse(invitation=invitation, survey_id=survey.id, customer_id=who.id, complaint_id=complaint_id,
                              language=language, created_at=at, updated_at=at, submitted_at=at)
    for qtype, score in scores.items():
        response.answers.append(SurveyAnswer(question_id=questions[qtype].id, qtype=qtype, score=score))
    if comment is not None and "text" in questions:
        response.answers.append(SurveyAnswer(question_id=questions["text"].id, qtype="text", text=comment))
    db.session.add_all([invitation, response])
    db.session.flush()
    return response


def unanswered_invitation(who: Customer, sent: datetime, survey_code: str = "after_complaint"):
    from surveys.models import Survey, SurveyInvitation

    n = next(_numbers)
    survey = db.session.scalar(select(Survey).where(Survey.code == survey_code))
    db.session.add(SurveyInvitation(dedupe_key=f"test:{n}", survey_id=survey.id, customer_id=who.id, kind=survey.kind,
                                    status="expired", due_at=sent, sent_at=sent, created_at=sent))
    db.session.flush()


def seed_due_invitations(db_session, count: int, *, now: datetime, period_days: int) -> None:
    """`count` customers (every language), each with a relationship invitation due at `now` — bulk
    inserts, for the worker test and bench/survey_dispatch.py."""
    from sqlalchemy import insert

    from surveys.models import Survey, SurveyInvitation
    from surveys.planning import period_number

    install_default_surveys(db_session)
    survey_id = db_session.scalar(select(Survey.id).where(Survey.code == "relationship"))
    db_session.execute(insert(Customer), [
        {"name": f"Customer {n}", "email": f"c{n}@example.com", "email_normalised": f"c{n}@example.com",
         "language": ("en", "pl", "ru", "ro", "cs")[n % 5], "timezone": "UTC", "created_at": now} for n in range(count)])
    ids = list(db_session.scalars(select(Customer.id).order_by(Customer.id)))
    period = period_number(now, period_days)
    db_session.execute(insert(SurveyInvitation), [
        {"dedupe_key": f"relationship:{cid}:{period}", "survey_id": survey_id, "customer_id": cid,
         "kind": "relationship", "period": period, "status": "scheduled", "due_at": now, "created_at": now}
        for cid in ids])
    db_session.commit()
