"""Customer file: scores, segments, transitions, interactions, greetings (issue 3)

Revision ID: 0003_customers
Revises: 0002_reference_data

Reserved in the chain so work on different domains can add tables side by side; filled in by
the issue named above. Until then it changes nothing.
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0003_customers"
down_revision = "0002_reference_data"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
