"""Search: the complaint's owner in the PostgreSQL search row, GIN over (owner_key, document) (issue 16)

An agent's search read every match of a word and then dropped the ~94 % of them the visibility rule
hides (123–581 ms at 1 M for words in 1–7 % of complaints); with the owner beside the vector in one
GIN index (btree_gin), the bitmap holds only the matches of the owners the rule shows. PostgreSQL
only: the search objects are rebuilt from complaints/search.py (table, fill, index, triggers — the
new trigger keeps owner_key on an assignment). At 1 M this is the bulk build (≈ 1.5–2.5 min, see
bench/HISTORY.md 2026-12-03 18:00); on an empty database a few milliseconds. SQLite: unchanged.

Downgrade leaves the search objects as they are: the code of 0028 reads only complaint_id and
document, which the new index serves alike (0015's downgrade drops them all).

Revision ID: 0029_search_owner_key
Revises: 0028_customers_country_digest
"""
from alembic import op

from complaints import search

revision = "0029_search_owner_key"
down_revision = "0028_customers_country_digest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    search.drop_search(connection)
    search.create_search(connection)
    op.execute("ANALYZE complaint_search")


def downgrade() -> None:
    pass
