"""Refresh the pre-aggregated report tables with set-based INSERT … SELECT … GROUP BY.

The scheduled job recomputes a recent window (complaints still change for weeks after they
arrive: answered, resolved, reopened); an empty table, or `flask reports refresh --full`,
rebuilds everything. Each refresh is one transaction: readers see the old rows or the new.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, func, insert, literal_column, or_, select

from complaints.models import Complaint
from customers.models import SEGMENT_DIMENSIONS, Customer, CustomerScore, Order
from extensions import db
from platform_support.locks import hold_for_transaction
from reports import survey_aggregation
from reports.models import ComplaintDaily, ComplaintSegmentDaily, CustomerValue, ResolutionHistogram, SegmentCount
from reports.sql import day_of, hours_between

RECENT_DAYS = 120
CUSTOMER_VALUE_DAYS = 365
MAX_RESOLUTION_HOURS = 24 * 90
ZERO = literal_column("0")


@dataclass
class RefreshSummary:
    full: bool
    complaint_rows: int
    histogram_rows: int
    customer_rows: int
    survey_rows: int
    segment_rows: int
    complaint_segment_rows: int


def _count_when(condition):
    return func.sum(case((condition, 1), else_=0))


ALL = literal_column("-1")  # the rolled-up dimension: "all owners" / "all root causes"
# Three rollups of the same counts (like GROUPING SETS, written portably): per priority only,
# per priority × owner, per priority × root cause. The dashboard reads the smallest one that has
# the dimensions a chart needs; a chart narrowed by owner *and* root cause reads the complaints.
ROLLUPS = (("all", "all"), ("owner", "all"), ("all", "cause"))


MEASURES = ["created", "resolved", "first_response_met", "first_response_total", "resolution_met",
            "resolution_total"]


def _measures(now: datetime) -> list:
    """The counts every complaint rollup stores (SLA outcomes known at `now`)."""
    return [
        func.count(),
        _count_when(Complaint.resolved_at.is_not(None)),
        _count_when(and_(Complaint.first_responded_at.is_not(None),
                         Complaint.first_responded_at <= Complaint.first_response_due_at)),
        _count_when(or_(Complaint.first_responded_at.is_not(None), Complaint.first_response_due_at < now)),
        _count_when(and_(Complaint.resolved_at.is_not(None), Complaint.resolved_at <= Complaint.resolution_due_at)),
        _count_when(or_(Complaint.resolved_at.is_not(None), Complaint.resolution_due_at < now)),
    ]


def refresh_complaint_segment_daily(now: datetime) -> int:
    """Per day × priority × segment, one GROUP BY per segmentation over complaints ⋈ the current
    scores (full rebuild: segment membership changes with every recompute)."""
    db.session.execute(delete(ComplaintSegmentDaily))
    day = day_of(Complaint.created_at)
    columns = {"abc": CustomerScore.abc, "category": CustomerScore.category, "stage": CustomerScore.stage}
    for dimension in SEGMENT_DIMENSIONS:
        value = columns[dimension]
        query = (select(literal_column(f"'{dimension}'"), value, day, Complaint.priority, *_measures(now))
                 .join(CustomerScore, CustomerScore.customer_id == Complaint.customer_id)
                 .group_by(value, day, Complaint.priority))
        db.session.execute(insert(ComplaintSegmentDaily).from_select(
            ["dimension", "value", "day", "priority", *MEASURES], query))
    return db.session.scalar(select(func.count()).select_from(ComplaintSegmentDaily))


def refresh_complaint_daily(now: datetime, since: datetime | None) -> int:
    day = day_of(Complaint.created_at)
    removal = delete(ComplaintDaily)
    if since is not None:
        removal = removal.where(ComplaintDaily.day >= since.date())
    db.session.execute(removal)
    columns = ["day", "priority", "owner_id", "root_cause_id", "created", "resolved", "first_response_met",
               "first_response_total", "resolution_met", "resolution_total"]
    rows = 0
    for owner_level, cause_level in ROLLUPS:
        # Constants inline (not bound): PostgreSQL must see the GROUP BY expressions as the selected ones.
        owner = func.coalesce(Complaint.owner_id, ZERO) if owner_level == "owner" else ALL
        cause = func.coalesce(Complaint.root_cause_id, ZERO) if cause_level == "cause" else ALL
        groups = [day, Complaint.priority] + ([owner] if owner_level == "owner" else []) + \
            ([cause] if cause_level == "cause" else [])
        query = select(
            day, Complaint.priority, owner, cause,
            *_measures(now),
        ).group_by(*groups)
        if since is not None:
            query = query.where(Complaint.created_at >= since)
        result = db.session.connection().execute(insert(ComplaintDaily).from_select(columns, query))
        rows += max(result.rowcount or 0, 0)
    return rows


def hours_bucket(hours):
    """Whole hours up to 48, then 6-hour steps up to 10 days, then days: a few dozen buckets per
    day instead of one per distinct hour, so the histogram stays small at a million complaints."""
    return case((hours < 48, hours), (hours < 240, hours - hours % 6), else_=hours - hours % 24)


def refresh_resolution_histogram(since: datetime | None) -> int:
    day = day_of(Complaint.resolved_at)
    cap = literal_column(str(MAX_RESOLUTION_HOURS))
    hours = func.min(hours_between(Complaint.created_at, Complaint.resolved_at), cap) \
        if db.engine.dialect.name == "sqlite" else func.least(hours_between(Complaint.created_at, Complaint.resolved_at), cap)
    hours = hours_bucket(hours)
    query = (select(day, Complaint.priority, hours, func.count())
             .where(Complaint.resolved_at.is_not(None)).group_by(day, Complaint.priority, hours))
    removal = delete(ResolutionHistogram)
    if since is not None:
        query = query.where(Complaint.resolved_at >= since)
        removal = removal.where(ResolutionHistogram.day >= since.date())
    db.session.execute(removal)
    result = db.session.connection().execute(insert(ResolutionHistogram).from_select(["day", "priority", "hours", "n"], query))
    return result.rowcount or 0


def refresh_customer_value(now: datetime) -> int:
    """Revenue and handling time per customer over the last year, ranked: one statement."""
    since = now - timedelta(days=CUSTOMER_VALUE_DAYS)
    revenue = (select(Order.customer_id.label("customer_id"), func.sum(Order.amount).label("revenue"))
               .where(Order.ordered_on >= since.date()).group_by(Order.customer_id).subquery())
    handling = (select(Complaint.customer_id.label("customer_id"),
                       func.sum(Complaint.handling_minutes).label("minutes"), func.count().label("complaints"))
                .where(Complaint.created_at >= since).group_by(Complaint.customer_id).subquery())
    revenue_value = func.coalesce(revenue.c.revenue, 0)
    minutes_value = func.coalesce(handling.c.minutes, 0)
    base = (select(Customer.id.label("customer_id"), revenue_value.label("revenue"),
                   minutes_value.label("minutes"), func.coalesce(handling.c.complaints, 0).label("complaints"))
            .outerjoin(revenue, revenue.c.customer_id == Customer.id)
            .outerjoin(handling, handling.c.customer_id == Customer.id)
            .where(Customer.erased_at.is_(None),
                   or_(revenue.c.customer_id.is_not(None), handling.c.customer_id.is_not(None)))
            .subquery())
    order = (base.c.revenue.desc(), base.c.customer_id)
    ranked = select(
        base.c.customer_id, base.c.revenue, base.c.minutes, base.c.complaints,
        func.row_number().over(order_by=order),
        func.coalesce(100.0 * func.sum(base.c.revenue).over(order_by=order, rows=(None, 0))
                      / func.nullif(func.sum(base.c.revenue).over(), 0), 0),
        and_(base.c.minutes > 0,
             func.percent_rank().over(order_by=base.c.minutes) >= 0.75,
             func.percent_rank().over(order_by=base.c.revenue) <= 0.25),
    )
    db.session.execute(delete(CustomerValue))
    result = db.session.connection().execute(insert(CustomerValue).from_select(
        ["customer_id", "revenue", "handling_minutes", "complaints", "revenue_rank", "cumulative_share", "costly"],
        ranked))
    return result.rowcount or 0


def refresh_segment_counts() -> int:
    """Customers per segment: three GROUP BYs over the latest recompute, stored as ~16 rows."""
    from reports.segment_queries import distribution_select
    db.session.execute(delete(SegmentCount))
    result = db.session.connection().execute(insert(SegmentCount).from_select(["dimension", "value", "customers"],
                                                                 distribution_select()))
    return result.rowcount or 0


def refresh_report_aggregates(now: datetime, *, full: bool = False) -> RefreshSummary:
    # Two refreshes at once (two workers, a CLI run beside the worker) would insert the same keys.
    hold_for_transaction(db.session, "reports.refresh")
    if not full and db.session.scalar(select(ComplaintDaily.id).limit(1)) is None:
        full = True
    since = None if full else now - timedelta(days=RECENT_DAYS)
    summary = RefreshSummary(
        full=full,
        complaint_rows=refresh_complaint_daily(now, since),
        histogram_rows=refresh_resolution_histogram(since),
        customer_rows=refresh_customer_value(now),
        survey_rows=survey_aggregation.refresh(now, since),
        segment_rows=refresh_segment_counts(),
        complaint_segment_rows=refresh_complaint_segment_daily(now),
    )
    db.session.commit()
    return summary


def refresh_report_aggregates_job(now: datetime) -> RefreshSummary:
    return refresh_report_aggregates(now)
