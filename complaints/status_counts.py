"""Resolved/closed complaints per owner, counted by the worker (the staff queue's status badges).

Open complaints are a small share and are counted exactly on each request (index-only scan of a
partial index). Resolved and closed ones grow without bound — counting them per request was a
GROUP BY over every complaint (380 ms at 1 M) — so the refresh job stores their totals per owner
here (a few dozen rows) and the queue shows them "as of" the time they were counted.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, delete, func, insert, literal, select
from sqlalchemy.orm import Mapped, mapped_column

from complaints.lifecycle import OPEN_STATES, STATES
from complaints.models import Complaint
from extensions import db

CLOSED_STATES = tuple(state for state in STATES if state not in OPEN_STATES)
NOBODY = 0  # owner_id of unowned complaints (a primary-key column cannot be NULL)


class ComplaintStatusCount(db.Model):
    __tablename__ = "complaint_status_counts"

    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, nullable=False)
    counted_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


# The staff queue's indexes (created by migration 0005). Open complaints (a small share): per state and owner for the exact open counts (index-only
# scan), and per owner by due time for "My complaints" / the owner filter (keyset order without
# a sort). Partial, so they stay small at any number of complaints; created by migration 0005.
_OPEN = "status IN ('new', 'assigned', 'in_progress')"
Index("ix_complaints_open_status_owner", Complaint.status, Complaint.owner_id,
      postgresql_where=db.text(_OPEN), sqlite_where=db.text(_OPEN))
Index("ix_complaints_open_owner_due", Complaint.owner_id, Complaint.resolution_due_at, Complaint.id,
      postgresql_where=db.text(_OPEN), sqlite_where=db.text(_OPEN))
# The queue's "All" status: every complaint by due time (without it, a sort of all of them — 234 ms
# at 1 M for the first page).
Index("ix_complaints_due", Complaint.resolution_due_at, Complaint.id)


def refresh_status_counts(now: datetime) -> int:
    """Replace the snapshot: one GROUP BY over the resolved/closed complaints (worker only)."""
    owner = func.coalesce(Complaint.owner_id, NOBODY)
    counted = (select(owner, Complaint.status, func.count(), literal(now))
               .where(Complaint.status.in_(CLOSED_STATES)).group_by(owner, Complaint.status))
    db.session.execute(delete(ComplaintStatusCount))
    db.session.execute(insert(ComplaintStatusCount).from_select(["owner_id", "status", "n", "counted_at"], counted))
    # (rowcount of INSERT … SELECT is -1 through psycopg here; the table is a few dozen rows)
    return db.session.scalar(select(func.count()).select_from(ComplaintStatusCount))


def closed_counts(owner_ids: tuple[int, ...] | None) -> tuple[dict[str, int], datetime | None] | None:
    """Snapshot totals per closed state for these owners (None = everyone; NOBODY = unowned),
    with the time they were counted; None when no snapshot was ever taken."""
    counted_at = db.session.scalar(select(func.max(ComplaintStatusCount.counted_at)))
    if counted_at is None:
        return None
    query = select(ComplaintStatusCount.status, func.sum(ComplaintStatusCount.n)).group_by(ComplaintStatusCount.status)
    if owner_ids is not None:
        query = query.where(ComplaintStatusCount.owner_id.in_(owner_ids))
    totals = {state: 0 for state in CLOSED_STATES}
    totals.update({status: int(n) for status, n in db.session.execute(query)})
    return totals, counted_at
