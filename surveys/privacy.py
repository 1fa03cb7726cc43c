"""The surveys' part of the privacy duties (`customers.signals`, connected in
`factory.register_signal_receivers`): the person's answers exported; on erasure their open-text
answers and the notes of alerts about them blanked, pending invitations cancelled (the links
then say "no longer available", `surveys.answering`). Scores stay: they feed the figures, not a
person once the file is anonymous."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from customers.privacy import ErasureItem, ExportSection, plain
from customers.signals import activity_sources, customer_erasing, erasure_preview, export_sections
from extensions import db
from surveys.models import SurveyAlert, SurveyAnswer, SurveyInvitation, SurveyResponse
from surveys.texts import localized

PENDING = ("scheduled", "sending")


def _responses(customer_id: int) -> sa.Select:
    return sa.select(SurveyResponse.id).where(SurveyResponse.customer_id == customer_id)


def preview(_sender=None, *, customer_id: int, **_extra) -> list[ErasureItem]:
    texts = db.session.scalar(sa.select(sa.func.count()).select_from(SurveyAnswer).where(
        SurveyAnswer.response_id.in_(_responses(customer_id)), SurveyAnswer.text.is_not(None), SurveyAnswer.text != ""))
    pending = db.session.scalar(sa.select(sa.func.count()).select_from(SurveyInvitation).where(
        SurveyInvitation.customer_id == customer_id, SurveyInvitation.status.in_(PENDING)))
    return [ErasureItem(_("Written survey answers (scores are kept)"), texts),
            ErasureItem(_("Survey invitations not sent yet"), pending)]


def erase(_sender=None, *, erasure, **_extra) -> None:
    responses = _responses(erasure.customer_id)
    db.session.execute(sa.update(SurveyAnswer).where(SurveyAnswer.response_id.in_(responses),
                                                     SurveyAnswer.text.is_not(None)).values(text=""))
    db.session.execute(sa.update(SurveyAlert).where(SurveyAlert.customer_id == erasure.customer_id).values(note=""))
    db.session.execute(sa.update(SurveyInvitation).where(
        SurveyInvitation.customer_id == erasure.customer_id, SurveyInvitation.status.in_(PENDING)).values(
        status="cancelled", status_reason="erased", lease_until=None))
    db.session.execute(sa.update(SurveyInvitation).where(SurveyInvitation.customer_id == erasure.customer_id)
                       .values(reminder_note=""))


def export(_sender=None, *, customer_id: int, **_extra) -> list[ExportSection]:
    responses = db.session.scalars(sa.select(SurveyResponse).where(SurveyResponse.customer_id == customer_id)
                                   .order_by(SurveyResponse.created_at, SurveyResponse.id))
    return [ExportSection("survey_answers", [{
        "survey": localized(r.survey.title, r.language), "complaint": r.complaint.reference if r.complaint else None,
        "answered_at": plain(r.updated_at), "submitted_at": plain(r.submitted_at), "language": r.language,
        "answers": [{"question": localized(a.question.text, r.language), "type": a.qtype,
                     "value": a.score if a.score is not None else a.choice if a.choice is not None else a.text}
                    for a in sorted(r.answers, key=lambda a: a.question.position)],
    } for r in responses])]


def activity(_sender=None, **_extra) -> list[sa.Select]:
    return [sa.select(SurveyResponse.customer_id, sa.func.max(SurveyResponse.updated_at))
            .group_by(SurveyResponse.customer_id)]


_connected = False


def connect() -> None:
    global _connected
    if not _connected:
        erasure_preview.connect(preview)
        customer_erasing.connect(erase)
        export_sections.connect(export)
        activity_sources.connect(activity)
        _connected = True
