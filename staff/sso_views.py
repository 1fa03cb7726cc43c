"""Sign-in through the OpenID provider: /staff/sso/start redirects there, /staff/sso/callback
comes back with a code; the session then begins as for a password (staff.views.finish_sign_in)."""
from __future__ import annotations

import logging

from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.common.errors import AuthlibBaseError
from joserfc.errors import JoseError
from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from requests.exceptions import RequestException

from extensions import db, limiter
from platform_support.clock import utcnow
from platform_support.errors import ServiceError
from staff import oidc, signals
from staff.auth import safe_next
from staff.views import finish_sign_in

log = logging.getLogger(__name__)
blueprint = Blueprint("staff_sso", __name__, url_prefix="/staff/sso")
_NEXT = "sso_next"


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _callback_url() -> str:
    # BASE_URL, not the Host header: the address registered at the provider.
    return current_app.config["BASE_URL"] + url_for("staff_sso.callback")


def _refused(message: str):
    flash(message, "error")
    return redirect(url_for("staff.login"))


@blueprint.app_context_processor
def sso_button() -> dict:
    """The login page's "Sign in with …" button, when single sign-on is configured."""
    return {"sso_provider": current_app.config["OIDC_PROVIDER_NAME"] if oidc.enabled() else None}


@blueprint.route("/start")
@limiter.limit(_login_limit)
def start():
    sso = oidc.client()
    if sso is None:
        abort(404)
    session[_NEXT] = safe_next(request.args.get("next"), "")
    try:
        return sso.authorize_redirect(_callback_url())  # state and nonce kept in the session
    except (RequestException, OAuthError, ValueError, KeyError):
        log.exception("OpenID provider discovery failed")
        return _refused(_("The sign-in service cannot be reached. Try again later."))


@blueprint.route("/callback")
@limiter.limit(_login_limit)
def callback():
    sso = oidc.client()
    if sso is None:
        abort(404)
    try:
        token = sso.authorize_access_token()
    except MismatchingStateError:
        return _refused(_("The sign-in could not be confirmed (it expired or did not start here). Please try again."))
    except OAuthError as error:
        log.info("OpenID sign-in refused by the provider: %s", error.error)
        return _refused(_("The sign-in service did not sign you in. Please try again."))
    except (RequestException, AuthlibBaseError, JoseError, ValueError, KeyError):
        log.exception("OpenID code exchange failed")
        return _refused(_("The sign-in service's answer could not be checked. Please try again."))
    claims = token.get("userinfo") or {}
    try:
        user = oidc.staff_for_claims(claims)
    except ServiceError as exc:
        email = claims.get("email") if isinstance(claims.get("email"), str) else ""
        signals.staff_sign_in_failed.send(current_app._get_current_object(), email=email.strip().lower()[:254])
        db.session.commit()
        return _refused(exc.message)
    next_url = session.pop(_NEXT, "") or None
    return finish_sign_in(user, method="oidc", now=utcnow(), next_url=next_url)
