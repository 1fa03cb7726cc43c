from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from platform_support.columns import created_at_column

CHANNELS = ("email", "phone", "in_person")


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    founded_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = created_at_column()

    contacts: Mapped[list[Customer]] = relationship(back_populates="organisation")


class Customer(db.Model):
    """A person we serve: an individual, or a key contact person of an organisation."""

    __tablename__ = "customers"
    __table_args__ = (Index("ix_customers_email_lower", "email_normalised", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    # Lower-cased e-mail: complaints find their customer file by it.
    email_normalised: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    job_title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="en")
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="UTC")
    # ISO 3166 alpha-2 (customers.countries); None: DEFAULT_COUNTRY or the language's country —
    # whose holidays the seasonal greetings follow (customers/holiday_greetings.py).
    country: Mapped[str | None] = mapped_column(String(2))
    preferred_channel: Mapped[str] = mapped_column(String(20), nullable=False, default="email")
    # Contact preferences (seed 000): weekdays as "mon,tue,…" (empty: any day) and a local-time
    # window [start, end) in whole hours (None: any hour), in the customer's time zone.
    preferred_days: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    preferred_hour_start: Mapped[int | None] = mapped_column(Integer)
    preferred_hour_end: Mapped[int | None] = mapped_column(Integer)
    surveys_opted_out_at: Mapped[datetime | None] = mapped_column(DateTime)
    greetings_opted_out_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Personal salutation (seed 002): e.g. "Pani Anno", "Иван Петрович"; empty: a neutral form.
    salutation: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    patronymic: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    birthday: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    is_partner: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    disqualified: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    account_owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at_column()

    organisation: Mapped[Organisation | None] = relationship(back_populates="contacts")
    account_owner = relationship("StaffUser")


class Order(db.Model):
    __tablename__ = "orders"
    # INCLUDE (PostgreSQL): the segment recompute reads all it needs from the index, in customer order.
    __table_args__ = (Index("ix_orders_customer_ordered_on", "customer_id", "ordered_on",
                            postgresql_include=["amount", "due_on", "paid_on"]),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), nullable=False)
    external_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    ordered_on: Mapped[date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="EUR")
    due_on: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at_column()


# --- scores, segments and what changes them (issue 3) --------------------------------------------

ABC_CLASSES = ("A", "B", "C")
CATEGORIES = ("devoted", "core", "difficult", "new", "dead")
STAGES = ("prospect", "disqualified", "first_time", "repeat", "client", "advocate", "partner", "inactive", "former")
SEGMENT_DIMENSIONS = ("abc", "category", "stage")


class CustomerScore(db.Model):
    """The latest recompute for one customer: the raw figures, the two scores and the three segments.

    Rewritten for all customers at once by `customers.recompute` (rules: `customers.segment_rules`); the
    figures are kept so that a page or a transition can say *why* a customer sits where it does.
    """

    __tablename__ = "customer_scores"
    __table_args__ = (Index("ix_customer_scores_segments", "abc", "category", "stage"),)

    # No foreign key on purpose: the table is derived and rewritten in bulk by every recompute (a
    # per-row FK check would dominate at a million customers); customers are never hard-deleted
    # (erasure anonymises), and a recompute only writes rows for existing customers.
    customer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    computed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    revenue_12m: Mapped[Decimal] = mapped_column(Numeric(16, 2), nullable=False, default=0)
    revenue_q: Mapped[Decimal] = mapped_column(Numeric(16, 2), nullable=False, default=0)
    revenue_prev_q: Mapped[Decimal] = mapped_column(Numeric(16, 2), nullable=False, default=0)
    orders_12m: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    orders_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_order_on: Mapped[date | None] = mapped_column(Date)
    last_order_on: Mapped[date | None] = mapped_column(Date)
    late_payments_12m: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    overdue_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2), nullable=False, default=0)
    complaints_12m: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    complaints_q: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    top_root_cause_id: Mapped[int | None] = mapped_column(Integer)
    nps_last: Mapped[int | None] = mapped_column(Integer)
    nps_prev: Mapped[int | None] = mapped_column(Integer)
    # Cumulative share of last-12-months revenue up to and including this customer (Pareto), in %.
    pareto_share: Mapped[float | None] = mapped_column(Float)
    satisfaction: Mapped[float | None] = mapped_column(Float)
    loyalty: Mapped[float | None] = mapped_column(Float)
    abc: Mapped[str] = mapped_column(String(1), nullable=False)
    category: Mapped[str] = mapped_column(String(12), nullable=False)
    stage: Mapped[str] = mapped_column(String(16), nullable=False)


class SegmentTransition(db.Model):
    """A customer moved from one segment to another; the figures are the system's stated reasons."""

    __tablename__ = "segment_transitions"
    __table_args__ = (Index("ix_segment_transitions_changed", "changed_at", "id"),
                      Index("ix_segment_transitions_customer", "customer_id", "changed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), nullable=False)
    dimension: Mapped[str] = mapped_column(String(10), nullable=False)
    from_value: Mapped[str] = mapped_column(String(16), nullable=False)
    to_value: Mapped[str] = mapped_column(String(16), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    revenue_q: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    revenue_prev_q: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    complaints_q: Mapped[int | None] = mapped_column(Integer)
    top_root_cause_id: Mapped[int | None] = mapped_column(Integer)
    nps_before: Mapped[int | None] = mapped_column(Integer)
    nps_after: Mapped[int | None] = mapped_column(Integer)
    late_payments_12m: Mapped[int | None] = mapped_column(Integer)
    overdue_amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    last_order_on: Mapped[date | None] = mapped_column(Date)
    satisfaction_before: Mapped[float | None] = mapped_column(Float)
    satisfaction_after: Mapped[float | None] = mapped_column(Float)
    # The real reason, recorded by staff on the quarterly review (customers.segments.STAFF_REASONS).
    staff_reason: Mapped[str | None] = mapped_column(String(30))
    staff_note: Mapped[str | None] = mapped_column(Text)
    staff_reason_at: Mapped[datetime | None] = mapped_column(DateTime)
    staff_reason_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))

    customer: Mapped[Customer] = relationship()


INTERACTION_KINDS = ("call", "meeting", "note", "audit")


class Interaction(db.Model):
    """A staff-logged contact (call, meeting, note) with the minutes it took; also audit notes."""

    __tablename__ = "customer_interactions"
    __table_args__ = (Index("ix_customer_interactions_customer", "customer_id", "occurred_at"),
                      Index("ix_customer_interactions_occurred", "occurred_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()

    staff_user = relationship("StaffUser")


OCCASIONS = ("birthday", "founding_day", "first_deal")
GREETING_OUTCOMES = ("emailed", "task", "opted_out", "capped", "no_address")


class Greeting(db.Model):
    """One greeting decision per customer, occasion and year (the dedupe key), whatever its outcome."""

    __tablename__ = "customer_greetings"
    __table_args__ = (UniqueConstraint("customer_id", "occasion", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), nullable=False)
    occasion: Mapped[str] = mapped_column(String(20), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    outcome: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class CustomerTask(db.Model):
    """Something the account owner must do by hand (e.g. phone a greeting to a phone-only customer)."""

    __tablename__ = "customer_tasks"
    __table_args__ = (Index("ix_customer_tasks_owner", "owner_id", "done_at", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at_column()

    customer: Mapped[Customer] = relationship()
