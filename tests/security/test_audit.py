"""Staff actions leave an audit trail (who, what, when, from where) that admins can read and export."""
import csv
import io

from audit.models import AuditEntry
from tests.security.conftest import file_complaint
from tests.support.staff import StaffAccounts
from tests.support.web import csrf_from


def _entries(db_session):
    db_session.rollback()
    return db_session.scalars(db_session.query(AuditEntry).order_by(AuditEntry.id).statement).all()


def test_login_failure_success_action_and_logout_are_recorded(browser, staff, db_session):
    filed = file_complaint()
    browser.post_form("/staff/login", {"email": staff.agent.email, "password": "wrong"},
                      headers={"User-Agent": "AuditTest/1.0"})
    browser.client.environ_base["HTTP_USER_AGENT"] = "AuditTest/1.0"
    browser.login(staff.agent)
    detail = f"/staff/complaints/{filed.complaint.reference}"
    assert browser.post_form(detail, {"fact-text": "Courier confirms"}, action=detail + "/facts").status_code == 302
    page = browser.get("/staff/complaints/").get_data(as_text=True)
    browser.client.post("/staff/logout", data={"csrf_token": csrf_from(page)})
    entries = _entries(db_session)
    actions = [e.action for e in entries]
    assert actions == ["staff.login_failed", "staff.login", "complaints_staff.add_fact", "staff.logout"], actions
    fact = [e for e in entries if e.target.get("reference") == filed.complaint.reference][0]
    assert fact.staff_user_id == staff.agent.id and fact.actor == staff.agent.email
    assert fact.method == "POST" and fact.path == detail + "/facts" and fact.status_code == 302
    assert fact.ip_address == "127.0.0.1" and fact.user_agent == "AuditTest/1.0"
    assert entries[0].staff_user_id is None and entries[0].actor == staff.agent.email


def test_reads_and_refused_requests_are_not_recorded(browser, staff, db_session):
    browser.login(staff.agent)
    browser.get("/staff/complaints/")
    browser.client.post("/staff/complaints/C-NOPE/facts", data={})  # no CSRF: 400
    assert [e.action for e in _entries(db_session)] == ["staff.login"]


def test_api_actions_are_recorded_as_api(client, staff, db_session):
    from staff.tokens import issue_api_token
    filed = file_complaint()
    token = issue_api_token(staff.manager)
    response = client.post(f"/api/v1/complaints/{filed.complaint.reference}/facts", json={"text": "via API"},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    entry = _entries(db_session)[-1]
    assert entry.via == "api" and entry.staff_user_id == staff.manager.id
    assert entry.target == {"reference": filed.complaint.reference}


def test_admin_reads_and_exports_the_log(browser, staff, db_session):
    browser.login(staff.admin)
    page = browser.get("/admin/audit/")
    assert page.status_code == 200 and staff.admin.email in page.get_data(as_text=True)
    export = browser.get("/admin/audit/export.csv")
    assert export.status_code == 200 and export.headers["Content-Disposition"].startswith("attachment")
    text = export.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert rows and rows[0]["action"] == "staff.login" and rows[0]["actor"] == staff.admin.email


def test_export_neutralises_spreadsheet_formulas(browser, staff, db_session):
    browser.post_form("/staff/login", {"email": "=HYPERLINK(\"http://evil\")", "password": "x"})
    browser.login(staff.admin)
    text = browser.get("/admin/audit/export.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    failed = [r for r in rows if r["action"] == "staff.login_failed"][0]
    assert failed["actor"].startswith("'=")


def test_non_admins_cannot_read_it(browser, staff):
    browser.login(staff.manager, StaffAccounts.PASSWORD)
    assert browser.get("/admin/audit/").status_code == 403
    assert browser.get("/admin/audit/export.csv").status_code == 403
