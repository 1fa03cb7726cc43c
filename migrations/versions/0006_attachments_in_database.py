"""Attachments: their content in the database (stored_files), the existing files moved in

With ATTACHMENT_STORE=database (the default) every file under INSTANCE_PATH/uploads that an
attachment row names is copied into stored_files, in chunks, in this migration's transaction;
the files are deleted only after that transaction has committed (a failed upgrade leaves them
where they were). With ATTACHMENT_STORE=filesystem the files stay. Downgrade writes them back.

Revision ID: 0006_attachments_in_database
Revises: 0005_inbound_mail
"""
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0006_attachments_in_database"
down_revision = "0005_inbound_mail"
branch_labels = None
depends_on = None

CHUNK_BYTES = 256 * 1024  # as platform_support.file_store (a migration keeps its own copy)

stored_files = sa.table("stored_files", sa.column("name", sa.String), sa.column("part", sa.Integer),
                        sa.column("data", sa.LargeBinary))
attachments = sa.table("attachments", sa.column("stored_name", sa.String))


def _settings() -> tuple[str, Path | None]:
    """The app's store and upload folder (flask db upgrade runs inside the app)."""
    try:
        from flask import current_app
        config = current_app.config
    except RuntimeError:  # plain `alembic upgrade`: nothing to move from
        return "database", None
    return config.get("ATTACHMENT_STORE", "database"), Path(config["INSTANCE_PATH"]) / "uploads"


def upgrade():
    op.create_table(
        "stored_files",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("part", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("name", "part", name=op.f("pk_stored_files")),
    )
    store, folder = _settings()
    if store != "database" or folder is None or not folder.is_dir():
        return
    bind = op.get_bind()
    moved: list[Path] = []
    for name in bind.execute(sa.select(attachments.c.stored_name)).scalars():
        path = folder / name
        if "/" in name or not path.is_file():
            continue
        content = path.read_bytes()
        bind.execute(stored_files.insert(), [
            {"name": name, "part": part, "data": content[start:start + CHUNK_BYTES]}
            for part, start in enumerate(range(0, max(len(content), 1), CHUNK_BYTES))])
        moved.append(path)

    def _remove_moved_files(_connection):
        for path in moved:
            path.unlink(missing_ok=True)

    if moved:
        sa.event.listen(bind, "commit", _remove_moved_files, once=True)


def downgrade():
    store, folder = _settings()
    if store == "database" and folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        bind = op.get_bind()
        for name in bind.execute(sa.select(stored_files.c.name).distinct()).scalars():
            parts = bind.execute(sa.select(stored_files.c.data).where(stored_files.c.name == name)
                                 .order_by(stored_files.c.part)).scalars()
            (folder / name).write_bytes(b"".join(parts))
    op.drop_table("stored_files")
