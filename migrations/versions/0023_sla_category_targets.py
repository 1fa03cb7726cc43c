"""Business hours (issue 17): SLA targets per category and priority (else the priority's).

Revision ID: 0023_sla_category_targets
Revises: 0022_surveys_public_link
"""
import sqlalchemy as sa
from alembic import op

revision = "0023_sla_category_targets"
down_revision = "0022_surveys_public_link"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sla_category_targets",
        sa.Column("category_id", sa.Integer(), sa.ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("priority", sa.String(20), primary_key=True),
        sa.Column("first_response_hours", sa.Integer(), nullable=False),
        sa.Column("resolution_hours", sa.Integer(), nullable=False),
        sa.CheckConstraint("priority IN ('urgent', 'high', 'normal', 'low')", name="priority"),
    )


def downgrade():
    op.drop_table("sla_category_targets")
