"""Operations: job_runs (latest run and totals per scheduled job) and worker_heartbeats

Written by the worker, read by /metrics and /readyz in any web process.

Revision ID: 0003_operations_job_runs
Revises: 0002_scheduling_job_requests
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_operations_job_runs"
down_revision = "0002_scheduling_job_requests"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job_runs",
        sa.Column("job_name", sa.String(length=100), nullable=False),
        sa.Column("last_started_at", sa.DateTime(), nullable=False),
        sa.Column("last_duration_seconds", sa.Float(), nullable=False),
        sa.Column("last_success_at", sa.DateTime(), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("runs_total", sa.Integer(), nullable=False),
        sa.Column("failures_total", sa.Integer(), nullable=False),
        sa.Column("duration_seconds_total", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("job_name", name=op.f("pk_job_runs")),
    )
    op.create_table(
        "worker_heartbeats",
        sa.Column("worker_id", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("beat_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_worker_heartbeats")),
    )


def downgrade():
    op.drop_table("worker_heartbeats")
    op.drop_table("job_runs")
