"""Pre-aggregated report tables (refreshed by `reports.aggregation`) and raised alerts.

The dashboard reads these small tables instead of scanning a million complaints per request.
Dimension columns use 0 for "none" (no owner, no root cause) and -1 for "all" (a rolled-up row),
so they can be part of a unique key.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from platform_support.columns import created_at_column


class ComplaintDaily(db.Model):
    """Complaints by the day they arrived, per priority, in three rollups: all owners and causes
    (owner_id = root_cause_id = -1), per owner (root_cause_id = -1), per root cause (owner_id = -1)."""

    __tablename__ = "report_complaint_daily"
    __table_args__ = (UniqueConstraint("day", "priority", "owner_id", "root_cause_id",
                                       name="uq_report_complaint_daily_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    priority: Mapped[str] = mapped_column(String(20), nullable=False)
    owner_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    root_cause_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    resolved: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # SLA outcomes that are known: "total" counts complaints answered/resolved or already late.
    first_response_met: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_response_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    resolution_met: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    resolution_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ComplaintSegmentDaily(db.Model):
    """The daily complaint counts per priority and customer segment ("abc"/"category"/"stage" and
    its value, from the latest segment recompute): the segment filter of the complaint charts
    reads this instead of joining every complaint to its customer's score. Rebuilt in full by
    each refresh — customers move between segments, so old days change too."""

    __tablename__ = "report_complaint_segment_daily"
    __table_args__ = (UniqueConstraint("dimension", "value", "day", "priority",
                                       name="uq_report_complaint_segment_daily_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension: Mapped[str] = mapped_column(String(10), nullable=False)
    value: Mapped[str] = mapped_column(String(16), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    priority: Mapped[str] = mapped_column(String(20), nullable=False)
    created: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    resolved: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_response_met: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_response_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    resolution_met: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    resolution_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ResolutionHistogram(db.Model):
    """Resolved complaints per day of resolution, priority and hours to resolve (bucketed, capped):
    the median time to resolve is read from this histogram without sorting every complaint."""

    __tablename__ = "report_resolution_hist"
    __table_args__ = (UniqueConstraint("day", "priority", "hours", name="uq_report_resolution_hist_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    priority: Mapped[str] = mapped_column(String(20), nullable=False)
    hours: Mapped[int] = mapped_column(Integer, nullable=False)
    n: Mapped[int] = mapped_column(Integer, nullable=False)


class CustomerValue(db.Model):
    """Revenue and handling time per customer with their revenue rank (the 20/80 view)."""

    __tablename__ = "report_customer_value"
    __table_args__ = (Index("ix_report_customer_value_minutes", "handling_minutes"),)

    customer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revenue: Mapped[float] = mapped_column(Float, nullable=False, default=0)
    handling_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    complaints: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    revenue_rank: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    cumulative_share: Mapped[float] = mapped_column(Float, nullable=False, default=0)
    # Takes much time (top quartile of minutes) and brings little (bottom quartile of revenue).
    costly: Mapped[bool] = mapped_column(db.Boolean, nullable=False, default=False)


class SurveyDaily(db.Model):
    """Survey answers per day, metric and whether the customer had a resolved complaint before
    answering (the recovery comparison). Sums allow means, shares and margins of error."""

    __tablename__ = "report_survey_daily"
    __table_args__ = (UniqueConstraint("day", "metric", "complained", name="uq_report_survey_daily_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    metric: Mapped[str] = mapped_column(String(10), nullable=False)  # nps, csat, ces
    complained: Mapped[bool] = mapped_column(db.Boolean, nullable=False, default=False)
    n: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total: Mapped[float] = mapped_column(Float, nullable=False, default=0)
    total_sq: Mapped[float] = mapped_column(Float, nullable=False, default=0)
    # NPS: promoters (9-10) and detractors (0-6); CSAT: satisfied (4-5 of 5) in `promoters`.
    promoters: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    detractors: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class SurveyInvitationDaily(db.Model):
    """Invitations sent and answered per day sent: the response rate."""

    __tablename__ = "report_invitation_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    sent: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    answered: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class SegmentCount(db.Model):
    """Customers per segment of each segmentation (from the latest segment recompute)."""

    __tablename__ = "report_segment_counts"

    dimension: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(16), primary_key=True)
    customers: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ReportAlert(db.Model):
    """A negative trend found by the scheduled check; `dedupe_key` makes each one unique."""

    __tablename__ = "report_alerts"
    __table_args__ = (Index("ix_report_alerts_raised", "raised_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)  # score_drop, root_cause_rise, sla_breach
    period: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    detail: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    raised_at: Mapped[datetime] = created_at_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)


# Indexes on other domains' tables that the reports (filtered charts, alerts, exports) need.
# Declared here, with the reports that use them; the baseline migration creates them.
from complaints.lifecycle import OPEN_STATES  # noqa: E402
from complaints.models import Complaint  # noqa: E402
from platform_support.database import one_of  # noqa: E402

# Resolution time and root cause stay empty until a complaint is resolved, and are only searched
# for set values: partial indexes, which a new complaint does not touch — every
# public filing maintains every other index on `complaints`.
_RESOLVED = "resolved_at IS NOT NULL"
Index("ix_complaints_resolved", Complaint.resolved_at,
      postgresql_where=db.text(_RESOLVED), sqlite_where=db.text(_RESOLVED))
# (PostgreSQL: with priority and arrival time included, the owner-filtered median time to resolve
# is an index-only scan — 577 ms p95 at 1 M complaints reading the rows.)
Index("ix_complaints_owner_resolved", Complaint.owner_id, Complaint.resolved_at,
      postgresql_include=["priority", "created_at"],
      postgresql_where=db.text(_RESOLVED), sqlite_where=db.text(_RESOLVED))
# Also serves the root-cause foreign key's lookups (no index of its own).
_ROOT_CAUSE = "root_cause_id IS NOT NULL"
Index("ix_complaints_root_cause_created", Complaint.root_cause_id, Complaint.created_at,
      postgresql_where=db.text(_ROOT_CAUSE), sqlite_where=db.text(_ROOT_CAUSE))
# Open complaints by state and age (and owner, for agents): an index-only scan, not the heap.
Index("ix_complaints_status_created_owner", Complaint.status, Complaint.created_at, Complaint.owner_id)
# The staff queue (open complaints by due time, keyset on (resolution_due_at, id)): with several
# open states the (status, due, id) index cannot give the order; this partial index can, so the
# first page stops after 51 rows whatever the number of complaints.
_OPEN = one_of("status", OPEN_STATES)
Index("ix_complaints_open_due", Complaint.resolution_due_at, Complaint.id,
      postgresql_where=db.text(_OPEN), sqlite_where=db.text(_OPEN))


class Theme(db.Model):
    """A theme found in what customers write (reports.themes): one language, a label and the
    keyphrases YAKE found in its most typical texts, and the centroid its new texts are matched
    against (the strongest hashed features, {index: weight})."""

    __tablename__ = "report_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(8), nullable=False, index=True)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    keyphrases: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    centroid: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()


class ThemeMention(db.Model):
    """One text a customer wrote, read by the theme job: a complaint's description ("complaint"),
    an e-mailed or tracking-page reply ("reply", a complaint event) or a survey answer's text
    ("answer"). theme_id NULL: read but in no theme yet (reconsidered by later runs). The text
    itself stays where it was written (erasure there removes it here too: quotes are read live)."""

    __tablename__ = "report_theme_mentions"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_report_theme_mentions_source"),
                      Index("ix_report_theme_mentions_theme", "theme_id", "written_at"),
                      Index("ix_report_theme_mentions_pending", "language", "written_at",
                            sqlite_where=text("theme_id IS NULL"), postgresql_where=text("theme_id IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("report_themes.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(10), nullable=False)
    source_id: Mapped[int] = mapped_column(Integer, nullable=False)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    written_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class ThemeCursor(db.Model):
    """The last id of each source the theme job has read: a run reads only what is newer."""

    __tablename__ = "report_theme_cursors"

    source: Mapped[str] = mapped_column(String(10), primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_at: Mapped[datetime] = created_at_column()
