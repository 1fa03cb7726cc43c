"""The queue page as staff use it (issue 16): search box, sortable headers, totals, saved views,
bulk actions with a confirmation step, filing for a caller, logging a call."""
from __future__ import annotations

import re

from sqlalchemy import select

from complaints import actions
from complaints.models import Complaint
from tests.support import complaints
from tests.support.clock import NOW
from tests.support.web import csrf_from


def test_search_box_sorts_and_total(browser, staff):
    yellow = complaints.file(subject="Żółty kubek").complaint.reference
    complaints.file(subject="Blue cup")
    browser.login(staff.agent)
    page = browser.get("/staff/complaints/?q=zolty").get_data(as_text=True)
    assert yellow in page and "Blue cup" not in page
    assert 'role="search"' in page and 'aria-keyshortcuts="/"' in page and "js/queue.js" in page
    assert "1 complaint" in page
    listing = browser.get("/staff/complaints/").get_data(as_text=True)
    assert "2 complaints" in listing
    for sort in ("priority", "-created", "created", "-updated", "updated", "due", "-due"):
        response = browser.get(f"/staff/complaints/?sort={sort}")
        assert response.status_code == 200 and yellow in response.get_data(as_text=True)
    assert 'aria-sort="descending"' in browser.get("/staff/complaints/?sort=-created").get_data(as_text=True)
    bad = browser.get("/staff/complaints/?sort=priority&cursor=nonsense")
    assert bad.status_code == 400


def test_saved_view_round_trip(browser, staff):
    complaints.file(subject="Broken hinge")
    browser.login(staff.manager)
    saved = browser.post_form("/staff/complaints/?q=hinge", {"view-name": "Hinges", "view-q": "hinge", "view-sort": "-created",
                                                              "view-status": "all", "view-shared": "y"},
                              action="/staff/complaints/views")
    assert saved.status_code == 302 and "view=" in saved.location
    page = browser.get(saved.location).get_data(as_text=True)
    assert "<h1>Hinges</h1>" in page and "Broken hinge" in page and "(shared)" in page
    view_id = int(re.search(r"view=(\d+)", saved.location).group(1))
    browser.client.get("/staff/logout")
    browser.login(staff.agent)
    assert "Hinges" in browser.get("/staff/complaints/").get_data(as_text=True)
    refused = browser.post_form("/staff/complaints/", {}, action=f"/staff/complaints/views/{view_id}/delete")
    assert refused.status_code == 302
    assert browser.get(f"/staff/complaints/?view={view_id}").status_code == 200  # still there
    assert browser.get("/staff/complaints/?view=999999").status_code == 404


def test_bulk_assign_asks_first_then_applies(browser, staff, db_session):
    refs = [complaints.file(description=f"Dented can {i}").complaint.reference for i in range(2)]
    browser.login(staff.manager)
    page = browser.get("/staff/complaints/").get_data(as_text=True)
    token = csrf_from(page)
    boxes = re.findall(r'name="complaints" value="([^"]+)"', page)
    assert len(boxes) == 2
    data = {"csrf_token": token, "bulk-action": "assign", "bulk-owner": staff.agent.email, "complaints": boxes}
    confirm = browser.client.post("/staff/complaints/bulk", data=data)
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Confirm the bulk action" in text and all(r in text for r in refs)
    assert db_session.scalar(select(Complaint.owner_id).where(Complaint.reference == refs[0])) is None  # not yet
    done = browser.client.post("/staff/complaints/bulk", data={**data, "bulk-confirmed": "1"})
    assert done.status_code == 302
    db_session.rollback()
    assert set(db_session.scalars(select(Complaint.owner_id))) == {staff.agent.id}
    again = browser.client.post("/staff/complaints/bulk", data={**data, "bulk-confirmed": "1", "bulk-owner": staff.manager.email},
                                follow_redirects=True)
    assert "Nothing was changed" in again.get_data(as_text=True)  # the versions on the page are outdated


def test_file_for_a_caller_and_log_a_call_pages(browser, staff, db_session):
    browser.login(staff.agent)
    form = browser.get("/staff/complaints/new").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', form) or re.search(
        r'name="submission_key"[^>]*value="([^"]+)"', form)
    data = {"channel": "visit", "name": "Olga Petrova", "email": "olga@example.com", "description": "Came in with a torn coat",
            "preferred_channel": "phone", "language": "ru", "submission_key": key.group(1)}
    filed = browser.post_form("/staff/complaints/new", data)
    assert filed.status_code == 302
    twice = browser.post_form("/staff/complaints/new", data)  # a double submit: the same complaint
    assert twice.location == filed.location
    db_session.rollback()
    complaint = db_session.scalar(select(Complaint).where(Complaint.contact_email == "olga@example.com"))
    assert complaint.channel == "visit"
    refused = browser.post_form("/staff/complaints/new", {**data, "email": "not-an-address", "submission_key": ""})
    assert refused.status_code == 400 and "error-summary" in refused.get_data(as_text=True)
    url = f"/staff/complaints/{complaint.reference}/calls"
    logged = browser.post_form(url, {"call-channel": "phone", "call-direction": "inbound", "call-summary": "Asked about the refund"})
    assert logged.status_code == 302
    assert "Asked about the refund" in browser.get(f"/staff/complaints/{complaint.reference}").get_data(as_text=True)
    empty = browser.post_form(url, {"call-channel": "phone", "call-direction": "inbound", "call-summary": ""})
    assert empty.status_code == 400
