"""Survey texts fall back to English; planning and dispatching twice create and send once."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.support.clock import NOW


def test_localized_text_falls_back_to_english_and_translates_defaults(app):
    from flask_babel import force_locale

    from surveys.texts import localized

    assert localized({"en": "Hello", "pl": "Cześć"}, "pl") == "Cześć"
    assert localized({"en": "Hello"}, "cs") == "Hello"
    with force_locale("pl"):
        default = "How likely are you to recommend us to a friend or colleague?"
        # An English default text the catalogue knows comes out in the customer's language.
        assert localized({"en": default}, "pl") == "Jak prawdopodobne jest, że polecisz nas znajomemu lub współpracownikowi?"
    assert localized({}, "en") == ""


@pytest.mark.usefixtures("app")
def test_planning_twice_and_dispatching_twice_create_and_send_once(db_session):
    from customers.models import Customer
    from notifications.models import OutboxMessage
    from surveys.dispatch import dispatch_due_invitations
    from surveys.models import SurveyInvitation
    from surveys.planning import plan_relationship_surveys
    from tests.support.surveys import install_default_surveys

    install_default_surveys(db_session)
    db_session.add_all([Customer(name=f"C{n}", email=f"c{n}@example.com", email_normalised=f"c{n}@example.com")
                        for n in range(30)] + [Customer(name="Gone", email="gone@example.com",
                                                        email_normalised="gone@example.com", surveys_opted_out_at=NOW)])
    db_session.commit()
    assert plan_relationship_surveys(now=NOW) == 30
    assert plan_relationship_surveys(now=NOW) == 0
    end = NOW + timedelta(days=200)
    for _ in range(2):
        dispatch_due_invitations(now=end, limit=1000)
    sent = db_session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "survey_invitation"))
    assert sent == 30
    assert db_session.scalar(select(func.count()).select_from(SurveyInvitation).where(SurveyInvitation.status == "sent")) == 30
