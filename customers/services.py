"""Use cases on the customer file that other domains call."""
from __future__ import annotations

from sqlalchemy import bindparam, lambda_stmt, select, text

from customers.models import Customer
from extensions import db


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
    # What the object was given, else what a flush would fill in: the column's default or NULL.
    given = customer.__dict__
    values = {column.key: given[column.key] if column.key in given
              else None if column.default is None
              else column.default.arg(None) if column.default.is_callable else column.default.arg
              for column in table.c if not column.primary_key}
    row = connection.execute(lambda_stmt(lambda: _insert_file_statement()), values).first()
    if row is None:
        row = connection.execute(select(table.c.id, table.c.timezone).where(
            table.c.email_normalised == values["email_normalised"])).one()
    return row[0], row[1]


def _insert_file_statement():
    """INSERT … ON CONFLICT (email_normalised) DO NOTHING RETURNING id, timezone, the same text on
    SQLite and PostgreSQL, with typed binds. Text because SQLAlchemy cannot cache the compiled
    form of a dialect INSERT with ON CONFLICT (it would compile it on every filing); built inside
    `lambda_stmt`, so SQLAlchemy builds and compiles it once."""
    table = Customer.__table__
    columns = [column for column in table.c if not column.primary_key]
    sql = (f"INSERT INTO {table.name} ({', '.join(c.name for c in columns)}) "
           f"VALUES ({', '.join(':' + c.name for c in columns)}) "
           "ON CONFLICT (email_normalised) DO NOTHING RETURNING id, timezone")
    return text(sql).bindparams(*[bindparam(c.name, type_=c.type) for c in columns]).columns(
        table.c.id, table.c.timezone)


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
