"""Staff session lifetime, enforced on the server for every request.

A session carries when it signed in (`auth_at`) and when it was last used (`seen_at`), both as
Unix seconds inside the signed cookie. A session idle for longer than SESSION_IDLE_SECONDS, or
older than SESSION_ABSOLUTE_SECONDS, is cleared before the view runs, whatever the cookie's
own expiry says. Ending sessions on other devices (logout everywhere, password change,
disable) is StaffUser.session_version, checked by the user loader.
"""
from __future__ import annotations

import time

from flask import current_app, g, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import logout_user

# Seconds of `seen_at` drift we do not rewrite the cookie for: most requests then leave the
# cookie untouched instead of sending a new Set-Cookie every time.
_TOUCH_GRANULARITY = 15


def _now() -> int:
    return int(time.time())


def start(now: int | None = None) -> None:
    """Called right after login_user: the clocks of a fresh session."""
    now = now if now is not None else _now()
    session["auth_at"] = now
    session["seen_at"] = now
    session.permanent = True


def expired(now: int) -> bool:
    config = current_app.config
    auth_at, seen_at = session.get("auth_at"), session.get("seen_at")
    if not isinstance(auth_at, int) or not isinstance(seen_at, int):
        return True  # a login session without clocks predates this check: sign in again
    return now - seen_at > config["SESSION_IDLE_SECONDS"] or now - auth_at > config["PERMANENT_SESSION_LIFETIME"]


def enforce_session_lifetime() -> None:
    """before_request: end an idle or too old staff session; otherwise note this use."""
    if "_user_id" not in session:
        return
    now = _now()
    if expired(now):
        logout_user()
        session.clear()
        g.session_expired = True
        return
    if now - session["seen_at"] >= _TOUCH_GRANULARITY:
        session["seen_at"] = now


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built only for a request that
    carries a session cookie. Flask builds it (key derivation, ~40 µs) for every request first;
    a public submission or an API call with a token has no cookie and needs none."""

    def open_session(self, app, request):
        if not request.cookies.get(self.get_cookie_name(app)):
            if not app.secret_key:  # as Flask: no key, no session (its error says so)
                return None
            return self.session_class()
        return super().open_session(app, request)
