"""Contact histories read from the outbox: what the frequency caps of the contact policy count."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from customers.contact_policy import ContactHistory
from tests.support.clock import NOW


@pytest.mark.usefixtures("app")
def test_histories_from_outbox_grouped(db_session):
    from customers.contact_policy import contact_histories, may_contact
    from customers.models import Customer
    from notifications.services import queue_email

    anna = Customer(name="Anna", email="anna@example.com", email_normalised="anna@example.com")
    ben = Customer(name="Ben", email="ben@example.com", email_normalised="ben@example.com")
    db_session.add_all([anna, ben])
    db_session.flush()

    def mail(kind, who, days_ago):
        message = queue_email(kind=kind, to_address=who.email, template="complaint_customer_message",
                              context={"complaint": SimpleNamespace(reference="C-X", customer_name=who.name),
                                       "message": "x", "tracking_url": "http://localhost/t"},
                              customer_id=who.id, now=NOW - timedelta(days=days_ago))
        assert message is not None

    mail("survey_invitation", anna, 40)   # outside both windows
    mail("survey_invitation", anna, 12)
    mail("survey_reminder", anna, 9)
    mail("greeting_birthday", anna, 3)
    mail("complaint_customer_message", anna, 1)  # not automated
    mail("greeting_birthday", ben, 2)
    db_session.commit()

    histories = contact_histories(db_session, [anna.id, ben.id, 999], now=NOW, survey_cap_days=30)
    assert histories[anna.id] == ContactHistory(NOW - timedelta(days=12), 3, NOW - timedelta(days=12))
    assert histories[ben.id] == ContactHistory(None, 1, NOW - timedelta(days=2))
    assert histories[999] == ContactHistory()
    config = {"SURVEY_CAP_DAYS": 30, "AUTOMATED_MESSAGES_PER_MONTH": 3}
    assert may_contact(db_session, anna, now=NOW, config=config).reason == "monthly_cap"
    assert may_contact(db_session, ben, now=NOW, config=config).allowed
