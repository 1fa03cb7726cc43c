"""The complaint state machine and priorities: one explicit table, no Flask, no database.

The one definition of the states and priorities: the models' CHECK constraints and partial
indexes, the queries, the templates, the API and its OpenAPI document all take them from here.

States follow seed 003's steps: a complaint arrives (`new`), someone owns it (`assigned`),
facts are established and the customer is kept informed (`in_progress`) — or asked for
something and we wait for the answer (`waiting`, still open) —, it is settled with a root cause
(`resolved`) and finally `closed`. Resolved or closed complaints can be reopened.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATES = ("new", "assigned", "in_progress", "waiting", "resolved", "closed")
CLOSED_STATES = ("resolved", "closed")
OPEN_STATES = tuple(state for state in STATES if state not in CLOSED_STATES)

STATE_LABELS = {
    "new": _l("New"),
    "assigned": _l("Assigned"),
    "in_progress": _l("In progress"),
    "waiting": _l("Waiting for the customer"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}

# Most urgent first: the order of every list, form and chart.
PRIORITIES = ("urgent", "high", "normal", "low")
PRIORITY_LABELS = {"urgent": _l("Urgent"), "high": _l("High"), "normal": _l("Normal"), "low": _l("Low")}

# action -> {from_state: to_state}. Anything absent is refused.
TRANSITIONS: dict[str, dict[str, str]] = {
    "assign":            {"new": "assigned", "assigned": "assigned", "in_progress": "in_progress",
                          "waiting": "waiting", "resolved": "resolved"},
    "record_fact":       {"new": "new", "assigned": "assigned", "in_progress": "in_progress", "waiting": "waiting"},
    "internal_note":     {s: s for s in STATES},
    "progress_update":   {"new": "in_progress", "assigned": "in_progress", "in_progress": "in_progress",
                          "waiting": "in_progress"},
    # A public progress update that asks the customer something: the complaint waits for the answer.
    "wait_for_customer": {"new": "waiting", "assigned": "waiting", "in_progress": "waiting", "waiting": "waiting"},
    "commit_action":     {"new": "in_progress", "assigned": "in_progress", "in_progress": "in_progress",
                          "waiting": "in_progress"},
    "change_priority":   {"new": "new", "assigned": "assigned", "in_progress": "in_progress", "waiting": "waiting"},
    # The customer's answer takes a waiting complaint back to work.
    "customer_message":  {"new": "new", "assigned": "assigned", "in_progress": "in_progress",
                          "waiting": "in_progress", "resolved": "resolved"},
    "resolve":           {"new": "resolved", "assigned": "resolved", "in_progress": "resolved", "waiting": "resolved"},
    "reopen":            {"resolved": "in_progress", "closed": "in_progress"},
    "close":             {"resolved": "closed"},
}

ACTION_LABELS = {
    "assign": _l("assign an owner"),
    "record_fact": _l("record a fact"),
    "internal_note": _l("add an internal note"),
    "progress_update": _l("post a progress update"),
    "wait_for_customer": _l("put on hold for the customer's answer"),
    "commit_action": _l("commit to an action"),
    "change_priority": _l("change the priority"),
    "customer_message": _l("add information"),
    "resolve": _l("resolve"),
    "reopen": _l("reopen"),
    "close": _l("close"),
}

# Actions through which staff answer the customer: the first one stops the first-response clock.
CUSTOMER_FACING_ACTIONS = frozenset({"assign", "progress_update", "wait_for_customer", "commit_action", "resolve"})


class IllegalTransition(Exception):
    def __init__(self, action: str, state: str):
        super().__init__(action, state)
        self.action = action
        self.state = state

    def __str__(self) -> str:  # a clear, translatable message for staff and API clients
        from flask_babel import gettext
        return gettext("You cannot %(action)s a complaint that is %(state)s.",
                       action=ACTION_LABELS.get(self.action, self.action),
                       state=STATE_LABELS.get(self.state, self.state))


def next_state(state: str, action: str) -> str:
    """The state after `action`, or IllegalTransition."""
    try:
        return TRANSITIONS[action][state]
    except KeyError:
        raise IllegalTransition(action, state) from None


def allowed_actions(state: str) -> list[str]:
    return [action for action, moves in TRANSITIONS.items() if state in moves]
