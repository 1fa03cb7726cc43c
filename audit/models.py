"""One row per staff action. Written by the after_request hook and by explicit `audit.record`."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_occurred_at", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    # By table name, not by import: audit sits beside staff and imports none of it.
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), index=True)
    # Kept as text too, so the trail survives a deleted account and shows failed logins.
    actor: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    via: Mapped[str] = mapped_column(String(20), nullable=False, default="session")  # session | api | cli
    action: Mapped[str] = mapped_column(String(100), nullable=False)
    method: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    path: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    target: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    status_code: Mapped[int | None] = mapped_column(Integer)
    ip_address: Mapped[str] = mapped_column(String(45), nullable=False, default="")
    user_agent: Mapped[str] = mapped_column(String(300), nullable=False, default="")
