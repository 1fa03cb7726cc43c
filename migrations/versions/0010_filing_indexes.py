"""Complaints: the indexes on columns a new complaint leaves empty skip its empty values

Every public filing maintains every index on `complaints`. Four of them are on columns that stay
NULL until much later (resolution time, root cause) and are only ever searched for set values
(`resolved_at >= …`, `root_cause_id = …`): as partial indexes `WHERE … IS NOT NULL` a filing no
longer touches them. The plain root-cause index goes: the (root cause, created) one serves the same
lookups, the foreign key's included.

Revision ID: 0010_filing_indexes
Revises: 0008_orders_covering_index
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_filing_indexes"
down_revision = "0008_orders_covering_index"
branch_labels = None
depends_on = None

RESOLVED = "resolved_at IS NOT NULL"
ROOT_CAUSE = "root_cause_id IS NOT NULL"


def upgrade():
    op.drop_index("ix_complaints_root_cause_id", table_name="complaints")
    op.drop_index("ix_complaints_resolved", table_name="complaints")
    op.create_index("ix_complaints_resolved", "complaints", ["resolved_at"],
                    postgresql_where=sa.text(RESOLVED), sqlite_where=sa.text(RESOLVED))
    op.drop_index("ix_complaints_owner_resolved", table_name="complaints")
    op.create_index("ix_complaints_owner_resolved", "complaints", ["owner_id", "resolved_at"],
                    postgresql_include=["priority", "created_at"],
                    postgresql_where=sa.text(RESOLVED), sqlite_where=sa.text(RESOLVED))
    op.drop_index("ix_complaints_root_cause_created", table_name="complaints")
    op.create_index("ix_complaints_root_cause_created", "complaints", ["root_cause_id", "created_at"],
                    postgresql_where=sa.text(ROOT_CAUSE), sqlite_where=sa.text(ROOT_CAUSE))


def downgrade():
    op.drop_index("ix_complaints_root_cause_created", table_name="complaints")
    op.create_index("ix_complaints_root_cause_created", "complaints", ["root_cause_id", "created_at"])
    op.drop_index("ix_complaints_owner_resolved", table_name="complaints")
    op.create_index("ix_complaints_owner_resolved", "complaints", ["owner_id", "resolved_at"],
                    postgresql_include=["priority", "created_at"])
    op.drop_index("ix_complaints_resolved", table_name="complaints")
    op.create_index("ix_complaints_resolved", "complaints", ["resolved_at"])
    op.create_index("ix_complaints_root_cause_id", "complaints", ["root_cause_id"])
