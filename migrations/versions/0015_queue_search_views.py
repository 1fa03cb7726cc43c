"""Complaints: full-text search, the queue's sort indexes, saved views (issue 16, "a queue for a working day")

The search table, its index and triggers come from complaints/search.py (PostgreSQL: tsvector +
unaccent + GIN; SQLite: FTS5 with remove_diacritics 2), filled from the complaints already there.
Needs `CREATE EXTENSION unaccent` on PostgreSQL (a trusted extension: the database owner may).

Revision ID: 0015_queue_search_views
Revises: 0014_sla_escalation_levels
"""
import sqlalchemy as sa
from alembic import op

from complaints import search
from complaints.lifecycle import OPEN_STATES
from platform_support.database import one_of

revision = "0015_queue_search_views"
down_revision = "0014_sla_escalation_levels"
branch_labels = None
depends_on = None

_OPEN = sa.text(one_of("status", OPEN_STATES))
INDEXES = {
    "ix_complaints_open_created": ["created_at", "id"],
    "ix_complaints_open_updated": ["updated_at", "id"],
    "ix_complaints_open_priority_due": ["priority", "resolution_due_at", "id"],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "complaints", columns, postgresql_where=_OPEN, sqlite_where=_OPEN)
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("sort", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["staff_users.id"], name=op.f("fk_saved_views_owner_id_staff_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_saved_views_owner_id")),
    )
    op.create_index("ix_saved_views_shared", "saved_views", ["shared", "name"])
    search.create_search(op.get_bind())


def downgrade():
    search.drop_search(op.get_bind())
    op.drop_index("ix_saved_views_shared", table_name="saved_views")
    op.drop_table("saved_views")
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="complaints")
