"""Hand-made rows for the report tests (issue 4): complaints with explicit timestamps, answers."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import select

from complaints.models import Complaint, RootCause, SlaTarget
from customers.models import Customer
from extensions import db

NOW = datetime(2027, 1, 15, 9, 0)  # a Friday; its week starts on Monday 2027-01-11
_counter = iter(range(1, 10**6))


def customer(name="Jan Kowalski", email=None) -> Customer:
    n = next(_counter)
    email = email or f"customer{n}@example.com"
    found = Customer(name=name, email=email, email_normalised=email.lower(), created_at=NOW - timedelta(days=900))
    db.session.add(found)
    db.session.flush()
    return found


def complaint(*, created: datetime, priority: str = "normal", owner=None, status: str = "new", who=None,
              first_response: datetime | None = None, resolved: datetime | None = None, cause: str | None = None,
              minutes: int = 0, subject: str = "Problem") -> Complaint:
    n = next(_counter)
    who = who or customer()
    target = db.session.get(SlaTarget, priority)
    found = Complaint(
        reference=f"C-T{n:07d}", tracking_token_hash=hashlib.sha256(f"t{n}".encode()).hexdigest(), customer_id=who.id,
        contact_name=who.name, contact_email=who.email, description="Something went wrong.", subject=subject,
        status=status, priority=priority, owner_id=owner.id if owner else None, created_at=created, updated_at=created,
        first_response_due_at=created + timedelta(hours=target.first_response_hours),
        resolution_due_at=created + timedelta(hours=target.resolution_hours), first_responded_at=first_response,
        resolved_at=resolved, handling_minutes=minutes,
        root_cause_id=db.session.scalar(select(RootCause.id).where(RootCause.code == cause)) if cause else None)
    db.session.add(found)
    db.session.flush()
    return found


def answer(who: Customer, at: datetime, scores: dict[str, int], *, complaint_id: int | None = None,
           survey_code: str = "after_complaint", comment: str | None = None, language: str = "en"):
    """One submitted response with the given scores ({"nps": 9, "csat": 5, "ces": 6})."""
    from surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse

    n = next(_counter)
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

    n = next(_counter)
    survey = db.session.scalar(select(Survey).where(Survey.code == survey_code))
    db.session.add(SurveyInvitation(dedupe_key=f"test:{n}", survey_id=survey.id, customer_id=who.id, kind=survey.kind,
                                    status="expired", due_at=sent, sent_at=sent, created_at=sent))
    db.session.flush()
