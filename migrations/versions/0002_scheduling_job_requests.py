"""Scheduling: job requests — a job a person asked for from a page, picked up by the worker

Revision ID: 0002_scheduling_job_requests
Revises: 0001_baseline
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_scheduling_job_requests"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

OPEN = "status IN ('queued', 'running')"


def upgrade():
    op.create_table(
        "job_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('queued', 'running', 'finished', 'failed')", name=op.f("ck_job_requests_status")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["staff_users.id"], ondelete="SET NULL",
                                name=op.f("fk_job_requests_requested_by_id_staff_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_requests")),
    )
    op.create_index("ix_job_requests_open_job", "job_requests", ["job"], unique=True,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_index("ix_job_requests_job_requested", "job_requests", ["job", "requested_at"])


def downgrade():
    op.drop_index("ix_job_requests_job_requested", table_name="job_requests")
    op.drop_index("ix_job_requests_open_job", table_name="job_requests")
    op.drop_table("job_requests")
