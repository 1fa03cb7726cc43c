from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from platform_support.columns import created_at_column

# queued → sending (claimed, with a lease) → sent | queued again (retry) | parked (gave up)
OUTBOX_STATUSES = ("queued", "sending", "sent", "parked")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),
                      # The e-mail intake's hourly cap of automatic e-mails per address
                      # (inbound.ingest._may_send_automatic): without it, a scan of the whole outbox
                      # for every e-mail that opens a complaint.
                      Index("ix_outbox_to_address_lower", func.lower(text("to_address")), "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # Makes a second enqueue of the same logical message a no-op (scheduler fired twice, retries).
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(50), nullable=False)
    to_address: Mapped[str] = mapped_column(String(254), nullable=False)
    to_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    text_body: Mapped[str] = mapped_column(Text, nullable=False)
    html_body: Mapped[str | None] = mapped_column(Text)
    extra_headers: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    message_id: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="en")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="queued")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at_column()
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id", ondelete="SET NULL"), index=True)


class UndeliverableAddress(db.Model):
    """An address a hard bounce proved dead: the outbox parks what is queued for it instead of
    sending (no automated mail to it) until staff clear it. Shown on the customer file and the
    complaint."""

    __tablename__ = "undeliverable_addresses"

    address_normalised: Mapped[str] = mapped_column(String(254), primary_key=True)
    since: Mapped[datetime] = created_at_column()
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
