"""Who else has a complaint open: each staff page viewing a complaint reports itself every few
seconds (a small JSON endpoint, `staff_views.presence`), and reads back the others. A row older
than EXPIRY no longer counts; "typing" lasts TYPING_EXPIRY after the last keystroke report.
No extra server: a row per viewer in `complaint_presence`, upserted."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from complaints.models import ComplaintPresence
from extensions import db
from staff.models import StaffUser

EXPIRY = timedelta(seconds=30)
TYPING_EXPIRY = timedelta(seconds=12)
POLL_SECONDS = 5


@dataclass(frozen=True)
class Viewer:
    name: str
    typing: bool
    since: datetime


def report(complaint_id: int, staff_id: int, *, typing: bool, now: datetime) -> None:
    """`staff_id` has the complaint open at `now` (and is typing, if so). No commit."""
    row = db.session.get(ComplaintPresence, (complaint_id, staff_id))
    if row is None:
        row = ComplaintPresence(complaint_id=complaint_id, staff_id=staff_id, seen_at=now)
        db.session.add(row)
    row.seen_at = now
    if typing:
        row.typing_at = now


def leave(complaint_id: int, staff_id: int) -> None:
    db.session.execute(delete(ComplaintPresence).where(ComplaintPresence.complaint_id == complaint_id,
                                                       ComplaintPresence.staff_id == staff_id))


def others(complaint_id: int, staff_id: int, *, now: datetime) -> list[Viewer]:
    """Everyone but `staff_id` who had the complaint open within EXPIRY of `now`."""
    rows = db.session.execute(
        select(StaffUser.name, ComplaintPresence.typing_at, ComplaintPresence.seen_at)
        .join(StaffUser, StaffUser.id == ComplaintPresence.staff_id)
        .where(ComplaintPresence.complaint_id == complaint_id, ComplaintPresence.staff_id != staff_id,
               ComplaintPresence.seen_at >= now - EXPIRY)
        .order_by(StaffUser.name))
    return [Viewer(name=name, typing=typing_at is not None and typing_at >= now - TYPING_EXPIRY, since=seen_at)
            for name, typing_at, seen_at in rows]


def purge(now: datetime) -> int:
    """Forget rows nobody refreshed for a while (the presence endpoint calls it with every report)."""
    result = db.session.execute(delete(ComplaintPresence).where(ComplaintPresence.seen_at < now - 10 * EXPIRY))
    return result.rowcount or 0
