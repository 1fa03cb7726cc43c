"""Complaints per (status, owner), exact at every moment and read in O(1): the queue's status badges.

Counting per request was a GROUP BY over every complaint (380 ms at 1 M). Instead, triggers on
`complaints` (SQLite and PostgreSQL; their SQL is below, the migrations call `create_triggers`)
append delta rows — −1 for the old (status, owner), +1 for the new — in the same transaction as every insert, delete and change of
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

from complaints.lifecycle import OPEN_STATES, STATES
from complaints.models import Complaint
from extensions import db
from platform_support.database import one_of

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

# The queue's indexes: open complaints per owner by due time for "My
# complaints" / an owner filter, unowned open ones by due time for "Owner: nobody" (keyset order
# without a sort), and every complaint by due time for the "All" status (without it, a sort of
# all of them — 234 ms at 1 M for the first page). Partial where they can be, so they stay small
# at any number of complaints.
_OPEN = one_of("status", OPEN_STATES)
db.Index("ix_complaints_open_owner_due", Complaint.owner_id, Complaint.resolution_due_at, Complaint.id,
         postgresql_where=db.text(_OPEN), sqlite_where=db.text(_OPEN))
db.Index("ix_complaints_unowned_due", Complaint.resolution_due_at, Complaint.id,
         postgresql_where=db.text(f"owner_id IS NULL AND {_OPEN}"), sqlite_where=db.text(f"owner_id IS NULL AND {_OPEN}"))
db.Index("ix_complaints_due", Complaint.resolution_due_at, Complaint.id)


# PostgreSQL. A filing or a change of status/owner: a row-level trigger appending one or two delta
# rows (the update trigger fires only when status or owner changed — most updates of a complaint
# touch neither). Single-row INSERTs into `complaints` at 1 M rows (3 × 3 000, loaded machine):
# 0.17–0.21 ms each with it, 0.18–0.28 ms without any trigger, 0.28–0.31 ms with a
# statement-level trigger over a transition table instead — the filing path is the hot one.
# Deletes (rare, possibly bulk): one statement-level trigger appending one grouped row per
# (owner, status) of the deleted complaints.
_TRIGGERS_POSTGRESQL = [
    """
    CREATE FUNCTION complaint_counts_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            INSERT INTO complaint_count_deltas (owner_id, status, delta)
            VALUES (COALESCE(OLD.owner_id, 0), OLD.status, -1), (COALESCE(NEW.owner_id, 0), NEW.status, 1);
        ELSE
            INSERT INTO complaint_count_deltas (owner_id, status, delta) VALUES (COALESCE(NEW.owner_id, 0), NEW.status, 1);
        END IF;
        RETURN NULL;
    END $$""",
    """
    CREATE FUNCTION complaint_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO complaint_count_deltas (owner_id, status, delta)
        SELECT COALESCE(owner_id, 0), status, -count(*) FROM gone GROUP BY 1, 2;
        RETURN NULL;
    END $$""",
    """
    CREATE FUNCTION complaint_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM complaint_count_deltas;
        DELETE FROM complaint_counts;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER tr_complaints_count_insert AFTER INSERT ON complaints
       FOR EACH ROW EXECUTE FUNCTION complaint_counts_row()""",
    """CREATE TRIGGER tr_complaints_count_update AFTER UPDATE OF status, owner_id ON complaints FOR EACH ROW
       WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.owner_id IS DISTINCT FROM NEW.owner_id)
       EXECUTE FUNCTION complaint_counts_row()""",
    """CREATE TRIGGER tr_complaints_count_delete AFTER DELETE ON complaints
       REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION complaint_counts_deleted()""",
    """CREATE TRIGGER tr_complaints_count_truncate AFTER TRUNCATE ON complaints
       FOR EACH STATEMENT EXECUTE FUNCTION complaint_counts_truncate()""",
]
_DROP_POSTGRESQL = [
    "DROP TRIGGER IF EXISTS tr_complaints_count_truncate ON complaints",
    "DROP TRIGGER IF EXISTS tr_complaints_count_update ON complaints",
    "DROP TRIGGER IF EXISTS tr_complaints_count_delete ON complaints",
    "DROP TRIGGER IF EXISTS tr_complaints_count_insert ON complaints",
    "DROP FUNCTION IF EXISTS complaint_counts_truncate()",
    "DROP FUNCTION IF EXISTS complaint_counts_deleted()",
    "DROP FUNCTION IF EXISTS complaint_counts_row()",
]

# SQLite has row-level triggers only (one writer at a time: no hot-row question there).
_TRIGGERS_SQLITE = [
    """CREATE TRIGGER tr_complaints_count_insert AFTER INSERT ON complaints BEGIN
         INSERT INTO complaint_count_deltas (owner_id, status, delta) VALUES (COALESCE(NEW.owner_id, 0), NEW.status, 1);
       END""",
    """CREATE TRIGGER tr_complaints_count_delete AFTER DELETE ON complaints BEGIN
         INSERT INTO complaint_count_deltas (owner_id, status, delta) VALUES (COALESCE(OLD.owner_id, 0), OLD.status, -1);
       END""",
    """CREATE TRIGGER tr_complaints_count_update AFTER UPDATE OF status, owner_id ON complaints
       WHEN OLD.status IS NOT NEW.status OR OLD.owner_id IS NOT NEW.owner_id BEGIN
         INSERT INTO complaint_count_deltas (owner_id, status, delta)
         VALUES (COALESCE(OLD.owner_id, 0), OLD.status, -1), (COALESCE(NEW.owner_id, 0), NEW.status, 1);
       END""",
]
_DROP_SQLITE = [
    "DROP TRIGGER IF EXISTS tr_complaints_count_update",
    "DROP TRIGGER IF EXISTS tr_complaints_count_delete",
    "DROP TRIGGER IF EXISTS tr_complaints_count_insert",
]


def create_triggers(connection) -> None:
    """Create the count triggers (a migration calls this). A migration that rebuilds `complaints`
    on SQLite (batch_alter_table "move and copy") drops them with the old table: it must call
    this again, and `recount` if complaints changed meanwhile."""
    postgresql = connection.dialect.name == "postgresql"
    for statement in _TRIGGERS_POSTGRESQL if postgresql else _TRIGGERS_SQLITE:
        connection.execute(text(statement))


def drop_triggers(connection) -> None:
    postgresql = connection.dialect.name == "postgresql"
    for statement in _DROP_POSTGRESQL if postgresql else _DROP_SQLITE:
        connection.execute(text(statement))


def recount(connection) -> None:
    """Folded totals from the complaints themselves. Run in the transaction that created the
    triggers: creating a trigger locks `complaints` against writes until commit, so nothing is
    counted twice or missed."""
    connection.execute(text("DELETE FROM complaint_count_deltas"))
    connection.execute(text("DELETE FROM complaint_counts"))
    connection.execute(text(
        "INSERT INTO complaint_counts (owner_id, status, n) SELECT COALESCE(owner_id, 0), status, count(*)"
        " FROM complaints GROUP BY COALESCE(owner_id, 0), status"))


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

