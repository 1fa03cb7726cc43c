"""The acknowledgement of a new complaint is composed from a skeleton rendered once per (language,
time zone) and filled in (complaints/acknowledgement.py). It must be identical, byte for byte, to
rendering the e-mail on its own — for every language, time zone, greeting form, a name full of
HTML, an existing customer file and a newcomer — and the filing must still commit the complaint,
its event and its e-mail together."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from complaints import filing, links
from complaints.acknowledgement import compose_acknowledgement, render_acknowledgement
from complaints.models import Complaint, ComplaintEvent
from customers.models import Customer
from customers.services import insert_customer_file, new_customer_for_email
from extensions import db
from notifications.models import OutboxMessage
from tests.support.clock import NOW
from tests.support.customers import GREETING_FORMS

CUSTOMERS = [
    # name, language, time zone of an existing file (None: newcomer), salutation, patronymic
    *GREETING_FORMS,
    ("Bob", "en", "Not/AZone", "Mr Smith", ""),
    ("Zoë Ünal", "en", None, "", ""),
    ("Nová Zákaznice", "cs", None, "", ""),
]


def _acknowledgement(db_session, complaint) -> OutboxMessage:
    return db_session.scalars(select(OutboxMessage).where(OutboxMessage.complaint_id == complaint.id,
                                                          OutboxMessage.kind == "complaint_acknowledgement")).one()


def test_composed_acknowledgement_equals_rendering_it_on_its_own(app, db_session):
    compared = 0
    for n, (name, language, zone, salutation, patronymic) in enumerate(CUSTOMERS):
        email = f"c{n}@example.com"
        if zone is not None:
            db_session.add(Customer(name=name, email=email, email_normalised=email, language=language, timezone=zone,
                                    salutation=salutation, patronymic=patronymic, created_at=NOW))
            db_session.commit()
        # A second skeleton user with other dates; then twice within one second, fractions apart
        # (the due dates' formatting is shared per whole second: what is shown must not change).
        for later in (timedelta(0), timedelta(days=40, minutes=7, seconds=13, microseconds=999_999),
                      timedelta(days=40, minutes=7, seconds=13, microseconds=1)):
            filed = filing.file_complaint(filing.NewComplaint(
                name=name, email=email, description="Broken <b>vase</b>", language=language,
                timezone="Asia/Kolkata" if zone is None else ""), now=NOW + later)
            complaint = filed.complaint
            stored = _acknowledgement(db_session, complaint)
            alone = render_acknowledgement(complaint, links.link_url(complaint.reference))
            assert (stored.subject, stored.text_body, stored.html_body) == (alone.subject, alone.text_body, alone.html_body), name
            assert complaint.reference in stored.text_body and links.link_url(complaint.reference) in stored.html_body
            compared += 1
    assert compared == 3 * len(CUSTOMERS)
    hostile = db_session.scalars(select(OutboxMessage).where(OutboxMessage.to_name.startswith("Eve"))).first()
    assert "<script>" not in hostile.html_body and "&lt;script&gt;" in hostile.html_body


def test_a_template_reading_more_of_the_complaint_fails_loudly(app):
    from complaints import acknowledgement

    with pytest.raises(RuntimeError, match="complaint.subject"):
        acknowledgement._PlaceholderComplaint().subject  # noqa: B018


def test_filing_commits_complaint_event_file_and_email_together(app, db_session):
    filed = filing.file_complaint(filing.NewComplaint(name="Jan", email="New@Example.com", description="Broken"),
                                now=NOW)
    db_session.rollback()  # nothing is left pending: all of it was committed
    complaint = db_session.get(Complaint, filed.complaint_id)
    assert complaint.customer.email_normalised == "new@example.com" and complaint.customer.timezone == "UTC"
    assert [e.kind for e in db_session.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id))] == ["created"]
    assert _acknowledgement(db_session, complaint).to_address == "New@Example.com"


def test_a_file_created_meanwhile_by_a_twin_is_used_not_duplicated(app, db_session):
    """Between the lock-free lookup and the write (or concurrently on PostgreSQL) another filing
    may create the file of the same address: ON CONFLICT DO NOTHING, then its id."""
    first = new_customer_for_email(email="twin@example.com", name="Twin", timezone="Europe/Prague")
    second = new_customer_for_email(email="TWIN@example.com", name="Twin again", timezone="Asia/Tokyo")
    connection = db.session.connection()
    first_id, first_zone = insert_customer_file(connection, first)
    second_id, second_zone = insert_customer_file(connection, second)
    db.session.commit()
    assert second_id == first_id and second_zone == first_zone == "Europe/Prague"
    assert db_session.query(Customer).count() == 1
    # The acknowledgement of a filing that lost the race reads in the winner's zone.
    complaint = Complaint(language="en", reference="C-TEST", contact_name="Twin", first_response_due_at=NOW,
                          resolution_due_at=NOW)
    composed = compose_acknowledgement(complaint, db_session.get(Customer, first_id), "http://x/track/t")
    assert "C-TEST" in composed.subject
