"""The complaints domain's scheduled jobs (listed in scheduling/registry.py)."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import func, select

from calendars import services as calendar_services
from complaints import escalation, signals
from complaints.changes import email_customer, record_event, transition
from complaints.models import Complaint, ComplaintEvent
from complaints.status_counts import fold_counts
from extensions import db
from platform_support.clock import utcnow


def escalate_overdue(*, now: datetime | None = None, limit: int = 500) -> int:
    """Escalate breached SLA clocks level by level (complaints.escalation). Safe to rerun."""
    return escalation.escalate_overdue(now=now or utcnow(), limit=limit)


def warn_before_breach(now: datetime) -> int:
    """Warn owners at SLA_WARNING_PERCENT of a target (complaints.escalation)."""
    return escalation.warn_before_breach(now=now)


def extend_calendars(now: datetime) -> int:
    """Keep the calendars' open spans years ahead of now (calendars.services)."""
    count = calendar_services.extend_calendars(now)
    db.session.commit()
    return count


def escalate_overdue_complaints(now: datetime) -> int:
    return escalate_overdue(now=now)


def fold_complaint_counts(now: datetime) -> int:
    return fold_counts(now)


def close_unanswered(*, now: datetime | None = None, days: int | None = None, limit: int = 200) -> int:
    """Resolve the complaints that have waited for the customer's answer (`waiting`, entered by a
    public update that asked something) longer than WAITING_AUTO_CLOSE_DAYS, with a last e-mail to
    the customer in their language (a reply still reopens it within REOPEN_DAYS). Waiting since:
    the complaint's latest public update (nothing else a member of staff does leaves `waiting`
    without leaving the state, and the customer's answer leaves it). Safe to rerun: a resolved
    complaint is no longer waiting, and each complaint is locked and checked again."""
    now = now or utcnow()
    days = current_app.config["WAITING_AUTO_CLOSE_DAYS"] if days is None else days
    if days <= 0:
        return 0
    since = (select(ComplaintEvent.complaint_id, func.max(ComplaintEvent.created_at).label("since"))
             .where(ComplaintEvent.kind == "progress_update", ComplaintEvent.public.is_(True))
             .group_by(ComplaintEvent.complaint_id).subquery())
    cutoff = now - timedelta(days=days)
    due = list(db.session.scalars(
        select(Complaint.id).join(since, since.c.complaint_id == Complaint.id)
        .where(Complaint.status == "waiting", since.c.since <= cutoff)
        .order_by(since.c.since, Complaint.id).limit(limit)))
    db.session.commit()  # end the read; each complaint in a transaction of its own
    count = 0
    for complaint_id in due:
        complaint = db.session.scalar(select(Complaint).where(Complaint.id == complaint_id)
                                      .with_for_update(skip_locked=True).execution_options(populate_existing=True))
        if complaint is None or complaint.status != "waiting":  # answered meanwhile, or another worker has it
            db.session.rollback()
            continue
        with force_locale(complaint.language):
            resolution = _("We did not hear back from you within %(days)d days, so we have closed your complaint. "
                           "If anything is still not right, just reply to this e-mail.", days=days)
        before, after = transition(complaint, "resolve")
        complaint.resolution = resolution
        complaint.resolved_at = now
        record_event(complaint, "resolved", now=now, public=True, body=resolution,
                     detail={"from": before, "to": after, "unanswered_days": days, "automatic": True})
        email_customer(complaint, "complaint_closed_unanswered", now=now, context={"days": days},
                       dedupe_key=f"closed-unanswered:{complaint.id}:{now.isoformat()}")
        signals.complaint_resolved.send(current_app._get_current_object(), complaint=complaint, now=now,
                                        unanswered=True)
        db.session.commit()
        count += 1
    return count


def close_unanswered_complaints(now: datetime) -> int:
    return close_unanswered(now=now)
