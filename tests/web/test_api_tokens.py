"""API tokens over HTTP: the read-only scope (403), revoked and expired tokens (401), the tokens
page (shown once, own list, revoke), the administrators' list, and the OpenAPI answers."""
from __future__ import annotations

import re
from datetime import datetime

from platform_support.tokens import hash_secret
from staff.models import ApiToken
from staff.tokens import issue_api_token, revoke_token

LONG_AGO = datetime(2001, 1, 1)  # expiries before any clock this suite could run on


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_a_read_only_token_reads_but_may_not_write(client, staff):
    read = bearer(issue_api_token(staff.agent, name="reader", scope="read"))
    write = bearer(issue_api_token(staff.agent, name="writer", scope="write"))
    assert client.get("/api/v1/complaints", headers=read).status_code == 200
    for method, path in (("post", "/api/v1/complaints/C-NOPE/facts"), ("post", "/api/v1/orders"),
                         ("put", "/api/v1/customers/EXT-1")):
        refused = getattr(client, method)(path, json={"text": "x", "name": "A", "email": "a@example.com"}, headers=read)
        assert refused.status_code == 403, path
        assert "read-only" in refused.get_json()["error"] and refused.get_json()["fields"] == {}
        assert 'error="insufficient_scope"' in refused.headers["WWW-Authenticate"]
    # The same request with a read-write token gets past the scope (and finds no complaint).
    assert client.post("/api/v1/complaints/C-NOPE/facts", json={"text": "x"}, headers=write).status_code == 404


def test_revoked_and_expired_tokens_get_401(client, staff, db_session):
    revoked = issue_api_token(staff.agent, name="old")
    expired = issue_api_token(staff.agent, name="short", now=datetime(2000, 1, 1), expires_at=LONG_AGO)
    row_id = db_session.query(ApiToken).filter_by(token_hash=hash_secret(revoked)).one().id
    db_session.rollback()
    assert client.get("/api/v1/complaints", headers=bearer(revoked)).status_code == 200
    revoke_token(staff.agent, row_id, now=LONG_AGO)
    for secret in (revoked, expired, "not-a-token"):
        answer = client.get("/api/v1/complaints", headers=bearer(secret))
        assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert "API token" in answer.get_json()["error"]


def test_the_tokens_page_shows_a_new_token_once_and_lists_own_tokens(client, browser, staff, db_session):
    issue_api_token(staff.other_agent, name="Otto's secret integration")
    browser.login(staff.agent)
    created = browser.post_form("/staff/tokens/", {"name": "CRM <sync>", "scope": "read", "expires_days": "30"})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    html = created.get_data(as_text=True)
    secret = re.search(r'<code class="secret">([^<]+)</code>', html).group(1)
    assert "CRM &lt;sync&gt;" in html and "CRM <sync>" not in html
    db_session.rollback()
    row = db_session.query(ApiToken).filter_by(staff_user_id=staff.agent.id).one()
    assert (row.name, row.scope, row.token_hash) == ("CRM <sync>", "read", hash_secret(secret))
    assert (row.expires_at - row.created_at).days == 30
    again = client.get("/staff/tokens/").get_data(as_text=True)
    assert secret not in again and "CRM &lt;sync&gt;" in again
    assert "Otto" not in again  # another agent's tokens are not listed
    assert client.get("/api/v1/complaints", headers=bearer(secret)).status_code == 200


def test_bad_token_form_keeps_what_was_typed(browser, staff, db_session):
    browser.login(staff.agent)
    refused = browser.post_form("/staff/tokens/", {"name": "Nightly export", "scope": "write", "expires_days": "0"})
    assert refused.status_code == 400
    assert 'value="Nightly export"' in refused.get_data(as_text=True)
    assert db_session.query(ApiToken).count() == 0


def test_staff_revoke_their_own_token_but_not_anothers(client, browser, staff, db_session):
    mine = issue_api_token(staff.agent, name="mine")
    others = issue_api_token(staff.other_agent, name="others")
    mine_id, others_id = (db_session.query(ApiToken).filter_by(token_hash=hash_secret(s)).one().id for s in (mine, others))
    browser.login(staff.agent)
    assert browser.post_form("/staff/tokens/", {}, action=f"/staff/tokens/{others_id}/revoke").status_code == 404
    assert client.get("/staff/tokens/all").status_code == 403
    done = browser.post_form("/staff/tokens/", {}, action=f"/staff/tokens/{mine_id}/revoke", follow_redirects=True)
    assert "revoked" in done.get_data(as_text=True)
    assert client.get("/api/v1/complaints", headers=bearer(mine)).status_code == 401
    assert client.get("/api/v1/complaints", headers=bearer(others)).status_code == 200


def test_admins_see_and_revoke_everyones_tokens(client, browser, staff, db_session):
    others = issue_api_token(staff.other_agent, name="Otto's nightly job")
    others_id = db_session.query(ApiToken).filter_by(token_hash=hash_secret(others)).one().id
    browser.login(staff.admin)
    page = client.get("/staff/tokens/all").get_data(as_text=True)
    assert "Otto&#39;s nightly job" in page and staff.other_agent.email in page
    done = browser.post_form("/staff/tokens/all", {"back": "all"}, action=f"/staff/tokens/{others_id}/revoke")
    assert done.status_code == 302 and done.headers["Location"].endswith("/staff/tokens/all")
    assert client.get("/api/v1/complaints", headers=bearer(others)).status_code == 401


def test_openapi_describes_the_401_and_403_answers(client):
    document = client.get("/api/v1/openapi.json").get_json()
    responses = document["components"]["responses"]
    assert "expired or revoked" in responses["Unauthorized"]["description"]
    assert "read-only token" in responses["Forbidden"]["description"]
    facts = document["paths"]["/complaints/{reference}/facts"]["post"]["responses"]
    assert facts["401"] == {"$ref": "#/components/responses/Unauthorized"}
    assert facts["403"] == {"$ref": "#/components/responses/Forbidden"}
    assert "read" in document["components"]["securitySchemes"]["bearer"]["description"]
