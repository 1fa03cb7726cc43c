"""Security headers on every response."""
from __future__ import annotations

from flask import Response, abort, current_app, request
from flask_babel import gettext as _

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


# Staff pages, admin pages, exports and the API answer with personal data: never kept by a
# browser's or a proxy's cache (the public tracking and survey pages set it themselves).
_PRIVATE_PREFIXES = ("/staff", "/admin", "/api/")


def apply_security_headers(response: Response) -> Response:
    headers = response.headers
    if request.path.startswith(_PRIVATE_PREFIXES):
        headers["Cache-Control"] = "no-store"
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure or current_app.config["BASE_URL"].startswith("https://"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_nul_characters() -> None:
    """before_request: a NUL in the path, a query or form key or value is never text a person
    typed, and PostgreSQL cannot store or compare it (the statement would fail as a 500):
    refuse it up front with a 400."""
    sources = [request.args]
    # Only form bodies have form fields (for a JSON body, request.form would only be set up empty).
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in _FORM_TYPES:
        sources.append(request.form)
    hostile = "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for source in sources for key, value in source.items(multi=True))
    if hostile:
        abort(400, description=_("The form contains characters that cannot be accepted (NUL)."))
