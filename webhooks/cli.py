"""`flask webhooks reencrypt-secrets`: after a key rotation, every secret under the newest key."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from platform_support.database import write_intent
from webhooks import services

webhooks_cli = AppGroup("webhooks", help="Webhook endpoints.")


@webhooks_cli.command("reencrypt-secrets")
def reencrypt_secrets() -> None:
    """Re-encrypt every signing secret with the first (newest) ENCRYPTION_KEY."""
    from cryptography.fernet import InvalidToken

    try:
        with write_intent():
            count = services.reencrypt_secrets()
    except InvalidToken:
        raise click.ClickException("a stored secret opens with none of the ENCRYPTION_KEY keys "
                                   "(was an old key dropped too early?); nothing was changed") from None
    click.echo(f"re-encrypted {count} webhook secret{'s' if count != 1 else ''}")
