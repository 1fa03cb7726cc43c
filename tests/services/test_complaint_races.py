"""Races on one complaint have one winner: the complaint row is locked for the action and the
state it expects is checked, so the losers are told what happened (409) and nothing is doubled —
no second resolution e-mail, no second assignment. An action based on an outdated version is
refused with what changed; the page keeps the typed text."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from complaints import actions
from complaints.models import Complaint, ComplaintEvent
from notifications.models import OutboxMessage
from platform_support.errors import Conflict
from tests.conftest import NOW, csrf_from
from tests.security.conftest import file_complaint


def _in_parallel(app, calls):
    """Run each call at the same moment in its own thread and app context (as parallel requests)."""
    from extensions import db
    from platform_support.database import write_intent

    outcomes: list = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index, call):
        with app.app_context():
            try:
                start.wait()
                with write_intent():
                    call()
                outcomes[index] = "ok"
            except Conflict as exc:
                db.session.rollback()
                outcomes[index] = exc
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion
                db.session.rollback()
                outcomes[index] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _count(db_session, model, **where):
    db_session.rollback()
    return db_session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_ten_parallel_resolves_one_accepted_one_email(app, staff, db_session):
    from extensions import db
    from staff.models import StaffUser

    reference = file_complaint().complaint.reference
    manager_id = staff.manager.id

    def resolve():
        actor = db.session.get(StaffUser, manager_id)
        actions.resolve(reference, "Refunded", "damaged_in_transit", actor=actor, now=NOW)

    outcomes = _in_parallel(app, [resolve] * 10)
    assert outcomes.count("ok") == 1, outcomes
    losers = [o for o in outcomes if o != "ok"]
    assert all(isinstance(o, Conflict) and o.status_code == 409 for o in losers), losers
    assert "Already resolved by Maria Manager" in losers[0].message
    assert _count(db_session, ComplaintEvent, kind="resolved") == 1
    assert _count(db_session, OutboxMessage, kind="complaint_resolved") == 1


def test_eight_parallel_assigns_one_event_one_email(app, staff, db_session):
    from extensions import db
    from staff.models import StaffUser

    reference = file_complaint().complaint.reference
    manager_id, agent_email = staff.manager.id, staff.agent.email

    def assign():
        actions.assign_owner(reference, agent_email, actor=db.session.get(StaffUser, manager_id), now=NOW)

    outcomes = _in_parallel(app, [assign] * 8)
    assert outcomes.count("ok") == 1, outcomes
    assert _count(db_session, ComplaintEvent, kind="assigned") == 1
    assert _count(db_session, OutboxMessage, kind="complaint_owner_assigned") == 1


def test_two_agents_taking_one_complaint_the_second_is_told_who_won(app, staff, db_session):
    from extensions import db
    from staff.models import StaffUser

    reference = file_complaint().complaint.reference
    agents = [(staff.agent.id, staff.agent.email), (staff.other_agent.id, staff.other_agent.email)]

    def take(agent_id, email):
        return lambda: actions.assign_owner(reference, email, actor=db.session.get(StaffUser, agent_id), now=NOW)

    outcomes = _in_parallel(app, [take(*agent) for agent in agents])
    assert sorted(map(str, outcomes))[-1] == "ok" and outcomes.count("ok") == 1, outcomes
    (loser,) = [o for o in outcomes if o != "ok"]
    assert isinstance(loser, Conflict) and loser.message.startswith("Already taken by")
    db_session.rollback()
    owner = db_session.scalar(select(Complaint.owner_id).where(Complaint.reference == reference))
    winner = agents[outcomes.index("ok")][0]
    assert owner == winner


def test_an_action_on_an_outdated_version_is_refused_with_what_changed(app, staff, db_session):
    complaint = file_complaint().complaint
    seen = complaint.version
    actions.record_fact(complaint.reference, "Parcel photo received", actor=staff.manager, now=NOW)
    with pytest.raises(Conflict) as refused:
        actions.post_update(complaint.reference, "We are on it", public=True, actor=staff.agent, now=NOW,
                            expected_version=seen)
    assert "fact recorded by Maria Manager" in refused.value.message
    assert _count(db_session, ComplaintEvent, kind="progress_update") == 0


def test_the_page_keeps_the_typed_text_when_someone_acted_meanwhile(browser, client, staff, db_session):
    complaint = file_complaint().complaint
    browser.login(staff.manager)
    page_url = f"/staff/complaints/{complaint.reference}"
    page = client.get(page_url).get_data(as_text=True)
    import re
    version = re.search(r'id="update-version" name="update-version" type="hidden" value="(\d+)"', page).group(1)
    db_session.rollback()  # a fresh transaction, as another request would have
    actions.resolve(complaint.reference, "Refunded", "damaged_in_transit", actor=staff.admin, now=NOW)
    response = client.post(page_url + "/updates", data={
        "csrf_token": csrf_from(page), "update-version": version, "update-message": "My long careful answer",
        "update-mode": "reply"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "My long careful answer" in html
    assert "changed since you opened it" in html and "Adam Admin" in html
    assert _count(db_session, ComplaintEvent, kind="progress_update") == 0
