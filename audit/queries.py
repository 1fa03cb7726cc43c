"""Reading the audit log: newest first, keyset pages, and the rows of a CSV export."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime

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


def _cell(value) -> str:
    text = json.dumps(value, sort_keys=True) if isinstance(value, dict) else "" if value is None else str(value)
    if isinstance(value, datetime):
        text = value.isoformat()
    # A spreadsheet runs a cell that starts with = + - @ (CSV injection): make it plain text.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


def csv_lines(*, since: datetime | None = None, until: datetime | None = None) -> Iterator[str]:
    """The export, streamed in id order in batches so a long log never sits in memory at once."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    last_id = 0
    while True:
        query = select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(500)
        if since:
            query = query.where(AuditEntry.occurred_at >= since)
        if until:
            query = query.where(AuditEntry.occurred_at < until)
        batch = list(db.session.scalars(query))
        if not batch:
            return
        buffer.seek(0)
        buffer.truncate()
        for entry in batch:
            writer.writerow([_cell(getattr(entry, column)) for column in CSV_COLUMNS])
        last_id = batch[-1].id
        yield buffer.getvalue()
