import pytest

from complaints import lifecycle


def test_every_transition_goes_between_known_states():
    for action, moves in lifecycle.TRANSITIONS.items():
        for before, after in moves.items():
            assert before in lifecycle.STATES and after in lifecycle.STATES, action


@pytest.mark.parametrize("state,action,expected", [
    ("new", "assign", "assigned"),
    ("assigned", "progress_update", "in_progress"),
    ("new", "progress_update", "in_progress"),
    ("in_progress", "resolve", "resolved"),
    ("new", "resolve", "resolved"),
    ("resolved", "reopen", "in_progress"),
    ("closed", "reopen", "in_progress"),
    ("resolved", "close", "closed"),
    ("in_progress", "record_fact", "in_progress"),
    ("closed", "internal_note", "closed"),
])
def test_allowed_transitions(state, action, expected):
    assert lifecycle.next_state(state, action) == expected


@pytest.mark.parametrize("state,action", [
    ("new", "close"), ("in_progress", "close"), ("new", "reopen"), ("resolved", "resolve"),
    ("closed", "assign"), ("closed", "customer_message"), ("resolved", "record_fact"), ("closed", "progress_update"),
])
def test_illegal_transitions_are_refused(state, action):
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.next_state(state, action)


def test_allowed_actions_lists_only_actions_from_the_table():
    assert "close" in lifecycle.allowed_actions("resolved")
    assert "close" not in lifecycle.allowed_actions("new")
    assert lifecycle.allowed_actions("closed") == ["internal_note", "reopen"]


@pytest.mark.parametrize("state,action,expected", [
    ("new", "wait_for_customer", "waiting"),
    ("assigned", "wait_for_customer", "waiting"),
    ("in_progress", "wait_for_customer", "waiting"),
    ("waiting", "customer_message", "in_progress"),
    ("waiting", "progress_update", "in_progress"),
    ("waiting", "resolve", "resolved"),
    ("waiting", "internal_note", "waiting"),
    ("waiting", "record_fact", "waiting"),
    ("waiting", "assign", "waiting"),
    ("waiting", "change_priority", "waiting"),
])
def test_waiting_for_the_customer(state, action, expected):
    assert lifecycle.next_state(state, action) == expected


@pytest.mark.parametrize("state", ["resolved", "closed"])
def test_only_an_open_complaint_waits_for_the_customer(state):
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.next_state(state, "wait_for_customer")
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.next_state("waiting", "close")


def test_waiting_is_open_and_every_state_has_a_label():
    assert "waiting" in lifecycle.OPEN_STATES
    assert set(lifecycle.OPEN_STATES) | set(lifecycle.CLOSED_STATES) == set(lifecycle.STATES)
    assert not set(lifecycle.OPEN_STATES) & set(lifecycle.CLOSED_STATES)
    assert set(lifecycle.STATE_LABELS) == set(lifecycle.STATES)
    assert set(lifecycle.PRIORITY_LABELS) == set(lifecycle.PRIORITIES)
    assert set(lifecycle.ACTION_LABELS) == set(lifecycle.TRANSITIONS)
