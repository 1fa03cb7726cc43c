"""Recompute scores and segments for every customer at once: a fixed handful of set-based
statements, whatever the number of customers.

The rules are in `customers.segment_rules` (figures, Pareto ranking, scores, segments,
transitions); this module runs them. SQLite (`recompute_sqlite`): all in one SELECT into a
temporary table, the transitions from it, then the rows replaced, in the caller's transaction.
PostgreSQL: `customers.recompute_postgresql`, on two connections side by side into a fresh table
swapped in at the end. Both give the same figures.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime


from customers import recompute_postgresql
from customers import segment_rules as rules
from customers.recompute_postgresql import RECOMPUTE_LOCK, STAGING_TABLES  # noqa: F401  (what operators and tests look for)
from extensions import db
from platform_support.database import is_postgresql

# Steps reported to `progress` (the CLI's progress bar counts them). PostgreSQL's "transitions"
# step also builds the new table's key and index, on the second connection, alongside.
STEPS = {"postgresql": recompute_postgresql.STEPS,
         "portable": ("aggregate", "index", "transitions", "replace", "store")}


@dataclass(frozen=True)
class RecomputeResult:
    customers: int
    transitions: int
    seconds_by_step: dict


class _Steps:
    """Times the steps (`with steps(name): …`) and reports each to `progress` as it starts."""

    def __init__(self, progress: Callable[[str], None] | None):
        self.progress, self.seconds, self.started = progress, {}, 0.0

    @contextmanager
    def __call__(self, name: str):
        self.started = time.perf_counter()
        if self.progress:
            self.progress(name)
        yield
        self.seconds[name] = round(time.perf_counter() - self.started, 3)

    def alongside(self, name: str, finished: float) -> None:
        """Work of a second connection that ran during the current step, until `finished`."""
        self.seconds[name] = round(finished - self.started, 3)


def recompute_sqlite(connection, params: dict, steps: _Steps) -> tuple[int, int]:
    """The new rows into a temporary table keyed like `customer_scores`, the transitions from
    it, then the rows replaced; (rows stored, transitions)."""
    columns = ", ".join(rules.SCORE_COLUMNS)
    key = ", ".join(column.name for column in recompute_postgresql.SCORES.primary_key.columns)

    def execute(statement: str):
        return connection.execute(rules.bind(statement, params))

    execute("DROP TABLE IF EXISTS score_next")
    with steps("aggregate"):
        execute(f"CREATE TEMPORARY TABLE score_next AS "
                f"{rules.score_select(rules.all_figures(params.get('rates')), 'customers cu', postgres=False)}")
    with steps("index"):
        execute(f"CREATE UNIQUE INDEX temp.ix_score_next ON score_next ({key})")
    with steps("transitions"):
        moved = execute(rules.transitions_insert("score_next")).rowcount
    with steps("replace"):
        execute("DELETE FROM customer_scores")
    with steps("store"):
        stored = execute(f"INSERT INTO customer_scores ({columns}) SELECT {columns} FROM score_next").rowcount
    execute("DROP TABLE IF EXISTS score_next")
    return stored, moved


def recompute_all(now: datetime, config, *, progress: Callable[[str], None] | None = None) -> RecomputeResult:
    """Recompute every customer's scores and segments at `now` and commit.

    SQLite: in the caller's transaction. PostgreSQL: whatever the caller's session has pending is
    committed first (the recompute's own two connections must see it)."""
    session = db.session
    connection = session.connection()
    params = rules.parameters(now, config)
    params["rates"] = rules.rates_needed(connection, params["rates"])
    steps = _Steps(progress)
    if is_postgresql(connection):
        session.commit()
        stored, moved = recompute_postgresql.recompute_postgresql(db.engine, params, config, steps)
    else:
        stored, moved = recompute_sqlite(connection, params, steps)
        session.commit()
    return RecomputeResult(customers=stored, transitions=moved, seconds_by_step=steps.seconds)
