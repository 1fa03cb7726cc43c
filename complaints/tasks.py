"""Calls to make (seed 000: customers say how they want to be reached). A customer who prefers
the phone or a visit still gets every e-mail — it is the record, with the tracking link — and
the complaint's owner gets a task to call them about it: shown on the complaint and in "My
complaints", done and undone by the owner. Created in the transaction of the e-mail
(`changes.email_customer`; the filing's acknowledgement in `filing.file_complaint`)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from complaints.models import Complaint, ComplaintTask
from complaints.queries import is_visible_to
from extensions import db
from platform_support.clock import utcnow
from platform_support.errors import NotFound, PermissionDenied
from staff.models import StaffUser

# The customer file's channels (customers.models.CHANNELS) that mean "call me".
CALL_CHANNELS = ("phone", "in_person")


def wants_a_call(complaint: Complaint) -> bool:
    """The complaint form's preferred channel, or the customer file's."""
    customer = complaint.customer
    return (complaint.preferred_channel in CALL_CHANNELS
            or (customer is not None and customer.preferred_channel in CALL_CHANNELS))


def add_call_task(complaint: Complaint, topic: str, *, now: datetime) -> ComplaintTask | None:
    """In the caller's transaction: a task to call about `topic` (the e-mail's kind), if the
    customer wants calls."""
    if not wants_a_call(complaint):
        return None
    task = ComplaintTask(complaint_id=complaint.id, topic=topic[:40], created_at=now)
    db.session.add(task)
    return task


def tasks_of(complaint: Complaint) -> list[ComplaintTask]:
    return list(db.session.scalars(select(ComplaintTask).where(ComplaintTask.complaint_id == complaint.id)
                                   .order_by(ComplaintTask.id)))


def open_tasks_of_owner(owner: StaffUser, *, limit: int = 100) -> list[ComplaintTask]:
    """The calls `owner` still has to make, oldest first (for "My complaints")."""
    return list(db.session.scalars(
        select(ComplaintTask).join(Complaint, Complaint.id == ComplaintTask.complaint_id)
        .where(Complaint.owner_id == owner.id, ComplaintTask.done_at.is_(None))
        .order_by(ComplaintTask.created_at, ComplaintTask.id).limit(limit)))


def set_done(task_id: int, done: bool, *, actor: StaffUser, reference: str | None = None,
             now: datetime | None = None) -> ComplaintTask:
    """The owner marks the call made (or, by mistake, not yet made). `reference`: the complaint
    the task must belong to (the page's URL)."""
    now = now or utcnow()
    task = db.session.scalar(select(ComplaintTask).where(ComplaintTask.id == task_id).with_for_update())
    if (task is None or not is_visible_to(task.complaint, actor)
            or (reference is not None and task.complaint.reference != reference)):
        raise NotFound(_("No such task."))
    if task.complaint.owner_id != actor.id:
        raise PermissionDenied(_("Only the complaint's owner marks its calls done."))
    if done and task.done_at is None:
        task.done_at, task.done_by_id = now, actor.id
    elif not done:
        task.done_at, task.done_by_id = None, None
    db.session.commit()
    return task
