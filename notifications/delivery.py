"""SMTP delivery of the outbox by the worker: claim a batch with a lease, send, record.

At-least-once: a worker that dies after sending but before recording leaves the row to be sent
again after its lease expires; the stable Message-ID lets mail systems recognise the twin.
"""
from __future__ import annotations

import binascii
import queue
import re
import secrets
import smtplib
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from flask import current_app
from sqlalchemy import select, update

from extensions import db
from notifications.headers import header_safe
from notifications.models import OutboxMessage, UndeliverableAddress
from platform_support.claiming import claim_due_rows
from platform_support.clock import utcnow

_HEADER_NAME = re.compile(r"[!-9;-~]+")  # RFC 5322 field name: printable ASCII except ":"


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    parked: int = 0


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def claim_due(*, now: datetime, limit: int, lease_seconds: int, commit: bool = True) -> list[int]:
    """Take up to `limit` due outbox rows for this worker (see platform_support.claiming)."""
    return claim_due_rows(OutboxMessage, now=now, limit=limit, lease_seconds=lease_seconds, commit=commit)


def build_email(message, *, mail_from: str | None = None) -> EmailMessage:
    """The message as an `email` object (any row-like object with the outbox columns). Delivery
    uses `render_message` (same headers and parts, a fraction of the CPU); this is the fallback
    for addresses outside ASCII, where the e-mail package negotiates SMTPUTF8."""
    mail = EmailMessage()
    mail["From"] = header_safe(mail_from or current_app.config["MAIL_FROM"])
    mail["To"] = formataddr((header_safe(message.to_name), header_safe(message.to_address, limit=254)))
    mail["Subject"] = header_safe(message.subject, limit=300)
    mail["Message-ID"] = header_safe(message.message_id)
    mail["Date"] = format_datetime(message.created_at.replace(tzinfo=UTC))
    mail["Content-Language"] = header_safe(message.language, limit=20)
    for name, value in (message.extra_headers or {}).items():
        mail[header_safe(name, limit=60)] = header_safe(value, limit=900)
    mail.set_content(message.text_body)
    if message.html_body:
        mail.add_alternative(message.html_body, subtype="html")
    return mail


def _header(name: str, value: str) -> str:
    """One header line (without CRLF). Values are header_safe already (no control characters, no
    "=?"), so ASCII goes out as typed and anything else as RFC 2047 encoded words."""
    if value.isascii():
        return f"{name}: {value}"
    return f"{name}: " + Header(value, "utf-8", header_name=name).encode(linesep="\r\n")


def _address_header(name: str, display_name: str, address: str) -> str:
    if display_name.isascii():
        return f"{name}: {formataddr((display_name, address))}"
    return f"{name}: {Header(display_name, 'utf-8', header_name=name).encode(linesep=chr(13) + chr(10))} <{address}>"


def _body_part(text: str, subtype: str, eight_bit: bool = False) -> tuple[bytes, bool]:
    """Headers and body of one text part, and whether it is 8bit. ASCII with short lines goes as
    7bit; other text as 8bit where the relay announced 8BITMIME (half the size of quoted-printable
    for Cyrillic), else as quoted-printable, so the message is 7-bit clean for any relay."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    short_lines = all(len(line) < 990 for line in text.split("\n"))
    if text.isascii() and short_lines:
        encoding, body = "7bit", text.encode("ascii")
    elif eight_bit and short_lines and all(len(line.encode("utf-8")) < 990 for line in text.split("\n")):
        encoding, body = "8bit", text.encode("utf-8")
    else:
        encoding, body = "quoted-printable", binascii.b2a_qp(text.encode("utf-8"), istext=True)
    if not body.endswith(b"\n"):
        body += b"\n"
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n'
    return head.encode("ascii") + body.replace(b"\n", b"\r\n"), encoding == "8bit"


def render_message(message, from_header: str | None = None, *, eight_bit: bool = False) -> bytes | None:
    """The wire form of an outbox row (CRLF line ends; 7-bit clean unless `eight_bit`, which the
    caller may ask for when the relay announced 8BITMIME — see `is_8bit`), or None when the
    recipient's address is not ASCII. Same headers and MIME structure as `build_email`."""
    to_address = header_safe(message.to_address, limit=254)
    if not to_address.isascii():
        return None
    headers = [
        from_header or _from_header(current_app.config["MAIL_FROM"]),
        _address_header("To", header_safe(message.to_name), to_address),
        _header("Subject", header_safe(message.subject, limit=300)),
        _header("Message-ID", header_safe(message.message_id)),
        "Date: " + format_datetime(message.created_at.replace(tzinfo=UTC)),
        _header("Content-Language", header_safe(message.language, limit=20)),
    ]
    for name, value in (message.extra_headers or {}).items():
        name = header_safe(name, limit=60)
        if not _HEADER_NAME.fullmatch(name):
            return None  # not a header name we can write as typed: let the e-mail package refuse it
        headers.append(_header(name, header_safe(value, limit=900)))
    headers.append("MIME-Version: 1.0")
    text, _ = _body_part(message.text_body or "", "plain", eight_bit)
    if not message.html_body:
        return ("\r\n".join(headers) + "\r\n").encode("ascii") + text
    html, _ = _body_part(message.html_body, "html", eight_bit)
    boundary = "===============" + secrets.token_hex(12) + "=="
    while boundary.encode("ascii") in text or boundary.encode("ascii") in html:
        boundary = "===============" + secrets.token_hex(12) + "=="
    headers.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    delimiter = f"--{boundary}\r\n".encode("ascii")
    return b"".join([("\r\n".join(headers) + "\r\n\r\n").encode("ascii"), delimiter, text, delimiter, html,
                     f"--{boundary}--\r\n".encode("ascii")])


def is_8bit(raw: bytes) -> bool:
    """Whether a rendered message needs BODY=8BITMIME (any byte outside ASCII)."""
    return not raw.isascii()


def _from_header(mail_from: str) -> str:
    display_name, address = parseaddr(header_safe(mail_from))
    if not address.isascii():
        return _header("From", header_safe(mail_from))
    return _address_header("From", display_name, address or header_safe(mail_from))


def _envelope_sender(mail_from: str) -> str:
    return parseaddr(header_safe(mail_from))[1] or header_safe(mail_from)


def _is_temporary(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in exc.recipients.values())
    return isinstance(exc, (smtplib.SMTPException, OSError, socket.timeout))


# Sent rows are recorded (one UPDATE, one commit) every this many messages: a crash between
# sending and recording resends at most one chunk, and the lease is not held needlessly long.
RECORD_CHUNK = 50


def _claim_batch(*, now: datetime, limit: int, lease_seconds: int) -> list:
    """Claim (as `claim_due`) and load the claimed rows' columns in the same transaction: one
    SELECT for the batch instead of one per message, and the write lock (SQLite) is released
    before any SMTP traffic."""
    ids = claim_due(now=now, limit=limit, lease_seconds=lease_seconds, commit=False)
    rows = []
    if ids:
        columns = (OutboxMessage.id, OutboxMessage.to_address, OutboxMessage.to_name, OutboxMessage.subject,
                   OutboxMessage.text_body, OutboxMessage.html_body, OutboxMessage.extra_headers,
                   OutboxMessage.message_id, OutboxMessage.language, OutboxMessage.created_at,
                   OutboxMessage.attempts)
        by_id = {row.id: row for row in db.session.execute(
            select(*columns).where(OutboxMessage.id.in_(ids), OutboxMessage.status == "sending"))}
        rows = [by_id[i] for i in ids if i in by_id]  # keep the claim's order (oldest due first)
        rows = _park_undeliverable(rows)
    db.session.commit()
    return rows


def _park_undeliverable(rows: list) -> list:
    """Park, unsent, the rows addressed to an address a hard bounce proved dead (no automated
    mail to it: each attempt would only bounce again); return the others."""
    addresses = {row.to_address.strip().lower() for row in rows}
    dead = set(db.session.scalars(select(UndeliverableAddress.address_normalised)
                                  .where(UndeliverableAddress.address_normalised.in_(addresses))))
    if not dead:
        return rows
    parked = [row.id for row in rows if row.to_address.strip().lower() in dead]
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(parked))
                       .values(status="parked", lease_until=None, last_error="address undeliverable (hard bounce)")
                       .execution_options(synchronize_session=False))
    return [row for row in rows if row.id not in set(parked)]


def _failure_values(attempts: int, exc: Exception, now: datetime, report: DeliveryReport) -> dict:
    config = current_app.config
    values = {"last_error": f"{type(exc).__name__}: {exc}"[:2000], "lease_until": None}
    if _is_temporary(exc) and attempts < config["MAIL_MAX_ATTEMPTS"]:
        values.update(status="queued",
                      next_attempt_at=now + timedelta(seconds=config["MAIL_RETRY_BASE_SECONDS"] * 2 ** (attempts - 1)))
        report.retried += 1
    else:
        values["status"] = "parked"
        report.parked += 1
    return values


def _record(sent_ids: list[int], failures: list[tuple[int, dict]], now: datetime) -> None:
    """Write what happened to one chunk and commit at once. Only rows still "sending" are touched:
    a row another worker has since reclaimed (our lease ran out) keeps that worker's record."""
    if sent_ids:
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(sent_ids), OutboxMessage.status == "sending")
            .values(status="sent", sent_at=now, lease_until=None, last_error="")
            .execution_options(synchronize_session=False))
    for message_id, values in failures:
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.status == "sending")
            .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


# Parallel SMTP connections for a large batch: one connection spends most of its time waiting
# for the relay's reply to each command, so several in flight keep the relay busy. A small batch
# (up to one record chunk per connection) goes over one connection, in order.
def _connection_count(rows: int) -> int:
    wanted = max(1, int(current_app.config.get("SMTP_CONNECTIONS") or 1))
    return max(1, min(wanted, rows // RECORD_CHUNK))


@dataclass(frozen=True)
class _Relay:
    """What a sending thread needs, read from the app config once (threads have no app context)."""
    host: str
    port: int
    timeout: int
    starttls: bool
    username: str | None
    password: str
    sender: str
    from_header: str
    mail_from: str

    @classmethod
    def from_config(cls, config) -> _Relay:
        return cls(config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"], bool(config["SMTP_STARTTLS"]),
                   config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "", _envelope_sender(config["MAIL_FROM"]),
                   _from_header(config["MAIL_FROM"]), config["MAIL_FROM"])

    def connect(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.starttls:
            smtp.starttls()
        if self.username:
            smtp.login(self.username, self.password)
        return smtp


def _send_all(relay: _Relay, rows, results: queue.SimpleQueue) -> None:
    """One connection's loop: take the next row, send it, report (row, None) or (row, exception).
    Runs in a sending thread; only the caller's thread touches the database."""
    smtp, eight_bit = None, False
    try:
        for row in rows:
            try:
                if smtp is None:
                    smtp = relay.connect()
                    smtp.ehlo_or_helo_if_needed()
                    eight_bit = smtp.has_extn("8bitmime")
                raw = render_message(row, relay.from_header, eight_bit=eight_bit)
                if raw is None:  # an address outside ASCII: the e-mail package negotiates SMTPUTF8
                    smtp.send_message(build_email(row, mail_from=relay.mail_from))
                else:
                    smtp.sendmail(relay.sender, [header_safe(row.to_address, limit=254)], raw,
                                  mail_options=["BODY=8BITMIME"] if is_8bit(raw) else [])
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
                results.put((row, exc))
                # After a refusal the relay has reset the transaction: the connection is still good.
                if smtp is not None and not isinstance(exc, (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)):
                    _close(smtp)
                    smtp = None
            else:
                results.put((row, None))
    finally:
        if smtp is not None:
            _close(smtp)
        results.put(_SENDER_DONE)


_SENDER_DONE = (None, None)


class _SharedRows:
    """The batch as one iterator that several sending threads draw from (next row to whoever is free)."""

    def __init__(self, rows: list):
        self._rows = iter(rows)
        self._lock = threading.Lock()

    def __iter__(self):
        return self

    def __next__(self):
        with self._lock:
            return next(self._rows)

    def close(self) -> None:
        """Hand out no more rows (the caller could not record: leave the rest to the lease)."""
        with self._lock:
            self._rows = iter(())


def deliver_outbox(*, now: datetime | None = None, limit: int | None = None) -> DeliveryReport:
    """One pass: claim what is due and send it over up to SMTP_CONNECTIONS connections. Without
    SMTP configured the mail stays in the outbox (shown in the staff "sent mail" view)."""
    report = DeliveryReport()
    if not smtp_configured():
        return report
    now = now or utcnow()
    config = current_app.config
    rows = _claim_batch(now=now, limit=limit or config["WORKER_BATCH_SIZE"], lease_seconds=config["WORKER_LEASE_SECONDS"])
    report.claimed = len(rows)
    if not rows:
        return report
    relay = _Relay.from_config(config)
    results: queue.SimpleQueue = queue.SimpleQueue()
    shared = _SharedRows(rows)
    senders = [threading.Thread(target=_send_all, args=(relay, shared, results),
                                name=f"smtp-{n}", daemon=True)
               for n in range(_connection_count(len(rows)))]
    for sender in senders:
        sender.start()
    sent_ids: list[int] = []
    failures: list[tuple[int, dict]] = []
    running = len(senders)
    try:
        while running:
            row, exc = results.get()
            if row is None:  # a sending thread has finished (rows it never reported stay leased)
                running -= 1
                continue
            if exc is None:
                sent_ids.append(row.id)
                report.sent += 1
            else:
                failures.append((row.id, _failure_values(row.attempts, exc, now, report)))
            if len(sent_ids) + len(failures) >= RECORD_CHUNK:
                _record(sent_ids, failures, now)
                sent_ids, failures = [], []
    finally:
        shared.close()
        for sender in senders:
            sender.join()
        if sent_ids or failures:
            _record(sent_ids, failures, now)
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
