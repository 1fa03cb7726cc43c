"""Customers who prefer the phone or a visit (seed 000): they still get every e-mail, and the
complaint's owner gets a task to call them — on the complaint and in "My complaints", done and
undone by the owner."""
from __future__ import annotations

from sqlalchemy import select

from complaints import actions, tasks
from complaints.models import Complaint, ComplaintTask
from extensions import db
from notifications.models import OutboxMessage
from platform_support.errors import NotFound, PermissionDenied
from tests.support.clock import NOW
from tests.support.complaints import file
from tests.support.customers import customer
from tests.support.web import csrf_from

import pytest


def _tasks(complaint_id: int) -> list[ComplaintTask]:
    db.session.commit()  # end the read: see what a request wrote
    return list(db.session.scalars(select(ComplaintTask).where(ComplaintTask.complaint_id == complaint_id)
                                   .order_by(ComplaintTask.id)))


def test_a_customer_who_prefers_the_phone_gets_the_emails_and_the_owner_a_call_each(app, staff):
    filed = file(preferred_channel="phone", phone="+48 600 100 200")
    reference, complaint_id = filed.complaint.reference, filed.complaint.id
    actions.assign_owner(reference, staff.agent.email, actor=staff.agent, now=NOW)
    actions.post_update(reference, "The courier collects it on Monday.", public=True, actor=staff.agent, now=NOW)
    actions.post_update(reference, "Internal only.", public=False, actor=staff.agent, now=NOW)
    mails = [m.kind for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.complaint_id == complaint_id)
                                                .order_by(OutboxMessage.id))]
    assert mails == ["complaint_acknowledgement", "complaint_owner_assigned", "complaint_progress_update"]
    assert [t.topic for t in _tasks(complaint_id)] == mails  # one call per e-mail, none for the internal note
    assert all(t.done_at is None for t in _tasks(complaint_id))
    assert [t.complaint.reference for t in tasks.open_tasks_of_owner(staff.agent)] == [reference] * 3
    assert tasks.open_tasks_of_owner(staff.other_agent) == []


def test_the_customer_files_preference_counts_too_and_email_customers_get_no_task(app, staff):
    customer(email="visit@example.com", preferred_channel="in_person")
    visiting = file(email="visit@example.com").complaint
    emailing = file(email="mail@example.com").complaint
    assert [t.topic for t in _tasks(visiting.id)] == ["complaint_acknowledgement"]
    assert _tasks(emailing.id) == []


def test_only_the_owner_marks_a_call_done_and_undone(app, staff):
    filed = file(preferred_channel="phone")
    reference = filed.complaint.reference
    (task,) = _tasks(filed.complaint.id)
    with pytest.raises(PermissionDenied):  # unowned: nobody's call yet
        tasks.set_done(task.id, True, actor=staff.manager, now=NOW)
    actions.assign_owner(reference, staff.agent.email, actor=staff.agent, now=NOW)
    with pytest.raises(NotFound):  # another agent does not even see the complaint
        tasks.set_done(task.id, True, actor=staff.other_agent, now=NOW)
    with pytest.raises(NotFound):  # the task of another complaint's URL
        tasks.set_done(task.id, True, actor=staff.agent, reference="C-AAAAAAAA", now=NOW)
    tasks.set_done(task.id, True, actor=staff.agent, reference=reference, now=NOW)
    (task,) = _tasks(filed.complaint.id)[:1]
    assert (task.done_at, task.done_by_id) == (NOW, staff.agent.id)
    assert tasks.open_tasks_of_owner(staff.agent) == [
        t for t in tasks.open_tasks_of_owner(staff.agent) if t.id != task.id]
    tasks.set_done(task.id, False, actor=staff.agent, reference=reference, now=NOW)
    assert _tasks(filed.complaint.id)[0].done_at is None


def test_the_complaint_page_and_my_complaints_show_the_calls(app, client, browser, staff):
    filed = file(preferred_channel="phone", phone="+48 600 100 200", name="Jan Kowalski")
    reference = filed.complaint.reference
    actions.assign_owner(reference, staff.agent.email, actor=staff.agent, now=NOW)
    browser.login(staff.agent)
    page = client.get(f"/staff/complaints/{reference}").get_data(as_text=True)
    assert "Calls to make" in page and "Call Jan Kowalski on +48 600 100 200 about" in page
    assert "Mark as called" in page
    mine = client.get("/staff/complaints/mine").get_data(as_text=True)
    assert "Calls to make" in mine and reference in mine and "who is now responsible" in mine
    first = _tasks(filed.complaint.id)[0]
    url = f"/staff/complaints/{reference}/tasks/{first.id}"
    done = client.post(url, data={"csrf_token": csrf_from(mine), "done": "1", "back": "mine"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/staff/complaints/mine")
    assert _tasks(filed.complaint.id)[0].done_at is not None
    mine = client.get("/staff/complaints/mine").get_data(as_text=True)
    assert mine.count("Mark as called") == 1  # the done one is no longer there
    page = client.get(f"/staff/complaints/{reference}").get_data(as_text=True)
    assert "Not done yet" in page and "called" in page
    undone = client.post(url, data={"csrf_token": csrf_from(page), "done": "0"})
    assert undone.status_code == 302 and _tasks(filed.complaint.id)[0].done_at is None
    assert client.post(f"/staff/complaints/{reference}/tasks/999999",
                       data={"csrf_token": csrf_from(page), "done": "1"}).status_code == 404
    client.post("/staff/logout", data={"csrf_token": csrf_from(page)})
    browser.login(staff.manager)
    page = client.get(f"/staff/complaints/{reference}").get_data(as_text=True)
    assert "Calls to make" in page and "Mark as called" not in page  # the manager sees, the owner acts
    assert client.post(url, data={"csrf_token": csrf_from(page), "done": "1"}).status_code == 403
