"""PUT/GET /api/v1/customers/{external_id} and POST /api/v1/orders, as CONTRACT.md describes them."""
from __future__ import annotations

import pytest

from tests.support.clock import NOW
from tests.support.customers import recompute


@pytest.fixture
def auth(staff, db_session):
    from staff.tokens import issue_api_token
    token = issue_api_token(staff.agent)
    db_session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_put_creates_then_updates_and_get_returns_scores_and_segments(client, auth, app, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "CURRENCY", "PLN")  # the orders below are in złoty: revenue is summed in PLN
    body = {"name": "Anna Nowak", "email": "anna@example.com", "organisation": "Nowak sp. z o.o.", "language": "pl",
            "timezone": "Europe/Warsaw", "birthday": "1980-02-29", "phone": "+48 600 000 000",
            "preferred_channel": "phone"}
    created = client.put("/api/v1/customers/ext-1", json=body, headers=auth)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["organisation"] == "Nowak sp. z o.o."
    assert created.get_json()["segments"] == {"abc": None, "category": None, "stage": None}
    updated = client.put("/api/v1/customers/ext-1", json={"phone": "+48 611"}, headers=auth)
    assert updated.status_code == 200
    assert updated.get_json()["phone"] == "+48 611" and updated.get_json()["name"] == "Anna Nowak"

    orders = client.post("/api/v1/orders", headers=auth, json=[
        {"customer": "ext-1", "ordered_on": "2026-12-01", "amount": "120.50", "currency": "PLN"},
        {"customer": "ext-1", "ordered_on": "2026-10-01", "amount": 99, "currency": "PLN", "due_on": "2026-10-15",
         "paid_on": "2026-10-14"}])
    assert orders.status_code == 201, orders.get_json()
    assert orders.get_json()["created"] == 2
    db_session.rollback()
    recompute(app, NOW)
    got = client.get("/api/v1/customers/ext-1", headers=auth).get_json()
    assert got["segments"] == {"abc": "A", "category": "core", "stage": "repeat"}
    assert set(got["scores"]) == {"satisfaction", "loyalty"}
    assert got["scores"]["loyalty"] is not None


def test_bad_input_is_a_clear_4xx(client, auth):
    assert client.get("/api/v1/customers/nobody", headers=auth).status_code == 404
    assert client.get("/api/v1/customers/nobody").status_code == 401
    refused = client.put("/api/v1/customers/ext-2", json={"name": "", "email": "not-an-email", "timezone": "Mars/Base",
                                                           "preferred_channel": "pigeon"}, headers=auth)
    assert refused.status_code == 400
    assert {"name", "email", "timezone", "preferred_channel"} <= set(refused.get_json()["fields"])
    assert client.put("/api/v1/customers/ext-2", data="nope", headers=auth).status_code == 400
    one = client.post("/api/v1/orders", json={"customer": "ghost", "ordered_on": "2027-13-01", "amount": "x"},
                      headers=auth)
    assert one.status_code == 400
    assert set(one.get_json()["fields"]) == {"ordered_on", "amount"}
    unknown = client.post("/api/v1/orders", json={"customer": "ghost", "ordered_on": "2027-01-01", "amount": "1"},
                          headers=auth)
    assert unknown.status_code == 400 and "customer" in unknown.get_json()["fields"]
    assert client.post("/api/v1/orders", json=[], headers=auth).status_code == 400


def test_a_list_with_one_bad_order_stores_none(client, auth, db_session):
    from customers.models import Order
    client.put("/api/v1/customers/ext-3", json={"name": "B", "email": "b@example.com"}, headers=auth)
    response = client.post("/api/v1/orders", headers=auth, json=[
        {"customer": "ext-3", "ordered_on": "2027-01-01", "amount": "10"},
        {"customer": "ext-3", "ordered_on": "2027-01-02", "amount": "-"}])
    assert response.status_code == 400
    assert "1.amount" in response.get_json()["fields"]
    db_session.rollback()
    assert db_session.query(Order).count() == 0


def test_openapi_describes_the_customer_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/customers/{external_id}" in paths and "/orders" in paths


def test_find_customer_files_by_email(client, auth, app, db_session, staff):
    client.put("/api/v1/customers/ext-7", json={"name": "Olga Ivanova", "email": "Olga@Example.com"}, headers=auth)
    found = client.get("/api/v1/customers?email=olga@example.COM", headers=auth)
    assert found.status_code == 200
    assert [(c["external_id"], c["email"]) for c in found.get_json()["items"]] == [("ext-7", "Olga@Example.com")]
    assert client.get("/api/v1/customers?email=nobody@example.com", headers=auth).get_json() == {"items": []}
    for bad in ("", "?email=", "?email=not-an-address", "?email=a@x.example,b@y.example"):
        refused = client.get(f"/api/v1/customers{bad}", headers=auth)
        assert refused.status_code == 400 and "email" in refused.get_json()["fields"]
    assert client.get("/api/v1/customers?email=olga@example.com").status_code == 401
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert paths["/customers"]["get"]["parameters"][0]["name"] == "email"
