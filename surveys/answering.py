"""The customer's side of an invitation: open the page, confirm/save answers, submit, unsubscribe.

A GET (what an e-mail security scanner does when it follows every link) only notes the click:
it never records or changes a score. The page behind a tapped score records it through a POST
its own script sends when a person's browser shows it (`record_tap`); without JavaScript the
"Confirm" button does. Answers count once POSTed.
One response per invitation, editable until submitted; afterwards the page says "already
answered".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from extensions import db
from platform_support.errors import NotFound, ServiceError
from platform_support.tokens import hash_secret
from surveys import alerts, signals
from surveys.models import SCALES, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse

TEXT_MAX = 5000


@dataclass
class SurveyPage:
    invitation: SurveyInvitation
    state: str  # "open" | "answered" | "expired"
    language: str
    questions: list[SurveyQuestion]
    values: dict[int, str] = field(default_factory=dict)  # question id → pre-selected / saved value
    error: str = ""
    notice: str = ""
    tap_score: str | None = None  # the score tapped in the e-mail, for the page's script to record
    recorded_first: str | None = None  # the first question's answer as saved before this page

    def rule_of(self, question: SurveyQuestion) -> tuple[int, SurveyQuestion, int | None, int | None] | None:
        """(number, question, min, max) of the earlier question a conditional question depends on."""
        rule = question.show_if or {}
        for number, earlier in enumerate(self.questions, start=1):
            if earlier.id == rule.get("question"):
                return number, earlier, rule.get("min"), rule.get("max")
        return None


class SurveyGone(NotFound):
    """The link was real, but the person's data was erased."""


def _invitation_for(token: str, *, lock: bool = False) -> SurveyInvitation:
    """The invitation of a link. With `lock`, its row is locked for the transaction, so two
    submissions of one survey at once run one after the other (the second sees the first's
    answers: "already answered", never a duplicate response)."""
    invitation = None
    if token and len(token) <= 100:
        query = select(SurveyInvitation).where(SurveyInvitation.token_hash == hash_secret(token))
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        invitation = db.session.scalar(query)
    if invitation is None:
        raise NotFound(_("This survey link is not valid."))
    if invitation.customer.erased_at is not None:
        raise SurveyGone(_("This survey is no longer available."))
    return invitation


def _language(invitation: SurveyInvitation) -> str:
    complaint = invitation.complaint
    return (complaint.language if complaint is not None else invitation.customer.language) or "en"


def _questions(invitation: SurveyInvitation) -> list[SurveyQuestion]:
    return [q for q in invitation.survey.questions if not q.retired]


def _state(invitation: SurveyInvitation, now: datetime) -> str:
    response = invitation.response
    if response is not None and response.submitted_at is not None:
        return "answered"
    if invitation.status not in ("sent", "answered") or invitation.expires_at is None or invitation.expires_at <= now:
        return "answered" if response is not None else "expired"
    return "open"


def _saved_values(invitation: SurveyInvitation) -> dict[int, str]:
    if invitation.response is None:
        return {}
    values = {}
    for answer in invitation.response.answers:
        value = answer.score if answer.score is not None else answer.choice if answer.choice is not None else answer.text
        if value is not None:
            values[answer.question_id] = str(value)
    return values


def survey_page(token: str, *, now: datetime) -> SurveyPage:
    """The page's state without noting a click (a POST, the thank-you and unsubscribe pages)."""
    invitation = _invitation_for(token)
    return SurveyPage(invitation, _state(invitation, now), _language(invitation), _questions(invitation),
                      _saved_values(invitation))


def open_survey(token: str, *, score: str | None = None, now: datetime) -> SurveyPage:
    """The page behind an e-mailed link; `score` (from `?score=N`) is pre-selected, not recorded."""
    invitation = _invitation_for(token, lock=True)
    state = _state(invitation, now)
    page = SurveyPage(invitation, state, _language(invitation), _questions(invitation))
    if state != "open":
        return page
    # Response-rate figures count clicks; the click itself is all a GET records.
    db.session.execute(update(SurveyInvitation).where(SurveyInvitation.id == invitation.id).values(
        click_count=SurveyInvitation.click_count + 1,
        first_clicked_at=invitation.first_clicked_at or now).execution_options(synchronize_session=False))
    db.session.commit()
    page.values = _saved_values(invitation)
    if score is not None and page.questions:
        first = page.questions[0]
        page.recorded_first = page.values.get(first.id)
        try:
            page.values[first.id] = page.tap_score = str(_parse(first, score))
        except ServiceError:
            pass  # a tampered link simply pre-selects nothing
    return page


def shown(question: SurveyQuestion, earlier: dict[int, int | str | None]) -> bool:
    """Whether a question applies, given the earlier answers (question id → parsed value).
    `show_if` = {"question": id of an earlier scale question, "min": n or null, "max": n or null}:
    shown only when that answer lies in [min, max]; unanswered earlier question → not shown."""
    rule = question.show_if
    if not rule:
        return True
    value = earlier.get(rule.get("question"))
    if not isinstance(value, int):
        return False
    low, high = rule.get("min"), rule.get("max")
    return (low is None or value >= low) and (high is None or value <= high)


def _parse(question: SurveyQuestion, raw: str) -> int | str:
    raw = (raw or "").strip()
    if question.qtype in SCALES:
        low, high = SCALES[question.qtype]
        # ASCII digits, short: "²" is a digit to isdigit() but not to int(), and int() refuses
        # strings of over 4300 digits — either would be a 500 instead of a clear message.
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 3) or not low <= int(raw) <= high:
            raise ServiceError(_("Choose a value from %(low)d to %(high)d.", low=low, high=high),
                               {f"q{question.id}": [_("Choose a value from %(low)d to %(high)d.", low=low, high=high)]})
        return int(raw)
    if question.qtype == "choice":
        if raw not in {c["value"] for c in question.choices}:
            raise ServiceError(_("Choose one of the options."), {f"q{question.id}": [_("Choose one of the options.")]})
        return raw
    if len(raw) > TEXT_MAX or "\x00" in raw:
        raise ServiceError(_("Please write at most %(n)d characters.", n=TEXT_MAX),
                           {f"q{question.id}": [_("Please write at most %(n)d characters.", n=TEXT_MAX)]})
    return raw


def record_tap(token: str, raw_score: str | None, *, now: datetime) -> SurveyPage:
    """One tap on a score in the e-mail: the landing page's script POSTs it (a person's browser
    runs the script, a link scanner's plain GET does not) and the first question's answer is
    recorded at once — the other answers stay as they were. Changing the score is another tap.
    Raises ServiceError for a value off the scale, NotFound for a bad link."""
    invitation = _invitation_for(token, lock=True)
    questions = _questions(invitation)
    state = _state(invitation, now)
    if state != "open" or not questions:
        return SurveyPage(invitation, state, _language(invitation), questions, _saved_values(invitation))
    first = questions[0]
    _parse(first, raw_score or "")  # off the scale (or empty): a message, nothing recorded
    return save_answers(token, {first.id: raw_score or ""}, submit=False, now=now, only_given=True,
                        _invitation=invitation)


def parse_answers(questions: list[SurveyQuestion], raw: dict[int, str | None], *, submit: bool) -> dict:
    """question id → parsed value (None: unanswered or skipped by its condition). Raises
    ServiceError with per-field messages; at least one answer is needed."""
    parsed: dict[int, int | str | None] = {}
    errors: dict[str, list[str]] = {}
    for question in questions:
        value = (raw.get(question.id) or "").strip()
        if not shown(question, parsed):
            parsed[question.id] = None  # skipped by its condition: never kept, never required
            continue
        if not value:
            parsed[question.id] = None
            if submit and question.required:
                errors[f"q{question.id}"] = [_("Please answer this question.")]
            continue
        try:
            parsed[question.id] = _parse(question, value)
        except ServiceError as exc:
            errors.update(exc.fields)
    if errors:
        raise ServiceError(_("Please check your answers."), errors)
    if all(v is None for v in parsed.values()):
        raise ServiceError(_("Please answer at least one question."),
                           {f"q{questions[0].id}": [_("Please answer this question.")]} if questions else {})
    return parsed


def store_answers(response: SurveyResponse, questions: list[SurveyQuestion], parsed: dict) -> None:
    """Write the parsed answers onto the response (removing cleared ones)."""
    existing = {a.question_id: a for a in response.answers}
    for question in questions:
        value = parsed[question.id]
        answer = existing.get(question.id)
        if value is None:
            if answer is not None:
                response.answers.remove(answer)
            continue
        if answer is None:
            answer = SurveyAnswer(question_id=question.id, qtype=question.qtype)
            response.answers.append(answer)
        answer.score = value if question.qtype in SCALES else None
        answer.choice = value if question.qtype == "choice" else None
        answer.text = value if question.qtype == "text" else None


def save_answers(token: str, raw: dict[int, str | None], *, submit: bool, now: datetime, only_given: bool = False,
                 _invitation: SurveyInvitation | None = None) -> SurveyPage:
    """Confirm (submit=False) or finish (submit=True) the response. `raw` maps question id → value;
    an empty value clears that answer (with `only_given`, questions missing from `raw` keep their
    answers). A question whose condition (`show_if`) the earlier answers do not meet is skipped:
    its answer is dropped and it is never required. Raises ServiceError (per-field messages)."""
    invitation = _invitation or _invitation_for(token, lock=True)
    state = _state(invitation, now)
    if state != "open":
        return SurveyPage(invitation, state, _language(invitation), _questions(invitation))
    questions = _questions(invitation)
    if only_given:
        saved = _saved_values(invitation)
        raw = {q.id: raw[q.id] if q.id in raw else saved.get(q.id) for q in questions}
    parsed = parse_answers(questions, raw, submit=submit)

    response = invitation.response
    if response is None:
        response = SurveyResponse(invitation=invitation, survey_id=invitation.survey_id, customer_id=invitation.customer_id,
                                  complaint_id=invitation.complaint_id, language=_language(invitation), created_at=now)
        db.session.add(response)
    store_answers(response, questions, parsed)
    response.updated_at = now
    if submit:
        response.submitted_at = now
    # Answered: the reminder is cancelled and the invitation counts as a response.
    invitation.status, invitation.reminder_due_at = "answered", None
    db.session.flush()
    alerts.raise_alert_if_unhappy(response, now=now)
    signals.survey_answered.send(current_app._get_current_object(), response=response, invitation=invitation,
                                 complaint=invitation.complaint, customer=invitation.customer,
                                 submitted=submit, now=now)
    db.session.commit()
    return SurveyPage(invitation, "answered" if submit else "open", _language(invitation), questions,
                      _saved_values(invitation))


def unsubscribe(token: str, *, now: datetime) -> SurveyInvitation:
    """Opt the customer out of every survey; pending invitations are skipped (reason kept).
    Works with expired links too: leaving must always be possible."""
    invitation = _invitation_for(token, lock=True)
    customer = invitation.customer
    if customer.surveys_opted_out_at is None:
        customer.surveys_opted_out_at = now
    db.session.execute(
        update(SurveyInvitation)
        .where(SurveyInvitation.customer_id == customer.id, SurveyInvitation.status.in_(("scheduled", "sending")))
        .values(status="opted_out", status_reason="customer opted out of surveys")
        .execution_options(synchronize_session=False))
    db.session.execute(
        update(SurveyInvitation)
        .where(SurveyInvitation.customer_id == customer.id, SurveyInvitation.reminder_sent_at.is_(None),
               SurveyInvitation.reminder_due_at.is_not(None))
        .values(reminder_due_at=None, reminder_note="no reminder: customer opted out of surveys")
        .execution_options(synchronize_session=False))
    db.session.commit()
    return invitation
