"""Pure staff rules: which new passwords are refused, when a session has timed out, TOTP steps."""
from datetime import timedelta

import pytest

from staff.passwords import MIN_PASSWORD_LENGTH, password_problem
from staff.sessions import session_state
from staff.two_factor import _matching_step, new_totp_secret, totp_code
from tests.support.customers import NOW


@pytest.mark.parametrize("password", [
    "short pass",            # under 12 characters
    "password1234",          # in the breached-password list
    "qwertyuiop12",          # keyboard walk
    "123456789012",          # sequence
    "aaaaaaaaaaaa",          # repeat
    "iloveyou2027",          # common phrase + year
    "Password123!",          # the classic "complex" one
])
def test_weak_or_common_passwords_are_refused(password):
    assert password_problem(password) is not None


def test_a_password_made_of_the_account_name_is_refused():
    assert password_problem("agnes.kowalska!") is None  # unguessable to a stranger…
    assert password_problem("agnes.kowalska!", user_inputs=("agnes.kowalska@example.com", "Agnes Kowalska")) is not None


@pytest.mark.parametrize("password", ["correct horse battery", "plum vinyl orbit kettle", "5WNZP9z1eqXyySwM"])
def test_long_uncommon_passwords_are_accepted(password):
    assert len(password) >= MIN_PASSWORD_LENGTH
    assert password_problem(password) is None


def test_session_state_takes_now():
    timeouts = {"idle_seconds": 1800, "absolute_seconds": 43200}
    began = NOW - timedelta(hours=2)
    assert session_state(began, NOW - timedelta(minutes=29), NOW, **timeouts) == "live"
    assert session_state(began, NOW - timedelta(minutes=31), NOW, **timeouts) == "idle"
    assert session_state(NOW - timedelta(hours=12, seconds=1), NOW, NOW, **timeouts) == "expired"


def test_totp_codes_match_their_step_and_one_either_side():
    secret = new_totp_secret()
    code = totp_code(secret, NOW)
    step = _matching_step(secret, code, NOW)
    assert step is not None
    assert _matching_step(secret, code, NOW + timedelta(seconds=30)) == step       # drift: one step late
    assert _matching_step(secret, code, NOW - timedelta(seconds=30)) == step       # or one early
    assert _matching_step(secret, code, NOW + timedelta(seconds=95)) is None       # too far
    assert _matching_step(secret, " ".join([code[:3], code[3:]]), NOW) == step     # "123 456" as apps show it
    for bad in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):                         # Arabic-Indic digits too
        assert _matching_step(secret, bad, NOW) is None
