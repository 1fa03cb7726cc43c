"""Reading the audit log: newest first, keyset pages, and the rows of a CSV export."""
from __future__ import annotations

import json

from sqlalchemy import select

from audit.models import AuditEntry
from extensions import db

CSV_COLUMNS = ("id", "occurred_at", "actor", "staff_user_id", "via", "action", "method", "path", "target",
               "status_code", "ip_address", "user_agent")


def page(*, before_id: int | None = None, actor: str = "", limit: int = 100) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    if actor:
        query = query.where(AuditEntry.actor == actor.strip().lower())
    return list(db.session.scalars(query))


def rows_after(after_id: int, *, size: int = 500) -> tuple[list[list], int | None]:
    """The export's next `size` rows after `after_id`, and the last id (None at the end). The
    export streams these batches so a long log never sits in memory at once."""
    batch = list(db.session.scalars(select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id).limit(size)))
    if not batch:
        return [], None
    return [[_cell(getattr(entry, column)) for column in CSV_COLUMNS] for entry in batch], batch[-1].id


def _cell(value):
    return json.dumps(value, sort_keys=True) if isinstance(value, dict) else value
