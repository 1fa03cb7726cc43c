"""Migration 0006 moves the files of existing attachments from INSTANCE_PATH/uploads into the
database (and deletes them only after the commit); its downgrade writes them back."""
from __future__ import annotations

import os

import pytest

from complaints import filing, uploads
from platform_support import file_store
from tests.conftest import NOW
from tests.database.test_migrations import BACKENDS, MIGRATIONS, _postgres_database

PNG = b"\x89PNG\r\n\x1a\n"
BEFORE = "0005_inbound_mail"  # the revision just before 0006


@pytest.fixture(params=BACKENDS)
def app_before(request, tmp_path):
    """A fresh database migrated up to just before 0006, with the filesystem store in use."""
    from config import TestConfig
    from extensions import db
    from factory import create_app
    from flask_migrate import upgrade

    if request.param == "postgresql":
        url, drop = _postgres_database()
    else:
        url, drop = f"sqlite:///{tmp_path / 'before.sqlite3'}", (lambda: None)
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=tmp_path / "instance", ATTACHMENT_STORE="filesystem")
    app = create_app(settings)
    with app.app_context():
        # Complaints are filed with today's models (at head, files in the folder), then the
        # schema goes back to just before 0006: later migrations may add columns the models need.
        upgrade(directory=MIGRATIONS)
        yield app
        db.session.remove()
        db.engine.dispose()
    drop()


def test_existing_files_move_into_the_database_and_back(app_before):
    from extensions import db
    from flask_migrate import downgrade, upgrade

    big = PNG + os.urandom(file_store.CHUNK_BYTES + 5)
    filed = filing.file_complaint(filing.NewComplaint(
        name="Jan", email="jan@example.com", description="Two photos",
        attachments=[uploads.Upload("a.png", PNG + b"small"), uploads.Upload("b.png", big)]), now=NOW)
    names = [a.stored_name for a in filed.complaint.attachments]
    folder = file_store.upload_folder()
    assert all((folder / name).is_file() for name in names)
    db.session.remove()
    downgrade(directory=MIGRATIONS, revision=BEFORE)

    app_before.config["ATTACHMENT_STORE"] = "database"
    upgrade(directory=MIGRATIONS)
    assert not any((folder / name).exists() for name in names)  # moved, not copied
    assert [file_store.read(name) for name in names] == [PNG + b"small", big]
    db.session.remove()

    downgrade(directory=MIGRATIONS, revision=BEFORE)
    assert [(folder / name).read_bytes() for name in names] == [PNG + b"small", big]


def test_with_the_filesystem_store_the_files_stay(app_before):
    from extensions import db
    from flask_migrate import downgrade, upgrade

    filed = filing.file_complaint(filing.NewComplaint(
        name="Jan", email="jan@example.com", description="A photo",
        attachments=[uploads.Upload("a.png", PNG)]), now=NOW)
    (name,) = [a.stored_name for a in filed.complaint.attachments]
    db.session.remove()
    downgrade(directory=MIGRATIONS, revision=BEFORE)
    upgrade(directory=MIGRATIONS)
    assert file_store.read(name) == PNG and (file_store.upload_folder() / name).is_file()
