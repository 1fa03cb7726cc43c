"""Login plumbing and role checks for views."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from extensions import db, login_manager
from staff.models import StaffUser

login_manager.login_view = "staff.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    # Only a session kept on the server signs anybody in (staff.sessions): a user id inside the
    # signed anonymous cookie — forged, or left from before — is ignored.
    from staff.sessions import StaffSessionData

    if not isinstance(session._get_current_object(), StaffSessionData) or str(session.staff_user_id) != user_id:
        return None
    user = db.session.get(StaffUser, int(user_id))
    if user is None or not user.active:
        return None
    return user


def role_required(role: str):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def safe_next(target: str | None, default: str) -> str:
    """Only our own paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
