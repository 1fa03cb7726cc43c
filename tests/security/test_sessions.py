"""Staff sessions: a fresh session at login, server-side end on logout / logout everywhere /
password change / disable, idle and absolute timeouts, cookie flags, rate-limited login."""
import os
import time
import uuid

import pytest

from tests.support.external import missing
from tests.support.staff import StaffAccounts
from tests.support.web import Browser, IsolatedClient, csrf_from


def _second_browser(app) -> Browser:
    app.test_client_class = IsolatedClient
    return Browser(app.test_client())


def _signed_in(browser) -> bool:
    response = browser.get("/staff/complaints/")
    return response.status_code == 200


def test_login_starts_a_new_session(app, browser, staff):
    with browser.client.session_transaction() as s:
        s["planted"] = "by an attacker before login"
    browser.login(staff.agent)
    with browser.client.session_transaction() as s:
        assert "planted" not in s
        assert isinstance(s["auth_at"], int) and isinstance(s["seen_at"], int)


def test_plain_logout_ends_only_this_session(app, browser, staff):
    other = _second_browser(app)
    browser.login(staff.agent)
    other.login(staff.agent)
    page = browser.get("/staff/complaints/").get_data(as_text=True)
    assert browser.client.post("/staff/logout", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert not _signed_in(browser)
    assert _signed_in(other)


def test_logout_everywhere_ends_every_session(app, browser, staff):
    other = _second_browser(app)
    browser.login(staff.agent)
    other.login(staff.agent)
    with browser.client.session_transaction() as s:
        stolen_cookie_copy = dict(s)  # what an attacker who copied the cookie would replay
    page = browser.get("/staff/complaints/").get_data(as_text=True)
    browser.client.post("/staff/logout", data={"csrf_token": csrf_from(page), "everywhere": "1"})
    assert not _signed_in(browser)
    assert not _signed_in(other)
    replay = _second_browser(app)
    with replay.client.session_transaction() as s:
        s.update(stolen_cookie_copy)
    assert not _signed_in(replay)


def test_password_change_ends_other_sessions_and_keeps_this_one(app, browser, staff):
    other = _second_browser(app)
    browser.login(staff.agent)
    other.login(staff.agent)
    response = browser.post_form("/staff/password", {"current_password": StaffAccounts.PASSWORD,
                                                     "new_password": "another long passphrase"})
    assert response.status_code == 302, "password change form refused: " + response.get_data(as_text=True)[:500]
    assert _signed_in(browser)
    assert not _signed_in(other)


def test_disabling_an_account_ends_its_sessions(app, browser, staff, db_session):
    from staff.services import update_staff
    browser.login(staff.agent)
    assert _signed_in(browser)
    db_session.rollback()  # a fresh snapshot after the requests
    update_staff(staff.agent, name=staff.agent.name, role="agent", active=False)
    assert not _signed_in(browser)


def test_idle_session_is_ended_by_the_server(app, browser, staff):
    browser.login(staff.agent)
    idle = app.config["SESSION_IDLE_SECONDS"]
    with browser.client.session_transaction() as s:
        s["seen_at"] = int(time.time()) - idle - 5
    response = browser.get("/staff/complaints/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    with browser.client.session_transaction() as s:
        assert "_user_id" not in s


def test_active_session_is_kept_alive(app, browser, staff):
    browser.login(staff.agent)
    idle = app.config["SESSION_IDLE_SECONDS"]
    with browser.client.session_transaction() as s:
        s["seen_at"] = int(time.time()) - idle + 60
    assert _signed_in(browser)
    with browser.client.session_transaction() as s:
        assert s["seen_at"] >= int(time.time()) - 5  # this use moved the idle clock


def test_absolute_lifetime_ends_even_a_busy_session(app, browser, staff):
    browser.login(staff.agent)
    with browser.client.session_transaction() as s:
        s["auth_at"] = int(time.time()) - app.config["PERMANENT_SESSION_LIFETIME"] - 5
    assert not _signed_in(browser)


def test_session_without_clocks_is_refused(app, browser, staff):
    browser.login(staff.agent)
    with browser.client.session_transaction() as s:
        del s["auth_at"]
    assert not _signed_in(browser)


@pytest.mark.parametrize("app_settings", [{"SESSION_COOKIE_SECURE": True}])
def test_cookie_flags(app, client, staff):
    page = client.get("/staff/login")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/staff/login", data={"csrf_token": token, "email": staff.agent.email,
                                                 "password": StaffAccounts.PASSWORD})
    cookie = response.headers.get("Set-Cookie")
    assert response.status_code == 302 and cookie
    lowered = cookie.lower()
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
