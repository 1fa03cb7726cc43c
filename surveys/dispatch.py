"""Turn due invitation rows into outbox e-mails: claim with a lease, apply the contact policy, queue.

Claiming follows the outbox pattern: `FOR UPDATE SKIP LOCKED` on PostgreSQL lets any number of
workers take disjoint batches; a batch whose worker died is taken again after its lease. The
outbox dedupe key `survey-invitation:<id>` makes that second pass queue nothing twice, and the
decisions of one batch (sent / postponed / capped / opted out) commit together with its e-mails.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import selectinload

from customers.contact_policy import (ContactHistory, campaign_block_reasons, cap_decision, contact_histories,
                                      next_allowed_send)
from extensions import db
from platform_support.tokens import hash_secret
from notifications.services import queue_many
from surveys.invitation_mail import InvitationMail, invitation_token, survey_email
from surveys.models import Survey, SurveyInvitation
from surveys.planning import period_start

CAP_REASONS = {
    "survey_cap": "frequency cap: one survey invitation per {days} days (last on {last:%Y-%m-%d})",
    "monthly_cap": "frequency cap: at most {monthly} automated messages in 30 days",
}


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    postponed: int = 0
    capped: int = 0
    opted_out: int = 0
    cancelled: int = 0


# --- invitations ------------------------------------------------------------------------------

def claim_due_invitations(*, now: datetime, limit: int, lease_seconds: int) -> dict[int, int]:
    """Claim up to `limit` due rows with a lease; returns {id: attempts} — the attempt number is
    the fencing token that proves, later, that the claim is still ours."""
    due = or_(and_(SurveyInvitation.status == "scheduled", SurveyInvitation.due_at <= now),
              and_(SurveyInvitation.status == "sending", SurveyInvitation.lease_until < now))
    ids = list(db.session.scalars(
        select(SurveyInvitation.id).where(due).order_by(SurveyInvitation.due_at, SurveyInvitation.id)
        .limit(limit).with_for_update(skip_locked=True)))
    claimed: dict[int, int] = {}
    if ids:
        db.session.execute(
            update(SurveyInvitation).where(SurveyInvitation.id.in_(ids))
            .values(status="sending", lease_until=now + timedelta(seconds=lease_seconds),
                    attempts=SurveyInvitation.attempts + 1)
            .execution_options(synchronize_session=False))
        claimed = dict(db.session.execute(
            select(SurveyInvitation.id, SurveyInvitation.attempts).where(SurveyInvitation.id.in_(ids))).all())
    db.session.commit()
    return claimed


def _blocked_reason(invitation: SurveyInvitation, campaign_blocks: dict[int, str] | None = None) -> tuple[str, str] | None:
    """(status, reason) when this invitation must not go out at all (`campaign_blocks`: from
    `customers.contact_policy.campaign_block_reasons` — disqualified or "dead" at send time)."""
    customer = invitation.customer
    if customer.surveys_opted_out_at is not None or customer.erased_at is not None:
        return "opted_out", "customer opted out of surveys"
    if campaign_blocks and customer.id in campaign_blocks:
        return "cancelled", campaign_blocks[customer.id]
    if not (customer.email or (invitation.complaint and invitation.complaint.contact_email)):
        return "cancelled", "no e-mail address"
    if not invitation.survey.active:
        return "cancelled", "survey is inactive"
    if invitation.complaint_id is not None and invitation.complaint is not None \
            and invitation.complaint.is_open:
        return "cancelled", "complaint reopened before the survey was sent"
    return None


def _apply_cap(invitation: SurveyInvitation, history: ContactHistory, *, now: datetime, config) -> bool:
    """True when the cap lets it through; otherwise postpones or skips it with the reason."""
    decision = cap_decision(history, now=now, survey_cap_days=config["SURVEY_CAP_DAYS"],
                            monthly_cap=config["AUTOMATED_MESSAGES_PER_MONTH"], is_survey_invitation=True)
    if decision.allowed:
        return True
    reason = CAP_REASONS[decision.reason].format(days=config["SURVEY_CAP_DAYS"], monthly=config["AUTOMATED_MESSAGES_PER_MONTH"],
                                                 last=history.last_survey_invitation_at or now)
    # A relationship survey can wait within its period; a complaint survey asked weeks later
    # would no longer be about the complaint, so it is skipped.
    if invitation.kind == "relationship" and invitation.period is not None:
        period_end = period_start(invitation.period + 1, config["RELATIONSHIP_SURVEY_PERIOD_DAYS"])
        retry_at = next_allowed_send(invitation.customer, decision.retry_at)
        if retry_at < period_end:
            invitation.status, invitation.due_at = "scheduled", retry_at
            invitation.status_reason = f"postponed to {retry_at:%Y-%m-%d %H:%M} UTC: {reason}"
            return False
    invitation.status, invitation.status_reason = "capped", reason
    return False


def dispatch_due_invitations(*, now: datetime, limit: int | None = None) -> DispatchReport:
    """One batch: claimed invitations become e-mails, or are postponed/skipped with a reason."""
    config = current_app.config
    report = DispatchReport()
    claimed = claim_due_invitations(now=now, limit=limit or config["WORKER_BATCH_SIZE"],
                                    lease_seconds=config["WORKER_LEASE_SECONDS"])
    report.claimed = len(claimed)
    if not claimed:
        return report
    # Lock the claimed rows for this transaction (other workers' SKIP LOCKED passes them by) and
    # keep only those still carrying our attempt number: a row whose lease ran out and that
    # another worker re-claimed is theirs now. So each invitation is queued exactly once,
    # without a per-message dedupe lookup on the outbox. The lock waits rather than skipping:
    # another worker's claim query briefly locks rows it then finds taken (PostgreSQL keeps the
    # lock of a row that fails the re-check), and skipping those would leave them to the lease.
    invitations = [invitation for invitation in db.session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.id.in_(list(claimed)), SurveyInvitation.status == "sending")
        .options(selectinload(SurveyInvitation.customer), selectinload(SurveyInvitation.complaint),
                 selectinload(SurveyInvitation.survey).selectinload(Survey.questions))
        .order_by(SurveyInvitation.due_at, SurveyInvitation.id).with_for_update(of=SurveyInvitation))
        if invitation.attempts == claimed[invitation.id]]
    histories = contact_histories(db.session, [i.customer_id for i in invitations], now=now,
                                  survey_cap_days=config["SURVEY_CAP_DAYS"])
    blocks = campaign_block_reasons(db.session, [i.customer_id for i in invitations])
    mail, emails = InvitationMail(), []
    for invitation in invitations:
        invitation.lease_until = None
        blocked = _blocked_reason(invitation, blocks)
        if blocked is not None:
            invitation.status, invitation.status_reason = blocked
            setattr(report, blocked[0], getattr(report, blocked[0]) + 1)
            continue
        window = next_allowed_send(invitation.customer, now)
        if window > now:
            invitation.status, invitation.due_at = "scheduled", window
            invitation.status_reason = "waiting for the customer's contact hours"
            report.postponed += 1
            continue
        history = histories[invitation.customer_id]
        if not _apply_cap(invitation, history, now=now, config=config):
            if invitation.status == "scheduled":
                report.postponed += 1
            else:
                report.capped += 1
            continue
        invitation.token_nonce = invitation.token_nonce or secrets.token_hex(16)
        token = invitation_token(invitation)
        invitation.token_hash = hash_secret(token)
        invitation.sent_at = now
        invitation.expires_at = now + timedelta(days=config["SURVEY_TOKEN_DAYS"])
        invitation.reminder_due_at = now + timedelta(days=config["SURVEY_REMINDER_DAYS"])
        invitation.status, invitation.status_reason = "sent", ""
        emails.append(survey_email(invitation, reminder=False, now=now, mail=mail, token=token))
        # Later invitations in this batch for the same customer see this one.
        histories[invitation.customer_id] = ContactHistory(
            now, history.automated_in_month + 1, history.oldest_automated_in_month or now)
        report.sent += 1
    queue_many(emails)
    db.session.commit()
    return report


# --- reminders and expiry ---------------------------------------------------------------------

def send_due_reminders(*, now: datetime, limit: int | None = None) -> int:
    """At most one reminder per unanswered invitation; answering cancels it (reminder_due_at=None)."""
    config = current_app.config
    invitations = list(db.session.scalars(
        select(SurveyInvitation)
        .where(SurveyInvitation.status == "sent", SurveyInvitation.reminder_due_at <= now,
               SurveyInvitation.reminder_sent_at.is_(None), SurveyInvitation.expires_at > now)
        .order_by(SurveyInvitation.reminder_due_at, SurveyInvitation.id)
        .limit(limit or config["WORKER_BATCH_SIZE"]).with_for_update(skip_locked=True)))
    if not invitations:
        db.session.commit()
        return 0
    histories = contact_histories(db.session, [i.customer_id for i in invitations], now=now,
                                  survey_cap_days=config["SURVEY_CAP_DAYS"])
    sent = 0
    blocks = campaign_block_reasons(db.session, [i.customer_id for i in invitations])
    mail, emails = InvitationMail(), []
    for invitation in invitations:
        blocked = _blocked_reason(invitation, blocks)
        if blocked is not None:
            invitation.reminder_due_at, invitation.reminder_note = None, "no reminder: " + blocked[1]
            continue
        window = next_allowed_send(invitation.customer, now)
        if window > now:
            invitation.reminder_due_at = window
            continue
        history = histories[invitation.customer_id]
        decision = cap_decision(history, now=now, survey_cap_days=config["SURVEY_CAP_DAYS"],
                                monthly_cap=config["AUTOMATED_MESSAGES_PER_MONTH"], is_survey_invitation=False)
        if not decision.allowed:
            invitation.reminder_due_at = None
            invitation.reminder_note = "no reminder: " + CAP_REASONS["monthly_cap"].format(
                monthly=config["AUTOMATED_MESSAGES_PER_MONTH"], days=0, last=now)
            continue
        emails.append(survey_email(invitation, reminder=True, now=now, mail=mail))
        invitation.reminder_sent_at, invitation.reminder_due_at = now, None
        histories[invitation.customer_id] = ContactHistory(
            history.last_survey_invitation_at, history.automated_in_month + 1, history.oldest_automated_in_month or now)
        sent += 1
    queue_many(emails)
    db.session.commit()
    return sent


def expire_invitations(*, now: datetime) -> int:
    """Unanswered invitations whose link has expired (one UPDATE)."""
    result = db.session.execute(
        update(SurveyInvitation)
        .where(SurveyInvitation.status == "sent", SurveyInvitation.expires_at <= now)
        .values(status="expired", reminder_due_at=None)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount or 0
