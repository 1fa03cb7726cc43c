"""Search: the (owner_key, complaint_id) index of PostgreSQL's search rows (issue 16)

An agent's search walks the complaints of the owners the rule shows newest first; without this
index that walk read every complaint, visible or not (complaints/queries.py, _window_ids_postgresql).
A b-tree over two integers: at 1 M a few seconds. SQLite: nothing (FTS5 hands matches newest first).

Revision ID: 0030_search_owner_newest
Revises: 0029_search_owner_key
"""
from alembic import op

from complaints import search

revision = "0030_search_owner_newest"
down_revision = "0029_search_owner_key"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    search.create_newest_index(connection)
    op.execute(f"ANALYZE {search.SEARCH_TABLE}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {search.NEWEST_INDEX_NAME}")
