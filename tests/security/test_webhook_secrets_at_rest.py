"""Webhook signing secrets are encrypted at rest (platform_support/encryption.py): the raw column
never holds the secret, signatures still verify, keys rotate (newest first), and the migration
encrypts rows written before it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken

from platform_support import encryption
from tests.security.conftest import file_complaint
from tests.support.clock import NOW
from webhooks import signing
from webhooks.delivery import deliver_webhooks
from webhooks.models import WebhookEndpoint
from webhooks.services import create_endpoint, reencrypt_secrets

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
ENCRYPTING = "0010_webhooks_encrypted_secrets"  # the migration that encrypts existing rows


def _raw_secrets(db_session) -> list[str]:
    db_session.rollback()
    return list(db_session.execute(sa.text("SELECT secret FROM webhook_endpoints ORDER BY id")).scalars())


@pytest.mark.parametrize("app_settings", [{"WEBHOOK_ALLOW_PRIVATE": True}])
def test_the_column_holds_no_plain_secret_and_signatures_still_verify(app, receiver, db_session):
    _endpoint, secret = create_endpoint(url=receiver.url, events=["complaint.created"])
    [raw] = _raw_secrets(db_session)
    assert secret not in raw and raw.startswith(encryption.FERNET_PREFIX)
    # No key configured: the one derived from SECRET_KEY with HKDF opens it.
    assert Fernet(encryption.derived_key(app.config["SECRET_KEY"])).decrypt(raw.encode()).decode() == secret
    assert db_session.query(WebhookEndpoint).one().secret == secret
    file_complaint()
    assert deliver_webhooks(now=NOW).delivered == 1
    [request] = receiver.requests
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert signing.verify(secret, int(headers["x-webhook-timestamp"]), request["body"], headers["x-webhook-signature"])


@pytest.mark.parametrize("app_settings", [{"ENCRYPTION_KEY": KEY_A}])
def test_keys_rotate_newest_first(app, runner, db_session):
    _endpoint, secret = create_endpoint(url="https://hooks.example.com/in", events=["complaint.created"])
    [under_a] = _raw_secrets(db_session)
    assert Fernet(KEY_A).decrypt(under_a.encode()).decode() == secret
    app.config["ENCRYPTION_KEY"] = f"{KEY_B},{KEY_A}"  # a new key in front; the old one still opens
    db_session.expire_all()
    assert db_session.query(WebhookEndpoint).one().secret == secret
    result = runner.invoke(args=["webhooks", "reencrypt-secrets"])
    assert result.exit_code == 0 and "re-encrypted 1 webhook secret" in result.output
    [under_b] = _raw_secrets(db_session)
    assert Fernet(KEY_B).decrypt(under_b.encode()).decode() == secret
    app.config["ENCRYPTION_KEY"] = KEY_B  # the old key dropped
    db_session.expire_all()
    assert db_session.query(WebhookEndpoint).one().secret == secret
    app.config["ENCRYPTION_KEY"] = KEY_A  # a key that never encrypted it opens nothing
    with pytest.raises(InvalidToken):
        encryption.decrypt(under_b)
    db_session.rollback()
    refused = runner.invoke(args=["webhooks", "reencrypt-secrets"])
    assert refused.exit_code == 1 and "nothing was changed" in refused.output
    assert _raw_secrets(db_session) == [under_b]


def test_a_bad_encryption_key_stops_start_up_with_its_name():
    from config import ConfigError, read_environment

    with pytest.raises(ConfigError) as refused:
        read_environment({"ENCRYPTION_KEY": f"{KEY_A},not-a-key"})
    assert "ENCRYPTION_KEY" in str(refused.value) and "not-a-key" not in str(refused.value)
    assert read_environment({"ENCRYPTION_KEY": f"{KEY_B}, {KEY_A}"})["ENCRYPTION_KEY"] == f"{KEY_B}, {KEY_A}"


def test_the_migration_encrypts_existing_rows(tmp_path):
    from flask_migrate import downgrade, upgrade

    from config import TestConfig
    from extensions import db
    from factory import create_app

    migrations = str(__import__("pathlib").Path(__file__).resolve().parents[2] / "migrations")
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.sqlite3'}", INSTANCE_PATH=tmp_path / "i",
                    ENCRYPTION_KEY=KEY_A)
    app = create_app(settings)
    with app.app_context():
        upgrade(directory=migrations, revision=f"{ENCRYPTING}-1")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO webhook_endpoints (url, secret, events, description, active, created_at) "
                "VALUES ('https://hooks.example.com/old', 'plain-old-secret', '[]', '', 1, '2027-01-01 00:00:00')"))
        upgrade(directory=migrations, revision=ENCRYPTING)
        with db.engine.connect() as connection:
            raw = connection.execute(sa.text("SELECT secret FROM webhook_endpoints")).scalar_one()
        assert "plain-old-secret" not in raw and Fernet(KEY_A).decrypt(raw.encode()) == b"plain-old-secret"
        assert db.session.query(WebhookEndpoint).one().secret == "plain-old-secret"
        db.session.remove()
        downgrade(directory=migrations, revision=f"{ENCRYPTING}-1")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT secret FROM webhook_endpoints")).scalar_one() == "plain-old-secret"
        db.engine.dispose()
