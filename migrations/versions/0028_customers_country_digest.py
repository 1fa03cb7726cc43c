"""Customers: a country (ISO 3166 alpha-2, for the holiday greetings); staff: the weekly digest opt-in (issue 18)

Revision ID: 0028_customers_country_digest
Revises: 0027_outbox_address_index
"""
import sqlalchemy as sa
from alembic import op

revision = "0028_customers_country_digest"
down_revision = "0027_outbox_address_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("country", sa.String(2)))
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("weekly_digest", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite >= 3.35), not a batch rebuild: rebuilding staff_users and
    # customers, which other tables reference, fails SQLite's foreign-key check.
    op.execute("ALTER TABLE staff_users DROP COLUMN weekly_digest")
    op.execute("ALTER TABLE customers DROP COLUMN country")
