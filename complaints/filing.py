"""A new complaint (public web form, API, and later e-mail and staff on behalf of a customer):
checks, customer file, SLA clocks, the public "created" event and the acknowledgement, in one
transaction."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import bindparam, literal, select, text
from sqlalchemy.exc import IntegrityError

from complaints import links, signals, uploads
from complaints.acknowledgement import compose_acknowledgement
from complaints.changes import attach_uploads
from complaints.contact import STAFF_ENTERED
from complaints.models import Complaint, ComplaintEvent, SlaTarget
from complaints.priority_rules import complaint_priority_expression
from complaints.sla import DEFAULT_SLA_HOURS
from customers.models import Customer
from customers.services import insert_customer_file, new_customer_for_email, normalise_email
from extensions import db
from notifications.models import OutboxMessage
from notifications.services import OUTBOX_COLUMNS, outbox_values, queue_many
from platform_support.clock import utcnow
from platform_support.database import DriverStatement, driver_connection, insert_columns
from platform_support.tokens import hash_secret, new_reference, new_secret


@dataclass
class NewComplaint:
    """What the public form and the API collect. Validation of shape happens in the form/API layer;
    the rules that need the database or the configuration are checked here."""
    name: str
    email: str
    description: str
    subject: str = ""
    order_reference: str = ""
    occurred_on: date | None = None
    desired_outcome: str = ""
    phone: str = ""
    preferred_channel: str = "email"
    language: str = "en"
    timezone: str = ""  # IANA name reported by the browser; a newcomer's file gets it
    channel: str = "web"  # how it reached us (complaints.models.CHANNELS): the API says "api"
    attachments: list[uploads.Upload] = field(default_factory=list)


@dataclass(frozen=True)
class FiledComplaint:
    complaint_id: int
    tracking_token: str
    created: bool  # False when a double submit returned the first complaint
    # Known before the commit: answering with them costs no second transaction.
    reference: str = ""
    language: str = "en"
    # Of a new complaint (what `complaint_created` receivers get; a double submit leaves them unset).
    customer_id: int | None = None
    priority: str = "normal"

    @property
    def complaint(self) -> Complaint:
        return db.session.get(Complaint, self.complaint_id)

    @property
    def tracking_url(self) -> str:
        return tracking_url(self.tracking_token)


def tracking_url(token: str) -> str:
    return f"{current_app.config['BASE_URL']}/track/{token}"



_CUSTOMER_PRIORITY_AND_SLA = None
_TWIN = None


class KnownCustomer(NamedTuple):
    """What filing needs of an existing customer file (read without loading the whole file)."""
    id: int
    name: str
    language: str
    timezone: str
    salutation: str
    patronymic: str


def _customer_priority_and_sla(connection, email: str) -> tuple[KnownCustomer | None, str, tuple[int, int]]:
    """One query for what a new complaint needs to know first: the customer file of this address
    (None for a newcomer), the priority its segments give (`complaint_priority_expression`; a newcomer has
    no segments yet: "normal") and the SLA targets of that priority (defaults when none is set)."""
    global _CUSTOMER_PRIORITY_AND_SLA
    if _CUSTOMER_PRIORITY_AND_SLA is None:
        # Built once: constructing this statement costs more than running it.
        one_row = select(literal(1).label("one")).subquery()
        priority = complaint_priority_expression(Customer.id)
        _CUSTOMER_PRIORITY_AND_SLA = DriverStatement(
            select(Customer.id, Customer.name, Customer.language, Customer.timezone, Customer.salutation,
                   Customer.patronymic, priority, SlaTarget.first_response_hours, SlaTarget.resolution_hours)
            .select_from(one_row)
            .outerjoin(Customer, Customer.email_normalised == bindparam("email_normalised"))
            .outerjoin(SlaTarget, SlaTarget.priority == priority))
    row = _CUSTOMER_PRIORITY_AND_SLA.first(connection, {"email_normalised": normalise_email(email)})
    customer_id, name, language, zone, salutation, patronymic, priority_value, first_hours, resolution_hours = row
    customer = None
    if customer_id is not None:
        customer = KnownCustomer(customer_id, name, language, zone, salutation, patronymic)
    priority_value = priority_value or "normal"
    if first_hours is None:
        hours = DEFAULT_SLA_HOURS[priority_value]
    else:
        hours = (first_hours, resolution_hours)
    return customer, priority_value, hours


def _twin(connection, key_hash: str, token: str) -> FiledComplaint | None:
    """The complaint an earlier submission with the same key filed, if any."""
    global _TWIN
    if _TWIN is None:
        _TWIN = DriverStatement(select(Complaint.id, Complaint.reference, Complaint.language).where(
            Complaint.submission_key == bindparam("key_hash")))
    row = _TWIN.first(connection, {"key_hash": key_hash})
    if row is None:
        return None
    complaint_id, reference, language = row
    return FiledComplaint(complaint_id, token, created=False, reference=reference, language=language)



def _tracking_token_for(submission_key: str | None) -> str:
    """A double submit of the same form must lead to the same tracking link, so the token is
    derived from the (secret, per-form) submission key with the server's key; otherwise random."""
    if not submission_key:
        return new_secret()
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), b"tracking:" + submission_key.encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")



def _lookups(connection, email: str, key_hash: str | None, token: str):
    """(an earlier filing of the same submission, or else: customer file, priority, SLA hours)."""
    twin = _twin(connection, key_hash, token) if key_hash else None
    if twin is not None:
        return twin, None, None, None
    return None, *_customer_priority_and_sla(connection, email)


# A filing's INSERTs, run on the driver's cursor (`DriverStatement`): every column given.
_COMPLAINT_COLUMNS = insert_columns(Complaint.__table__)
_EVENT_COLUMNS = insert_columns(ComplaintEvent.__table__)
_INSERT_COMPLAINT = DriverStatement(Complaint.__table__.insert().returning(Complaint.__table__.c.id),
                                    _COMPLAINT_COLUMNS)
_INSERT_EVENT_RETURNING_ID = DriverStatement(
    ComplaintEvent.__table__.insert().returning(ComplaintEvent.__table__.c.id), _EVENT_COLUMNS)
_FILING_POSTGRESQL = None


# The "created" event of a filing: all fixed but its time (the complaint's).
_CREATED_EVENT = {"kind": "created", "public": True, "body": "", "detail": {}, "actor_staff_id": None,
                  "by_customer": True, "minutes": 0}


def _insert_filing(connection, values: dict, email: dict) -> tuple[int, int]:
    """The complaint (`values`), its "created" event and its acknowledgement (`email`, without
    complaint_id). Returns (complaint id, event id). PostgreSQL: one statement, data-modifying
    CTEs — two round trips fewer per public filing; elsewhere three INSERTs."""
    if connection.dialect.name == "postgresql":
        return _filing_statement_postgresql().first(connection, {
            **{"c_" + name: values[name] for name in _COMPLAINT_COLUMNS},
            **{"m_" + name: email[name] for name in OUTBOX_COLUMNS if name != "complaint_id"}})
    complaint_id = _INSERT_COMPLAINT.scalar(connection, values)
    email["complaint_id"] = complaint_id
    event_id = _INSERT_EVENT_RETURNING_ID.scalar(
        connection, {**_CREATED_EVENT, "complaint_id": complaint_id, "created_at": values["created_at"]})
    queue_many([email])
    return complaint_id, event_id


def _sql_constant(value) -> str:
    """One of _CREATED_EVENT's fixed values (our constants, never input) as a PostgreSQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return _sql_constant(json.dumps(value)) + "::json"
    return "'" + str(value).replace("'", "''") + "'"


def _filing_statement_postgresql() -> DriverStatement:
    """The event's fixed values are written into the statement, so it has under 50 parameters:
    psycopg caches the conversion of its placeholders only up to that many (above, it parses the
    statement again on every execution)."""
    global _FILING_POSTGRESQL
    if _FILING_POSTGRESQL is None:
        parts, binds = {}, []
        for prefix, table, names in (("c_", Complaint.__table__, _COMPLAINT_COLUMNS),
                                     ("m_", OutboxMessage.__table__, OUTBOX_COLUMNS)):
            names = [name for name in names if name != "complaint_id"]
            parts[prefix] = (", ".join(names), ", ".join(f":{prefix}{name}" for name in names))
            binds += [bindparam(prefix + name, type_=table.c[name].type) for name in names]
        event_columns = ", ".join(_CREATED_EVENT)
        event_values = ", ".join(_sql_constant(value) for value in _CREATED_EVENT.values())
        sql = (f"WITH filed AS (INSERT INTO complaints ({parts['c_'][0]}) VALUES ({parts['c_'][1]}) RETURNING id), "
               f"created AS (INSERT INTO complaint_events (complaint_id, {event_columns}, created_at) "
               f"SELECT id, {event_values}, :c_created_at FROM filed RETURNING id), "
               f"acknowledged AS (INSERT INTO outbox_messages (complaint_id, {parts['m_'][0]}) "
               f"SELECT id, {parts['m_'][1]} FROM filed) "
               "SELECT filed.id, created.id FROM filed, created")
        _FILING_POSTGRESQL = DriverStatement(text(sql).bindparams(*binds))
    return _FILING_POSTGRESQL


def file_complaint(new: NewComplaint, *, submission_key: str | None = None, now: datetime | None = None,
                   commit: bool = True, acknowledgement_headers: dict | None = None) -> FiledComplaint:
    """A customer complains (web form or API). Creates or links the customer file, starts the SLA
    clocks, records the public 'received' event and queues the empathetic acknowledgement.

    The hot path of the product, written for a short write transaction: everything that needs no
    lock (checks, token and hashes, the lookup of customer, priority and SLA, rendering the e-mail)
    comes first; then a few prepared Core INSERTs (customer file if new, complaint, event, outbox
    row), the signal receivers and the commit. On SQLite, whose one write lock serialises every
    writer, the lookup runs in a read transaction of its own, so the lock is held only for the
    INSERTs.

    `commit=False` leaves the commit to the caller (an e-mail: the stored message commits with its
    complaint); `acknowledgement_headers` go on the acknowledgement (an e-mail's In-Reply-To)."""
    now = now or utcnow()
    accepted = uploads.check_uploads(new.attachments)
    language = new.language if new.language in current_app.config["LANGUAGES"] else "en"
    key_hash = hash_secret(submission_key) if submission_key else None
    token = _tracking_token_for(submission_key)
    session = db.session()  # the request's Session itself (the scoped proxy lacks in_transaction)
    # Read apart only from an idle session (the request's case): ending the read must not end a
    # transaction or drop changes the caller has under way.
    read_apart = (session.get_bind().dialect.name == "sqlite" and not session.in_transaction()
                  and not (session.new or session.dirty or session.deleted))
    if read_apart:
        # A connection of its own, outside the session and any transaction: each SELECT reads on
        # its own and takes no lock. The session's first statement below then takes the write lock.
        with driver_connection(db.engine) as connection:
            twin, customer, priority, hours = _lookups(connection, new.email, key_hash, token)
    else:
        twin, customer, priority, hours = _lookups(session.connection(), new.email, key_hash, token)
    if twin is not None:
        return twin

    if customer is None:
        customer = new_customer_for_email(email=new.email, name=new.name, phone=new.phone, language=language,
                                          preferred_channel=new.preferred_channel, timezone=new.timezone)
    values = {
        "reference": new_reference(), "tracking_token_hash": hash_secret(token), "submission_key": key_hash,
        "customer_id": customer.id, "contact_name": new.name.strip(), "contact_email": new.email.strip(),
        "contact_phone": new.phone.strip(), "preferred_channel": new.preferred_channel, "language": language,
        "subject": new.subject.strip(), "description": new.description.strip(),
        "order_reference": new.order_reference.strip(), "occurred_on": new.occurred_on,
        "desired_outcome": new.desired_outcome.strip(), "status": "new", "priority": priority, "owner_id": None,
        "created_at": now, "updated_at": now, "first_response_due_at": now + timedelta(hours=hours[0]),
        "resolution_due_at": now + timedelta(hours=hours[1]), "first_responded_at": None,
        "first_response_escalated_at": None, "resolution_escalated_at": None, "committed_action": "",
        "committed_action_due_on": None, "resolution": "", "root_cause_id": None, "resolved_at": None,
        "closed_at": None, "reopened_count": 0, "handling_minutes": 0, "channel": new.channel, "version": 1,
        "contact_confirmed_at": now if new.channel in STAFF_ENTERED else None,
    }
    email = _acknowledgement_row(values, customer, token, now, acknowledgement_headers)

    connection = session.connection()  # SQLite: BEGIN IMMEDIATE, the write lock until the commit
    if customer.id is None:
        values["customer_id"], zone = insert_customer_file(connection, customer)
        if zone != customer.timezone:  # a concurrent twin created this file first, in its own zone
            email = _acknowledgement_row(values, session.get(Customer, values["customer_id"]), token, now,
                                         acknowledgement_headers)
    # No dedupe key on the e-mail: the complaint is new in this very transaction, so there is no
    # earlier acknowledgement to collide with (a double submit returned above).
    email["customer_id"] = values["customer_id"]
    if key_hash:
        # A concurrent twin of this submission may have won the race for the unique key since the
        # lookup: a savepoint lets us hand back its complaint (and drop what we wrote).
        try:
            with session.begin_nested():
                # session.connection() inside the block emits the SAVEPOINT (begin_nested alone
                # does not); PostgreSQL needs it to go on after the failed INSERT.
                complaint_id, event_id = _insert_filing(session.connection(), values, email)
        except IntegrityError:
            twin = _twin(connection, key_hash, token)
            if twin is None:
                raise
            session.rollback()
            return twin
    else:
        # Without a key there is nothing to race for (a clash of random references, 1 in 1.5·10^11
        # per existing complaint, fails on the unique index like any other error).
        complaint_id, event_id = _insert_filing(connection, values, email)
    if accepted:
        attach_uploads(complaint_id, accepted, by_customer=True, now=now, event_id=event_id)
    filed = FiledComplaint(complaint_id, token, created=True, reference=values["reference"], language=language,
                           customer_id=values["customer_id"], priority=priority)
    signals.complaint_created.send(current_app._get_current_object(), filed=filed, now=now)
    if commit:
        db.session.commit()
    return filed


def _acknowledgement_row(values: dict, customer, token: str, now: datetime, headers: dict | None = None) -> dict:
    """The outbox row of the empathetic acknowledgement (ids filled in once they exist)."""
    return outbox_values(
        kind="complaint_acknowledgement", to_address=values["contact_email"], to_name=values["contact_name"],
        rendered=compose_acknowledgement(values, customer, tracking_url(token)), language=values["language"],
        extra_headers={"Reply-To": links.reply_address(values["reference"]), **(headers or {})}, now=now)
