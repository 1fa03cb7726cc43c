"""Bulk actions (one transaction, all or nothing, versions and locks respected, one winner of a
race), saved views with their counts, staff filing for a caller or a visitor, and calls logged
on a complaint (issue 16)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from complaints import actions, bulk, saved_views
from complaints.models import Complaint, ComplaintEvent, SavedView
from complaints.queries import QueueFilter, queue_page
from notifications.models import OutboxMessage
from platform_support.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tests.services.test_complaint_races import _in_parallel
from tests.support import complaints
from tests.support.clock import NOW


def _versions(references):
    from extensions import db
    db.session.rollback()  # a fresh snapshot: other sessions committed meanwhile
    return [(r, db.session.scalar(select(Complaint.version).where(Complaint.reference == r))) for r in references]


def _state(reference):
    from extensions import db
    db.session.rollback()  # a fresh snapshot: other sessions committed meanwhile
    return db.session.scalar(select(Complaint).where(Complaint.reference == reference))


def test_bulk_assign_priority_and_close_each_in_one_go(app, staff):
    refs = [complaints.file(description=f"Cracked screen {i}").complaint.reference for i in range(3)]
    assert bulk.apply_bulk("assign", _versions(refs), actor=staff.manager, owner=staff.agent.email, now=NOW) == 3
    assert {_state(r).owner_id for r in refs} == {staff.agent.id}
    assert bulk.apply_bulk("priority", _versions(refs), actor=staff.manager, priority="urgent", now=NOW) == 3
    assert {_state(r).priority for r in refs} == {"urgent"}
    assert bulk.apply_bulk("close", _versions(refs), actor=staff.manager, root_cause="other",
                           resolution="Replaced the screens", now=NOW) == 3
    closed = [_state(r) for r in refs]
    assert {c.status for c in closed} == {"closed"} and {c.root_cause.code for c in closed} == {"other"}
    from extensions import db
    resolved_mails = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "complaint_resolved"))
    assert resolved_mails == 3  # each customer is told, as by the single action


def test_one_outdated_complaint_changes_nothing_and_is_named(app, staff):
    refs = [complaints.file(description=f"Torn bag {i}").complaint.reference for i in range(3)]
    seen = _versions(refs)
    actions.post_update(refs[1], "Checking with the courier", public=False, actor=staff.manager, now=NOW)
    with pytest.raises(bulk.BulkRefused) as refused:
        bulk.apply_bulk("priority", seen, actor=staff.manager, priority="high", now=NOW)
    assert refused.value.reference == refs[1] and refused.value.status_code == 409
    assert refs[1] in refused.value.message
    assert {_state(r).priority for r in refs} == {"normal"}  # all or nothing


def test_an_agent_cannot_bulk_touch_another_agents_complaint(app, staff):
    free = complaints.file(description="Scratched lens").complaint.reference
    theirs = complaints.file(description="Scratched frame").complaint.reference
    actions.assign_owner(theirs, staff.other_agent.email, actor=staff.manager, now=NOW)
    for action, extra in (("assign", {"owner": staff.agent.email}), ("priority", {"priority": "low"}),
                          ("close", {"root_cause": "other", "resolution": "Done"})):
        with pytest.raises(bulk.BulkRefused) as refused:
            bulk.apply_bulk(action, _versions([free, theirs]), actor=staff.agent, now=NOW, **extra)
        assert refused.value.status_code in (404, 409)
        assert "Scratched frame" not in refused.value.message
    assert _state(free).owner_id is None and _state(free).priority == "normal"
    # Giving a complaint to someone else stays a manager's decision, in bulk too.
    with pytest.raises(bulk.BulkRefused) as refused:
        bulk.apply_bulk("assign", _versions([free]), actor=staff.agent, owner=staff.other_agent.email, now=NOW)
    assert refused.value.status_code == 403


def test_bulk_input_is_checked_before_anything_is_locked(app, staff):
    ref = complaints.file().complaint.reference
    for action, extra, field in (("explode", {}, "action"), ("assign", {"owner": "nobody@example.com"}, "owner"),
                                 ("priority", {"priority": "asap"}, "priority"),
                                 ("close", {"root_cause": "nope", "resolution": "x"}, "root_cause"),
                                 ("close", {"root_cause": "other", "resolution": "  "}, "resolution")):
        with pytest.raises(ServiceError) as refused:
            bulk.apply_bulk(action, _versions([ref]), actor=staff.manager, now=NOW, **extra)
        assert field in refused.value.fields
    with pytest.raises(ServiceError):
        bulk.apply_bulk("priority", [], actor=staff.manager, priority="high", now=NOW)
    with pytest.raises(ServiceError):
        bulk.apply_bulk("priority", [(f"C-{i}", 1) for i in range(bulk.MAX_BULK + 1)], actor=staff.manager,
                        priority="high", now=NOW)
    assert bulk.parse_selection(["C-1:3", "C-2:x", "", "C-1:4", "y" * 30 + ":1"]) == [("C-1", 4), ("C-2", None)]


def test_two_bulk_actions_at_once_have_one_winner(app, staff, db_session):
    from extensions import db
    from staff.models import StaffUser

    refs = [complaints.file(description=f"Wet box {i}").complaint.reference for i in range(4)]
    seen = _versions(refs)
    manager_id = staff.manager.id

    def set_priority(priority):
        return lambda: bulk.apply_bulk("priority", seen, actor=db.session.get(StaffUser, manager_id),
                                       priority=priority, now=NOW)

    outcomes = _in_parallel(app, [set_priority("high"), set_priority("low")])
    assert outcomes.count("ok") == 1, outcomes
    loser = next(o for o in outcomes if o != "ok")
    assert isinstance(loser, bulk.BulkRefused) and loser.status_code == 409
    priorities = {_state(r).priority for r in refs}
    assert len(priorities) == 1 and priorities <= {"high", "low"}  # the winner's, entirely
    events = db_session.scalar(select(func.count()).select_from(ComplaintEvent).where(ComplaintEvent.kind == "priority_changed"))
    assert events == 4


def test_saved_views_personal_and_shared_with_counts_narrowed_by_visibility(app, staff):
    mine = complaints.file(description="Bent fork").complaint.reference
    theirs = complaints.file(description="Bent spoon").complaint.reference
    actions.assign_owner(theirs, staff.other_agent.email, actor=staff.manager, now=NOW)
    shared = saved_views.save_view("Bent things", QueueFilter(q="bent", status="all", sort="-created"),
                                   actor=staff.manager, shared=True, now=NOW)
    personal = saved_views.save_view("Mine", QueueFilter(owner="me"), actor=staff.agent, now=NOW)
    with pytest.raises(PermissionDenied):
        saved_views.save_view("Everyone's", QueueFilter(), actor=staff.agent, shared=True, now=NOW)
    agent_views = saved_views.views_for(staff.agent)
    assert [v.name for v in agent_views] == ["Mine", "Bent things"]
    assert [v.name for v in saved_views.views_for(staff.other_agent)] == ["Bent things"]
    with pytest.raises(NotFound):
        saved_views.get_view(personal.id, staff.other_agent)
    counts = saved_views.view_counts(agent_views, staff.agent, now=NOW)
    assert counts[shared.id] == (1, False) and counts[personal.id] == (0, False)  # not the other agent's
    assert saved_views.view_counts([shared], staff.manager, now=NOW)[shared.id] == (2, False)
    assert [c.reference for c in queue_page(staff.agent, saved_views.view_filter(shared), now=NOW)[0]] == [mine]
    # Saving under the same name replaces; only the owner (or an admin) removes.
    saved_views.save_view("Bent things", QueueFilter(q="fork"), actor=staff.manager, shared=True, now=NOW)
    from extensions import db
    assert db.session.scalar(select(func.count()).select_from(SavedView)) == 2
    with pytest.raises(PermissionDenied):
        saved_views.delete_view(shared.id, actor=staff.agent)
    saved_views.delete_view(shared.id, actor=staff.admin)
    with pytest.raises(ServiceError):
        saved_views.save_view("   ", QueueFilter(), actor=staff.agent, now=NOW)


def test_staff_file_for_a_caller_and_log_calls(app, staff):
    from complaints import filing, queries

    new = filing.NewComplaint(name="Halina Nowak", email="halina@example.com", description="Dzwoni: pralka cieknie",
                              phone="+48 600 100 200", preferred_channel="phone")
    filed = filing.file_complaint(new, channel="phone", now=NOW)
    complaint = _state(filed.reference)
    assert complaint.channel == "phone" and complaint.contact_confirmed_at == NOW
    with pytest.raises(ServiceError) as refused:  # the one check of a new complaint
        filing.file_complaint(filing.NewComplaint(name="", email="bad", description=""), channel="visit", now=NOW)
    assert {"name", "email", "description"} <= set(refused.value.fields)

    actions.log_call(filed.reference, "Klientka mówi, że wąż jest pęknięty", direction="inbound", actor=staff.agent, now=NOW)
    event = _state(filed.reference).events[-1]
    assert (event.kind, event.public, event.detail["direction"]) == ("call_logged", False, "inbound")
    assert [c.reference for c in queue_page(staff.manager, QueueFilter(q="waz peknie"), now=NOW)[0]] == [filed.reference]
    assert _state(filed.reference).first_responded_at is None
    actions.log_call(filed.reference, "Called back", direction="outbound", channel="phone", actor=staff.agent, now=NOW)
    assert _state(filed.reference).first_responded_at == NOW
    with pytest.raises(ServiceError):
        actions.log_call(filed.reference, "", direction="inbound", actor=staff.agent, now=NOW)
    with pytest.raises(ServiceError):
        actions.log_call(filed.reference, "x", direction="sideways", actor=staff.agent, now=NOW)
    actions.assign_owner(filed.reference, staff.other_agent.email, actor=staff.manager, now=NOW)
    with pytest.raises(NotFound):
        actions.log_call(filed.reference, "x", direction="inbound", actor=staff.agent, now=NOW)
    with pytest.raises(Conflict):
        actions.log_call(filed.reference, "x", direction="inbound", actor=staff.other_agent, now=NOW, expected_version=1)
    assert queries.is_visible_to(_state(filed.reference), staff.other_agent)
