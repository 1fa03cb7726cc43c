"""The test-data toolkit (tests/support/) makes what it says, so the tests built on it mean what they say."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from complaints.lifecycle import STATES
from complaints.models import Complaint, ComplaintEvent
from tests.support.clock import NOW
from tests.support.complaints import complaint_in, complaint_row, file
from tests.support.customers import customer

REACHABLE = [state for state in STATES if state != "waiting"]  # no staff action asks the customer yet


@pytest.mark.parametrize("state", REACHABLE)
def test_complaint_in_takes_a_filed_complaint_to_the_state_through_the_actions(app, staff, db_session, state):
    reference = complaint_in(state, staff, email=f"{state}@example.com")
    complaint = db_session.scalar(select(Complaint).where(Complaint.reference == reference))
    assert complaint.status == state and complaint.created_at == NOW
    assert complaint.owner_id == (None if state == "new" else staff.agent.id)
    kinds = db_session.scalars(select(ComplaintEvent.kind).where(ComplaintEvent.complaint_id == complaint.id)
                               .order_by(ComplaintEvent.id)).all()
    assert kinds[0] == "created" and len(kinds) == 1 + REACHABLE.index(state)


def test_a_state_without_a_path_is_refused(app, staff):
    with pytest.raises(ValueError, match="waiting"):
        complaint_in("waiting", staff)


def test_file_uses_now_and_the_fields_given(app):
    filed = file(NOW - timedelta(days=3), name="Ola Nordmann", email="ola@example.com")
    assert (filed.complaint.created_at, filed.complaint.contact_name) == (NOW - timedelta(days=3), "Ola Nordmann")


def test_rows_and_customers_have_the_dates_and_addresses_asked_for(app):
    anna, first, second = customer("Anna Maria"), customer(), customer()
    assert anna.email == "anna.maria@example.com" and anna.created_at == NOW - timedelta(days=900)
    assert len({first.email, second.email, anna.email}) == 3
    row = complaint_row(anna, age_days=10, status="closed", priority="urgent")
    assert row.created_at == NOW - timedelta(days=10) and row.resolved_at == row.created_at + timedelta(days=2)
    assert row.resolution_due_at == row.created_at + timedelta(hours=24)  # the urgent target
