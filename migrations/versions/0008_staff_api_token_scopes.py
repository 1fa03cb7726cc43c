"""Staff: API tokens get a name (was label), a scope (read | write) and an optional expiry

Existing tokens keep working as before: scope 'write', no expiry.

Revision ID: 0008_staff_api_token_scopes
Revises: 0007_staff_security
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_staff_api_token_scopes"
down_revision = "0007_staff_security"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("label", new_column_name="name", existing_type=sa.String(length=200), existing_nullable=False)
        batch_op.add_column(sa.Column("scope", sa.String(length=10), nullable=False, server_default=sa.text("'write'")))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch_op.create_check_constraint("scope", "scope IN ('read', 'write')")


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint("scope", type_="check")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("scope")
        batch_op.alter_column("name", new_column_name="label", existing_type=sa.String(length=200), existing_nullable=False)
