"""The complaint screens through the Flask test client: what customers and staff can and cannot do."""
import io
import re
from datetime import timedelta

from sqlalchemy import select

from platform_support.clock import utcnow
from complaints import actions, links
from complaints.models import Complaint
from notifications.models import OutboxMessage
from tests.support.complaints import file
from tests.support.web import csrf_from

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def form_data(page: str, **overrides) -> dict:
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)
    return {"csrf_token": csrf_from(page), "submission_key": key, "name": "Jan Kowalski",
            "email": "jan@example.com", "description": "The parcel arrived crushed.",
            "preferred_channel": "email", "language": "en", **overrides}


def file_through_form(client, **overrides):
    page = client.get("/complain").get_data(as_text=True)
    return client.post("/complain", data=form_data(page, **overrides), content_type="multipart/form-data")


def filed(app, email="jan@example.com"):
    return file(name="Jan", email=email, description="Broken vase")


def flashes(response) -> str:
    return " ".join(re.findall(r'<p class="flash flash-\w+">([^<]*)</p>', response.get_data(as_text=True)))


# --- customer side --------------------------------------------------------------------------------

def test_confirmation_page_apologises_and_says_what_happens_next(client, db_session):
    response = file_through_form(client)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    complaint = db_session.scalars(select(Complaint)).one()
    assert "truly sorry" in page and "What happens next" in page and complaint.reference in page
    assert "/track/" in page
    received = client.get(response.headers["Location"])
    assert received.headers["Cache-Control"] == "no-store" and received.headers["Referrer-Policy"] == "no-referrer"


def test_honeypot_pretends_success_and_stores_nothing(client, db_session):
    response = file_through_form(client, website="http://spam.example")
    assert response.status_code == 302
    assert db_session.query(Complaint).count() == 0 and db_session.query(OutboxMessage).count() == 0


def test_bad_input_gets_clear_messages_never_500(client, db_session):
    assert file_through_form(client, description="x" * 50_000).status_code == 200
    assert b"single line" in file_through_form(client, name="Eve\r\nBcc: victim@example.com").data
    assert b"single line" in file_through_form(client, email="a@example.com\r\nBcc: b@example.com").data
    assert file_through_form(client, email="not-an-address").status_code == 200
    assert file_through_form(client, occurred_on="31/31/2027").status_code == 200
    assert file_through_form(client, preferred_channel="carrier-pigeon").status_code == 200
    assert file_through_form(client, language="xx").status_code == 200
    assert file_through_form(client, name="").status_code == 200
    assert db_session.query(Complaint).count() == 0


def test_svg_and_html_uploads_are_refused(client, db_session):
    for content, name in ((SVG, "photo.svg"), (SVG, "photo.png"), (HTML, "scan.pdf")):
        response = file_through_form(client, attachments=(io.BytesIO(content), name))
        assert response.status_code == 200
        assert "not a photo" in response.get_data(as_text=True)
    assert db_session.query(Complaint).count() == 0


def test_png_is_served_as_download_with_nosniff_to_link_holder_and_staff_only(client, browser, staff, db_session):
    response = file_through_form(client, attachments=(io.BytesIO(PNG), "<b>photo<i>.png"))
    assert response.status_code == 302
    db_session.rollback()
    complaint = db_session.scalars(select(Complaint)).one()
    (attachment,) = complaint.attachments
    ack = db_session.scalars(select(OutboxMessage).filter_by(kind="complaint_acknowledgement")).one()
    track = re.search(r"http://localhost(/track/\S+)", ack.text_body).group(1)

    page = client.get(track).get_data(as_text=True)
    assert "&lt;b&gt;photo&lt;i&gt;.png" in page  # the customer's file name is shown escaped
    download = client.get(f"{track}/attachments/{attachment.stored_name}", buffered=True)  # read in its context
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment")

    # Not for anyone else: another complaint's link, or no login.
    db_session.rollback()  # opening the e-mailed link wrote (the address is confirmed): a fresh snapshot
    other = filed(None, email="someone@example.com")
    assert client.get(f"/track/{other.tracking_token}/attachments/{attachment.stored_name}").status_code == 404
    staff_url = f"/staff/complaints/{complaint.reference}/attachments/{attachment.id}"
    assert client.get(staff_url).status_code == 302  # to the login page
    browser.login(staff.agent)
    staff_download = client.get(staff_url, buffered=True)
    assert staff_download.status_code == 200 and staff_download.headers["X-Content-Type-Options"] == "nosniff"
    assert staff_download.headers["Content-Disposition"].startswith("attachment")


def test_tracking_token_of_another_complaint_gives_404(client, app):
    mine, theirs = filed(app), filed(app, email="other@example.com")
    assert client.get(f"/track/{mine.tracking_token}").status_code == 200
    assert client.get(f"/track/{theirs.tracking_token}x").status_code == 404
    assert client.get("/track/" + "A" * 43).status_code == 404
    assert client.get("/track/" + "A" * 5000).status_code == 404
    # A stored name of one complaint's attachment through the other's link: 404 as well.
    assert client.get(f"/track/{mine.tracking_token}/attachments/../../secret_key").status_code == 404


def test_customer_adds_information_on_tracking_page_and_owner_is_told(client, app, staff, db_session):
    complaint_filed = filed(app)
    actions.assign_owner(complaint_filed.complaint.reference, staff.agent.email, actor=staff.agent)
    track = f"/track/{complaint_filed.tracking_token}"
    page = client.get(track).get_data(as_text=True)
    response = client.post(track, data={"csrf_token": csrf_from(page), "message": "The receipt number is 42",
                                        "attachments": (io.BytesIO(PNG), "receipt.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    after = client.get(track).get_data(as_text=True)
    assert "The receipt number is 42" in after and "receipt.png" in after
    db_session.rollback()
    (told,) = db_session.scalars(select(OutboxMessage).filter_by(kind="complaint_customer_message")).all()
    assert told.to_address == staff.agent.email and "receipt number is 42" in told.text_body
    # Too long or nothing at all: a message, not a 500.
    page = client.get(track).get_data(as_text=True)
    assert client.post(track, data={"csrf_token": csrf_from(page), "message": "y" * 50_000}).status_code == 200
    page = client.get(track).get_data(as_text=True)
    empty = client.post(track, data={"csrf_token": csrf_from(page), "message": "  "}, follow_redirects=True)
    assert empty.status_code == 200 and "Please write a message" in empty.get_data(as_text=True)


def test_tracking_page_shows_owner_commitment_and_public_events_only(client, app, staff):
    complaint_filed = filed(app)
    ref = complaint_filed.complaint.reference
    actions.record_fact(ref, "FACT-internal courier note", actor=staff.agent)
    actions.assign_owner(ref, staff.agent.email, actor=staff.agent)
    actions.post_update(ref, "NOTE-internal do not tell", public=False, actor=staff.agent)
    actions.post_update(ref, "We have ordered a new vase.", public=True, actor=staff.agent)
    due = complaint_filed.complaint.created_at.date() + timedelta(days=3)
    actions.commit_action(ref, "Deliver a new vase", due, actor=staff.agent)
    page = client.get(f"/track/{complaint_filed.tracking_token}").get_data(as_text=True)
    assert "Agnes Agent" in page and "We have ordered a new vase." in page and "Deliver a new vase" in page
    assert "FACT-internal" not in page and "NOTE-internal" not in page


def test_tracking_page_dates_are_in_the_customers_time_zone(client, app, db_session):
    complaint_filed = filed(app)
    complaint = complaint_filed.complaint
    complaint.customer.timezone = "Asia/Tokyo"
    (created,) = complaint.events
    created.created_at = created.created_at.replace(hour=23, minute=30, second=0)
    db_session.commit()
    page = client.get(f"/track/{complaint_filed.tracking_token}").get_data(as_text=True)
    assert "8:30" in page and "(Asia/Tokyo)" in page  # 23:30 UTC is 08:30 the next morning in Tokyo
    assert "8:30:00" not in page  # customers read times without seconds


# --- CSRF --------------------------------------------------------------------------------------

def test_missing_csrf_gives_400_on_customer_and_staff_forms(client, browser, app, staff, db_session):
    assert client.post("/complain", data={"name": "A", "email": "a@example.com", "description": "x"}).status_code == 400
    complaint_filed = filed(app)
    assert client.post(f"/track/{complaint_filed.tracking_token}", data={"message": "hi"}).status_code == 400
    browser.login(staff.agent)
    ref = complaint_filed.complaint.reference
    assert client.post(f"/staff/complaints/{ref}/facts", data={"fact-text": "x"}).status_code == 400
    db_session.rollback()
    assert [e.kind for e in complaint_filed.complaint.events] == ["created"]


# --- staff side --------------------------------------------------------------------------------

def test_login_error_is_generic(browser, staff):
    wrong_password = browser.post_form("/staff/login", {"email": staff.agent.email, "password": "nope-nope-nope"})
    unknown_user = browser.post_form("/staff/login", {"email": "ghost@example.com", "password": "nope-nope-nope"})
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert flashes(wrong_password) == flashes(unknown_user) == "Wrong e-mail or password."


def test_staff_pages_need_login(client, app):
    ref = filed(app).complaint.reference
    for url in ("/staff/complaints/", "/staff/complaints/mine", f"/staff/complaints/{ref}"):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_agents_cannot_see_other_agents_complaints_or_reassign(browser, client, app, staff, db_session):
    ref = filed(app).complaint.reference
    actions.assign_owner(ref, staff.other_agent.email, actor=staff.manager)
    unowned = filed(app, email="new@example.com").complaint.reference
    browser.login(staff.agent)
    assert client.get(f"/staff/complaints/{ref}").status_code == 404
    assert client.post(f"/staff/complaints/{ref}/facts", data={
        "csrf_token": csrf_from(client.get("/staff/complaints/").get_data(as_text=True)),
        "fact-text": "sneaky"}).status_code == 404
    queue = client.get("/staff/complaints/").get_data(as_text=True)
    assert ref not in queue and unowned in queue

    # An agent may take an unowned complaint but not give it to someone else.
    detail = f"/staff/complaints/{unowned}"
    refused = browser.post_form(detail, {"assign-owner": staff.other_agent.email}, action=detail + "/assign",
                                follow_redirects=True)
    assert "Only a manager" in flashes(refused)
    taken = browser.post_form(detail, {"assign-owner": staff.agent.email, "assign-minutes": "3"},
                              action=detail + "/assign", follow_redirects=True)
    assert "Owner assigned" in flashes(taken)
    mine = client.get("/staff/complaints/mine").get_data(as_text=True)
    assert unowned in mine and ref not in mine and "My complaints" in mine
    db_session.rollback()
    taken_complaint = db_session.scalar(select(Complaint).where(Complaint.reference == unowned))
    assert taken_complaint.owner_id == staff.agent.id and taken_complaint.handling_minutes == 3


def test_manager_reassigns_and_sees_everyone(browser, client, app, staff, db_session):
    ref = filed(app).complaint.reference
    actions.assign_owner(ref, staff.agent.email, actor=staff.agent)
    browser.login(staff.manager)
    assert ref in client.get("/staff/complaints/").get_data(as_text=True)
    detail = f"/staff/complaints/{ref}"
    moved = browser.post_form(detail, {"assign-owner": staff.other_agent.email}, action=detail + "/assign",
                              follow_redirects=True)
    assert "Owner assigned" in flashes(moved)
    db_session.rollback()
    assert db_session.scalar(select(Complaint).where(Complaint.reference == ref)).owner_id == staff.other_agent.id


def test_illegal_transition_gives_a_clear_message(browser, client, app, staff):
    ref = filed(app).complaint.reference
    browser.login(staff.manager)
    detail = f"/staff/complaints/{ref}"
    response = browser.post_form(detail, {}, action=detail + "/close", follow_redirects=True)
    assert response.status_code == 400  # the page again, with the reason
    assert "You cannot close a complaint that is New." in flashes(response)
    missing_root_cause = browser.post_form(detail, {"resolve-resolution": "Done"}, action=detail + "/resolve",
                                           follow_redirects=True)
    assert "Root cause" in flashes(missing_root_cause)


def test_every_action_logs_minutes_and_internal_note_stays_internal(browser, client, app, staff, db_session):
    complaint_filed = filed(app)
    ref = complaint_filed.complaint.reference
    browser.login(staff.manager)
    detail = f"/staff/complaints/{ref}"
    steps = [
        ("/facts", {"fact-text": "Box was crushed", "fact-minutes": "4"}),
        ("/assign", {"assign-owner": staff.agent.email, "assign-minutes": "1"}),
        ("/updates", {"update-message": "PRIVATE: check the courier contract", "update-minutes": "2"}),
        ("/updates", {"update-message": "A new vase is on its way.", "update-mode": "reply", "update-minutes": "5"}),
        ("/commit", {"commit-action": "Send a new vase", "commit-due_on": "2099-01-01", "commit-minutes": "6"}),
        ("/priority", {"priority-priority": "high", "priority-minutes": "1"}),
        ("/resolve", {"resolve-resolution": "Vase replaced", "resolve-root_cause": "damaged_in_transit",
                      "resolve-minutes": "7"}),
        ("/reopen", {"reopen-reason": "The new one broke too", "reopen-minutes": "2"}),
        ("/resolve", {"resolve-resolution": "Refunded", "resolve-root_cause": "damaged_in_transit"}),
        ("/close", {"close-minutes": "1"}),
    ]
    for path, data in steps:
        response = browser.post_form(detail, data, action=detail + path, follow_redirects=True)
        assert "flash-error" not in response.get_data(as_text=True), (path, flashes(response))
    db_session.rollback()
    complaint = db_session.scalar(select(Complaint).where(Complaint.reference == ref))
    assert complaint.status == "closed" and complaint.handling_minutes == 4 + 1 + 2 + 5 + 6 + 1 + 7 + 2 + 1
    tracking = client.get(f"/track/{complaint_filed.tracking_token}").get_data(as_text=True)
    assert "PRIVATE" not in tracking and "Box was crushed" not in tracking
    assert "A new vase is on its way." in tracking and "Refunded" in tracking
    customer_mail = db_session.scalars(select(OutboxMessage).filter_by(to_address="jan@example.com")).all()
    assert len(customer_mail) >= 6
    assert all("PRIVATE" not in (m.text_body + (m.html_body or "")) for m in customer_mail)
    assert all("Box was crushed" not in m.text_body for m in customer_mail)


def test_queue_filters_counts_and_pages(browser, client, app, staff):
    refs = [filed(app, email=f"c{i}@example.com").complaint.reference for i in range(3)]
    actions.change_priority(refs[1], "urgent", actor=staff.manager)
    browser.login(staff.manager)
    page = client.get("/staff/complaints/?priority=urgent").get_data(as_text=True)
    assert refs[1] in page and refs[0] not in page
    assert re.search(r"New: <strong>3</strong>", page)
    assert client.get("/staff/complaints/?status=resolved&owner=nobody@x&priority=bogus").status_code == 200
    assert client.get("/staff/complaints/?cursor=zzz").status_code == 400  # a bad cursor is no first page
    from complaints import queries
    first, cursor = queries.queue_page(staff.manager, queries.QueueFilter(), now=utcnow(), limit=2)
    assert cursor is not None
    rest = client.get(f"/staff/complaints/?cursor={cursor}").get_data(as_text=True)
    assert all(c.reference not in rest for c in first)


# --- mail view -------------------------------------------------------------------------------

def test_parked_mail_is_visible_to_admins_who_can_send_it_again(browser, client, app, staff, db_session):
    complaint_filed = filed(app)
    message = db_session.scalars(select(OutboxMessage)).one()
    message.status, message.attempts, message.last_error = "parked", 8, "SMTPRecipientsRefused: 451 try later"
    db_session.commit()
    browser.login(staff.agent)
    assert client.get("/staff/mail/").status_code == 403
    client.post("/staff/logout", data={"csrf_token": csrf_from(client.get("/staff/password").get_data(as_text=True))})
    browser.login(staff.admin)
    listing = client.get("/staff/mail/?status=parked").get_data(as_text=True)
    assert complaint_filed.complaint.reference in listing
    detail = f"/staff/mail/{message.id}"
    page = client.get(detail).get_data(as_text=True)
    assert "451 try later" in page and "Send again" in page and links.link_url(complaint_filed.complaint.reference) in page
    browser.post_form(detail, {}, action=detail + "/retry")
    db_session.rollback()
    assert message.status == "queued" and message.attempts == 0
