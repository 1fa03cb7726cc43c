"""Admins set or reset a staff member's password from the staff admin page (issue 13): the rule
for new passwords applies, every session of that account ends, the audit log records who did it;
or they e-mail the person a reset link."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from audit.models import AuditEntry
from extensions import db
from notifications.models import OutboxMessage
from staff.models import StaffSession, StaffUser
from staff.passwords import verify_password
from tests.support.staff import PASSWORD
from tests.support.web import Browser, IsolatedClient, csrf_from

NEW = "violet tractor harbour 1987"


@pytest.fixture(autouse=True)
def _isolated(app):
    app.test_client_class = IsolatedClient  # each browser its own request context, as in a server


def _user(user_id: int) -> StaffUser:
    db.session.commit()
    return db.session.get(StaffUser, user_id)


def test_an_admin_sets_an_agents_password_and_the_agents_sessions_end(app, staff):
    admin, agent = Browser(app.test_client()), Browser(app.test_client())
    agent.login(staff.agent)
    assert agent.client.get("/staff/complaints/").status_code == 200
    admin.login(staff.admin)
    page = f"/staff/accounts/{staff.agent.id}"
    assert "Set the password" in admin.client.get(page).get_data(as_text=True)

    weak = admin.post_form(page, {"password-new_password": "password1234"}, action=page + "/password")
    assert weak.status_code == 400 and "flash-error" in weak.get_data(as_text=True)
    assert verify_password(_user(staff.agent.id).password_hash, PASSWORD)  # nothing changed

    done = admin.post_form(page, {"password-new_password": NEW}, action=page + "/password", follow_redirects=True)
    assert "Password set for Agnes Agent" in done.get_data(as_text=True)
    user = _user(staff.agent.id)
    assert verify_password(user.password_hash, NEW) and not verify_password(user.password_hash, PASSWORD)
    assert agent.client.get("/staff/complaints/").status_code == 302  # signed out
    assert db.session.scalars(select(StaffSession).where(StaffSession.staff_user_id == staff.agent.id,
                                                         StaffSession.ended_at.is_(None))).all() == []
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "staff.password_set_by_admin")).all()
    assert entry.staff_user_id == staff.admin.id and entry.target["user_id"] == str(staff.agent.id)
    assert entry.target["sessions_ended"] == "1" and NEW not in str(entry.target)
    Browser(app.test_client()).login(staff.agent, password=NEW)


def test_only_admins_and_not_for_their_own_account(app, staff):
    manager = Browser(app.test_client())
    manager.login(staff.manager)
    page = f"/staff/accounts/{staff.agent.id}"
    token_page = manager.client.get("/staff/password").get_data(as_text=True)
    refused = manager.client.post(page + "/password", data={"csrf_token": csrf_from(token_page),
                                                            "password-new_password": NEW})
    assert refused.status_code == 403
    admin = Browser(app.test_client())
    admin.login(staff.admin)
    own = f"/staff/accounts/{staff.admin.id}"
    assert "Set the password" not in admin.client.get(own).get_data(as_text=True)
    response = admin.post_form(own, {"password-new_password": NEW}, action=own + "/password")
    assert response.status_code == 400
    assert verify_password(_user(staff.admin.id).password_hash, PASSWORD)
    assert admin.post_form(own, {}, action="/staff/accounts/999999/password").status_code == 404


def test_an_admin_emails_a_reset_link(app, staff):
    admin = Browser(app.test_client())
    admin.login(staff.admin)
    page = f"/staff/accounts/{staff.agent.id}"
    sent = admin.post_form(page, {}, action=page + "/reset-link", follow_redirects=True)
    assert f"A password-reset link was sent to {staff.agent.email}" in sent.get_data(as_text=True)
    db.session.commit()
    (mail,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "staff_password_reset")).all()
    assert mail.to_address == staff.agent.email and "/staff/password-reset/" in mail.text_body
