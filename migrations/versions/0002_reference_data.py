"""Reference data a fresh install needs: the starting root-cause list and SLA targets.

Revision ID: 0002_reference_data
Revises: 0001_schema
"""
import sqlalchemy as sa
from alembic import op

from complaints import reference_data

revision = "0002_reference_data"
down_revision = "0001_schema"
branch_labels = None
depends_on = None


def upgrade():
    reference_data.install(op.get_bind())


def downgrade():
    op.execute(sa.text("DELETE FROM sla_targets"))
    op.execute(reference_data.root_causes_table.delete().where(
        reference_data.root_causes_table.c.code.in_([c for c, _n, _o in reference_data.ROOT_CAUSES])))
