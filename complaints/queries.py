"""Who may see which complaint, enforced in the query itself (not after loading).

THE visibility rule, in one place: agents see complaints nobody owns yet and their own; managers
and admins see everyone's. `visible_to` narrows a query over complaints; `tied_to_visible`
narrows any other table whose rows belong to a complaint (survey answers, invitations, e-mails,
timeline entries). Every page, API list, export, search, timeline and chart goes through them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, bindparam, false, or_, select, true

from complaints.lifecycle import OPEN_STATES, PRIORITIES, STATES
from complaints.models import Complaint
from complaints.status_counts import NOBODY, status_counts
from extensions import db
from platform_support.errors import NotFound, ServiceError
from platform_support.parsing import bounded_datetime, bounded_int
from staff.models import StaffUser


def visibility_condition(actor: StaffUser) -> ColumnElement[bool]:
    """The rule as a WHERE condition on `complaints`."""
    if actor.is_manager:
        return true()
    return or_(Complaint.owner_id.is_(None), Complaint.owner_id == actor.id)


def visible_to(actor: StaffUser, query: Select | None = None) -> Select:
    query = query if query is not None else select(Complaint)
    if actor.is_manager:
        return query
    return query.where(visibility_condition(actor))


def tied_to_visible(actor: StaffUser, complaint_id_column, *, untied_visible: bool = True) -> ColumnElement[bool]:
    """A condition for rows of another table that may belong to a complaint: visible when the
    complaint is (rows without a complaint, e.g. relationship-survey answers, when `untied_visible`)."""
    if actor.is_manager:
        return true()
    tied = complaint_id_column.in_(select(Complaint.id).where(visibility_condition(actor)))
    return or_(complaint_id_column.is_(None), tied) if untied_visible else tied


def is_visible_to(complaint: Complaint, actor: StaffUser) -> bool:
    """The same rule as visible_to, for a complaint already loaded."""
    return actor.is_manager or complaint.owner_id is None or complaint.owner_id == actor.id


def lock_complaint(reference: str) -> Complaint | None:
    """The complaint row, locked until the end of the transaction and read fresh: a staff action
    checks the state it expects on this, so of two people acting at once one wins and the other
    is told what happened (PostgreSQL: FOR UPDATE; SQLite: the write transaction already holds
    the database's write lock)."""
    return db.session.scalar(select(Complaint).where(Complaint.reference == (reference or "")[:20])
                             .with_for_update().execution_options(populate_existing=True))


def get_visible_complaint(reference: str, actor: StaffUser) -> Complaint:
    complaint = db.session.scalar(visible_to(actor).where(Complaint.reference == (reference or "")[:20]))
    if complaint is None:
        raise NotFound(_("No complaint with this reference is visible to you."))
    return complaint


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None  # a state, "open" (default) or "all"
    owner: str | None = None  # "me", "none", or a staff e-mail
    priority: str | None = None
    overdue: bool = False


def _cursor_parts(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    due, _sep, ident = cursor.partition("_")
    try:
        position = bounded_datetime(due), bounded_int(ident, minimum=1)
    except ValueError:
        position = None, None
    if None in position:
        message = _("Invalid cursor: use the link of the previous page.")
        raise ServiceError(message, {"cursor": [message]})
    return position


def make_cursor(complaint: Complaint) -> str:
    return f"{complaint.resolution_due_at.isoformat()}_{complaint.id}"


def queue_page(actor: StaffUser, filters: QueueFilter, *, now: datetime, limit: int = 50,
               cursor: str | None = None) -> tuple[list[Complaint], str | None]:
    """The staff queue sorted by due time, keyset-paginated on (resolution_due_at, id)."""
    # One's own complaints are visible to everyone: without the redundant "unowned or mine" OR,
    # "My complaints" walks the (owner, due) index in order instead of sorting.
    query = select(Complaint) if filters.owner == "me" else visible_to(actor)
    if filters.status in STATES:
        query = query.where(Complaint.status == filters.status)
    elif filters.status != "all":
        query = query.where(_is_open())
    if filters.owner == "me":
        query = query.where(Complaint.owner_id == actor.id)
    elif filters.owner == "none":
        query = query.where(Complaint.owner_id.is_(None))
    elif filters.owner:
        owner_id = db.session.scalar(select(StaffUser.id).where(StaffUser.email == filters.owner.strip().lower()))
        # An unknown owner owns nothing (comparing with None would list the unowned complaints).
        query = query.where(Complaint.owner_id == owner_id) if owner_id is not None else query.where(false())
    if filters.priority in PRIORITIES:
        query = query.where(Complaint.priority == filters.priority)
    if filters.overdue:
        query = query.where(_is_open(), or_(
            Complaint.resolution_due_at < now,
            and_(Complaint.first_responded_at.is_(None), Complaint.first_response_due_at < now)))
    position = _cursor_parts(cursor)
    if position is not None:
        due, ident = position
        query = query.where(or_(Complaint.resolution_due_at > due,
                                and_(Complaint.resolution_due_at == due, Complaint.id > ident)))
    rows = list(db.session.scalars(query.order_by(Complaint.resolution_due_at, Complaint.id).limit(limit + 1)))
    next_cursor = make_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def _is_open():
    # Literal values, not bind parameters: the planner must see the partial indexes' predicate
    # (status IN the open states) in the query even in a cached generic plan.
    return Complaint.status.in_(bindparam("open_states", list(OPEN_STATES), unique=True, expanding=True,
                                               literal_execute=True))


def counts_by_status(actor: StaffUser, *, only_mine: bool = False) -> dict[str, int]:
    """Per state, what the actor may see (or, for "My complaints", what they own): exact, from
    the trigger-kept counters (`complaints.status_counts`), whatever the number of complaints."""
    owners = (actor.id,) if only_mine else None if actor.is_manager else (NOBODY, actor.id)
    return status_counts(owners)
