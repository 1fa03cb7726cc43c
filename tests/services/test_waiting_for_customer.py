"""Waiting for the customer's answer (issue 15): a public update may ask something and wait; the
customer's next message — by e-mail or on the tracking page — takes the complaint back to work;
without one for WAITING_AUTO_CLOSE_DAYS the worker resolves it with a last e-mail in the
customer's language."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from complaints import actions, jobs, tracking
from complaints.models import Complaint
from extensions import db
from inbound.ingest import ingest
from notifications.models import OutboxMessage
from platform_support.errors import ServiceError
from scheduling.registry import scheduled_jobs
from staff.tokens import issue_api_token
from surveys.models import SurveyInvitation
from tests.support.clock import NOW
from tests.support.complaints import complaint_in, file
from tests.support.inbound import message
from tests.support.surveys import install_default_surveys
from tests.support.web import csrf_from

QUESTION = "Could you send us a photo of the label on the box?"


def _complaint(reference: str) -> Complaint:
    db.session.commit()  # end the read: see what a request or job wrote
    return db.session.scalar(select(Complaint).where(Complaint.reference == reference))


def _outbox(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def _waiting(staff, **fields) -> str:
    reference = complaint_in("assigned", staff, **fields)
    actions.post_update(reference, QUESTION, public=True, wait_for_customer=True, actor=staff.agent, now=NOW)
    return reference


def test_a_public_update_that_asks_puts_the_complaint_in_waiting(app, staff):
    reference = _waiting(staff)
    complaint = _complaint(reference)
    assert complaint.status == "waiting" and complaint.is_open
    (update,) = _outbox("complaint_progress_update")
    assert QUESTION in update.text_body and "We need your answer to go on" in update.text_body
    # An internal note cannot wait: the customer would never see the question.
    with pytest.raises(ServiceError):
        actions.post_update(reference, "Internal.", public=False, wait_for_customer=True, actor=staff.agent, now=NOW)
    # A plain update does not wait (and takes a waiting complaint back to work).
    actions.post_update(reference, "We found it ourselves.", public=True, actor=staff.agent, now=NOW)
    assert _complaint(reference).status == "in_progress"
    assert "We need your answer" not in _outbox("complaint_progress_update")[-1].text_body


def test_the_customers_email_answer_takes_it_back_to_in_progress(app, staff):
    reference = _waiting(staff)
    (update,) = _outbox("complaint_progress_update")
    outcome = ingest(message(sender="jan@example.com", in_reply_to=update.message_id, text="Photo attached."),
                     source="pipe", now=NOW + timedelta(hours=3))
    assert outcome.line() == f"appended {reference}"
    assert _complaint(reference).status == "in_progress"


def test_the_customers_message_on_the_tracking_page_takes_it_back_to_in_progress(app, staff):
    filed = file()
    reference = filed.complaint.reference
    actions.assign_owner(reference, staff.agent.email, actor=staff.agent, now=NOW)
    actions.post_update(reference, QUESTION, public=True, wait_for_customer=True, actor=staff.agent, now=NOW)
    assert _complaint(reference).status == "waiting"
    tracking.add_customer_message(filed.tracking_token, "The label says 2026-11.", now=NOW + timedelta(hours=1))
    assert _complaint(reference).status == "in_progress"


def test_unanswered_for_waiting_auto_close_days_it_is_resolved_with_a_last_email(app, staff, db_session):
    install_default_surveys(db_session)  # a resolution by staff would plan a survey; this one does not
    app.config["WAITING_AUTO_CLOSE_DAYS"] = 10
    reference = _waiting(staff, language="pl")
    actions.record_fact(reference, "An internal fact does not restart the wait.", actor=staff.agent,
                        now=NOW + timedelta(days=5))
    assert jobs.close_unanswered(now=NOW + timedelta(days=10) - timedelta(seconds=1)) == 0
    assert _complaint(reference).status == "waiting"
    assert jobs.close_unanswered(now=NOW + timedelta(days=10)) == 1
    complaint = _complaint(reference)
    assert complaint.status == "resolved" and complaint.resolved_at == NOW + timedelta(days=10)
    assert "10" in complaint.resolution and complaint.resolution != ""
    (last,) = _outbox("complaint_closed_unanswered")
    assert last.language == "pl" and last.to_address == complaint.contact_email
    assert "Reply-To" in last.extra_headers and reference in last.subject
    assert db.session.scalars(select(SurveyInvitation).where(SurveyInvitation.complaint_id == complaint.id)).all() == []
    # Rerun: nothing more.
    assert jobs.close_unanswered(now=NOW + timedelta(days=11)) == 0
    assert len(_outbox("complaint_closed_unanswered")) == 1
    # The customer's late answer still reopens it (REOPEN_DAYS).
    outcome = ingest(message(sender="jan@example.com", in_reply_to=last.message_id, text="Sorry, I was away."),
                     source="pipe", now=NOW + timedelta(days=12))
    assert outcome.line() == f"appended {reference}" and _complaint(reference).status == "in_progress"


def test_an_answered_complaint_is_not_closed_and_zero_days_never_closes(app, staff):
    app.config["WAITING_AUTO_CLOSE_DAYS"] = 10
    answered = _waiting(staff)
    (update,) = _outbox("complaint_progress_update")
    ingest(message(sender="jan@example.com", in_reply_to=update.message_id, text="Here it is."), source="pipe",
           now=NOW + timedelta(days=1))
    assert jobs.close_unanswered(now=NOW + timedelta(days=30)) == 0
    assert _complaint(answered).status == "in_progress"
    waiting = _waiting(staff, email="other@example.com")
    app.config["WAITING_AUTO_CLOSE_DAYS"] = 0
    assert jobs.close_unanswered(now=NOW + timedelta(days=300)) == 0
    assert _complaint(waiting).status == "waiting"


def test_the_worker_runs_the_job(app):
    assert "close-unanswered-complaints" in [job.name for job in scheduled_jobs(app.config)]


def test_the_api_and_the_complaint_page_can_wait_for_the_customer(app, client, browser, staff):
    reference = complaint_in("assigned", staff)
    headers = {"Authorization": f"Bearer {issue_api_token(staff.agent)}"}
    url = f"/api/v1/complaints/{reference}/updates"
    bad = client.post(url, json={"message": "x", "wait_for_customer": "yes"}, headers=headers)
    assert bad.status_code == 400 and "wait_for_customer" in bad.get_json()["fields"]
    internal = client.post(url, json={"message": "x", "public": False, "wait_for_customer": True}, headers=headers)
    assert internal.status_code == 400 and "wait_for_customer" in internal.get_json()["fields"]
    response = client.post(url, json={"message": QUESTION, "wait_for_customer": True}, headers=headers)
    assert response.status_code == 201 and response.get_json()["status"] == "waiting"
    document = client.get("/api/v1/openapi.json").get_json()
    body = document["paths"]["/complaints/{reference}/updates"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["properties"]["wait_for_customer"]["type"] == "boolean"

    other = complaint_in("assigned", staff, email="other@example.com")
    browser.login(staff.agent)
    detail = f"/staff/complaints/{other}"
    page = client.get(detail).get_data(as_text=True)
    assert "Wait for the customer&#39;s answer" in page or "Wait for the customer's answer" in page
    posted = browser.post_form(detail, {"update-message": QUESTION, "update-mode": "reply", "update-wait_for_customer": "y"},
                               action=detail + "/updates", follow_redirects=True)
    assert "the complaint waits for their answer" in posted.get_data(as_text=True), posted.get_data(as_text=True)[-3000:]
    assert _complaint(other).status == "waiting"
