"""The whole loop through the Flask test client: file, acknowledge, own, update, resolve, track."""
import re

from complaints.models import Complaint, ComplaintEvent
from notifications.models import OutboxMessage


def file_complaint(browser, **overrides):
    data = {"name": "Jan Kowalski", "email": "jan@example.com", "description": "The parcel arrived crushed.",
            "preferred_channel": "email", "language": "en", **overrides}
    page = browser.get("/complain").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)
    response = browser.post_form("/complain", {"submission_key": key, **data})
    return response, key


def tracking_link(db_session, reference):
    ack = db_session.scalar(db_session.query(OutboxMessage).filter_by(kind="complaint_acknowledgement").statement)
    assert reference in ack.text_body
    return re.search(r"http://localhost(/track/\S+)", ack.text_body).group(1)


def test_customer_files_and_staff_work_the_complaint(browser, client, staff, db_session):
    response, _key = file_complaint(browser)
    assert response.status_code == 302
    received = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "truly sorry" in received
    complaint = db_session.scalars(db_session.query(Complaint).statement).one()
    assert complaint.reference in received and "/track/" in received
    track_path = tracking_link(db_session, complaint.reference)

    browser.login(staff.agent)
    detail = f"/staff/complaints/{complaint.reference}"
    assert browser.post_form(detail, {"fact-text": "Courier confirms damage"}, action=detail + "/facts").status_code == 302
    assert browser.post_form(detail, {"assign-owner": staff.agent.email}, action=detail + "/assign").status_code == 302
    browser.post_form(detail, {"update-message": "Replacement is on its way", "update-mode": "reply"}, action=detail + "/updates")
    browser.post_form(detail, {"update-message": "SECRET internal remark"}, action=detail + "/updates")
    db_session.rollback()
    assert complaint.owner_id == staff.agent.id and complaint.status == "in_progress"

    tracking = client.get(track_path).get_data(as_text=True)
    assert "Agnes Agent" in tracking and "Replacement is on its way" in tracking
    assert "SECRET" not in tracking and "Courier confirms" not in tracking
    customer_mail = db_session.scalars(db_session.query(OutboxMessage).filter_by(to_address="jan@example.com").statement).all()
    assert all("SECRET" not in m.text_body for m in customer_mail)
    assert {m.kind for m in customer_mail} >= {"complaint_acknowledgement", "complaint_owner_assigned", "complaint_progress_update"}

    browser.post_form(detail, {"resolve-resolution": "Refunded in full", "resolve-root_cause": "damaged_in_transit"},
                      action=detail + "/resolve")
    db_session.rollback()
    assert complaint.status == "resolved" and complaint.root_cause.code == "damaged_in_transit"
    kinds = [e.kind for e in db_session.scalars(db_session.query(ComplaintEvent).order_by(ComplaintEvent.id).statement)]
    assert kinds == ["created", "fact", "assigned", "progress_update", "internal_note", "resolved"]


def test_double_submit_creates_one_complaint(browser, client, db_session):
    first, key = file_complaint(browser)
    page = browser.get("/complain").get_data(as_text=True)
    from tests.support.web import csrf_from
    second = client.post("/complain", data={"csrf_token": csrf_from(page), "submission_key": key, "name": "Jan Kowalski",
                                            "email": "jan@example.com", "description": "The parcel arrived crushed.",
                                            "preferred_channel": "email", "language": "en"})
    assert second.status_code == 302 and second.headers["Location"] == first.headers["Location"]
    assert db_session.query(Complaint).count() == 1


def test_missing_csrf_gives_400(client, db_session):
    response = client.post("/complain", data={"name": "A", "email": "a@example.com", "description": "x"})
    assert response.status_code == 400
    assert db_session.query(Complaint).count() == 0


def test_other_complaints_token_gives_404(client):
    assert client.get("/track/" + "A" * 43).status_code == 404


def test_long_description_and_crlf_name_never_500(browser, db_session):
    response, _ = file_complaint(browser, description="x" * 50_000)
    assert response.status_code == 200 and b"under" in response.data
    response, _ = file_complaint(browser, name="Eve\r\nBcc: victim@example.com")
    assert response.status_code == 200 and b"single line" in response.data
    assert db_session.query(Complaint).count() == 0
