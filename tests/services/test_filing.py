"""`complaints.filing`: one check of a new complaint for every intake, one transaction per filing,
`complaint_created` with the complaint, and a double submit that races its twin handed the twin."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from complaints import filing, signals
from complaints.models import Complaint, ComplaintEvent
from customers.models import Customer
from extensions import db
from notifications.models import OutboxMessage
from platform_support.errors import ServiceError
from tests.support.clock import NOW


def new(**overrides) -> filing.NewComplaint:
    return filing.NewComplaint(**{"name": "Ada Lovelace", "email": "ada@example.com",
                                  "description": "The parcel arrived crushed.", **overrides})


def counts(db_session) -> dict:
    return {model.__name__: db_session.scalar(select(func.count()).select_from(model))
            for model in (Complaint, ComplaintEvent, OutboxMessage, Customer)}


@pytest.mark.parametrize("overrides,field", [
    ({"name": "  "}, "name"),
    ({"email": ""}, "email"),
    ({"description": "\n"}, "description"),
    ({"email": "a@example.com,victim@example.org"}, "email"),
    ({"email": "a@example.com victim@example.org"}, "email"),
    ({"email": "Eve <eve@example.com>"}, "email"),
    ({"email": "eve@example.com\r\nBcc: victim@example.org"}, "email"),
    ({"email": "not-an-address"}, "email"),
    ({"name": "Eve\r\nBcc: victim@example.org"}, "name"),
    ({"subject": "x" * 201}, "subject"),
    ({"description": "x" * 20_001}, "description"),
    ({"description": "a NUL \x00 here"}, "description"),
    ({"desired_outcome": "lone \udc00 surrogate"}, "desired_outcome"),
    ({"occurred_on": (NOW + timedelta(days=2)).date()}, "occurred_on"),
    ({"preferred_channel": "fax"}, "preferred_channel"),
    ({"language": "tlh"}, "language"),
    ({"phone": 42}, "phone"),
])
def test_every_intake_refuses_the_same_things_and_stores_nothing(app, db_session, overrides, field):
    before = counts(db_session)
    with pytest.raises(ServiceError) as refused:
        filing.file_complaint(new(**overrides), now=NOW)
    assert field in refused.value.fields, refused.value.fields
    db_session.rollback()
    assert counts(db_session) == before


def test_dates_are_checked_against_the_now_given_not_the_clock(app, db_session):
    """The customer's day may be a day ahead of UTC's; two days ahead of `now` is the future —
    whatever today's date is on the machine running this."""
    tomorrow, later = (NOW + timedelta(days=1)).date(), (NOW + timedelta(days=2)).date()
    assert filing.check_new_complaint(new(occurred_on=tomorrow), now=NOW) == {}
    assert "occurred_on" in filing.check_new_complaint(new(occurred_on=later), now=NOW)
    # Far from the wall clock in both directions: only `now` decides.
    assert filing.check_new_complaint(new(occurred_on=later), now=NOW + timedelta(days=3650)) == {}
    assert "occurred_on" in filing.check_new_complaint(new(occurred_on=tomorrow), now=NOW - timedelta(days=3650))


def test_a_filing_is_one_transaction_with_its_event_and_acknowledgement(app, db_session):
    filed = filing.file_complaint(new(), channel="phone", now=NOW)
    complaint = db_session.get(Complaint, filed.complaint_id)
    assert (filed.created, filed.reference, filed.language) == (True, complaint.reference, "en")
    assert (complaint.channel, complaint.status, complaint.priority) == ("phone", "new", "normal")
    assert [(event.kind, event.public, event.by_customer) for event in complaint.events] == [("created", True, True)]
    mail = db_session.scalar(select(OutboxMessage).where(OutboxMessage.complaint_id == complaint.id))
    assert (mail.kind, mail.to_address, mail.customer_id) == ("complaint_acknowledgement", "ada@example.com",
                                                             complaint.customer_id)


def test_an_unknown_channel_is_the_callers_mistake(app, db_session):
    with pytest.raises(ValueError):
        filing.file_complaint(new(), channel="pigeon", now=NOW)


def test_complaint_created_sends_the_complaint_like_every_other_signal(app, db_session):
    received = []

    def receiver(_sender, **kwargs):
        received.append((kwargs["complaint"].reference, kwargs["complaint"].id, kwargs["complaint"].customer_id,
                         kwargs["now"], sorted(kwargs)))

    signals.complaint_created.connect(receiver)
    try:
        filed = filing.file_complaint(new(), now=NOW)
    finally:
        signals.complaint_created.disconnect(receiver)
    complaint = db_session.get(Complaint, filed.complaint_id)
    assert received == [(complaint.reference, complaint.id, complaint.customer_id, NOW, ["complaint", "now"])]


def test_a_failed_filing_leaves_no_row_behind(app, db_session):
    """One transaction: an error after the INSERTs (here: a receiver) rolls all of them back."""
    before = counts(db_session)

    def failing_receiver(*_args, **_kwargs):
        raise RuntimeError("a receiver failed")

    signals.complaint_created.connect(failing_receiver)
    try:
        with pytest.raises(RuntimeError):
            filing.file_complaint(new(email="bo@example.com"), now=NOW)
    finally:
        signals.complaint_created.disconnect(failing_receiver)
    db_session.rollback()
    assert counts(db_session) == before


def test_a_known_customer_keeps_the_file_and_a_newcomer_gets_one(app, db_session):
    first = filing.file_complaint(new(email="Ada@Example.com", timezone="Europe/Warsaw"), now=NOW)
    second = filing.file_complaint(new(email="ada@example.com", name="Ada L."), now=NOW + timedelta(minutes=1))
    one, two = db_session.get(Complaint, first.complaint_id), db_session.get(Complaint, second.complaint_id)
    assert one.customer_id == two.customer_id and one.customer.timezone == "Europe/Warsaw"
    assert counts(db_session)["Customer"] == 1


@pytest.mark.postgresql  # its row locks order the race (SQLite's writers queue on one lock)
def test_a_twin_that_wins_the_race_for_the_submission_key_is_handed_back(app, db_session):
    """Two submissions of one form race: the other commits its complaint after our lookup and
    before our INSERT. Ours fails on the unique key inside a savepoint, and the twin's complaint
    comes back (PostgreSQL: the failed INSERT aborts the transaction unless a SAVEPOINT was really
    emitted). Ordered by PostgreSQL's row lock, not by timing: our INSERT waits for the twin."""
    key = "race-key-0123456789abcdef"
    twin_connection = db.engine.connect()
    twin_transaction = twin_connection.begin()
    customer_id = twin_connection.execute(Customer.__table__.insert().returning(Customer.__table__.c.id), {
        "name": "Twin", "email": "twin@example.com", "email_normalised": "twin@example.com", "language": "en",
        "timezone": "UTC", "created_at": NOW}).scalar_one()
    twin_connection.execute(Complaint.__table__.insert(), {  # not committed yet
        "reference": "C-TWIN-1", "tracking_token_hash": "t" * 64, "submission_key": filing.hash_secret(key),
        "customer_id": customer_id, "contact_name": "Twin", "contact_email": "twin@example.com", "language": "pl",
        "description": "first", "created_at": NOW, "updated_at": NOW, "first_response_due_at": NOW,
        "resolution_due_at": NOW})
    outcome = {}

    def submit_again():
        with app.app_context():
            try:
                outcome["filed"] = filing.file_complaint(new(name="Twin", email="twin@example.com", description="second"),
                                                         submission_key=key, now=NOW)
                outcome["reference"] = outcome["filed"].complaint.reference
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
    assert (filed.created, filed.reference, filed.language, outcome["reference"]) == (False, "C-TWIN-1", "pl", "C-TWIN-1")
    assert db_session.scalar(select(func.count()).select_from(Complaint)) == 1
