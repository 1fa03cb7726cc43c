"""Single sign-on with OpenID Connect (Authlib's Flask client).

On when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set. The provider's endpoints and
keys come from `<OIDC_ISSUER>/.well-known/openid-configuration`; Authlib keeps the state and the
nonce in the visitor's session and checks both, exchanges the code over HTTPS (back channel) and
verifies the ID token's signature, issuer, audience, expiry and nonce.

Who may sign in is decided here (`staff_for_claims`): the ID token's e-mail must be verified
(`email_verified` true) and belong to an active staff account. No account is created unless
OIDC_CREATE_ACCOUNTS is on (then as an agent).
"""
from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from flask_babel import gettext as _

from platform_support.errors import ServiceError
from platform_support.tokens import new_secret
from staff import services
from staff.models import StaffUser

_EXTENSION = "staff_oidc"


def enabled(app: Flask | None = None) -> bool:
    config = (app or current_app).config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID") and config.get("OIDC_CLIENT_SECRET"))


def init_app(app: Flask) -> None:
    """One Authlib registry per app (its client caches the provider's metadata and keys)."""
    if not enabled(app):
        return
    oauth = OAuth(app)
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    oauth.register(
        "oidc", client_id=app.config["OIDC_CLIENT_ID"], client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "timeout": 10})
    app.extensions[_EXTENSION] = oauth


def client():
    oauth = current_app.extensions.get(_EXTENSION)
    return None if oauth is None else oauth.oidc


def _verified(claims: dict) -> bool:
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def staff_for_claims(claims: dict) -> StaffUser:
    """The active staff account for these ID-token claims, or ServiceError saying why not."""
    email = (claims.get("email") or "").strip().lower() if isinstance(claims.get("email"), str) else ""
    if not email or "@" not in email or len(email) > 254:
        raise ServiceError(_("The sign-in service did not tell us your e-mail address, so you cannot be signed in."))
    if not _verified(claims):
        raise ServiceError(_("The sign-in service has not verified your e-mail address %(email)s. Verify it there "
                             "first, then sign in again.", email=email))
    user = services.staff_by_email(email)
    if user is None and current_app.config.get("OIDC_CREATE_ACCOUNTS"):
        name = claims.get("name") if isinstance(claims.get("name"), str) and claims.get("name").strip() else email
        # A random password nobody knows: the account signs in through the provider (or a reset).
        user = services.create_staff(email=email, name=name[:200], role="agent", password=new_secret())
    if user is None or not user.active:
        raise ServiceError(_("There is no active staff account for %(email)s. Ask an administrator to add one.",
                             email=email))
    return user
