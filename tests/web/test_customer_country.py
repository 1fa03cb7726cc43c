"""The customer file's country (ISO 3166 alpha-2, for the holiday greetings): API and staff form."""
from __future__ import annotations

import pytest

from customers.models import Customer
from tests.support.customers import customer


@pytest.fixture
def auth(staff, db_session):
    from staff.tokens import issue_api_token
    token = issue_api_token(staff.agent)
    db_session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_api_sets_validates_and_clears_the_country(client, auth):
    created = client.put("/api/v1/customers/c-1", json={"name": "Ion", "email": "ion@example.com", "country": "ro"}, headers=auth)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["country"] == "RO"
    refused = client.put("/api/v1/customers/c-1", json={"country": "EU"}, headers=auth)
    assert refused.status_code in (400, 422) and "country" in refused.get_json()["fields"]
    assert client.put("/api/v1/customers/c-1", json={"country": 7}, headers=auth).status_code in (400, 422)
    cleared = client.put("/api/v1/customers/c-1", json={"country": ""}, headers=auth)
    assert cleared.status_code == 200 and cleared.get_json()["country"] is None


def test_staff_form_edits_the_country(app, staff, browser, db_session):
    who = customer("Petra", timezone="Europe/Prague")
    db_session.commit()
    browser.login(staff.agent)
    page = browser.get(f"/staff/customers/{who.id}").get_data(as_text=True)
    assert 'name="file-country"' in page and ">Czechia<" in page
    data = {"file-name": "Petra", "file-language": "cs", "file-timezone": "Europe/Prague", "file-country": "CZ",
            "file-preferred_channel": "email", "file-account_owner": "0"}
    saved = browser.post_form(f"/staff/customers/{who.id}", data, action=f"/staff/customers/{who.id}/edit")
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    db_session.rollback()
    assert db_session.get(Customer, who.id).country == "CZ"
    data["file-country"] = "QQ"
    refused = browser.post_form(f"/staff/customers/{who.id}", data, action=f"/staff/customers/{who.id}/edit")
    assert refused.status_code == 400
    db_session.rollback()
    assert db_session.get(Customer, who.id).country == "CZ"
