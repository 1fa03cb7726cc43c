"""The survey's own content in five languages (builder, preview per language, the page following
the invitation's language) and branching ("what went wrong?" only for NPS ≤ 6), enforced by the
server as well as hidden by the page."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveys.models import Survey, SurveyAnswer, SurveyQuestion
from tests.web.test_survey_staff import answer, invite


@pytest.fixture
def surveys(app, db_session):
    from tests.support.surveys import install_default_surveys
    install_default_surveys(db_session)


def _survey(db_session, code="after_complaint") -> Survey:
    db_session.rollback()
    return db_session.scalars(select(Survey).where(Survey.code == code)).one()


def test_builder_shows_shipped_translations_and_previews_each_language(client, browser, staff, db_session, surveys):
    survey = _survey(db_session)
    browser.login(staff.manager)
    edit = f"/staff/surveys/{survey.id}/edit"
    polish = browser.get(edit + "?language=pl").get_data(as_text=True)
    assert 'value="Jak poradziliśmy sobie z Twoją reklamacją?"' in polish  # the shipped translation, editable
    assert "in English</small>" not in polish  # nothing falls back to English: the defaults ship translated
    for language, word in (("cs", "Co jsme mohli udělat lépe?"), ("ru", "<html lang=\"ru\""), ("ro", "<html lang=\"ro\"")):
        preview = browser.get(f"/staff/surveys/{survey.id}/preview?language={language}").get_data(as_text=True)
        assert word in preview
        assert 'data-preview' in preview and "Unsubscribe" not in preview
    client.post("/staff/logout", data={})
    browser.login(staff.agent)
    assert client.get(f"/staff/surveys/{survey.id}/preview?language=pl").status_code == 403


def test_a_new_survey_says_which_languages_read_english(client, browser, staff, db_session, surveys):
    browser.login(staff.manager)
    browser.post_form("/staff/surveys/", {"code": "delivery", "kind": "complaint", "title": "About the delivery"})
    survey = _survey(db_session, "delivery")
    edit = f"/staff/surveys/{survey.id}/edit"
    page = browser.get(edit + "?language=pl").get_data(as_text=True)
    assert page.count("1 in English</small>") == 4  # pl, ru, ro, cs
    browser.post_form(edit + "?language=pl", {"language": "pl", "title": "O dostawie"})
    assert browser.get(edit + "?language=cs").get_data(as_text=True).count("1 in English</small>") == 3
    survey = _survey(db_session, "delivery")
    assert survey.title == {"en": "About the delivery", "pl": "O dostawie"}


def test_the_page_follows_the_language_the_visitor_picks(client, staff, db_session, surveys):
    _complaint, path = invite(staff, db_session, "lang@example.com")
    page = client.get(path + "?lang=cs").get_data(as_text=True)
    assert "Co jsme mohli udělat lépe?" in page  # the questions switch with the interface


def _add_what_went_wrong(browser, db_session, *, depends_on, low=None, high=6):
    survey = _survey(db_session)
    edit = f"/staff/surveys/{survey.id}/edit"
    data = {"prefix": "new", "new-qtype": "text", "new-language": "en", "new-text": "What went wrong?",
            "new-show_if_question": str(depends_on)}
    if high is not None:
        data["new-show_if_max"] = str(high)
    if low is not None:
        data["new-show_if_min"] = str(low)
    return browser.post_form(edit, data, action=f"/staff/surveys/{survey.id}/questions")


def test_branching_is_shown_by_the_page_and_enforced_by_the_server(client, browser, staff, db_session, surveys):
    survey = _survey(db_session)
    nps_id, text_id = survey.questions[0].id, survey.questions[3].id
    browser.login(staff.manager)
    _add_what_went_wrong(browser, db_session, depends_on=text_id)  # an open question cannot decide
    _add_what_went_wrong(browser, db_session, depends_on=nps_id, high=11)  # off the scale
    assert len(_survey(db_session).questions) == 4
    _add_what_went_wrong(browser, db_session, depends_on=nps_id)
    survey = _survey(db_session)
    wrong = survey.questions[-1]
    assert wrong.show_if == {"question": nps_id, "min": None, "max": 6}
    # It cannot move above the question it depends on.
    browser.post_form(f"/staff/surveys/{survey.id}/edit", {"direction": "up"},
                      action=f"/staff/surveys/{survey.id}/questions/{wrong.id}/move")
    browser.post_form(f"/staff/surveys/{survey.id}/edit", {"direction": "up"},
                      action=f"/staff/surveys/{survey.id}/questions/{wrong.id}/move")
    browser.post_form(f"/staff/surveys/{survey.id}/edit", {"direction": "up"},
                      action=f"/staff/surveys/{survey.id}/questions/{wrong.id}/move")
    browser.post_form(f"/staff/surveys/{survey.id}/edit", {"direction": "up"},
                      action=f"/staff/surveys/{survey.id}/questions/{wrong.id}/move")
    survey = _survey(db_session)
    assert [q.id for q in survey.questions].index(wrong.id) == 1
    client.post("/staff/logout", data={})

    _complaint, path = invite(staff, db_session, "happy@example.com")
    page = client.get(path).get_data(as_text=True)
    assert f'data-show-if="q{nps_id}"' in page and 'data-max="6"' in page
    assert "Only if your answer to question 1 is 6 or lower." in page
    # A promoter's answer to the hidden question (sent anyway, e.g. without JavaScript) is dropped.
    ids = [int(i) for i in dict.fromkeys(re.findall(r'name="q(\d+)"', page))]
    assert ids[1] == wrong.id
    answer(client, path, ["9", "Nothing, but here is text", "5", "7", "Fine"])
    db_session.rollback()
    kept = {a.question_id: (a.score, a.text) for a in db_session.scalars(select(SurveyAnswer))}
    assert wrong.id not in kept and kept[nps_id] == (9, None)

    _complaint, path = invite(staff, db_session, "sad@example.com")
    answer(client, path, ["4", "The courier lost it", "2", "3", ""])
    db_session.rollback()
    texts = [a.text for a in db_session.scalars(select(SurveyAnswer).where(SurveyAnswer.question_id == wrong.id))]
    assert texts == ["The courier lost it"]


def test_a_conditional_required_question_is_not_required_when_skipped(client, browser, staff, db_session, surveys):
    survey = _survey(db_session)
    nps_id = survey.questions[0].id
    db_session.add(SurveyQuestion(survey_id=survey.id, position=9, qtype="text", text={"en": "Why so low?"},
                                  required=True, show_if={"question": nps_id, "min": None, "max": 6}))
    db_session.commit()
    _complaint, path = invite(staff, db_session, "promoter@example.com")
    assert answer(client, path, ["10", "5", "7", ""]).status_code == 303  # submitted without it
    _complaint, path = invite(staff, db_session, "detractor@example.com")
    refused = answer(client, path, ["2", "1", "1", "", ""])
    assert refused.status_code == 400 and "Please answer this question." in refused.get_data(as_text=True)
