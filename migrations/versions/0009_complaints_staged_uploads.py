"""Complaints: files kept from a refused complaint form, bound to its submission key

Revision ID: 0009_complaints_staged_uploads
Revises: 0008_staff_api_token_scopes
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_complaints_staged_uploads"
down_revision = "0008_staff_api_token_scopes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staged_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_key_hash", sa.String(length=64), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staged_uploads")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_staged_uploads_stored_name")),
    )
    with op.batch_alter_table("staged_uploads") as batch_op:
        batch_op.create_index(batch_op.f("ix_staged_uploads_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_staged_uploads_submission_key_hash"), ["submission_key_hash"], unique=False)


def downgrade():
    op.drop_table("staged_uploads")
