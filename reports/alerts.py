"""Negative-trend detection: the scheduled check that raises alerts and e-mails managers once.

Three rules, each comparing the latest complete period with the ones before it:

- **Score drop** (NPS, CSAT, CES): the last 4 complete weeks against the 12 weeks before,
  pooled. An alert when the score is worse by more than the 95 % margin of error of the
  difference (`stats.score_dropped`) and both periods have at least SURVEY_MIN_N answers.
- **Root cause rising**: last complete week's count of a root cause against the 8 weeks
  before. Weekly counts are modelled as Poisson with the previous weeks' mean as the rate;
  an alert when z = (x - λ) / sqrt(λ + λ/k) > 2.33 (one-sided, about 1 %) and x >= 5
  (`stats.significant_rise`).
- **Category rising**: the same test on the intake category of every complaint received, resolved
  or not (counted live from `complaints`: the category is known at filing, so a surge shows
  while the complaints are still open, not weeks later when their root causes are found).
- **Theme rising**: the same test on the texts customers wrote (complaints, replies, survey
  answers) filed under a theme by `reports.themes`, by the week they were written.
- **SLA under target**: last complete week's first-response or resolution compliance (of the
  complaints whose outcome is known) below SLA_COMPLIANCE_TARGET, with at least 10 outcomes.

Each alert has a dedupe key (rule, subject, period start), so rerunning the check, or two
workers running it at once, raises and e-mails it once.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale, format_date, format_decimal, get_locale
from flask_babel import gettext as _
from sqlalchemy import func, literal_column, select
from sqlalchemy.exc import IntegrityError

from complaints.models import Category, Complaint, RootCause
from extensions import db
from notifications.services import queue_email
from reports import stats, themes
from reports.models import ComplaintDaily, ReportAlert, SurveyDaily, Theme
from reports.survey_stats import METRIC_LABELS, METRICS, score_for
from staff.models import StaffUser

SCORE_RECENT_WEEKS = 4
SCORE_BASELINE_WEEKS = 12
CAUSE_BASELINE_WEEKS = 8
SLA_MIN_OUTCOMES = 10
# The CES question asks how easy it was (1 = very difficult … 7 = very easy): higher is better.
HIGHER_IS_BETTER = {"nps": True, "csat": True, "ces": True}


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _pooled_score(metric: str, start: date, end: date, min_n: int) -> stats.Score:
    row = db.session.execute(
        select(func.sum(SurveyDaily.n), func.sum(SurveyDaily.total), func.sum(SurveyDaily.total_sq),
               func.sum(SurveyDaily.promoters), func.sum(SurveyDaily.detractors))
        .where(SurveyDaily.metric == metric, SurveyDaily.day >= start, SurveyDaily.day < end)).one()
    n, total, total_sq, promoters, detractors = row
    return score_for(metric, int(n or 0), float(total or 0), float(total_sq or 0), int(promoters or 0),
                     int(detractors or 0), min_n=min_n)


def score_drop_findings(now: datetime) -> list[dict]:
    min_n = current_app.config["SURVEY_MIN_N"]
    recent_end = week_start(now.date())
    recent_start = recent_end - timedelta(weeks=SCORE_RECENT_WEEKS)
    base_start = recent_start - timedelta(weeks=SCORE_BASELINE_WEEKS)
    findings = []
    for metric in METRICS:
        latest = _pooled_score(metric, recent_start, recent_end, min_n)
        previous = _pooled_score(metric, base_start, recent_start, min_n)
        if stats.score_dropped(latest, previous, higher_is_better=HIGHER_IS_BETTER[metric]):
            findings.append({
                "kind": "score_drop", "key": f"score_drop:{metric}:{recent_start.isoformat()}",
                "period": recent_start.isoformat(), "metric": metric, "latest": latest.value,
                "latest_margin": latest.margin, "latest_n": latest.n, "previous": previous.value,
                "previous_margin": previous.margin, "previous_n": previous.n})
    return findings


def root_cause_findings(now: datetime) -> list[dict]:
    latest_start = week_start(now.date()) - timedelta(weeks=1)
    base_start = latest_start - timedelta(weeks=CAUSE_BASELINE_WEEKS)
    start_literal = literal_column(f"'{base_start.isoformat()}'")  # a date we formatted: safe inline
    if db.engine.dialect.name == "sqlite":
        week_index = func.cast((func.julianday(ComplaintDaily.day) - func.julianday(start_literal)) / 7, db.Integer)
    else:  # date - date is a whole number of days in PostgreSQL
        week_index = (ComplaintDaily.day - func.cast(start_literal, db.Date)) / 7
    query = (select(ComplaintDaily.root_cause_id, week_index, func.sum(ComplaintDaily.created))
             .where(ComplaintDaily.day >= base_start, ComplaintDaily.day < latest_start + timedelta(weeks=1),
                    ComplaintDaily.owner_id == -1, ComplaintDaily.root_cause_id > 0)
             .group_by(ComplaintDaily.root_cause_id, week_index))
    counts: dict[int, list[int]] = {}
    for cause_id, index, n in db.session.execute(query):
        counts.setdefault(cause_id, [0] * (CAUSE_BASELINE_WEEKS + 1))[int(index)] += int(n or 0)
    causes = {row.id: (row.code, row.name) for row in db.session.execute(select(RootCause.id, RootCause.code, RootCause.name))}
    findings = []
    for cause_id, weeks in counts.items():
        if stats.significant_rise(weeks[-1], weeks[:-1]):
            code, name = causes.get(cause_id, (str(cause_id), ""))
            findings.append(_rise("root_cause_rise", code, latest_start, weeks, root_cause=code, root_cause_name=name))
    return findings


def category_findings(now: datetime) -> list[dict]:
    """A category whose complaints of last complete week (open or resolved) rose significantly."""
    latest_start = week_start(now.date()) - timedelta(weeks=1)
    base_start = latest_start - timedelta(weeks=CAUSE_BASELINE_WEEKS)
    start = datetime.combine(base_start, datetime.min.time())
    end = datetime.combine(latest_start + timedelta(weeks=1), datetime.min.time())
    start_literal = literal_column(f"'{start.isoformat(sep=' ')}'")  # a moment we formatted: safe inline
    if db.engine.dialect.name == "sqlite":
        week_index = func.cast((func.julianday(Complaint.created_at) - func.julianday(start_literal)) / 7, db.Integer)
    else:
        week_index = func.floor(func.extract("epoch", Complaint.created_at - func.cast(start_literal, db.DateTime))
                                / (7 * 86400))
    query = (select(Complaint.category_id, week_index, func.count())
             .where(Complaint.created_at >= start, Complaint.created_at < end, Complaint.category_id.is_not(None))
             .group_by(Complaint.category_id, week_index))
    counts: dict[int, list[int]] = {}
    for category_id, index, n in db.session.execute(query):
        if 0 <= int(index) <= CAUSE_BASELINE_WEEKS:
            counts.setdefault(category_id, [0] * (CAUSE_BASELINE_WEEKS + 1))[int(index)] += int(n or 0)
    categories = {c.id: c for c in db.session.scalars(select(Category))}
    findings = []
    for category_id, weeks in counts.items():
        if stats.significant_rise(weeks[-1], weeks[:-1]):
            category = categories.get(category_id)
            code = category.code if category else str(category_id)
            names = {language: category.name_in(language) for language in current_app.config["LANGUAGES"]} if category else {}
            findings.append(_rise("category_rise", code, latest_start, weeks, category=code, category_names=names))
    return findings


def theme_findings(now: datetime) -> list[dict]:
    """A theme (reports.themes) written about significantly more in the last complete week."""
    latest_start = week_start(now.date()) - timedelta(weeks=1)
    start = datetime.combine(latest_start - timedelta(weeks=CAUSE_BASELINE_WEEKS), datetime.min.time())
    theme_rows = db.session.execute(select(Theme.id, Theme.label, Theme.language)).all()
    counts = themes.weekly_counts([row.id for row in theme_rows], start, CAUSE_BASELINE_WEEKS + 1)
    return [_rise("theme_rise", row.id, latest_start, counts[row.id], theme_id=row.id, theme=row.label,
                  language=row.language)
            for row in theme_rows if stats.significant_rise(counts[row.id][-1], counts[row.id][:-1])]


def _rise(kind: str, key: object, latest_start, weeks: list[int], **what) -> dict:
    """One finding of a weekly count that rose significantly (the last week against the ones before)."""
    latest, previous = weeks[-1], weeks[:-1]
    return {"kind": kind, "key": f"{kind}:{key}:{latest_start.isoformat()}", "period": latest_start.isoformat(),
            **what, "latest": latest, "previous": previous, "z": round(stats.poisson_rise_z(latest, previous), 2)}


def sla_findings(now: datetime) -> list[dict]:
    target = float(current_app.config.get("SLA_COMPLIANCE_TARGET", 90))
    latest_start = week_start(now.date()) - timedelta(weeks=1)
    row = db.session.execute(
        select(func.sum(ComplaintDaily.first_response_met), func.sum(ComplaintDaily.first_response_total),
               func.sum(ComplaintDaily.resolution_met), func.sum(ComplaintDaily.resolution_total))
        .where(ComplaintDaily.day >= latest_start, ComplaintDaily.day < latest_start + timedelta(weeks=1),
               ComplaintDaily.owner_id == -1, ComplaintDaily.root_cause_id == -1)).one()
    fm, ft, rm, rt = (int(v or 0) for v in row)
    findings = []
    for measure, met, total in (("first_response", fm, ft), ("resolution", rm, rt)):
        compliance = stats.share(met, total)
        if total >= SLA_MIN_OUTCOMES and compliance is not None and compliance < target:
            findings.append({"kind": "sla_breach", "key": f"sla_breach:{measure}:{latest_start.isoformat()}",
                             "period": latest_start.isoformat(), "measure": measure, "compliance": compliance,
                             "target": target, "n": total})
    return findings


def _figure(value) -> str:
    """A score, margin, share or z in the reader's locale (11,11 in Polish)."""
    return format_decimal(value, format="#,##0.0#")


def _day(period: str) -> str:
    """The period's first day as the reader writes dates (the finding keeps it as ISO text)."""
    try:
        return format_date(date.fromisoformat(period), "medium")
    except (TypeError, ValueError):
        return period


def _counts(values) -> str:
    return ", ".join(format_decimal(n, format="#,##0") for n in values)


def describe(finding: dict) -> str:
    kind = finding["kind"]
    period = _day(finding["period"])
    if kind == "score_drop":
        return _("%(metric)s fell from %(previous)s (±%(pm)s, n=%(pn)d) to %(latest)s (±%(lm)s, n=%(ln)d) in the 4 weeks from %(period)s.",
                 metric=METRIC_LABELS[finding["metric"]], previous=_figure(finding["previous"]),
                 pm=_figure(finding["previous_margin"]), pn=finding["previous_n"], latest=_figure(finding["latest"]),
                 lm=_figure(finding["latest_margin"]), ln=finding["latest_n"], period=period)
    if kind == "root_cause_rise":
        return _("Complaints with root cause %(code)s rose to %(latest)d in the week from %(period)s (previous weeks: %(previous)s; z = %(z)s).",
                 code=_cause_label(finding), latest=finding["latest"], period=period,
                 previous=_counts(finding["previous"]), z=_figure(finding["z"]))
    if kind == "category_rise":
        return _("Complaints in category %(code)s (resolved or not) rose to %(latest)d in the week from %(period)s (previous weeks: %(previous)s; z = %(z)s).",
                 code=_category_label(finding), latest=finding["latest"], period=period,
                 previous=_counts(finding["previous"]), z=_figure(finding["z"]))
    if kind == "theme_rise":
        return _("Customers wrote about “%(theme)s” %(latest)d times in the week from %(period)s (previous weeks: %(previous)s; z = %(z)s).",
                 theme=finding["theme"], latest=finding["latest"], period=period,
                 previous=_counts(finding["previous"]), z=_figure(finding["z"]))
    measure = _("first responses") if finding["measure"] == "first_response" else _("resolutions")
    return _("Only %(compliance)s %% of %(measure)s were on time in the week from %(period)s (target %(target)s %%, n=%(n)d).",
             compliance=_figure(finding["compliance"]), measure=measure, period=period,
             target=_figure(finding["target"]), n=finding["n"])


def title_of(finding: dict) -> str:
    kind = finding["kind"]
    if kind == "score_drop":
        return _("%(metric)s dropped", metric=METRIC_LABELS[finding["metric"]])
    if kind == "root_cause_rise":
        return _("More complaints about %(code)s", code=_cause_label(finding))
    if kind == "category_rise":
        return _("More complaints in category %(code)s", code=_category_label(finding))
    if kind == "theme_rise":
        return _("Theme rising: %(theme)s", theme=finding["theme"])
    if finding.get("measure") == "resolution":
        return _("Resolutions on time under target")
    if finding.get("measure") == "first_response":
        return _("First responses on time under target")
    return _("SLA compliance under target")


def _cause_label(finding: dict) -> str:
    """The root cause's name (alerts raised before names were kept carry only the code)."""
    return finding.get("root_cause_name") or finding["root_cause"]


def _category_label(finding: dict) -> str:
    names = finding.get("category_names") or {}
    return names.get(str(get_locale() or "en")) or names.get("en") or finding["category"]


def shown(alert: ReportAlert) -> dict:
    """An alert as a reader sees it: title and text in the reader's language, from the finding.
    The stored English title and body stay for the record, and are shown for an alert whose
    finding lacks what the wording needs (raised by an older version)."""
    finding = alert.detail or {}
    title, body = alert.title, alert.body
    if finding.get("kind"):
        try:
            title, body = title_of(finding), describe(finding)
        except (KeyError, TypeError):
            pass
    return {"alert": alert, "kind": alert.kind, "title": title, "body": body, "raised_at": alert.raised_at}


def raise_alert(finding: dict, *, now: datetime) -> ReportAlert | None:
    """Store the alert and queue one e-mail per manager, unless this key was raised before."""
    if db.session.scalar(select(ReportAlert.id).where(ReportAlert.dedupe_key == finding["key"])) is not None:
        return None
    with force_locale("en"):
        alert = ReportAlert(dedupe_key=finding["key"], kind=finding["kind"], period=finding["period"],
                            title=title_of(finding)[:300], body=describe(finding), detail=finding, raised_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(alert)
    except IntegrityError:  # a concurrent check raised it first
        return None
    recipients = db.session.scalars(select(StaffUser).where(StaffUser.active.is_(True),
                                                             StaffUser.role.in_(("manager", "admin")))
                                    .order_by(StaffUser.id))
    for manager in recipients:
        queue_email(kind="alert_raised", to_address=manager.email, to_name=manager.name, template="alert_raised",
                    language=manager.language, context={"finding": finding, "describe": describe, "title_of": title_of},
                    dedupe_key=f"alert:{finding['key']}:{manager.id}", staff_user_id=manager.id, now=now)
    return alert


def check_trends(now: datetime) -> list[ReportAlert]:
    findings = (score_drop_findings(now) + root_cause_findings(now) + category_findings(now) + theme_findings(now)
                + sla_findings(now))
    raised = [alert for alert in (raise_alert(f, now=now) for f in findings) if alert is not None]
    db.session.commit()
    return raised


def check_trends_job(now: datetime) -> int:
    return len(check_trends(now))


def recent_alerts(limit: int = 20) -> list[ReportAlert]:
    return list(db.session.scalars(select(ReportAlert).order_by(ReportAlert.raised_at.desc(), ReportAlert.id.desc())
                                   .limit(limit)))
