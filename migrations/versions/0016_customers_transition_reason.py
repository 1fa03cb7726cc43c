"""Customers: the real reason of a segment move, recorded by staff on the quarterly review

Seed 000 asks *why* someone moved (competitor prices, delivery trouble, a personality conflict):
the system's reasons come from the figures, these from a person (issue 18).

Revision ID: 0016_customers_transition_reason
Revises: 0015_queue_search_views
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_customers_transition_reason"
down_revision = "0015_queue_search_views"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("segment_transitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_reason", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("staff_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("staff_reason_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("staff_reason_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_segment_transitions_staff_reason_by_id_staff_users"), "staff_users",
                                    ["staff_reason_by_id"], ["id"], ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("segment_transitions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_segment_transitions_staff_reason_by_id_staff_users"), type_="foreignkey")
        batch_op.drop_column("staff_reason_by_id")
        batch_op.drop_column("staff_reason_at")
        batch_op.drop_column("staff_note")
        batch_op.drop_column("staff_reason")
