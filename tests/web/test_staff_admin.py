"""What only admins do: staff accounts, the root-cause list, SLA targets; and what agents cannot."""
from datetime import timedelta

from sqlalchemy import select

from complaints import actions
from complaints.models import RootCause, SlaTarget
from staff.models import StaffUser
from tests.support.clock import NOW
from tests.support.complaints import file


def test_only_admins_reach_the_admin_pages(browser, client, staff):
    browser.login(staff.manager)
    for url in ("/admin/root-causes", "/admin/sla", "/staff/accounts"):
        assert client.get(url).status_code == 403, url


def test_admin_adds_a_root_cause_that_resolving_then_accepts(browser, client, staff, db_session):
    browser.login(staff.admin)
    response = browser.post_form("/admin/root-causes", {"code": "supplier_delay", "name": "Supplier delay",
                                                        "sort_order": "5", "active": "y"})
    assert response.status_code == 302
    bad = browser.post_form("/admin/root-causes", {"code": "Not A Code!", "name": "x"})
    assert bad.status_code == 200 and "lower-case letters" in bad.get_data(as_text=True)
    db_session.rollback()
    assert db_session.scalar(select(RootCause).where(RootCause.code == "supplier_delay")).name == "Supplier delay"
    complaint = file(name="Jan", description="Late").complaint
    actions.resolve(complaint.reference, "Chased the supplier", "supplier_delay", actor=staff.admin, now=NOW)
    assert complaint.root_cause.code == "supplier_delay"


def test_admin_changes_sla_targets_for_new_complaints(browser, client, staff, db_session):
    browser.login(staff.admin)
    response = browser.post_form("/admin/sla", {"normal-first_response_hours": "2", "normal-resolution_hours": "24"},
                                 action="/admin/sla/normal", follow_redirects=True)
    assert "SLA targets saved" in response.get_data(as_text=True)
    refused = browser.post_form("/admin/sla", {"normal-first_response_hours": "0", "normal-resolution_hours": "-3"},
                                action="/admin/sla/normal", follow_redirects=True)
    assert refused.status_code == 200 and "whole business hours" in refused.get_data(as_text=True)
    assert browser.post_form("/admin/sla", {}, action="/admin/sla/whenever").status_code == 404
    db_session.rollback()
    assert db_session.get(SlaTarget, "normal").resolution_hours == 24
    complaint = file(name="Jan", description="Late").complaint
    assert complaint.first_response_due_at == NOW + timedelta(hours=2)
    assert complaint.resolution_due_at == NOW + timedelta(hours=24)


def test_admin_creates_staff_with_a_memory_hard_password_hash(browser, client, staff, db_session):
    browser.login(staff.admin)
    page = client.get("/staff/accounts").get_data(as_text=True)
    assert staff.agent.email in page
    db_session.rollback()
    stored = db_session.get(StaffUser, staff.agent.id).password_hash
    assert stored.startswith("$argon2id$")
