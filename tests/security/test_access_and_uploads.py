"""Access control in the query layer, secrets bound to one object and purpose, no open redirect,
and uploads that can never run in our origin."""
import re

import pytest

from complaints import actions, tracking
from complaints.models import Attachment
from complaints.uploads import Upload
from platform_support.errors import NotFound, ServiceError
from staff.auth import safe_next
from staff.tokens import issue_api_token
from tests.security.conftest import file_complaint

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
GIF_POLYGLOT = b"GIF89a/*<script>alert(document.domain)</script>*/" + b"\x00" * 16


def _owned_by(owner, actor):
    filed = file_complaint()
    actions.assign_owner(filed.complaint.reference, owner.email, actor=actor)
    return filed


def test_agent_cannot_reach_another_agents_complaint(app, browser, client, staff, db_session):
    filed = _owned_by(staff.other_agent, staff.manager)
    reference = filed.complaint.reference
    with pytest.raises(NotFound):
        from complaints.queries import get_visible_complaint
        get_visible_complaint(reference, staff.agent)
    with pytest.raises(NotFound):
        actions.post_update(reference, "not mine", public=True, actor=staff.agent)
    db_session.rollback()
    token = issue_api_token(staff.agent)
    api = client.get(f"/api/v1/complaints/{reference}", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 404
    listed = client.get("/api/v1/complaints?status=all", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert reference not in [item["reference"] for item in listed["items"]]
    browser.login(staff.agent)
    assert browser.get(f"/staff/complaints/{reference}").status_code == 404
    page = browser.get("/staff/complaints/").get_data(as_text=True)
    assert browser.client.post(f"/staff/complaints/{reference}/resolve",
                               data={"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
                                     "resolve-resolution": "x", "resolve-root_cause": "other"}).status_code == 404
    db_session.rollback()
    assert db_session.get(type(filed.complaint), filed.complaint.id).status != "resolved"


def test_manager_sees_it(app, staff):
    filed = _owned_by(staff.other_agent, staff.manager)
    from complaints.queries import get_visible_complaint
    assert get_visible_complaint(filed.complaint.reference, staff.manager).id == filed.complaint.id


def test_agent_cannot_reach_admin_pages(browser, staff):
    browser.login(staff.agent)
    for path in ("/staff/accounts", "/admin/audit/", "/admin/audit/export.csv", "/admin/webhooks/", "/admin/root-causes"):
        assert browser.get(path).status_code == 403, path


def test_tracking_token_opens_only_its_complaint_and_only_the_tracking_page(app, client, staff, db_session):
    first, second = file_complaint(), file_complaint(email="other@example.com")
    tracking.add_customer_message(second.tracking_token, "photo", [Upload("p.png", PNG)])
    db_session.rollback()
    attachment = db_session.scalars(db_session.query(Attachment).filter_by(complaint_id=second.complaint.id).statement).one()
    # The first complaint's token cannot fetch the second complaint's file, even knowing its name.
    assert client.get(f"/track/{first.tracking_token}/attachments/{attachment.stored_name}").status_code == 404
    assert client.get(f"/track/{second.tracking_token}/attachments/{attachment.stored_name}", buffered=True).status_code == 200
    # A tracking token is not an API token, and an API token is not a tracking token.
    assert client.get("/api/v1/complaints", headers={"Authorization": f"Bearer {first.tracking_token}"}).status_code == 401
    api_token = issue_api_token(staff.agent)
    assert client.get(f"/track/{api_token}").status_code == 404


def test_tracking_tokens_are_long_random_and_stored_hashed(app, db_session):
    filed = file_complaint()
    assert len(filed.tracking_token) >= 43  # 256 bits, URL-safe base64
    db_session.rollback()
    row = db_session.get(type(filed.complaint), filed.complaint.id)
    assert filed.tracking_token not in (row.tracking_token_hash, row.reference)


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example", "http:/evil.example",
    "javascript:alert(1)", "/%2F%2Fevil.example", " //evil.example", "\t//evil.example", "https:evil.example",
    "\r\n//evil.example", "", None, "evil.example", "///evil.example",
])
def test_safe_next_never_leaves_our_origin(target):
    result = safe_next(target, "/staff/complaints/")
    assert result.startswith("/") and not result.startswith("//") and "\\" not in result
    assert "evil" not in result or result.startswith("/%2F")  # an encoded path stays a path on our host


def test_login_redirect_ignores_foreign_next(browser, staff):
    from tests.support.staff import StaffAccounts
    response = browser.post_form("/staff/login?next=//evil.example/x", {"email": staff.agent.email,
                                                                        "password": StaffAccounts.PASSWORD},
                                 action="/staff/login?next=//evil.example/x")
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]


@pytest.mark.parametrize("name, content", [
    ("pic.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("page.html", b"<!doctype html><script>alert(1)</script>"),
    ("page.png", b"<html><script>alert(1)</script></html>"),  # lies about its type
    ("x.js", b"alert(1)"),
    ("empty.pdf", b"%PD"),
])
def test_scriptable_files_are_refused(app, name, content):
    with pytest.raises(ServiceError):
        file_complaint(attachments=[Upload(name, content)])


@pytest.mark.parametrize("app_settings", [{"UPLOAD_MAX_BYTES": 1024}])
def test_size_limit(app):
    with pytest.raises(ServiceError):
        file_complaint(attachments=[Upload("big.png", PNG + b"\x00" * 2048)])


def test_accepted_file_is_stored_under_a_random_name_and_served_as_download(app, client, db_session):
    filed = file_complaint(attachments=[Upload("../../evil<script>.html", GIF_POLYGLOT),
                                        Upload("../../evil2.html", GIF_POLYGLOT)])
    db_session.rollback()
    rows = db_session.scalars(db_session.query(Attachment).statement).all()
    assert len(rows) == 2
    names = {row.stored_name for row in rows}
    assert len(names) == 2
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{32}\.gif", row.stored_name)
        assert row.content_type == "image/gif"
        response = client.get(f"/track/{filed.tracking_token}/attachments/{row.stored_name}", buffered=True)
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Type"] == "image/gif"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert "script" not in response.headers["Content-Disposition"].split("filename=")[0]


def test_request_larger_than_the_cap_is_413_not_500(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = client.post("/complain", data={"description": "x" * 20_000})
    assert response.status_code == 413
