"""Closed loop: an unhappy answer about a complaint becomes a "contact the customer" task.

Triggers (on a complaint survey): NPS ≤ 6 (detractor), CSAT ≤ 2, or an open answer that the
keyword rule in `surveys.texts` finds negative. The alert is created in the same transaction as
the answer — so it exists before the next scheduler tick — and the complaint's owner and the
managers get an e-mail. The task is closed as done or dismissed with a note; managers can
reopen the complaint from it.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from complaints.actions import reopen as reopen_complaint
from complaints.changes import managers
from extensions import db
from notifications.services import queue_email
from platform_support.errors import NotFound, PermissionDenied, ServiceError
from staff.models import StaffUser
from surveys.models import SurveyAlert, SurveyResponse
from surveys.scoring import is_detractor
from surveys.texts import is_negative_comment


def unhappy_reasons(response: SurveyResponse) -> list[str]:
    reasons = []
    for answer in response.answers:
        if answer.qtype == "nps" and is_detractor("nps", answer.score):
            reasons.append(f"nps:{answer.score}")
        elif answer.qtype == "csat" and is_detractor("csat", answer.score):
            reasons.append(f"csat:{answer.score}")
        elif answer.qtype == "text" and is_negative_comment(answer.text):
            reasons.append("negative_comment")
    return reasons


def raise_alert_if_unhappy(response: SurveyResponse, *, now: datetime) -> SurveyAlert | None:
    """Inside the answering transaction; at most one alert per response."""
    if response.complaint_id is None:
        return None
    reasons = unhappy_reasons(response)
    existing = db.session.scalar(select(SurveyAlert).where(SurveyAlert.response_id == response.id))
    if existing is not None:
        if existing.status == "open":
            existing.reasons = sorted(set(existing.reasons) | set(reasons))
        return existing
    if not reasons:
        return None
    complaint = response.complaint
    alert = SurveyAlert(response_id=response.id, complaint_id=complaint.id, customer_id=response.customer_id,
                        owner_id=complaint.owner_id, reasons=reasons, status="open", created_at=now)
    db.session.add(alert)
    db.session.flush()
    recipients = {m.id: m for m in managers()}
    if complaint.owner is not None and complaint.owner.active:
        recipients[complaint.owner.id] = complaint.owner
    for person in recipients.values():
        queue_email(kind="staff_survey_alert", to_address=person.email, to_name=person.name,
                    template="survey_alert_staff", language=person.language or "en",
                    context={"complaint": complaint, "alert": alert, "customer": response.customer, "person": person},
                    dedupe_key=f"survey-alert:{alert.id}:{person.id}", staff_user_id=person.id,
                    complaint_id=complaint.id, now=now)
    return alert


def visible_alerts(actor: StaffUser, *, status: str = "open", limit: int = 200) -> list[SurveyAlert]:
    """Agents see the alerts on their own complaints; managers and admins see all."""
    query = select(SurveyAlert).order_by(SurveyAlert.created_at.desc(), SurveyAlert.id.desc()).limit(limit)
    if status in ("open", "done", "dismissed"):
        query = query.where(SurveyAlert.status == status)
    if not actor.is_manager:
        query = query.where(SurveyAlert.owner_id == actor.id)
    return list(db.session.scalars(query))


def _visible_alert(alert_id: int, actor: StaffUser) -> SurveyAlert:
    alert = db.session.get(SurveyAlert, alert_id)
    if alert is None or (not actor.is_manager and alert.owner_id != actor.id):
        raise NotFound(_("No such alert."))
    return alert


def close_alert(alert_id: int, outcome: str, note: str, *, actor: StaffUser, now: datetime) -> SurveyAlert:
    """The task "contact the customer" is done (or dismissed), with what happened."""
    if outcome not in ("done", "dismissed"):
        raise ServiceError(_("Choose done or dismissed."), {"outcome": [_("Choose done or dismissed.")]})
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("Add a note about the contact."), {"note": [_("Add a note about the contact.")]})
    alert = _visible_alert(alert_id, actor)
    if alert.status != "open":
        raise ServiceError(_("This alert is already closed."))
    alert.status, alert.note, alert.closed_at, alert.closed_by_id = outcome, note[:5000], now, actor.id
    db.session.commit()
    return alert


def reopen_complaint_from_alert(alert_id: int, reason: str, *, actor: StaffUser, now: datetime):
    """Managers only: the customer is still unhappy, so the complaint goes back to work."""
    if not actor.is_manager:
        raise PermissionDenied(_("Only managers can reopen a complaint from an alert."))
    alert = _visible_alert(alert_id, actor)
    if alert.complaint is None:
        raise ServiceError(_("This alert is not about a complaint."))
    return reopen_complaint(alert.complaint.reference, reason, actor=actor, now=now)
