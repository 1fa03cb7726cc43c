"""Template filters and globals: locale-aware dates, linkified plain text."""
from __future__ import annotations

import re
from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale
from markupsafe import Markup, escape

_URL = re.compile(r"https?://[^\s<>\"']+")


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


def when(value: datetime | date | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, fmt)
    return format_date(value, fmt)


def register(app: Flask) -> None:
    app.jinja_env.filters["linkify"] = linkify
    app.jinja_env.filters["when"] = when
    app.jinja_env.globals.update(LANGUAGE_NAMES=LANGUAGE_NAMES, get_locale=get_locale)


LANGUAGE_NAMES = {"en": "English", "pl": "Polski", "ru": "Русский", "ro": "Română", "cs": "Čeština"}
