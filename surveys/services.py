"""Survey definitions, edited by managers: texts per language, ordered questions, active flag.

Questions that already have answers are never deleted or changed in type (raw answers must stay
meaningful): removing one retires it.
"""
from __future__ import annotations

import re
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from extensions import db
from platform_support.errors import NotFound, PermissionDenied, ServiceError
from staff.models import StaffUser
from surveys.models import QUESTION_TYPES, SCALES, SURVEY_KINDS, Survey, SurveyAnswer, SurveyQuestion

_CODE = re.compile(r"^[a-z0-9_-]{2,50}$")


def _require_manager(actor: StaffUser) -> None:
    if not actor.is_manager:
        raise PermissionDenied(_("Only managers can change surveys."))


def _language(language: str) -> str:
    if language not in current_app.config["LANGUAGES"]:
        raise ServiceError(_("Unknown language."), {"language": [_("Unknown language.")]})
    return language


def _text(value: str, field_name: str, *, required: bool, limit: int) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(_("This field is required."), {field_name: [_("This field is required.")]})
    if len(value) > limit or "\x00" in value:
        raise ServiceError(_("Too long."), {field_name: [_("At most %(n)d characters.", n=limit)]})
    return value


def _with_text(texts: dict | None, language: str, value: str) -> dict:
    """JSON columns are replaced, not mutated, so the change is saved."""
    updated = dict(texts or {})
    if value:
        updated[language] = value
    else:
        updated.pop(language, None)
    return updated


def get_survey(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise NotFound(_("No such survey."))
    return survey


def create_survey(code: str, kind: str, title: str, *, actor: StaffUser, now: datetime) -> Survey:
    _require_manager(actor)
    code = (code or "").strip().lower()
    if not _CODE.match(code):
        raise ServiceError(_("Use 2–50 lower-case letters, digits, - or _."), {"code": [_("Use 2–50 lower-case letters, digits, - or _.")]})
    if kind not in SURVEY_KINDS:
        raise ServiceError(_("Choose when the survey is sent."), {"kind": [_("Choose when the survey is sent.")]})
    if db.session.scalar(select(Survey.id).where(Survey.code == code)) is not None:
        raise ServiceError(_("A survey with this code exists."), {"code": [_("A survey with this code exists.")]})
    title = _text(title, "title", required=True, limit=200)
    # New surveys start inactive: the active one of a kind is what customers receive.
    survey = Survey(code=code, kind=kind, title={"en": title}, intro={}, active=False, created_at=now, updated_at=now)
    db.session.add(survey)
    db.session.commit()
    return survey


def update_survey(survey_id: int, *, language: str, title: str, intro: str, active: bool, actor: StaffUser,
                  now: datetime) -> Survey:
    _require_manager(actor)
    survey = get_survey(survey_id)
    language = _language(language)
    title = _text(title, "title", required=language == "en", limit=200)
    intro = _text(intro, "intro", required=False, limit=2000)
    survey.title = _with_text(survey.title, language, title)
    survey.intro = _with_text(survey.intro, language, intro)
    if active and not survey.active:
        if not any(not q.retired for q in survey.questions):
            raise ServiceError(_("Add a question before activating the survey."))
        # One active survey per kind: activating this one deactivates the other.
        for other in db.session.scalars(select(Survey).where(Survey.kind == survey.kind, Survey.id != survey.id)):
            other.active = False
    survey.active = bool(active)
    survey.updated_at = now
    db.session.commit()
    return survey


def _parse_choices(raw: str, language: str, existing: list) -> list:
    """"value=label" per line (or just a label); labels of other languages are kept."""
    by_value = {c["value"]: c for c in existing or []}
    choices = []
    for line in (raw or "").splitlines():
        line = line.strip()
        if not line:
            continue
        value, sep, label = line.partition("=")
        value, label = (value.strip(), label.strip()) if sep else (re.sub(r"\W+", "_", line.lower()).strip("_")[:100], line)
        if not value or not label:
            raise ServiceError(_("Write each option as value=label."), {"choices": [_("Write each option as value=label.")]})
        old = by_value.get(value, {"label": {}})
        choices.append({"value": value[:100], "label": _with_text(old.get("label"), language, label[:200])})
    if len({c["value"] for c in choices}) != len(choices):
        raise ServiceError(_("Each option needs its own value."), {"choices": [_("Each option needs its own value.")]})
    return choices


def _has_answers(question_id: int) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(SurveyAnswer).where(SurveyAnswer.question_id == question_id)))


def _show_if(question: SurveyQuestion, siblings: list[SurveyQuestion], depends_on, low, high) -> dict | None:
    """The branching rule from the editor: an earlier scale question and a range on its scale."""
    if depends_on in (None, "", 0):
        return None
    earlier = next((q for q in siblings if str(q.id) == str(depends_on) and not q.retired), None)
    if earlier is None or earlier is question or (question.position is not None and earlier.position >= question.position):
        raise ServiceError(_("Choose an earlier question."), {"show_if_question": [_("Choose an earlier question.")]})
    if earlier.qtype not in SCALES:
        raise ServiceError(_("Only a scale question (NPS, CSAT, CES) can decide."),
                           {"show_if_question": [_("Only a scale question (NPS, CSAT, CES) can decide.")]})
    bottom, top = SCALES[earlier.qtype]
    if low is None and high is None:
        raise ServiceError(_("Give the lowest or the highest answer (or both)."),
                           {"show_if_min": [_("Give the lowest or the highest answer (or both).")]})
    for name, value in (("show_if_min", low), ("show_if_max", high)):
        if value is not None and not bottom <= value <= top:
            raise ServiceError(_("Choose a value from %(low)d to %(high)d.", low=bottom, high=top),
                               {name: [_("Choose a value from %(low)d to %(high)d.", low=bottom, high=top)]})
    if low is not None and high is not None and low > high:
        raise ServiceError(_("The lowest answer is above the highest."), {"show_if_min": [_("The lowest answer is above the highest.")]})
    return {"question": earlier.id, "min": low, "max": high}


def save_question(survey_id: int, question_id: int | None, *, qtype: str, language: str, text: str, choices: str,
                  required: bool, actor: StaffUser, now: datetime, show_if_question=None, show_if_min: int | None = None,
                  show_if_max: int | None = None) -> SurveyQuestion:
    """Add a question at the end (question_id None) or change one; `show_if_*`: branching (shown
    only when an earlier scale answer is in range — the page hides it, the server skips it)."""
    _require_manager(actor)
    survey = get_survey(survey_id)
    language = _language(language)
    if qtype not in QUESTION_TYPES:
        raise ServiceError(_("Choose a question type."), {"qtype": [_("Choose a question type.")]})
    text = _text(text, "text", required=True, limit=500)
    if question_id is None:
        position = max([q.position for q in survey.questions] or [0]) + 1
        question = SurveyQuestion(survey=survey, position=position, qtype=qtype, text={}, choices=[], required=False)
        db.session.add(question)
    else:
        question = db.session.get(SurveyQuestion, question_id)
        if question is None or question.survey_id != survey.id:
            raise NotFound(_("No such question."))
        if question.qtype != qtype and _has_answers(question.id):
            raise ServiceError(_("This question has answers: its type can no longer change."), {"qtype": [
                _("This question has answers: its type can no longer change.")]})
    question.qtype = qtype
    question.text = _with_text(question.text, language, text)
    question.choices = _parse_choices(choices, language, question.choices) if qtype == "choice" else []
    if qtype == "choice" and not question.choices:
        raise ServiceError(_("A single-choice question needs options."), {"choices": [_("A single-choice question needs options.")]})
    question.required = bool(required)
    question.show_if = _show_if(question, list(survey.questions), show_if_question, show_if_min, show_if_max)
    survey.updated_at = now
    db.session.commit()
    return question


def move_question(question_id: int, direction: str, *, actor: StaffUser, now: datetime) -> SurveyQuestion:
    _require_manager(actor)
    question = db.session.get(SurveyQuestion, question_id)
    if question is None:
        raise NotFound(_("No such question."))
    siblings = [q for q in question.survey.questions]
    index = siblings.index(question)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(siblings):
        return question
    other = siblings[other_index]
    first, second = (other, question) if other_index < index else (question, other)
    if (second.show_if or {}).get("question") == first.id:
        raise ServiceError(_("A question shown by the answer to another must stay after it."))
    # Swap through a free position: (survey_id, position) is unique.
    a, b = question.position, other.position
    question.position = -1
    db.session.flush()
    other.position = a
    db.session.flush()
    question.position = b
    question.survey.updated_at = now
    db.session.commit()
    return question


def remove_question(question_id: int, *, actor: StaffUser, now: datetime) -> str:
    """Delete a question without answers; retire one with answers (they stay in the results)."""
    _require_manager(actor)
    question = db.session.get(SurveyQuestion, question_id)
    if question is None:
        raise NotFound(_("No such question."))
    question.survey.updated_at = now
    if _has_answers(question.id):
        question.retired = True
        outcome = "retired"
    else:
        db.session.delete(question)
        outcome = "deleted"
    db.session.commit()
    return outcome
