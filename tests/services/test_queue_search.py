"""Search and sorting of the staff queue (issue 16): full text over what a complaint says and who
sent it, folded for case and diacritics, ranked, narrowed by the one visibility rule; every
offered sort pages with its keyset cursor without losing or repeating a complaint."""
from datetime import timedelta

import pytest

from complaints import actions, queries, tracking
from complaints.queries import QueueFilter, SORTS, count_matching, queue_page
from platform_support.errors import ServiceError
from tests.support import complaints
from tests.support.clock import NOW


def refs(actor, now=NOW, **filters):
    return [c.reference for c in queue_page(actor, QueueFilter(**filters), now=now)[0]]


def test_search_folds_case_and_diacritics_in_every_field(app, staff):
    polish = complaints.file(subject="Żółty kubek pęknięty", name="Łukasz Żółć", email="lukasz@example.pl").complaint.reference
    russian = complaints.file(description="Ёлка пришла сломанной", name="Пётр", email="petr@example.ru").complaint.reference
    czech = complaints.file(description="Příliš žluťoučký kůň", order_reference="OBJ-99812").complaint.reference
    manager = staff.manager
    assert refs(manager, q="zolty") == [polish]
    assert refs(manager, q="ZÓŁTY kubek") == [polish]
    assert refs(manager, q="lukasz zolc") == [polish]          # the contact's name
    assert refs(manager, q="lukasz@example.pl") == [polish]    # the contact's e-mail
    assert refs(manager, q="елка") == [russian] and refs(manager, q="ёлка") == [russian]
    assert refs(manager, q="петр") == [russian]
    assert refs(manager, q="zlutoucky kun") == [czech]
    assert refs(manager, q="99812") == [czech]                 # the order reference
    assert refs(manager, q=polish) == [polish]                 # the complaint's reference
    assert refs(manager, q="kubek sloman") == []               # every word must match
    assert refs(manager, q="  ,;* ") == refs(manager)          # no words: the plain queue


def test_customer_messages_are_found_through_tracking_and_email(app, staff):
    filed = complaints.file(description="Late delivery")
    tracking.add_customer_message(filed.tracking_token, "Kurýr přišel s rozbitou krabicí", now=NOW)
    assert refs(staff.manager, q="kuryr rozbitou") == [filed.complaint.reference]


def test_search_is_ranked_subject_before_description(app, staff):
    in_text = complaints.file(description="The kettle stopped; also the toaster").complaint.reference
    in_subject = complaints.file(subject="Toaster broken", description="It sparks").complaint.reference
    assert refs(staff.manager, q="toaster") == [in_subject, in_text]


def test_an_agent_never_finds_another_agents_complaint(app, staff):
    mine = complaints.file(description="Broken umbrella one").complaint.reference
    theirs = complaints.file(description="Broken umbrella two").complaint.reference
    unowned = complaints.file(description="Broken umbrella three").complaint.reference
    actions.assign_owner(mine, staff.agent.email, actor=staff.agent, now=NOW)
    actions.assign_owner(theirs, staff.other_agent.email, actor=staff.other_agent, now=NOW)
    assert sorted(refs(staff.agent, q="umbrella")) == sorted([mine, unowned])
    assert count_matching(staff.agent, QueueFilter(q="umbrella"), now=NOW) == (2, False)
    assert count_matching(staff.manager, QueueFilter(q="umbrella"), now=NOW) == (3, False)
    assert refs(staff.agent, q="umbrella", owner=staff.other_agent.email) == []


def test_an_agents_search_follows_a_reassignment(app, staff):
    """PostgreSQL keeps the owner in the search row (the GIN's access path for the rule): an
    assignment moves the complaint between agents' results at once, the words unchanged."""
    ref = complaints.file(description="Dented saucepan").complaint.reference
    assert refs(staff.agent, q="saucepan") == [ref] and refs(staff.agent, q="saucepan", owner="none") == [ref]
    actions.assign_owner(ref, staff.other_agent.email, actor=staff.manager, now=NOW)
    assert refs(staff.agent, q="saucepan") == [] and refs(staff.other_agent, q="saucepan", owner="me") == [ref]
    assert refs(staff.manager, q="saucepan", owner=staff.other_agent.email) == [ref]
    actions.assign_owner(ref, staff.agent.email, actor=staff.manager, now=NOW)
    assert refs(staff.agent, q="saucepan") == [ref] and refs(staff.other_agent, q="saucepan") == []
    assert refs(staff.agent, q="saucepan", owner="none") == [] and refs(staff.agent, q="saucepan", owner="me") == [ref]


def test_search_combines_with_filters(app, staff):
    urgent = complaints.file(description="Leaking fridge").complaint.reference
    complaints.file(description="Leaking freezer")
    actions.change_priority(urgent, "urgent", actor=staff.manager, now=NOW)
    assert refs(staff.manager, q="leaking", priority="urgent") == [urgent]
    assert refs(staff.manager, q="leaking", status="resolved") == []


def test_erased_text_is_no_longer_found(app, staff):
    from customers.privacy import erase_customer

    filed = complaints.file(description="Ring the bell twice", name="Zofia Wrona", email="zofia@example.com")
    actions.resolve(filed.complaint.reference, "Done", "other", actor=staff.manager, now=NOW)
    erase_customer(filed.complaint.customer_id, actor=staff.admin, now=NOW)
    assert refs(staff.manager, q="wrona", status="all") == []
    assert refs(staff.manager, q="zofia", status="all") == []


@pytest.mark.parametrize("sort", [s for s in SORTS if s != "relevance"])
def test_every_sort_pages_through_all_complaints_once_and_in_order(app, staff, sort):
    for i in range(7):
        reference = complaints.file(NOW - timedelta(hours=i * 5), description=f"Parcel {i}").complaint.reference
        if i % 3 == 0:
            actions.change_priority(reference, ("urgent", "high", "low")[i % 3 if i else 0], actor=staff.manager,
                                    now=NOW - timedelta(hours=i))
    expected = [c.reference for c in queue_page(staff.manager, QueueFilter(sort=sort), now=NOW, limit=100)[0]]
    seen, cursor = [], None
    while True:
        page, cursor = queue_page(staff.manager, QueueFilter(sort=sort), now=NOW, limit=2, cursor=cursor)
        seen += [c.reference for c in page]
        if cursor is None:
            break
    assert seen == expected and len(set(seen)) == 7
    rows = queue_page(staff.manager, QueueFilter(sort=sort), now=NOW, limit=100)[0]
    column, descending = SORTS[sort]
    keys = [(getattr(c, column.key), c.id) for c in rows]
    if sort == "priority":
        keys = [(queries.PRIORITIES.index(c.priority), c.resolution_due_at, c.id) for c in rows]
        assert keys == sorted(keys)
    else:
        assert keys == sorted(keys, reverse=descending)


def test_relevance_pages_by_position_and_refuses_a_bad_cursor(app, staff):
    for i in range(5):
        complaints.file(description=f"Scratched table number {i}")
    first, cursor = queue_page(staff.manager, QueueFilter(q="scratched"), now=NOW, limit=3)
    second, end = queue_page(staff.manager, QueueFilter(q="scratched"), now=NOW, limit=3, cursor=cursor)
    assert (len(first), len(second), end) == (3, 2, None)
    assert not {c.id for c in first} & {c.id for c in second}
    for bad in ("x", "0", "99999", "2027-01-01T00:00:00_1"):
        with pytest.raises(ServiceError):
            queue_page(staff.manager, QueueFilter(q="scratched"), now=NOW, cursor=bad)
    with pytest.raises(ServiceError):
        queue_page(staff.manager, QueueFilter(sort="priority"), now=NOW, cursor="critical_2027-01-01T00:00:00_1")


def test_totals_are_exact_from_counters_or_counted_up_to_a_cap(app, staff):
    for i in range(4):
        complaints.file(description=f"Dent {i}")
    assert count_matching(staff.manager, QueueFilter(), now=NOW) == (4, False)
    assert count_matching(staff.manager, QueueFilter(priority="normal"), now=NOW) == (4, False)
    assert count_matching(staff.manager, QueueFilter(priority="normal"), now=NOW, cap=3) == (3, True)


def test_a_whole_email_address_finds_that_contact_only(app, staff):
    exact = complaints.file(description="Cracked lid", email="Customer1@Mail1.example").complaint.reference
    complaints.file(description="Cracked lid", email="customer12@mail12.example")
    complaints.file(description="Wrote from customer1@mail1.example too")  # in the text, not the contact
    assert refs(staff.manager, q=" customer1@mail1.EXAMPLE ") == [exact]
    assert count_matching(staff.manager, QueueFilter(q="customer1@mail1.example"), now=NOW) == (1, False)
    assert refs(staff.agent, q="customer1@mail1.example") == [exact]  # unowned: visible to agents
    actions.assign_owner(exact, staff.other_agent.email, actor=staff.other_agent, now=NOW)
    assert refs(staff.agent, q="customer1@mail1.example") == []


@pytest.mark.parametrize("first_look, walk_us, walks", [(1, 0.0, 2), (1, 1e9, 2), (1000, 0.0, 2), (1, 0.0, 1),
                                                     (1, 0.0, 0), (2, 1e9, 1), (2, 0.0, 1)])
def test_search_ranks_the_newest_matches_the_viewer_may_see(app, staff, monkeypatch, first_look, walk_us, walks):
    """The window: the newest MAX_SEARCH_RESULTS visible matches, ranked; past it "more than"
    (PostgreSQL reads it in steps — first look, then a walk or a bounded bitmap as the cost model
    says, then a bitmap over the rest: each path is taken, for the manager over all complaints,
    for an agent over the visible owners' ones)."""
    monkeypatch.setattr(queries, "MAX_SEARCH_RESULTS", 3)
    monkeypatch.setattr(queries, "FIRST_LOOK", first_look)
    monkeypatch.setattr(queries, "WALK_US", walk_us)
    monkeypatch.setattr(queries, "RANGE_MARGIN", 1)
    monkeypatch.setattr(queries, "OWNERS_FIRST_LOOK", first_look)
    monkeypatch.setattr(queries, "OWNERS_WALK_US", walk_us)
    monkeypatch.setattr(queries, "OWNERS_WALKS", walks)
    filed = [complaints.file(description=f"Wobbly chair {i}").complaint for i in range(6)]
    taken = filed[4]
    actions.assign_owner(taken.reference, staff.other_agent.email, actor=staff.other_agent, now=NOW)
    complaints.file(description="Stool only")
    subject_match = complaints.file(subject="Wobbly", description="A chair").complaint
    manager_page, cursor, total, capped = queries.queue_page_with_total(staff.manager, QueueFilter(q="wobbly"), now=NOW)
    assert [c.id for c in manager_page] == [subject_match.id, filed[5].id, taken.id]  # newest 3, subject first
    assert (total, capped, cursor) == (3, True, None)
    assert count_matching(staff.manager, QueueFilter(q="wobbly"), now=NOW) == (3, True)
    agent_page, _cursor, total, capped = queries.queue_page_with_total(staff.agent, QueueFilter(q="wobbly"), now=NOW)
    assert [c.id for c in agent_page] == [subject_match.id, filed[5].id, filed[3].id]  # never the taken one
    assert (total, capped) == (3, True)
    first, cursor = queue_page(staff.agent, QueueFilter(q="wobbly"), now=NOW, limit=2)
    second, end = queue_page(staff.agent, QueueFilter(q="wobbly"), now=NOW, limit=2, cursor=cursor)
    assert [c.id for c in first + second] == [c.id for c in agent_page] and end is None
    theirs = QueueFilter(q="wobbly", owner=staff.other_agent.email)
    assert count_matching(staff.agent, theirs, now=NOW) == (0, False)  # another agent's: not even counted
    assert count_matching(staff.manager, theirs, now=NOW) == (1, False)
