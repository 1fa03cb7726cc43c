"""One rule for an e-mail address — exactly one plain address — at every entry point (the public
form, the public API, PUT /api/v1/customers and the CSV import), and the form and the API refusing
the same new complaints (`complaints.filing.check_new_complaint`)."""
from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from complaints.models import Complaint
from customers.models import Customer
from staff.tokens import issue_api_token

def _form_post(browser, **fields):
    return browser.post_form("/complain", {"name": "Jan", "email": "jan@example.com", "description": "Broken.",
                                           "preferred_channel": "email", "language": "en", **fields})


def _complaints(db_session) -> int:
    db_session.rollback()
    return db_session.scalar(select(func.count()).select_from(Complaint))


@pytest.mark.parametrize("address", ["a@x.example,victim@y.example", "Eve <eve@x.example>"])
def test_the_public_form_and_api_refuse_a_list_of_addresses(client, browser, db_session, address):
    form = _form_post(browser, email=address)
    assert form.status_code == 200 and "Please enter a valid e-mail address." in form.get_data(as_text=True)
    assert address.replace("<", "&lt;").replace(">", "&gt;") in form.get_data(as_text=True)  # what was typed is kept
    api = client.post("/api/v1/complaints", json={"name": "Jan", "email": address, "description": "Broken."})
    assert api.status_code == 400 and api.get_json()["fields"]["email"] == ["Please enter a valid e-mail address."]
    assert _complaints(db_session) == 0


def test_the_api_refuses_what_the_form_refuses(client, browser, db_session):
    """Same rules, same messages: a future date, a missing name, a name with a line break."""
    cases = [({"occurred_on": "2199-01-01"}, "occurred_on", "This date is in the future."),
             ({"name": ""}, "name", "Please tell us your name."),
             ({"name": "Eve\r\nBcc: x@y.example"}, "name", "Please use a single line without special characters."),
             ({"subject": "x" * 201}, "subject", "Please keep it under 200 characters.")]
    for fields, name, message in cases:
        form = _form_post(browser, **fields).get_data(as_text=True)
        assert message in form, (fields, message)
        body = {"name": "Jan", "email": "jan@example.com", "description": "Broken.", **fields}
        api = client.post("/api/v1/complaints", json=body)
        assert api.status_code == 400 and api.get_json()["fields"] == {name: [message]}, (fields, api.get_json())
    assert _complaints(db_session) == 0


def test_the_form_shows_every_error_at_once_and_keeps_the_text(browser, db_session):
    page = _form_post(browser, name="", email="a@x.example,b@y.example", occurred_on="31.02.2027",
                      description="The vase was broken when it arrived.").get_data(as_text=True)
    for message in ("Please tell us your name.", "Please enter a valid e-mail address.", "Not a valid date value."):
        assert message in page, message
    assert "The vase was broken when it arrived." in page
    assert _complaints(db_session) == 0


def test_the_form_files_web_and_the_api_files_api(client, browser, db_session):
    assert _form_post(browser).status_code == 302
    assert client.post("/api/v1/complaints", json={"name": "Jan", "email": "jan@example.com",
                                                   "description": "Broken."}).status_code == 201
    db_session.rollback()
    assert sorted(db_session.scalars(select(Complaint.channel))) == ["api", "web"]


def test_put_customer_refuses_a_list_of_addresses(client, staff, db_session):
    token = issue_api_token(staff.agent)
    db_session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    for address in ("a@x.example,victim@y.example", "Eve <eve@x.example>"):
        response = client.put("/api/v1/customers/ext-1", json={"name": "Anna", "email": address}, headers=auth)
        assert response.status_code == 400 and "email" in response.get_json()["fields"], response.get_json()
    assert client.put("/api/v1/customers/ext-1", json={"name": "Anna", "email": "anna@example.com"},
                      headers=auth).status_code == 201


def test_the_csv_import_rejects_a_list_of_addresses(runner, tmp_path, db_session):
    path = tmp_path / "customers.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["external_id", "name", "email"])
        writer.writerows([["c1", "Anna", "anna@example.com"], ["c2", "Eve", "a@x.example,victim@y.example"],
                          ["c3", "Eve", "Eve <eve@x.example>"]])
    result = runner.invoke(args=["import", "customers", str(path), "--now", "2027-01-15T09:00"])
    assert result.exit_code == 0, result.output
    assert "inserted 1" in result.output and "rejected 2" in result.output, result.output
    with (tmp_path / "customers.rejected.csv").open(encoding="utf-8-sig") as handle:
        rejected = {row["line"]: row["reason"] for row in csv.DictReader(handle)}
    assert set(rejected) == {"3", "4"} and all(reason.startswith("email") for reason in rejected.values()), rejected
    db_session.rollback()
    assert [c.external_id for c in db_session.scalars(select(Customer))] == ["c1"]
