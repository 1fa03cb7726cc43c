"""One way to read numbers, dates and text that come from outside (query arguments, cursors, URL
parts, JSON, CLI options), so that no bad value reaches arithmetic or the database.

- Integers: ASCII digits only ("²".isdigit() is True and int("٣") is 3), within the column's range
  (PostgreSQL INTEGER is 32-bit; SQLite's is 64-bit, but ids must fit both).
- Dates: within EARLIEST..LATEST, so `date + timedelta` and year arithmetic never overflow.
- Text: no NUL (PostgreSQL cannot store it) and no lone surrogate (not encodable as UTF-8).
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER, the type of every id column
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
_DIGITS = re.compile(r"[0-9]{1,10}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def bounded_int(raw, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """The integer in `raw` when it is ASCII digits within [minimum, maximum], else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if minimum <= raw <= maximum else None
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def bounded_date(raw: str | None) -> date | None:
    """An ISO date (YYYY-MM-DD, ASCII) within EARLIEST..LATEST, else ValueError."""
    if not isinstance(raw, str) or not raw.isascii():
        raise ValueError("not an ISO date")
    value = date.fromisoformat(raw.strip())
    if not EARLIEST <= value <= LATEST:
        raise ValueError("date out of range")
    return value


def bounded_datetime(raw: str) -> datetime:
    """An ISO-8601 moment (an offset is converted to UTC; the result is naive UTC) within
    EARLIEST..LATEST, else ValueError. `Z` is accepted for UTC."""
    if not isinstance(raw, str) or not raw.isascii():
        raise ValueError("not an ISO-8601 moment")
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    # Check the range before converting: near year 1 or 9999 the conversion itself overflows.
    if not EARLIEST <= parsed.date() <= LATEST:
        raise ValueError("moment out of range")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def unstorable_text(value: str) -> bool:
    """True when `value` holds a NUL or a lone surrogate (neither survives a database)."""
    return "\x00" in value or bool(_SURROGATE.search(value))


def first_unstorable(value, *, depth_limit: int = 64) -> str | None:
    """Walk a parsed JSON value (iteratively) and name the first problem: a NUL or lone
    surrogate in any key or string, or nesting deeper than `depth_limit`."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > depth_limit:
            return "depth"
        if isinstance(item, str):
            if unstorable_text(item):
                return "text"
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and unstorable_text(key):
                    return "text"
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return None


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` in every URL: ASCII digits within the id range, otherwise the route does not
    match (404) instead of reaching the database with a number it cannot hold."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class StorableJSONProvider(DefaultJSONProvider):
    """Every JSON body the app parses: a NUL or lone surrogate anywhere, or nesting too deep to
    walk, is a 400 with a clear message — before any view or database sees the value."""

    def loads(self, s, **kwargs):
        from flask_babel import gettext as _

        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise BadRequest(_("The JSON document is nested too deeply.")) from None
        problem = first_unstorable(value)
        if problem == "depth":
            raise BadRequest(_("The JSON document is nested too deeply."))
        if problem == "text":
            raise BadRequest(_("The request contains characters that cannot be accepted (NUL or an unpaired surrogate)."))
        return value


def register(app) -> None:
    """Before any blueprint is registered: rules bind their converters when they are added."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.json = StorableJSONProvider(app)
