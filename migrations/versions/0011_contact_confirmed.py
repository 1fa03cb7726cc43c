"""Complaints: contact_confirmed_at — when the contact address was shown to be the filer's

Until then a complaint does not count in that customer's scores and segments (issue 13). The
complaints already there count as before: confirmed at their filing. A plain ADD COLUMN (no
SQLite table rebuild, so the count triggers stay).

Revision ID: 0011_contact_confirmed
Revises: 0010_webhooks_encrypted_secrets
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_contact_confirmed"
down_revision = "0010_webhooks_encrypted_secrets"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("complaints", sa.Column("contact_confirmed_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE complaints SET contact_confirmed_at = created_at")


def downgrade():
    op.drop_column("complaints", "contact_confirmed_at")
