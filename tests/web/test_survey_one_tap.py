"""One tap on a score in the invitation records it — through the landing page's own POST (what a
person's browser sends by itself) — while a scanner that GETs and HEADs every link in the e-mail
records nothing (no answer, no opt-out). The browser half is tests/e2e/test_survey_answer.py."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from customers.models import Customer
from surveys.models import SurveyAlert, SurveyAnswer, SurveyResponse
from tests.support.clock import NOW
from tests.support.surveys import install_default_surveys, resolved_complaint, run_due, survey_links, survey_mails
from tests.support.web import csrf_from


@pytest.fixture
def invitation_mail(mail_app, smtp_server, staff, db_session):
    install_default_surveys(db_session)
    resolved_complaint(staff)
    run_due(mail_app, NOW + timedelta(hours=24))
    (mail,) = survey_mails(smtp_server, "jan@example.com")
    return mail


def _every_link(mail) -> list[str]:
    links = set()
    for kind in ("plain", "html"):
        content = mail.get_body(preferencelist=(kind,)).get_content()
        links |= {m.replace("&amp;", "&") for m in re.findall(r"http://localhost[^\s\"'<>]*", content)}
    links |= set(re.findall(r"<(http://localhost[^>]+)>", mail["List-Unsubscribe"]))
    return sorted(link.replace("http://localhost", "") for link in links)


def test_scanner_fetching_every_link_records_nothing(invitation_mail, client, db_session):
    links = _every_link(invitation_mail)
    assert len([link for link in links if "score=" in link]) == 11
    for link in links:
        for method in (client.get, client.head):
            assert method(link).status_code < 500
    db_session.rollback()
    assert db_session.scalar(select(SurveyResponse.id)) is None
    assert db_session.scalar(select(SurveyAnswer.id)) is None
    customer = db_session.scalars(select(Customer).filter_by(email_normalised="jan@example.com")).one()
    assert customer.surveys_opted_out_at is None


def test_tap_records_score_and_can_be_changed(invitation_mail, client, db_session):
    links = survey_links(invitation_mail)
    page = client.get(links["3"]).get_data(as_text=True)
    # The page hands the tapped score to its script, which posts it to the tap URL.
    assert 'data-tap-score="3"' in page and "js/survey-answer.js" in page
    tap_url = re.search(r'data-tap-url="([^"]+)"', page).group(1)
    recorded = client.post(tap_url, data={"csrf_token": csrf_from(page), "score": "3"})
    assert recorded.status_code == 200 and recorded.json["score"] == "3"
    assert "3" in recorded.json["message"]
    db_session.rollback()
    response = db_session.scalars(select(SurveyResponse)).one()
    assert [(a.qtype, a.score) for a in response.answers] == [("nps", 3)] and response.submitted_at is None
    # A detractor's tap alone closes no loop silently: the alert exists at once.
    assert db_session.scalars(select(SurveyAlert)).one().reasons == ["nps:3"]

    # Back on the page: the recorded score is shown (no second post needed) and can be changed.
    again = client.get(links["3"]).get_data(as_text=True)
    assert "data-tap-score" not in again and "Your answer 3 is recorded" in again
    changed = client.post(tap_url, data={"csrf_token": csrf_from(again), "score": "9"})
    assert changed.json["score"] == "9"
    db_session.rollback()
    assert [(a.qtype, a.score) for a in db_session.scalars(select(SurveyAnswer))] == [("nps", 9)]


def test_tap_refuses_bad_input_and_tokens(invitation_mail, client, db_session):
    links = survey_links(invitation_mail)
    page = client.get(links["5"]).get_data(as_text=True)
    tap_url = re.search(r'data-tap-url="([^"]+)"', page).group(1)
    token = csrf_from(page)
    for score in ("11", "-1", "", "²", "9" * 5000):
        bad = client.post(tap_url, data={"csrf_token": token, "score": score})
        assert bad.status_code == 400 and bad.json["error"]
    assert client.post(tap_url, data={"score": "5"}).status_code == 400  # no CSRF token
    assert client.post("/survey/not-a-token/tap", data={"csrf_token": token, "score": "5"}).status_code == 404
    db_session.rollback()
    assert db_session.scalar(select(SurveyAnswer.id)) is None
