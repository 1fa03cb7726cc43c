"""The signed-cookie session of visitors who are not signed in (their CSRF token, language).

Signed-in staff sessions are kept on the server (staff/sessions.py builds on this class).
"""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


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
