"""Countries of customer files (ISO 3166-1 alpha-2), named in the reader's language, and the
country a file's holiday greetings follow (customers/holiday_greetings.py). Pure: no database."""
from __future__ import annotations

from functools import cache

from babel import Locale

# CLDR's territories include regions ("150"), groupings and reserved codes that are not countries
# of ISO 3166-1: left out. Kosovo's user-assigned XK stays (it is what everyone uses).
_NOT_COUNTRIES = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"})

# When a file has no country of its own: the language's country, where the language names one
# (Polish → Poland, Czech → Czechia, Romanian → Romania). Russian and English are spoken in too many
# countries to guess; those files follow DEFAULT_COUNTRY (empty: New Year only).
LANGUAGE_COUNTRIES = {"pl": "PL", "cs": "CZ", "ro": "RO"}


@cache
def country_codes() -> frozenset[str]:
    return frozenset(code for code in Locale("en").territories
                     if len(code) == 2 and code.isalpha() and code.isupper() and code not in _NOT_COUNTRIES)


def clean_country(raw: str | None) -> str | None:
    """"pl" / " PL " → "PL"; empty → None; anything else raises ValueError."""
    code = (raw or "").strip().upper()
    if not code:
        return None
    if code not in country_codes():
        raise ValueError(code)
    return code


@cache
def _names(language: str) -> dict[str, str]:
    try:
        territories = Locale.parse(language).territories
    except (ValueError, LookupError):
        territories = Locale("en").territories
    return {code: territories.get(code, code) for code in country_codes()}


def country_name(code: str | None, language: str) -> str:
    return _names(language).get(code or "", code or "")


def country_choices(language: str) -> list[tuple[str, str]]:
    """(code, name) sorted by the name in `language` (for the customer form's list)."""
    return sorted(_names(language).items(), key=lambda item: item[1].casefold())


def greeting_country(country: str | None, language: str | None, default_country: str = "") -> str | None:
    """The country whose holidays a customer is greeted on: their own, else their language's, else
    the configured default; None when none is known (then only New Year)."""
    return country or LANGUAGE_COUNTRIES.get(language or "") or (default_country or None)
