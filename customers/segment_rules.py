"""The segmentation rules: how every customer's figures, scores and segments follow from the rows.

README, "Customers: scores and segments", says the same in words; this module is the one truth
(`customers.segments` only turns the stored values into words). Each rule is a SQL expression or
query over all customers at once, so the runners in `customers.recompute` (SQLite, one statement)
and `customers.recompute_postgresql` (two connections, staged) compute the same figures; they
decide only where rows go and in what order. All moments come in as bound parameters computed
from `now` (`parameters`), so no dialect-specific date arithmetic is needed and a recompute at the
same `now` over the same rows gives the same result.

The rules read complaints and survey answers by table name: they span the data of packages above
customers (`complaints`, `surveys`), which customers does not import. A complaint counts once its
contact address is confirmed (`contact_confirmed_at`, complaints/contact.py): a complaint sent
with somebody else's address cannot change that person's segments.

Windows: 12 months = 365 days, a quarter = 91 days. Money is summed in `CURRENCY`, other
currencies at their `EXCHANGE_RATES` rate (none: no revenue from that order). PostgreSQL sums the exact NUMERIC
amounts; SQLite stores them as REAL, so it sums whole cents (exact integers) and divides once at
the end — the same figures on both.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

# The columns of a customer's row in `customer_scores`, in the order the rules produce them.
SCORE_COLUMNS = (
    "customer_id", "computed_at", "revenue_12m", "revenue_q", "revenue_prev_q", "orders_12m", "orders_total",
    "first_order_on", "last_order_on", "late_payments_12m", "overdue_amount", "complaints_12m", "complaints_q",
    "top_root_cause_id", "nps_last", "nps_prev", "pareto_share", "satisfaction", "loyalty", "abc", "category", "stage")


def parameters(now: datetime, config) -> dict:
    """Every moment and threshold the rules use, from `now` and the settings."""
    today = now.date()

    def day(days: int) -> date:
        return today - timedelta(days=days)

    return {
        "rates": exchange_rates(config),
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


def exchange_rates(config) -> tuple[tuple[str, str], ...]:
    """((currency, rate in the revenue currency), …), the revenue currency first with rate 1 —
    checked by config (codes [A-Z]{3}, rates decimal numbers), so safe to write into SQL."""
    base = config.get("CURRENCY") or "EUR"
    rates = [(base, "1")]
    for pair in filter(None, (config.get("EXCHANGE_RATES") or "").split(",")):
        code, rate = pair.split("=", 1)
        if code != base:
            rates.append((code, rate))
    return tuple(rates)


def rates_needed(connection, rates) -> tuple | None:
    """`rates`, or None when every order is in the revenue currency — then the amounts are summed
    as they are (the figures' SQL stays as fast as before: no per-row CASE). One LIMIT 1 query."""
    base = rates[0][0] if rates else "EUR"
    foreign = connection.execute(sa.text("SELECT 1 FROM orders WHERE currency <> :base LIMIT 1"),
                                 {"base": base}).first()
    return rates if foreign is not None else None


def converted(column: str, rates) -> str:
    """`column` (an amount in the order's currency) in the revenue currency; NULL for a currency
    without a rate (SUM skips it: such an order adds no revenue). `rates` None: as it is."""
    if not rates:
        return column
    if len(rates) == 1:
        return f"CASE WHEN currency = '{rates[0][0]}' THEN {column} END"
    whens = " ".join(f"WHEN '{code}' THEN {column}" + ("" if rate == "1" else f" * {rate}") for code, rate in rates)
    return f"CASE currency {whens} END"


def bind(statement: str, params: dict) -> sa.TextClause:
    """`statement` with the parameters it names, dates and datetimes bound with their SQLAlchemy
    types so SQLite compares like with like."""
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


# --- figures from the orders -----------------------------------------------------------------------

def _sources(rates) -> dict:
    """(rows to group, the money column summed, how a sum becomes an amount), per dialect."""
    in_cents = ("(SELECT customer_id, ordered_on, due_on, paid_on, "
                f"CAST(ROUND(({converted('amount', rates)}) * 100) AS BIGINT) AS cents FROM orders)")
    money = f"({converted('amount', rates)})" if rates else "amount"
    return {"postgresql": ("orders", money, "{}"), "portable": (in_cents, "cents", "{} / 100.0")}


_ORDERS = _sources(None)


def as_money(postgres: bool, column: str) -> str:
    """A summed money column as an amount (SQLite sums cents)."""
    return _ORDERS["postgresql" if postgres else "portable"][2].format(column)


def order_figures(postgres: bool, where: str = "", rates=None) -> str:
    """Per customer with orders: revenue in 12 months, this quarter and the one before, orders in
    12 months and in all, first and last order, late payments in 12 months (paid after the due
    date, or unpaid and due), overdue money (`where`: an extra condition, e.g. a range of ids).
    Money in the revenue currency (`rates`: `exchange_rates`; see `converted`)."""
    source, money, _ = _sources(rates)["postgresql" if postgres else "portable"]
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


# --- satisfaction and the other figures ------------------------------------------------------------

# Satisfaction signals are weighted by age: ≤ 90 days 1.0, ≤ 180 d 0.75, ≤ 365 d 0.5, ≤ 730 d 0.25, older 0.1.
SIGNAL_WEIGHT = """CASE WHEN sig.at > :t90 THEN 1.0 WHEN sig.at > :t180 THEN 0.75 WHEN sig.at > :t365 THEN 0.5
                  WHEN sig.at > :t730 THEN 0.25 ELSE 0.1 END"""

# A complaint's outcome as a satisfaction signal (0–100): resolved or closed and never reopened 70,
# resolved after a reopen 40, open and overdue 10, open within target 40.
COMPLAINT_SIGNALS = """
    SELECT customer_id, COALESCE(resolved_at, created_at) AS at,
           CASE WHEN status IN ('resolved', 'closed') AND reopened_count = 0 THEN 70.0
                WHEN status IN ('resolved', 'closed') THEN 40.0
                WHEN resolution_due_at < :now THEN 10.0
                ELSE 40.0 END AS value
      FROM complaints WHERE created_at <= :now AND contact_confirmed_at IS NOT NULL"""

# Every scored survey answer as a signal (0–100): NPS 0–10 × 10, CSAT 1–5 → (v − 1) × 25,
# CES 1–7 (7 = very easy) → (v − 1) × 100 / 6.
SURVEY_SIGNALS = """
    SELECT r.customer_id, COALESCE(r.submitted_at, r.updated_at) AS at,
           CASE a.qtype WHEN 'nps' THEN a.score * 10.0
                        WHEN 'csat' THEN (a.score - 1) * 25.0
                        ELSE (a.score - 1) * 100.0 / 6 END AS value
      FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id
     WHERE a.qtype IN ('nps', 'csat', 'ces') AND a.score IS NOT NULL
       AND COALESCE(r.submitted_at, r.updated_at) <= :now"""

# The latest and the previous NPS answer per customer (promoter = 9–10).
LAST_TWO_NPS = """
    SELECT customer_id, MAX(CASE WHEN rn = 1 THEN score END) AS nps_last,
           MAX(CASE WHEN rn = 2 THEN score END) AS nps_prev
      FROM (SELECT r.customer_id, a.score,
                   ROW_NUMBER() OVER (PARTITION BY r.customer_id
                                      ORDER BY COALESCE(r.submitted_at, r.updated_at) DESC, a.id DESC) AS rn
              FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id
             WHERE a.qtype = 'nps' AND a.score IS NOT NULL
               AND COALESCE(r.submitted_at, r.updated_at) <= :now) ranked
     WHERE rn <= 2 GROUP BY customer_id"""


def other_figures() -> str:
    """Per customer with any: complaints in 12 months and this quarter, the first complaint, the
    quarter's most frequent root cause, the last two NPS answers, satisfaction (the recency-weighted
    mean of all signals; none without a signal).

    Joined among themselves here (a few per cent of the customers), so the million customers meet
    one join for all of them."""
    return f"""
WITH c AS (
    SELECT customer_id,
           SUM(CASE WHEN created_at > :t365 THEN 1 ELSE 0 END) AS complaints_12m,
           SUM(CASE WHEN created_at > :t91 THEN 1 ELSE 0 END) AS complaints_q,
           MIN(created_at) AS first_complaint_at
      FROM complaints WHERE created_at <= :now AND contact_confirmed_at IS NOT NULL GROUP BY customer_id
), rc AS (
    SELECT customer_id, root_cause_id FROM (
        SELECT customer_id, root_cause_id,
               ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY COUNT(*) DESC, root_cause_id) AS rn
          FROM complaints
         WHERE root_cause_id IS NOT NULL AND created_at > :t91 AND created_at <= :now
           AND contact_confirmed_at IS NOT NULL
         GROUP BY customer_id, root_cause_id) ranked
     WHERE rn = 1
), sat AS (
    SELECT sig.customer_id, SUM({SIGNAL_WEIGHT} * sig.value) / SUM({SIGNAL_WEIGHT}) AS satisfaction
      FROM ({COMPLAINT_SIGNALS}
    UNION ALL{SURVEY_SIGNALS}) sig
     GROUP BY sig.customer_id
), nps AS ({LAST_TWO_NPS}
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


# --- ABC by revenue (Pareto) -----------------------------------------------------------------------

# The total 12-month revenue of the buyers and the limits of A (`ABC_A_SHARE` %) and A + B.
REVENUE_TOTAL = """SELECT SUM(revenue_12m) AS revenue, :a_share * SUM(revenue_12m) AS a_limit,
           :ab_share * SUM(revenue_12m) AS ab_limit
      FROM order_figures WHERE revenue_12m > 0"""


def pareto(band: str = "", ahead: str = "") -> str:
    """Buyers (revenue in 12 months > 0) by revenue, largest first: A while the revenue before a
    customer is within the first `ABC_A_SHARE` % of the total, B within the next `ABC_B_SHARE` %,
    else C; the Pareto share is the cumulative share up to and including the customer.

    Computed on a narrow row (id, revenue), so the one sort of the recompute stays small and in
    memory even at a million customers; the class and the share once per buyer at this level (a
    window level is never merged into the levels above). The totals come in as scalar subqueries
    over `total`. `band` limits the buyers to a band of revenue and `ahead` is the revenue of
    everyone above it (a runner may rank bands side by side: exact sums, the same figures as one
    window over all buyers)."""
    running = f"{ahead}SUM(revenue_12m) OVER running"
    return f"""
    SELECT customer_id,
           CASE WHEN ({running} - revenue_12m) * 100 < (SELECT a_limit FROM total) THEN 'A'
                WHEN ({running} - revenue_12m) * 100 < (SELECT ab_limit FROM total) THEN 'B'
                ELSE 'C' END AS abc_by_revenue,
           ROUND(CAST(({running}) * 100.0 / (SELECT revenue FROM total) AS NUMERIC), 2) AS pareto_share
      FROM order_figures WHERE revenue_12m > 0{band}
    WINDOW running AS (ORDER BY revenue_12m DESC, customer_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"""


# --- scores and segments ---------------------------------------------------------------------------

# ABC adjusted: a B buying ≥ `ABC_FREQUENT_ORDERS` times a year for 2+ years → A; an A with a
# single order and a first order less than 90 days ago (a one-off) → B.
ABC = """CASE WHEN abc_by_revenue = 'B' AND orders_12m >= :frequent_orders AND first_order_on <= :y2 THEN 'A'
                WHEN abc_by_revenue = 'A' AND orders_12m <= 1 AND first_order_on > :d90 THEN 'B'
                ELSE abc_by_revenue END"""

# Loyalty in sixths of a point — 35 × min(orders in 12 months, 6) / 6 for repeat purchasing, then
# whole points × 6: tenure (≥ 3 y 20, ≥ 2 y 15, ≥ 1 y 10, ≥ 180 d 5), latest NPS (9–10: 20, 7–8: 10),
# 15 for buying again after a complaint, − 25 for a lapse (no order for 180 days), − 10 for paying
# late ≥ `DIFFICULT_COMPLAINTS` times. Integer arithmetic, exact; clamped to 0–600 (`loyalty_sixths`).
_LOYALTY_SIXTHS = """35 * (CASE WHEN orders_12m >= 6 THEN 6 ELSE orders_12m END)
         + 6 * (CASE WHEN first_order_on <= :y3 THEN 20 WHEN first_order_on <= :y2 THEN 15
                     WHEN first_order_on <= :y1 THEN 10 WHEN first_order_on <= :d180 THEN 5 ELSE 0 END
              + CASE WHEN nps_last >= 9 THEN 20 WHEN nps_last >= 7 THEN 10 ELSE 0 END
              + CASE WHEN first_complaint_at IS NOT NULL AND last_order_on > first_complaint_at THEN 15 ELSE 0 END
              - CASE WHEN orders_total > 0 AND last_order_on <= :d180 THEN 25 ELSE 0 END
              - CASE WHEN late_payments_12m >= :difficult THEN 10 ELSE 0 END)"""


def loyalty_sixths(postgres: bool) -> str:
    # Written once (GREATEST/LEAST, not CASE): a CASE would repeat it three times per row.
    clamp = "GREATEST(0, LEAST(600, {}))" if postgres else "MAX(0, MIN(600, {}))"
    return clamp.format(_LOYALTY_SIXTHS)


def loyalty(postgres: bool) -> str:
    """Loyalty 0–100 with one decimal, from `loyalty_sixths`; none for someone who never ordered
    nor answered NPS.

    PostgreSQL: in DOUBLE PRECISION, the column's type — the same number as rounding a NUMERIC
    and converting it (tenths of sixths never end in exactly .5, so round() has no tie to break),
    without two NUMERIC operations and a conversion per customer."""
    points = ("round(loyalty_sixths * 5 / CAST(3 AS DOUBLE PRECISION)) / 10" if postgres
              else "ROUND(CAST(loyalty_sixths / 6.0 AS NUMERIC), 1)")
    return f"""CASE WHEN orders_total = 0 AND nps_last IS NULL THEN NULL
            ELSE {points} END"""


# Behavioural category, first match (seed 001):
# dead = a buying history that stopped (an order, none for 180 days), low value (class C) and
#   money trouble (a late payment in 12 months or money overdue) — never someone who has not bought;
# difficult = ≥ `DIFFICULT_COMPLAINTS` complaints or late payments in 12 months;
# new = never ordered (a prospect or a first complaint: too early to judge);
# devoted = latest NPS 9–10; core = the rest.
CATEGORY = """CASE WHEN orders_total > 0 AND abc = 'C' AND last_order_on <= :d180
                 AND (late_payments_12m > 0 OR overdue_amount > 0) THEN 'dead'
            WHEN complaints_12m >= :difficult OR late_payments_12m >= :difficult THEN 'difficult'
            WHEN orders_total = 0 THEN 'new'
            WHEN nps_last >= 9 THEN 'devoted'
            ELSE 'core' END"""

# Lifecycle stage, first match: partner and disqualified (staff flags), former (erased, or no order
# for `FORMER_DAYS`), prospect (never ordered), inactive (no order for `INACTIVE_DAYS`), advocate
# (NPS 9–10 and ≥ 2 orders), client (≥ `CLIENT_ORDERS_12M` orders in 12 months), repeat (≥ 2
# orders), first-time.
STAGE = """CASE WHEN is_partner THEN 'partner'
            WHEN disqualified THEN 'disqualified'
            WHEN erased_at IS NOT NULL THEN 'former'
            WHEN orders_total = 0 THEN 'prospect'
            WHEN last_order_on <= :former_day THEN 'former'
            WHEN last_order_on <= :inactive_day THEN 'inactive'
            WHEN nps_last >= 9 AND orders_total >= 2 THEN 'advocate'
            WHEN orders_12m >= :client_orders THEN 'client'
            WHEN orders_total >= 2 THEN 'repeat'
            ELSE 'first_time' END"""


def all_figures(rates=None) -> str:
    """The figure sources `score_select` reads, computed in one statement (`order_figures`,
    `other_figures`, `total`, `pareto` — what the SQLite runner uses)."""
    return (f"order_figures AS ({order_figures(postgres=False, rates=rates)}),\n"
            f"other_figures AS ({other_figures()}),\n"
            f"total AS ({REVENUE_TOTAL}),\npareto AS ({pareto()})")


def score_select(figures: str, customers: str, *, postgres: bool) -> str:
    """The new row of every customer in `customers` (a FROM item aliased `cu`), columns as
    `SCORE_COLUMNS`: its figures from `figures` (WITH items named `order_figures`,
    `other_figures` and `pareto`, e.g. `all_figures()`), the two scores and the three segments."""
    return f"""
WITH {figures},
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
           {ABC} AS abc,
           {loyalty_sixths(postgres)} AS loyalty_sixths
      FROM base
)
SELECT customer_id, :now AS computed_at, {as_money(postgres, "revenue_12m")} AS revenue_12m,
       {as_money(postgres, "revenue_q")} AS revenue_q, {as_money(postgres, "revenue_prev_q")} AS revenue_prev_q,
       orders_12m, orders_total, first_order_on, last_order_on,
       late_payments_12m, {as_money(postgres, "overdue_amount")} AS overdue_amount, complaints_12m, complaints_q,
       top_root_cause_id, nps_last, nps_prev, pareto_share,
       ROUND(CAST(satisfaction AS NUMERIC), 1) AS satisfaction,
       {loyalty(postgres)} AS loyalty,
       abc,
       {CATEGORY} AS category,
       {STAGE} AS stage
  FROM classed
"""


def transitions_insert(new: str) -> str:
    """INSERT into `segment_transitions` one row per dimension in which a customer's row of `new`
    differs from `customer_scores` (the previous recompute), with the figures that explain the move."""
    return f"""
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
