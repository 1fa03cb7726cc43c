"""Issue 17 through HTTP: the admin's categories page, the customer's choice on the public form,
the staff block (category, tags, custom fields; refused input kept), the queue and dashboard
filters, the API and the export."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from complaints import classification
from complaints.models import Category, Complaint
from staff.tokens import issue_api_token
from tests.support.clock import NOW
from tests.support.complaints import file
from tests.support.web import csrf_from

NAMES = {"en": "Delivery", "pl": "Dostawa", "ru": "Доставка", "ro": "Livrare", "cs": "Doručení"}


def _delivery_with_fields():
    classification.save_category(code="delivery", names=NAMES, keywords="parcel")
    classification.save_field(category_code="delivery", code="carrier", label="Carrier", kind="choice",
                              choices="DHL\nDPD")
    classification.save_field(category_code="delivery", code="weight", label="Weight (kg)", kind="number")


def test_only_admins_manage_categories(browser, client, staff):
    assert client.get("/admin/categories").status_code in (302, 401)
    browser.login(staff.manager)
    assert client.get("/admin/categories").status_code == 403
    assert client.post("/admin/categories/fields", data={}).status_code in (400, 403)


def test_admin_adds_a_category_and_a_field_and_a_refused_form_keeps_what_was_typed(browser, client, staff, db_session):
    browser.login(staff.admin)
    token = csrf_from(client.get("/admin/categories").get_data(as_text=True))
    typed = {"category-csrf_token": token, "category-code": "delivery", "category-name_en": "Delivery",
             "category-name_pl": "Dostawa", "category-name_ru": "", "category-name_ro": "Livrare",
             "category-name_cs": "Doručení", "category-keywords": "parcel\ncourier", "category-active": "y"}
    refused = client.post("/admin/categories", data=typed)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Enter a name in every language." in page
    assert 'value="Dostawa"' in page and "courier" in page  # nothing typed is lost
    ok = client.post("/admin/categories", data={**typed, "category-name_ru": "Доставка"})
    assert ok.status_code == 302
    db_session.rollback()
    assert db_session.scalar(select(Category)).name_ru == "Доставка"
    bad_field = client.post("/admin/categories/fields", data={
        "field-csrf_token": token, "field-category": "delivery", "field-code": "carrier", "field-label": "Carrier",
        "field-kind": "choice", "field-choices": ""})
    assert bad_field.status_code == 400 and "List the choices, one per line." in bad_field.get_data(as_text=True)
    good_field = client.post("/admin/categories/fields", data={
        "field-csrf_token": token, "field-category": "delivery", "field-code": "carrier", "field-label": "Carrier",
        "field-kind": "choice", "field-choices": "DHL\nDPD"})
    assert good_field.status_code == 302
    page = client.get("/admin/categories").get_data(as_text=True)
    assert "DHL, DPD" in page


def test_the_public_form_offers_the_categories_in_the_customers_language(client, db_session):
    page = client.get("/complain").get_data(as_text=True)
    assert 'name="category"' not in page  # no categories: no question
    _delivery_with_fields()
    page = client.get("/complain?lang=pl").get_data(as_text=True)
    assert "Dostawa" in page
    form = client.get("/complain?lang=en").get_data(as_text=True)
    token, key = csrf_from(form), form.split('name="submission_key" type="hidden" value="')[1].split('"')[0]
    response = client.post("/complain", data={"csrf_token": token, "submission_key": key, "name": "Ada",
                                              "email": "ada@example.com", "description": "Crushed",
                                              "preferred_channel": "email", "language": "en", "category": "nonsense"})
    assert response.status_code == 200 and "Choose a category from the list." in response.get_data(as_text=True)
    assert "Crushed" in response.get_data(as_text=True)
    response = client.post("/complain", data={"csrf_token": token, "submission_key": key, "name": "Ada",
                                              "email": "ada@example.com", "description": "Crushed",
                                              "preferred_channel": "email", "language": "en", "category": "delivery"})
    assert response.status_code == 302
    db_session.rollback()
    assert db_session.scalar(select(Complaint)).category.code == "delivery"


def test_staff_set_category_tags_and_fields_and_bad_input_is_kept_with_its_message(browser, client, staff, db_session):
    _delivery_with_fields()
    reference = file(category="delivery").complaint.reference
    browser.login(staff.agent)
    page = client.get(f"/staff/complaints/{reference}").get_data(as_text=True)
    assert "Category, tags and fields" in page and "Weight (kg)" in page
    token = csrf_from(page)
    version = db_session.scalar(select(Complaint.version).where(Complaint.reference == reference))
    data = {"classification-csrf_token": token, "classification-version": str(version),
            "classification-category": "delivery", "classification-tags": "fragile, vip",
            "field-carrier": "DPD", "field-weight": "two kilos"}
    refused = client.post(f"/staff/complaints/{reference}/classification", data=data)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Enter a number, e.g. 12 or 12.5." in body
    assert 'value="two kilos"' in body and 'value="fragile, vip"' in body
    saved = client.post(f"/staff/complaints/{reference}/classification", data={**data, "field-weight": "2"})
    assert saved.status_code == 302
    page = client.get(f"/staff/complaints/{reference}").get_data(as_text=True)
    assert "fragile" in page and "DPD" in page
    # The queue shows and filters them.
    queue = client.get("/staff/complaints/?tag=vip&category=delivery&field=carrier&field_value=DPD").get_data(as_text=True)
    assert reference in queue
    assert reference not in client.get("/staff/complaints/?tag=other").get_data(as_text=True)
    assert client.get("/staff/complaints/?field=carrier&field_value=" + "x" * 2000).status_code == 200


def test_the_api_takes_and_returns_the_category_and_classifies(client, staff, db_session):
    _delivery_with_fields()
    headers = {"Authorization": f"Bearer {issue_api_token(staff.manager)}"}
    refused = client.post("/api/v1/complaints", json={"name": "Jan", "email": "jan@example.com", "description": "x",
                                                      "category": "nonsense"})
    assert refused.status_code == 400 and "category" in refused.get_json()["fields"]
    created = client.post("/api/v1/complaints", json={"name": "Jan", "email": "jan@example.com", "description": "x",
                                                      "category": "delivery"})
    reference = created.get_json()["reference"]
    detail = client.get(f"/api/v1/complaints/{reference}", headers=headers).get_json()
    assert detail["category"] == "delivery" and detail["tags"] == []
    assert detail["fields"] == {"carrier": None, "weight": None}
    bad = client.post(f"/api/v1/complaints/{reference}/classification", headers=headers,
                      json={"fields": {"carrier": "UPS", "weight": []}, "tags": "x"})
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"carrier", "weight"}
    good = client.post(f"/api/v1/complaints/{reference}/classification", headers=headers,
                       json={"fields": {"carrier": "DHL", "weight": 1.25}, "tags": ["Fragile"]})
    assert good.status_code == 200
    assert good.get_json()["fields"] == {"carrier": "DHL", "weight": "1.25"} and good.get_json()["tags"] == ["fragile"]
    listed = client.get("/api/v1/complaints?tag=fragile&field=carrier&field_value=DHL", headers=headers).get_json()
    assert [c["reference"] for c in listed["items"]] == [reference]
    assert listed["items"][0]["category"] == "delivery"
    categories = client.get("/api/v1/categories", headers=headers).get_json()
    assert categories[0]["names"]["cs"] == "Doručení" and categories[0]["fields"][0]["choices"] == ["DHL", "DPD"]
    document = client.get("/api/v1/openapi.json").get_json()
    assert "category" in document["components"]["schemas"]["NewComplaint"]["properties"]
    assert "/complaints/{reference}/classification" in document["paths"]


def test_the_export_and_the_dashboard_know_category_tags_and_fields(browser, client, staff, db_session):
    from reports import exports
    from reports.filters import ReportFilter

    _delivery_with_fields()
    reference = file(category="delivery").complaint.reference
    other = file(email="b@example.com").complaint.reference
    classification.classify(reference, actor=staff.manager, tags="vip, fragile", fields={"carrier": "DHL", "weight": "2"},
                            now=NOW)
    header, rows = exports.complaint_rows(ReportFilter(start=date(2027, 1, 1), end=NOW.date()), actor=staff.manager)
    rows = {row[0]: row for row in rows}
    assert header[-3:] == ["Category", "Tags", "Custom fields"]
    assert tuple(rows[reference][-3:-1]) == ("delivery", "fragile, vip")
    assert set(rows[reference][-1].split("; ")) == {"carrier=DHL", "weight=2"}
    assert tuple(rows[other][-3:]) == (None, None, None)
    header, rows = exports.complaint_rows(ReportFilter(start=date(2027, 1, 1), end=NOW.date(), tag="vip"),
                                          actor=staff.manager)
    assert [row[0] for row in rows] == [reference]
    browser.login(staff.manager)
    page = client.get("/staff/reports/?category=delivery&tag=vip&field=carrier&field_value=DHL")
    assert page.status_code == 200 and 'value="vip"' in page.get_data(as_text=True)
    csv_text = client.get("/staff/reports/exports/complaints.csv?from=2027-01-01&to=2027-01-15&category=delivery",
                          buffered=True).get_data(as_text=True)
    parsed = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert [row[0] for row in parsed[1:]] == [reference]


def _public_fields():
    classification.save_category(code="delivery", names=NAMES, keywords="parcel")
    classification.save_field(category_code="delivery", code="carrier", label="Carrier", kind="choice",
                              choices="DHL\nDPD", required=True, public=True, position=1)
    classification.save_field(category_code="delivery", code="weight", label="Weight (kg)", kind="number",
                              public=True, position=2)
    classification.save_field(category_code="delivery", code="internal_note", label="Depot code", kind="text")


def test_public_custom_fields_are_on_the_form_checked_like_staff_input_and_stored(client, db_session):
    _public_fields()
    form = client.get("/complain?lang=en").get_data(as_text=True)
    assert 'name="cf-delivery-carrier"' in form and 'name="cf-delivery-weight"' in form
    assert "Depot code" not in form                                   # staff-only fields stay off it
    token, key = csrf_from(form), form.split('name="submission_key" type="hidden" value="')[1].split('"')[0]
    typed = {"csrf_token": token, "submission_key": key, "name": "Ada", "email": "ada@example.com",
             "description": "Crushed", "preferred_channel": "email", "language": "en", "category": "delivery",
             "cf-delivery-carrier": "UPS", "cf-delivery-weight": "two kilos"}
    refused = client.post("/complain", data=typed)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "One of: DHL, DPD." in page and "Enter a number, e.g. 12 or 12.5." in page
    assert 'value="two kilos"' in page and 'aria-describedby="cf-delivery-weight-error"' in page
    missing = client.post("/complain", data={**typed, "cf-delivery-carrier": "", "cf-delivery-weight": "2"})
    assert "Fill in Carrier." in missing.get_data(as_text=True)
    saved = client.post("/complain", data={**typed, "cf-delivery-carrier": "DPD", "cf-delivery-weight": "2,5"})
    assert saved.status_code == 302
    db_session.rollback()
    complaint = db_session.scalar(select(Complaint))
    assert classification.fields_as_dict(complaint) == {"carrier": "DPD", "weight": "2.5", "internal_note": None}
    # Without a category the fields are not asked (nor required).
    other = client.get("/complain?lang=en").get_data(as_text=True)
    token, key = csrf_from(other), other.split('name="submission_key" type="hidden" value="')[1].split('"')[0]
    plain = client.post("/complain", data={**typed, "csrf_token": token, "submission_key": key, "category": "",
                                           "email": "bo@example.com", "cf-delivery-carrier": ""})
    assert plain.status_code == 302


def test_the_api_files_public_custom_fields_with_the_same_check(client, staff, db_session):
    _public_fields()
    base = {"name": "Jan", "email": "jan@example.com", "description": "x", "category": "delivery"}
    headers = {"Authorization": f"Bearer {issue_api_token(staff.manager)}"}
    fields = client.get("/api/v1/categories", headers=headers).get_json()[0]["fields"]
    assert {f["code"]: f["public"] for f in fields} == {"carrier": True, "weight": True, "internal_note": False}
    refused = client.post("/api/v1/complaints", json={**base, "fields": {"carrier": "UPS", "internal_note": "A1"}})
    assert refused.status_code == 400
    assert refused.get_json()["fields"] == {"fields.carrier": ["One of: DHL, DPD."],
                                            "fields.internal_note": ["No such field in this category."]}
    assert client.post("/api/v1/complaints", json=base).get_json()["fields"] == {"fields.carrier": ["Fill in Carrier."]}
    bad_shape = client.post("/api/v1/complaints", json={**base, "fields": ["DHL"]})
    assert bad_shape.status_code == 400 and "fields" in bad_shape.get_json()["fields"]
    no_category = client.post("/api/v1/complaints", json={**base, "category": "", "fields": {"carrier": "DHL"}})
    assert no_category.status_code == 400 and "fields" in no_category.get_json()["fields"]
    created = client.post("/api/v1/complaints", json={**base, "fields": {"carrier": "DHL", "weight": 12.5}})
    assert created.status_code == 201, created.get_json()
    detail = client.get(f"/api/v1/complaints/{created.get_json()['reference']}", headers=headers).get_json()
    assert detail["fields"] == {"carrier": "DHL", "weight": "12.5", "internal_note": None}
