"""Issue 17's admin pages for routing and trigger rules: admins only, refused input shown again
as typed with its message, a saved rule routes and triggers the next complaint."""
from __future__ import annotations

from sqlalchemy import select

from complaints.models import Complaint, RoutingRule, TriggerRule
from staff.team_services import save_team
from tests.support.complaints import file
from tests.support.web import csrf_from


def test_only_admins_reach_the_rule_pages(browser, client, staff):
    for url in ("/admin/routing-rules", "/admin/trigger-rules"):
        assert client.get(url).status_code in (302, 401), url
    browser.login(staff.manager)
    for url in ("/admin/routing-rules", "/admin/trigger-rules"):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={}).status_code in (400, 403), url


def test_admin_adds_a_routing_rule_and_the_next_complaint_reaches_the_team(browser, client, staff, db_session):
    team = save_team(name="Front desk", member_ids=[staff.agent.id, staff.other_agent.id])
    browser.login(staff.admin)
    page = client.get("/admin/routing-rules").get_data(as_text=True)
    assert "Front desk" in page
    token = csrf_from(page)
    typed = {"routing-csrf_token": token, "routing-name": "Czech customers", "routing-language": "cs",
             "routing-team": "", "routing-assign": "round_robin", "routing-active": "y"}
    refused = client.post("/admin/routing-rules", data=typed)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Choose a team." in body and 'value="Czech customers"' in body
    saved = client.post("/admin/routing-rules", data={**typed, "routing-team": str(team.id)})
    assert saved.status_code == 302
    db_session.rollback()
    rule = db_session.scalar(select(RoutingRule))
    assert (rule.language, rule.assign, rule.team_id) == ("cs", "round_robin", team.id)
    listing = client.get("/admin/routing-rules").get_data(as_text=True)
    assert "Czech customers" in listing and "Čeština" in listing
    edit = client.get(f"/admin/routing-rules?edit={rule.id}").get_data(as_text=True)
    assert 'value="Czech customers"' in edit and client.get("/admin/routing-rules?edit=abc").status_code == 200
    db_session.rollback()  # a fresh snapshot: the pages above wrote (sessions)
    complaint = file(language="cs").complaint
    assert complaint.team_id == team.id and complaint.owner_id == staff.agent.id
    page = client.get(f"/staff/complaints/{complaint.reference}").get_data(as_text=True)
    assert "Czech customers" in page and "routed by a rule" in page
    deleted = client.post(f"/admin/routing-rules/{rule.id}/delete", data={"delete-csrf_token": token})
    assert deleted.status_code == 302
    db_session.rollback()
    assert db_session.scalar(select(RoutingRule)) is None


def test_admin_adds_a_trigger_rule_that_acts_on_the_next_complaint(browser, client, staff, db_session):
    browser.login(staff.admin)
    token = csrf_from(client.get("/admin/trigger-rules").get_data(as_text=True))
    typed = {"trigger-csrf_token": token, "trigger-name": "Refund asked", "trigger-text_contains": "refund",
             "trigger-add_tag": "bad tag!!", "trigger-on_filing": "y", "trigger-active": "y"}
    refused = client.post("/admin/trigger-rules", data=typed)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "A tag is at most 50 letters" in body and 'value="refund"' in body
    saved = client.post("/admin/trigger-rules", data={**typed, "trigger-add_tag": "refund", "trigger-set_priority": "high",
                                                      "trigger-notify": "managers"})
    assert saved.status_code == 302
    db_session.rollback()
    rule = db_session.scalar(select(TriggerRule))
    assert (rule.add_tag, rule.set_priority, rule.on_filing, rule.on_change) == ("refund", "high", True, False)
    assert "Refund asked" in client.get("/admin/trigger-rules").get_data(as_text=True)
    db_session.rollback()
    reference = file(description="I want a refund now").complaint.reference
    page = client.get(f"/staff/complaints/{reference}").get_data(as_text=True)
    assert "Rule “Refund asked”" in page and "tag refund added" in page
    db_session.rollback()
    assert db_session.scalar(select(Complaint.priority).where(Complaint.reference == reference)) == "high"
