"""The complaint page's new routes through the test client: the composer's modes and files, the
preview (the same text as the queued e-mail), canned responses (JSON and without JavaScript; the
management page's rules), presence, the remembered order and the viewer's time zone."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from complaints import canned
from complaints.models import Attachment, ComplaintEvent
from notifications.models import OutboxMessage
from tests.support.complaints import file
from tests.support.web import csrf_from

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _page(client, ref):
    return client.get(f"/staff/complaints/{ref}").get_data(as_text=True)


def _version(html):
    return re.search(r'id="update-version" name="update-version" type="hidden" value="(\d+)"', html).group(1)


def test_the_composer_defaults_to_a_note_and_writes_replies_notes_and_facts(browser, client, app, staff, db_session):
    ref = file().complaint.reference
    browser.login(staff.manager)
    html = _page(client, ref)
    assert re.search(r'id="update-mode-note" value="note"\s+checked', html)
    assert html.count('name="update-minutes"') == 1  # minutes spent: once on the page
    detail = f"/staff/complaints/{ref}"
    for mode, text in (("fact", "Box crushed"), (None, "Claim from the courier"), ("reply", "A new vase is coming")):
        data = {"update-message": text, "update-minutes": "2", **({"update-mode": mode} if mode else {})}
        assert browser.post_form(detail, data, action=detail + "/updates").status_code == 302
    db_session.rollback()
    kinds = [e.kind for e in db_session.scalars(select(ComplaintEvent).order_by(ComplaintEvent.id))][-3:]
    assert kinds == ["fact", "internal_note", "progress_update"]
    mails = [m.kind for m in db_session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == "jan@example.com"))]
    assert mails.count("complaint_progress_update") == 1
    html = _page(client, ref)
    assert 'class="entry entry-note"' in html and "Internal note — not visible to the customer" in html
    assert "6 minutes" in html


def test_staff_attachments_pass_the_upload_checks_and_reach_the_tracking_page(browser, client, app, staff, db_session):
    filed = file()
    ref = filed.complaint.reference
    browser.login(staff.manager)
    detail = f"/staff/complaints/{ref}"
    refused = browser.post_form(detail, {"update-message": "See file", "update-mode": "reply",
                                         "update-attachments": (io.BytesIO(b"MZ not a picture"), "run.exe")},
                                action=detail + "/updates", content_type="multipart/form-data")
    assert refused.status_code == 400 and "See file" in refused.get_data(as_text=True)
    done = browser.post_form(detail, {"update-message": "Label attached", "update-mode": "reply",
                                      "update-attachments": (io.BytesIO(PNG), "label.png")},
                             action=detail + "/updates", content_type="multipart/form-data")
    assert done.status_code == 302
    db_session.rollback()
    (stored,) = db_session.scalars(select(Attachment).where(Attachment.uploaded_by_customer.is_(False)))
    assert stored.original_name == "label.png" and stored.event.kind == "progress_update"
    mail = db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "complaint_progress_update")).one()
    assert "label.png" in mail.text_body
    tracking = client.get(f"/track/{filed.tracking_token}").get_data(as_text=True)
    assert "label.png" in tracking


def test_the_preview_is_the_email_that_is_then_queued(browser, client, app, staff, db_session):
    ref = file(name="Ana <Novak>").complaint.reference
    browser.login(staff.manager)
    detail = f"/staff/complaints/{ref}"
    data = {"update-message": "Your refund <b>is</b> on its way.", "update-mode": "reply"}
    preview = browser.post_form(detail, data, action=detail + "/preview", headers={"Accept": "application/json"})
    assert preview.status_code == 200
    previewed = preview.get_json()
    assert previewed["to"] == "jan@example.com" and "Your refund <b>is</b> on its way." in previewed["text"]
    html_preview = browser.post_form(detail, data, action=detail + "/preview").get_data(as_text=True)
    assert "Your refund &lt;b&gt;is&lt;/b&gt; on its way." in html_preview  # the page escapes it
    assert "The e-mail the customer will get" in html_preview
    assert browser.post_form(detail, data, action=detail + "/updates").status_code == 302
    db_session.rollback()
    mail = db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "complaint_progress_update")).one()
    assert (mail.subject, mail.text_body) == (previewed["subject"], previewed["text"])


def test_canned_responses_fill_in_for_the_complaint_and_respect_their_owner(browser, client, app, staff, db_session):
    ref = file(name="Ana <Novak>").complaint.reference
    shared = canned.save(staff.admin, title="Hello", language="en", shared=True, body="Hi {name}, about {reference}")
    private = canned.save(staff.other_agent, title="Otto's", language="en", shared=False, body="secret")
    browser.login(staff.agent)
    answer = client.get(f"/staff/complaints/{ref}/canned/{shared.id}")
    assert answer.get_json()["text"] == f"Hi Ana <Novak>, about {ref}"
    assert client.get(f"/staff/complaints/{ref}/canned/{private.id}").status_code == 404
    # Without JavaScript: the page comes back with the text in the composer, escaped.
    html = client.get(f"/staff/complaints/{ref}?canned={shared.id}").get_data(as_text=True)
    assert f"Hi Ana &lt;Novak&gt;, about {ref}</textarea>" in html
    assert "Otto&#39;s" not in html and "Otto's" not in html


def test_the_canned_management_page(browser, client, app, staff, db_session):
    browser.login(staff.agent)
    created = browser.post_form("/staff/canned-responses/", {"title": "Mine", "language": "pl", "body": "Witam {name}",
                                                             "shared": "y"}, follow_redirects=True)
    assert "Only an admin" in created.get_data(as_text=True)
    created = browser.post_form("/staff/canned-responses/", {"title": "Mine", "language": "pl", "body": "Witam {name}"},
                                follow_redirects=True)
    assert "Canned response saved." in created.get_data(as_text=True)
    bad = browser.post_form("/staff/canned-responses/", {"title": "Bad", "language": "en", "body": "Hi {nmae}"})
    assert bad.status_code == 400 and "{nmae}" in bad.get_data(as_text=True)
    db_session.rollback()
    mine = canned.usable_by(staff.agent)[0]
    shared = canned.save(staff.admin, title="Shared", language="en", shared=True, body="Hello")
    assert client.get(f"/staff/canned-responses/{shared.id}").status_code == 403
    edited = browser.post_form(f"/staff/canned-responses/{mine.id}", {"title": "Mine v2", "language": "pl", "body": "Witam"},
                               follow_redirects=True)
    assert "Mine v2" in edited.get_data(as_text=True)
    assert browser.post_form("/staff/canned-responses/", {}, action=f"/staff/canned-responses/{shared.id}/delete").status_code == 403
    assert browser.post_form("/staff/canned-responses/", {}, action=f"/staff/canned-responses/{mine.id}/delete").status_code == 302
    db_session.rollback()
    assert [c.title for c in canned.usable_by(staff.agent)] == ["Shared"]


def test_presence_endpoint_reports_the_others_and_the_version(browser, client, app, staff):
    ref = file().complaint.reference
    browser.login(staff.manager)
    token = csrf_from(_page(client, ref))
    first = client.post(f"/staff/complaints/{ref}/presence", json={"typing": True}, headers={"X-CSRFToken": token})
    assert first.status_code == 200 and first.get_json()["others"] == []
    from tests.support.web import Browser
    other_client = app.test_client()
    other = Browser(other_client)
    other.login(staff.admin)
    other_token = csrf_from(other_client.get(f"/staff/complaints/{ref}").get_data(as_text=True))
    seen = other_client.post(f"/staff/complaints/{ref}/presence", json={}, headers={"X-CSRFToken": other_token}).get_json()
    assert seen["others"] == [{"name": staff.manager.name, "typing": True}] and seen["version"] >= 1
    assert client.post(f"/staff/complaints/{ref}/presence", json={"typing": True}).status_code == 400  # no CSRF token
    assert client.post(f"/staff/complaints/{ref}/presence", data="[1, 2]", headers={"X-CSRFToken": token},
                       content_type="application/json").status_code == 200


def test_order_is_remembered_and_dates_are_in_the_viewers_zone(browser, client, app, staff):
    ref = file().complaint.reference
    browser.login(staff.manager)
    newest = client.get(f"/staff/complaints/{ref}?order=newest")
    assert "thread_order=newest" in newest.headers.get("Set-Cookie", "")
    assert 'href="?order=newest#thread-h" aria-current="true"' in _page(client, ref)
    client.set_cookie("staff_tz", "Asia/Tokyo", path="/staff")
    html = _page(client, ref)
    assert "Times in Asia/Tokyo" in html and "6:00" in html  # filed 09:00 UTC = 18:00 in Tokyo
    page_only = re.sub(r'<pre class="pre mail-text"[^>]*>.*?</pre>', "", html, flags=re.S)  # e-mails as sent
    assert not re.search(r"\d:\d\d:\d\d", re.sub(r"<[^>]+>", "", page_only))  # no seconds in the page's own dates
    client.set_cookie("staff_tz", "Asia%2FTokyo", path="/staff")  # as static/js/workspace.js writes it
    assert "Times in Asia/Tokyo" in _page(client, ref)
    client.set_cookie("staff_tz", "Not/AZone", path="/staff")
    assert "Times in UTC" in _page(client, ref)


def test_a_refused_reply_keeps_its_file_for_its_author_only(browser, client, app, staff, db_session):
    """A reply refused by the version check keeps its file on the server (complaints/staging.py)
    under the page's key bound to the author: the author's next send takes it; the same key in
    another staff member's submission finds nothing."""
    from complaints.staging import StagedUpload

    ref = file().complaint.reference
    browser.login(staff.manager)
    detail = f"/staff/complaints/{ref}"
    opened = _page(client, ref)
    key = re.search(r'name="update-staging_key" type="hidden" value="([^"]+)"', opened).group(1)
    seen = _version(opened)
    assert browser.post_form(detail, {"update-message": "Meanwhile"}, action=detail + "/updates").status_code == 302
    refused = browser.post_form(detail, {"update-message": "Label attached", "update-mode": "reply", "update-version": seen,
                                         "update-staging_key": key, "update-attachments": (io.BytesIO(PNG), "label.png")},
                                action=detail + "/updates", content_type="multipart/form-data")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Label attached" in html and "label.png" in html
    staged_id = re.search(r'name="keep_staged" value="(\d+)"', html).group(1)
    db_session.rollback()
    assert db_session.query(StagedUpload).count() == 1
    client.post("/staff/logout", data={"csrf_token": csrf_from(_page(client, ref))})
    browser.login(staff.admin)
    other = browser.post_form(detail, {"update-message": "Not mine", "update-staging_key": key, "staged_files": "1",
                                       "keep_staged": staged_id}, action=detail + "/updates")
    assert other.status_code == 302
    db_session.rollback()
    assert db_session.query(Attachment).count() == 0 and db_session.query(StagedUpload).count() == 1
    client.post("/staff/logout", data={"csrf_token": csrf_from(_page(client, ref))})
    browser.login(staff.manager)
    done = browser.post_form(detail, {"update-message": "Label attached", "update-mode": "reply", "update-staging_key": key,
                                      "staged_files": "1", "keep_staged": staged_id}, action=detail + "/updates")
    assert done.status_code == 302
    db_session.rollback()
    (stored,) = db_session.scalars(select(Attachment))
    assert stored.original_name == "label.png" and db_session.query(StagedUpload).count() == 0
