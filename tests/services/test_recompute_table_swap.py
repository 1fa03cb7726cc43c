"""PostgreSQL rebuilds `customer_scores` as a fresh table and swaps it in: the result must still be
exactly the table the models and migrations describe (columns, key, index), run after run."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from customers.models import CustomerScore
from extensions import db
from tests.support.clock import NOW
from tests.support.customers import customer, orders, recompute, scores


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


def _state() -> tuple:
    rows = db.session.execute(sa.text("SELECT * FROM customer_scores ORDER BY customer_id")).all()
    moves = db.session.execute(sa.text("SELECT * FROM segment_transitions ORDER BY id")).all()
    db.session.commit()
    return [tuple(r) for r in rows], [tuple(m) for m in moves]


@pytest.mark.postgresql  # the staged two-connection recompute is PostgreSQL's
def test_a_recompute_that_fails_half_way_changes_nothing_and_the_next_one_runs(app):
    """The helper connection's index build fails while the final transaction holds the transitions:
    scores and transitions stay as they were, the staging tables go, the lock is released."""
    from customers.recompute import STAGING_TABLES
    buyers = [customer(f"Buyer {n}") for n in range(6)]
    for n, buyer in enumerate(buyers):
        orders(buyer, (10 + n, 100 * (n + 1)), (200, 50))
    recompute(app)
    before = _state()
    # An index already holding the name the new table's segment index is built under.
    db.session.execute(sa.text("CREATE TABLE recompute_blocker (x INTEGER)"))
    db.session.execute(sa.text("CREATE INDEX ix_customer_scores_next_segments ON recompute_blocker (x)"))
    db.session.commit()
    with pytest.raises(sa.exc.ProgrammingError):
        recompute(app, NOW + timedelta(days=400))  # would move every buyer (no order for a year)
    assert _state() == before
    with db.engine.connect() as connection:
        assert [t for t in STAGING_TABLES if sa.inspect(connection).has_table(t)] == []
    db.session.execute(sa.text("DROP TABLE recompute_blocker"))
    db.session.commit()
    result = recompute(app, NOW + timedelta(days=400))
    assert result.transitions > 0
    assert _state() != before
    assert _differences_in_scores_table() == []


@pytest.mark.postgresql  # the staged two-connection recompute is PostgreSQL's
def test_leftovers_of_a_crashed_recompute_are_dropped_by_the_next(app):
    buyer = customer("Buyer")
    orders(buyer, (10, 100))
    for leftover in ("CREATE TABLE customer_scores_next (junk TEXT)",
                     "CREATE UNLOGGED TABLE recompute_order_figures (junk TEXT)",
                     "CREATE UNLOGGED TABLE recompute_other_figures (junk TEXT)",
                     "CREATE UNLOGGED TABLE recompute_pareto (junk TEXT)"):
        db.session.execute(sa.text(leftover))
    db.session.commit()
    recompute(app)
    assert scores(buyer).orders_total == 1
    assert _differences_in_scores_table() == []


def test_steps_reported_are_the_ones_announced(app):
    """The CLI's progress bar counts STEPS: every step is reported, once, in order."""
    from customers.recompute import STEPS, recompute_all
    from platform_support.database import is_postgresql
    orders(customer("Buyer"), (10, 100))
    db.session.commit()
    reported = []
    recompute_all(NOW, app.config, progress=reported.append)
    assert tuple(reported) == STEPS["postgresql" if is_postgresql(db.engine) else "portable"]


def test_no_revenue_in_twelve_months_means_no_ranking(app):
    """Nobody bought in the last 12 months: no Pareto bands to rank, everyone is C."""
    prospect, lapsed = customer("Prospect"), customer("Lapsed")
    orders(lapsed, (500, 100))
    recompute(app)
    assert (scores(prospect).abc, scores(prospect).stage) == ("C", "prospect")
    assert (scores(lapsed).abc, scores(lapsed).pareto_share) == ("C", None)


@pytest.mark.postgresql  # the staged two-connection recompute is PostgreSQL's
def test_others_see_the_previous_scores_until_the_swap_and_no_second_recompute_runs_meanwhile(app):
    """Checked from a third connection as each step begins (the progress callback)."""
    from customers.recompute import RECOMPUTE_LOCK, recompute_all
    buyers = [customer(f"Buyer {n}") for n in range(4)]
    for n, buyer in enumerate(buyers):
        orders(buyer, (10 + n, 100 * (n + 1)))
    recompute(app)
    before = _state()
    seen = []

    def look(step: str) -> None:
        with db.engine.connect() as other:
            rows = [tuple(r) for r in other.execute(sa.text("SELECT * FROM customer_scores ORDER BY customer_id"))]
            moves = [tuple(m) for m in other.execute(sa.text("SELECT * FROM segment_transitions ORDER BY id"))]
            free = other.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": RECOMPUTE_LOCK}).scalar()
            if free:
                other.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": RECOMPUTE_LOCK})
            seen.append((step, (rows, moves) == before, free))

    result = recompute_all(NOW + timedelta(days=400), app.config, progress=look)
    assert result.transitions > 0
    assert [(step, unchanged, free) for step, unchanged, free in seen] == [
        (step, True, False) for step, _, _ in seen]
    assert seen[-1][0] == "swap"
    assert _state() != before
