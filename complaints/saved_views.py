"""Saved queue views: a name, the filters (status, owner, priority, overdue, search words) and a
sort. Personal ones are their owner's alone; shared ones appear in everyone's queue. What a view
shows is always narrowed by the viewer's own visibility (`queries.visible_to`): sharing a view
shares the question, never another agent's complaints — nor their number."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select

from complaints import queries
from complaints.lifecycle import PRIORITIES, STATES
from complaints.models import SavedView
from extensions import db
from platform_support.clock import utcnow
from platform_support.errors import NotFound, PermissionDenied, ServiceError
from platform_support.parsing import unstorable_text
from staff.models import StaffUser

MAX_NAME = 100
MAX_VIEWS_PER_PERSON = 30
# A view's badge counts up to this many (each an index range of at most this many rows).
VIEW_COUNT_CAP = 999


def clean_filters(filters: queries.QueueFilter) -> dict:
    """What a view stores: only known values (an unknown one would silently mean something else)."""
    stored = {}
    if filters.status in (*STATES, "all"):
        stored["status"] = filters.status
    if filters.owner:
        stored["owner"] = filters.owner.strip().lower()[:254]
    if filters.priority in PRIORITIES:
        stored["priority"] = filters.priority
    if filters.overdue:
        stored["overdue"] = True
    if filters.q and filters.q.strip():
        stored["q"] = filters.q.strip()[:500]
    for name, limit in (("category", 50), ("tag", 50), ("field", 50), ("field_value", 500)):
        value = (getattr(filters, name) or "").strip()[:limit]
        if value:
            stored[name] = value
    return stored


def view_filter(view: SavedView) -> queries.QueueFilter:
    stored = view.filters or {}
    return queries.QueueFilter(status=stored.get("status"), owner=stored.get("owner"), priority=stored.get("priority"),
                               overdue=bool(stored.get("overdue")), q=stored.get("q"), sort=view.sort,
                               category=stored.get("category"), tag=stored.get("tag"), field=stored.get("field"),
                               field_value=stored.get("field_value"))


def views_for(actor: StaffUser) -> list[SavedView]:
    """The actor's own views, then the shared ones of others, each by name."""
    query = select(SavedView).where(or_(SavedView.owner_id == actor.id, SavedView.shared.is_(True)))
    views = list(db.session.scalars(query.order_by(SavedView.name, SavedView.id)))
    return sorted(views, key=lambda v: (v.owner_id != actor.id, v.name.lower()))


def get_view(view_id: int, actor: StaffUser) -> SavedView:
    view = db.session.get(SavedView, view_id)
    if view is None or not (view.owner_id == actor.id or view.shared):
        raise NotFound(_("There is no such saved view."))
    return view


def save_view(name: str, filters: queries.QueueFilter, *, actor: StaffUser, shared: bool = False,
              now: datetime | None = None) -> SavedView:
    """Save (or, under the same name, replace) one of the actor's views."""
    now = now or utcnow()
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError(_("Give the view a name."), {"name": [_("Give the view a name.")]})
    if len(name) > MAX_NAME or unstorable_text(name):
        message = _("Please keep it under %(max)d characters.", max=MAX_NAME)
        raise ServiceError(message, {"name": [message]})
    if shared and not actor.is_manager:
        raise PermissionDenied(_("Only a manager can share a view with everyone."))
    sort = filters.sort if filters.sort in queries.SORTS else "due"
    view = db.session.scalar(select(SavedView).where(SavedView.owner_id == actor.id, SavedView.name == name))
    if view is None:
        mine = db.session.scalar(select(db.func.count()).select_from(SavedView).where(SavedView.owner_id == actor.id))
        if mine >= MAX_VIEWS_PER_PERSON:
            raise ServiceError(_("You have %(max)d saved views: remove one first.", max=MAX_VIEWS_PER_PERSON))
        view = SavedView(owner_id=actor.id, name=name, created_at=now)
        db.session.add(view)
    view.filters = clean_filters(filters)
    view.sort = sort
    view.shared = bool(shared)
    db.session.commit()
    return view


def delete_view(view_id: int, *, actor: StaffUser) -> None:
    view = get_view(view_id, actor)
    if view.owner_id != actor.id and not actor.is_admin:
        raise PermissionDenied(_("Only the person who saved a view (or an admin) can remove it."))
    db.session.delete(view)
    db.session.commit()


def view_counts(views: list[SavedView], actor: StaffUser, *, now: datetime) -> dict[int, tuple[int, bool]]:
    """How many complaints each view holds for this actor (capped; see queries.count_matching)."""
    return {view.id: queries.count_matching(actor, view_filter(view), now=now, cap=VIEW_COUNT_CAP) for view in views}
