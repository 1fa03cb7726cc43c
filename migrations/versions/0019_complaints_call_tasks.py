"""Complaints: complaint_tasks — the calls an owner is to make to a customer who prefers the
phone or a visit (issue 15, seed 000): one per e-mail sent to that customer, done or undone by
the owner.

Revision ID: 0019_complaints_call_tasks
Revises: 0018_inbound_reason_codes
"""
import sqlalchemy as sa
from alembic import op

revision = "0019_complaints_call_tasks"
down_revision = "0018_inbound_reason_codes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "complaint_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaints.id"], name=op.f("fk_complaint_tasks_complaint_id_complaints"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["done_by_id"], ["staff_users.id"], name=op.f("fk_complaint_tasks_done_by_id_staff_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_tasks")),
    )
    op.create_index("ix_complaint_tasks_complaint", "complaint_tasks", ["complaint_id", "id"])


def downgrade():
    op.drop_index("ix_complaint_tasks_complaint", table_name="complaint_tasks")
    op.drop_table("complaint_tasks")
