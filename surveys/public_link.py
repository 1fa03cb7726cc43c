"""A survey's public link (receipts, counters, a QR code): anyone may answer, optionally anonymously.

`/s/<public_token>` shows the survey in the visitor's language; one POST records a finished
response (`channel="public"`, no invitation). Anonymous links never ask who answers; otherwise
the visitor may leave an e-mail address, and the answer joins the customer file with that
address when there is one (no file is created from a public form).

One answer per person, as far as a public link can tell:
- a signed cookie (`survey_respondent_<id>`, signed with SECRET_KEY, a random respondent id) marks
  the browser; its SHA-256 is stored with the response, unique per survey, so the same browser
  cannot answer twice (a second POST, a reload, the back button);
- a rate limit per client address on the POST (`PUBLIC_SURVEY_RATE_LIMIT`, default 5 per hour)
  stops a script from one address filling the results.
It does not stop a person who clears cookies or opens a private window *and* changes networks, or
many people behind one address (a shop's Wi-Fi: the limit is per address, so set it to what a
counter sees in an hour). Anonymous answers raise no follow-up alert: there is nobody to contact.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from extensions import db
from platform_support.email_address import is_single_address
from platform_support.errors import NotFound, ServiceError
from platform_support.tokens import hash_secret
from staff.models import StaffUser
from surveys import alerts, signals
from surveys.answering import parse_answers, store_answers
from surveys.models import Survey, SurveyQuestion, SurveyResponse

COOKIE_PREFIX = "survey_respondent_"


class AlreadyAnswered(ServiceError):
    """This browser has answered this survey already."""


def _require_manager(actor: StaffUser) -> None:
    from platform_support.errors import PermissionDenied
    if not actor.is_manager:
        raise PermissionDenied(_("Only managers can change surveys."))


def set_public_link(survey_id: int, *, enabled: bool, anonymous: bool, actor: StaffUser, now: datetime) -> Survey:
    """Turn the public link on (a new 128-bit token when it was off; saving again while on keeps
    the link, so printed QR codes keep working) or off (the token is dropped: the old link and
    printed codes then say the link is not valid)."""
    _require_manager(actor)
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise NotFound(_("No such survey."))
    if enabled and survey.public_token is None:
        survey.public_token = secrets.token_urlsafe(16)
    if not enabled:
        survey.public_token = None
    survey.public_anonymous = bool(anonymous)
    survey.updated_at = now
    db.session.commit()
    return survey


def public_survey(token: str) -> Survey:
    survey = None
    if token and len(token) <= 32:
        survey = db.session.scalar(select(Survey).where(Survey.public_token == token))
    if survey is None:
        raise NotFound(_("This survey link is not valid."))
    return survey


def questions_of(survey: Survey) -> list[SurveyQuestion]:
    return [q for q in survey.questions if not q.retired]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="survey-respondent")


def cookie_name(survey: Survey) -> str:
    return f"{COOKIE_PREFIX}{survey.id}"


def new_respondent() -> tuple[str, str]:
    """(respondent id, signed cookie value)."""
    respondent = secrets.token_urlsafe(16)
    return respondent, _serializer().dumps(respondent)


def respondent_from(cookie: str | None) -> str | None:
    """The respondent id of a signed cookie; None for a missing or forged one."""
    if not cookie or len(cookie) > 200:
        return None
    try:
        value = _serializer().loads(cookie)
    except BadSignature:
        return None
    return value if isinstance(value, str) and 10 <= len(value) <= 64 else None


def already_answered(survey: Survey, respondent: str | None) -> bool:
    return respondent is not None and db.session.scalar(
        select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id,
                                        SurveyResponse.respondent_key == hash_secret(respondent))) is not None


@dataclass
class PublicAnswer:
    response: SurveyResponse
    linked: bool  # joined an existing customer file


def submit_public(token: str, raw: dict[int, str | None], *, respondent: str, email: str | None, language: str,
                  now: datetime) -> PublicAnswer:
    """One finished response through the public link. Raises ServiceError (per-field messages,
    "already answered" for this browser)."""
    from customers.services import find_customer_by_email

    survey = public_survey(token)
    if already_answered(survey, respondent):
        raise AlreadyAnswered(_("You have already answered this survey. Thank you!"))
    customer = None
    email = (email or "").strip()
    if email and not survey.public_anonymous:
        if not is_single_address(email):
            raise ServiceError(_("Please enter a valid e-mail address."), {"email": [_("Please enter a valid e-mail address.")]})
        customer = find_customer_by_email(email)
        if customer is not None and customer.erased_at is not None:
            customer = None
    questions = questions_of(survey)
    parsed = parse_answers(questions, raw, submit=True)
    response = SurveyResponse(survey_id=survey.id, customer_id=customer.id if customer else None, channel="public",
                              respondent_key=hash_secret(respondent), language=language, created_at=now,
                              updated_at=now, submitted_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(response)
            store_answers(response, questions, parsed)
            db.session.flush()
    except IntegrityError:  # the same browser's twin POST won the race
        raise AlreadyAnswered(_("You have already answered this survey. Thank you!")) from None
    if customer is not None:
        alerts.raise_alert_if_unhappy(response, now=now)
        signals.survey_answered.send(current_app._get_current_object(), response=response, invitation=None,
                                     complaint=None, customer=customer, submitted=True, now=now)
    db.session.commit()
    return PublicAnswer(response, customer is not None)


def qr_svg(url: str, title: str) -> str:
    """The link as a standalone SVG QR code (for printing on receipts and counter signs)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=4, title=title)
    return out.getvalue().decode()
