"""Who may see which received message: admins all (the quarantine is theirs); other staff only a
message that belongs to a complaint they may see (the one visibility rule, complaints.queries)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, and_, select

from complaints.queries import tied_to_visible
from extensions import db
from inbound.models import InboundMessage
from platform_support.errors import NotFound

PAGE = 50


def visible_messages(actor) -> Select:
    query = select(InboundMessage)
    if actor.is_admin:
        return query
    return query.where(and_(InboundMessage.complaint_id.is_not(None),
                            tied_to_visible(actor, InboundMessage.complaint_id, untied_visible=False)))


def visible_message(message_id: int, actor) -> InboundMessage:
    found = db.session.scalar(visible_messages(actor).where(InboundMessage.id == message_id))
    if found is None:
        raise NotFound(_("No such message is visible to you."))
    return found


def message_page(actor, *, outcome: str | None, before: int | None) -> tuple[list[InboundMessage], int | None]:
    query = visible_messages(actor)
    if outcome:
        query = query.where(InboundMessage.outcome == outcome)
    if before:
        query = query.where(InboundMessage.id < before)
    rows = list(db.session.scalars(query.order_by(InboundMessage.id.desc()).limit(PAGE + 1)))
    return rows[:PAGE], (rows[PAGE - 1].id if len(rows) > PAGE else None)
