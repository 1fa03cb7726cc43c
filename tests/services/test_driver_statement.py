"""`DriverStatement` (platform_support/database.py) runs a filing's statements on the driver's cursor.
What it writes must read back through the ORM exactly as if SQLAlchemy had executed it (dates,
datetimes, JSON, booleans), its errors must be SQLAlchemy's (the filing's savepoint relies on
IntegrityError), and the filing must stay one transaction — on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import bindparam, literal, select
from sqlalchemy.exc import IntegrityError

from complaints import filing, signals
from complaints.models import Complaint, ComplaintEvent
from customers.models import Customer
from extensions import db
from notifications.models import OutboxMessage
from platform_support.database import DriverStatement, driver_connection
from tests.support.clock import NOW


def _customer(db_session, email="ada@example.com") -> Customer:
    customer = Customer(name="Ada", email=email, email_normalised=email, language="en", timezone="UTC", created_at=NOW)
    db_session.add(customer)
    db_session.commit()
    return customer


def test_rows_written_on_the_cursor_read_back_like_orm_rows(app, db_session):
    customer = _customer(db_session)
    insert = DriverStatement(ComplaintEvent.__table__.insert().returning(ComplaintEvent.__table__.c.id),
                             filing._EVENT_COLUMNS)
    filed = filing.file_complaint(filing.NewComplaint(name="Ada", email=customer.email, description="x"), now=NOW)
    at = datetime(2027, 3, 4, 5, 6, 7, 890123)
    event_id = insert.scalar(db.session.connection(), {
        "complaint_id": filed.complaint_id, "kind": "fact", "public": False, "body": "Żółw «quoted» 'x'",
        "detail": {"owner": "Zoë", "n": [1, 2]}, "actor_staff_id": None, "by_customer": True, "minutes": 7,
        "created_at": at})
    db_session.commit()
    db_session.expire_all()
    event = db_session.get(ComplaintEvent, event_id)
    assert (event.kind, event.public, event.body, event.detail, event.by_customer, event.minutes, event.created_at) == (
        "fact", False, "Żółw «quoted» 'x'", {"owner": "Zoë", "n": [1, 2]}, True, 7, at)
    # A datetime compares in SQL like one the ORM wrote (SQLite keeps them as text: same format).
    assert db_session.scalar(select(ComplaintEvent.id).where(ComplaintEvent.created_at > datetime(2027, 3, 4, 5, 6, 7),
                                                             ComplaintEvent.created_at < datetime(2027, 3, 4, 5, 6, 8))) == event_id


def test_selects_with_literals_and_dates_on_a_session_or_an_own_connection(app, db_session):
    customer = _customer(db_session)
    statement = DriverStatement(select(Customer.id, Customer.name, literal(41) + 1, bindparam("day", type_=Customer.birthday.type))
                                .where(Customer.email_normalised == bindparam("email")))
    assert statement.first(db.session.connection(), {"email": customer.email, "day": date(2027, 1, 2)})[:3] == (
        customer.id, "Ada", 42)
    db_session.rollback()
    with driver_connection(db.engine) as connection:
        assert statement.scalar(connection, {"email": customer.email, "day": None}) == customer.id
        assert statement.first(connection, {"email": "nobody@example.com", "day": None}) is None


def test_a_missing_value_fails_before_anything_is_sent(app, db_session):
    insert = DriverStatement(ComplaintEvent.__table__.insert(), filing._EVENT_COLUMNS)
    with pytest.raises(KeyError):
        insert.run(db.session.connection(), {"kind": "fact"})
    db_session.rollback()


def test_a_unique_clash_is_sqlalchemys_integrity_error(app, db_session):
    customer = _customer(db_session)
    first = filing.file_complaint(filing.NewComplaint(name="Ada", email=customer.email, description="x"), now=NOW)
    values = {column: None for column in filing._COMPLAINT_COLUMNS}
    values.update(reference=first.reference, tracking_token_hash="h" * 64, customer_id=customer.id,
                  contact_name="Ada", contact_email=customer.email, contact_phone="", preferred_channel="email",
                  language="en", subject="", description="again", order_reference="", desired_outcome="",
                  status="new", priority="normal", created_at=NOW, updated_at=NOW, first_response_due_at=NOW,
                  resolution_due_at=NOW, committed_action="", resolution="", reopened_count=0, handling_minutes=0)
    with pytest.raises(IntegrityError):
        filing._INSERT_COMPLAINT.scalar(db.session.connection(), values)  # same reference: unique index
    db_session.rollback()


@pytest.mark.postgresql  # its row locks order the race (SQLite's writers queue on one lock)
def test_a_twin_that_wins_the_race_for_the_submission_key_is_handed_back(app, db_session):
    """Two submissions of one form race: the other commits its complaint after our lookup and
    before our INSERT. Ours fails on the unique key inside a savepoint, and the twin's complaint
    comes back (PostgreSQL: the failed INSERT aborts the transaction unless a SAVEPOINT was really
    emitted). Ordered by PostgreSQL's row lock, not by timing: our INSERT waits for the twin."""
    import threading

    key = "race-key-0123456789abcdef"
    twin_connection = db.engine.connect()
    twin_transaction = twin_connection.begin()
    customer_id = twin_connection.execute(Customer.__table__.insert().returning(Customer.__table__.c.id), {
        "name": "Twin", "email": "twin@example.com", "email_normalised": "twin@example.com", "language": "en",
        "timezone": "UTC", "created_at": NOW}).scalar_one()
    values = {column: None for column in filing._COMPLAINT_COLUMNS}
    values.update(reference="C-TWIN-1", tracking_token_hash="t" * 64, submission_key=filing.hash_secret(key),
                customer_id=customer_id, contact_name="Twin", contact_email="twin@example.com", contact_phone="",
                preferred_channel="email", language="pl", subject="", description="first", order_reference="",
                desired_outcome="", status="new", priority="normal", created_at=NOW, updated_at=NOW,
                first_response_due_at=NOW, resolution_due_at=NOW, committed_action="", resolution="",
                reopened_count=0, handling_minutes=0)
    twin_connection.execute(Complaint.__table__.insert(), values)  # not committed yet
    outcome = {}

    def submit_again():
        with app.app_context():
            try:
                outcome["filed"] = filing.file_complaint(filing.NewComplaint(
                    name="Twin", email="twin@example.com", description="second"), submission_key=key, now=NOW)
            except Exception as error:  # noqa: BLE001 — reported by the main thread below
                outcome["error"] = error

    racer = threading.Thread(target=submit_again)
    racer.start()
    try:
        # Wait until our INSERT is blocked on the twin's uncommitted key (a lock wait in pg_locks).
        with db.engine.connect() as probe:
            for _attempt in range(2000):
                waiting = probe.execute(db.text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar_one()
                probe.rollback()
                if waiting:
                    break
                racer.join(timeout=0.01)
                assert racer.is_alive(), outcome
        twin_transaction.commit()
    finally:
        twin_connection.close()
        racer.join(timeout=60)
    assert "error" not in outcome, outcome.get("error")
    filed = outcome["filed"]
    assert (filed.created, filed.reference, filed.language) == (False, "C-TWIN-1", "pl")
    assert db_session.scalar(select(db.func.count()).select_from(Complaint)) == 1


def test_a_failed_filing_leaves_no_row_behind(app, db_session):
    """One transaction: an error after the INSERTs on the cursor rolls all of them back."""
    before = {model: db_session.scalar(select(db.func.count()).select_from(model))
              for model in (Complaint, ComplaintEvent, OutboxMessage, Customer)}

    def failing_receiver(*_args, **_kwargs):
        raise RuntimeError("a receiver failed")

    signals.complaint_created.connect(failing_receiver)
    try:
        with pytest.raises(RuntimeError):
            filing.file_complaint(filing.NewComplaint(name="Bo", email="bo@example.com", description="x"), now=NOW)
    finally:
        signals.complaint_created.disconnect(failing_receiver)
    db_session.rollback()
    after = {model: db_session.scalar(select(db.func.count()).select_from(model))
             for model in (Complaint, ComplaintEvent, OutboxMessage, Customer)}
    assert after == before
