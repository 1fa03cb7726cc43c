"""Complaint charts: volume by week, open by status and age, SLA compliance per priority and per
owner, median time to resolve, root-cause Pareto. All set-based SQL over the pre-aggregated
daily table, or over the complaints themselves when a segment filter needs the customer."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, literal_column, or_, select

from complaints.lifecycle import OPEN_STATES, PRIORITIES, STATE_LABELS
from complaints.models import Complaint, RootCause
from complaints import classification, queries
from complaints.queries import visible_to
from extensions import db
from reports import segment_queries, stats
from reports.charts import Chart
from reports.filters import ReportFilter
from reports.models import ComplaintDaily, ComplaintSegmentDaily, ResolutionHistogram
from reports.sql import day_of, hours_between, period_start
from staff.models import StaffUser

AGE_BUCKETS = ((0, 1), (1, 3), (3, 7), (7, 30), (30, None))


def _count_when(condition):
    return func.sum(case((condition, 1), else_=0))


def _root_cause_id(code: str | None) -> int | None:
    if not code:
        return None
    return db.session.scalar(select(RootCause.id).where(RootCause.code == code)) or -1


def complaint_facts(filters: ReportFilter, now: datetime, by: str | None = None):
    """A subquery shaped like the daily table for the filter: the smallest pre-aggregated rollup
    with the dimensions needed (`by` "owner" or "root_cause" for per-owner / per-cause charts),
    the per-segment rollup for a segment filter alone, or the same aggregate computed live when a
    segment filter is combined with owner or root cause, or both of these are involved."""
    root_cause_id = _root_cause_id(filters.root_cause)
    need_owner = by == "owner" or bool(filters.owner_id)
    need_cause = by == "root_cause" or bool(root_cause_id)
    if not filters.segment and not filters.is_classified and not (need_owner and need_cause):
        query = select(ComplaintDaily.day, ComplaintDaily.priority, ComplaintDaily.owner_id,
                       ComplaintDaily.root_cause_id, ComplaintDaily.created, ComplaintDaily.resolved,
                       ComplaintDaily.first_response_met, ComplaintDaily.first_response_total,
                       ComplaintDaily.resolution_met, ComplaintDaily.resolution_total
                       ).where(ComplaintDaily.day >= filters.start, ComplaintDaily.day <= filters.end,
                               ComplaintDaily.owner_id >= 0 if need_owner else ComplaintDaily.owner_id == -1,
                               ComplaintDaily.root_cause_id >= 0 if need_cause else ComplaintDaily.root_cause_id == -1)
        if filters.owner_id:
            query = query.where(ComplaintDaily.owner_id == filters.owner_id)
        if root_cause_id:
            query = query.where(ComplaintDaily.root_cause_id == root_cause_id)
        return query.subquery("facts")
    parsed_segment = segment_queries.parse_segment(filters.segment)
    if parsed_segment and not need_owner and not need_cause and not filters.is_classified:
        # Segment only: the per-segment rollup (rebuilt by each refresh from the current segments).
        dimension, value = parsed_segment
        rolled = ComplaintSegmentDaily
        return select(rolled.day, rolled.priority, literal_column("-1").label("owner_id"),
                      literal_column("-1").label("root_cause_id"), rolled.created, rolled.resolved,
                      rolled.first_response_met, rolled.first_response_total, rolled.resolution_met,
                      rolled.resolution_total).where(rolled.dimension == dimension, rolled.value == value,
                                                     rolled.day >= filters.start,
                                                     rolled.day <= filters.end).subquery("facts")
    day = day_of(Complaint.created_at)
    # Constants inline (not bound): PostgreSQL must see the GROUP BY expressions as the selected ones.
    owner = func.coalesce(Complaint.owner_id, literal_column("0"))
    cause = func.coalesce(Complaint.root_cause_id, literal_column("0"))
    query = (select(
        day.label("day"), Complaint.priority.label("priority"), owner.label("owner_id"), cause.label("root_cause_id"),
        func.count().label("created"),
        _count_when(Complaint.resolved_at.is_not(None)).label("resolved"),
        _count_when(and_(Complaint.first_responded_at.is_not(None),
                         Complaint.first_responded_at <= Complaint.first_response_due_at)).label("first_response_met"),
        _count_when(or_(Complaint.first_responded_at.is_not(None),
                        Complaint.first_response_due_at < now)).label("first_response_total"),
        _count_when(and_(Complaint.resolved_at.is_not(None),
                         Complaint.resolved_at <= Complaint.resolution_due_at)).label("resolution_met"),
        _count_when(or_(Complaint.resolved_at.is_not(None), Complaint.resolution_due_at < now)).label("resolution_total"),
    ).where(Complaint.created_at >= filters.start_at, Complaint.created_at < filters.end_at)
        .group_by(day, Complaint.priority, owner, cause))
    query = _narrow_live(query, filters, root_cause_id)
    return query.subquery("facts")


def _narrow_live(query, filters: ReportFilter, root_cause_id: int | None):
    if filters.owner_id:
        query = query.where(Complaint.owner_id == filters.owner_id)
    if root_cause_id:
        query = query.where(Complaint.root_cause_id == root_cause_id)
    if filters.segment:
        members = segment_queries.customer_ids_in_segment(filters.segment)
        if members is not None:
            query = query.where(Complaint.customer_id.in_(members))
    return classified(query, filters)


def classified(query, filters: ReportFilter):
    """The category, tag and custom-field filters, as the queue applies them."""
    return queries.narrow_by_classification(query, category=filters.category, tag=filters.tag,
                                            field=filters.field, field_value=filters.field_value)


def volume_by_week(filters: ReportFilter, now: datetime) -> Chart:
    facts = complaint_facts(filters, now)
    week = period_start(facts.c.day, "week")
    rows = db.session.execute(select(week, func.sum(facts.c.created), func.sum(facts.c.resolved))
                              .group_by(week).order_by(week)).all()
    return Chart("volume", _("Complaints per week"), [_("Week"), _("Received"), _("Of these resolved")],
                 [[str(w), int(c or 0), int(r or 0)] for w, c, r in rows], kind="bar")


def open_by_status_and_age(filters: ReportFilter, now: datetime) -> Chart:
    """Open complaints now, by state and how long ago they arrived (the date range does not apply:
    what is open is open)."""
    age_days = case(*[(Complaint.created_at > now - timedelta(days=high), index)
                      for index, (_low, high) in enumerate(AGE_BUCKETS) if high is not None],
                    else_=len(AGE_BUCKETS) - 1)
    inner = select(Complaint.status.label("status"), age_days.label("bucket")).where(Complaint.status.in_(OPEN_STATES))
    inner = _narrow_live(inner, filters, _root_cause_id(filters.root_cause)).subquery()
    query = select(inner.c.status, inner.c.bucket, func.count()).group_by(inner.c.status, inner.c.bucket)
    counts = {(status, bucket): n for status, bucket, n in db.session.execute(query)}
    labels = [_bucket_label(low, high) for low, high in AGE_BUCKETS]
    rows = [[str(STATE_LABELS[s])] + [counts.get((s, i), 0) for i in range(len(AGE_BUCKETS))] for s in OPEN_STATES]
    return Chart("open", _("Open complaints by state and age"), [_("State")] + labels, rows, kind="stacked")


def _bucket_label(low: int, high: int | None) -> str:
    if high is None:
        return _("over %(days)d days", days=low)
    return _("%(low)d–%(high)d days", low=low, high=high)


def sla_by_priority(filters: ReportFilter, now: datetime) -> Chart:
    facts = complaint_facts(filters, now)
    rows = db.session.execute(select(
        facts.c.priority, func.sum(facts.c.first_response_met), func.sum(facts.c.first_response_total),
        func.sum(facts.c.resolution_met), func.sum(facts.c.resolution_total)).group_by(facts.c.priority)).all()
    found = {r[0]: r[1:] for r in rows}
    table = []
    for priority in PRIORITIES:
        fm, ft, rm, rt = (int(v or 0) for v in found.get(priority, (0, 0, 0, 0)))
        table.append([priority, stats.share(fm, ft), ft, stats.share(rm, rt), rt])
    return Chart("sla_priority", _("SLA compliance per priority"), _sla_columns(_("Priority")), table, kind="bar",
                 extra={"target": _sla_target(), "series": [1, 3]})


def sla_by_owner(filters: ReportFilter, now: datetime) -> Chart:
    facts = complaint_facts(filters, now, by="owner")
    rows = db.session.execute(select(
        facts.c.owner_id, func.sum(facts.c.first_response_met), func.sum(facts.c.first_response_total),
        func.sum(facts.c.resolution_met), func.sum(facts.c.resolution_total))
        .group_by(facts.c.owner_id)).all()
    names = dict(db.session.execute(select(StaffUser.id, StaffUser.name)).all())
    table = []
    for owner_id, fm, ft, rm, rt in rows:
        name = names.get(owner_id) or _("Nobody yet")
        table.append([name, stats.share(int(fm or 0), int(ft or 0)), int(ft or 0),
                      stats.share(int(rm or 0), int(rt or 0)), int(rt or 0)])
    table.sort(key=lambda row: str(row[0]))
    return Chart("sla_owner", _("SLA compliance per owner"), _sla_columns(_("Owner")), table, kind="bar",
                 extra={"target": _sla_target(), "series": [1, 3]})


def _sla_columns(first: str) -> list[str]:
    return [first, _("First response on time (%)"), _("First responses due"),
            _("Resolved on time (%)"), _("Resolutions due")]


def _sla_target() -> float:
    from flask import current_app
    return float(current_app.config.get("SLA_COMPLIANCE_TARGET", 90))


def median_time_to_resolve(filters: ReportFilter, now: datetime) -> Chart:
    """Median hours from arrival to resolution per priority, for complaints resolved in range.
    Unfiltered it reads the hours histogram; narrowed, it reads the (indexed) complaints."""
    if not filters.is_narrowed:
        query = (select(ResolutionHistogram.priority, ResolutionHistogram.hours, func.sum(ResolutionHistogram.n))
                 .where(ResolutionHistogram.day >= filters.start, ResolutionHistogram.day <= filters.end)
                 .group_by(ResolutionHistogram.priority, ResolutionHistogram.hours))
    else:
        hours = hours_between(Complaint.created_at, Complaint.resolved_at)
        query = (select(Complaint.priority, hours, func.count())
                 .where(Complaint.resolved_at >= filters.start_at, Complaint.resolved_at < filters.end_at)
                 .group_by(Complaint.priority, hours))
        query = _narrow_live(query, filters, _root_cause_id(filters.root_cause))
    histogram: dict[str, list[tuple[int, int]]] = {}
    for priority, hours_value, n in db.session.execute(query):
        histogram.setdefault(priority, []).append((int(hours_value), int(n)))
    rows = [[p, stats.weighted_median(histogram.get(p, [])), sum(n for _h, n in histogram.get(p, []))]
            for p in PRIORITIES]
    return Chart("resolve_time", _("Median time to resolve"), [_("Priority"), _("Median hours"), _("Resolved")],
                 rows, kind="bar", extra={"series": [1]})


def root_cause_pareto(filters: ReportFilter, now: datetime) -> Chart:
    facts = complaint_facts(filters, now, by="root_cause")
    query = (select(RootCause.code, RootCause.name, func.sum(facts.c.created))
             .join(facts, facts.c.root_cause_id == RootCause.id).group_by(RootCause.code, RootCause.name))
    counted = {code: (name, int(n or 0)) for code, name, n in db.session.execute(query)}
    ordered = stats.pareto([(code, n) for code, (_name, n) in counted.items() if n > 0])
    rows = [[code, counted[code][0], int(n), cumulative] for code, n, cumulative in ordered]
    return Chart("pareto", _("Complaints by root cause"), [_("Code"), _("Root cause"), _("Complaints"),
                                                           _("Cumulative share (%)")], rows, kind="pareto",
                 note=_("Select a bar to list its complaints."))


def complaints_with_root_cause(filters: ReportFilter, code: str, *, actor, limit: int = 200) -> list[Complaint]:
    """The click-through from a Pareto bar: the newest complaints with that cause in range that
    `actor` may see."""
    query = (visible_to(actor).join(RootCause, RootCause.id == Complaint.root_cause_id)
             .where(RootCause.code == code, Complaint.created_at >= filters.start_at,
                    Complaint.created_at < filters.end_at)
             .order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(limit))
    query = _narrow_live(query, filters, None)
    return list(db.session.scalars(query))


def owner_choices() -> list[tuple[int, str]]:
    return [(i, n) for i, n in db.session.execute(select(StaffUser.id, StaffUser.name).order_by(StaffUser.name))]


def root_cause_choices() -> list[tuple[str, str]]:
    return [(c, n) for c, n in db.session.execute(select(RootCause.code, RootCause.name).order_by(RootCause.sort_order))]




def category_choices() -> list[tuple[str, str]]:
    """(code, name in the page's language) of every category, inactive ones too (history)."""
    from flask_babel import get_locale

    language = str(get_locale() or "en")
    return [(c.code, c.name_in(language)) for c in classification.all_categories()]


def custom_field_choices() -> list[tuple[str, str]]:
    """(code, label) of the custom fields; one entry per code (categories may share a code)."""
    seen: dict[str, str] = {}
    for category in classification.all_categories():
        for field in category.fields:
            seen.setdefault(field.code, field.label)
    return sorted(seen.items(), key=lambda item: item[1].lower())
