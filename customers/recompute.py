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
PostgreSQL (`_recompute_postgresql`) keeps the figures in temporary tables, writes the new rows
into a fresh table, indexes it once and swaps it in; SQLite (`_recompute_portable`) computes all
in one SELECT into a temporary table and replaces the rows. Both give the same figures.

The rules (documented in the README, "Scores and segments") live only in the SQL below, so there
is one truth; `customers.segments` holds labels and treatments. All moments come in as bound
parameters computed from `now`, so the statements need no dialect-specific date arithmetic and a
recompute at the same `now` over the same rows gives the same result (deterministic, idempotent).
"""
from __future__ import annotations

from collections.abc import Callable
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


def _order_figures(postgres: bool) -> str:
    """Per customer: revenue and orders in the windows, first/last order, late payments, overdue money."""
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
      FROM {source} priced WHERE ordered_on <= :today
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


def _score_select(with_surveys: bool, postgres: bool = False) -> str:
    """The new row of every customer: its figures, the Pareto class, the scores and the segments."""
    as_money = _ORDERS["postgresql" if postgres else "portable"][2]
    # PostgreSQL has both in temporary tables by now; elsewhere they are the first two CTEs.
    figures = "" if postgres else (f"order_figures AS ({_order_figures(postgres)}),\n"
                                   f"other_figures AS ({_other_figures(with_surveys)}),\n")
    clamp = "GREATEST(0, LEAST(600, {}))" if postgres else "MAX(0, MIN(600, {}))"
    loyalty_sixths = clamp.format(_LOYALTY_SIXTHS)
    # Sixths to points with one decimal. PostgreSQL: in DOUBLE PRECISION, the column's type — the
    # same number as rounding a NUMERIC and converting it (tenths of sixths never end in exactly .5,
    # so round() has no tie to break), without two NUMERIC operations and a conversion per customer.
    loyalty = ("round(loyalty_sixths * 5 / CAST(3 AS DOUBLE PRECISION)) / 10" if postgres
               else "ROUND(CAST(loyalty_sixths / 6.0 AS NUMERIC), 1)")
    return f"""
WITH {figures}total AS (
    SELECT SUM(revenue_12m) AS revenue, :a_share * SUM(revenue_12m) AS a_limit, :ab_share * SUM(revenue_12m) AS ab_limit
      FROM order_figures WHERE revenue_12m > 0
), pareto AS (
    -- The Pareto running sum over buyers only, on a narrow row (id, revenue): the one sort of the
    -- recompute stays small and in memory even at a million customers. The class by revenue and the
    -- share are computed at this level, once per buyer (a window level is never merged into the
    -- levels above, so its expressions are not repeated wherever the class is used).
    -- The totals come in as scalar subqueries (computed once), not joined onto every row to sort.
    SELECT customer_id,
           CASE WHEN (SUM(revenue_12m) OVER running - revenue_12m) * 100 < (SELECT a_limit FROM total) THEN 'A'
                WHEN (SUM(revenue_12m) OVER running - revenue_12m) * 100 < (SELECT ab_limit FROM total) THEN 'B'
                ELSE 'C' END AS abc_by_revenue,
           ROUND(CAST(SUM(revenue_12m) OVER running * 100.0 / (SELECT revenue FROM total) AS NUMERIC), 2)
               AS pareto_share
      FROM order_figures WHERE revenue_12m > 0
    WINDOW running AS (ORDER BY revenue_12m DESC, customer_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
), base AS (
    SELECT cu.id AS customer_id, cu.is_partner, cu.disqualified, cu.erased_at,
           COALESCE(o.revenue_12m, 0) AS revenue_12m, COALESCE(o.revenue_q, 0) AS revenue_q,
           COALESCE(o.revenue_prev_q, 0) AS revenue_prev_q, COALESCE(o.orders_12m, 0) AS orders_12m,
           COALESCE(o.orders_total, 0) AS orders_total, o.first_order_on, o.last_order_on,
           COALESCE(o.late_payments_12m, 0) AS late_payments_12m, COALESCE(o.overdue_amount, 0) AS overdue_amount,
           COALESCE(side.complaints_12m, 0) AS complaints_12m, COALESCE(side.complaints_q, 0) AS complaints_q,
           side.first_complaint_at, side.top_root_cause_id, side.nps_last, side.nps_prev, side.satisfaction,
           COALESCE(p.abc_by_revenue, 'C') AS abc_by_revenue, p.pareto_share
      FROM customers cu
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


# Steps reported to `progress` (the CLI's progress bar counts them).
STEPS = {"postgresql": ("figures", "aggregate", "index", "analyze", "transitions", "swap"),
         "portable": ("aggregate", "index", "transitions", "replace", "store")}


def _postgresql_settings(connection, config) -> None:
    """Session settings for this transaction only (SET LOCAL ends with it)."""
    work_mem = str(config.get("RECOMPUTE_WORK_MEM") or "256MB")
    if work_mem.replace("MB", "").replace("GB", "").replace("kB", "").isdigit():
        # The sorts and hash tables over all customers stay in memory.
        connection.execute(sa.text(f"SET LOCAL work_mem = '{work_mem}'"))
    # JIT compiling these statements' hundreds of expressions costs seconds and saves less.
    connection.execute(sa.text("SET LOCAL jit = off"))
    # Grouping 5 M orders into 1 M customers: hashing misses the CPU cache on every row; reading the
    # covering index (0008) in customer order and grouping as it streams costs a fraction of it.
    connection.execute(sa.text("SET LOCAL enable_hashagg = off"))


def _recompute_postgresql(connection, with_surveys: bool, step) -> tuple[int, int]:
    """The figures into two temporary tables, the new rows into a fresh table, its key and index
    built once, the transitions from it, then it replaces `customer_scores`: no temporary copy of
    the new rows, no row-by-row index upkeep, no TRUNCATE (readers keep the old table until the
    commit)."""
    columns = ", ".join(SCORE_COLUMNS)
    # One recompute at a time (the mode conflicts with itself, not with readers).
    connection.execute(sa.text("LOCK TABLE customer_scores IN SHARE ROW EXCLUSIVE MODE"))
    for table in ("order_figures", "other_figures", "customer_scores_next"):
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
    # Grouped on their own: a plain query may use parallel workers (an INSERT may not), and ANALYZE
    # tells the planner how many customers have figures — it cannot guess that from the tables (a
    # small sample is plenty for that; the statistics die with the tables at commit).
    step("figures", f"CREATE TEMPORARY TABLE order_figures ON COMMIT DROP AS {_order_figures(postgres=True)}",
         f"CREATE TEMPORARY TABLE other_figures ON COMMIT DROP AS {_other_figures(with_surveys)}",
         "SET LOCAL default_statistics_target = 10", "ANALYZE order_figures", "ANALYZE other_figures",
         "SET LOCAL default_statistics_target TO DEFAULT")
    connection.execute(sa.text("CREATE TABLE customer_scores_next (LIKE customer_scores INCLUDING DEFAULTS)"))
    stored = step("aggregate", f"INSERT INTO customer_scores_next ({columns}) "
                               f"{_score_select(with_surveys, postgres=True)}").rowcount
    # The model's key and index (customers.models.CustomerScore), built once over all rows.
    step("index", "ALTER TABLE customer_scores_next ADD CONSTRAINT pk_customer_scores_next PRIMARY KEY (customer_id)",
         "CREATE INDEX ix_customer_scores_next_segments ON customer_scores_next (abc, category, stage)")
    # A new table has no statistics: these serve the transitions' join now and, after the swap,
    # the customer lists.
    step("analyze", "ANALYZE customer_scores_next")
    moved = step("transitions", _TRANSITIONS.format(new="customer_scores_next")).rowcount
    step("swap", "DROP TABLE customer_scores",
         "ALTER TABLE customer_scores_next RENAME TO customer_scores",
         "ALTER TABLE customer_scores RENAME CONSTRAINT pk_customer_scores_next TO pk_customer_scores",
         "ALTER INDEX ix_customer_scores_next_segments RENAME TO ix_customer_scores_segments")
    return stored, moved


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


def recompute_all(now: datetime, config, *, progress: Callable[[str], None] | None = None) -> RecomputeResult:
    """Recompute every customer's scores and segments at `now` in the caller's transaction, then commit."""
    import time

    session = db.session
    connection = session.connection()
    postgres = is_postgresql(connection)
    params = parameters(now, config)
    timings: dict[str, float] = {}

    def step(name: str, *statements: str):
        started = time.perf_counter()
        if progress:
            progress(name)
        for statement in statements:
            result = connection.execute(_typed(statement, params))
        timings[name] = round(time.perf_counter() - started, 3)
        return result

    with_surveys = surveys_present(connection)
    if postgres:
        _postgresql_settings(connection, config)
        stored, moved = _recompute_postgresql(connection, with_surveys, step)
    else:
        stored, moved = _recompute_portable(connection, with_surveys, step)
    session.commit()
    return RecomputeResult(customers=stored, transitions=moved, seconds_by_step=timings)
