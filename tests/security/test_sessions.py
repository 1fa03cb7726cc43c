"""Staff sessions kept on the server: a fresh session at login with only its id in the cookie,
ended at once by logout / logout everywhere / password change / disable (a cookie copied before
is refused), idle and absolute timeouts, the list of one's sessions, cookie flags, rate-limited
login."""
import os
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from platform_support.clock import utcnow
from platform_support.tokens import hash_secret
from staff.models import StaffSession
from staff.sessions import STAFF_SESSION_COOKIE
from tests.support.external import missing
from tests.support.staff import StaffAccounts
from tests.support.web import Browser, IsolatedClient, csrf_from


def _second_browser(app) -> Browser:
    app.test_client_class = IsolatedClient
    return Browser(app.test_client())


def _signed_in(browser) -> bool:
    response = browser.get("/staff/complaints/")
    return response.status_code == 200


def _session_cookie(browser) -> str:
    cookie = browser.client.get_cookie(STAFF_SESSION_COOKIE)
    assert cookie is not None, "no staff session cookie"
    return cookie.value


def _replay(app, cookie_value: str) -> Browser:
    """A browser of someone who copied the cookie: only its value."""
    thief = _second_browser(app)
    thief.client.set_cookie(STAFF_SESSION_COOKIE, cookie_value)
    return thief


def _row(db_session, browser) -> StaffSession:
    db_session.rollback()  # a fresh snapshot after the requests
    return db_session.scalar(select(StaffSession).where(StaffSession.id_hash == hash_secret(_session_cookie(browser))))


def _logout(browser, **extra):
    page = browser.get("/staff/complaints/").get_data(as_text=True)
    return browser.client.post("/staff/logout", data={"csrf_token": csrf_from(page), **extra})


def test_login_starts_a_new_server_session_and_the_cookie_carries_only_its_id(app, browser, staff, db_session):
    with browser.client.session_transaction() as s:
        s["planted"] = "by an attacker before login"
    browser.login(staff.agent)
    assert browser.client.get_cookie(app.config["SESSION_COOKIE_NAME"]) is None  # the signed cookie is gone
    value = _session_cookie(browser)
    assert len(value) == 43 and "." not in value  # 256 random bits, nothing signed or encoded in it
    row = _row(db_session, browser)
    assert row.staff_user_id == staff.agent.id and row.ended_at is None and row.id_hash != value
    assert "planted" not in row.data and value not in row.data
    with browser.client.session_transaction() as s:
        assert "planted" not in s


def test_a_cookie_saved_before_logout_is_signed_out(app, browser, staff, db_session):
    browser.login(staff.agent)
    saved = _session_cookie(browser)
    assert _signed_in(_replay(app, saved))  # the copy works while the session lives
    assert _logout(browser).status_code == 302
    assert not _signed_in(browser)
    assert not _signed_in(_replay(app, saved))
    db_session.rollback()
    assert db_session.scalar(select(StaffSession.ended_at).where(StaffSession.id_hash == hash_secret(saved))) is not None


def test_plain_logout_ends_only_this_session(app, browser, staff):
    other = _second_browser(app)
    browser.login(staff.agent)
    other.login(staff.agent)
    assert _logout(browser).status_code == 302
    assert not _signed_in(browser)
    assert _signed_in(other)


def test_logout_everywhere_ends_every_session(app, browser, staff):
    other = _second_browser(app)
    browser.login(staff.agent)
    other.login(staff.agent)
    stolen = _session_cookie(other)
    _logout(browser, everywhere="1")
    assert not _signed_in(browser)
    assert not _signed_in(other)
    assert not _signed_in(_replay(app, stolen))


def test_password_change_ends_other_sessions_and_keeps_this_one(app, browser, staff):
    other = _second_browser(app)
    browser.login(staff.agent)
    other.login(staff.agent)
    stolen = _session_cookie(other)
    response = browser.post_form("/staff/password", {"current_password": StaffAccounts.PASSWORD,
                                                     "new_password": "another long passphrase"})
    assert response.status_code == 302, "password change form refused: " + response.get_data(as_text=True)[:500]
    assert _signed_in(browser)
    assert not _signed_in(other)
    assert not _signed_in(_replay(app, stolen))


def test_disabling_an_account_ends_its_sessions(app, browser, staff, db_session):
    from staff.services import update_staff
    browser.login(staff.agent)
    saved = _session_cookie(browser)
    assert _signed_in(browser)
    db_session.rollback()
    update_staff(staff.agent, name=staff.agent.name, role="agent", active=False)
    assert not _signed_in(browser)
    assert not _signed_in(_replay(app, saved))


def test_idle_session_is_ended_by_the_server(app, browser, staff, db_session):
    browser.login(staff.agent)
    row = _row(db_session, browser)
    row.last_seen_at = utcnow() - timedelta(seconds=app.config["SESSION_IDLE_SECONDS"] + 5)
    db_session.commit()
    response = browser.get("/staff/complaints/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    db_session.rollback()
    assert db_session.get(StaffSession, row.id).ended_at is not None
    assert browser.client.get_cookie(STAFF_SESSION_COOKIE) is None


def test_active_session_is_kept_alive(app, browser, staff, db_session):
    browser.login(staff.agent)
    row = _row(db_session, browser)
    before = utcnow() - timedelta(seconds=app.config["SESSION_IDLE_SECONDS"] - 60)
    row.last_seen_at = before
    db_session.commit()
    assert _signed_in(browser)
    assert _row(db_session, browser).last_seen_at > before  # this use moved the idle clock


def test_absolute_lifetime_ends_even_a_busy_session(app, browser, staff, db_session):
    browser.login(staff.agent)
    row = _row(db_session, browser)
    row.created_at = utcnow() - timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"] + 5)
    db_session.commit()
    assert not _signed_in(browser)


def test_a_user_id_in_the_signed_cookie_signs_nobody_in(app, client, staff):
    """Even with SECRET_KEY (the cookie's signature) a forged anonymous session is not a login."""
    with client.session_transaction() as s:
        s["_user_id"] = str(staff.admin.id)
        s["_fresh"] = True
    assert client.get("/staff/complaints/").status_code == 302


def test_staff_see_their_sessions_and_end_one(app, browser, staff, db_session):
    other = _second_browser(app)
    browser.login(staff.agent)
    other.login(staff.agent)
    stranger = _second_browser(app)
    stranger.login(staff.other_agent)
    page = browser.get("/staff/sessions").get_data(as_text=True)
    assert page.count('<article class="staff-session">') == 2 and "This session" in page
    other_row = _row(db_session, other)
    stranger_row = _row(db_session, stranger)
    # Somebody else's session cannot be ended from here.
    browser.post_form("/staff/sessions", {}, action=f"/staff/sessions/{stranger_row.id}/end")
    assert _signed_in(stranger)
    browser.post_form("/staff/sessions", {}, action=f"/staff/sessions/{other_row.id}/end")
    assert not _signed_in(other)
    assert _signed_in(browser)


@pytest.mark.parametrize("app_settings", [{"SESSION_COOKIE_SECURE": True}])
def test_cookie_flags(app, client, staff):
    page = client.get("/staff/login")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/staff/login", data={"csrf_token": token, "email": staff.agent.email,
                                                 "password": StaffAccounts.PASSWORD})
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(STAFF_SESSION_COOKIE + "=")]
    assert response.status_code == 302 and cookies
    lowered = cookies[0].lower()
    assert "httponly" in lowered and "secure" in lowered and "samesite=lax" in lowered


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}])
def test_login_is_rate_limited(app, browser, staff):
    codes = [browser.post_form("/staff/login", {"email": staff.agent.email, "password": "wrong"}).status_code
             for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True, "API_AUTH_RATE_LIMIT": "3 per minute"}])
def test_api_token_guessing_is_rate_limited(app, client):
    codes = [client.get("/api/v1/complaints", headers={"Authorization": f"Bearer guess{i}"}).status_code for i in range(5)]
    assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_TEST_URL") or "redis://127.0.0.1:6379/15"
    try:
        import redis
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - any failure means: no Redis here
        return None
    return url


def test_login_limit_holds_across_workers_with_redis(database_url, tmp_path, staff):
    """Two app instances (two gunicorn workers) share one Redis counter: 3 attempts in total."""
    url = _redis_url()
    if url is None:
        missing("Redis is not reachable at 127.0.0.1:6379 (REDIS_TEST_URL)")
    from factory import create_app
    from tests.conftest import _settings

    prefix = f"test-{uuid.uuid4().hex[:8]}"
    workers = [create_app(_settings(database_url, tmp_path / f"w{i}", RATELIMIT_ENABLED=True, REDIS_URL=url,
                                    RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix,
                                    LOGIN_RATE_LIMIT="3 per minute")) for i in range(2)]
    codes = []
    for attempt in range(6):
        worker = workers[attempt % 2]
        worker.test_client_class = IsolatedClient
        browser = Browser(worker.test_client())
        codes.append(browser.post_form("/staff/login", {"email": staff.agent.email, "password": "wrong"}).status_code)
    assert codes.count(429) == 3, codes
    import redis
    connection = redis.Redis.from_url(url)
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)
