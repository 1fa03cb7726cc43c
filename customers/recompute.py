"""Recompute scores and segments for every customer at once (set-based SQL, SQLite and PostgreSQL).

Three statements, whatever the number of customers:
1. `score_next` (a temporary table) ← one INSERT … SELECT: per-customer aggregates of orders,
   complaints and survey answers (GROUP BY), the Pareto running sum (window function), the two
   scores and the three segments (CASE over those figures).
2. `segment_transitions` ← the rows of `score_next` whose segment differs from `customer_scores`,
   with the figures that explain the move.
3. `customer_scores` ← `score_next` (emptied and refilled).

The rules (documented in the README, "Scores and segments") live only in the SQL below, so there
is one truth; `customers.segments` holds labels and treatments. All moments come in as bound
parameters computed from `now`, so the statements need no dialect-specific date arithmetic and a
recompute at the same `now` over the same rows gives the same result (deterministic, idempotent).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable

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


def _score_select(with_surveys: bool) -> str:
    signals = _COMPLAINT_SIGNALS + ("\n    UNION ALL" + _SURVEY_SIGNALS if with_surveys else "")
    nps = _NPS if with_surveys else _NO_NPS
    return f"""
WITH o AS (
    -- Money in whole cents (BIGINT): exact, deterministic and much cheaper to sum than NUMERIC.
    SELECT customer_id,
           SUM(CASE WHEN ordered_on > :y1 THEN cents ELSE 0 END) AS revenue_12m,
           SUM(CASE WHEN ordered_on > :q1 THEN cents ELSE 0 END) AS revenue_q,
           SUM(CASE WHEN ordered_on > :q2 AND ordered_on <= :q1 THEN cents ELSE 0 END) AS revenue_prev_q,
           SUM(CASE WHEN ordered_on > :y1 THEN 1 ELSE 0 END) AS orders_12m,
           COUNT(*) AS orders_total,
           MIN(ordered_on) AS first_order_on,
           MAX(ordered_on) AS last_order_on,
           SUM(CASE WHEN ordered_on > :y1 AND due_on IS NOT NULL
                     AND ((paid_on IS NOT NULL AND paid_on > due_on) OR (paid_on IS NULL AND due_on < :today))
                    THEN 1 ELSE 0 END) AS late_payments_12m,
           SUM(CASE WHEN paid_on IS NULL AND due_on < :today THEN cents ELSE 0 END) AS overdue_amount
      FROM (SELECT customer_id, ordered_on, due_on, paid_on, CAST(ROUND(amount * 100) AS BIGINT) AS cents
              FROM orders WHERE ordered_on <= :today) priced
     GROUP BY customer_id
), c AS (
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
), pareto AS (
    -- The Pareto running sum over buyers only, on a narrow row (id, revenue): the one sort of the
    -- recompute stays small and in memory even at a million customers.
    SELECT customer_id,
           SUM(revenue_12m) OVER (ORDER BY revenue_12m DESC, customer_id
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_revenue,
           SUM(revenue_12m) OVER () AS total_revenue
      FROM o WHERE revenue_12m > 0
), base AS (
    SELECT cu.id AS customer_id, cu.is_partner, cu.disqualified, cu.erased_at,
           COALESCE(o.revenue_12m, 0) AS revenue_12m, COALESCE(o.revenue_q, 0) AS revenue_q,
           COALESCE(o.revenue_prev_q, 0) AS revenue_prev_q, COALESCE(o.orders_12m, 0) AS orders_12m,
           COALESCE(o.orders_total, 0) AS orders_total, o.first_order_on, o.last_order_on,
           COALESCE(o.late_payments_12m, 0) AS late_payments_12m, COALESCE(o.overdue_amount, 0) AS overdue_amount,
           COALESCE(c.complaints_12m, 0) AS complaints_12m, COALESCE(c.complaints_q, 0) AS complaints_q,
           c.first_complaint_at, rc.root_cause_id AS top_root_cause_id,
           nps.nps_last, nps.nps_prev, sat.satisfaction, p.cum_revenue, p.total_revenue
      FROM customers cu
      LEFT JOIN o ON o.customer_id = cu.id
      LEFT JOIN pareto p ON p.customer_id = cu.id
      LEFT JOIN c ON c.customer_id = cu.id
      LEFT JOIN rc ON rc.customer_id = cu.id
      LEFT JOIN nps ON nps.customer_id = cu.id
      LEFT JOIN sat ON sat.customer_id = cu.id
), abc_raw AS (
    SELECT base.*,
           CASE WHEN revenue_12m <= 0 THEN 'C'
                WHEN (cum_revenue - revenue_12m) * 100 < :a_share * total_revenue THEN 'A'
                WHEN (cum_revenue - revenue_12m) * 100 < :ab_share * total_revenue THEN 'B'
                ELSE 'C' END AS abc_by_revenue
      FROM base
), classed AS (
    SELECT abc_raw.*,
           CASE WHEN abc_by_revenue = 'B' AND orders_12m >= :frequent_orders AND first_order_on <= :y2 THEN 'A'
                WHEN abc_by_revenue = 'A' AND orders_12m <= 1 AND first_order_on > :d90 THEN 'B'
                ELSE abc_by_revenue END AS abc
      FROM abc_raw
)
SELECT customer_id, :now AS computed_at, revenue_12m / 100.0 AS revenue_12m, revenue_q / 100.0 AS revenue_q,
       revenue_prev_q / 100.0 AS revenue_prev_q, orders_12m, orders_total, first_order_on, last_order_on,
       late_payments_12m, overdue_amount / 100.0 AS overdue_amount, complaints_12m, complaints_q,
       top_root_cause_id, nps_last, nps_prev,
       CASE WHEN total_revenue > 0 AND revenue_12m > 0
            THEN ROUND(CAST(cum_revenue * 100.0 / total_revenue AS NUMERIC), 2) END AS pareto_share,
       ROUND(CAST(satisfaction AS NUMERIC), 1) AS satisfaction,
       CASE WHEN orders_total = 0 AND nps_last IS NULL THEN NULL ELSE ROUND(CAST(
           CASE WHEN raw_loyalty < 0 THEN 0 WHEN raw_loyalty > 100 THEN 100 ELSE raw_loyalty END AS NUMERIC), 1)
       END AS loyalty,
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
  FROM (SELECT classed.*,
               35.0 * (CASE WHEN orders_12m >= 6 THEN 6 ELSE orders_12m END) / 6
             + CASE WHEN first_order_on <= :y3 THEN 20 WHEN first_order_on <= :y2 THEN 15
                    WHEN first_order_on <= :y1 THEN 10 WHEN first_order_on <= :d180 THEN 5 ELSE 0 END
             + CASE WHEN nps_last >= 9 THEN 20 WHEN nps_last >= 7 THEN 10 ELSE 0 END
             + CASE WHEN first_complaint_at IS NOT NULL AND last_order_on > first_complaint_at THEN 15 ELSE 0 END
             - CASE WHEN orders_total > 0 AND last_order_on <= :d180 THEN 25 ELSE 0 END
             - CASE WHEN late_payments_12m >= :difficult THEN 10 ELSE 0 END AS raw_loyalty
          FROM classed) scored
"""


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
      FROM score_next n JOIN customer_scores o ON o.customer_id = n.customer_id
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


def recompute_all(now: datetime, config, *, progress: Callable[[str], None] | None = None) -> RecomputeResult:
    """Recompute every customer's scores and segments at `now` in the caller's transaction, then commit."""
    import time

    session = db.session
    connection = session.connection()
    postgres = is_postgresql(connection)
    params = parameters(now, config)
    timings: dict[str, float] = {}

    def step(name: str, statement: str):
        started = time.perf_counter()
        if progress:
            progress(name)
        result = connection.execute(_typed(statement, params))
        timings[name] = round(time.perf_counter() - started, 3)
        return result

    columns = ", ".join(SCORE_COLUMNS)
    connection.execute(sa.text("DROP TABLE IF EXISTS score_next"))
    if postgres:
        work_mem = str(config.get("RECOMPUTE_WORK_MEM") or "256MB")
        if work_mem.replace("MB", "").replace("GB", "").replace("kB", "").isdigit():
            connection.execute(sa.text(f"SET LOCAL work_mem = '{work_mem}'"))
        # Temporary work table: no WAL for rows that live a few seconds; dropped at commit.
        step("aggregate", f"CREATE TEMPORARY TABLE score_next ON COMMIT DROP AS {_score_select(surveys_present(connection))}")
    else:
        step("aggregate", f"CREATE TEMPORARY TABLE score_next AS {_score_select(surveys_present(connection))}")
        step("index", "CREATE UNIQUE INDEX temp.ix_score_next ON score_next (customer_id)")
    moved = step("transitions", _TRANSITIONS).rowcount
    if postgres:
        # Refill in bulk and build the secondary index once afterwards (cheaper than maintaining it
        # row by row); TRUNCATE and DROP INDEX are transactional, readers see the old rows until commit.
        step("replace", "TRUNCATE customer_scores")
        connection.execute(sa.text("DROP INDEX IF EXISTS ix_customer_scores_segments"))
        count = step("store", f"INSERT INTO customer_scores ({columns}) SELECT {columns} FROM score_next "
                              "ORDER BY customer_id").rowcount
        step("index", "CREATE INDEX ix_customer_scores_segments ON customer_scores (abc, category, stage)")
    else:
        step("replace", "DELETE FROM customer_scores")
        count = step("store", f"INSERT INTO customer_scores ({columns}) SELECT {columns} FROM score_next").rowcount
    if not postgres:
        connection.execute(sa.text("DROP TABLE IF EXISTS score_next"))
    session.commit()
    return RecomputeResult(customers=count, transitions=moved, seconds_by_step=timings)
