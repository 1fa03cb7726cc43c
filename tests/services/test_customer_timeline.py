"""The interaction timeline merges e-mails, complaint events, logged contacts and contributed entries."""
from __future__ import annotations

from datetime import timedelta

import pytest

from customers.interactions import log_interaction
from customers.signals import timeline_sources
from customers.timeline import TimelineEntry, customer_timeline
from platform_support.errors import ServiceError
from tests.support.clock import NOW
from tests.support.customers import customer


def test_contributed_entries_and_logged_contacts_in_time_order(app, db_session, staff):
    who = customer("Timeline")
    db_session.commit()
    log_interaction(who.id, kind="meeting", body="Visited the warehouse.", minutes=90,
                    occurred_at=NOW - timedelta(days=2), staff_user_id=staff.agent.id, now=NOW)

    def survey_answers(_sender=None, *, customer_id, limit, **_extra):
        return [TimelineEntry(at=NOW - timedelta(days=1), source="survey", title="NPS 9")] if customer_id == who.id else []

    timeline_sources.connect(survey_answers)
    try:
        entries = customer_timeline(who.id, viewer=None)
    finally:
        timeline_sources.disconnect(survey_answers)
    assert [e.source for e in entries] == ["survey", "interaction"]
    assert entries[1].minutes == 90 and "Agnes Agent" in entries[1].title


def test_refused_contacts_say_why(app, db_session):
    who = customer("Refused")
    db_session.commit()
    with pytest.raises(ServiceError) as refused:
        log_interaction(who.id, kind="telepathy", body="", minutes=-5, occurred_at=NOW + timedelta(days=1),
                        staff_user_id=None, now=NOW)
    assert set(refused.value.fields) == {"kind", "body", "minutes", "occurred_at"}
