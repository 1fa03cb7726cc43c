"""Teams' use cases: create/rename, lead, calendar, members, away. Each commits once."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from calendars.models import Calendar
from extensions import db
from platform_support.errors import NotFound, ServiceError
from staff.models import StaffUser
from staff.teams import Team, TeamMember


def all_teams(*, active_only: bool = False) -> list[Team]:
    query = select(Team).order_by(Team.name)
    if active_only:
        query = query.where(Team.active.is_(True))
    return list(db.session.scalars(query))


def get_team(team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    if team is None:
        raise NotFound(_("No such team."))
    return team


def teams_of(staff_user_id: int) -> list[Team]:
    """The active teams a staff member belongs to, by name."""
    return list(db.session.scalars(
        select(Team).join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.staff_user_id == staff_user_id, Team.active.is_(True)).order_by(Team.name)))


def _staff(staff_id: int | None, field: str) -> StaffUser | None:
    if staff_id in (None, "", 0):
        return None
    user = db.session.get(StaffUser, int(staff_id))
    if user is None or not user.active:
        raise ServiceError(_("Choose an active staff member."), {field: [_("Choose an active staff member.")]})
    return user


def save_team(*, name: str, lead_id: int | None = None, calendar_id: int | None = None,
              member_ids: list[int] | None = None, active: bool = True, team_id: int | None = None) -> Team:
    """Create (team_id None) or update a team. The lead is made a member if not one already."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ServiceError(_("Enter a name of at most 100 characters."),
                           {"name": [_("Enter a name of at most 100 characters.")]})
    clash = db.session.scalar(select(Team).where(Team.name == name, Team.id != (team_id or 0)))
    if clash is not None:
        raise ServiceError(_("Another team has this name."), {"name": [_("Another team has this name.")]})
    if calendar_id not in (None, "", 0):
        if db.session.get(Calendar, int(calendar_id)) is None:
            raise ServiceError(_("Choose a calendar."), {"calendar_id": [_("Choose a calendar.")]})
    lead = _staff(lead_id, "lead_id")
    team = get_team(team_id) if team_id else Team()
    team.name, team.lead, team.active = name, lead, active
    team.calendar_id = int(calendar_id) if calendar_id not in (None, "", 0) else None
    db.session.add(team)
    if member_ids is not None:
        wanted = [_staff(i, "member_ids").id for i in dict.fromkeys(int(i) for i in member_ids)]
        if lead is not None and lead.id not in wanted:
            wanted.append(lead.id)
        kept = {m.staff_user_id: m for m in team.memberships}
        team.memberships = [kept.get(i) or TeamMember(staff_user_id=i) for i in wanted]
        for position, membership in enumerate(team.memberships):
            membership.position = position
    elif lead is not None and all(m.staff_user_id != lead.id for m in team.memberships):
        team.memberships.append(TeamMember(staff_user_id=lead.id, position=len(team.memberships)))
    db.session.commit()
    return team


def set_away(team_id: int, staff_user_id: int, *, away: bool, until: date | None = None,
             today: date | None = None) -> TeamMember:
    """Mark a member away (until a date, inclusive, or until marked back) or back."""
    membership = db.session.get(TeamMember, (team_id, staff_user_id))
    if membership is None:
        raise NotFound(_("No such team member."))
    if away and until is not None and today is not None and until < today:
        raise ServiceError(_("The date is in the past."), {"away_until": [_("The date is in the past.")]})
    membership.away, membership.away_until = away, (until if away else None)
    db.session.commit()
    return membership
