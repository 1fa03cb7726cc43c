"""Inbound: why a message was quarantined or ignored, as a code and its values (reason_code,
reason_params), so the admin pages show it in the reader's language (issue 15). `reason` keeps
the English line. Rows stored before keep an empty code and show their `reason` as it was.
Plain ADD COLUMNs.

Revision ID: 0018_inbound_reason_codes
Revises: 0017_complaints_categories
"""
import sqlalchemy as sa
from alembic import op

revision = "0018_inbound_reason_codes"
down_revision = "0017_complaints_categories"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("inbound_messages", sa.Column("reason_code", sa.String(length=40), nullable=False,
                                                server_default=sa.text("''")))
    op.add_column("inbound_messages", sa.Column("reason_params", sa.JSON(), nullable=True))


def downgrade():
    op.drop_column("inbound_messages", "reason_params")
    op.drop_column("inbound_messages", "reason_code")
