"""Closed loop: an unhappy answer on any survey becomes a "contact the customer" task for a named person.

Triggers: NPS ≤ 6 (detractor), CSAT ≤ 2, or an open answer that the keyword rule in
`surveys.texts` finds negative. The alert is created in the same transaction as the answer — so it
exists before the next scheduler tick. Its owner (`responsible_for`): on a complaint survey the
complaint's owner; otherwise (the relationship survey, or an unowned complaint) the customer's
account owner; failing both, the manager with the fewest open alerts — never nobody. The owner
and the managers get an e-mail. The owner acknowledges the task, may hand it to someone else
(managers: to anyone), and closes it as done or dismissed with a note; managers can reopen the
complaint from it. `loop_times` gives the dashboard how long loops take to close.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

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


def _usable(person: StaffUser | None) -> bool:
    return person is not None and person.active


def responsible_for(response: SurveyResponse) -> StaffUser | None:
    """The named person who closes the loop (see the module's docstring)."""
    complaint = response.complaint
    if complaint is not None and _usable(complaint.owner):
        return complaint.owner
    customer = response.customer
    if _usable(customer.account_owner):
        return customer.account_owner
    people = managers()
    if not people:
        return None
    open_counts = dict(db.session.execute(
        select(SurveyAlert.owner_id, func.count()).where(SurveyAlert.status == "open",
                                                         SurveyAlert.owner_id.in_([m.id for m in people]))
        .group_by(SurveyAlert.owner_id)).all())
    return min(people, key=lambda m: (open_counts.get(m.id, 0), m.id))


def _notify(alert: SurveyAlert, people, *, now: datetime, reason: str = "raised") -> None:
    for person in people:
        queue_email(kind="staff_survey_alert", to_address=person.email, to_name=person.name,
                    template="survey_alert_staff", language=person.language or "en",
                    context={"complaint": alert.complaint, "alert": alert, "customer": alert.customer, "person": person},
                    dedupe_key=f"survey-alert:{alert.id}:{reason}:{person.id}", staff_user_id=person.id,
                    complaint_id=alert.complaint_id, now=now)


def raise_alert_if_unhappy(response: SurveyResponse, *, now: datetime) -> SurveyAlert | None:
    """Inside the answering transaction; at most one alert per response (any survey)."""
    reasons = unhappy_reasons(response)
    existing = db.session.scalar(select(SurveyAlert).where(SurveyAlert.response_id == response.id))
    if existing is not None:
        if existing.status == "open" and reasons:
            existing.reasons = sorted(set(reasons))
        elif existing.status == "open" and existing.acknowledged_at is None:
            # The customer changed the answer (a second tap) before anyone took the task on:
            # nothing to follow up. Closed by nobody — the page says the customer changed it.
            existing.status, existing.closed_at = "dismissed", now
        return existing
    if not reasons:
        return None
    owner = responsible_for(response)
    alert = SurveyAlert(response_id=response.id, complaint_id=response.complaint_id, customer_id=response.customer_id,
                        owner_id=owner.id if owner else None, reasons=reasons, status="open", created_at=now)
    db.session.add(alert)
    db.session.flush()
    recipients = {m.id: m for m in managers()}
    if owner is not None:
        recipients[owner.id] = owner
    _notify(alert, recipients.values(), now=now)
    return alert


def visible_alerts(actor: StaffUser, *, status: str = "open", limit: int = 200) -> list[SurveyAlert]:
    """Agents see the alerts assigned to them; managers and admins see all."""
    query = select(SurveyAlert).order_by(SurveyAlert.created_at.desc(), SurveyAlert.id.desc()).limit(limit)
    if status in ("open", "done", "dismissed"):
        query = query.where(SurveyAlert.status == status)
    if not actor.is_manager:
        query = query.where(SurveyAlert.owner_id == actor.id)
    return list(db.session.scalars(query))


def _visible_alert(alert_id: int, actor: StaffUser, *, lock: bool = False) -> SurveyAlert:
    query = select(SurveyAlert).where(SurveyAlert.id == alert_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    alert = db.session.scalar(query)
    if alert is None or (not actor.is_manager and alert.owner_id != actor.id):
        raise NotFound(_("No such alert."))
    return alert


def _open(alert: SurveyAlert) -> None:
    if alert.status != "open":
        raise ServiceError(_("This alert is already closed."))


def acknowledge_alert(alert_id: int, *, actor: StaffUser, now: datetime) -> SurveyAlert:
    """"I am on it": the owner (or a manager, who then becomes the owner if there was none)."""
    alert = _visible_alert(alert_id, actor, lock=True)
    _open(alert)
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by_id = now, actor.id
    if alert.owner_id is None:
        alert.owner_id = actor.id
    db.session.commit()
    return alert


def assign_alert(alert_id: int, owner_id: int, *, actor: StaffUser, now: datetime) -> SurveyAlert:
    """Hand the task to a named person. Managers assign anyone active; an agent may hand the task
    assigned to them on to a colleague. The new owner gets an e-mail; acknowledgement starts over."""
    alert = _visible_alert(alert_id, actor, lock=True)
    _open(alert)
    person = db.session.get(StaffUser, owner_id) if isinstance(owner_id, int) else None
    if person is None or not person.active:
        raise ServiceError(_("Choose an active colleague."), {"owner": [_("Choose an active colleague.")]})
    if person.id == alert.owner_id:
        return alert
    alert.owner_id, alert.acknowledged_at, alert.acknowledged_by_id = person.id, None, None
    db.session.flush()
    _notify(alert, [person], now=now, reason=f"assigned-{now:%Y%m%d%H%M%S}")
    db.session.commit()
    return alert


def close_alert(alert_id: int, outcome: str, note: str, *, actor: StaffUser, now: datetime) -> SurveyAlert:
    """The task "contact the customer" is done (or dismissed), with what happened."""
    if outcome not in ("done", "dismissed"):
        raise ServiceError(_("Choose done or dismissed."), {"outcome": [_("Choose done or dismissed.")]})
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("Add a note about the contact."), {"note": [_("Add a note about the contact.")]})
    alert = _visible_alert(alert_id, actor, lock=True)
    _open(alert)
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by_id = now, actor.id
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


@dataclass
class LoopTimes:
    """How long loops take: over the alerts raised in the window, closed by a person."""
    raised: int
    closed: int
    open_now: int
    unacknowledged: int
    median_hours_to_acknowledge: float | None
    median_hours_to_close: float | None
    oldest_open_hours: float | None


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    values = sorted(values)
    mid = len(values) // 2
    return round(values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2, 1)


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def loop_times(actor: StaffUser, *, now: datetime, days: int = 90) -> LoopTimes:
    """The dashboard's figures, over the alerts `actor` may see raised in the last `days` days.
    Alerts dismissed by nobody (the customer changed the answer) are no loop and do not count."""
    query = select(SurveyAlert.status, SurveyAlert.created_at, SurveyAlert.acknowledged_at, SurveyAlert.closed_at,
                   SurveyAlert.closed_by_id).where(SurveyAlert.created_at >= now - timedelta(days=days))
    if not actor.is_manager:
        query = query.where(SurveyAlert.owner_id == actor.id)
    rows = [r for r in db.session.execute(query) if not (r.status != "open" and r.closed_by_id is None)]
    open_rows = [r for r in rows if r.status == "open"]
    closed = [r for r in rows if r.status != "open" and r.closed_at is not None]
    return LoopTimes(
        raised=len(rows), closed=len(closed), open_now=len(open_rows),
        unacknowledged=sum(1 for r in open_rows if r.acknowledged_at is None),
        median_hours_to_acknowledge=_median([_hours(r.acknowledged_at - r.created_at) for r in rows
                                             if r.acknowledged_at is not None]),
        median_hours_to_close=_median([_hours(r.closed_at - r.created_at) for r in closed]),
        oldest_open_hours=round(max((_hours(now - r.created_at) for r in open_rows), default=0), 1) if open_rows else None)
