"""Satisfaction charts from the daily survey table: NPS, CSAT and CES per week or month with n,
the response rate and the 95 % margin of error; and recovery (customers after a resolved
complaint against customers who never complained)."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from extensions import db
from reports import stats
from reports.charts import Chart
from reports.filters import ReportFilter
from reports.models import SurveyDaily, SurveyInvitationDaily
from reports.sql import period_start

METRICS = ("nps", "csat", "ces")
METRIC_LABELS = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}


def score_for(metric: str, n: int, total: float, total_sq: float, promoters: int, detractors: int,
              *, min_n: int) -> stats.Score:
    if metric == "nps":
        return stats.nps(promoters, detractors, n, min_n=min_n)
    if metric == "csat":
        return stats.csat(promoters, n, min_n=min_n)
    return stats.mean_score(total, total_sq, n, min_n=min_n)


def _sums():
    return (func.sum(SurveyDaily.n), func.sum(SurveyDaily.total), func.sum(SurveyDaily.total_sq),
            func.sum(SurveyDaily.promoters), func.sum(SurveyDaily.detractors))


def scores_by_period(start, end, period: str, *, min_n: int) -> dict[tuple[str, str], stats.Score]:
    """{(period start, metric): Score} — also what the trend check compares."""
    bucket = period_start(SurveyDaily.day, period)
    query = (select(bucket, SurveyDaily.metric, *_sums())
             .where(SurveyDaily.day >= start, SurveyDaily.day <= end)
             .group_by(bucket, SurveyDaily.metric))
    out = {}
    for when, metric, n, total, total_sq, promoters, detractors in db.session.execute(query):
        out[(str(when), metric)] = score_for(metric, int(n or 0), float(total or 0), float(total_sq or 0),
                                            int(promoters or 0), int(detractors or 0), min_n=min_n)
    return out


def response_rates(start, end, period: str) -> dict[str, float | None]:
    bucket = period_start(SurveyInvitationDaily.day, period)
    query = (select(bucket, func.sum(SurveyInvitationDaily.sent), func.sum(SurveyInvitationDaily.answered))
             .where(SurveyInvitationDaily.day >= start, SurveyInvitationDaily.day <= end).group_by(bucket))
    return {str(when): stats.share(int(answered or 0), int(sent or 0)) for when, sent, answered in db.session.execute(query)}


def satisfaction_over_time(filters: ReportFilter, now: datetime) -> Chart:
    min_n = current_app.config["SURVEY_MIN_N"]
    scores = scores_by_period(filters.start, filters.end, filters.period, min_n=min_n)
    rates = response_rates(filters.start, filters.end, filters.period)
    rows = []
    for (when, metric), score in sorted(scores.items()):
        rows.append([when, METRIC_LABELS[metric], score.value if score.enough else None, score.low if score.enough else None,
                     score.high if score.enough else None, score.n, rates.get(when),
                     "" if score.enough else _("too few answers")])
    note = _("Scores with fewer than %(n)d answers are not drawn (too few answers). The band is the 95 %% margin of error.",
             n=min_n)
    if filters.is_narrowed:
        note += " " + _("Satisfaction is shown for all customers; the segment, root cause and owner filters apply to the complaint charts.")
    return Chart("satisfaction", _("Satisfaction over time"),
                 [_("Period"), _("Score"), _("Value"), _("Low (95 %)"), _("High (95 %)"), _("Answers"),
                  _("Response rate (%)"), _("Remark")], rows, kind="band", note=note)


def recovery(filters: ReportFilter, now: datetime) -> Chart:
    min_n = current_app.config["SURVEY_MIN_N"]
    query = (select(SurveyDaily.complained, SurveyDaily.metric, *_sums())
             .where(SurveyDaily.day >= filters.start, SurveyDaily.day <= filters.end)
             .group_by(SurveyDaily.complained, SurveyDaily.metric))
    found = {}
    for complained, metric, n, total, total_sq, promoters, detractors in db.session.execute(query):
        found[(bool(complained), metric)] = score_for(metric, int(n or 0), float(total or 0), float(total_sq or 0),
                                                     int(promoters or 0), int(detractors or 0), min_n=min_n)
    rows = []
    for metric in METRICS:
        for complained, label in ((True, _("After a resolved complaint")), (False, _("Never complained"))):
            score = found.get((complained, metric), stats.Score(None, None, 0, False))
            rows.append([METRIC_LABELS[metric], label, score.value if score.enough else None,
                         score.margin if score.enough else None, score.n,
                         "" if score.enough else _("too few answers")])
    return Chart("recovery", _("Recovery: satisfaction after a resolved complaint"),
                 [_("Score"), _("Customers"), _("Value"), _("Margin (95 %)"), _("Answers"), _("Remark")], rows,
                 kind="grouped")
