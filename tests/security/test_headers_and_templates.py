"""Security headers on every response, HSTS only over HTTPS, and templates that need no inline
script or style (so the strict CSP holds)."""
import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _assert_strict_headers(response):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/complain", "/staff/login", "/track/" + "x" * 43, "/api/v1/openapi.json",
                                  "/no-such-page", "/static/css/app.css"])
def test_every_response_has_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code < 500
    _assert_strict_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS means nothing


def test_error_responses_have_them_too(client):
    response = client.post("/complain", data={"name": "x"})  # no CSRF token: 400
    assert response.status_code == 400
    _assert_strict_headers(response)


def test_hsts_over_https(client):
    response = client.get("/complain", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_staff_pages_have_them_when_signed_in(browser, staff):
    browser.login(staff.admin)
    for path in ("/staff/complaints/", "/staff/accounts", "/admin/audit/", "/admin/webhooks/"):
        response = browser.get(path)
        assert response.status_code == 200, path
        _assert_strict_headers(response)


_INLINE = [
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style[\s>]", re.I), "<style> element"),
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_page_templates_have_no_inline_script_or_style():
    """CSP forbids them, so they would silently not work. E-mail templates are exempt (mail
    clients need inline style and never see our CSP)."""
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        if "emails" in template.relative_to(TEMPLATES).parts:
            continue
        text = template.read_text(encoding="utf-8")
        for pattern, what in _INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{template.relative_to(TEMPLATES)}:{line}: {what}")
    assert not offenders, "\n".join(offenders)
