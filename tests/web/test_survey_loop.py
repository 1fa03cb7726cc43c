"""Closing the loop on every survey: a detractor on the relationship survey becomes a task for the
customer's account owner (or, without one, the manager with the fewest open alerts — never nobody);
the task is acknowledged, handed on, closed with a note; the dashboard shows how long loops take."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from notifications.models import OutboxMessage
from surveys import alerts, dispatch, planning
from surveys.models import SurveyAlert, SurveyInvitation
from tests.support.clock import NOW
from tests.support.customers import customer
from tests.support.surveys import install_default_surveys
from tests.web.test_survey_staff import answer

SENT = NOW + timedelta(hours=24)


@pytest.fixture
def surveys(app, db_session):
    install_default_surveys(db_session)


def relationship_link(db_session, who) -> str:
    planning.plan_relationship_surveys(now=NOW)
    invitation = db_session.scalars(select(SurveyInvitation).where(SurveyInvitation.customer_id == who.id)).one()
    invitation.due_at = SENT
    db_session.commit()
    dispatch.dispatch_due_invitations(now=SENT)
    body = db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "survey_invitation",
                                                          OutboxMessage.to_address == who.email)).one().text_body
    db_session.rollback()
    return re.search(r"http://localhost(/survey/[\w-]+)\?score=0", body).group(1)


def _notified(db_session) -> set[str]:
    return {m.to_address for m in db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "staff_survey_alert"))}


def test_relationship_detractor_reaches_the_account_owner(client, browser, staff, db_session, surveys):
    who = customer("Karol Nowak", account_owner_id=staff.other_agent.id)
    db_session.commit()
    path = relationship_link(db_session, who)
    assert answer(client, path, ["3"], submit=False).status_code == 200
    db_session.rollback()
    alert = db_session.scalars(select(SurveyAlert)).one()
    assert (alert.reasons, alert.owner_id, alert.complaint_id) == (["nps:3"], staff.other_agent.id, None)
    assert _notified(db_session) == {staff.other_agent.email, staff.manager.email, staff.admin.email}
    mail = db_session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == staff.other_agent.email,
                                                          OutboxMessage.kind == "staff_survey_alert")).one()
    assert "Karol Nowak" in mail.subject and "The task is yours" in mail.text_body

    # The account owner sees the task and acknowledges it; the first agent does not see it.
    browser.login(staff.agent)
    assert "Karol Nowak" not in client.get("/staff/surveys/alerts").get_data(as_text=True)
    client.post("/staff/logout", data={})
    browser.login(staff.other_agent)
    assert "Karol Nowak" in client.get("/staff/surveys/alerts").get_data(as_text=True)
    browser.post_form("/staff/surveys/alerts", {}, action=f"/staff/surveys/alerts/{alert.id}/acknowledge")
    db_session.rollback()
    alert = db_session.get(SurveyAlert, alert.id)
    assert alert.acknowledged_by_id == staff.other_agent.id and alert.status == "open"

    # Handed to a colleague (who gets an e-mail), who closes it with a note.
    browser.post_form("/staff/surveys/alerts", {"owner": str(staff.agent.id)},
                      action=f"/staff/surveys/alerts/{alert.id}/assign")
    db_session.rollback()
    alert = db_session.get(SurveyAlert, alert.id)
    assert alert.owner_id == staff.agent.id and alert.acknowledged_at is None
    assert db_session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "staff_survey_alert",
                                                            OutboxMessage.to_address == staff.agent.email))
    client.post("/staff/logout", data={})
    browser.login(staff.agent)
    closed = browser.post_form("/staff/surveys/alerts", {"outcome": "done", "note": "Called; new delivery slot agreed"},
                               action=f"/staff/surveys/alerts/{alert.id}/close")
    assert closed.status_code == 302
    db_session.rollback()
    alert = db_session.get(SurveyAlert, alert.id)
    assert (alert.status, alert.closed_by_id) == ("done", staff.agent.id)
    assert alert.acknowledged_at is not None

    dashboard = client.get("/staff/reports/").get_data(as_text=True)
    assert 'id="closing-the-loop"' in dashboard and 'id="median-close"' in dashboard


def test_without_account_owner_the_least_loaded_manager_is_named(client, staff, db_session, surveys):
    first, second = customer("Ola Bez"), customer("Ivo Bez")
    db_session.commit()
    for who in (first, second):
        answer(client, relationship_link(db_session, who), ["2"], submit=False)
        db_session.rollback()
    owners = [a.owner_id for a in db_session.scalars(select(SurveyAlert).order_by(SurveyAlert.id))]
    assert owners == [staff.manager.id, staff.admin.id]  # never nobody; the second goes to the less loaded


def test_changed_answer_before_acknowledgement_dismisses_the_alert(client, staff, db_session, surveys):
    who = customer("Zmiana Zdania", account_owner_id=staff.agent.id)
    db_session.commit()
    path = relationship_link(db_session, who)
    answer(client, path, ["1"], submit=False)
    answer(client, path, ["10"], submit=False)
    db_session.rollback()
    alert = db_session.scalars(select(SurveyAlert)).one()
    assert alert.status == "dismissed" and alert.closed_by_id is None
    assert alerts.loop_times(staff.manager, now=SENT).raised == 0  # no loop to close


def test_loop_times_are_medians_of_closed_loops(staff, db_session, surveys):
    from tests.support.surveys import answer as make_answer
    rows = []
    for hours in (2, 4, 30):
        who = customer()
        response = make_answer(who, NOW - timedelta(days=3), {"nps": 2}, survey_code="relationship")
        alert = SurveyAlert(response_id=response.id, customer_id=who.id, owner_id=staff.agent.id, reasons=["nps:2"],
                            status="done", note="called", created_at=NOW - timedelta(days=3),
                            acknowledged_at=NOW - timedelta(days=3) + timedelta(hours=1),
                            closed_at=NOW - timedelta(days=3) + timedelta(hours=hours), closed_by_id=staff.agent.id)
        rows.append(alert)
    open_one = customer()
    response = make_answer(open_one, NOW - timedelta(hours=10), {"nps": 0}, survey_code="relationship")
    rows.append(SurveyAlert(response_id=response.id, customer_id=open_one.id, owner_id=staff.manager.id,
                            reasons=["nps:0"], status="open", created_at=NOW - timedelta(hours=10)))
    db_session.add_all(rows)
    db_session.commit()
    figures = alerts.loop_times(staff.manager, now=NOW)
    assert (figures.raised, figures.closed, figures.open_now, figures.unacknowledged) == (4, 3, 1, 1)
    assert figures.median_hours_to_close == 4.0 and figures.median_hours_to_acknowledge == 1.0
    assert figures.oldest_open_hours == 10.0
    assert alerts.loop_times(staff.agent, now=NOW).open_now == 0  # agents: their own alerts only
