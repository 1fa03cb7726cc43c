"""Template filters and globals: dates, times and numbers for the reader's locale and time zone;
linkified plain text.

Dates: stored datetimes are naive UTC. `|when` shows them in the time zone Flask-Babel selected
(the page's `g.timezone`, or the recipient's zone while an e-mail is rendered under
`notifications.services.force_timezone`), or in an explicit zone: `value|when(tz="Europe/Prague")`.
Python code that needs the same text outside a template calls `local_datetime(value, tz, locale)`.
`|when("zoned")` (ZONED) is what customers read: minutes without seconds, then the zone's name —
"Dec 3, 2026, 11:00 AM (Europe/Warsaw)".
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel import units as babel_units
from flask import Flask
from flask_babel import format_date, format_datetime, get_locale, get_timezone
from markupsafe import Markup, escape

_URL = re.compile(r"https?://[^\s<>\"']+")

LANGUAGE_NAMES = {"en": "English", "pl": "Polski", "ru": "Русский", "ro": "Română", "cs": "Čeština"}


def linkify(text: str) -> Markup:
    """Escape plain text, then turn URLs into links (the staff "sent mail" view)."""
    out, last = [], 0
    for match in _URL.finditer(text or ""):
        out.append(escape(text[last:match.start()]))
        url = match.group(0)
        out.append(Markup('<a href="{0}">{0}</a>').format(url))
        last = match.end()
    out.append(escape((text or "")[last:]))
    return Markup("").join(out)


def zone(name: str | None) -> ZoneInfo:
    """An IANA zone; an unknown or empty name is UTC (a typo must not break a page or an e-mail)."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


ZONED = "zoned"  # a moment for a customer: no seconds, the zone named


def local_datetime(value: datetime | None, tz: str | None, locale: str, fmt: str = "medium") -> str:
    """A stored (naive UTC) datetime as the reader in zone `tz` and `locale` reads it."""
    if value is None:
        return ""
    if fmt == ZONED:
        where = zone(tz)
        moment = _as_utc(value).astimezone(where)
        parsed = Locale.parse(locale)
        combined = str(babel_dates.get_datetime_format("medium", locale=parsed))
        day = babel_dates.get_date_format("medium", locale=parsed).apply(moment, parsed)
        clock = babel_dates.get_time_format("short", locale=parsed).apply(moment, parsed)
        return f"{combined.replace('{1}', day).replace('{0}', clock)} ({where.key})"
    return babel_dates.format_datetime(_as_utc(value), fmt, tzinfo=zone(tz), locale=locale)


def when(value: datetime | date | str | None, fmt: str = "medium", tz: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # formatted already (e.g. a placeholder of complaints.acknowledgement)
        return value
    if isinstance(value, datetime):
        if fmt == ZONED:
            return local_datetime(value, tz or str(get_timezone() or "UTC"), str(get_locale()), ZONED)
        if tz is not None:
            return local_datetime(value, tz, str(get_locale()), fmt)
        return format_datetime(value, fmt)
    return format_date(value, fmt)


def number(value: int | float | Decimal | None, digits: int | None = None) -> str:
    """1234.5 → "1,234.5" (en), "1 234,5" (pl, ru, cs), "1.234,5" (ro)."""
    if value is None:
        return ""
    if digits is not None:
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return babel_numbers.format_decimal(value, format=pattern, locale=str(get_locale()))
    return babel_numbers.format_decimal(value, locale=str(get_locale()))


def percent(value: float | Decimal | None, digits: int = 0) -> str:
    """A share 0..1 as a percentage: 0.25 → "25%" (en, pl), "25 %" (cs, ru, ro)."""
    if value is None:
        return ""
    locale = Locale.parse(str(get_locale()))
    pattern = locale.percent_formats[None].pattern  # keeps the locale's spacing: "25 %" in Czech
    if digits > 0:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
    return babel_numbers.format_percent(value, format=pattern, locale=locale)


def money(amount: int | float | Decimal | None, currency: str = "EUR") -> str:
    if amount is None:
        return ""
    return babel_numbers.format_currency(amount, currency, locale=str(get_locale()))


def filesize(size_bytes: int | None) -> str:
    """12595 → "12.3 kB" (en), "12,3 кБ" (ru): units from CLDR, so no word to translate."""
    if size_bytes is None:
        return ""
    locale = str(get_locale())
    if size_bytes >= 1024 * 1024:
        return babel_units.format_unit(round(size_bytes / (1024 * 1024), 1), "digital-megabyte", length="short", locale=locale)
    return babel_units.format_unit(round(size_bytes / 1024, 1), "digital-kilobyte", length="short", locale=locale)


def register(app: Flask) -> None:
    app.jinja_env.filters.update(linkify=linkify, when=when, number=number, percent=percent, money=money,
                                 filesize=filesize)
    app.jinja_env.globals.update(LANGUAGE_NAMES=LANGUAGE_NAMES, get_locale=get_locale)
