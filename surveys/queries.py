"""Read side: survey results (set-based aggregates), invitation lists, answers for a complaint or a
customer file, the API feed. Scores are derived here from raw answers, never stored."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from complaints.queries import tied_to_visible
from extensions import db
from platform_support.parsing import bounded_datetime, bounded_int
from platform_support.errors import NotFound
from surveys import scoring
from surveys.models import (INVITATION_STATUSES, SCALES, Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion,
                            SurveyResponse)


@dataclass
class QuestionResult:
    question: SurveyQuestion
    distribution: dict = field(default_factory=dict)  # value → count
    score: scoring.Score | None = None

    @property
    def n(self) -> int:
        return sum(self.distribution.values())

    def bars(self) -> list[tuple[str, int, int]]:
        """(value, count, percent rounded for a CSS width class w-0…w-100)."""
        if self.question.qtype in SCALES:
            low, high = SCALES[self.question.qtype]
            values = [str(v) for v in range(low, high + 1)]
        else:
            values = [c["value"] for c in self.question.choices]
        counts = {str(k): v for k, v in self.distribution.items()}
        total = self.n or 1
        return [(value, counts.get(value, 0), round(100 * counts.get(value, 0) / total)) for value in values]


@dataclass
class SurveyResults:
    survey: Survey
    invited: int
    clicked: int
    responded: int
    submitted: int
    min_n: int
    questions: list[QuestionResult]
    comments: list[tuple[SurveyResponse, SurveyAnswer]]
    public: int = 0  # answers through the public link: no invitation, so not in the response rate

    @property
    def response_rate(self) -> float | None:
        return None if not self.invited else round(100 * (self.responded - self.public) / self.invited, 1)

    # No "opened" rate: clicks are counted from GETs, which scanners inflate and answers recorded
    # without a counted visit (imports, a tap on a second device) deflate; the page explains why.


def survey_results(survey_id: int, *, actor, since: datetime | None = None, comments: int = 20) -> SurveyResults:
    """Counts, distributions, scores and the latest comments over the answers `actor` may see
    (answers about a complaint follow the complaint's visibility)."""
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise NotFound(_("No such survey."))
    min_n = current_app.config["SURVEY_MIN_N"]
    sent = and_(SurveyInvitation.survey_id == survey_id, SurveyInvitation.sent_at.is_not(None),
                tied_to_visible(actor, SurveyInvitation.complaint_id))
    if since is not None:
        sent = and_(sent, SurveyInvitation.sent_at >= since)
    invited, clicked = db.session.execute(
        select(func.count(), func.count(SurveyInvitation.first_clicked_at)).where(sent)).one()
    answered = select(SurveyResponse.id).where(SurveyResponse.survey_id == survey_id,
                                               tied_to_visible(actor, SurveyResponse.complaint_id))
    if since is not None:
        answered = answered.where(SurveyResponse.updated_at >= since)
    responded, submitted, public = db.session.execute(
        select(func.count(), func.count(SurveyResponse.submitted_at),
               func.count(SurveyResponse.id).filter(SurveyResponse.channel == "public"))
        .where(SurveyResponse.id.in_(answered))).one()
    # One GROUP BY for every question's distribution.
    rows = db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.score, SurveyAnswer.choice, func.count())
        .where(SurveyAnswer.response_id.in_(answered), or_(SurveyAnswer.score.is_not(None), SurveyAnswer.choice.is_not(None)))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.score, SurveyAnswer.choice)).all()
    by_question: dict[int, dict] = {}
    for question_id, score, choice, count in rows:
        by_question.setdefault(question_id, {})[score if score is not None else choice] = count
    results = []
    for question in survey.questions:
        distribution = by_question.get(question.id, {})
        if question.retired and not distribution:
            continue
        result = QuestionResult(question, distribution)
        if question.qtype in scoring.SCORERS:
            result.score = scoring.score(question.qtype, distribution, min_n=min_n)
        results.append(result)
    latest = db.session.execute(
        select(SurveyResponse, SurveyAnswer).join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyResponse.id.in_(answered), SurveyAnswer.qtype == "text", SurveyAnswer.text != "")
        .order_by(SurveyResponse.updated_at.desc(), SurveyResponse.id.desc()).limit(comments)).all()
    return SurveyResults(survey, invited, clicked, responded, submitted, min_n, results, [tuple(r) for r in latest],
                         public)


def all_surveys() -> list[Survey]:
    return list(db.session.scalars(select(Survey).order_by(Survey.kind, Survey.id)))


def invitation_counts(actor) -> dict[str, int]:
    return dict(db.session.execute(select(SurveyInvitation.status, func.count())
                                   .where(tied_to_visible(actor, SurveyInvitation.complaint_id))
                                   .group_by(SurveyInvitation.status)).all())


def invitations_page(*, actor, status: str | None, cursor: str | None,
                     limit: int = 100) -> tuple[list[SurveyInvitation], str | None]:
    """Newest due first, keyset-paginated on (due_at, id); those `actor` may see."""
    query = (select(SurveyInvitation).where(tied_to_visible(actor, SurveyInvitation.complaint_id)).options(selectinload(SurveyInvitation.customer), selectinload(SurveyInvitation.survey),
                                              selectinload(SurveyInvitation.complaint))
             .order_by(SurveyInvitation.due_at.desc(), SurveyInvitation.id.desc()).limit(limit + 1))
    if status in INVITATION_STATUSES:
        query = query.where(SurveyInvitation.status == status)
    position = _parse_cursor(cursor)
    if position is not None:
        due, ident = position
        query = query.where(or_(SurveyInvitation.due_at < due, and_(SurveyInvitation.due_at == due, SurveyInvitation.id < ident)))
    rows = list(db.session.scalars(query))
    next_cursor = f"{rows[limit - 1].due_at.isoformat()}_{rows[limit - 1].id}" if len(rows) > limit else None
    return rows[:limit], next_cursor


def _parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    stamp, _sep, ident = cursor.rpartition("_")
    try:
        position = bounded_datetime(stamp), bounded_int(ident, minimum=1)
    except ValueError:
        return None
    return None if None in position else position


def _responses(where) -> list[SurveyResponse]:
    return list(db.session.scalars(
        select(SurveyResponse).where(where)
        .options(selectinload(SurveyResponse.answers).selectinload(SurveyAnswer.question), selectinload(SurveyResponse.survey))
        .order_by(SurveyResponse.updated_at.desc(), SurveyResponse.id.desc()).limit(50)))


def responses_for_complaint(complaint_id: int) -> list[SurveyResponse]:
    """For the complaint page: what the customer answered about this complaint."""
    return _responses(SurveyResponse.complaint_id == complaint_id)


def responses_for_customer(customer_id: int, *, viewer) -> list[SurveyResponse]:
    """For the customer file (customers shows it through the template global of the same name):
    what `viewer` may see (None: everything, for the customer's own export)."""
    where = SurveyResponse.customer_id == customer_id
    if viewer is not None:
        where = and_(where, tied_to_visible(viewer, SurveyResponse.complaint_id))
    return _responses(where)


def answer_value(answer: SurveyAnswer):
    if answer.score is not None:
        return answer.score
    return answer.choice if answer.choice is not None else answer.text


def responses_feed(*, actor, since: datetime | None, cursor: str | None,
                   limit: int) -> tuple[list[SurveyResponse], str | None]:
    """The API feed: responses changed since `since` that `actor` may see, oldest first, keyset on
    (updated_at, id), so an integration can poll with the last `updated_at` it saw."""
    query = (select(SurveyResponse).where(tied_to_visible(actor, SurveyResponse.complaint_id))
             .options(selectinload(SurveyResponse.answers).selectinload(SurveyAnswer.question),
                      selectinload(SurveyResponse.customer), selectinload(SurveyResponse.complaint),
                      selectinload(SurveyResponse.survey))
             .order_by(SurveyResponse.updated_at, SurveyResponse.id).limit(limit + 1))
    if since is not None:
        query = query.where(SurveyResponse.updated_at >= since)
    position = _parse_cursor(cursor)
    if position is not None:
        stamp, ident = position
        query = query.where(or_(SurveyResponse.updated_at > stamp, and_(SurveyResponse.updated_at == stamp, SurveyResponse.id > ident)))
    rows = list(db.session.scalars(query))
    next_cursor = f"{rows[limit - 1].updated_at.isoformat()}_{rows[limit - 1].id}" if len(rows) > limit else None
    return rows[:limit], next_cursor


def valid_cursor(cursor: str | None) -> bool:
    return cursor in (None, "") or _parse_cursor(cursor) is not None


def active_staff():
    """Who an alert can be handed to."""
    from staff.models import StaffUser
    return list(db.session.scalars(select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.name)))
