"""Pre-breach warnings and escalation levels (issue 17), in business time.

- Warning (level 0): when SLA_WARNING_PERCENT of a target's business time has passed
  (`first_response_warn_at`, `resolution_warn_at`), the owner is told once per due date.
- Escalation levels 1, 2, 3… (`sla_escalation_levels`; default owner → team lead → managers,
  0 / 4 / 8 business hours after the due date). A level without its recipient (no owner, a team
  without a lead, no team) goes to the next one up, at last the managers; nobody gets the same
  breach twice (the outbox dedupe key names the recipient, not the level).
- A complaint waiting for the customer is paused: neither warned nor escalated.
- No mail outside the recipient's opening hours (their team's calendar, else the default one)
  unless the complaint is urgent: it goes at the next pass inside them.

Each notice is an `sla_notices` row per (complaint, clock, level, due date): a pass sends each
once, a moved due date arms them again. Safe to rerun."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, select

from calendars import services as calendar_services
from calendars.models import Calendar
from complaints import lifecycle
from complaints.changes import managers, record_event
from complaints.models import Complaint, SlaNotice
from complaints.sla import business_seconds
from complaints.sla_admin import escalation_levels
from extensions import db
from notifications.services import queue_email
from staff.models import StaffUser
from staff.teams import Team, TeamMember

_ACTIVE = tuple(state for state in lifecycle.OPEN_STATES if state != "waiting")


class _Recipients:
    """Who each level reaches and whether they are at work now (their calendar's opening hours)."""

    def __init__(self, now: datetime):
        self.now = now
        self._managers: list[StaffUser] | None = None
        self._open: dict[int, bool] = {}
        self._default = calendar_services.default_calendar()

    def managers(self) -> list[StaffUser]:
        if self._managers is None:
            self._managers = managers()
        return self._managers

    def for_level(self, complaint: Complaint, recipient: str) -> list[StaffUser]:
        if recipient == "owner" and complaint.owner is not None and complaint.owner.active:
            return [complaint.owner]
        if recipient in ("owner", "team_lead"):
            team = db.session.get(Team, complaint.team_id) if complaint.team_id else None
            if team is not None and team.lead is not None and team.lead.active:
                return [team.lead]
        return self.managers()

    def at_work(self, person: StaffUser) -> bool:
        if person.id not in self._open:
            calendar_id = db.session.scalar(
                select(Team.calendar_id).join(TeamMember, TeamMember.team_id == Team.id)
                .where(TeamMember.staff_user_id == person.id, Team.active.is_(True), Team.calendar_id.is_not(None))
                .order_by(Team.name).limit(1))
            calendar = db.session.get(Calendar, calendar_id) if calendar_id else self._default
            clock = calendar_services.clock_of(calendar)
            self._open[person.id] = clock is None or clock.is_open(self.now)
        return self._open[person.id]


def _noticed(clock: str, level: int, due_column):
    return exists().where(SlaNotice.complaint_id == Complaint.id, SlaNotice.clock == clock,
                          SlaNotice.level == level, SlaNotice.due_at == due_column)


def _mail(kind: str, complaint: Complaint, person: StaffUser, clock: str, due: datetime, now: datetime,
          level: int) -> bool:
    """Queue one notice; False when this person already had it for this due date."""
    prefix = "escalation" if kind == "complaint_escalation" else "sla-warning"
    queued = queue_email(kind=kind, to_address=person.email, to_name=person.name, template=kind,
                         language=person.language,
                         dedupe_key=f"{prefix}:{clock}:{complaint.id}:{due.isoformat()}:{person.id}",
                         context={"complaint": complaint, "breach": clock, "due_at": due, "level": level},
                         staff_user_id=person.id, complaint_id=complaint.id, now=now)
    return queued is not None


def warn_before_breach(*, now: datetime, limit: int = 500) -> int:
    """Tell owners whose complaints have used SLA_WARNING_PERCENT of a target. Returns how many
    warnings were queued."""
    people = _Recipients(now)
    sent = 0
    for clock, warn_column, due_column, extra in (
            ("first_response", Complaint.first_response_warn_at, Complaint.first_response_due_at,
             Complaint.first_responded_at.is_(None)),
            ("resolution", Complaint.resolution_warn_at, Complaint.resolution_due_at, True)):
        candidates = db.session.scalars(
            select(Complaint).where(Complaint.status.in_(_ACTIVE), Complaint.owner_id.is_not(None), extra,
                                    warn_column <= now, due_column > now, ~_noticed(clock, 0, due_column))
            .order_by(warn_column).limit(limit)).all()
        for complaint in candidates:
            owner = complaint.owner
            due = getattr(complaint, f"{clock}_due_at")
            if complaint.priority != "urgent" and not people.at_work(owner):
                continue
            _mail("sla_warning", complaint, owner, clock, due, now, 0)
            db.session.add(SlaNotice(complaint_id=complaint.id, clock=clock, level=0, due_at=due, recipients=1,
                                     created_at=now))
            sent += 1
    db.session.commit()
    return sent


def escalate_overdue(*, now: datetime, limit: int = 500) -> int:
    """Escalate breached clocks level by level. Returns how many escalations mailed someone new."""
    levels = escalation_levels()
    people = _Recipients(now)
    count = 0
    for clock, due_column, extra in (
            ("first_response", Complaint.first_response_due_at, Complaint.first_responded_at.is_(None)),
            ("resolution", Complaint.resolution_due_at, True)):
        for level, recipient, delay_minutes in levels:
            candidates = db.session.scalars(
                select(Complaint).where(Complaint.status.in_(_ACTIVE), extra, due_column < now,
                                        ~_noticed(clock, level, due_column))
                .order_by(due_column).limit(limit)).all()
            for complaint in candidates:
                due = getattr(complaint, f"{clock}_due_at")
                if delay_minutes and business_seconds(complaint, due, now) < delay_minutes * 60:
                    continue
                targets = people.for_level(complaint, recipient)
                if complaint.priority != "urgent" and not all(people.at_work(p) for p in targets):
                    # Outside (someone's) opening hours: the next pass inside them sends it; one
                    # already at work is not made to wait for the others.
                    targets = [p for p in targets if people.at_work(p)]
                    if not targets:
                        continue
                    deferred = True
                else:
                    deferred = False
                new = [p for p in targets if _mail("complaint_escalation", complaint, p, clock, due, now, level)]
                if not deferred:
                    db.session.add(SlaNotice(complaint_id=complaint.id, clock=clock, level=level, due_at=due,
                                             recipients=len(new), created_at=now))
                if new:
                    if getattr(complaint, f"{clock}_escalated_at") is None:
                        setattr(complaint, f"{clock}_escalated_at", now)
                    record_event(complaint, "escalated", now=now, public=False,
                                 detail={"breach": clock, "due_at": due.isoformat(), "level": level,
                                         "to": [p.name for p in new]})
                    count += 1
            db.session.flush()
    db.session.commit()
    return count
