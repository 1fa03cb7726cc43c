"""A real OpenID Connect provider for the single sign-on tests, built with Authlib's server side
(AuthorizationServer + the OpenIDCode grant extension) and served over HTTP on 127.0.0.1 by
werkzeug's `make_server` in a thread.

Its clients and users are kept in memory; ID tokens are signed RS256 with a key generated for
the run and published at /jwks. The authorization endpoint approves at once as the configured
user (`provider.sign_in_as(...)`), as a provider would after its own login and consent pages.
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, jsonify
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

from tests.support.mail import free_port


@dataclass
class ProviderUser:
    sub: str
    email: str
    email_verified: bool = True
    name: str = "SSO User"


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        allowed = {"openid", "email", "profile"}
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret or "", self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post") if endpoint == "token" else True

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: ProviderUser
    nonce: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


class OIDCProvider:
    """Start with `OIDCProvider()`, register our app's callback with `add_client`, choose who is
    signed in with `sign_in_as`, `close()` at the end."""

    def __init__(self):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.current_user: ProviderUser | None = None
        self.token_requests = 0
        self.app = self._build_app()
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add_client(self, redirect_uri: str) -> Client:
        client = Client(client_id=secrets.token_hex(8), client_secret=secrets.token_urlsafe(24),
                        redirect_uris=[redirect_uri])
        self.clients[client.client_id] = client
        return client

    def sign_in_as(self, email: str, *, verified: bool = True, name: str = "SSO User") -> None:
        self.current_user = ProviderUser(sub=f"user-{secrets.token_hex(4)}", email=email, email_verified=verified,
                                         name=name)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def _build_app(self) -> Flask:
        provider = self
        app = Flask("test_oidc_provider")
        app.config["OAUTH2_ERROR_URIS"] = []

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                provider.codes[code] = AuthorizationCode(
                    code=code, client_id=request.client.get_client_id(), redirect_uri=request.payload.redirect_uri,
                    scope=request.scope, user=request.user, nonce=request.payload.data.get("nonce"))

            def query_authorization_code(self, code, client):
                item = provider.codes.get(code)
                return item if item is not None and item.client_id == client.get_client_id() else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.user

        class ProviderOpenIDCode(OpenIDCode):
            def exists_nonce(self, nonce, request):
                return any(c.nonce == nonce for c in provider.codes.values())

            def resolve_client_private_key(self, client):
                return provider.key

            def get_client_algorithm(self, client):
                return "RS256"

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": "test-key"}

            def get_client_claims(self, client):
                return {"iss": provider.issuer, "aud": [client.get_client_id()]}

            def generate_user_info(self, user, scope):
                return UserInfo(sub=user.sub, email=user.email, email_verified=user.email_verified, name=user.name)

        server = AuthorizationServer(app, query_client=lambda client_id: provider.clients.get(client_id),
                                     save_token=lambda token, request: None)
        server.register_grant(CodeGrant, [ProviderOpenIDCode(require_nonce=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify({
                "issuer": provider.issuer, "authorization_endpoint": f"{provider.issuer}/authorize",
                "token_endpoint": f"{provider.issuer}/token", "jwks_uri": f"{provider.issuer}/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]})

        @app.get("/jwks")
        def jwks():
            return jsonify({"keys": [provider.key.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize():
            # The provider's own login and consent, approved at once as the configured user.
            grant = server.get_consent_grant(end_user=provider.current_user)
            return server.create_authorization_response(grant_user=provider.current_user, grant=grant)

        @app.post("/token")
        def issue_token():
            provider.token_requests += 1
            return server.create_token_response()

        return app
