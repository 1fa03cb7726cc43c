from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text
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
    __table_args__ = (Index("ix_orders_customer_ordered_on", "customer_id", "ordered_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), nullable=False)
    external_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    ordered_on: Mapped[date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="EUR")
    due_on: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at_column()
