"""Teams: staff belong to teams (many-to-many); a team has a lead and a calendar (its working hours;
none = the default calendar); a member can be marked away (routing skips them). Teams are
deactivated, never deleted: complaints keep their team_id (a plain column, see complaints.models)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from platform_support.columns import created_at_column


class Team(db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("calendars.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = created_at_column()

    lead = relationship("StaffUser", foreign_keys=[lead_id])
    calendar = relationship("Calendar")
    memberships: Mapped[list[TeamMember]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="TeamMember.staff_user_id")

    @property
    def members(self) -> list:
        return [m.staff_user for m in self.memberships]

    def available_members(self, today: date) -> list:
        """Active members not marked away on `today`."""
        return [m.staff_user for m in self.memberships if m.staff_user.active and not m.is_away(today)]


class TeamMember(db.Model):
    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True,
                                               index=True)
    # Away: from now on (away_until empty) or until that date, inclusive.
    away: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    away_until: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    team: Mapped[Team] = relationship(back_populates="memberships")
    staff_user = relationship("StaffUser")

    def is_away(self, today: date) -> bool:
        return self.away and (self.away_until is None or today <= self.away_until)
