"""Account security through the pages: password reset by e-mail, two-factor sign-in and
enrolment, the per-role requirement, the per-account lock, no-store caching, the tracking link
kept out of the readable cookie."""
import base64
import re
import zlib

import pytest
from sqlalchemy import select

from notifications.models import OutboxMessage
from platform_support.clock import utcnow
from staff import two_factor
from staff.sessions import STAFF_SESSION_COOKIE
from tests.conftest import Browser, IsolatedClient, StaffAccounts
from tests.web.test_complaint_web import file_through_form


def _flash(response) -> str:
    return " ".join(re.findall(r'<p class="flash flash-\w+">([^<]*)</p>', response.get_data(as_text=True)))


def _other_browser(app) -> Browser:
    app.test_client_class = IsolatedClient
    return Browser(app.test_client())


def _signed_in(browser) -> bool:
    return browser.get("/staff/complaints/").status_code == 200


# --- password reset ---------------------------------------------------------------------------------

def _ask_reset(browser, email):
    response = browser.post_form("/staff/password-reset", {"email": email})
    assert response.status_code == 302
    return browser.get(response.headers["Location"])


def _link(db_session, email) -> str:
    db_session.rollback()
    message = db_session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == email,
                                                             OutboxMessage.kind == "staff_password_reset")).one()
    return "/staff/password-reset/" + message.text_body.split("/staff/password-reset/")[1].split()[0]


def test_the_reset_page_answers_the_same_for_known_and_unknown_addresses(app, browser, staff, db_session):
    known = _ask_reset(browser, staff.agent.email)
    unknown = _ask_reset(_other_browser(app), "ghost@example.com")
    assert _flash(known) == _flash(unknown) and "If an active staff account has this address" in _flash(known)
    assert known.status_code == unknown.status_code == 200
    db_session.rollback()
    assert [m.to_address for m in db_session.scalars(select(OutboxMessage))] == [staff.agent.email]


def test_reset_by_link_signs_out_every_session_and_the_link_works_once(app, browser, staff, db_session):
    signed_in = _other_browser(app)
    signed_in.login(staff.agent)
    saved_cookie = signed_in.client.get_cookie(STAFF_SESSION_COOKIE).value
    _ask_reset(browser, staff.agent.email)
    link = _link(db_session, staff.agent.email)
    page = browser.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    refused = browser.post_form(link, {"new_password": "password1234"})
    assert refused.status_code == 200 and "commonly used" in refused.get_data(as_text=True)
    done = browser.post_form(link, {"new_password": "fresh plum orbit"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/staff/login")
    assert not _signed_in(signed_in)
    thief = _other_browser(app)
    thief.client.set_cookie(STAFF_SESSION_COOKIE, saved_cookie)
    assert not _signed_in(thief)
    assert browser.get(link).status_code == 404  # used up
    browser.login(staff.agent, password="fresh plum orbit")


def test_managers_cannot_read_a_reset_link_in_sent_mail(app, browser, staff, db_session):
    _ask_reset(_other_browser(app), staff.admin.email)
    link = _link(db_session, staff.admin.email)
    message_id = db_session.scalar(select(OutboxMessage.id))
    browser.login(staff.manager)
    page = browser.get(f"/staff/mail/{message_id}").get_data(as_text=True)
    assert link.rsplit("/", 1)[1] not in page and "only its recipient may read it" in page


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True, "PASSWORD_RESET_RATE_LIMIT": "2 per minute"}])
def test_reset_requests_are_rate_limited(app, browser, staff):
    codes = [browser.post_form("/staff/password-reset", {"email": f"x{i}@example.com"}).status_code for i in range(3)]
    assert codes == [302, 302, 429]


# --- two-factor sign-in ---------------------------------------------------------------------------------

def _enrol_through_pages(browser) -> str:
    page = browser.get("/staff/two-factor").get_data(as_text=True)
    assert "<svg" in page  # the QR code, inline
    secret = re.search(r'<code class="secret-key">([A-Z2-7]+)</code>', page).group(1)
    response = browser.post_form("/staff/two-factor", {"code": two_factor.totp_code(secret, utcnow())})
    assert response.status_code == 200 and "Your recovery codes" in response.get_data(as_text=True)
    return secret


def test_enrol_then_sign_in_needs_the_code_and_a_code_is_not_replayed(app, browser, staff, db_session):
    browser.login(staff.agent)
    wrong = browser.post_form("/staff/two-factor", {"code": "12345x"})
    assert "not right" in wrong.get_data(as_text=True)
    secret = _enrol_through_pages(browser)
    db_session.rollback()
    # The enrolment's own code is used up: wait for the next step by asking for it, not by sleeping.
    db_session.get(type(staff.agent), staff.agent.id).totp_last_step -= 2
    db_session.commit()

    fresh = _other_browser(app)
    first_step = fresh.post_form("/staff/login", {"email": staff.agent.email, "password": StaffAccounts.PASSWORD})
    assert first_step.status_code == 302 and "/staff/login/two-factor" in first_step.headers["Location"]
    assert not _signed_in(fresh)  # the password alone is not a session
    code = two_factor.totp_code(secret, utcnow())
    assert fresh.post_form("/staff/login/two-factor", {"code": code}).status_code == 302
    assert _signed_in(fresh)

    replay = _other_browser(app)
    replay.post_form("/staff/login", {"email": staff.agent.email, "password": StaffAccounts.PASSWORD})
    refused = replay.post_form("/staff/login/two-factor", {"code": code})
    assert refused.status_code == 200 and "used already" in refused.get_data(as_text=True)
    assert not _signed_in(replay)


def test_the_second_step_cannot_be_reached_without_the_password(app, client, staff):
    two_factor.enable(staff.agent, secret := two_factor.new_totp_secret(), two_factor.totp_code(secret, utcnow()),
                      now=utcnow())
    response = client.get("/staff/login/two-factor")
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/login")


def test_a_recovery_code_signs_in_once(app, staff, db_session):
    now = utcnow()
    secret = two_factor.new_totp_secret()
    codes = two_factor.enable(staff.agent, secret, two_factor.totp_code(secret, now), now=now)
    for expected in (302, 200):
        browser = _other_browser(app)
        browser.post_form("/staff/login", {"email": staff.agent.email, "password": StaffAccounts.PASSWORD})
        assert browser.post_form("/staff/login/two-factor", {"code": codes[3]}).status_code == expected


def test_an_admin_requires_two_factor_for_a_role_and_its_staff_enrol_at_next_sign_in(app, browser, staff, db_session):
    browser.login(staff.admin)
    page = browser.get("/staff/admin/sign-in-security")
    assert page.status_code == 200
    assert browser.post_form("/staff/admin/sign-in-security", {"agent": "y"}).status_code == 302
    assert _other_browser(app).get("/staff/admin/sign-in-security").status_code == 302  # sign-in first
    manager = _other_browser(app)
    manager.login(staff.manager)  # managers are not affected
    assert _signed_in(manager)
    agent = _other_browser(app)
    response = agent.post_form("/staff/login", {"email": staff.agent.email, "password": StaffAccounts.PASSWORD})
    assert response.headers["Location"].endswith("/staff/two-factor")
    blocked = agent.get("/staff/complaints/")
    assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/staff/two-factor")
    _enrol_through_pages(agent)
    assert _signed_in(agent)


def test_agents_cannot_change_the_role_requirement(browser, staff):
    browser.login(staff.agent)
    assert browser.get("/staff/admin/sign-in-security").status_code == 403


# --- per-account lock -------------------------------------------------------------------------------------

def test_failed_sign_ins_lock_the_account_with_the_same_message_for_unknown_addresses(app, staff):
    limit = app.config["LOGIN_ACCOUNT_MAX_FAILURES"]
    messages = {}
    for email in (staff.agent.email, "ghost@example.com"):
        browser = _other_browser(app)
        for _attempt in range(limit):
            assert browser.post_form("/staff/login", {"email": email, "password": "wrong password"}).status_code == 200
        locked = browser.post_form("/staff/login", {"email": email, "password": StaffAccounts.PASSWORD})
        assert locked.status_code == 429
        messages[email] = _flash(locked)
    assert messages[staff.agent.email] == messages["ghost@example.com"] and "locked for 15 minutes" in messages["ghost@example.com"]
    _other_browser(app).login(staff.manager)  # other accounts sign in as usual


# --- caching and cookies -----------------------------------------------------------------------------------

def test_staff_pages_exports_and_the_api_are_not_cached(app, browser, staff, db_session):
    from staff.tokens import issue_api_token
    token = issue_api_token(staff.admin)
    browser.login(staff.admin)
    for url in ("/staff/complaints/", "/admin/audit/export.csv", "/staff/sessions", "/staff/login"):
        response = browser.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    api = browser.client.get("/api/v1/complaints", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.headers["Cache-Control"] == "no-store"


def _cookie_payload(value: str) -> bytes:
    compressed = value.startswith(".")
    data = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return zlib.decompress(raw) if compressed else raw


def test_the_tracking_link_is_not_readable_in_the_cookie(app, client, db_session):
    response = file_through_form(client)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    token = re.search(r"/track/([A-Za-z0-9_-]{40,})", page).group(1)  # the page still shows the link
    payload = _cookie_payload(client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
    assert b"filed" in payload and token.encode() not in payload


def test_an_admin_creating_an_account_cannot_give_it_a_common_password(browser, staff, db_session):
    browser.login(staff.admin)
    refused = browser.post_form("/staff/accounts", {"email": "new@example.com", "name": "New Person",
                                                    "role": "agent", "password": "iloveyou1234"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "too easy to guess" in page
    assert 'value="new@example.com"' in page and 'value="New Person"' in page  # nothing typed is lost
    db_session.rollback()
    from staff.services import staff_by_email
    assert staff_by_email("new@example.com") is None
