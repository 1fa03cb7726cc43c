"""What arrived by e-mail: every message as it came (raw bytes kept), what became of it, and
where the IMAP poll stands."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from platform_support.columns import created_at_column

# appended / created: written into a complaint; ignored: robots, duplicates, nothing to do;
# quarantined: waits for an admin, who releases (→ appended/created) or discards it.
OUTCOMES = ("appended", "created", "ignored", "quarantined", "discarded")
OUTCOME_LABELS = {"appended": _l("Added to a complaint"), "created": _l("Opened a complaint"), "ignored": _l("Ignored"),
                  "quarantined": _l("Quarantined"), "discarded": _l("Discarded")}
SOURCE_LABELS = {"imap": _l("IMAP mailbox"), "pipe": _l("delivered by the mail server")}


class InboundMessage(db.Model):
    __tablename__ = "inbound_messages"
    __table_args__ = (Index("ix_inbound_messages_outcome", "outcome", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Message-ID (or, without one, the SHA-256 of the raw bytes), hashed: the dedupe key of a
    # message fetched twice (crash, IMAP restart, the same mail piped and polled).
    dedupe_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    message_id: Mapped[str] = mapped_column(String(998), nullable=False, default="", index=True)
    received_at: Mapped[datetime] = created_at_column()
    source: Mapped[str] = mapped_column(String(20), nullable=False)  # "imap" or "pipe"
    from_address: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    subject: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    outcome: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")  # the English line (CLI, logs)
    # What admins read, in their language (inbound.reasons): a code and its values.
    reason_code: Mapped[str] = mapped_column(String(40), nullable=False, default="", server_default=text("''"))
    reason_params: Mapped[dict | None] = mapped_column(JSON)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id", ondelete="SET NULL"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_events.id", ondelete="SET NULL"))
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    raw: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))

    complaint = relationship("Complaint")
    decided_by = relationship("StaffUser")


class MailboxCursor(db.Model):
    """Per polled folder: its UIDVALIDITY and the highest UID whose message is committed. Advanced
    in the same transaction as what the message produced, so a crash repeats at most the message
    that was under way (and its Message-ID makes that a no-op)."""

    __tablename__ = "mailbox_cursors"

    folder: Mapped[str] = mapped_column(String(200), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_uid: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    updated_at: Mapped[datetime] = created_at_column()
