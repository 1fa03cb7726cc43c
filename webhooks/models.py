"""Webhook endpoints and the delivery rows the worker claims (same pattern as the outbox)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from platform_support.columns import created_at_column
from platform_support.encryption import EncryptedText

EVENTS = ("complaint.created", "complaint.assigned", "complaint.resolved", "survey.answered", "customer.segment_changed")
# queued → sending (claimed, with a lease) → delivered | queued again (retry) | parked (gave up)
DELIVERY_STATUSES = ("queued", "sending", "delivered", "parked")


class WebhookEndpoint(db.Model):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    # The signing key must be readable to sign with (unlike a token we only compare), so it is
    # kept encrypted (ENCRYPTION_KEY, platform_support/encryption.py); shown once.
    secret: Mapped[str] = mapped_column(EncryptedText(255), nullable=False)
    events: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    description: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = created_at_column()

    deliveries: Mapped[list[WebhookDelivery]] = relationship(back_populates="endpoint", cascade="all, delete-orphan",
                                                             passive_deletes=True)


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False, index=True)
    # Stable across retries: receivers use it to drop a second copy (delivery is at-least-once).
    event_id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    event: Mapped[str] = mapped_column(String(50), nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)  # the exact JSON bytes that are signed
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="queued")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at_column()

    endpoint: Mapped[WebhookEndpoint] = relationship(back_populates="deliveries")
