"""SMTP delivery of the outbox by the worker: claim a batch with a lease, send, record.

At-least-once: a worker that dies after sending but before recording leaves the row to be sent
again after its lease expires; the stable Message-ID lets mail systems recognise the twin.
"""
from __future__ import annotations

import smtplib
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from flask import current_app
from sqlalchemy import and_, or_, select, update

from extensions import db
from notifications.headers import header_safe
from notifications.models import OutboxMessage
from platform_support.clock import utcnow


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    parked: int = 0


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def claim_due(*, now: datetime, limit: int, lease_seconds: int, worker: str = "") -> list[int]:
    """Take up to `limit` due rows for this worker. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets any
    number of workers claim side by side without taking the same row; SQLite has one writer."""
    due = or_(
        and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now),
    )
    ids = list(db.session.scalars(
        select(OutboxMessage.id).where(due).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit).with_for_update(skip_locked=True)))
    if ids:
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids))
            .values(status="sending", lease_until=now + timedelta(seconds=lease_seconds),
                    attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False))
    db.session.commit()
    return ids


def build_email(message: OutboxMessage) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = header_safe(current_app.config["MAIL_FROM"])
    mail["To"] = formataddr((header_safe(message.to_name), header_safe(message.to_address, limit=254)))
    mail["Subject"] = header_safe(message.subject, limit=300)
    mail["Message-ID"] = message.message_id
    mail["Date"] = format_datetime(message.created_at.replace(tzinfo=timezone.utc))
    mail["Content-Language"] = message.language
    for name, value in (message.extra_headers or {}).items():
        mail[header_safe(name, limit=60)] = header_safe(value, limit=900)
    mail.set_content(message.text_body)
    if message.html_body:
        mail.add_alternative(message.html_body, subtype="html")
    return mail


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"])
    if config["SMTP_STARTTLS"]:
        smtp.starttls()
    if config["SMTP_USERNAME"]:
        smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
    return smtp


def _is_temporary(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in exc.recipients.values())
    return isinstance(exc, (smtplib.SMTPException, OSError, socket.timeout))


def _record_failure(message: OutboxMessage, exc: Exception, now: datetime, report: DeliveryReport) -> None:
    config = current_app.config
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    message.lease_until = None
    if _is_temporary(exc) and message.attempts < config["MAIL_MAX_ATTEMPTS"]:
        message.status = "queued"
        message.next_attempt_at = now + timedelta(seconds=config["MAIL_RETRY_BASE_SECONDS"] * 2 ** (message.attempts - 1))
        report.retried += 1
    else:
        message.status = "parked"
        report.parked += 1


def deliver_outbox(*, now: datetime | None = None, limit: int | None = None) -> DeliveryReport:
    """One pass: claim what is due and send it over one SMTP connection. Without SMTP configured
    the mail stays in the outbox (shown in the staff "sent mail" view)."""
    report = DeliveryReport()
    if not smtp_configured():
        return report
    now = now or utcnow()
    config = current_app.config
    ids = claim_due(now=now, limit=limit or config["WORKER_BATCH_SIZE"], lease_seconds=config["WORKER_LEASE_SECONDS"])
    report.claimed = len(ids)
    if not ids:
        return report
    smtp = None
    try:
        for message_id in ids:
            message = db.session.get(OutboxMessage, message_id)
            if message is None or message.status != "sending":
                continue
            try:
                if smtp is None:
                    smtp = _connect()
                smtp.send_message(build_email(message))
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
                _record_failure(message, exc, now, report)
                if smtp is not None and not isinstance(exc, smtplib.SMTPResponseException):
                    _close(smtp)
                    smtp = None
            else:
                message.status = "sent"
                message.sent_at = now
                message.lease_until = None
                message.last_error = ""
                report.sent += 1
            db.session.commit()
    finally:
        if smtp is not None:
            _close(smtp)
    return report


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except Exception:  # noqa: BLE001 - the connection is going away anyway
        smtp.close()


def requeue_parked(message: OutboxMessage, *, now: datetime | None = None) -> None:
    """An admin sends a parked message again (after fixing the address or the relay)."""
    message.status = "queued"
    message.attempts = 0
    message.next_attempt_at = now or utcnow()
    message.last_error = ""
    db.session.commit()
