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
