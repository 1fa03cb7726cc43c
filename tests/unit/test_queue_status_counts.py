"""The staff queue's status badges: open states exact, resolved/closed from the worker's snapshot."""
from datetime import timedelta

from sqlalchemy import select

from complaints import services
from complaints.models import Complaint
from complaints.queries import counts_by_status
from complaints.status_counts import ComplaintStatusCount, refresh_status_counts
from tests.conftest import NOW


def file(now=NOW, **overrides):
    data = {"name": "Jan Kowalski", "email": "jan@example.com", "description": "The parcel arrived crushed.", **overrides}
    return services.file_complaint(services.NewComplaint(**data), now=now).complaint.reference


def test_snapshot_counts_resolved_and_closed_per_owner_and_open_states_stay_exact(app, staff, db_session):
    refs = [file(now=NOW + timedelta(minutes=i)) for i in range(6)]
    services.assign_owner(refs[0], staff.agent.email, actor=staff.agent, now=NOW)
    services.assign_owner(refs[1], staff.other_agent.email, actor=staff.manager, now=NOW)
    services.assign_owner(refs[2], staff.agent.email, actor=staff.agent, now=NOW)
    services.resolve(refs[2], "Done", "other", actor=staff.agent, now=NOW)  # the agent's
    services.resolve(refs[3], "Done", "other", actor=staff.manager, now=NOW)
    services.resolve(refs[4], "Done", "other", actor=staff.other_agent, now=NOW)

    assert refresh_status_counts(NOW + timedelta(hours=1)) == len(db_session.query(ComplaintStatusCount).all()) >= 2
    db_session.commit()
    manager = counts_by_status(staff.manager)
    assert manager == {"new": 1, "assigned": 2, "in_progress": 0, "resolved": 3, "closed": 0}
    assert manager.as_of == NOW + timedelta(hours=1)
    # An agent sees unowned complaints and their own; "My complaints" only their own.
    owners = {r: db_session.scalar(select(Complaint.owner_id).where(Complaint.reference == r)) for r in refs[2:5]}
    expected_agent_resolved = sum(1 for owner in owners.values() if owner in (None, staff.agent.id))
    assert counts_by_status(staff.agent)["resolved"] == expected_agent_resolved
    assert counts_by_status(staff.agent, only_mine=True) == {"new": 0, "assigned": 1, "in_progress": 0,
                                                              "resolved": sum(1 for o in owners.values()
                                                                              if o == staff.agent.id),
                                                              "closed": 0}

    # After the snapshot: open counts follow at once, resolved ones at the next refresh.
    services.resolve(refs[5], "Done", "other", actor=staff.manager, now=NOW + timedelta(hours=2))
    db_session.commit()
    later = counts_by_status(staff.manager)
    assert later["new"] == 0 and later["resolved"] == 3 and later.as_of == NOW + timedelta(hours=1)
    refresh_status_counts(NOW + timedelta(hours=3))
    db_session.commit()
    assert counts_by_status(staff.manager)["resolved"] == 4


def test_without_a_snapshot_everything_is_counted_live(app, staff):
    ref = file()
    services.resolve(ref, "Done", "other", actor=staff.manager, now=NOW)
    counts = counts_by_status(staff.manager)
    assert counts["resolved"] == 1 and counts.as_of is None


def test_queue_page_says_when_resolved_and_closed_were_counted(app, staff, browser, db_session):
    services.resolve(file(), "Done", "other", actor=staff.manager, now=NOW)
    refresh_status_counts(NOW.replace(hour=7, minute=45))
    db_session.commit()
    browser.login(staff.manager)
    page = browser.get("/staff/complaints/").get_data(as_text=True)
    assert "Resolved and closed counted at" in page and "07:45" in page
