"""The public survey link's rate limit per client address (PUBLIC_SURVEY_RATE_LIMIT)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys.models import SurveyResponse
from tests.web.test_survey_public_link import _answer, _turn_on, new_browser


@pytest.fixture
def app_settings():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", "PUBLIC_SURVEY_RATE_LIMIT": "3 per hour"}


@pytest.fixture
def surveys(app, db_session):
    from tests.support.surveys import install_default_surveys
    install_default_surveys(db_session)


def test_a_flood_from_one_address_is_rate_limited(app, db_session, browser, staff, surveys):
    browser.login(staff.manager)
    _survey, path = _turn_on(browser, db_session, anonymous=True)
    codes = [_answer(new_browser(app), path, ["7", "4"]).status_code for _n in range(5)]  # new "browser" each time
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    db_session.rollback()
    assert len(db_session.scalars(select(SurveyResponse)).all()) == 3
