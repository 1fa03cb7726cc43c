"""Surveys, invitations, answers, follow-up tasks (issue 7)

Revision ID: 0004_surveys
Revises: 0003_customers

Reserved in the chain so work on different domains can add tables side by side; filled in by
the issue named above. Until then it changes nothing.
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0004_surveys"
down_revision = "0003_customers"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
