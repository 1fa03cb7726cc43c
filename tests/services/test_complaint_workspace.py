"""The staff complaint page's reads and its two small services: the thread (what each entry is,
which e-mail belongs to which), canned responses (filled in on the server; who manages which),
presence (time is a parameter: expiry without sleeping), the customer card and the queue
neighbours (only what the viewer may see)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from complaints import actions, canned, presence, workspace
from complaints.queries import get_visible_complaint
from platform_support.errors import NotFound, PermissionDenied, ServiceError
from tests.support.clock import NOW
from tests.support.complaints import complaint_in, file


def _complaint(reference, who):
    return get_visible_complaint(reference, who)


def test_the_thread_tells_each_kind_of_entry_apart_and_joins_each_email_to_its_cause(app, staff):
    reference = file(NOW, name="Jan Kowalski").complaint.reference
    t = NOW  # whole seconds, like the clock: e-mails join their entry by kind and moment
    actions.assign_owner(reference, staff.agent.email, actor=staff.agent, now=(t := t + timedelta(minutes=1)))
    actions.record_fact(reference, "Box crushed", actor=staff.agent, minutes=2, now=(t := t + timedelta(minutes=1)))
    actions.post_update(reference, "Replacement tomorrow", public=True, actor=staff.agent, now=(t := t + timedelta(minutes=1)))
    actions.post_update(reference, "Claim from courier", public=False, actor=staff.agent, now=(t := t + timedelta(minutes=1)))
    actions.change_priority(reference, "high", actor=staff.agent, now=(t := t + timedelta(minutes=1)))
    entries = workspace.thread(_complaint(reference, staff.agent))
    assert [e.kind for e in entries] == ["customer", "system", "fact", "reply", "note", "system"]
    created, assigned, fact, reply, note, priority = entries
    assert created.body == "The parcel arrived crushed." and created.who == "Jan Kowalski"
    assert [m.kind for m in created.emails] == ["complaint_acknowledgement"]
    assert [m.kind for m in assigned.emails] == ["complaint_owner_assigned"]
    assert [m.kind for m in reply.emails] == ["complaint_progress_update"]
    assert note.emails == [] and fact.emails == []  # internal: nothing was mailed
    assert assigned.detail == staff.agent.name and str(assigned.label) == "owner assigned"
    assert priority.detail == "Normal → High"
    # Newest first is the same entries reversed.
    newest = workspace.thread(_complaint(reference, staff.agent), order="newest")
    assert [e.key for e in newest] == [e.key for e in reversed(entries)]


def test_stamp_has_minutes_but_no_seconds(app):
    with app.test_request_context():
        assert workspace.stamp(NOW.replace(second=42)).replace("\u202f", " ") == "Jan 15, 2027, 9:00 AM"


def test_a_canned_response_is_filled_in_on_the_server_and_stays_plain_text(app, staff):
    reference = complaint_in("assigned", staff, name="Ana <b>Novak</b>", email="ana@example.com")
    response = canned.save(staff.admin, title="On its way", language="en", shared=True,
                           body="{salutation}\n{name}, {reference} is with {owner}. Due {due_date}. {tracking_link} {unknown_not_allowed}"
                           .replace(" {unknown_not_allowed}", ""), now=NOW)
    text = canned.fill(response, _complaint(reference, staff.agent), actor=staff.agent)
    assert f"Ana <b>Novak</b>, {reference} is with {staff.agent.name}." in text  # as typed: the page escapes it
    assert "/track/" + reference in text and "{" not in text
    assert "January" in text  # the resolution due date, written out in the response's language
    with app.test_request_context():
        from flask import render_template_string
        assert "<b>" not in render_template_string("{{ t }}", t=text)


def test_unknown_placeholders_are_refused(app, staff):
    with pytest.raises(ServiceError) as refused:
        canned.save(staff.agent, title="x", language="en", shared=False, body="Hi {nmae}")
    assert "{nmae}" in refused.value.fields["body"][0]


def test_shared_responses_are_the_admins_and_personal_ones_their_owners(app, staff):
    with pytest.raises(PermissionDenied):
        canned.save(staff.agent, title="Shared", language="en", shared=True, body="Hello")
    shared = canned.save(staff.admin, title="Shared", language="en", shared=True, body="Hello")
    mine = canned.save(staff.agent, title="Mine", language="pl", shared=False, body="Dzień dobry")
    assert [c.title for c in canned.usable_by(staff.agent, "pl")] == ["Mine", "Shared"]  # the language first
    assert [c.title for c in canned.usable_by(staff.other_agent)] == ["Shared"]
    with pytest.raises(NotFound):
        canned.get_usable(mine.id, staff.other_agent)
    with pytest.raises(PermissionDenied):
        canned.save(staff.agent, title="Changed", language="en", shared=False, body="x", canned_id=shared.id)
    with pytest.raises(NotFound):
        canned.delete(staff.other_agent, mine.id)
    canned.delete(staff.agent, mine.id)
    assert [c.title for c in canned.usable_by(staff.agent)] == ["Shared"]


def test_presence_expires_and_typing_expires_sooner(app, staff, db_session):
    complaint = _complaint(file(NOW).complaint.reference, staff.manager)
    presence.report(complaint.id, staff.agent.id, typing=True, now=NOW)
    presence.report(complaint.id, staff.manager.id, typing=False, now=NOW)
    db_session.commit()
    (seen,) = presence.others(complaint.id, staff.manager.id, now=NOW + timedelta(seconds=5))
    assert seen.name == staff.agent.name and seen.typing
    assert presence.others(complaint.id, staff.agent.id, now=NOW)[0].typing is False
    later = NOW + presence.TYPING_EXPIRY + timedelta(seconds=1)
    assert [v.typing for v in presence.others(complaint.id, staff.manager.id, now=later)] == [False]
    assert presence.others(complaint.id, staff.manager.id, now=NOW + presence.EXPIRY + timedelta(seconds=1)) == []
    presence.report(complaint.id, staff.agent.id, typing=False, now=NOW + timedelta(minutes=1))
    assert len(presence.others(complaint.id, staff.manager.id, now=NOW + timedelta(minutes=1))) == 1
    presence.leave(complaint.id, staff.agent.id)
    assert presence.others(complaint.id, staff.manager.id, now=NOW + timedelta(minutes=1)) == []
    assert presence.purge(NOW + timedelta(hours=1)) == 1  # the manager's old row


def test_the_customer_card_lists_only_the_complaints_the_viewer_may_see(app, staff):
    mine = complaint_in("assigned", staff, email="jan@example.com")  # owned by staff.agent
    theirs = file(NOW, email="jan@example.com").complaint.reference
    actions.assign_owner(theirs, staff.other_agent.email, actor=staff.manager, now=NOW)
    unowned = file(NOW, email="jan@example.com").complaint.reference
    card = workspace.customer_card(_complaint(unowned, staff.agent), staff.agent)
    assert [c.reference for c in card.other_complaints] == [mine]
    card = workspace.customer_card(_complaint(unowned, staff.manager), staff.manager)
    assert sorted(c.reference for c in card.other_complaints) == sorted([mine, theirs])


def test_queue_neighbours_follow_the_queue_order_and_visibility(app, staff):
    refs = [file(NOW + timedelta(minutes=i), email=f"c{i}@example.com").complaint.reference for i in range(3)]
    actions.assign_owner(refs[1], staff.other_agent.email, actor=staff.manager, now=NOW)
    assert workspace.queue_neighbours(_complaint(refs[0], staff.agent), staff.agent) == (None, refs[2])
    assert workspace.queue_neighbours(_complaint(refs[1], staff.manager), staff.manager) == (refs[0], refs[2])


def test_emails_of_the_same_second_still_join_the_entry_that_sent_them(app, staff):
    reference = file(NOW).complaint.reference
    actions.assign_owner(reference, staff.agent.email, actor=staff.agent, now=NOW)
    actions.post_update(reference, "Replacement tomorrow", public=True, actor=staff.agent, now=NOW)
    created, assigned, reply = workspace.thread(_complaint(reference, staff.agent))
    assert ([m.kind for m in created.emails], [m.kind for m in assigned.emails], [m.kind for m in reply.emails]) == (
        ["complaint_acknowledgement"], ["complaint_owner_assigned"], ["complaint_progress_update"])


def test_the_card_shows_the_last_nps_and_csat_through_the_surveys_signal(app, staff, db_session):
    from tests.support import surveys as survey_data

    survey_data.install_default_surveys(db_session)
    theirs = file(NOW, email="jan@example.com").complaint
    actions.assign_owner(theirs.reference, staff.other_agent.email, actor=staff.manager, now=NOW)
    current = file(NOW, email="jan@example.com").complaint
    survey_data.answer(current.customer, NOW - timedelta(days=30), {"nps": 9, "csat": 5})
    survey_data.answer(current.customer, NOW - timedelta(days=2), {"nps": 3}, complaint_id=theirs.id)
    db_session.commit()
    facts = {f.label: f.value for f in workspace.customer_card(current, staff.manager).facts}
    assert facts == {"Last NPS answer": "3", "Last CSAT answer": "5"}
    # An agent does not see the answer tied to a complaint they may not see.
    facts = {f.label: f.value for f in workspace.customer_card(current, staff.agent).facts}
    assert facts == {"Last NPS answer": "9", "Last CSAT answer": "5"}
