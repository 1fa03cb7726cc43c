"""Contact policy: the send window in the customer's time zone and the frequency caps."""
from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from customers.contact_policy import (ContactHistory, cap_decision, contact_window, may_send_now,
                                      next_allowed_send, preferred_weekdays)
from tests.support.clock import NOW


def customer(**fields):
    base = dict(timezone="UTC", preferred_days="", preferred_hour_start=None, preferred_hour_end=None)
    base.update(fields)
    return SimpleNamespace(**base)


def test_default_window_is_nine_to_six_local_any_day():
    # 2027-01-15 is a Friday.
    assert next_allowed_send(customer(), datetime(2027, 1, 15, 3, 0)) == datetime(2027, 1, 15, 9, 0)
    assert next_allowed_send(customer(), datetime(2027, 1, 15, 12, 30)) == datetime(2027, 1, 15, 12, 30)
    assert next_allowed_send(customer(), datetime(2027, 1, 15, 18, 0)) == datetime(2027, 1, 16, 9, 0)


def test_time_zone_is_honoured_never_three_in_the_morning_local():
    tokyo = customer(timezone="Asia/Tokyo")  # UTC+9
    # 18:00 UTC is 03:00 in Tokyo: wait until 09:00 Tokyo = 00:00 UTC.
    assert next_allowed_send(tokyo, datetime(2027, 1, 15, 18, 0)) == datetime(2027, 1, 16, 0, 0)
    assert not may_send_now(tokyo, datetime(2027, 1, 15, 18, 0))


def test_preferred_days_and_hours():
    tuesday_afternoons = customer(preferred_days="tue,thu", preferred_hour_start=14, preferred_hour_end=16,
                                  timezone="Europe/Warsaw")  # UTC+1 in January
    # Friday → next Tuesday 14:00 Warsaw = 13:00 UTC.
    assert next_allowed_send(tuesday_afternoons, datetime(2027, 1, 15, 9, 0)) == datetime(2027, 1, 19, 13, 0)
    assert may_send_now(tuesday_afternoons, datetime(2027, 1, 19, 14, 59))
    assert next_allowed_send(tuesday_afternoons, datetime(2027, 1, 19, 15, 0)) == datetime(2027, 1, 21, 13, 0)


def test_night_preferences_are_clipped_to_civil_hours():
    assert contact_window(0, 24) == (7, 22)
    assert contact_window(1, 5) == (9, 18)     # nothing left in civil hours: the default window
    assert contact_window(20, 8) == (9, 18)    # inverted window
    owl = customer(preferred_hour_start=0, preferred_hour_end=24)
    assert next_allowed_send(owl, datetime(2027, 1, 15, 3, 0)) == datetime(2027, 1, 15, 7, 0)


def test_unknown_time_zone_and_days_fall_back():
    assert preferred_weekdays("xyz, ") == set(range(7))
    assert next_allowed_send(customer(timezone="Mars/Olympus"), datetime(2027, 1, 15, 3, 0)) == datetime(2027, 1, 15, 9, 0)


def test_daylight_saving_change_keeps_local_hour():
    berlin = customer(timezone="Europe/Berlin")
    # 2027-03-28 clocks go forward; 09:00 local is 07:00 UTC that day.
    assert next_allowed_send(berlin, datetime(2027, 3, 28, 2, 0)) == datetime(2027, 3, 28, 7, 0)


def test_survey_cap_postpones_until_period_is_over():
    history = ContactHistory(last_survey_invitation_at=NOW - timedelta(days=10), automated_in_month=1,
                             oldest_automated_in_month=NOW - timedelta(days=10))
    decision = cap_decision(history, now=NOW, survey_cap_days=30, monthly_cap=4)
    assert (decision.allowed, decision.reason, decision.retry_at) == (False, "survey_cap", NOW + timedelta(days=20))
    # A greeting is not a survey invitation: only the monthly cap applies.
    assert cap_decision(history, now=NOW, survey_cap_days=30, monthly_cap=4, is_survey_invitation=False).allowed


def test_monthly_cap_counts_every_automated_message():
    history = ContactHistory(None, 4, NOW - timedelta(days=25))
    decision = cap_decision(history, now=NOW, survey_cap_days=30, monthly_cap=4, is_survey_invitation=False)
    assert (decision.allowed, decision.reason, decision.retry_at) == (False, "monthly_cap", NOW + timedelta(days=5))
    assert cap_decision(ContactHistory(None, 3, NOW), now=NOW, survey_cap_days=30, monthly_cap=4).allowed
