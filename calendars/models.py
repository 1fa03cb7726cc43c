"""Calendars: when a team works. `calendar_spans` holds each calendar's open spans in UTC with the
business seconds before each (calendars.business_time), so SQL can count business time too."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from platform_support.columns import created_at_column


class Calendar(db.Model):
    __tablename__ = "calendars"
    __table_args__ = (
        # One default calendar: the one of complaints without a team and of teams without their own.
        Index("uq_calendars_default", "is_default", unique=True,
              sqlite_where=text("is_default"), postgresql_where=text("is_default")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    # weekday ("0" = Monday) -> [[start_minute, end_minute], …] in local time
    hours: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    holiday_country: Mapped[str | None] = mapped_column(String(2))   # ISO 3166-1 alpha-2
    holiday_region: Mapped[str | None] = mapped_column(String(10))   # the `holidays` package's subdivision
    is_default: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # A new random number at every change: compiled calendars cached in a process are keyed by (id, version).
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # The years calendar_spans covers.
    first_year: Mapped[int] = mapped_column(Integer, nullable=False, default=2000)
    last_year: Mapped[int] = mapped_column(Integer, nullable=False, default=2000)
    updated_at: Mapped[datetime] = created_at_column()

    closed_days: Mapped[list[ClosedDay]] = relationship(
        back_populates="calendar", order_by="ClosedDay.day", cascade="all, delete-orphan")


class ClosedDay(db.Model):
    """A custom closed day of one calendar (company holiday, stock-taking, …)."""

    __tablename__ = "calendar_closed_days"
    __table_args__ = (UniqueConstraint("calendar_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendars.id", ondelete="CASCADE"), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    calendar: Mapped[Calendar] = relationship(back_populates="closed_days")


class CalendarSpan(db.Model):
    """One open span of a calendar (naive UTC) and the business seconds before and up to its end,
    counted from the start of the calendar's first year. Rewritten whenever the calendar changes."""

    __tablename__ = "calendar_spans"
    __table_args__ = (Index("ix_calendar_spans_after", "calendar_id", "after_seconds"),)

    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendars.id", ondelete="CASCADE"), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    before_seconds: Mapped[float] = mapped_column(Float, nullable=False)
    after_seconds: Mapped[float] = mapped_column(Float, nullable=False)
