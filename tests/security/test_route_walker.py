"""Every registered route, as anonymous, agent and admin, with every class of bad input: no 5xx.

The walker does not keep a hand-written list of what each view reads. It first calls every route
once with good values and records which query arguments, form fields and JSON keys the view
looked at (a recording MultiDict / dict); then it sends each class of bad input to exactly
those names: non-ASCII and huge numbers, NUL, lone surrogates, dates at the calendar's limits,
oversize strings and wrong JSON types. URL parameters get ids beyond the column range and
non-ASCII digits. Every answer must be below 500; all failures are reported at once.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from tests.support.clock import NOW
from tests.support.staff import StaffAccounts

SEEN: dict[str, set] = defaultdict(set)  # "args" / "form" / "json" -> names a view read


class RecordingArgs(ImmutableMultiDict):
    """Query arguments and form fields that remember which names the view asked for."""
    kind = "args"

    def _note(self, key):
        if isinstance(key, str):
            SEEN["params"].add(key)

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        self._note(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)


class RecordingJSON(dict):
    def get(self, key, default=None):
        SEEN["json"].add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        SEEN["json"].add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        SEEN["json"].add(key)
        return super().__contains__(key)


def _recording(value):
    if isinstance(value, dict):
        return RecordingJSON({key: _recording(child) for key, child in value.items()})
    if isinstance(value, list):
        return [_recording(child) for child in value]
    return value


BAD_NUMBERS = ["²", "١٢", "-1", "1e9", "0x1f", str(2**31), str(2**63), "9" * 40]
BAD_DATES = ["0001-01-01", "9999-12-31", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00",
             "²⁰²⁶-01-01", "2026-02-30"]
BAD_QUARTERS = ["0000Q1", "9999Q4", "²⁰²⁶Q1", "2026Q9"]
BAD_TEXT = ["A" * 300_000, "<script>alert(1)</script>", "%", "'; --", " "]
BAD_QUERY_VALUES = BAD_NUMBERS + BAD_DATES + BAD_QUARTERS + BAD_TEXT[:1] + ["", "x" * 5000]
BAD_FORM_VALUES = BAD_NUMBERS[:4] + BAD_DATES[:3] + BAD_TEXT
# JSON can carry what a form cannot: NUL, a lone surrogate, any type.
BAD_JSON_VALUES = ["\x00", "x\x00y", "\ud800", "\udfff tail", None, 0, -1, 2**64, -(2**63) - 1, 1.5,
                   float("1e308"), True, [], ["a"], {}, {"$ne": None}, "A" * 300_000] + BAD_DATES[:4] + BAD_NUMBERS[:2]
BAD_URL_INTS = [str(2**31), str(2**63), "9" * 30]
BAD_URL_STRINGS = ["²", "C-" + "9" * 40, "x" * 2000, "..%2f..%2fetc"]

DATA_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def app_settings():
    # The walker exercises validation, not CSRF or rate limits (both have their own tests).
    return {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}


@pytest.fixture
def walker_app(app):
    class RecordingRequest(app.request_class):
        parameter_storage_class = RecordingArgs

    app.request_class = RecordingRequest
    provider = type(app.json)

    class RecordingJSONProvider(provider):  # the app's own checks first, then the recording
        def loads(self, s, **kwargs):
            return _recording(super().loads(s, **kwargs))

    app.json = RecordingJSONProvider(app)
    return app


def _seed(app, runner):
    """Realistic data for every page (the demo seeder), plus a complaint filed through the API
    whose tracking link we hold, and the raw tokens found in the outbox."""
    result = runner.invoke(args=["demo", "seed", "--customers", "20", "--now", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    response = client.post("/api/v1/complaints", json={
        "name": "Walker Test", "email": "walker@example.com", "description": "Route walker complaint."})
    assert response.status_code == 201, response.get_data(as_text=True)
    tracking = response.get_json()["tracking_url"]
    from extensions import db
    import sqlalchemy as sa
    tables = db.metadata.tables
    outbox = tables["outbox_messages"]
    text = next(c for c in outbox.c if c.name in ("text_body", "body_text", "text"))
    bodies = " ".join(db.session.execute(sa.select(text)).scalars())
    survey = re.search(r"/survey/([\w-]{20,})", bodies)
    return {"track": tracking.split("/track/")[1], "survey": survey.group(1) if survey else "x" * 43}


def _first(table_name: str, column: str = "id"):
    from extensions import db
    import sqlalchemy as sa
    table = db.metadata.tables.get(table_name)
    if table is None or column not in table.c:
        return None
    value = db.session.execute(sa.select(table.c[column]).limit(1)).scalar()
    return None if value is None else str(value)


def _good_values(rule, tokens) -> dict:
    """A real value for every URL parameter of a rule (ids of rows that exist)."""
    by_name = {
        "reference": lambda: _first("complaints", "reference"),
        "customer_id": lambda: _first("customers"),
        "organisation_id": lambda: _first("organisations"),
        "user_id": lambda: _first("staff_users"),
        "message_id": lambda: _first("outbox_messages") or _first("outbox"),
        "survey_id": lambda: _first("surveys"),
        "question_id": lambda: _first("survey_questions"),
        "alert_id": lambda: _first("survey_alerts") or _first("alerts"),
        "task_id": lambda: _first("follow_up_tasks") or _first("tasks"),
        "rule_id": lambda: _first("priority_rules"),
        "endpoint_id": lambda: _first("webhook_endpoints"),
        "attachment_id": lambda: _first("attachments"),
        "canned_id": lambda: _first("canned_responses"),
        "stored_name": lambda: _first("attachments", "stored_name"),
        "external_id": lambda: _first("customers", "external_id"),
        "code": lambda: _first("root_causes", "code"),
        "name": lambda: "complaints_over_time",
        "kind": lambda: "complaints",
        "filename": lambda: "app.css",
    }
    values = {}
    for argument in rule.arguments:
        if argument == "token":
            values[argument] = tokens["survey"] if rule.rule.startswith("/survey") else tokens["track"]
            continue
        maker = by_name.get(argument)
        values[argument] = (maker() if maker else None) or "1"
    return values


def _path(rule, values) -> str:
    path = rule.rule
    for argument, value in values.items():
        path = re.sub(r"<(?:[^:<>]+:)?%s>" % re.escape(argument), str(value), path)
    return path


def _int_arguments(rule) -> set[str]:
    return {name for name, converter in rule._converters.items() if type(converter).__name__ in ("IntegerConverter", "BoundedIntegerConverter")}


def _walk(app, client, headers, tokens, failures, who, login=None):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in ("static", "staff.logout"):
            continue
        if login is not None:
            login()  # an earlier request may have ended the session (bad input to an account form)
        good = _good_values(rule, tokens)
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        # URL parameters beyond the column range or with non-ASCII digits.
        for argument in rule.arguments:
            bad_values = BAD_URL_INTS if argument in _int_arguments(rule) else BAD_URL_STRINGS
            for bad in bad_values:
                path = _path(rule, {**good, argument: bad})
                for method in methods:
                    response = client.open(path, method=method, headers=headers)
                    if response.status_code >= 500:
                        failures.append(f"{who} {method} {path[:120]} -> {response.status_code}")
        path = _path(rule, good)
        for method in methods:
            SEEN.clear()
            if method in DATA_METHODS and rule.rule.startswith("/api/"):
                response = client.open(path, method=method, headers=headers, json={"probe": "1"})
            else:
                response = client.open(path, method=method, headers=headers)
            if response.status_code >= 500:
                failures.append(f"{who} {method} {path[:120]} (good values) -> {response.status_code}")
            params, keys = set(SEEN["params"]), set(SEEN["json"])
            if method == "GET":
                for name in sorted(params):
                    for bad in BAD_QUERY_VALUES:
                        response = client.get(path, query_string={name: bad}, headers=headers)
                        if response.status_code >= 500:
                            failures.append(f"{who} GET {path[:80]}?{name}={bad[:30]!r} -> {response.status_code}")
            elif rule.rule.startswith("/api/"):
                for name in sorted(keys - {"probe"}) or []:
                    for bad in BAD_JSON_VALUES:
                        body = json.dumps({name: bad})
                        response = client.open(path, method=method, headers={**headers, "Content-Type": "application/json"}, data=body)
                        if response.status_code >= 500:
                            failures.append(f"{who} {method} {path[:80]} {{{name}: {str(bad)[:30]!r}}} -> {response.status_code}")
                for raw in ("[]", "null", "1", '"x"', "{", '{"a": ' * 5000, "\xff"):
                    response = client.open(path, method=method, headers={**headers, "Content-Type": "application/json"}, data=raw)
                    if response.status_code >= 500:
                        failures.append(f"{who} {method} {path[:80]} raw body {raw[:20]!r} -> {response.status_code}")
            else:
                for name in sorted(params):
                    for bad in BAD_FORM_VALUES:
                        response = client.open(path, method=method, headers=headers, data={name: bad})
                        if response.status_code >= 500:
                            failures.append(f"{who} {method} {path[:80]} form {name}={bad[:30]!r} -> {response.status_code}")


def _login(client, email, password):
    response = client.post("/staff/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_every_route_with_every_class_of_bad_input_answers_below_500(walker_app, runner, staff):
    app = walker_app
    accounts = [(user.id, user.email) for user in (staff.agent, staff.admin)]
    tokens = _seed(app, runner)
    failures: list[str] = []
    from staff.tokens import issue_api_token
    from staff.models import StaffUser
    from extensions import db

    anonymous = app.test_client()
    _walk(app, anonymous, {}, tokens, failures, "anonymous")
    for user_id, _email in accounts:
        user = db.session.get(StaffUser, user_id)
        client = app.test_client()

        def login(client=client, user=user):
            if client.get("/staff/password").status_code != 200:
                _login(client, user.email, StaffAccounts.PASSWORD)

        headers = {"Authorization": f"Bearer {issue_api_token(user)}"}
        _walk(app, client, headers, tokens, failures, user.role, login)
    assert not failures, f"{len(failures)} answers of 500 or more:\n" + "\n".join(failures[:80])
