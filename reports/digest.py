"""The weekly manager digest (issue 18): last week's NPS and CSAT with their margins, SLA
compliance, the top themes, the open alerts and the segment moves, by e-mail (HTML + text through
the outbox), in the manager's own language.

Who: active managers and admins who asked for it (`StaffUser.weekly_digest`, set on their own
e-mail settings page or by an administrator) — the people the dashboard shows all of this to.
Agents never get it: the digest has no agent view (their dashboard is narrowed to their own
complaints, and alerts and segment moves are for managers). Every figure comes from the
dashboard's own functions with the recipient as the reader (`restrict_to_actor`, theme
visibility), so the e-mail says nothing the recipient could not see in the app; it quotes no
customer text and no internal note.

When: `send_weekly_digests(now)` runs hourly; from DIGEST_WEEKDAY at DIGEST_HOUR (UTC) it sends
the digest of the last complete Monday–Sunday week, once per manager and week (the outbox's
dedupe key `digest:<manager>:<week start>`, unique, so a second run or a racing worker is a no-op).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale, format_decimal
from sqlalchemy import func, select

from customers.segments import DIMENSION_LABELS
from extensions import db
from notifications.models import OutboxMessage
from notifications.services import queue_email
from reports import complaint_stats, segment_queries, stats, survey_stats, themes
from reports.alerts import shown
from reports.filters import ReportFilter, restrict_to_actor
from reports.models import ReportAlert
from staff.models import StaffUser

TOP_THEMES = 5
OPEN_ALERTS_SHOWN = 10
MOVE_DIMENSIONS = ("abc", "category")


def digest_week(now: datetime) -> tuple[date, date]:
    """(Monday, Sunday) of the last complete week before `now`."""
    monday = now.date() - timedelta(days=now.weekday())
    return monday - timedelta(weeks=1), monday - timedelta(days=1)


def _due_from(now: datetime) -> datetime:
    monday = now.date() - timedelta(days=now.weekday())
    config = current_app.config
    return datetime.combine(monday + timedelta(days=config["DIGEST_WEEKDAY"]), datetime.min.time()) \
        + timedelta(hours=config["DIGEST_HOUR"])


@dataclass
class Digest:
    start: date
    end: date
    nps: stats.Score
    csat: stats.Score
    min_n: int
    first_response: tuple[int, int, float | None]  # met, due, share %
    resolution: tuple[int, int, float | None]
    sla_target: float
    themes: list[dict] = field(default_factory=list)
    open_alerts: list[dict] = field(default_factory=list)
    open_alert_count: int = 0
    moves: list[dict] = field(default_factory=list)


def _week_score(scores: dict, metric: str) -> stats.Score:
    """The one weekly bucket of `survey_stats.scores_by_period` (the dashboard's satisfaction chart)."""
    found = [score for (_when, name), score in scores.items() if name == metric]
    return found[0] if found else stats.Score(None, None, 0, False)


def sla_totals(filters: ReportFilter, now: datetime) -> tuple[tuple[int, int, float | None], tuple[int, int, float | None]]:
    """First responses and resolutions on time over every priority: the sums behind the dashboard's
    "SLA compliance per priority" chart (complaint_stats.complaint_facts)."""
    facts = complaint_stats.complaint_facts(filters, now)
    fm, ft, rm, rt = (int(v or 0) for v in db.session.execute(select(
        func.sum(facts.c.first_response_met), func.sum(facts.c.first_response_total),
        func.sum(facts.c.resolution_met), func.sum(facts.c.resolution_total))).one())
    return (fm, ft, stats.share(fm, ft)), (rm, rt, stats.share(rm, rt))


def digest_for(actor: StaffUser, now: datetime) -> Digest:
    """The figures of one manager's digest, read as that manager reads the dashboard. Segment and
    alert titles are in the current locale (call it under the recipient's)."""
    start, end = digest_week(now)
    min_n = current_app.config["SURVEY_MIN_N"]
    scores = survey_stats.scores_by_period(start, end, "week", min_n=min_n)
    filters = restrict_to_actor(ReportFilter(start=start, end=end, period="week"), actor)
    first_response, resolution = sla_totals(filters, now)
    # Themes: the dashboard's list at the week's end, ranked by last week's mentions; no quotes.
    week_end = datetime.combine(end + timedelta(days=1), datetime.min.time())
    found = themes.dashboard_themes(actor, week_end, limit=50, quotes_per_theme=0)
    top = sorted((t for t in found if t["weeks"][-2] > 0), key=lambda t: (-t["weeks"][-2], t["theme"].id))[:TOP_THEMES]
    top_themes = [{"label": ", ".join(t["phrases"][:3]) or t["theme"].label, "count": t["weeks"][-2],
                   "trend": t["trend"]} for t in top]
    open_query = select(ReportAlert).where(ReportAlert.acknowledged_at.is_(None))
    open_count = db.session.scalar(select(func.count()).select_from(open_query.subquery())) or 0
    alerts = [shown(alert) for alert in db.session.scalars(
                   open_query.order_by(ReportAlert.raised_at.desc(), ReportAlert.id.desc()).limit(OPEN_ALERTS_SHOWN))]
    moves = []
    for dimension in MOVE_DIMENSIONS:
        rows, _codes, runs = segment_queries.labelled_transition_rows(dimension)
        if rows:
            moves.append({"dimension": str(DIMENSION_LABELS.get(dimension, dimension)), "run": date.fromisoformat(runs[0][:10]),
                          "rows": [{"from": f, "to": t, "n": n} for f, t, n in rows]})
    return Digest(start=start, end=end, nps=_week_score(scores, "nps"), csat=_week_score(scores, "csat"),
                  min_n=min_n, first_response=first_response, resolution=resolution,
                  sla_target=float(current_app.config.get("SLA_COMPLIANCE_TARGET", 90)), themes=top_themes,
                  open_alerts=alerts, open_alert_count=int(open_count), moves=moves)


def number(value: float | None, pattern: str = "0.#") -> str:
    """A figure in the reader's locale (42,5 in Polish); "—" when there is none."""
    return "—" if value is None else format_decimal(value, format=pattern)


def digest_recipients() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).where(
        StaffUser.active.is_(True), StaffUser.weekly_digest.is_(True),
        StaffUser.role.in_(("manager", "admin"))).order_by(StaffUser.id)))


def dedupe_key(manager: StaffUser, start: date) -> str:
    return f"digest:{manager.id}:{start.isoformat()}"


def send_weekly_digests(now: datetime) -> dict:
    """The scheduled job: queue last week's digest for every manager who asked for it, once."""
    if now < _due_from(now):
        return {"queued": 0, "not_yet": True}
    start, _end = digest_week(now)
    queued = 0
    for manager in digest_recipients():
        key = dedupe_key(manager, start)
        if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is not None:
            continue
        with force_locale(manager.language):
            digest = digest_for(manager, now)
        if queue_email(kind="manager_digest", to_address=manager.email, to_name=manager.name,
                       template="manager_digest", language=manager.language, context={"digest": digest, "number": number},
                       dedupe_key=key, staff_user_id=manager.id, now=now) is not None:
            queued += 1
    db.session.commit()
    return {"queued": queued, "not_yet": False}
