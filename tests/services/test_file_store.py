"""platform_support.file_store on both stores: what is saved is read back whole and in chunks, in
the caller's transaction (database), and served by the attachment download unchanged."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from complaints import filing, uploads
from platform_support import file_store
from platform_support.file_store import CHUNK_BYTES, StoredFileChunk
from tests.conftest import NOW

PNG = b"\x89PNG\r\n\x1a\n"
STORES = ["database", "filesystem"]


@pytest.fixture(params=STORES)
def store(app, request):
    app.config["ATTACHMENT_STORE"] = request.param
    return request.param


def test_save_open_read_delete(store, db_session):
    content = PNG + os.urandom(CHUNK_BYTES * 2 + 123)  # three chunks, the last one short
    name = file_store.save(content, "png")
    db_session.commit()
    assert name.endswith(".png") and len(name) == 36
    assert file_store.read(name) == content
    with file_store.open(name) as stream:
        pieces = iter(lambda: stream.read(CHUNK_BYTES), b"")
        assert b"".join(pieces) == content
    if store == "database":
        assert db_session.scalar(select(func.count()).where(StoredFileChunk.name == name)) == 3
    file_store.delete(name)
    db_session.commit()
    with pytest.raises(FileNotFoundError):
        file_store.open(name)
    file_store.delete(name)  # already gone: no error


@pytest.mark.parametrize("name", ["../../etc/passwd", "", "A" * 32 + ".png", "0" * 32 + ".png/../x", "x.png"])
def test_names_it_did_not_make_are_refused(store, name):
    with pytest.raises(FileNotFoundError):
        file_store.open(name)
    file_store.delete(name)  # nothing happens


def test_a_rolled_back_save_leaves_nothing_in_the_database(app, db_session):
    app.config["ATTACHMENT_STORE"] = "database"
    name = file_store.save(PNG, "png")
    db_session.rollback()
    with pytest.raises(FileNotFoundError):
        file_store.open(name)


def test_an_empty_file_is_one_empty_chunk(app, db_session):
    app.config["ATTACHMENT_STORE"] = "database"
    name = file_store.save(b"", "bin")
    db_session.commit()
    assert file_store.read(name) == b""


def test_attachment_download_streams_the_stored_content(store, client, db_session):
    content = PNG + os.urandom(CHUNK_BYTES + 10)
    filed = filing.file_complaint(filing.NewComplaint(
        name="Jan", email="jan@example.com", description="Photo attached",
        attachments=[uploads.Upload("zdjęcie paczki.png", content)]), now=NOW)
    (attachment,) = filed.complaint.attachments
    if store == "database":
        assert not (file_store.upload_folder() / attachment.stored_name).exists()  # no disk needed
    # buffered: the body is read inside the request's context, as a server sends it (IsolatedClient)
    response = client.get(f"/track/{filed.tracking_token}/attachments/{attachment.stored_name}", buffered=True)
    assert response.status_code == 200
    assert response.get_data() == content
    assert response.headers["Content-Length"] == str(len(content))
    assert response.headers["Content-Type"] == "image/png"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''zdj%C4%99cie%20paczki.png" in disposition
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
