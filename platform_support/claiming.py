"""Claiming due rows of any work table (outbox e-mails, webhook deliveries) for one worker.

A work table has `id`, `status` ("queued" → "sending" → …), `next_attempt_at`, `lease_until` and
`attempts`. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets any number of workers claim side by side
without taking the same row; SQLite has one writer. A row whose worker died is due again once its
lease has run out.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from extensions import db


def claim_due_rows(model, *, now: datetime, limit: int, lease_seconds: int, commit: bool = True) -> list[int]:
    due = or_(
        and_(model.status == "queued", model.next_attempt_at <= now),
        and_(model.status == "sending", model.lease_until < now),
    )
    ids = list(db.session.scalars(
        select(model.id).where(due).order_by(model.next_attempt_at, model.id)
        .limit(limit).with_for_update(skip_locked=True)))
    if ids:
        db.session.execute(
            update(model).where(model.id.in_(ids))
            .values(status="sending", lease_until=now + timedelta(seconds=lease_seconds), attempts=model.attempts + 1)
            .execution_options(synchronize_session=False))
    if commit:
        db.session.commit()
    return ids
