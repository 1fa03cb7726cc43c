"""Schemathesis against /api/v1/openapi.json through the WSGI app: generated requests for every
operation, with and without a valid token; no 5xx, and every answer matches the document."""
from __future__ import annotations

import contextvars
import os

import pytest

from tests.support.external import require_module

schemathesis = require_module("schemathesis", "schemathesis is not installed (pip install .[test])")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,  # noqa: E402
                                               status_code_conformance)

# Thorough in CI, a quick pass on a developer's machine.
EXAMPLES = 25 if os.environ.get("CI") == "true" else 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class _Isolated:
    """Each request in a context of its own, as under a real server (no `g` shared with the test)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return contextvars.Context().run(lambda: list(self.app(environ, start_response)))


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _Isolated(app))


@pytest.fixture
def bearer(app, staff):
    from staff.tokens import issue_api_token
    from tests.security.conftest import file_complaint
    file_complaint()  # something to list and to act on
    return {"Authorization": f"Bearer {issue_api_token(staff.manager)}"}


def test_api_conforms_to_its_document(api_schema, bearer):
    """Driven through Hypothesis directly (schemathesis' pytest plugin clashes with this pytest)."""
    from hypothesis import given

    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:
        for headers in (bearer, {}):
            @given(case=operation.as_strategy())
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def run(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            run()
