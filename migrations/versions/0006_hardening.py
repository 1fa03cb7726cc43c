"""Hardening: audit log, webhooks (issue 6)

Revision ID: 0006_hardening
Revises: 0005_reports

Reserved in the chain so work on different domains can add tables side by side; filled in by
the issue named above. Until then it changes nothing.
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0006_hardening"
down_revision = "0005_reports"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
