"""Reports: pre-aggregated tables and alerts (issue 4)

Revision ID: 0005_reports
Revises: 0004_surveys

Reserved in the chain so work on different domains can add tables side by side; filled in by
the issue named above. Until then it changes nothing.
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0005_reports"
down_revision = "0004_surveys"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
