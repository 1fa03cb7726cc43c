"""The routing and trigger rules (and the categories' keyword rules of the e-mail intake) as the hot
paths read them: a snapshot (plain values, no ORM rows) kept per app for a few seconds, so a
filing without any rule pays no query for them.
Saving or deleting a rule forgets the snapshot in this process at once; other worker processes
see the change within RULE_CACHE_SECONDS."""
from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import Select

from extensions import db

RULE_CACHE_SECONDS = 5.0
_KEY = "complaint_rule_snapshots"


def snapshot(row) -> SimpleNamespace:
    """A rule's column values, detached from any session."""
    return SimpleNamespace(**{column.key: getattr(row, column.key) for column in row.__table__.columns})


def rules(name: str, query: Callable[[], Select] | Select) -> list[SimpleNamespace]:
    """The rows of `query()` (a function building a select of one model) as snapshots, from the
    app's cache when fresh. Pass the function, not the select: it is built only when the snapshot
    is read again (on the filing path building it cost more than the cache look-up, ≈ 30 µs per
    rule kind). A select itself is accepted too."""
    store = current_app.extensions.setdefault(_KEY, {})
    entry = store.get(name)
    moment = time.monotonic()  # a cache's age, not a business time
    if entry is not None and moment - entry[0] < RULE_CACHE_SECONDS:
        return entry[1]
    found = [snapshot(row) for row in db.session.scalars(query() if callable(query) else query)]
    store[name] = (moment, found)
    return found


def forget() -> None:
    current_app.extensions.pop(_KEY, None)
