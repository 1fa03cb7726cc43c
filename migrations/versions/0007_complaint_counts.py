"""Exact complaint counts per (status, owner): triggers append deltas, the worker folds them (issue 4)

Replaces the worker's resolved/closed snapshot (`complaint_status_counts`, migration 0005) and the
per-request count of open complaints. See complaints/status_counts.py.

A later migration that rebuilds `complaints` on SQLite (batch_alter_table "move and copy") drops
these triggers with the old table: it must create them again (tests check the counts stay exact).

Revision ID: 0007_complaint_counts
Revises: 0006_hardening
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_complaint_counts"
down_revision = "0006_hardening"
branch_labels = None
depends_on = None

# PostgreSQL. A filing or a change of status/owner: a row-level trigger appending one or two delta
# rows (the update trigger fires only when status or owner changed — most updates of a complaint
# touch neither). Single-row INSERTs into `complaints` at 1 M rows (3 × 3 000, loaded machine):
# 0.17–0.21 ms each with it, 0.18–0.28 ms without any trigger, 0.28–0.31 ms with a
# statement-level trigger over a transition table instead — the filing path is the hot one.
# Deletes (rare, possibly bulk): one statement-level trigger appending one grouped row per
# (owner, status) of the deleted complaints.
POSTGRESQL_UP = [
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
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS tr_complaints_count_truncate ON complaints",
    "DROP TRIGGER IF EXISTS tr_complaints_count_update ON complaints",
    "DROP TRIGGER IF EXISTS tr_complaints_count_delete ON complaints",
    "DROP TRIGGER IF EXISTS tr_complaints_count_insert ON complaints",
    "DROP FUNCTION IF EXISTS complaint_counts_truncate()",
    "DROP FUNCTION IF EXISTS complaint_counts_deleted()",
    "DROP FUNCTION IF EXISTS complaint_counts_row()",
]

# SQLite has row-level triggers only (one writer at a time: no hot-row question there).
SQLITE_UP = [
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
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS tr_complaints_count_update",
    "DROP TRIGGER IF EXISTS tr_complaints_count_delete",
    "DROP TRIGGER IF EXISTS tr_complaints_count_insert",
]


def upgrade():
    op.drop_table("complaint_status_counts")
    op.create_table(
        "complaint_counts",
        sa.Column("owner_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "status", name=op.f("pk_complaint_counts")),
    )
    op.create_table(
        "complaint_count_deltas",
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
    )
    # The open counts were an index-only scan of this index; nothing else reads it. In its place,
    # unowned open complaints by due time: "Owner: nobody" walks it in queue order. (The (owner,
    # due) index cannot serve it: PostgreSQL does not take `owner_id IS NULL` as an equality that
    # keeps the index order, so it read and sorted every unowned complaint — 11 747 at 1 M.)
    open_states = "status IN ('new', 'assigned', 'in_progress')"
    op.drop_index("ix_complaints_open_status_owner", table_name="complaints")
    op.create_index("ix_complaints_unowned_due", "complaints", ["resolution_due_at", "id"],
                    postgresql_where=sa.text(f"owner_id IS NULL AND {open_states}"),
                    sqlite_where=sa.text(f"owner_id IS NULL AND {open_states}"))
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_UP if postgresql else SQLITE_UP:
        op.execute(statement)
    # The totals so far, in the same transaction as the triggers: creating a trigger locks
    # `complaints` against writes until commit, so nothing is counted twice or missed.
    op.execute("INSERT INTO complaint_counts (owner_id, status, n) "
               "SELECT COALESCE(owner_id, 0), status, count(*) FROM complaints GROUP BY COALESCE(owner_id, 0), status")


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_DOWN if postgresql else SQLITE_DOWN:
        op.execute(statement)
    op.drop_table("complaint_count_deltas")
    op.drop_table("complaint_counts")
    open_states = "status IN ('new', 'assigned', 'in_progress')"
    op.drop_index("ix_complaints_unowned_due", table_name="complaints")
    op.create_index("ix_complaints_open_status_owner", "complaints", ["status", "owner_id"],
                    postgresql_where=sa.text(open_states), sqlite_where=sa.text(open_states))
    op.create_table(
        "complaint_status_counts",
        sa.Column("owner_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("counted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "status", name=op.f("pk_complaint_status_counts")),
    )
