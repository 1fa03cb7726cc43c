"""The survey loop with time as a parameter: resolve → invitation 24 h later at a real SMTP server →
one-click link pre-selects (GET records only the click) → POST confirms → submit → "already
answered" → no reminder → frequency cap across both kinds → unsubscribe stops everything."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from customers.models import Customer
from surveys import planning
from surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.support.clock import NOW
from tests.support.surveys import install_default_surveys, resolved_complaint, run_due, survey_links, survey_mails
from tests.support.web import csrf_from


@pytest.fixture
def surveys(app, db_session):
    install_default_surveys(db_session)


def _invitations(db_session, **filters):
    db_session.rollback()
    return list(db_session.scalars(select(SurveyInvitation).filter_by(**filters).order_by(SurveyInvitation.id)))


def test_complaint_survey_from_resolution_to_unsubscribe(mail_app, smtp_server, client, staff, db_session, surveys):
    complaint = resolved_complaint(staff)
    address = "jan@example.com"

    run_due(mail_app, NOW + timedelta(hours=23, minutes=59))
    assert survey_mails(smtp_server, address) == []
    assert [i.status for i in _invitations(db_session, kind="complaint")] == ["scheduled"]

    run_due(mail_app, NOW + timedelta(hours=24))
    mails = survey_mails(smtp_server, address)
    assert len(mails) == 1
    invitation_mail = mails[0]
    assert invitation_mail["List-Unsubscribe"].startswith("<http://localhost/survey/")
    assert invitation_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert complaint.reference in invitation_mail.get_body(preferencelist=("plain",)).get_content()
    links = survey_links(invitation_mail)
    assert sorted(links, key=int) == [str(n) for n in range(11)]
    sent_at = NOW + timedelta(hours=24)

    # A click (or a mail scanner following the link) shows 9 pre-selected and records only the click.
    page = client.get(links["9"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    invitation = _invitations(db_session, kind="complaint")[0]
    nps_question = invitation.survey.questions[0]
    assert f'checked id="q{nps_question.id}-9"' in html or f'id="q{nps_question.id}-9" name="q{nps_question.id}" type="radio" value="9" checked' in html
    assert invitation.click_count == 1 and invitation.response is None
    assert db_session.scalar(select(SurveyAnswer.id)) is None

    # Confirming (POST) records NPS 9.
    path = links["9"].split("?")[0]
    confirmed = client.post(path, data={"csrf_token": csrf_from(html), f"q{nps_question.id}": "9", "confirm": "1"})
    assert confirmed.status_code == 200
    db_session.rollback()
    response = db_session.scalars(select(SurveyResponse)).one()
    assert [(a.qtype, a.score) for a in response.answers] == [("nps", 9)] and response.submitted_at is None

    # The rest of the survey, then submit.
    csat, ces, text = invitation.survey.questions[1:]
    page = client.get(path).get_data(as_text=True)
    submitted = client.post(path, data={"csrf_token": csrf_from(page), f"q{nps_question.id}": "9", f"q{csat.id}": "5",
                                        f"q{ces.id}": "6", f"q{text.id}": "Quick and friendly.", "submit": "1"})
    assert submitted.status_code == 303
    db_session.rollback()
    response = db_session.scalars(select(SurveyResponse)).one()
    assert response.submitted_at is not None
    assert sorted((a.qtype, a.score, a.text) for a in response.answers) == [
        ("ces", 6, None), ("csat", 5, None), ("nps", 9, None), ("text", None, "Quick and friendly.")]

    # A second click: "already answered"; the score cannot be changed any more.
    again = client.get(links["3"])
    assert "already answered" in again.get_data(as_text=True)
    late_post = client.post(path, data={"csrf_token": csrf_from(page), f"q{nps_question.id}": "2", "submit": "1"})
    assert "already answered" in late_post.get_data(as_text=True)
    db_session.rollback()
    assert {a.qtype: a.score for a in db_session.scalars(select(SurveyAnswer))}["nps"] == 9

    # No reminder for an answered invitation.
    run_due(mail_app, sent_at + timedelta(days=4))
    assert len(survey_mails(smtp_server, address)) == 1
    assert _invitations(db_session, kind="complaint")[0].reminder_sent_at is None

    # Frequency cap across both kinds: the relationship survey (planned by the first pass) due 5
    # days later waits; another complaint survey inside the cap is skipped with the reason.
    relationship = _invitations(db_session, kind="relationship")[0]
    relationship.due_at = sent_at + timedelta(days=5)
    db_session.commit()
    second = resolved_complaint(staff, now=sent_at + timedelta(days=4))
    run_due(mail_app, sent_at + timedelta(days=5, hours=1))
    assert len(survey_mails(smtp_server, address)) == 1
    relationship = _invitations(db_session, kind="relationship")[0]
    assert "frequency cap" in relationship.status_reason
    assert relationship.status in ("scheduled", "capped")
    second_invitation = _invitations(db_session, complaint_id=second.id)[0]
    assert second_invitation.status == "capped" and "one survey invitation per 30 days" in second_invitation.status_reason

    # Unsubscribe (RFC 8058 one-click POST from the header) stops every later invitation.
    one_click = invitation_mail["List-Unsubscribe"].strip("<>").replace("http://localhost", "")
    assert client.post(one_click, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    db_session.rollback()
    customer = db_session.scalars(select(Customer).filter_by(email_normalised=address)).one()
    assert customer.surveys_opted_out_at is not None
    assert _invitations(db_session, kind="relationship")[0].status == "opted_out"
    third = resolved_complaint(staff, now=sent_at + timedelta(days=40))
    assert _invitations(db_session, complaint_id=third.id)[0].status == "opted_out"
    assert planning.plan_relationship_surveys(now=sent_at + timedelta(days=200)) == 0
    run_due(mail_app, sent_at + timedelta(days=200))
    assert len(survey_mails(smtp_server, address)) == 1


def test_reopened_complaint_gets_no_survey(mail_app, smtp_server, staff, db_session, surveys):
    from complaints import actions

    complaint = resolved_complaint(staff)
    actions.reopen(complaint.reference, "Still broken", actor=staff.agent, now=NOW + timedelta(hours=2))
    run_due(mail_app, NOW + timedelta(hours=30))
    assert survey_mails(smtp_server, "jan@example.com") == []
    invitation = _invitations(db_session, kind="complaint")[0]
    assert invitation.status == "cancelled" and "reopened" in invitation.status_reason


def test_one_reminder_only_for_unanswered(mail_app, smtp_server, staff, db_session, surveys, client):
    resolved_complaint(staff)
    run_due(mail_app, NOW + timedelta(hours=24))
    run_due(mail_app, NOW + timedelta(days=4, hours=1))
    run_due(mail_app, NOW + timedelta(days=8))
    mails = survey_mails(smtp_server, "jan@example.com")
    assert [m["Subject"].startswith("Reminder") for m in mails] == [False, True]
    # Same link in the reminder: it still works.
    assert survey_links(mails[1])["7"] == survey_links(mails[0])["7"]
    assert client.get(survey_links(mails[1])["7"]).status_code == 200


def test_invitation_waits_for_contact_hours_in_customer_time_zone(mail_app, smtp_server, staff, db_session, surveys):
    # Resolved 18:00 UTC = 03:00 in Tokyo the next day; 24 h later it would be 03:00 again.
    resolved_complaint(staff, now=NOW.replace(hour=18), timezone="Asia/Tokyo")
    run_due(mail_app, NOW.replace(hour=18) + timedelta(hours=24))
    assert survey_mails(smtp_server, "jan@example.com") == []
    invitation = _invitations(db_session, kind="complaint")[0]
    assert invitation.status == "scheduled"
    # 09:00 in Tokyo is 00:00 UTC.
    assert invitation.due_at == (NOW + timedelta(days=2)).replace(hour=0)
    run_due(mail_app, invitation.due_at)
    assert len(survey_mails(smtp_server, "jan@example.com")) == 1


def test_unknown_and_expired_tokens_get_friendly_pages(mail_app, smtp_server, staff, db_session, surveys, client,
                                                       app_settings):
    unknown = client.get("/survey/not-a-real-token?score=9")
    assert unknown.status_code == 404 and "could not find this survey" in unknown.get_data(as_text=True)
    resolved_complaint(staff)
    run_due(mail_app, NOW + timedelta(hours=24))
    link = survey_links(survey_mails(smtp_server, "jan@example.com")[0])["9"]
    run_due(mail_app, NOW + timedelta(days=32))
    assert _invitations(db_session, kind="complaint")[0].status == "expired"
    expired = client.get(link)
    assert expired.status_code == 410 and "has closed" in expired.get_data(as_text=True)
    assert expired.headers["Cache-Control"] == "no-store"


def test_bad_answers_get_messages_never_a_500(mail_app, smtp_server, staff, db_session, surveys, client):
    resolved_complaint(staff)
    run_due(mail_app, NOW + timedelta(hours=24))
    link = survey_links(survey_mails(smtp_server, "jan@example.com")[0])["9"]
    path = link.split("?")[0]
    html = client.get(link).get_data(as_text=True)
    question_ids = [int(n) for n in dict.fromkeys(__import__("re").findall(r'name="q(\d+)"', html))]
    token = csrf_from(html)
    out_of_range = client.post(path, data={"csrf_token": token, f"q{question_ids[0]}": "11", "confirm": "1"})
    assert out_of_range.status_code == 400 and "from 0 to 10" in out_of_range.get_data(as_text=True)
    missing = client.post(path, data={"csrf_token": token, f"q{question_ids[0]}": "9", "submit": "1"})
    assert missing.status_code == 400 and "Please answer this question." in missing.get_data(as_text=True)
    nothing = client.post(path, data={"csrf_token": token, "confirm": "1"})
    assert nothing.status_code == 400
    no_csrf = client.post(path, data={f"q{question_ids[0]}": "9", "confirm": "1"})
    assert no_csrf.status_code == 400
    assert client.get(path + "?score=abc").status_code == 200
    db_session.rollback()
    assert db_session.scalar(select(SurveyResponse.id)) is None


def test_jobs_run_due_cli_does_one_pass(app, runner, staff, db_session, surveys):
    import json

    resolved_complaint(staff)
    db_session.remove()
    result = runner.invoke(args=["jobs", "run-due", "--now", (NOW + timedelta(hours=24)).isoformat()])
    assert result.exit_code == 0, result.output
    jobs = json.loads(result.output)["jobs"]
    assert jobs["dispatch-survey-invitations"]["sent"] == 1
    assert jobs["plan-relationship-surveys"]["planned"] == 1
    assert [i.status for i in _invitations(db_session, kind="complaint")] == ["sent"]
