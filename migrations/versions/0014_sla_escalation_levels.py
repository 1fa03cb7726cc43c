"""Business hours (issue 17): escalation levels (owner → team lead → managers, each with its
delay), the warnings and escalations sent per due date, a reopened complaint's resolution clock.

Revision ID: 0014_sla_escalation_levels
Revises: 0013_sla_teams_calendars
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_sla_escalation_levels"
down_revision = "0013_sla_teams_calendars"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sla_escalation_levels",
        sa.Column("level", sa.Integer(), primary_key=True),
        sa.Column("recipient", sa.String(20), nullable=False),
        sa.Column("delay_minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("recipient IN ('owner', 'team_lead', 'managers')", name="recipient"),
    )
    op.create_table(
        "sla_notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaints.id", ondelete="CASCADE"), nullable=False),
        sa.Column("clock", sa.String(20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("complaint_id", "clock", "level", "due_at"),
        sa.CheckConstraint("clock IN ('first_response', 'resolution')", name="clock"),
    )
    op.add_column("complaints", sa.Column("resolution_clock_from", sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column("complaints", "resolution_clock_from")
    op.drop_table("sla_notices")
    op.drop_table("sla_escalation_levels")
