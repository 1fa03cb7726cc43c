"""PostgreSQL rebuilds `customer_scores` as a fresh table and swaps it in: the result must still be
exactly the table the models and migrations describe (columns, key, index), run after run."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from customers.models import CustomerScore
from extensions import db
from tests.unit.customer_data import customer, orders, recompute, scores


def _differences_in_scores_table() -> list:
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    return [d for d in differences if "customer_scores" in repr(d)]


def test_scores_table_still_matches_the_model_after_recomputes(app):
    buyer = customer("Buyer")
    orders(buyer, (10, 100), (40, 250))
    recompute(app)
    recompute(app)
    assert scores(buyer).orders_total == 2
    assert db.session.query(CustomerScore).count() == 1
    assert _differences_in_scores_table() == []
