"""The one visibility rule, walked: an agent reads nothing of a complaint another agent owns.

Every GET route under /staff and /api/v1 registered in the app's url_map is called as an agent
(session for pages, bearer token for the API), its URL parameters filled with the real ids of the
hidden complaint, its customer, its survey answer, alert, e-mail and attachment; lists get the
query arguments that widen them (all states, the other agent as owner, a search for the
customer). The complaint's reference and each of its unique texts (subject, description, fact,
internal note, public update, survey comment) must appear in no answer. The control: the same
walk as a manager finds them, so the walk does reach the places they would leak from.
"""
from __future__ import annotations

import io
import re
import secrets
import zipfile
from datetime import timedelta

import pytest

from tests.support.clock import NOW

SECRET = secrets.token_hex(4)
TEXTS = {name: f"{name}-{SECRET}" for name in ("subject", "description", "fact", "internal", "update", "comment")}


@pytest.fixture
def app_settings():
    return {"RATELIMIT_ENABLED": False}


@pytest.fixture
def hidden(app, db_session, staff):
    """A complaint owned by the other agent, with everything that can hang off it."""
    from complaints import actions, filing
    from extensions import db
    from surveys.models import SurveyAlert, SurveyAnswer, SurveyInvitation, SurveyResponse, Survey
    from tests.support.surveys import install_default_surveys

    install_default_surveys(db_session)
    filed = filing.file_complaint(filing.NewComplaint(
        name="Vera Visible", email="vera@example.com", subject=TEXTS["subject"], description=TEXTS["description"]),
        now=NOW - timedelta(days=3))
    ref = filed.reference
    actions.assign_owner(ref, staff.other_agent.email, actor=staff.manager, now=NOW - timedelta(days=3))
    actions.record_fact(ref, TEXTS["fact"], actor=staff.other_agent, now=NOW - timedelta(days=2))
    actions.post_update(ref, TEXTS["internal"], public=False, actor=staff.other_agent, now=NOW - timedelta(days=2))
    actions.post_update(ref, TEXTS["update"], public=True, actor=staff.other_agent, now=NOW - timedelta(days=2))
    complaint = actions.resolve(ref, "Refunded", "damaged_in_transit", actor=staff.other_agent, now=NOW - timedelta(days=2))
    survey = db.session.scalar(db.select(Survey).where(Survey.kind == "complaint"))
    invitation = SurveyInvitation(dedupe_key=f"walk-{ref}", survey_id=survey.id, customer_id=complaint.customer_id,
                                  complaint_id=complaint.id, kind="complaint", status="answered",
                                  due_at=NOW - timedelta(days=1), sent_at=NOW - timedelta(days=1))
    db.session.add(invitation)
    db.session.flush()
    response = SurveyResponse(invitation_id=invitation.id, survey_id=survey.id, customer_id=complaint.customer_id,
                              complaint_id=complaint.id, created_at=NOW - timedelta(hours=20),
                              updated_at=NOW - timedelta(hours=20), submitted_at=NOW - timedelta(hours=20))
    db.session.add(response)
    db.session.flush()
    text_question = next(q for q in survey.questions if q.qtype == "text")
    nps_question = next(q for q in survey.questions if q.qtype == "nps")
    db.session.add_all([SurveyAnswer(response_id=response.id, question_id=text_question.id, qtype="text",
                                     text=TEXTS["comment"]),
                        SurveyAnswer(response_id=response.id, question_id=nps_question.id, qtype="nps", score=2)])
    alert = SurveyAlert(response_id=response.id, complaint_id=complaint.id, customer_id=complaint.customer_id,
                        owner_id=staff.other_agent.id, reasons=["nps:2"], status="open", created_at=NOW - timedelta(hours=20))
    db.session.add(alert)
    db.session.commit()
    from notifications.models import OutboxMessage
    message_id = db.session.scalar(db.select(OutboxMessage.id).where(OutboxMessage.complaint_id == complaint.id).limit(1))
    return {"reference": ref, "customer_id": complaint.customer_id, "survey_id": survey.id, "survey_code": survey.code,
            "alert_id": alert.id, "message_id": message_id, "question_id": text_question.id,
            "root_cause": "damaged_in_transit", "texts": [ref, *TEXTS.values()]}


def _values(rule, hidden) -> dict:
    from reports.registry import CHARTS
    from reports.exports import EXPORTS
    by_name = {"reference": [hidden["reference"]], "customer_id": [hidden["customer_id"]],
               "survey_id": [hidden["survey_id"]], "alert_id": [hidden["alert_id"]],
               "message_id": [hidden["message_id"]], "question_id": [hidden["question_id"]],
               "name": [spec.name for spec in CHARTS], "kind": list(EXPORTS),
               "code": [hidden["survey_code"]] if "surveys" in rule.rule else [hidden["root_cause"]]}
    combos = [{}]
    for argument in rule.arguments:
        combos = [{**combo, argument: value} for combo in combos for value in by_name.get(argument, [1])]
    return combos


def _path(rule, values) -> str:
    path = rule.rule
    for argument, value in values.items():
        path = re.sub(r"<(?:[^:<>]+:)?%s>" % re.escape(argument), str(value), path)
    return path


def _text_of(response) -> str:
    """The answer as text; a zip (the customer export) by its members."""
    if response.mimetype == "application/zip":
        archive = zipfile.ZipFile(io.BytesIO(response.data))
        return " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return response.data.decode("utf-8", "replace")


QUERIES = [{}, {"status": "all"}, {"owner": "otto@example.com"}, {"q": "Vera"}, {"all": "1"},
           {"since": "2000-01-01T00:00:00Z"}, {"from": "2026-01-01", "to": "2027-12-31"}, {"status": "answered"}, {"status": "open"}, {"limit": "200"},
           # Search (the secret alone: the page repeats the words searched for) and every sort.
           {"q": SECRET}, {"q": SECRET, "status": "all", "owner": "otto@example.com"}, {"q": "vera@example.com"},
           {"status": "all", "sort": "priority"}, {"status": "all", "sort": "-updated"}, {"status": "all", "sort": "-created"}]


def _walk(app, client, headers) -> tuple[dict[str, list[str]], int]:
    """Every GET route under /staff and /api → {path: hidden texts found in the answer}."""
    found: dict[str, list[str]] = {}
    walked = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or not rule.rule.startswith(("/staff", "/api/")) or rule.endpoint == "staff.logout":
            continue
        for values in _values(rule, client.hidden):
            path = _path(rule, values)
            for query in QUERIES:
                response = client.get(path, query_string=query, headers=headers, buffered=True)
                walked += 1
                body = _text_of(response)
                leaked = [text for text in client.hidden["texts"] if text in body]
                if leaked:
                    found[f"{path}?{query}"] = leaked
    return found, walked


def test_an_agent_sees_nothing_of_another_agents_complaint(app, db_session, staff, hidden, browser):
    from staff.tokens import issue_api_token
    client = browser.client
    client.hidden = hidden
    agent_token = issue_api_token(staff.agent, now=NOW)
    db_session.commit()
    browser.login(staff.agent)
    found, walked = _walk(app, client, {"Authorization": f"Bearer {agent_token}"})
    assert walked > 100
    assert found == {}, "\n".join(f"{path}: {texts}" for path, texts in found.items())


def test_the_walk_reaches_the_data_as_a_manager(app, db_session, staff, hidden, browser):
    from staff.tokens import issue_api_token
    client = browser.client
    client.hidden = hidden
    token = issue_api_token(staff.manager, now=NOW)
    db_session.commit()
    browser.login(staff.manager)
    found, _walked = _walk(app, client, {"Authorization": f"Bearer {token}"})
    paths = " ".join(found)
    # The places the agent is kept out of do show the complaint to a manager.
    for place in (f"/staff/customers/{hidden['customer_id']}", "/api/v1/survey-responses",
                  "/api/v1/survey-invitations", f"/staff/surveys/{hidden['survey_id']}/results",
                  "/staff/reports/exports/survey-responses.csv", f"/staff/complaints/{hidden['reference']}",
                  f"/staff/complaints/?{ {'q': SECRET} }", f"/api/v1/complaints?{ {'q': SECRET} }"):
        assert place in paths, place
    leaked_on_file = [texts for path, texts in found.items() if path.startswith(f"/staff/customers/{hidden['customer_id']}?")]
    assert any(TEXTS["internal"] in texts and TEXTS["comment"] in texts for texts in leaked_on_file)
