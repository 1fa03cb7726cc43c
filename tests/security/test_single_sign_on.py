"""Single sign-on end to end against a real OpenID provider (tests/support/oidc_provider.py:
Authlib's AuthorizationServer with the OpenIDCode grant, RS256 ID tokens, served on 127.0.0.1).
The test client starts at our app, the provider's /authorize is called over real HTTP and
approves the configured user, our callback exchanges the code at the provider's /token and
checks the ID token with its /jwks."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from staff.models import StaffSession
from tests.support.oidc_provider import OIDCProvider
from tests.support.web import csrf_from

CALLBACK = "http://localhost/staff/sso/callback"  # TestConfig's BASE_URL + the callback route


@pytest.fixture(scope="module")
def provider():
    server = OIDCProvider()
    yield server
    server.close()


@pytest.fixture
def app_settings(provider, request):
    client = provider.add_client(CALLBACK)
    return {"OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": client.client_id,
            "OIDC_CLIENT_SECRET": client.client_secret, "OIDC_PROVIDER_NAME": "Test IdP",
            **getattr(request, "param", {})}


def sign_in_through_provider(client, next_url: str | None = None):
    """Our app → the provider (real HTTP) → back to our callback; returns the callback's answer."""
    start = client.get("/staff/sso/start", query_string={"next": next_url} if next_url else None)
    assert start.status_code == 302
    to_provider = start.headers["Location"]
    assert to_provider.startswith(provider_issuer(to_provider) + "/authorize?")
    query = parse_qs(urlsplit(to_provider).query)
    assert query["state"][0] and query["nonce"][0] and query["redirect_uri"] == [CALLBACK]
    approved = requests.get(to_provider, allow_redirects=False, timeout=10)
    assert approved.status_code == 302, approved.text
    back = urlsplit(approved.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return client.get(f"{back.path}?{back.query}")


def provider_issuer(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_verified_email_of_an_existing_staff_member_signs_in(client, provider, staff, db_session):
    provider.sign_in_as(staff.agent.email.upper(), verified=True)
    before = provider.token_requests
    answer = sign_in_through_provider(client, next_url="/staff/password")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/staff/password")
    assert provider.token_requests == before + 1  # the code was exchanged over HTTP
    assert client.get("/staff/password").status_code == 200
    db_session.rollback()
    row = db_session.query(StaffSession).one()
    assert (row.staff_user_id, row.method, row.ended_at) == (staff.agent.id, "oidc", None)


def test_the_login_page_offers_the_provider(client):
    page = client.get("/staff/login").get_data(as_text=True)
    assert "Sign in with Test IdP" in page and 'name="password"' in page


def test_an_unverified_email_is_refused_with_a_clear_message(client, provider, staff):
    provider.sign_in_as(staff.agent.email, verified=False)
    answer = sign_in_through_provider(client)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/staff/login")
    page = client.get("/staff/login").get_data(as_text=True)
    assert "has not verified your e-mail address" in page
    assert client.get("/staff/password").status_code == 302  # not signed in


def test_an_unknown_email_is_refused_and_no_account_is_made(client, provider, staff, db_session):
    from staff.models import StaffUser

    provider.sign_in_as("stranger@example.com", verified=True)
    sign_in_through_provider(client)
    assert "no active staff account for stranger@example.com" in client.get("/staff/login").get_data(as_text=True)
    assert client.get("/staff/password").status_code == 302
    db_session.rollback()
    assert db_session.query(StaffUser).filter_by(email="stranger@example.com").count() == 0


def test_a_disabled_account_is_refused(client, provider, staff):
    from staff.services import update_staff

    update_staff(staff.other_agent, name=staff.other_agent.name, role="agent", active=False)
    provider.sign_in_as(staff.other_agent.email)
    sign_in_through_provider(client)
    assert client.get("/staff/password").status_code == 302


def test_a_bad_or_missing_state_is_refused(client, provider, staff):
    provider.sign_in_as(staff.agent.email)
    start = client.get("/staff/sso/start")
    approved = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(approved.headers["Location"])
    code = parse_qs(back.query)["code"][0]
    before = provider.token_requests
    for query in (f"code={code}&state=forged-state", f"code={code}"):
        answer = client.get(f"{back.path}?{query}")
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/staff/login")
        assert "could not be confirmed" in client.get("/staff/login").get_data(as_text=True)
    assert provider.token_requests == before  # the code was never sent on
    assert client.get("/staff/password").status_code == 302


def test_a_state_from_another_browser_is_refused(app, client, provider, staff):
    """The attacker's own valid callback link, opened in the victim's browser (login CSRF)."""
    provider.sign_in_as(staff.agent.email)
    attacker = app.test_client()
    start = attacker.get("/staff/sso/start")
    approved = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(approved.headers["Location"])
    client.get("/staff/sso/start")  # the victim has a sign-in of their own under way
    assert client.get(f"{back.path}?{back.query}").headers["Location"].endswith("/staff/login")
    assert client.get("/staff/password").status_code == 302


def test_the_providers_error_answer_is_refused_clearly(client):
    client.get("/staff/sso/start")
    answer = client.get("/staff/sso/callback?error=access_denied&state=x")
    assert answer.status_code == 302
    assert "did not sign you in" in client.get("/staff/login").get_data(as_text=True)


@pytest.mark.parametrize("app_settings", [{"LOCAL_LOGIN_ENABLED": False}], indirect=True)
def test_local_login_switched_off_leaves_only_single_sign_on(client, provider, staff, runner, db_session):
    manager_email = staff.manager.email
    page = client.get("/staff/login").get_data(as_text=True)
    assert "Sign in with Test IdP" in page and 'name="password"' not in page
    token = csrf_from(client.get("/staff/password-reset").get_data(as_text=True))  # a valid form post otherwise
    refused = client.post("/staff/login", data={"csrf_token": token, "email": staff.agent.email,
                                                "password": staff.PASSWORD})
    assert refused.status_code == 403 and "switched off" in refused.get_data(as_text=True)
    assert client.get("/staff/password").status_code == 302
    provider.sign_in_as(staff.agent.email)
    assert sign_in_through_provider(client).status_code == 302
    assert client.get("/staff/password").status_code == 200
    # The command line still works.
    db_session.rollback()
    assert runner.invoke(args=["staff", "token", manager_email]).exit_code == 0


@pytest.mark.parametrize("app_settings", [{"OIDC_CREATE_ACCOUNTS": True}], indirect=True)
def test_accounts_are_made_only_when_switched_on(client, provider, db_session):
    from staff.models import StaffUser

    provider.sign_in_as("new.person@example.com", name="New Person")
    assert sign_in_through_provider(client).status_code == 302
    assert client.get("/staff/password").status_code == 200
    db_session.rollback()
    user = db_session.query(StaffUser).filter_by(email="new.person@example.com").one()
    assert (user.role, user.name) == ("agent", "New Person")


def test_without_settings_there_is_no_single_sign_on(database_url, tmp_path):
    from factory import create_app
    from tests.conftest import _settings

    bare = create_app(_settings(database_url, tmp_path / "instance")).test_client()
    assert bare.get("/staff/sso/start").status_code == 404
    assert "Sign in with" not in bare.get("/staff/login").get_data(as_text=True)
