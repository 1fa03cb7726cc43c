"""Issue 17: intake categories (form, API, e-mail keywords, staff change), tags and custom fields
per category, called as the views call them."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from complaints import classification, filing, queries
from complaints.models import Complaint, ComplaintEvent
from platform_support.errors import ServiceError
from tests.support.clock import NOW
from tests.support.complaints import file

NAMES = {"en": "Delivery", "pl": "Dostawa", "ru": "Доставка", "ro": "Livrare", "cs": "Doručení"}


def delivery(**overrides):
    return classification.save_category(**{"code": "delivery", "names": NAMES, "keywords": "parcel\ncourier",
                                           "sort_order": 10, **overrides})


def billing():
    return classification.save_category(code="billing", names={k: f"Billing {k}" for k in NAMES},
                                        keywords="invoice", sort_order=20)


def test_a_category_needs_a_name_in_every_language(app):
    with pytest.raises(ServiceError) as refused:
        classification.save_category(code="Bad Code", names={**NAMES, "cs": " "})
    assert set(refused.value.fields) == {"code", "name_cs"}
    category = delivery()
    assert category.name_in("ru") == "Доставка" and category.keyword_list == ["parcel", "courier"]


def test_the_customer_picks_an_active_category_and_an_unknown_one_is_refused(app):
    category = delivery()
    filed = file(category="delivery")
    assert filed.complaint.category_id == category.id
    errors = filing.check_new_complaint(filing.NewComplaint(name="A", email="a@example.com", description="x",
                                                            category="nonsense"), now=NOW)
    assert errors == {"category": ["Choose a category from the list."]}
    errors = filing.check_new_complaint(filing.NewComplaint(name="A", email="a@example.com", description="x",
                                                            category=5), now=NOW)
    assert list(errors) == ["category"]
    delivery(active=False)
    with pytest.raises(ServiceError):
        file(category="delivery")


def test_the_category_is_optional_unless_configured(app):
    assert file().complaint.category_id is None
    app.config["COMPLAINT_CATEGORY_REQUIRED"] = True
    assert file().complaint.category_id is None  # no categories exist: nothing to choose from
    delivery()
    with pytest.raises(ServiceError) as refused:
        file()
    assert "category" in refused.value.fields
    # E-mailed complaints are never refused for it: the keyword rules give one, or none.
    new = filing.NewComplaint(name="A", email="a@example.com", description="x")
    assert filing.check_new_complaint(new, now=NOW, channel="email") == {}


def test_keyword_rules_give_an_e_mailed_complaint_its_category(app):
    delivery()
    billing()
    assert classification.category_for_text("Where is my parcel?", "") == "delivery"
    assert classification.category_for_text("Question", "The INVOICE total is wrong") == "billing"
    assert classification.category_for_text("Question", "the invoices parcelling") is None  # whole words only
    assert classification.category_for_text("Hello", "nothing to match") is None


def test_staff_change_the_category_and_the_timeline_says_so(app, staff, db_session):
    delivery()
    billing()
    reference = file(category="delivery").complaint.reference
    complaint = classification.classify(reference, actor=staff.agent, category="billing", now=NOW)
    assert complaint.category.code == "billing"
    event = db_session.scalars(select(ComplaintEvent).where(ComplaintEvent.kind == "category_changed")).one()
    assert event.detail == {"from": "delivery", "to": "billing"}
    assert event.actor_staff_id == staff.agent.id and not event.public
    with pytest.raises(ServiceError) as refused:
        classification.classify(reference, actor=staff.agent, category="nonsense", now=NOW)
    assert "category" in refused.value.fields


def _fields():
    delivery()
    classification.save_field(category_code="delivery", code="carrier", label="Carrier", kind="choice",
                              choices="DHL\nDPD\nInPost", required=True, position=1)
    classification.save_field(category_code="delivery", code="shipped_on", label="Shipped on", kind="date", position=2)
    classification.save_field(category_code="delivery", code="weight", label="Weight (kg)", kind="number", position=3)
    classification.save_field(category_code="delivery", code="tracking", label="Tracking number", kind="text", position=4)


def test_custom_fields_are_validated_with_a_message_per_field_and_nothing_is_half_saved(app, staff, db_session):
    _fields()
    reference = file(category="delivery").complaint.reference
    with pytest.raises(ServiceError) as refused:
        classification.classify(reference, actor=staff.agent, tags="fragile", fields={
            "carrier": "UPS", "shipped_on": "2027-02-30", "weight": "heavy", "tracking": "x" * 501, "colour": "red"},
            now=NOW)
    assert refused.value.fields == {
        "carrier": ["One of: DHL, DPD, InPost."], "shipped_on": ["Enter a date as YYYY-MM-DD."],
        "weight": ["Enter a number, e.g. 12 or 12.5."], "tracking": ["Please keep it under 500 characters."],
        "colour": ["No such field in this category."]}
    db_session.rollback()
    complaint = db_session.scalar(select(Complaint).where(Complaint.reference == reference))
    assert complaint.tags == [] and complaint.field_values == []
    with pytest.raises(ServiceError) as refused:
        classification.classify(reference, actor=staff.agent, fields={"weight": "2"}, now=NOW)
    assert refused.value.fields == {"carrier": ["Fill in Carrier."]}
    db_session.rollback()

    classification.classify(reference, actor=staff.agent, tags="Fragile, courier  late,fragile", fields={
        "carrier": "DPD", "shipped_on": "2027-01-10", "weight": "2,50", "tracking": " 00340434 "}, now=NOW)
    complaint = db_session.scalar(select(Complaint).where(Complaint.reference == reference))
    assert [t.tag for t in complaint.tags] == ["courier late", "fragile"]
    assert classification.fields_as_dict(complaint) == {"carrier": "DPD", "shipped_on": "2027-01-10", "weight": "2.5",
                                                        "tracking": "00340434"}
    kinds = [e.kind for e in complaint.events]
    assert kinds.count("tags_changed") == 1 and kinds.count("fields_changed") == 1
    fields_event = [e for e in complaint.events if e.kind == "fields_changed"][0]
    assert fields_event.detail["fields"]["weight"] == "2.5"

    # Saving the same again writes no event.
    before = len(complaint.events)
    classification.classify(reference, actor=staff.agent, tags=["fragile", "courier late"], fields={"carrier": "DPD"}, now=NOW)
    db_session.expire_all()
    assert len(db_session.scalar(select(Complaint).where(Complaint.reference == reference)).events) == before


def test_the_queue_filters_by_category_tag_and_field(app, staff, db_session):
    _fields()
    billing()
    first = file(category="delivery").complaint.reference
    second = file(category="billing", email="b@example.com").complaint.reference
    third = file(email="c@example.com").complaint.reference
    classification.classify(first, actor=staff.manager, tags="vip", fields={"carrier": "DHL"}, now=NOW)

    def refs(**filters):
        rows, _cursor = queries.queue_page(staff.manager, queries.QueueFilter(**filters), now=NOW)
        return {c.reference for c in rows}

    assert refs(category="delivery") == {first}
    assert refs(category="billing") == {second}
    assert refs(category="none") == {third}
    assert refs(tag=" VIP ") == {first}
    assert refs(field="carrier") == {first}
    assert refs(field="carrier", field_value="DHL") == {first}
    assert refs(field="carrier", field_value="DPD") == set()
    assert refs(category="unknown") == set()


def test_the_field_filter_matches_by_the_fields_kind(app, staff, db_session):
    """Text contains (any case), a choice exactly, numbers and dates exactly or in FROM..TO."""
    _fields()
    values = [{"carrier": "DHL", "tracking": "PL-00340434", "weight": "2.5", "shipped_on": "2027-01-10"},
              {"carrier": "DPD", "tracking": "cz-777", "weight": "12", "shipped_on": "2027-02-01"},
              {"carrier": "InPost", "tracking": "X", "weight": "100", "shipped_on": "2026-12-24"}]
    refs = []
    for n, fields in enumerate(values):
        reference = file(category="delivery", email=f"f{n}@example.com").complaint.reference
        classification.classify(reference, actor=staff.manager, fields=fields, now=NOW)
        refs.append(reference)

    def found(field, value):
        rows, _cursor = queries.queue_page(staff.manager, queries.QueueFilter(field=field, field_value=value), now=NOW)
        return {refs.index(c.reference) for c in rows}

    assert found("tracking", "0340") == {0} and found("tracking", "pl-") == {0} and found("tracking", "-") == {0, 1}
    assert found("tracking", "%") == set() and found("tracking", "_") == set()      # LIKE's wildcards are text
    assert found("carrier", "DP") == set() and found("carrier", "DPD") == {1}        # a choice: exactly
    assert found("weight", "12") == {1} and found("weight", "12,0") == {1}
    assert found("weight", "3..100") == {1, 2} and found("weight", "..12") == {0, 1} and found("weight", "13..") == {2}
    assert found("weight", "heavy") == set() and found("weight", "..") == set()     # no error, no match
    assert found("shipped_on", "2027-01-10") == {0}
    assert found("shipped_on", "2027-01-01..2027-12-31") == {0, 1} and found("shipped_on", "..2026-12-31") == {2}
    assert found("shipped_on", "2027-02-30..") == set()


def test_a_field_can_be_deleted_with_its_values(app, staff, db_session):
    _fields()
    reference = file(category="delivery").complaint.reference
    classification.classify(reference, actor=staff.agent, fields={"carrier": "DHL", "weight": "3"}, now=NOW)
    carrier = [f for f in classification.category_by_code("delivery").fields if f.code == "carrier"][0]
    classification.delete_field(carrier.id)
    db_session.expire_all()
    complaint = db_session.scalar(select(Complaint).where(Complaint.reference == reference))
    assert "carrier" not in classification.fields_as_dict(complaint)
    assert classification.fields_as_dict(complaint)["weight"] == "3"


def test_an_agent_cannot_classify_a_complaint_outside_their_view(app, staff):
    from complaints import actions
    from platform_support.errors import NotFound

    delivery()
    reference = file().complaint.reference
    actions.assign_owner(reference, staff.manager.email, actor=staff.manager, now=NOW)
    with pytest.raises(NotFound):
        classification.classify(reference, actor=staff.agent, category="delivery", now=NOW)


def test_a_surge_of_a_category_raises_an_alert_while_the_complaints_are_still_open(app, db_session):
    from datetime import timedelta

    from reports import alerts

    delivery()
    billing()
    latest_week = alerts.week_start(NOW.date()) - timedelta(weeks=1)
    from datetime import datetime
    monday = datetime.combine(latest_week, datetime.min.time()) + timedelta(hours=10)
    for week in range(1, 9):  # one a week before
        file(monday - timedelta(weeks=week), category="delivery", email=f"w{week}@example.com")
    for n in range(7):  # seven last week, none resolved
        file(monday + timedelta(hours=n), category="delivery", email=f"n{n}@example.com")
    file(monday, category="billing", email="b@example.com")
    findings = alerts.category_findings(NOW)
    assert [(f["category"], f["latest"], f["previous"]) for f in findings] == [("delivery", 7, [1] * 8)]
    raised = alerts.check_trends(NOW)
    assert [a.kind for a in raised] == ["category_rise"]
    assert "Delivery" in raised[0].body and "resolved or not" in raised[0].body  # the category's name
    assert raised[0].title == "More complaints in category Delivery"
    assert alerts.check_trends(NOW) == []  # once
