"""Complaints: the segment priority rules (now complaints' model) accept only known priorities

Revision ID: 0004_complaints_priority_check
Revises: 0003_operations_job_runs
"""
from alembic import op

revision = "0004_complaints_priority_check"
down_revision = "0003_operations_job_runs"
branch_labels = None
depends_on = None

# complaints.lifecycle.PRIORITIES when this was written (a migration does not follow later code).
PRIORITY = "priority IN ('urgent', 'high', 'normal', 'low')"


def upgrade():
    # SQLite adds a CHECK by rebuilding the table (batch mode); PostgreSQL alters it in place.
    with op.batch_alter_table("segment_priority_rules") as batch:
        batch.create_check_constraint("priority", PRIORITY)


def downgrade():
    with op.batch_alter_table("segment_priority_rules") as batch:
        batch.drop_constraint("priority", type_="check")
