"""The Flask test client as a server and a person use it: a fresh context per request, CSRF
tokens read from the page."""
from __future__ import annotations

import contextvars
import re

from flask.testing import FlaskClient

from tests.support.staff import PASSWORD


class IsolatedClient(FlaskClient):
    """Runs every request outside the test's own app context, as a real server would: `g`, the
    logged-in user and the database session are fresh for each request instead of leaking
    from the context the test pushed."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


class Browser:
    """The Flask test client with the habits of a person: reads the form's CSRF token first."""

    def __init__(self, client):
        self.client = client

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post_form(self, page_url: str, data: dict, action: str | None = None, **kwargs):
        page = self.client.get(page_url)
        token = csrf_from(page.get_data(as_text=True))
        return self.client.post(action or page_url, data={"csrf_token": token, **data}, **kwargs)

    def login(self, user, password: str = PASSWORD):
        response = self.post_form("/staff/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response
