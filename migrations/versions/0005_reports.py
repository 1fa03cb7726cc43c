"""Reports: pre-aggregated tables and alerts (issue 4)

Revision ID: 0005_reports
Revises: 0004_surveys

Small daily tables the dashboard reads instead of scanning every complaint and answer
(refreshed by the `refresh-report-aggregates` job), raised trend alerts, and indexes the
filtered charts and exports use.
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_reports"
down_revision = "0004_surveys"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_complaint_daily",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("root_cause_id", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("first_response_met", sa.Integer(), nullable=False),
        sa.Column("first_response_total", sa.Integer(), nullable=False),
        sa.Column("resolution_met", sa.Integer(), nullable=False),
        sa.Column("resolution_total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_complaint_daily")),
        sa.UniqueConstraint("day", "priority", "owner_id", "root_cause_id", name="uq_report_complaint_daily_key"),
    )
    op.create_table(
        "report_complaint_segment_daily",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("first_response_met", sa.Integer(), nullable=False),
        sa.Column("first_response_total", sa.Integer(), nullable=False),
        sa.Column("resolution_met", sa.Integer(), nullable=False),
        sa.Column("resolution_total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_complaint_segment_daily")),
        sa.UniqueConstraint("dimension", "value", "day", "priority", name="uq_report_complaint_segment_daily_key"),
    )
    op.create_table(
        "report_resolution_hist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_resolution_hist")),
        sa.UniqueConstraint("day", "priority", "hours", name="uq_report_resolution_hist_key"),
    )
    op.create_table(
        "report_customer_value",
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revenue", sa.Float(), nullable=False),
        sa.Column("handling_minutes", sa.Integer(), nullable=False),
        sa.Column("complaints", sa.Integer(), nullable=False),
        sa.Column("revenue_rank", sa.Integer(), nullable=False),
        sa.Column("cumulative_share", sa.Float(), nullable=False),
        sa.Column("costly", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_report_customer_value")),
    )
    op.create_index("ix_report_customer_value_minutes", "report_customer_value", ["handling_minutes"])
    op.create_index(op.f("ix_report_customer_value_revenue_rank"), "report_customer_value", ["revenue_rank"])
    op.create_table(
        "report_survey_daily",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=10), nullable=False),
        sa.Column("complained", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("total_sq", sa.Float(), nullable=False),
        sa.Column("promoters", sa.Integer(), nullable=False),
        sa.Column("detractors", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_survey_daily")),
        sa.UniqueConstraint("day", "metric", "complained", name="uq_report_survey_daily_key"),
    )
    op.create_table(
        "report_invitation_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_report_invitation_daily")),
    )
    op.create_table(
        "report_segment_counts",
        sa.Column("dimension", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=16), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "value", name=op.f("pk_report_segment_counts")),
    )
    op.create_table(
        "report_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_alerts")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_report_alerts_dedupe_key")),
    )
    op.create_index("ix_report_alerts_raised", "report_alerts", ["raised_at"])
    op.create_index("ix_complaints_resolved", "complaints", ["resolved_at"])
    op.create_index("ix_complaints_owner_resolved", "complaints", ["owner_id", "resolved_at"],
                    postgresql_include=["priority", "created_at"])
    op.create_index("ix_complaints_root_cause_created", "complaints", ["root_cause_id", "created_at"])
    op.create_index("ix_complaints_status_created_owner", "complaints", ["status", "created_at", "owner_id"])
    open_states = "status IN ('new', 'assigned', 'in_progress')"
    op.create_index("ix_complaints_open_due", "complaints", ["resolution_due_at", "id"],
                    postgresql_where=sa.text(open_states), sqlite_where=sa.text(open_states))
    # The staff queue's status badges and owner filter (complaints/status_counts.py).
    op.create_index("ix_complaints_open_status_owner", "complaints", ["status", "owner_id"],
                    postgresql_where=sa.text(open_states), sqlite_where=sa.text(open_states))
    op.create_index("ix_complaints_open_owner_due", "complaints", ["owner_id", "resolution_due_at", "id"],
                    postgresql_where=sa.text(open_states), sqlite_where=sa.text(open_states))
    op.create_index("ix_complaints_due", "complaints", ["resolution_due_at", "id"])
    if op.get_bind().dialect.name == "postgresql":
        # Unowned complaints are nearly all open ("new"): without the joint statistics the planner
        # multiplies the two fractions, expects 50× too few unowned open complaints and sorts
        # them all instead of walking the queue index (the queue's "Owner: nobody" filter).
        op.execute("CREATE STATISTICS st_complaints_status_owner (mcv) ON status, owner_id FROM complaints")
    op.create_table(
        "complaint_status_counts",
        sa.Column("owner_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("counted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "status", name=op.f("pk_complaint_status_counts")),
    )


def downgrade():
    op.drop_table("complaint_status_counts")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_complaints_status_owner")
    op.drop_index("ix_complaints_due", table_name="complaints")
    op.drop_index("ix_complaints_open_owner_due", table_name="complaints")
    op.drop_index("ix_complaints_open_status_owner", table_name="complaints")
    op.drop_index("ix_complaints_open_due", table_name="complaints")
    op.drop_index("ix_complaints_status_created_owner", table_name="complaints")
    op.drop_index("ix_complaints_root_cause_created", table_name="complaints")
    op.drop_index("ix_complaints_owner_resolved", table_name="complaints")
    op.drop_index("ix_complaints_resolved", table_name="complaints")
    op.drop_index("ix_report_alerts_raised", table_name="report_alerts")
    op.drop_table("report_alerts")
    op.drop_table("report_segment_counts")
    op.drop_table("report_invitation_daily")
    op.drop_table("report_survey_daily")
    op.drop_index(op.f("ix_report_customer_value_revenue_rank"), table_name="report_customer_value")
    op.drop_index("ix_report_customer_value_minutes", table_name="report_customer_value")
    op.drop_table("report_customer_value")
    op.drop_table("report_resolution_hist")
    op.drop_table("report_complaint_segment_daily")
    op.drop_table("report_complaint_daily")
