"""Orders: the (customer, date) index also carries amount, due and paid dates (PostgreSQL INCLUDE)

The segment recompute groups every order by customer; read from this index in customer order it
streams (an index-only scan, no hash table of a million customers, no visit to the table).

Revision ID: 0008_orders_covering_index
Revises: 0007_complaint_counts
"""
from alembic import op

revision = "0008_orders_covering_index"
down_revision = "0007_complaint_counts"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_customer_ordered_on")
        batch_op.create_index("ix_orders_customer_ordered_on", ["customer_id", "ordered_on"], unique=False,
                              postgresql_include=["amount", "due_on", "paid_on"])


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_customer_ordered_on")
        batch_op.create_index("ix_orders_customer_ordered_on", ["customer_id", "ordered_on"], unique=False)
