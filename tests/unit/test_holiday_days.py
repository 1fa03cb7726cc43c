"""Which holidays a customer is greeted on, by country (customers/holiday_greetings.py) — pure."""
from __future__ import annotations

from datetime import date

import pytest

from customers.countries import clean_country, greeting_country
from customers.holiday_greetings import due_holidays, holiday_days


def test_poland_czechia_romania_russia_and_others():
    assert holiday_days("PL", 2027) == {"new_year": date(2027, 1, 1), "easter": date(2027, 3, 28),
                                        "christmas": date(2027, 12, 24)}  # Wigilia, Easter Sunday
    assert holiday_days("CZ", 2027) == {"new_year": date(2027, 1, 1), "easter": date(2027, 3, 29),
                                        "christmas": date(2027, 12, 24)}  # Easter Monday, Štědrý den
    assert holiday_days("RO", 2027) == {"new_year": date(2027, 1, 1), "easter": date(2027, 5, 2),
                                        "christmas": date(2027, 12, 25)}  # Orthodox Easter
    assert holiday_days("RU", 2027) == {"new_year": date(2027, 1, 1), "christmas": date(2027, 1, 7)}
    # Observed substitutes and Slovakia's "Epiphany (… Orthodox Christmas)" are not Christmas.
    assert holiday_days("US", 2027)["christmas"] == date(2027, 12, 25)
    assert holiday_days("SK", 2027)["christmas"] == date(2027, 12, 24)
    assert holiday_days("JP", 2027) == {"new_year": date(2027, 1, 1)}
    assert holiday_days(None, 2027) == {"new_year": date(2027, 1, 1)}


def test_the_window_opens_lead_days_before_and_new_year_in_december():
    assert due_holidays("PL", date(2027, 12, 21), 2) == []
    assert due_holidays("PL", date(2027, 12, 22), 2) == [("christmas", date(2027, 12, 24))]
    assert due_holidays("PL", date(2027, 12, 25), 2) == []
    assert due_holidays(None, date(2027, 12, 30), 2) == [("new_year", date(2028, 1, 1))]
    assert due_holidays("RO", date(2027, 5, 2), 0) == [("easter", date(2027, 5, 2))]


def test_the_country_a_file_follows():
    assert greeting_country("DE", "pl", "RO") == "DE"
    assert greeting_country(None, "cs", "PL") == "CZ"
    assert greeting_country(None, "ru", "RO") == "RO"  # Russian names no one country
    assert greeting_country(None, "en", "") is None


@pytest.mark.parametrize("raw, clean", [("pl", "PL"), (" CZ ", "CZ"), ("", None), (None, None), ("XK", "XK")])
def test_country_codes(raw, clean):
    assert clean_country(raw) == clean


@pytest.mark.parametrize("raw", ["EU", "ZZ", "POL", "P", "12", "Polska"])
def test_not_country_codes(raw):
    with pytest.raises(ValueError):
        clean_country(raw)
