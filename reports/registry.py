"""Every dashboard chart by name: the function that computes it and who may see it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from flask_babel import lazy_gettext as _l

from reports import complaint_stats, customer_stats, segment_stats, survey_stats
from reports.charts import Chart
from reports.filters import ReportFilter
from staff.models import StaffUser


@dataclass(frozen=True)
class ChartSpec:
    name: str
    compute: Callable[[ReportFilter, datetime], Chart]
    managers_only: bool
    section: str
    title: object = ""


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("satisfaction", survey_stats.satisfaction_over_time, True, "satisfaction", _l("Satisfaction over time")),
    ChartSpec("recovery", survey_stats.recovery, True, "satisfaction", _l("Recovery: satisfaction after a resolved complaint")),
    ChartSpec("volume", complaint_stats.volume_by_week, False, "complaints", _l("Complaints per week")),
    ChartSpec("open", complaint_stats.open_by_status_and_age, False, "complaints", _l("Open complaints by state and age")),
    ChartSpec("sla_priority", complaint_stats.sla_by_priority, False, "complaints", _l("SLA compliance per priority")),
    ChartSpec("sla_owner", complaint_stats.sla_by_owner, True, "complaints", _l("SLA compliance per owner")),
    ChartSpec("resolve_time", complaint_stats.median_time_to_resolve, False, "complaints", _l("Median time to resolve")),
    ChartSpec("pareto", complaint_stats.root_cause_pareto, False, "causes", _l("Complaints by root cause")),
    ChartSpec("segments", segment_stats.distribution, True, "customers", _l("Customers per segment")),
    ChartSpec("transitions", segment_stats.transition_matrix, True, "customers", _l("Segment transitions between the last two recomputes")),
    ChartSpec("revenue", lambda f, now: customer_stats.revenue_pareto(), True, "customers", _l("Revenue by customer rank")),
    ChartSpec("time_revenue", lambda f, now: customer_stats.time_vs_revenue(), True, "customers", _l("Handling time against revenue (last 12 months)")),
)
BY_NAME = {spec.name: spec for spec in CHARTS}


def charts_for(actor: StaffUser) -> list[ChartSpec]:
    return [spec for spec in CHARTS if actor.is_manager or not spec.managers_only]


def chart_for(name: str, actor: StaffUser) -> ChartSpec | None:
    spec = BY_NAME.get(name)
    if spec is None or (spec.managers_only and not actor.is_manager):
        return None
    return spec


SECTIONS = (("satisfaction", _l("Satisfaction")), ("complaints", _l("Complaints")),
            ("causes", _l("Root causes")), ("customers", _l("Customers and segments")))
