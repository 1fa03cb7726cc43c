"""Surveys react to complaint events (connected in factory.register_signal_receivers).

Receivers run inside the complaint's transaction, so the invitation row commits or rolls back
with the resolution (complaints never import surveys).
"""
from __future__ import annotations

from datetime import datetime

from surveys import planning


def on_complaint_resolved(_sender, *, complaint, now: datetime, unanswered: bool = False, **_extra) -> None:
    if unanswered:  # resolved because the customer never answered: no survey about it
        return
    planning.schedule_after_resolution(complaint, now=now)


def on_complaint_reopened(_sender, *, complaint, now: datetime, **_extra) -> None:
    planning.cancel_for_reopened(complaint, now=now)


def survey_timeline_entries(_sender=None, *, customer_id: int, limit: int, viewer=None, **_extra):
    """The customer file's interaction log shows the survey answers `viewer` may see
    (customers.signals.timeline_sources)."""
    from flask_babel import gettext as _

    from customers.timeline import TimelineEntry
    from surveys.queries import responses_for_customer
    from surveys.texts import localized

    entries = []
    for response in responses_for_customer(customer_id, viewer=viewer)[:limit]:
        answers = sorted(response.answers, key=lambda a: a.question.position)
        summary = " · ".join(f"{a.qtype.upper()} {a.score}" for a in answers if a.score is not None)
        comments = [a.text for a in answers if a.text]
        title = _("Survey answered: %(title)s", title=localized(response.survey.title, "en"))
        if response.submitted_at is None:
            title += " " + _("(partly)")
        entries.append(TimelineEntry(at=response.updated_at, source="survey", title=title,
                                     body="\n".join([summary, *comments]).strip(),
                                     link_reference=response.complaint.reference if response.complaint else None))
    return entries


def complaint_card_facts(_sender=None, *, customer_id: int, viewer, **_extra):
    """The complaint page's customer card: the customer's last NPS and last CSAT answers that
    `viewer` may see (complaints.signals.customer_card_facts)."""
    from flask_babel import gettext as _
    from sqlalchemy import select

    from complaints.queries import tied_to_visible
    from complaints.workspace import CardFact
    from extensions import db
    from surveys.models import SurveyAnswer, SurveyResponse

    facts = []
    for qtype, label in (("nps", _("Last NPS answer")), ("csat", _("Last CSAT answer"))):
        row = db.session.execute(
            select(SurveyAnswer.score, SurveyResponse.updated_at).join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyResponse.customer_id == customer_id, SurveyAnswer.qtype == qtype, SurveyAnswer.score.is_not(None),
                   tied_to_visible(viewer, SurveyResponse.complaint_id))
            .order_by(SurveyResponse.updated_at.desc(), SurveyResponse.id.desc()).limit(1)).first()
        if row is not None:
            facts.append(CardFact(label=label, value=str(row.score), at=row.updated_at))
    return facts


_connected = False


def connect() -> None:
    """Once per process (blinker signals are global; apps come and go in tests)."""
    global _connected
    if _connected:
        return
    from complaints import signals

    signals.complaint_resolved.connect(on_complaint_resolved)
    signals.complaint_reopened.connect(on_complaint_reopened)
    signals.customer_card_facts.connect(complaint_card_facts)
    try:
        from customers.signals import timeline_sources
    except ImportError:  # an older customers package without a timeline
        pass
    else:
        timeline_sources.connect(survey_timeline_entries)
    _connected = True
