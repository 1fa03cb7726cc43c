"""Webhooks: signing secrets encrypted at rest (Fernet, ENCRYPTION_KEY or a key derived from SECRET_KEY)

Existing rows are encrypted here with the newest configured key; the downgrade decrypts them.

Revision ID: 0010_webhooks_encrypted_secrets
Revises: 0009_complaints_staged_uploads
"""
import sqlalchemy as sa
from alembic import op

from platform_support.encryption import decrypt, encrypt, is_encrypted

revision = "0010_webhooks_encrypted_secrets"
down_revision = "0009_complaints_staged_uploads"
branch_labels = None
depends_on = None

endpoints = sa.table("webhook_endpoints", sa.column("id", sa.Integer), sa.column("secret", sa.String))


def _rewrite(change) -> None:
    connection = op.get_bind()
    for row in connection.execute(sa.select(endpoints.c.id, endpoints.c.secret)).all():
        new = change(row.secret)
        if new != row.secret:
            connection.execute(endpoints.update().where(endpoints.c.id == row.id).values(secret=new))


def upgrade():
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.alter_column("secret", existing_type=sa.String(length=100), type_=sa.String(length=255),
                              existing_nullable=False)
    _rewrite(lambda secret: secret if is_encrypted(secret) else encrypt(secret))


def downgrade():
    _rewrite(lambda secret: decrypt(secret) if is_encrypted(secret) else secret)
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.alter_column("secret", existing_type=sa.String(length=255), type_=sa.String(length=100),
                              existing_nullable=False)
