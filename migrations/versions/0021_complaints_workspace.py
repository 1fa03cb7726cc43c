"""Complaints: canned responses and who has a complaint open (the staff complaint page, issue 16)

canned_responses: shared (owner NULL, admins manage them) or personal (an agent's own), per
language. complaint_presence: one row per viewer of a complaint, refreshed by the page's polling.

Revision ID: 0021_complaints_workspace
Revises: 0020_complaints_routing_triggers
"""
import sqlalchemy as sa
from alembic import op

revision = "0021_complaints_workspace"
down_revision = "0020_complaints_routing_triggers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "canned_responses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_staff_id", sa.Integer(), sa.ForeignKey("staff_users.id", ondelete="CASCADE")),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_canned_responses_owner_language", "canned_responses", ["owner_staff_id", "language"])
    op.create_table(
        "complaint_presence",
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("typing_at", sa.DateTime()),
    )


def downgrade():
    op.drop_table("complaint_presence")
    op.drop_index("ix_canned_responses_owner_language", table_name="canned_responses")
    op.drop_table("canned_responses")
