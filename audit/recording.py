"""Writing audit entries: the after_request hook for state-changing staff requests, and
`record(...)` for the events a hook cannot see (failed logins, logout, token issue)."""
from __future__ import annotations

import logging
from datetime import datetime

from flask import Response, current_app, g, has_request_context, request, session
from flask_login import current_user

from audit.models import AuditEntry
from extensions import db
from platform_support.clock import utcnow

log = logging.getLogger(__name__)

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


def _client() -> dict:
    if not has_request_context():
        return {"ip_address": "", "user_agent": "", "method": "", "path": ""}
    return {"ip_address": (request.remote_addr or "")[:45], "user_agent": request.user_agent.string[:300],
            "method": request.method, "path": request.path[:500]}


def _target() -> dict:
    # View arguments name the object acted on (a complaint reference, a user id); never the body.
    return {k: str(v)[:200] for k, v in ((request.view_args or {}) if has_request_context() else {}).items()}


def record(action: str, *, actor=None, actor_label: str | None = None, via: str = "session",
           target: dict | None = None, status_code: int | None = None, now: datetime | None = None) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits with its own change)."""
    entry = AuditEntry(
        occurred_at=now or utcnow(), staff_user_id=getattr(actor, "id", None),
        actor=(actor_label if actor_label is not None else getattr(actor, "email", "")) [:254],
        via=via, action=action[:100], target=target if target is not None else _target(),
        status_code=status_code, **_client())
    db.session.add(entry)
    if has_request_context():
        g.audit_recorded = True  # the hook does not write a second entry for this request
    return entry


def _acting_staff():
    api_user = g.get("api_user")
    if api_user is not None:
        return api_user, "api"
    if "_user_id" not in session and current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in request.cookies:
        return None, ""  # no staff sign-in to load (e.g. a public complaint): skip Flask-Login's user loading
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object(), "session"
    return None, ""


def record_request(response: Response) -> Response:
    """after_request: every successful state-changing request by a signed-in staff user or an API
    token leaves an entry. Runs after the view committed its change, in a transaction of its own."""
    if request.method not in STATE_CHANGING or response.status_code >= 400 or g.get("audit_recorded"):
        return response
    actor, via = _acting_staff()
    if actor is None:
        return response
    try:
        record(request.endpoint or "unknown", actor=actor, via=via, status_code=response.status_code)
        db.session.commit()
    except Exception:  # noqa: BLE001 - an audit write must not turn a done change into an error page
        db.session.rollback()
        log.exception("audit entry not written for %s %s", request.method, request.path)
    return response
