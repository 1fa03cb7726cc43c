"""Nothing typed is lost on the public form: a refused form keeps the text and the acceptable
files (staged, bound to the submission key) and says which files to attach again; the rate limit
and an oversize request are answered inside the form, in the customer's language."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from complaints import staging
from complaints.models import Attachment, Complaint
from tests.support.clock import NOW
from tests.web.test_complaint_web import PNG, form_data


def _post(client, page, files=(), **fields):
    data = form_data(page, **fields)
    kept = re.findall(r'name="keep_staged" value="(\d+)" checked', page)  # ticked boxes, as a browser sends them
    if kept:
        data["keep_staged"] = kept
    staged = re.search(r'<input type="hidden" name="staged_files" value="([^"]*)">', page)
    if staged:  # the page lists staged files: a browser sends its hidden field with them
        data["staged_files"] = staged.group(1)
    if files:
        data["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/complain", data=data, content_type="multipart/form-data")


def test_a_refused_form_keeps_text_and_photo_and_files_them_on_the_next_try(client, db_session):
    page = client.get("/complain").get_data(as_text=True)
    refused = _post(client, page, files=[("crushed.png", PNG), ("notes.exe", b"MZ\x90\x00")], name="",
                    description="Everything I typed, carefully.")
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert "Everything I typed, carefully." in html  # the text is kept
    assert "crushed.png" in html and 'name="keep_staged"' in html  # the photo is kept
    assert "Please attach these files again" in html and "notes.exe" in html  # the refused one is named
    second_page = html
    accepted = _post(client, second_page, name="Jan Kowalski", description="Everything I typed, carefully.")
    assert accepted.status_code == 302
    db_session.rollback()
    (attachment,) = db_session.scalars(select(Attachment)).all()
    assert attachment.original_name == "crushed.png"
    assert db_session.scalar(select(func.count()).select_from(staging.StagedUpload)) == 0


def test_an_unticked_kept_file_is_left_out(client, db_session):
    page = client.get("/complain").get_data(as_text=True)
    refused = _post(client, page, files=[("a.png", PNG)], email="not-an-address")
    html = refused.get_data(as_text=True)
    data = form_data(html)
    data["description"] = "The parcel arrived crushed."
    # The browser sends no keep_staged for an unticked box.
    accepted = client.post("/complain", data=data, content_type="multipart/form-data")
    assert accepted.status_code == 302
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert db_session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_staged_files_belong_to_their_form_only(client, db_session):
    page = client.get("/complain").get_data(as_text=True)
    _post(client, page, files=[("private.png", PNG)], name="")
    other = client.get("/complain").get_data(as_text=True)  # a new form: a new submission key
    assert "private.png" not in other


def test_unclaimed_staged_files_are_purged_after_a_day(app, client, db_session):
    page = client.get("/complain").get_data(as_text=True)
    _post(client, page, files=[("a.png", PNG)], name="")
    db_session.rollback()
    (staged,) = db_session.scalars(select(staging.StagedUpload)).all()
    assert staging.purge_staged_uploads(staged.created_at + timedelta(hours=23)) == 0
    assert staging.purge_staged_uploads(staged.created_at + timedelta(hours=25)) == 1
    from platform_support import file_store
    with pytest.raises(FileNotFoundError):
        file_store.read(staged.stored_name)


@pytest.fixture
def app_settings():
    return {"RATELIMIT_ENABLED": True, "COMPLAINT_RATE_LIMIT": "2 per minute"}


def test_the_rate_limit_answers_inside_the_form_with_the_text_kept(client):
    for _ in range(2):
        page = client.get("/complain?lang=pl").get_data(as_text=True)
        assert _post(client, page).status_code == 302
    page = client.get("/complain?lang=pl").get_data(as_text=True)
    limited = _post(client, page, description="Mój trzeci opis, zachowany.")
    assert limited.status_code == 429
    html = limited.get_data(as_text=True)
    assert "Mój trzeci opis, zachowany." in html
    assert 'lang="pl"' in html


def test_an_oversize_request_answers_inside_the_form(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    page = client.get("/complain").get_data(as_text=True)
    too_big = _post(client, page, files=[("huge.png", PNG + b"\x00" * 60_000)])
    assert too_big.status_code == 413
    html = too_big.get_data(as_text=True)
    assert "too large to send together" in html and 'name="description"' in html
