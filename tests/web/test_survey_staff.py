"""Staff side of surveys and the closed loop: alerts and tasks, results with margins, invitation
list with reasons, the editor, answers on the complaint page, and the JSON API."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from complaints.models import Complaint
from notifications.models import OutboxMessage
from staff.tokens import issue_api_token
from surveys import dispatch
from surveys.models import Survey, SurveyAlert
from tests.support.clock import NOW
from tests.support.surveys import install_default_surveys, resolved_complaint
from tests.support.web import csrf_from

SENT = NOW + timedelta(hours=24)


@pytest.fixture
def surveys(app, db_session):
    install_default_surveys(db_session)


def invite(staff, db_session, email, **kwargs):
    """Resolve a complaint for `email` and dispatch its survey; returns the survey page path."""
    db_session.rollback()  # end any read transaction that predates the client's last write
    complaint = resolved_complaint(staff, email=email, name=email.split("@")[0].title(), **kwargs)
    dispatch.dispatch_due_invitations(now=SENT)
    body = db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "survey_invitation",
                                                          OutboxMessage.to_address == email)).one().text_body
    db_session.rollback()
    return complaint, re.search(r"http://localhost(/survey/[\w-]+)\?score=0", body).group(1)


def answer(client, path, values: dict, *, submit=True):
    page = client.get(path).get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'name="q(\d+)"', page)]
    ids = sorted(set(ids), key=ids.index)
    data = {"csrf_token": csrf_from(page), ("submit" if submit else "confirm"): "1"}
    for question_id, value in zip(ids, values):
        data[f"q{question_id}"] = value
    return client.post(path, data=data)


def test_unhappy_answer_creates_alert_task_and_manager_reopens(client, browser, staff, db_session, surveys):
    complaint, path = invite(staff, db_session, "unhappy@example.com")
    assert answer(client, path, ["3"], submit=False).status_code == 200
    db_session.rollback()
    alert = db_session.scalars(select(SurveyAlert)).one()
    assert alert.reasons == ["nps:3"] and alert.owner_id == staff.agent.id and alert.complaint_id == complaint.id
    notified = {m.to_address for m in db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "staff_survey_alert"))}
    assert notified == {staff.agent.email, staff.manager.email, staff.admin.email}

    # The owner sees the task; another agent does not.
    browser.login(staff.other_agent)
    assert complaint.reference not in client.get("/staff/surveys/alerts").get_data(as_text=True)
    client.post("/staff/logout", data={"csrf_token": csrf_from(client.get("/staff/surveys/").get_data(as_text=True))})
    browser.login(staff.manager)
    page = client.get("/staff/surveys/alerts").get_data(as_text=True)
    assert "Unhappy" in page and "detractor (NPS 3)" in page and complaint.reference in page
    reopened = browser.post_form("/staff/surveys/alerts", {"reason": "Customer still unhappy after the survey"},
                                 action=f"/staff/surveys/alerts/{alert.id}/reopen")
    assert reopened.status_code == 302
    db_session.rollback()
    assert db_session.get(Complaint, complaint.id).status not in ("resolved", "closed")
    closed = browser.post_form("/staff/surveys/alerts", {"outcome": "done", "note": "Called, replacement sent"},
                               action=f"/staff/surveys/alerts/{alert.id}/close")
    assert closed.status_code == 302
    db_session.rollback()
    alert = db_session.get(SurveyAlert, alert.id)
    assert (alert.status, alert.note, alert.closed_by_id) == ("done", "Called, replacement sent", staff.manager.id)

    # The complaint page shows what the customer answered.
    detail = client.get(f"/staff/complaints/{complaint.reference}").get_data(as_text=True)
    assert "Survey answers" in detail and "How likely are you to recommend us" in detail


def test_negative_comment_alerts_but_happy_answer_does_not(client, staff, db_session, surveys):
    _c1, happy = invite(staff, db_session, "happy@example.com")
    answer(client, happy, ["10", "5", "7", "Great job"])
    _c2, comment = invite(staff, db_session, "comment@example.com")
    answer(client, comment, ["8", "4", "5", "Obsługa była fatalna"])
    db_session.rollback()
    assert [a.reasons for a in db_session.scalars(select(SurveyAlert))] == [["negative_comment"]]


def test_agent_closes_own_task_and_needs_a_note(client, browser, staff, db_session, surveys):
    _complaint, path = invite(staff, db_session, "csat@example.com")
    answer(client, path, ["7", "1", "4", ""])
    db_session.rollback()
    alert = db_session.scalars(select(SurveyAlert)).one()
    assert alert.reasons == ["csat:1"]
    browser.login(staff.agent)
    browser.post_form("/staff/surveys/alerts", {"outcome": "dismissed", "note": ""}, action=f"/staff/surveys/alerts/{alert.id}/close")
    db_session.rollback()
    assert db_session.get(SurveyAlert, alert.id).status == "open"
    # Agents cannot reopen from an alert (managers decide).
    browser.post_form("/staff/surveys/alerts", {"reason": "x"}, action=f"/staff/surveys/alerts/{alert.id}/reopen")
    db_session.rollback()
    assert db_session.get(SurveyAlert, alert.id).complaint.status == "resolved"
    browser.post_form("/staff/surveys/alerts", {"outcome": "dismissed", "note": "Wrong button, customer confirmed"},
                      action=f"/staff/surveys/alerts/{alert.id}/close")
    db_session.rollback()
    assert db_session.get(SurveyAlert, alert.id).status == "dismissed"


def test_results_page_scores_margins_bars_and_too_few(client, browser, staff, db_session, surveys):
    for n, nps in enumerate(["10", "9", "6", "8"]):
        _c, path = invite(staff, db_session, f"r{n}@example.com")
        answer(client, path, [nps, "5" if n % 2 else "2", "6", f"comment {n}"])
    db_session.rollback()
    survey = db_session.scalars(select(Survey).where(Survey.code == "after_complaint")).one()
    browser.login(staff.agent)
    page = client.get(f"/staff/surveys/{survey.id}/results").get_data(as_text=True)
    # NPS: 2 promoters, 1 detractor of 4 → 25; CSAT: 2 of 4 → 50 %.
    assert "NPS:</strong>\n      25.0" in page or re.search(r"NPS:</strong>\s*25\.0 ± [\d.]+", page)
    assert re.search(r"CSAT:</strong>\s*50\.0 % ± [\d.]+", page)
    assert re.search(r"CES:</strong>\s*6\.0", page)
    assert "too few answers" in page and 'id="response-rate">100.0 %' in page
    assert 'class="bar w-25"' in page and "style=" not in page
    assert "comment 3" in page


def test_invitation_list_shows_capped_reason(client, browser, staff, db_session, surveys):
    invite(staff, db_session, "capped@example.com")
    resolved_complaint(staff, email="capped@example.com", now=SENT + timedelta(days=2))
    dispatch.dispatch_due_invitations(now=SENT + timedelta(days=3, hours=1))
    browser.login(staff.agent)
    page = client.get("/staff/surveys/invitations?status=capped").get_data(as_text=True)
    assert "one survey invitation per 30 days" in page and "Capped" in page
    assert "one survey" not in client.get("/staff/surveys/invitations?status=sent").get_data(as_text=True)


def test_manager_edits_survey_agent_cannot(client, browser, staff, db_session, surveys):
    survey = db_session.scalars(select(Survey).where(Survey.code == "relationship")).one()
    survey_id, first_id = survey.id, survey.questions[0].id
    browser.login(staff.agent)
    assert client.get(f"/staff/surveys/{survey_id}/edit").status_code == 403
    client.post("/staff/logout", data={"csrf_token": csrf_from(client.get("/staff/surveys/").get_data(as_text=True))})
    browser.login(staff.manager)
    edit = f"/staff/surveys/{survey_id}/edit"
    browser.post_form(edit, {"prefix": "new", "new-qtype": "choice", "new-language": "en", "new-text": "How did you find us?",
                             "new-choices": "web=Web search\nfriend=A friend", "new-required": ""},
                      action=f"/staff/surveys/{survey_id}/questions")
    browser.post_form(edit + "?language=pl", {"prefix": f"q{first_id}", f"q{first_id}-qtype": "nps", f"q{first_id}-language": "pl",
                                             f"q{first_id}-text": "Czy polecisz nas znajomym?", f"q{first_id}-required": "y"},
                      action=f"/staff/surveys/{survey_id}/questions/{first_id}")
    browser.post_form(edit, {"direction": "down"}, action=f"/staff/surveys/{survey_id}/questions/{first_id}/move")
    db_session.rollback()
    survey = db_session.get(Survey, survey_id)
    assert [q.qtype for q in survey.questions] == ["csat", "nps", "text", "choice"]
    assert survey.questions[1].text == {"en": "How likely are you to recommend us to a friend or colleague?",
                                        "pl": "Czy polecisz nas znajomym?"}
    assert survey.questions[3].choices[1] == {"value": "friend", "label": {"en": "A friend"}}
    browser.post_form(edit, {}, action=f"/staff/surveys/{survey_id}/questions/{survey.questions[3].id}/remove")
    db_session.rollback()
    assert len(db_session.get(Survey, survey_id).questions) == 3


def test_survey_responses_api_contract(client, staff, db_session, surveys):
    _c, path = invite(staff, db_session, "api@example.com")
    answer(client, path, ["9"], submit=False)
    _c2, path2 = invite(staff, db_session, "api2@example.com")
    answer(client, path2, ["4", "3", "2", "Slow"])
    headers = {"Authorization": f"Bearer {issue_api_token(staff.agent)}"}
    db_session.commit()

    assert client.get("/api/v1/survey-responses").status_code == 401
    first = client.get("/api/v1/survey-responses?limit=1", headers=headers).get_json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    item = first["items"][0]
    assert item["customer_email"] == "api@example.com" and item["submitted"] is False
    assert item["complaint_reference"].startswith("C-")
    assert item["answers"] == [{"question": 1, "type": "nps", "value": 9}]
    second = client.get(f"/api/v1/survey-responses?limit=1&cursor={first['next_cursor']}", headers=headers).get_json()
    assert second["items"][0]["submitted"] is True and second["next_cursor"] is None
    assert [a["type"] for a in second["items"][0]["answers"]] == ["nps", "csat", "ces", "text"]
    later = client.get("/api/v1/survey-responses?since=2030-01-01T00:00:00Z", headers=headers).get_json()
    assert later == {"items": [], "next_cursor": None}
    bad = client.get("/api/v1/survey-responses?since=yesterday", headers=headers)
    assert bad.status_code == 400 and "since" in bad.get_json()["fields"]
    assert client.get("/api/v1/survey-responses?cursor=zzz", headers=headers).status_code == 400

    results = client.get("/api/v1/surveys/after_complaint/results", headers=headers).get_json()
    assert results["responded"] == 2 and results["questions"][0]["score"]["value"] == 0.0
    assert results["questions"][0]["score"]["too_few"] is True
    assert client.get("/api/v1/surveys/nope/results", headers=headers).status_code == 404
    invitations = client.get("/api/v1/survey-invitations?status=answered", headers=headers).get_json()
    assert len(invitations["items"]) == 2
    assert client.get("/api/v1/survey-invitations?status=bogus", headers=headers).status_code == 400
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/survey-responses" in spec["paths"] and "/surveys/{code}/results" in spec["paths"]


def test_answers_appear_in_the_customer_timeline(client, staff, db_session, surveys):
    from customers.timeline import customer_timeline

    complaint, path = invite(staff, db_session, "timeline@example.com")
    answer(client, path, ["9", "5", "7", "Lovely"])
    db_session.rollback()
    entries = [e for e in customer_timeline(complaint.customer_id, viewer=None) if e.source == "survey"]
    assert len(entries) == 1
    assert "NPS 9 · CSAT 5 · CES 7" in entries[0].body and "Lovely" in entries[0].body
    assert entries[0].link_reference == complaint.reference
