"""The staff queue's status counts: exact after every change, from trigger-kept counters.

Each check compares `counts_by_status` (folded totals + pending deltas) with a GROUP BY over the
complaints themselves, for a manager (everything), an agent (unowned + own) and "My complaints".
"""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from complaints import actions, jobs
from complaints.lifecycle import STATES
from complaints.models import Complaint
from complaints.queries import counts_by_status
from complaints.status_counts import (
    _FOLD_POSTGRESQL,
    NOBODY,
    ComplaintCount,
    complaint_count_deltas,
    fold_counts,
)
from customers.privacy import erase_customer
from extensions import db
from staff.models import StaffUser
from tests.support import complaints
from tests.support.clock import NOW


def file(now=NOW, **overrides) -> str:
    return complaints.file(now, **overrides).complaint.reference


def live(owner_ids=None) -> dict[str, int]:
    owner = func.coalesce(Complaint.owner_id, NOBODY)
    query = select(Complaint.status, func.count()).group_by(Complaint.status)
    if owner_ids is not None:
        query = query.where(owner.in_(owner_ids))
    counts = {state: 0 for state in STATES}
    counts.update({status: n for status, n in db.session.execute(query)})
    return counts


def assert_exact(staff) -> dict[str, int]:
    db.session.expire_all()
    everyone = counts_by_status(staff.manager)
    assert everyone == live()
    for agent in (staff.agent, staff.other_agent):
        assert counts_by_status(agent) == live((NOBODY, agent.id))
        assert counts_by_status(agent, only_mine=True) == live((agent.id,))
    assert counts_by_status(staff.manager, only_mine=True) == live((staff.manager.id,))
    return everyone


def pending_deltas() -> int:
    return db.session.scalar(select(func.count()).select_from(complaint_count_deltas))


def test_counts_stay_exact_through_every_transition_reassignment_and_fold(app, staff):
    at = NOW
    assert assert_exact(staff) == {state: 0 for state in STATES}
    refs = [file(now=at + timedelta(minutes=i), email=f"c{i}@example.com") for i in range(8)]
    assert assert_exact(staff)["new"] == 8
    steps = [
        lambda: actions.assign_owner(refs[0], staff.agent.email, actor=staff.agent, now=at),            # new → assigned
        lambda: actions.assign_owner(refs[1], staff.other_agent.email, actor=staff.manager, now=at),
        lambda: actions.assign_owner(refs[0], staff.other_agent.email, actor=staff.manager, now=at),    # reassigned
        lambda: actions.post_update(refs[1], "On it", public=True, actor=staff.other_agent, now=at),    # → in_progress
        lambda: actions.commit_action(refs[2], "Refund", date(2027, 2, 1), actor=staff.agent, now=at),  # new → in_progress
        lambda: actions.assign_owner(refs[1], staff.agent.email, actor=staff.manager, now=at),          # in_progress, new owner
        lambda: actions.resolve(refs[3], "Done", "other", actor=staff.agent, now=at),                   # unowned → resolver's
        lambda: actions.resolve(refs[1], "Done", "other", actor=staff.agent, now=at),
        lambda: actions.close(refs[3], actor=staff.manager, now=at),                                     # resolved → closed
        lambda: actions.reopen(refs[3], "Not done", actor=staff.manager, now=at),                        # closed → in_progress
        lambda: actions.reopen(refs[1], "Not done", actor=staff.agent, now=at),                          # resolved → in_progress
        lambda: actions.assign_owner(refs[4], staff.manager.email, actor=staff.manager, now=at),
        lambda: actions.resolve(refs[4], "Done", "other", actor=staff.manager, now=at),
        lambda: actions.assign_owner(refs[4], staff.agent.email, actor=staff.manager, now=at),          # resolved, new owner
        lambda: actions.close(refs[4], actor=staff.manager, now=at),
        lambda: jobs.escalate_overdue(now=at + timedelta(days=30)),                                   # no state change
    ]
    for number, step in enumerate(steps):
        step()
        assert_exact(staff)
        if number % 3 == 2:  # folds now and then: the totals move, the answer does not
            before = assert_exact(staff)
            fold_counts(at)
            assert pending_deltas() == 0
            assert assert_exact(staff) == before
    final = assert_exact(staff)
    assert final == {"new": 3, "assigned": 1, "in_progress": 3, "waiting": 0, "resolved": 0, "closed": 1}
    assert counts_by_status(staff.agent, only_mine=True)["in_progress"] == 2


def test_fold_moves_the_deltas_into_totals_and_drops_emptied_pairs(app, staff, db_session):
    ref = file()
    actions.assign_owner(ref, staff.agent.email, actor=staff.manager, now=NOW)
    assert pending_deltas() == 3  # +1 new/nobody, then −1 new/nobody +1 assigned/agent
    assert fold_counts(NOW) == 3 and pending_deltas() == 0
    assert {(c.owner_id, c.status): c.n for c in db_session.scalars(select(ComplaintCount))} == {
        (staff.agent.id, "assigned"): 1}  # the (nobody, new) pair folded to 0 and was removed
    assert fold_counts(NOW) == 0
    actions.resolve(ref, "Done", "other", actor=staff.agent, now=NOW)
    assert counts_by_status(staff.manager)["resolved"] == 1  # before the next fold too
    fold_counts(NOW)
    assert {(c.owner_id, c.status): c.n for c in db_session.scalars(select(ComplaintCount))} == {
        (staff.agent.id, "resolved"): 1}
    assert_exact(staff)


def test_bulk_statements_deletion_erasure_and_removed_accounts_are_counted(app, staff, db_session):
    refs = [file(email=f"c{i}@example.com") for i in range(6)]
    for ref in refs[:4]:
        actions.assign_owner(ref, staff.agent.email, actor=staff.manager, now=NOW)
    fold_counts(NOW)
    # One UPDATE of many rows (as a data fix would), changing status and owner.
    db_session.execute(sa.update(Complaint).where(Complaint.reference.in_(refs[:2]))
                       .values(status="resolved", owner_id=staff.other_agent.id))
    db_session.commit()
    assert assert_exact(staff)["resolved"] == 2
    # An update that touches neither status nor owner adds no delta.
    before = pending_deltas()
    db_session.execute(sa.update(Complaint).values(priority="high"))
    db_session.commit()
    assert pending_deltas() == before
    # Erasure anonymises the complaints and keeps their counts.
    customer_id = db_session.scalar(select(Complaint.customer_id).where(Complaint.reference == refs[5]))
    erase_customer(customer_id, actor=staff.admin, reason="test data", now=NOW)
    assert_exact(staff)
    # Deleted complaints leave the counts.
    db_session.execute(sa.delete(Complaint).where(Complaint.reference.in_([refs[0], refs[4]])))
    db_session.commit()
    assert sum(assert_exact(staff).values()) == 4
    # A removed staff account: ON DELETE SET NULL makes its complaints unowned, counted as such.
    other_agent_id = staff.other_agent.id
    db_session.execute(sa.delete(StaffUser).where(StaffUser.id == other_agent_id))
    db_session.commit()
    db_session.expire_all()
    assert counts_by_status(staff.manager) == live()
    assert counts_by_status(staff.manager)["resolved"] == 1
    fold_counts(NOW)
    assert db_session.scalar(select(func.count()).select_from(ComplaintCount)
                             .where(ComplaintCount.owner_id == other_agent_id)) == 0
    assert counts_by_status(staff.agent) == live((NOBODY, staff.agent.id))


def test_queue_page_shows_exact_counts_without_the_worker(app, staff, browser):
    complaints.complaint_in("resolved", staff)
    complaints.complaint_in("new", staff, email="other@example.com")
    browser.login(staff.manager)
    page = browser.get("/staff/complaints/").get_data(as_text=True)
    assert "Resolved: <strong>1</strong>" in page and "New: <strong>1</strong>" in page


def _copy_complaint(connection, reference: str, source: str) -> None:
    columns = [c.name for c in Complaint.__table__.columns if c.name not in ("id", "reference", "tracking_token_hash", "submission_key")]
    names = ", ".join(columns)
    connection.execute(sa.text(f"INSERT INTO complaints (reference, tracking_token_hash, {names}) "
                               f"SELECT :ref, :token, {names} FROM complaints WHERE reference = :source"),
                       {"ref": reference, "token": reference.ljust(64, "0"), "source": source})


@pytest.mark.postgresql  # row locks and concurrent transactions
def test_concurrent_filings_changes_and_a_fold_do_not_wait_for_each_other(app, staff):
    """No hot row on PostgreSQL: two open transactions that file and move complaints — and a fold
    between them — go through without lock waits, and nothing is lost once both commit."""
    refs = [file(email=f"c{i}@example.com") for i in range(2)]
    db.session.commit()
    first, second, folder = (db.engine.connect() for _ in range(3))
    try:
        for connection in (first, second, folder):
            connection.execute(sa.text("SET lock_timeout = '2s'"))
        _copy_complaint(first, "T-1", refs[0])
        first.execute(sa.text("UPDATE complaints SET status = 'resolved' WHERE reference = :r"), {"r": refs[0]})
        _copy_complaint(second, "T-2", refs[1])
        second.execute(sa.text("UPDATE complaints SET status = 'closed' WHERE reference = :r"), {"r": refs[1]})
        folder.execute(sa.text(_FOLD_POSTGRESQL))  # folds the two committed filings, not the open transactions' deltas
        folder.commit()
        first.commit()
        second.commit()
    finally:
        for connection in (first, second, folder):
            connection.close()
    db.session.expire_all()
    assert counts_by_status(staff.manager) == live() == {"new": 2, "assigned": 0, "in_progress": 0,
                                                         "waiting": 0, "resolved": 1, "closed": 1}
    fold_counts(NOW)
    assert counts_by_status(staff.manager) == live()


def test_a_complaint_waiting_for_the_customer_is_open_counted_and_queued(app, staff, db_session):
    from complaints.queries import QueueFilter, queue_page

    waiting, working = file(email="w@example.com"), file(email="x@example.com")
    # (The action that asks the customer comes with the mail piece; the state is what matters here.)
    db_session.execute(sa.update(Complaint).where(Complaint.reference == waiting).values(status="waiting"))
    db_session.commit()
    assert assert_exact(staff)["waiting"] == 1
    open_refs = {c.reference for c in queue_page(staff.manager, QueueFilter(), now=NOW)[0]}
    unowned = {c.reference for c in queue_page(staff.agent, QueueFilter(owner="none"), now=NOW)[0]}
    only_waiting = [c.reference for c in queue_page(staff.manager, QueueFilter(status="waiting"), now=NOW)[0]]
    late = NOW + timedelta(days=30)
    overdue = {c.reference for c in queue_page(staff.manager, QueueFilter(overdue=True), now=late)[0]}
    assert open_refs == unowned == overdue == {waiting, working} and only_waiting == [waiting]
    assert db_session.scalar(select(Complaint).where(Complaint.reference == waiting)).is_open
    actions.resolve(waiting, "Answered and settled", "other", actor=staff.manager, now=NOW)
    assert assert_exact(staff)["waiting"] == 0
