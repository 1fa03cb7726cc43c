"""Complaints per (status, owner), exact at every moment and read in O(1): the queue's status badges.

Counting per request was a GROUP BY over every complaint (380 ms at 1 M). Instead, triggers on
`complaints` (migration 0007, SQLite and PostgreSQL) append delta rows — −1 for the old
(status, owner), +1 for the new — in the same transaction as every insert, delete and change of
status or owner, whichever code path or bulk statement makes it (services, jobs, imports, demo
seed, ON DELETE SET NULL of a removed staff account). Appended rows, not one counter row per
(status, owner) updated in place: such a row would be a hot row that concurrent filings on
PostgreSQL must lock one after the other. The worker folds the deltas into `complaint_counts`
(a few dozen rows) every minute; a reader adds the pending deltas to the folded totals in one
statement (one snapshot), so its counts are exact whether or not a fold ran.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Integer, String, func, select, text, union_all
from sqlalchemy.orm import Mapped, mapped_column

from complaints.lifecycle import STATES
from complaints.models import Complaint
from extensions import db

NOBODY = 0  # owner_id of unowned complaints (a primary-key column cannot be NULL)


class ComplaintCount(db.Model):
    """Folded totals: complaints per (owner, status), up to the last fold."""
    __tablename__ = "complaint_counts"

    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, nullable=False)


# Written only by the triggers, emptied only by `fold_counts`. No key and no index: appending
# must stay one cheap heap write, and readers scan the few rows written since the last fold.
complaint_count_deltas = db.Table(
    "complaint_count_deltas",
    Column("owner_id", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("delta", Integer, nullable=False),
)

# The queue's indexes (migrations 0005 and 0007): open complaints per owner by due time for "My
# complaints" / an owner filter, unowned open ones by due time for "Owner: nobody" (keyset order
# without a sort), and every complaint by due time for the "All" status (without it, a sort of
# all of them — 234 ms at 1 M for the first page). Partial where they can be, so they stay small
# at any number of complaints.
_OPEN = "status IN ('new', 'assigned', 'in_progress')"
db.Index("ix_complaints_open_owner_due", Complaint.owner_id, Complaint.resolution_due_at, Complaint.id,
         postgresql_where=db.text(_OPEN), sqlite_where=db.text(_OPEN))
db.Index("ix_complaints_unowned_due", Complaint.resolution_due_at, Complaint.id,
         postgresql_where=db.text(f"owner_id IS NULL AND {_OPEN}"), sqlite_where=db.text(f"owner_id IS NULL AND {_OPEN}"))
db.Index("ix_complaints_due", Complaint.resolution_due_at, Complaint.id)


def status_counts(owner_ids: tuple[int, ...] | None) -> dict[str, int]:
    """Exact complaints per state owned by these owners (None = everyone; NOBODY = unowned):
    folded totals + pending deltas, a few dozen rows whatever the number of complaints."""
    folded = select(ComplaintCount.owner_id, ComplaintCount.status, ComplaintCount.n.label("n"))
    pending = select(complaint_count_deltas.c.owner_id, complaint_count_deltas.c.status,
                     complaint_count_deltas.c.delta)
    if owner_ids is not None:
        folded = folded.where(ComplaintCount.owner_id.in_(owner_ids))
        pending = pending.where(complaint_count_deltas.c.owner_id.in_(owner_ids))
    both = union_all(folded, pending).subquery()
    counts = {state: 0 for state in STATES}
    for status, n in db.session.execute(select(both.c.status, func.sum(both.c.n)).group_by(both.c.status)):
        counts[status] = int(n)
    return counts


# PostgreSQL: take the deltas and add them up in one statement — the DELETE … RETURNING removes
# exactly the rows it folds, so deltas committed meanwhile by concurrent filings wait for the next
# fold (no lock on complaints, none taken by the filings).
_FOLD_POSTGRESQL = """
WITH moved AS (DELETE FROM complaint_count_deltas RETURNING owner_id, status, delta)
INSERT INTO complaint_counts (owner_id, status, n)
SELECT owner_id, status, sum(delta) FROM moved GROUP BY owner_id, status
ON CONFLICT (owner_id, status) DO UPDATE SET n = complaint_counts.n + excluded.n
"""
# SQLite: one writer at a time (the job holds the write lock), so add up, then empty.
_FOLD_SQLITE = ("""
INSERT INTO complaint_counts (owner_id, status, n)
SELECT owner_id, status, sum(delta) FROM complaint_count_deltas WHERE true GROUP BY owner_id, status
ON CONFLICT (owner_id, status) DO UPDATE SET n = complaint_counts.n + excluded.n
""", "DELETE FROM complaint_count_deltas")


def fold_counts(now: datetime | None = None) -> int:
    """Move the pending deltas into the folded totals (worker job); returns how many there were."""
    pending = db.session.scalar(select(func.count()).select_from(complaint_count_deltas))
    if not pending:
        return 0
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(_FOLD_POSTGRESQL))
    else:
        for statement in _FOLD_SQLITE:
            db.session.execute(text(statement))
    # (owner, status) pairs nobody holds any more, e.g. after reassignments or a removed account.
    db.session.execute(ComplaintCount.__table__.delete().where(ComplaintCount.n == 0))
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        # Readers scan the deltas table: the folded rows, now dead, would stay in that scan until
        # autovacuum comes (62 ms per queue page after a 1 M-row COPY). Vacuuming a table of a few
        # pages is cheap and does not block the filings' inserts.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM complaint_count_deltas"))
    return pending

