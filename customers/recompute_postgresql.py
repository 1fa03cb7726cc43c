"""The PostgreSQL runner of the recompute: the rules of `customers.segment_rules` on two
connections, so both cores work, one function per step (`STEPS`):

1. `prepare` — take the advisory lock (one recompute at a time), drop what a run that died
   half-way left behind, create the staging tables and the fresh `customer_scores_next`;
2. `figures` — the orders' figures in two halves of the customer ids side by side, the small side
   figures (complaints, root causes, NPS, satisfaction) beside them, into UNLOGGED staging tables;
3. `pareto` — the ranking by revenue in two bands side by side (the lower band's running sum
   starts with the revenue above it);
4. `aggregate` — the new rows (`score_select`) in two halves into `customer_scores_next`;
5. `transitions` — the one final transaction begins: transitions from new vs previous rows,
   while the helper builds the model's key and indexes on the fresh table and analyzes it;
6. `swap` — still in that transaction: the fresh table replaces `customer_scores` and the staging
   tables go; transitions and new scores appear together at its commit.

Each half commits on its own connection; readers see the old rows until the final commit, and a
failure before it leaves `customer_scores` and `segment_transitions` as they were (`clean_up`
drops the staging tables; the next run drops whatever is still left).
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as futures_wait

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex

from customers import segment_rules as rules
from customers.models import CustomerScore

STEPS = ("figures", "pareto", "aggregate", "transitions", "swap")

SCORES = CustomerScore.__table__
FRESH = "customer_scores_next"
# Staging tables: ordinary tables, so both connections see them, UNLOGGED (nothing of them needs
# to survive a crash). Dropped in the final transaction; a run that died half-way leaves them
# behind and the next run drops them first.
STAGING_TABLES = ("recompute_order_figures", "recompute_other_figures", "recompute_pareto", FRESH)
# pg_advisory_lock key: one recompute at a time (a second one waits for the first to finish).
RECOMPUTE_LOCK = 0x5E6_3E47

# One band of the Pareto ranking from the figures table into `recompute_pareto`; the total revenue
# and the revenue above the band come in as exact NUMERIC parameters (summed once).
_PARETO_BAND = """INSERT INTO recompute_pareto (customer_id, abc_by_revenue, pareto_share)
WITH order_figures AS (SELECT customer_id, revenue_12m FROM recompute_order_figures),
total AS (SELECT :total_revenue AS revenue, :a_share * :total_revenue AS a_limit,
                 :ab_share * :total_revenue AS ab_limit)
{pareto}"""

# One half of the customers (ids in [:lo, :hi)) reads its figures from the staging tables.
_HALF = "customer_id >= :lo AND customer_id < :hi"
_STAGED = f"""order_figures AS (SELECT * FROM recompute_order_figures WHERE {_HALF}),
other_figures AS (SELECT * FROM recompute_other_figures WHERE {_HALF}),
pareto AS (SELECT * FROM recompute_pareto WHERE {_HALF})"""
_HALF_OF_CUSTOMERS = "(SELECT * FROM customers WHERE id >= :lo AND id < :hi) cu"


def session_settings(config) -> list[str]:
    """Settings for one transaction of the recompute (SET LOCAL ends with it)."""
    settings = []
    work_mem = str(config.get("RECOMPUTE_WORK_MEM") or "256MB")
    if work_mem.replace("MB", "").replace("GB", "").replace("kB", "").isdigit():
        # The sorts and hash tables over all customers stay in memory.
        settings.append(f"SET LOCAL work_mem = '{work_mem}'")
    # JIT compiling these statements' hundreds of expressions costs seconds and saves less.
    settings.append("SET LOCAL jit = off")
    # Grouping 5 M orders into 1 M customers: hashing misses the CPU cache on every row; reading the
    # covering index (ix_orders_customer_ordered_on) in customer order and grouping as it streams
    # costs a fraction of it.
    settings.append("SET LOCAL enable_hashagg = off")
    # The work is already split over two connections (two cores); no parallel workers on top.
    settings.append("SET LOCAL max_parallel_workers_per_gather = 0")
    settings.append("SET LOCAL max_parallel_maintenance_workers = 0")
    return settings


def _fresh_name(name: str) -> str:
    """The name a constraint or index of `customer_scores` has on the fresh table until the swap."""
    return name.replace(SCORES.name, FRESH, 1)


def fresh_table_indexes() -> list[str]:
    """CREATE INDEX statements for the fresh table from the model (`CustomerScore`): a unique
    index on the primary key's columns (it becomes the key at the swap) and every index of the
    model, each under the fresh table's name for it."""
    fresh = sa.Table(FRESH, sa.MetaData(), *(sa.Column(column.name, column.type) for column in SCORES.columns))
    indexes = [sa.Index(_fresh_name(SCORES.primary_key.name),
                        *(fresh.c[column.name] for column in SCORES.primary_key.columns), unique=True)]
    indexes += [sa.Index(_fresh_name(index.name), *(fresh.c[column.name] for column in index.columns),
                         unique=index.unique)
                for index in sorted(SCORES.indexes, key=lambda index: index.name)]
    return [str(CreateIndex(index).compile(dialect=postgresql.dialect())) for index in indexes]


def swap_statements() -> list[str]:
    """The fresh table takes the place of `customer_scores` with the model's key and index names."""
    key = SCORES.primary_key.name
    return [f"ALTER TABLE {FRESH} ADD CONSTRAINT {_fresh_name(key)} PRIMARY KEY USING INDEX {_fresh_name(key)}",
            f"ALTER TABLE {FRESH} RESET (autovacuum_enabled)",
            f"DROP TABLE {SCORES.name}",
            f"ALTER TABLE {FRESH} RENAME TO {SCORES.name}",
            f"ALTER TABLE {SCORES.name} RENAME CONSTRAINT {_fresh_name(key)} TO {key}",
            *(f"ALTER INDEX {_fresh_name(index.name)} RENAME TO {index.name}"
              for index in sorted(SCORES.indexes, key=lambda index: index.name))]


class _Run:
    """Two connections of one recompute (`lead` holds the lock and the final transaction,
    `helper` works beside it on a thread), the parameters and the step timer."""

    def __init__(self, engine, params: dict, config, steps):
        self.params, self.settings, self.steps = params, session_settings(config), steps
        self.lead = engine.connect()
        try:
            self.helper = engine.connect()
        except BaseException:
            self.lead.close()
            raise
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recompute")
        self.lowest = self.highest = 0

    def run(self, connection, *statements: str, extra: dict | None = None, commit: bool = True):
        """The statements in one transaction (with the settings); the last result."""
        bound = {**self.params, **(extra or {})}
        for setting in self.settings:
            connection.execute(sa.text(setting))
        for statement in statements:
            result = connection.execute(rules.bind(statement, bound))
        if commit:
            connection.commit()
        return result

    def side_by_side(self, lead_work, helper_work):
        """`lead_work` here and `helper_work` on the helper's thread; both results."""
        future = self.pool.submit(helper_work)
        try:
            mine = lead_work()
        except BaseException:
            futures_wait([future])
            raise
        return mine, future.result()

    def halves(self, share: float) -> tuple[dict, dict]:
        """Customer ids [lowest, cut) for the lead connection and [cut, highest) for the helper."""
        cut = self.lowest + int((self.highest - self.lowest) * share)
        return {"lo": self.lowest, "hi": cut}, {"lo": cut, "hi": self.highest}


def prepare(run: _Run) -> None:
    run.lead.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": RECOMPUTE_LOCK})
    run.lead.commit()
    lowest, highest = run.lead.execute(sa.text("SELECT MIN(id), MAX(id) FROM customers")).one()
    run.lowest, run.highest = (lowest or 0), (highest or 0) + 1
    run.run(run.lead, *(f"DROP TABLE IF EXISTS {table}" for table in STAGING_TABLES),
            "CREATE UNLOGGED TABLE recompute_order_figures WITH (autovacuum_enabled = false) AS "
            f"{rules.order_figures(postgres=True, rates=run.params.get('rates'))} WITH NO DATA",
            "CREATE UNLOGGED TABLE recompute_pareto (customer_id INTEGER, abc_by_revenue TEXT, pareto_share NUMERIC) "
            "WITH (autovacuum_enabled = false)",
            # The new table as the live one is (columns, NOT NULL, defaults, CHECK constraints); its
            # key and indexes come from the model after the rows are in.
            f"CREATE TABLE {FRESH} (LIKE {SCORES.name} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            "WITH (autovacuum_enabled = false)")


def figures(run: _Run) -> None:
    """Orders grouped in two halves of the customer ids; the side figures beside them. ANALYZE:
    the joins below then know how many customers have figures (a small sample is plenty)."""
    figures_half = "INSERT INTO recompute_order_figures " + rules.order_figures(True, f" AND {_HALF}", rates=run.params.get("rates"))
    # The helper also computes the side figures (~a tenth of the orders' time): the lead takes more ids.
    lead_ids, helper_ids = run.halves(0.55)
    run.side_by_side(
        lambda: run.run(run.lead, figures_half, extra=lead_ids),
        lambda: run.run(run.helper, figures_half,
                        "CREATE UNLOGGED TABLE recompute_other_figures WITH (autovacuum_enabled = false) AS "
                        f"{rules.other_figures()}", extra=helper_ids))
    run.side_by_side(
        lambda: run.run(run.lead, "SET LOCAL default_statistics_target = 10", "ANALYZE recompute_order_figures"),
        lambda: run.run(run.helper, "SET LOCAL default_statistics_target = 10", "ANALYZE recompute_other_figures"))


def pareto(run: _Run) -> None:
    """Two bands of revenue, split near the buyers' median (from a sample; any split point gives
    the same result, a good one halves the time)."""
    lead = run.lead
    split = lead.execute(sa.text(
        "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY revenue_12m) FROM recompute_order_figures "
        "TABLESAMPLE SYSTEM (2) REPEATABLE (0) WHERE revenue_12m > 0")).scalar()
    if split is None:  # the sample's pages held no buyer (few customers)
        split = lead.execute(sa.text(
            "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY revenue_12m) FROM recompute_order_figures "
            "WHERE revenue_12m > 0")).scalar() or 0
    total, ahead = lead.execute(sa.text(
        "SELECT SUM(revenue_12m), COALESCE(SUM(revenue_12m) FILTER (WHERE revenue_12m > :split), 0) "
        "FROM recompute_order_figures WHERE revenue_12m > 0"), {"split": split}).one()
    lead.commit()
    band = {"split_revenue": split, "total_revenue": total, "ahead_revenue": ahead}
    top = _PARETO_BAND.format(pareto=rules.pareto(" AND revenue_12m > :split_revenue"))
    lower = _PARETO_BAND.format(pareto=rules.pareto(" AND revenue_12m <= :split_revenue", ":ahead_revenue + "))
    if total is not None:  # anyone bought in the last 12 months
        run.side_by_side(lambda: run.run(lead, top, extra=band), lambda: run.run(run.helper, lower, extra=band))
    # The halves below join it by customer: with statistics, by hash (not sort + merge).
    run.run(lead, "SET LOCAL default_statistics_target = 10", "ANALYZE recompute_pareto")


def aggregate(run: _Run) -> int:
    """The new rows in two halves into the fresh table; how many."""
    insert = (f"INSERT INTO {FRESH} ({', '.join(rules.SCORE_COLUMNS)}) "
              f"{rules.score_select(_STAGED, _HALF_OF_CUSTOMERS, postgres=True)}")
    lead_ids, helper_ids = run.halves(0.5)
    first, second = run.side_by_side(lambda: run.run(run.lead, insert, extra=lead_ids),
                                     lambda: run.run(run.helper, insert, extra=helper_ids))
    return first.rowcount + second.rowcount


def transitions(run: _Run) -> int:
    """The final transaction begins on the lead connection: the transitions (new rows vs previous
    ones), while the helper builds the key and indexes once over all rows and analyzes the table
    (a new table has no statistics); how many transitions."""
    indexing = run.pool.submit(lambda: (
        run.run(run.helper, *fresh_table_indexes(), f"ANALYZE {FRESH}"), time.perf_counter())[1])
    try:
        moved = run.run(run.lead, rules.transitions_insert(FRESH), commit=False).rowcount
    finally:
        futures_wait([indexing])
    run.steps.alongside("index", indexing.result())
    return moved


def swap(run: _Run) -> None:
    run.run(run.lead, *swap_statements(), *(f"DROP TABLE {table}" for table in STAGING_TABLES[:-1]))


def clean_up(run: _Run, finished: bool) -> None:
    """Roll back whatever is open, drop the staging tables of a failed run, release the lock."""
    run.pool.shutdown(wait=True)
    try:
        for connection in (run.lead, run.helper):
            if connection.in_transaction():
                connection.rollback()
        if not finished:  # best effort; the next run drops what is left anyway
            run.run(run.lead, *(f"DROP TABLE IF EXISTS {table}" for table in STAGING_TABLES))
        run.lead.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": RECOMPUTE_LOCK})
        run.lead.commit()
    except sa.exc.DBAPIError:
        run.lead.invalidate()  # the server ends the session, and with it the lock
    finally:
        run.lead.close()
        run.helper.close()


def recompute_postgresql(engine, params: dict, config, steps) -> tuple[int, int]:
    """Every customer's new row and the transitions; (rows stored, transitions). `steps` times the
    steps (`with steps(name): …`)."""
    run = _Run(engine, params, config, steps)
    finished = False
    try:
        prepare(run)
        with steps("figures"):
            figures(run)
        with steps("pareto"):
            pareto(run)
        with steps("aggregate"):
            stored = aggregate(run)
        with steps("transitions"):
            moved = transitions(run)
        with steps("swap"):
            swap(run)
        finished = True
        return stored, moved
    finally:
        clean_up(run, finished)
