"""Use cases on the customer file that other domains call."""
from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, select

from customers.models import Customer
from extensions import db
from platform_support.database import insert_unless_taken


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_customer_by_email(email: str) -> Customer | None:
    return db.session.scalar(select(Customer).where(Customer.email_normalised == normalise_email(email)))


def find_or_create_customer_by_email(*, email: str, name: str, phone: str = "", language: str = "en",
                                     preferred_channel: str = "email", timezone: str = "") -> Customer:
    """Complaints link to a customer file by e-mail, creating one for a newcomer.

    Runs inside the caller's transaction (no commit here). Two first complaints from the same
    new address at once: `insert_customer_file` lets the first one win and both use its file.
    """
    customer = find_customer_by_email(email)
    if customer is not None:
        return customer
    new = new_customer_for_email(email=email, name=name, phone=phone, language=language,
                                 preferred_channel=preferred_channel, timezone=timezone)
    customer_id, _zone = insert_customer_file(db.session.connection(), new)
    return db.session.get(Customer, customer_id)


def new_customer_for_email(*, email: str, name: str, phone: str = "", language: str = "en",
                           preferred_channel: str = "email", timezone: str = "") -> Customer:
    """A newcomer's customer file as a transient object (not added to the session)."""
    return Customer(name=name, email=email.strip(), email_normalised=normalise_email(email), phone=phone or "",
                    language=language, preferred_channel=preferred_channel, timezone=_known_zone(timezone))


def insert_customer_file(connection, customer: Customer) -> tuple[int, str]:
    """Insert a transient file from `new_customer_for_email` with one Core statement on the
    caller's connection (no ORM flush, no savepoint: the hot path of a public complaint).
    ON CONFLICT DO NOTHING: a concurrent twin that created the file of this address first
    (PostgreSQL; on SQLite between a caller's lock-free lookup and its write lock) wins and its
    file is used. Returns (id, time zone) of the file."""
    table = Customer.__table__
    given = customer.__dict__  # what the object was given; the rest as a flush would fill it in
    row = insert_unless_taken(connection, table, {column.key: given[column.key] for column in table.c if column.key in given},
                              unique_column="email_normalised", returning=("id", "timezone"))
    if row is None:
        row = connection.execute(_file_of_address(), {"email_normalised": given["email_normalised"]}).one()
    return row[0], row[1]


@cache
def _file_of_address():
    table = Customer.__table__
    return select(table.c.id, table.c.timezone).where(table.c.email_normalised == bindparam("email_normalised"))


def _known_zone(name: str | None) -> str:
    """The browser-reported IANA zone of a newcomer (dates in their e-mails read in local time);
    anything unknown is UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    name = (name or "").strip()
    if not name or len(name) > 64:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name
