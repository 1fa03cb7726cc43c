"""Outbox: index on lower(to_address), created_at (the e-mail intake's hourly cap per address)

Revision ID: 0027_outbox_address_index
Revises: 0026_complaints_search_email
"""
import sqlalchemy as sa
from alembic import op

revision = "0027_outbox_address_index"
down_revision = "0026_complaints_search_email"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_to_address_lower", "outbox_messages", [sa.text("lower(to_address)"), "created_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_to_address_lower", table_name="outbox_messages")
