"""Recompute scores and segments for every customer at once (set-based SQL, SQLite and PostgreSQL).

A fixed handful of statements, whatever the number of customers:
1. the per-customer figures: orders (`_order_figures`: revenue in the windows, first/last order,
   late payments, overdue money — one GROUP BY pass) and complaints, top root cause, NPS and
   satisfaction (`_other_figures`);
2. the new row of every customer (`_score_select`): the Pareto running sum (window function), the
   two scores and the three segments (CASE over those figures);
3. `segment_transitions` ← the new rows whose segment differs from `customer_scores`, with the
   figures that explain the move;
4. `customer_scores` ← the new rows.
PostgreSQL (`_recompute_postgresql`) uses both cores: two connections compute the figures, the
Pareto ranking and the new rows in halves side by side into UNLOGGED staging tables and a fresh
table, then one final transaction records the transitions (while the other connection indexes the
fresh table) and swaps the fresh table in. SQLite (`_recompute_portable`) computes all in one
SELECT into a temporary table and replaces the rows. Both give the same figures.

The rules (documented in the README, "Scores and segments") live only in the SQL below, so there
is one truth; `customers.segments` holds labels and treatments. All moments come in as bound
parameters computed from `now`, so the statements need no dialect-specific date arithmetic and a
recompute at the same `now` over the same rows gives the same result (deterministic, idempotent).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from extensions import db
from platform_support.database import is_postgresql

SURVEY_TABLES = ("survey_answers", "survey_responses")

# Satisfaction signals are weighted by age: recent answers count more (see README).
_WEIGHT = """CASE WHEN sig.at > :t90 THEN 1.0 WHEN sig.at > :t180 THEN 0.75 WHEN sig.at > :t365 THEN 0.5
                  WHEN sig.at > :t730 THEN 0.25 ELSE 0.1 END"""

# Complaint outcome as a satisfaction signal on the 0–100 scale.
_COMPLAINT_SIGNALS = """
    SELECT customer_id, COALESCE(resolved_at, created_at) AS at,
           CASE WHEN status IN ('resolved', 'closed') AND reopened_count = 0 THEN 70.0
                WHEN status IN ('resolved', 'closed') THEN 40.0
                WHEN resolution_due_at < :now THEN 10.0
                ELSE 40.0 END AS value
      FROM complaints WHERE created_at <= :now"""

# --- the survey part: present once the surveys tables exist ----------------------------------------
# Every scored answer (NPS 0–10, CSAT 1–5, CES 1–7 where 7 = "very easy") mapped to 0–100.
_SURVEY_SIGNALS = """
    SELECT r.customer_id, COALESCE(r.submitted_at, r.updated_at) AS at,
           CASE a.qtype WHEN 'nps' THEN a.score * 10.0
                        WHEN 'csat' THEN (a.score - 1) * 25.0
                        ELSE (a.score - 1) * 100.0 / 6 END AS value
      FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id
     WHERE a.qtype IN ('nps', 'csat', 'ces') AND a.score IS NOT NULL
       AND COALESCE(r.submitted_at, r.updated_at) <= :now"""
# The latest and the previous NPS answer per customer (promoter = 9–10).
_NPS = """
    SELECT customer_id, MAX(CASE WHEN rn = 1 THEN score END) AS nps_last,
           MAX(CASE WHEN rn = 2 THEN score END) AS nps_prev
      FROM (SELECT r.customer_id, a.score,
                   ROW_NUMBER() OVER (PARTITION BY r.customer_id
                                      ORDER BY COALESCE(r.submitted_at, r.updated_at) DESC, a.id DESC) AS rn
              FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id
             WHERE a.qtype = 'nps' AND a.score IS NOT NULL
               AND COALESCE(r.submitted_at, r.updated_at) <= :now) ranked
     WHERE rn <= 2 GROUP BY customer_id"""
_NO_NPS = "SELECT CAST(NULL AS INTEGER) AS customer_id, CAST(NULL AS INTEGER) AS nps_last, " \
          "CAST(NULL AS INTEGER) AS nps_prev WHERE 1 = 0"

SCORE_COLUMNS = (
    "customer_id", "computed_at", "revenue_12m", "revenue_q", "revenue_prev_q", "orders_12m", "orders_total",
    "first_order_on", "last_order_on", "late_payments_12m", "overdue_amount", "complaints_12m", "complaints_q",
    "top_root_cause_id", "nps_last", "nps_prev", "pareto_share", "satisfaction", "loyalty", "abc", "category", "stage")
# Money: PostgreSQL sums the exact NUMERIC amounts; SQLite stores them as REAL, so it sums whole
# cents (exact integers) and divides once at the end. Same figures on both.
_IN_CENTS = "(SELECT customer_id, ordered_on, due_on, paid_on, CAST(ROUND(amount * 100) AS BIGINT) AS cents FROM orders)"
# (rows to group, the money column summed, how a sum becomes an amount)
_ORDERS = {"postgresql": ("orders", "amount", "{}"), "portable": (_IN_CENTS, "cents", "{} / 100.0")}

# Loyalty (README) in sixths of a point, 35 × min(orders in 12 months, 6) / 6 + whole points × 6:
# integer arithmetic, exact; clamped to 0–600 and divided by 6 once, in the final SELECT.
_LOYALTY_SIXTHS = """35 * (CASE WHEN orders_12m >= 6 THEN 6 ELSE orders_12m END)
         + 6 * (CASE WHEN first_order_on <= :y3 THEN 20 WHEN first_order_on <= :y2 THEN 15
                     WHEN first_order_on <= :y1 THEN 10 WHEN first_order_on <= :d180 THEN 5 ELSE 0 END
              + CASE WHEN nps_last >= 9 THEN 20 WHEN nps_last >= 7 THEN 10 ELSE 0 END
              + CASE WHEN first_complaint_at IS NOT NULL AND last_order_on > first_complaint_at THEN 15 ELSE 0 END
              - CASE WHEN orders_total > 0 AND last_order_on <= :d180 THEN 25 ELSE 0 END
              - CASE WHEN late_payments_12m >= :difficult THEN 10 ELSE 0 END)"""


def _order_figures(postgres: bool, where: str = "") -> str:
    """Per customer: revenue and orders in the windows, first/last order, late payments, overdue money
    (`where`: an extra condition, e.g. a range of customer ids)."""
    source, money, _ = _ORDERS["postgresql" if postgres else "portable"]
    return f"""
    -- One pass over the orders, one row per customer (FILTER: each sum only touches its rows).
    SELECT customer_id,
           SUM({money}) FILTER (WHERE ordered_on > :y1) AS revenue_12m,
           SUM({money}) FILTER (WHERE ordered_on > :q1) AS revenue_q,
           SUM({money}) FILTER (WHERE ordered_on > :q2 AND ordered_on <= :q1) AS revenue_prev_q,
           COUNT(*) FILTER (WHERE ordered_on > :y1) AS orders_12m,
           COUNT(*) AS orders_total,
           MIN(ordered_on) AS first_order_on,
           MAX(ordered_on) AS last_order_on,
           COUNT(*) FILTER (WHERE ordered_on > :y1 AND due_on IS NOT NULL
                     AND ((paid_on IS NOT NULL AND paid_on > due_on) OR (paid_on IS NULL AND due_on < :today)))
               AS late_payments_12m,
           SUM({money}) FILTER (WHERE paid_on IS NULL AND due_on < :today) AS overdue_amount
      FROM {source} priced WHERE ordered_on <= :today{where}
     GROUP BY customer_id
"""


def _other_figures(with_surveys: bool) -> str:
    """Per customer with any: complaints, their top root cause, the last two NPS answers, satisfaction.

    Joined among themselves here (a few per cent of the customers), so the million customers meet
    one join for all of them."""
    signals = _COMPLAINT_SIGNALS + ("\n    UNION ALL" + _SURVEY_SIGNALS if with_surveys else "")
    nps = _NPS if with_surveys else _NO_NPS
    return f"""
WITH c AS (
    SELECT customer_id,
           SUM(CASE WHEN created_at > :t365 THEN 1 ELSE 0 END) AS complaints_12m,
           SUM(CASE WHEN created_at > :t91 THEN 1 ELSE 0 END) AS complaints_q,
           MIN(created_at) AS first_complaint_at
      FROM complaints WHERE created_at <= :now GROUP BY customer_id
), rc AS (
    SELECT customer_id, root_cause_id FROM (
        SELECT customer_id, root_cause_id,
               ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY COUNT(*) DESC, root_cause_id) AS rn
          FROM complaints
         WHERE root_cause_id IS NOT NULL AND created_at > :t91 AND created_at <= :now
         GROUP BY customer_id, root_cause_id) ranked
     WHERE rn = 1
), sat AS (
    SELECT sig.customer_id, SUM({_WEIGHT} * sig.value) / SUM({_WEIGHT}) AS satisfaction
      FROM ({signals}) sig
     GROUP BY sig.customer_id
), nps AS ({nps}
)
    SELECT k.customer_id, c.complaints_12m, c.complaints_q, c.first_complaint_at,
           rc.root_cause_id AS top_root_cause_id, nps.nps_last, nps.nps_prev, sat.satisfaction
      FROM (SELECT customer_id FROM c UNION SELECT customer_id FROM rc
            UNION SELECT customer_id FROM nps UNION SELECT customer_id FROM sat) k
      LEFT JOIN c ON c.customer_id = k.customer_id
      LEFT JOIN rc ON rc.customer_id = k.customer_id
      LEFT JOIN nps ON nps.customer_id = k.customer_id
      LEFT JOIN sat ON sat.customer_id = k.customer_id
"""


# The class by revenue (Pareto) and the cumulative share of every buyer (revenue in 12 months > 0).
_TOTAL = """SELECT SUM(revenue_12m) AS revenue, :a_share * SUM(revenue_12m) AS a_limit,
           :ab_share * SUM(revenue_12m) AS ab_limit
      FROM order_figures WHERE revenue_12m > 0"""


def _pareto(band: str = "", ahead: str = "") -> str:
    """The Pareto running sum over buyers only, on a narrow row (id, revenue): the one sort of the
    recompute stays small and in memory even at a million customers. The class by revenue and the
    share are computed at this level, once per buyer (a window level is never merged into the
    levels above, so its expressions are not repeated wherever the class is used). The totals come
    in as scalar subqueries (computed once), not joined onto every row to sort.

    PostgreSQL ranks the buyers in two bands of revenue side by side (`band`): the lower band's
    running sum starts with the revenue of everyone above it (`ahead`) — exact NUMERIC sums, so the
    same figures as one window over all buyers."""
    running = f"{ahead}SUM(revenue_12m) OVER running"
    return f"""
    SELECT customer_id,
           CASE WHEN ({running} - revenue_12m) * 100 < (SELECT a_limit FROM total) THEN 'A'
                WHEN ({running} - revenue_12m) * 100 < (SELECT ab_limit FROM total) THEN 'B'
                ELSE 'C' END AS abc_by_revenue,
           ROUND(CAST(({running}) * 100.0 / (SELECT revenue FROM total) AS NUMERIC), 2) AS pareto_share
      FROM order_figures WHERE revenue_12m > 0{band}
    WINDOW running AS (ORDER BY revenue_12m DESC, customer_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"""


# PostgreSQL: one band of the Pareto ranking from the figures table into `recompute_pareto`; the
# total revenue and the revenue above the band come in as exact NUMERIC parameters (summed once).
_PARETO_BAND = """INSERT INTO recompute_pareto (customer_id, abc_by_revenue, pareto_share)
WITH order_figures AS (SELECT customer_id, revenue_12m FROM recompute_order_figures),
total AS (SELECT :total_revenue AS revenue, :a_share * :total_revenue AS a_limit,
                 :ab_share * :total_revenue AS ab_limit)
{pareto}"""

# PostgreSQL: one half of the customers (ids in [:lo, :hi)) reads its figures from the staging tables.
_HALF = "customer_id >= :lo AND customer_id < :hi"
_STAGED = f"""order_figures AS (SELECT * FROM recompute_order_figures WHERE {_HALF}),
other_figures AS (SELECT * FROM recompute_other_figures WHERE {_HALF}),
pareto AS (SELECT * FROM recompute_pareto WHERE {_HALF})"""


def _score_select(with_surveys: bool, postgres: bool = False) -> str:
    """The new row of every customer: its figures, the Pareto class, the scores and the segments
    (PostgreSQL: of the customers with ids in [:lo, :hi), from the staging tables)."""
    as_money = _ORDERS["postgresql" if postgres else "portable"][2]
    if postgres:
        sources, customers = _STAGED, "(SELECT * FROM customers WHERE id >= :lo AND id < :hi) cu"
    else:
        sources = (f"order_figures AS ({_order_figures(postgres)}),\n"
                   f"other_figures AS ({_other_figures(with_surveys)}),\n"
                   f"total AS ({_TOTAL}),\npareto AS ({_pareto()})")
        customers = "customers cu"
    clamp = "GREATEST(0, LEAST(600, {}))" if postgres else "MAX(0, MIN(600, {}))"
    loyalty_sixths = clamp.format(_LOYALTY_SIXTHS)
    # Sixths to points with one decimal. PostgreSQL: in DOUBLE PRECISION, the column's type — the
    # same number as rounding a NUMERIC and converting it (tenths of sixths never end in exactly .5,
    # so round() has no tie to break), without two NUMERIC operations and a conversion per customer.
    loyalty = ("round(loyalty_sixths * 5 / CAST(3 AS DOUBLE PRECISION)) / 10" if postgres
               else "ROUND(CAST(loyalty_sixths / 6.0 AS NUMERIC), 1)")
    return f"""
WITH {sources},
base AS (
    SELECT cu.id AS customer_id, cu.is_partner, cu.disqualified, cu.erased_at,
           COALESCE(o.revenue_12m, 0) AS revenue_12m, COALESCE(o.revenue_q, 0) AS revenue_q,
           COALESCE(o.revenue_prev_q, 0) AS revenue_prev_q, COALESCE(o.orders_12m, 0) AS orders_12m,
           COALESCE(o.orders_total, 0) AS orders_total, o.first_order_on, o.last_order_on,
           COALESCE(o.late_payments_12m, 0) AS late_payments_12m, COALESCE(o.overdue_amount, 0) AS overdue_amount,
           COALESCE(side.complaints_12m, 0) AS complaints_12m, COALESCE(side.complaints_q, 0) AS complaints_q,
           side.first_complaint_at, side.top_root_cause_id, side.nps_last, side.nps_prev, side.satisfaction,
           COALESCE(p.abc_by_revenue, 'C') AS abc_by_revenue, p.pareto_share
      FROM {customers}
      LEFT JOIN order_figures o ON o.customer_id = cu.id
      LEFT JOIN pareto p ON p.customer_id = cu.id
      LEFT JOIN other_figures side ON side.customer_id = cu.id
), classed AS (
    SELECT base.*,
           CASE WHEN abc_by_revenue = 'B' AND orders_12m >= :frequent_orders AND first_order_on <= :y2 THEN 'A'
                WHEN abc_by_revenue = 'A' AND orders_12m <= 1 AND first_order_on > :d90 THEN 'B'
                ELSE abc_by_revenue END AS abc,
           -- Written once (GREATEST/LEAST, not CASE): a CASE would repeat it three times per row.
           {loyalty_sixths} AS loyalty_sixths
      FROM base
)
SELECT customer_id, :now AS computed_at, {as_money.format("revenue_12m")} AS revenue_12m,
       {as_money.format("revenue_q")} AS revenue_q, {as_money.format("revenue_prev_q")} AS revenue_prev_q,
       orders_12m, orders_total, first_order_on, last_order_on,
       late_payments_12m, {as_money.format("overdue_amount")} AS overdue_amount, complaints_12m, complaints_q,
       top_root_cause_id, nps_last, nps_prev, pareto_share,
       ROUND(CAST(satisfaction AS NUMERIC), 1) AS satisfaction,
       CASE WHEN orders_total = 0 AND nps_last IS NULL THEN NULL
            ELSE {loyalty} END AS loyalty,
       abc,
       CASE WHEN abc = 'C' AND (last_order_on IS NULL OR last_order_on <= :d180 OR overdue_amount > 0) THEN 'dead'
            WHEN complaints_12m >= :difficult OR late_payments_12m >= :difficult THEN 'difficult'
            WHEN nps_last >= 9 THEN 'devoted'
            ELSE 'core' END AS category,
       CASE WHEN is_partner THEN 'partner'
            WHEN disqualified THEN 'disqualified'
            WHEN erased_at IS NOT NULL THEN 'former'
            WHEN orders_total = 0 THEN 'prospect'
            WHEN last_order_on <= :former_day THEN 'former'
            WHEN last_order_on <= :inactive_day THEN 'inactive'
            WHEN nps_last >= 9 AND orders_total >= 2 THEN 'advocate'
            WHEN orders_12m >= :client_orders THEN 'client'
            WHEN orders_total >= 2 THEN 'repeat'
            ELSE 'first_time' END AS stage
  FROM classed
"""


# The rows of `{new}` whose segment differs from `customer_scores` (the previous recompute), one per
# dimension, with the figures that explain the move.
_TRANSITIONS = """
INSERT INTO segment_transitions (customer_id, dimension, from_value, to_value, changed_at, revenue_q,
    revenue_prev_q, complaints_q, top_root_cause_id, nps_before, nps_after, late_payments_12m, overdue_amount,
    last_order_on, satisfaction_before, satisfaction_after)
WITH moved AS (
    SELECT n.customer_id, o.abc AS abc_before, n.abc AS abc_after, o.category AS category_before,
           n.category AS category_after, o.stage AS stage_before, n.stage AS stage_after, n.revenue_q,
           n.revenue_prev_q, n.complaints_q, n.top_root_cause_id, o.nps_last AS nps_before, n.nps_last AS nps_after,
           n.late_payments_12m, n.overdue_amount, n.last_order_on, o.satisfaction AS satisfaction_before,
           n.satisfaction AS satisfaction_after
      FROM {new} n JOIN customer_scores o ON o.customer_id = n.customer_id
     WHERE o.abc <> n.abc OR o.category <> n.category OR o.stage <> n.stage
)
SELECT customer_id, dimension, from_value, to_value, :now, revenue_q, revenue_prev_q, complaints_q, top_root_cause_id,
       nps_before, nps_after, late_payments_12m, overdue_amount, last_order_on, satisfaction_before, satisfaction_after
  FROM (SELECT moved.*, 'abc' AS dimension, abc_before AS from_value, abc_after AS to_value, 1 AS ord
          FROM moved WHERE abc_before <> abc_after
        UNION ALL
        SELECT moved.*, 'category', category_before, category_after, 2 FROM moved WHERE category_before <> category_after
        UNION ALL
        SELECT moved.*, 'stage', stage_before, stage_after, 3 FROM moved WHERE stage_before <> stage_after) changes
 ORDER BY customer_id, ord
"""


@dataclass(frozen=True)
class RecomputeResult:
    customers: int
    transitions: int
    seconds_by_step: dict


def parameters(now: datetime, config) -> dict:
    today = now.date()

    def day(days: int) -> date:
        return today - timedelta(days=days)

    return {
        "now": now, "today": today,
        "y1": day(365), "y2": day(730), "y3": day(1095), "q1": day(91), "q2": day(182),
        "d90": day(90), "d180": day(180),
        "t90": now - timedelta(days=90), "t91": now - timedelta(days=91), "t180": now - timedelta(days=180),
        "t365": now - timedelta(days=365), "t730": now - timedelta(days=730),
        # Whole percentages: integer arithmetic keeps 80 + 15 exactly 95 (no float edge at a boundary).
        "a_share": int(config["ABC_A_SHARE"]), "ab_share": int(config["ABC_A_SHARE"]) + int(config["ABC_B_SHARE"]),
        "frequent_orders": config["ABC_FREQUENT_ORDERS"], "difficult": config["DIFFICULT_COMPLAINTS"],
        "client_orders": config["CLIENT_ORDERS_12M"],
        "inactive_day": day(config["INACTIVE_DAYS"]), "former_day": day(config["FORMER_DAYS"]),
    }


def _typed(statement: str, params: dict) -> sa.TextClause:
    """Bind dates and datetimes with their SQLAlchemy types so SQLite compares like with like."""
    clause = sa.text(statement)
    binds = []
    for name, value in params.items():
        if f":{name}" not in statement:
            continue
        if isinstance(value, datetime):
            binds.append(sa.bindparam(name, value, type_=sa.DateTime()))
        elif isinstance(value, date):
            binds.append(sa.bindparam(name, value, type_=sa.Date()))
        else:
            binds.append(sa.bindparam(name, value))
    return clause.bindparams(*binds)


def surveys_present(connection) -> bool:
    inspector = sa.inspect(connection)
    return all(inspector.has_table(name) for name in SURVEY_TABLES)


# Steps reported to `progress` (the CLI's progress bar counts them). PostgreSQL's "transitions"
# step also builds the new table's key and index, on the second connection, alongside.
STEPS = {"postgresql": ("figures", "pareto", "aggregate", "transitions", "swap"),
         "portable": ("aggregate", "index", "transitions", "replace", "store")}

# Staging tables of the PostgreSQL recompute: ordinary tables, so both connections see them,
# UNLOGGED (nothing of them needs to survive a crash). Dropped in the final transaction; a run that
# died half-way leaves them behind and the next run drops them first.
STAGING_TABLES = ("recompute_order_figures", "recompute_other_figures", "recompute_pareto", "customer_scores_next")
# pg_advisory_lock key: one recompute at a time (a second one waits for the first to finish).
RECOMPUTE_LOCK = 0x5E6_3E47


def _settings(config) -> list[str]:
    """Session settings for one transaction (SET LOCAL ends with it)."""
    settings = []
    work_mem = str(config.get("RECOMPUTE_WORK_MEM") or "256MB")
    if work_mem.replace("MB", "").replace("GB", "").replace("kB", "").isdigit():
        # The sorts and hash tables over all customers stay in memory.
        settings.append(f"SET LOCAL work_mem = '{work_mem}'")
    # JIT compiling these statements' hundreds of expressions costs seconds and saves less.
    settings.append("SET LOCAL jit = off")
    # Grouping 5 M orders into 1 M customers: hashing misses the CPU cache on every row; reading the
    # covering index (0008) in customer order and grouping as it streams costs a fraction of it.
    settings.append("SET LOCAL enable_hashagg = off")
    # The work is already split over two connections (two cores); no parallel workers on top.
    settings.append("SET LOCAL max_parallel_workers_per_gather = 0")
    settings.append("SET LOCAL max_parallel_maintenance_workers = 0")
    return settings


def _recompute_postgresql(engine, with_surveys: bool, params: dict, config, step) -> tuple[int, int]:
    """Two connections, so both cores work: the per-customer figures, the Pareto ranking and the new
    rows are computed in halves (by customer id; the ranking by revenue band) side by side into
    UNLOGGED staging tables and a fresh `customer_scores_next`, each half committed on its own
    connection. Then the lead connection opens the one final transaction — the transitions (new vs
    previous rows) — while the helper builds the new table's key and index and analyzes it; the
    final transaction then drops `customer_scores`, renames the new table into its place, drops the
    staging tables and commits: the transitions and the new scores appear together (readers see the
    old table until then), and a failure before leaves `customer_scores` and `segment_transitions`
    as they were. A session advisory lock keeps recomputes one at a time."""
    lead = engine.connect()
    try:
        helper = engine.connect()
    except BaseException:
        lead.close()
        raise
    settings = _settings(config)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recompute")

    def run(connection, *statements, extra: dict | None = None, commit: bool = True):
        """The statements in one transaction (with the settings); the last result."""
        bound = {**params, **(extra or {})}
        for setting in settings:
            connection.execute(sa.text(setting))
        for statement in statements:
            result = connection.execute(_typed(statement, bound))
        if commit:
            connection.commit()
        return result

    def side_by_side(lead_work, helper_work):
        future = pool.submit(helper_work)
        try:
            mine = lead_work()
        except BaseException:
            futures_wait([future])
            raise
        return mine, future.result()

    finished = False
    try:
        lead.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": RECOMPUTE_LOCK})
        lead.commit()
        lowest, highest = lead.execute(sa.text("SELECT MIN(id), MAX(id) FROM customers")).one()
        lowest, highest = (lowest or 0), (highest or 0) + 1

        def halves(share: float) -> tuple[dict, dict]:
            """Customer ids [lowest, cut) for the lead connection and [cut, highest) for the helper."""
            cut = lowest + int((highest - lowest) * share)
            return {"lo": lowest, "hi": cut}, {"lo": cut, "hi": highest}

        run(lead, *(f"DROP TABLE IF EXISTS {table}" for table in STAGING_TABLES),
            "CREATE UNLOGGED TABLE recompute_order_figures WITH (autovacuum_enabled = false) AS "
            f"{_order_figures(postgres=True)} WITH NO DATA",
            "CREATE UNLOGGED TABLE recompute_pareto (customer_id INTEGER, abc_by_revenue TEXT, pareto_share NUMERIC) "
            "WITH (autovacuum_enabled = false)",
            # The new table as the model has it (columns, NOT NULL, defaults); key and index come later.
            "CREATE TABLE customer_scores_next (LIKE customer_scores INCLUDING DEFAULTS) "
            "WITH (autovacuum_enabled = false)")

        figures_half = "INSERT INTO recompute_order_figures " + _order_figures(True, f" AND {_HALF}")
        # The helper also computes the side figures (~a tenth of the orders' time): the lead takes more ids.
        lead_ids, helper_ids = halves(0.55)
        with step("figures"):
            # Orders grouped in two halves of the customer ids; the small side figures (complaints,
            # root causes, NPS, satisfaction) beside them. ANALYZE: the joins below then know how
            # many customers have figures (a small sample is plenty for that).
            side_by_side(
                lambda: run(lead, figures_half, extra=lead_ids),
                lambda: run(helper, figures_half,
                            "CREATE UNLOGGED TABLE recompute_other_figures WITH (autovacuum_enabled = false) AS "
                            f"{_other_figures(with_surveys)}", extra=helper_ids))
            side_by_side(
                lambda: run(lead, "SET LOCAL default_statistics_target = 10", "ANALYZE recompute_order_figures"),
                lambda: run(helper, "SET LOCAL default_statistics_target = 10", "ANALYZE recompute_other_figures"))

        with step("pareto"):
            # Two bands of revenue, split near the buyers' median (from a sample; any split point
            # gives the same result, a good one halves the time).
            split = lead.execute(sa.text(
                "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY revenue_12m) FROM recompute_order_figures "
                "TABLESAMPLE SYSTEM (2) REPEATABLE (0) WHERE revenue_12m > 0")).scalar()
            if split is None:
                split = lead.execute(sa.text(
                    "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY revenue_12m) FROM recompute_order_figures "
                    "WHERE revenue_12m > 0")).scalar() or 0
            total, ahead = lead.execute(sa.text(
                "SELECT SUM(revenue_12m), COALESCE(SUM(revenue_12m) FILTER (WHERE revenue_12m > :split), 0) "
                "FROM recompute_order_figures WHERE revenue_12m > 0"), {"split": split}).one()
            lead.commit()
            band = {"split_revenue": split, "total_revenue": total, "ahead_revenue": ahead}
            top = _PARETO_BAND.format(pareto=_pareto(" AND revenue_12m > :split_revenue"))
            lower = _PARETO_BAND.format(pareto=_pareto(" AND revenue_12m <= :split_revenue", ":ahead_revenue + "))
            if total is not None:  # anyone bought in the last 12 months
                side_by_side(lambda: run(lead, top, extra=band), lambda: run(helper, lower, extra=band))
            # The halves below join it by customer: with statistics, by hash (not sort + merge).
            run(lead, "SET LOCAL default_statistics_target = 10", "ANALYZE recompute_pareto")

        with step("aggregate"):
            columns = ", ".join(SCORE_COLUMNS)
            insert = f"INSERT INTO customer_scores_next ({columns}) {_score_select(with_surveys, postgres=True)}"
            lead_ids, helper_ids = halves(0.5)
            first, second = side_by_side(lambda: run(lead, insert, extra=lead_ids),
                                         lambda: run(helper, insert, extra=helper_ids))
            stored = first.rowcount + second.rowcount

        with step("transitions"):
            # The final transaction begins: the transitions from the new rows vs the previous ones,
            # while the helper builds the model's key and index (customers.models.CustomerScore) once
            # over all rows and analyzes the table (a new table has no statistics).
            indexing = pool.submit(lambda: (
                run(helper, "CREATE UNIQUE INDEX pk_customer_scores_next ON customer_scores_next (customer_id)",
                    "CREATE INDEX ix_customer_scores_next_segments ON customer_scores_next (abc, category, stage)",
                    "ANALYZE customer_scores_next"), time.perf_counter())[1])
            try:
                moved = run(lead, _TRANSITIONS.format(new="customer_scores_next"), commit=False).rowcount
            finally:
                futures_wait([indexing])
            step.alongside("index", indexing.result())

        with step("swap"):
            run(lead, "ALTER TABLE customer_scores_next ADD CONSTRAINT pk_customer_scores_next "
                      "PRIMARY KEY USING INDEX pk_customer_scores_next",
                "ALTER TABLE customer_scores_next RESET (autovacuum_enabled)",
                "DROP TABLE customer_scores",
                "ALTER TABLE customer_scores_next RENAME TO customer_scores",
                "ALTER TABLE customer_scores RENAME CONSTRAINT pk_customer_scores_next TO pk_customer_scores",
                "ALTER INDEX ix_customer_scores_next_segments RENAME TO ix_customer_scores_segments",
                *(f"DROP TABLE {table}" for table in STAGING_TABLES[:-1]))
        finished = True
        return stored, moved
    finally:
        pool.shutdown(wait=True)
        try:
            for connection in (lead, helper):
                if connection.in_transaction():
                    connection.rollback()
            if not finished:  # best effort; the next run drops what is left anyway
                run(lead, *(f"DROP TABLE IF EXISTS {table}" for table in STAGING_TABLES))
            lead.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": RECOMPUTE_LOCK})
            lead.commit()
        except sa.exc.DBAPIError:
            lead.invalidate()  # the server ends the session, and with it the lock
        finally:
            lead.close()
            helper.close()


def _recompute_portable(connection, with_surveys: bool, step) -> tuple[int, int]:
    """SQLite: the new rows into a temporary table, the transitions from it, then replace the rows."""
    columns = ", ".join(SCORE_COLUMNS)
    connection.execute(sa.text("DROP TABLE IF EXISTS score_next"))
    step("aggregate", f"CREATE TEMPORARY TABLE score_next AS {_score_select(with_surveys)}")
    step("index", "CREATE UNIQUE INDEX temp.ix_score_next ON score_next (customer_id)")
    moved = step("transitions", _TRANSITIONS.format(new="score_next")).rowcount
    step("replace", "DELETE FROM customer_scores")
    stored = step("store", f"INSERT INTO customer_scores ({columns}) SELECT {columns} FROM score_next").rowcount
    connection.execute(sa.text("DROP TABLE IF EXISTS score_next"))
    return stored, moved


class _Steps:
    """Times the PostgreSQL steps (`with steps(name): …`) and reports each to `progress` as it starts."""

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
        """Work of the helper connection that ran during the current step, until `finished`."""
        self.seconds[name] = round(finished - self.started, 3)


def recompute_all(now: datetime, config, *, progress: Callable[[str], None] | None = None) -> RecomputeResult:
    """Recompute every customer's scores and segments at `now` and commit.

    SQLite: in the caller's transaction. PostgreSQL: whatever the caller's session has pending is
    committed first (the recompute's own two connections must see it)."""
    session = db.session
    connection = session.connection()
    params = parameters(now, config)
    with_surveys = surveys_present(connection)
    if is_postgresql(connection):
        session.commit()
        steps = _Steps(progress)
        stored, moved = _recompute_postgresql(db.engine, with_surveys, params, config, steps)
        return RecomputeResult(customers=stored, transitions=moved, seconds_by_step=steps.seconds)

    timings: dict[str, float] = {}

    def step(name: str, *statements: str):
        started = time.perf_counter()
        if progress:
            progress(name)
        for statement in statements:
            result = connection.execute(_typed(statement, params))
        timings[name] = round(time.perf_counter() - started, 3)
        return result

    stored, moved = _recompute_portable(connection, with_surveys, step)
    session.commit()
    return RecomputeResult(customers=stored, transitions=moved, seconds_by_step=timings)
