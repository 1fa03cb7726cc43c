"""One raw message in, one outcome out — the same path for the IMAP poll, `flask mail ingest` and
a released quarantined message.

Everything a message produces (the stored message, the complaint change, the e-mails it causes,
the mailbox cursor) commits in one transaction, so a crash before the commit leaves no trace and
the message is fetched again; its Message-ID (the dedupe key) makes a second arrival a no-op.
Never raises for anything a message can contain: what cannot be processed is quarantined.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from complaints.contact import confirm_by_reply_to
from customers.services import normalise_email
from extensions import db
from inbound import complaint_side, language, parsing, reasons, replies
from inbound.matching import match
from inbound.models import InboundMessage, MailboxCursor
from notifications.models import OutboxMessage, UndeliverableAddress
from platform_support.clock import utcnow
from platform_support.errors import ServiceError

log = logging.getLogger(__name__)
AUTOMATIC_KINDS = ("complaint_acknowledgement",)


@dataclass(frozen=True)
class Outcome:
    kind: str  # appended, created, ignored, quarantined
    reference: str = ""
    reason: str = ""

    def line(self) -> str:
        """What `flask mail ingest` prints."""
        if self.kind in ("appended", "created"):
            return f"{self.kind} {self.reference}"
        return f"{self.kind}: {self.reason}"


@dataclass(frozen=True)
class Position:
    """Where a fetched message sits in the mailbox (advanced with the message's own commit)."""
    folder: str
    uidvalidity: int
    uid: int


def dedupe_hash(raw: bytes) -> tuple[str, str]:
    """(Message-ID, hash of the dedupe key), read from the headers alone (any bytes: never raises)."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw[:1024 * 1024])
        message_id = (parsing._message_ids(str(headers.get("Message-ID", "") or "")) or [""])[0]
    except Exception:  # noqa: BLE001 - unreadable headers: the raw bytes are the key
        message_id = ""
    key = parsing.dedupe_key_of(message_id, raw)
    return message_id, hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def ingest(raw: bytes, *, source: str, now: datetime | None = None, position: Position | None = None) -> Outcome:
    now = now or utcnow()
    message_id, key_hash = dedupe_hash(raw)
    if db.session.scalar(select(InboundMessage.id).where(InboundMessage.dedupe_hash == key_hash)) is not None:
        _advance(position, now)
        db.session.commit()
        return Outcome("ignored", reason=_duplicate())
    row = InboundMessage(dedupe_hash=key_hash, message_id=message_id[:998], received_at=now, source=source,
                         size_bytes=len(raw), raw=raw, outcome="quarantined")
    try:
        outcome = _process(row, raw, now=now, lenient=False)
        db.session.add(row)
        _advance(position, now)
        db.session.commit()
        return outcome
    except IntegrityError:
        db.session.rollback()  # the same message, stored meanwhile by a concurrent poll or pipe
        if db.session.scalar(select(InboundMessage.id).where(InboundMessage.dedupe_hash == key_hash)) is not None:
            _advance(position, now)
            db.session.commit()
            return Outcome("ignored", reason=_duplicate())
        return _quarantine_after_failure(raw, key_hash, message_id, source, now, position, "IntegrityError")
    except ServiceError as exc:  # refused by a complaint rule (e.g. a file or a text the form would refuse)
        db.session.rollback()
        return _quarantine_after_failure(raw, key_hash, message_id, source, now, position, str(exc))
    except Exception as exc:  # noqa: BLE001 - a message must never be lost to a bug: it waits for staff
        db.session.rollback()
        log.exception("inbound message could not be processed")
        return _quarantine_after_failure(raw, key_hash, message_id, source, now, position, type(exc).__name__)


def release(row: InboundMessage, *, actor, now: datetime | None = None) -> Outcome:
    """An admin releases a quarantined message: processed as if it had just arrived, with what
    could not be read replaced instead of refused."""
    now = now or utcnow()
    if row.outcome != "quarantined":
        raise ServiceError(_("This message is not in the quarantine."))
    outcome = _process(row, row.raw, now=now, lenient=True)
    if outcome.kind == "quarantined":
        reason = reasons.describe(row.reason_code, row.reason_params, outcome.reason)
        db.session.rollback()
        raise ServiceError(_("This message still cannot be processed: %(reason)s", reason=reason))
    row.decided_at = now
    row.decided_by_id = actor.id
    db.session.commit()
    return outcome


def discard(row: InboundMessage, *, actor, now: datetime | None = None) -> None:
    """An admin decides a quarantined message needs nothing (kept, marked discarded, for the record)."""
    if row.outcome != "quarantined":
        raise ServiceError(_("This message is not in the quarantine."))
    row.outcome = "discarded"
    row.decided_at = now or utcnow()
    row.decided_by_id = actor.id
    db.session.commit()


def _duplicate() -> str:
    return "duplicate (this Message-ID was already received)"


def _quarantine_after_failure(raw, key_hash, message_id, source, now, position, error: str) -> Outcome:
    reason = f"processing failed ({error}); kept for staff"
    db.session.add(InboundMessage(dedupe_hash=key_hash, message_id=message_id[:998], received_at=now, source=source,
                                  size_bytes=len(raw), raw=raw, outcome="quarantined", reason=reason,
                                  reason_code="processing_failed", reason_params={"error": error[:300]}))
    _advance(position, now)
    db.session.commit()
    return Outcome("quarantined", reason=reason)


def _advance(position: Position | None, now: datetime) -> None:
    if position is None:
        return
    cursor = db.session.get(MailboxCursor, position.folder)
    if cursor is None:
        db.session.add(MailboxCursor(folder=position.folder, uidvalidity=position.uidvalidity,
                                     last_uid=position.uid, updated_at=now))
    else:
        cursor.uidvalidity = position.uidvalidity
        cursor.last_uid = max(cursor.last_uid if cursor.uidvalidity == position.uidvalidity else 0, position.uid)
        cursor.updated_at = now


def _process(row: InboundMessage, raw: bytes, *, now: datetime, lenient: bool) -> Outcome:
    config = current_app.config
    try:
        parsed = parsing.parse(raw, max_bytes=config["INBOUND_MAX_BYTES"],
                               max_header_bytes=config["INBOUND_MAX_HEADER_BYTES"], lenient=lenient)
    except parsing.Unreadable as exc:
        return _decided(row, "quarantined", reason=str(exc), code=exc.code, params=exc.params)
    row.from_address = parsed.from_address[:254]
    row.subject = parsed.subject[:300]
    if parsed.robot:
        if parsed.bounce and parsed.bounce.hard_failures:
            _mark_undeliverable(parsed.bounce.hard_failures, now)
            addresses = ", ".join(parsed.bounce.hard_failures)[:400]
            return _decided(row, "ignored", reason=f"{parsed.robot}: undeliverable {addresses}"[:500],
                            code="undeliverable", params={"addresses": addresses})
        return _decided(row, "ignored", reason=parsed.robot, code=reasons.ROBOTS.get(parsed.robot, ""))
    text = replies.new_text(parsed.text)
    found = match(parsed)
    detail = {"channel": "email", "message_id": parsed.message_id, "inbound_message": True}
    if found.complaint is not None and complaint_side.can_reopen(found.complaint, now):
        if not text and not parsed.attachments:
            return _decided(row, "ignored", reason="no text and no attachment", complaint=found.complaint,
                            code="no_content")
        db.session.add(row)
        db.session.flush()
        detail["inbound_id"] = row.id
        event = complaint_side.append_message(found.complaint, text, parsed.attachments, now=now, detail=detail)
        if found.proves_receipt and found.complaint.contact_confirmed_at is None:  # complaints.contact
            confirm_by_reply_to(found.complaint, parsed.from_address, now=now)
        db.session.flush()
        row.event_id = event.id
        return _decided(row, "appended", complaint=found.complaint)
    notes = []
    if found.complaint is not None:  # resolved longer ago than REOPEN_DAYS: a new complaint, linked
        notes.append(_("Follows complaint %(reference)s (resolved more than %(days)d days before this e-mail).",
                       reference=found.complaint.reference, days=config["REOPEN_DAYS"]))
    if found.mentioned:
        notes.append(_("The e-mail mentions complaint %(reference)s, which belongs to another address: "
                       "not added to it.", reference=found.mentioned))
    if not text and not parsed.attachments:
        return _decided(row, "quarantined", reason="no text and no attachment", code="no_content")
    # Stored first: its id goes into the new complaint's "created" event, written with it.
    db.session.add(row)
    db.session.flush()
    filed = complaint_side.file_from_email(
        name=parsed.from_name or parsed.from_address.split("@")[0], email=parsed.from_address,
        subject=parsed.subject, text=text or parsed.subject or _("(no text, see the attachments)"),
        files=parsed.attachments,
        language=language.detect(parsed.content_language, text, tuple(config["LANGUAGES"]),
                                 config["BABEL_DEFAULT_LOCALE"]),
        now=now, acknowledge=_may_send_automatic(parsed.from_address, now),
        acknowledgement_headers=_answering(parsed), notes=notes, event_detail={**detail, "inbound_id": row.id})
    complaint = filed.complaint
    if found.complaint is not None:
        complaint_side.note(found.complaint, _("The customer wrote again after the reopening period: "
                                               "continued in complaint %(reference)s.", reference=complaint.reference),
                            now=now)
    row.event_id = filed.event_id
    return _decided(row, "created", complaint=complaint)


def _answering(parsed) -> dict:
    """The acknowledgement answers the customer's e-mail: same thread in the customer's client."""
    if not parsed.message_id:
        return {}
    return {"In-Reply-To": parsed.message_id,
            "References": " ".join((parsed.references + [parsed.message_id])[-10:])}


def _decided(row: InboundMessage, outcome: str, *, reason: str = "", complaint=None, code: str = "",
             params: dict | None = None) -> Outcome:
    row.outcome = outcome
    row.reason = reason
    row.reason_code = code
    row.reason_params = params or None
    if complaint is not None:
        row.complaint_id = complaint.id
    db.session.add(row)
    return Outcome(outcome, reference=complaint.reference if complaint is not None else "", reason=reason)


def _may_send_automatic(address: str, now: datetime) -> bool:
    """INBOUND_AUTO_REPLIES_PER_HOUR automatic e-mails per address and hour: a loop with an
    auto-responder that does not say it is one ends there."""
    sent = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        func.lower(OutboxMessage.to_address) == normalise_email(address), OutboxMessage.kind.in_(AUTOMATIC_KINDS),
        OutboxMessage.created_at > now - timedelta(hours=1)))
    return sent < current_app.config["INBOUND_AUTO_REPLIES_PER_HOUR"]


def _mark_undeliverable(addresses: list[str], now: datetime) -> None:
    for address in dict.fromkeys(normalise_email(a)[:254] for a in addresses):
        if db.session.get(UndeliverableAddress, address) is None:
            db.session.add(UndeliverableAddress(address_normalised=address, since=now, reason="hard bounce"))
