"""JSON API for surveys under /api/v1 (staff, bearer token): answers feed, definitions, results,
invitations. Same query functions as the staff pages."""
from __future__ import annotations

from datetime import datetime

from flask import g, jsonify, request
from flask_babel import gettext as _

from api.common import ApiError, api_blueprint, limit_arg, staff_required
from extensions import db
from platform_support.parsing import bounded_datetime
from platform_support.errors import NotFound
from surveys import queries
from surveys.models import INVITATION_STATUSES, Survey
from surveys.texts import localized

blueprint = api_blueprint("surveys_api", __name__)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat() + "Z"


def _since() -> datetime | None:
    raw = request.args.get("since")
    if not raw:
        return None
    try:
        return bounded_datetime(raw)
    except ValueError:
        raise ApiError(_("Invalid date."), fields={"since": [_("Use ISO-8601, e.g. 2027-01-15T09:00:00Z.")]}) from None


def _cursor() -> str | None:
    cursor = request.args.get("cursor") or None
    if not queries.valid_cursor(cursor):
        raise ApiError(_("Invalid cursor."), fields={"cursor": [_("Use the next_cursor of the previous page.")]})
    return cursor


def response_json(response) -> dict:
    return {
        "id": response.id,
        "survey": response.survey.code,
        "customer_email": response.customer.email if response.customer else None,
        "customer_external_id": response.customer.external_id if response.customer else None,
        "complaint_reference": response.complaint.reference if response.complaint else None,
        "submitted": response.submitted_at is not None,
        "submitted_at": _iso(response.submitted_at),
        "updated_at": _iso(response.updated_at),
        "language": response.language,
        "answers": [{"question": a.question.position, "type": a.qtype, "value": queries.answer_value(a)}
                    for a in sorted(response.answers, key=lambda a: a.question.position)],
    }


@blueprint.get("/survey-responses")
@staff_required
def survey_responses():
    rows, next_cursor = queries.responses_feed(actor=g.api_user, since=_since(), cursor=_cursor(), limit=limit_arg())
    return jsonify({"items": [response_json(r) for r in rows], "next_cursor": next_cursor})


def survey_json(survey: Survey) -> dict:
    return {"id": survey.id, "code": survey.code, "kind": survey.kind, "active": survey.active,
            "title": survey.title, "intro": survey.intro,
            "questions": [{"position": q.position, "type": q.qtype, "text": q.text, "required": q.required,
                           "choices": q.choices, "retired": q.retired} for q in survey.questions]}


@blueprint.get("/surveys")
@staff_required
def surveys():
    return jsonify({"items": [survey_json(s) for s in queries.all_surveys()], "next_cursor": None})


@blueprint.get("/surveys/<code>/results")
@staff_required
def survey_results(code: str):
    survey = db.session.scalar(db.select(Survey).where(Survey.code == code))
    if survey is None:
        raise NotFound(_("No such survey."))
    result = queries.survey_results(survey.id, actor=g.api_user, since=_since())
    return jsonify({
        "survey": survey.code, "invited": result.invited, "responded": result.responded,
        "submitted": result.submitted, "response_rate": result.response_rate, "min_n": result.min_n,
        "questions": [{
            "position": q.question.position, "type": q.question.qtype, "text": localized(q.question.text, "en"),
            "n": q.n, "distribution": {str(k): v for k, v in q.distribution.items()},
            "score": None if q.score is None else {"value": q.score.value, "margin": q.score.margin,
                                                   "n": q.score.n, "too_few": q.score.too_few},
        } for q in result.questions],
    })


@blueprint.get("/survey-invitations")
@staff_required
def survey_invitations():
    status = request.args.get("status") or None
    if status is not None and status not in INVITATION_STATUSES:
        raise ApiError(_("Unknown status."), fields={"status": [", ".join(INVITATION_STATUSES)]})
    rows, next_cursor = queries.invitations_page(actor=g.api_user, status=status, cursor=_cursor(), limit=limit_arg())
    return jsonify({"items": [{
        "id": i.id, "survey": i.survey.code, "kind": i.kind, "customer_email": i.customer.email,
        "complaint_reference": i.complaint.reference if i.complaint else None, "status": i.status,
        "reason": i.status_reason, "due_at": _iso(i.due_at), "sent_at": _iso(i.sent_at),
        "clicked": i.first_clicked_at is not None, "reminder_sent_at": _iso(i.reminder_sent_at),
    } for i in rows], "next_cursor": next_cursor})
