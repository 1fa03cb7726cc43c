"""Parts outside Python that some tests need (PostgreSQL, Redis, Chromium, Dovecot, a test-only
package). On a developer's machine a missing part skips the test with the reason; under CI
(`CI=true`, where every part is provided) a missing part fails the test instead of hiding it."""
from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(reason: str):
    """Skip for `reason`, or fail under CI."""
    __tracebackhide__ = True  # report the test that needed the part, not this line
    if in_ci():
        pytest.fail(f"{reason} — CI=true provides every external part, so this is a failure", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def require_module(name: str, reason: str):
    """`pytest.importorskip`, except that under CI a missing module fails."""
    __tracebackhide__ = True
    try:
        return __import__(name, fromlist=["_"])
    except ImportError:
        missing(reason)
