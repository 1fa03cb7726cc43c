"""A survey's public link and QR code (receipts, counters): anyone answers once per browser,
optionally anonymously; a second answer from the same browser, and a flood from one address, are
refused. What it cannot stop (cleared cookies on another network) is said in surveys/public_link.py."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveys.models import Survey, SurveyAlert, SurveyResponse
from tests.support.customers import customer
from tests.support.web import IsolatedClient, csrf_from


def new_browser(app) -> IsolatedClient:
    """A visitor's browser of its own (its own cookie jar)."""
    return IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def surveys(app, db_session):
    from tests.support.surveys import install_default_surveys
    install_default_surveys(db_session)


def _turn_on(browser, db_session, *, anonymous: bool) -> tuple[Survey, str]:
    db_session.rollback()
    survey = db_session.scalars(select(Survey).where(Survey.code == "relationship")).one()
    data = {"enabled": "y"}
    if anonymous:
        data["anonymous"] = "y"
    browser.post_form(f"/staff/surveys/{survey.id}/edit", data, action=f"/staff/surveys/{survey.id}/public-link")
    db_session.rollback()
    survey = db_session.get(Survey, survey.id)
    return survey, f"/survey/open/{survey.public_token}"


def _answer(client, path, values, **extra):
    page = client.get(path).get_data(as_text=True)
    ids = list(dict.fromkeys(int(i) for i in re.findall(r'name="q(\d+)"', page)))
    data = {"csrf_token": csrf_from(page), "submit": "1", **extra}
    data.update({f"q{qid}": value for qid, value in zip(ids, values)})
    return client.post(path, data=data)


def test_public_link_qr_code_and_one_answer_per_browser(app, client, browser, staff, db_session, surveys):
    browser.login(staff.manager)
    survey, path = _turn_on(browser, db_session, anonymous=True)
    assert survey.public_token and survey.public_anonymous
    edit = client.get(f"/staff/surveys/{survey.id}/edit").get_data(as_text=True)
    assert f"http://localhost{path}" in edit
    qr = client.get(f"/staff/surveys/{survey.id}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data

    visitor = new_browser(app)
    page = visitor.get(path + "?lang=ro").get_data(as_text=True)
    assert '<html lang="ro"' in page and 'data-preview' in page and "data-tap-url" not in page
    assert 'name="email"' not in page and "Unsubscribe" not in page
    assert _answer(visitor, path, ["3", "2", "Prices went up"]).status_code == 200
    db_session.rollback()
    response = db_session.scalars(select(SurveyResponse)).one()
    assert (response.channel, response.customer_id, response.invitation_id) == ("public", None, None)
    assert response.submitted_at is not None and sorted(a.score or 0 for a in response.answers) == [0, 2, 3]
    assert db_session.scalar(select(SurveyAlert.id)) is None  # anonymous: nobody to contact

    # The same browser: "already answered", on the page and on a replayed POST.
    assert "already answered" in visitor.get(path + "?lang=en").get_data(as_text=True)
    token = csrf_from(visitor.get("/staff/login").get_data(as_text=True))
    replay = visitor.post(path, data={"csrf_token": token, "submit": "1", f"q{survey.questions[0].id}": "9"})
    assert "already answered" in replay.get_data(as_text=True)
    db_session.rollback()
    assert db_session.scalar(select(SurveyResponse.id).where(SurveyResponse.id != response.id)) is None

    # The results count it apart from the invitations' response rate.
    results = client.get(f"/staff/surveys/{survey.id}/results").get_data(as_text=True)
    assert 'id="public-n">1<' in results and "anonymous (public link)" in results

    # Off: the link no longer works (printed codes say so instead of collecting answers).
    browser.post_form(f"/staff/surveys/{survey.id}/edit", {}, action=f"/staff/surveys/{survey.id}/public-link")
    assert new_browser(app).get(path).status_code == 404


def test_a_named_public_answer_joins_the_customer_file_and_alerts(app, client, browser, staff, db_session, surveys):
    who = customer("Known Buyer", email="known@example.com", account_owner_id=staff.agent.id)
    db_session.commit()
    browser.login(staff.manager)
    _survey, path = _turn_on(browser, db_session, anonymous=False)
    visitor = new_browser(app)
    assert 'name="email"' in visitor.get(path).get_data(as_text=True)
    bad = _answer(visitor, path, ["5", "3"], email="not an address")
    assert bad.status_code == 400
    assert _answer(visitor, path, ["2", "3"], email="KNOWN@example.com").status_code == 200
    db_session.rollback()
    response = db_session.scalars(select(SurveyResponse)).one()
    assert response.customer_id == who.id
    alert = db_session.scalars(select(SurveyAlert)).one()
    assert alert.owner_id == staff.agent.id and alert.reasons == ["nps:2"]
