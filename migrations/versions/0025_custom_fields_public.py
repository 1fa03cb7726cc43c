"""Complaints: a custom field can be asked on the public form and the public API (custom_fields.public,
issue 17 review). Plain ADD COLUMN with a default: existing fields stay staff-only.

Revision ID: 0025_custom_fields_public
Revises: 0024_reports_themes
"""
import sqlalchemy as sa
from alembic import op

revision = "0025_custom_fields_public"
down_revision = "0024_reports_themes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("custom_fields") as batch_op:
        batch_op.add_column(sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("custom_fields") as batch_op:
        batch_op.drop_column("public")
