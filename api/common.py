"""Shared API plumbing: bearer auth, JSON bodies, error shape, cursor pages."""
from __future__ import annotations

from datetime import date
from functools import wraps

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _

from werkzeug.exceptions import HTTPException

from extensions import csrf, db
from platform_support.parsing import bounded_date, bounded_int
from platform_support.errors import ServiceError
from platform_support.clock import utcnow
from staff import tokens


class ApiError(ServiceError):
    def __init__(self, message: str, status: int = 400, fields: dict | None = None):
        super().__init__(message, fields)
        self.status_code = status


def error_response(message: str, status: int, fields: dict | None = None):
    return jsonify({"error": message, "fields": fields or {}}), status


def _token_guessing_blocked(*, failed: bool) -> bool:
    """Failed bearer tokens count per client address (shared through Redis when configured);
    past API_AUTH_RATE_LIMIT the API answers 429 without looking at the token."""
    from flask import current_app
    from flask_limiter.util import get_remote_address
    from limits import parse_many

    from extensions import limiter

    if not limiter.enabled:
        return False
    items = parse_many(current_app.config["API_AUTH_RATE_LIMIT"])
    key = ("api-auth-failure", get_remote_address())
    if failed:
        return not all([limiter.limiter.hit(item, *key) for item in items])
    return not all(limiter.limiter.test(item, *key) for item in items)


def staff_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if _token_guessing_blocked(failed=False):
            return error_response(_("Too many failed attempts. Try again later."), 429)
        header = request.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        api_token = tokens.authenticate_token(token.strip(), now=utcnow()) if scheme.lower() == "bearer" else None
        if api_token is None:
            _token_guessing_blocked(failed=True)
            response = error_response(_("A valid API token is required (Authorization: Bearer …). "
                                        "Unknown, expired and revoked tokens are refused."), 401)
            response[0].headers["WWW-Authenticate"] = 'Bearer realm="api"'
            return response
        db.session.commit()  # records last_used_at (at most once a minute per token)
        if not tokens.allows(api_token, request.method):
            response = error_response(_("This API token is read-only: it may only read (GET). "
                                        "Use a read-write token to change data."), 403)
            response[0].headers["WWW-Authenticate"] = 'Bearer realm="api", error="insufficient_scope", scope="write"'
            return response
        g.api_token = api_token
        g.api_user = api_token.staff_user
        return view(*args, **kwargs)
    return wrapped


def json_body() -> dict:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # "[[[[…" nested deeper than the parser's stack: bad input, not a 500
        body = None
    if not isinstance(body, dict):
        raise ApiError(_("Send a JSON object with Content-Type: application/json."))
    return body


def text_field(body: dict, name: str, *, required: bool = False, max_length: int = 20_000) -> str:
    value = body.get(name)
    if value is None:
        if required:
            raise ApiError(_("Missing field."), fields={name: [_("This field is required.")]})
        return ""
    if not isinstance(value, str):
        raise ApiError(_("Wrong type."), fields={name: [_("Must be a string.")]})
    if "\x00" in value:
        raise ApiError(_("Invalid characters."), fields={name: [_("Must not contain NUL characters.")]})
    if len(value) > max_length:
        raise ApiError(_("Too long."), fields={name: [_("At most %(n)d characters.", n=max_length)]})
    if required and not value.strip():
        raise ApiError(_("Missing field."), fields={name: [_("This field is required.")]})
    return value


def date_field(body: dict, name: str, *, required: bool = False) -> date | None:
    value = body.get(name)
    if value in (None, ""):
        if required:
            raise ApiError(_("Missing field."), fields={name: [_("This field is required.")]})
        return None
    if not isinstance(value, str):
        raise ApiError(_("Wrong type."), fields={name: [_("Use a date like 2027-01-31.")]})
    try:
        return bounded_date(value)
    except ValueError:
        raise ApiError(_("Invalid date."), fields={name: [_("Use a date like 2027-01-31.")]}) from None


def int_field(body: dict, name: str, *, default: int = 0) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(_("Wrong type."), fields={name: [_("Must be a whole number.")]})
    return value


def version_field(body: dict) -> int | None:
    """`version`: the complaint version the client last read (optional). A different current
    version is a 409 with what changed, instead of an action on an outdated view."""
    value = body.get("version")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or bounded_int(value, minimum=1) is None:
        raise ApiError(_("Wrong type."), fields={"version": [_("Must be the whole number `version` of the complaint.")]})
    return value


def limit_arg(default: int = 50, maximum: int = 200) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return default
    value = bounded_int(raw, minimum=1, maximum=maximum)
    if value is None:
        raise ApiError(_("Invalid limit."), fields={"limit": [_("A whole number from 1 to %(n)d.", n=maximum)]})
    return value


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under /api/v1 with the API's error shape; CSRF-exempt because it is
    authenticated by bearer tokens, not cookies."""
    blueprint = Blueprint(name, import_name, url_prefix="/api/v1")
    csrf.exempt(blueprint)

    @blueprint.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        db.session.rollback()
        return error_response(exc.message, exc.status_code, exc.fields)

    @blueprint.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return error_response(exc.description or exc.name, exc.code or 400)

    return blueprint
