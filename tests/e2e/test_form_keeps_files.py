"""In a real browser: the complaint form refuses too many or too large files before sending
(nothing is uploaded, nothing typed is lost), and a form refused by the server keeps the photo."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _fill(page, url):
    page.goto(f"{url}/complain")
    page.fill("#name", "Jan Kowalski")
    page.fill("#email", "jan@example.com")
    page.fill("#description", "The vase arrived in pieces; photos attached.")


def test_the_browser_refuses_an_oversize_photo_before_sending(page, live_server, artifacts):
    _fill(page, live_server.url)
    requests = []
    page.on("request", lambda request: requests.append(request) if request.method == "POST" else None)
    big = {"name": "huge.png", "mimeType": "image/png", "buffer": PNG + b"\x00" * (6 * 1024 * 1024)}
    page.set_input_files("#attachments", [big])
    page.click("form[data-upload-limits] button[type=submit]")
    error = page.locator("#upload-limit-error")
    assert error.is_visible()
    assert "huge.png is larger than 5 MB" in error.inner_text()
    assert requests == []  # nothing was sent
    assert page.input_value("#description") == "The vase arrived in pieces; photos attached."
    six = [{"name": f"p{i}.png", "mimeType": "image/png", "buffer": PNG} for i in range(6)]
    page.set_input_files("#attachments", six)
    page.click("form[data-upload-limits] button[type=submit]")
    assert "at most 5 files" in error.inner_text() and requests == []
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(artifacts / f"form-upload-limit-{width}.png"), full_page=True)


def test_a_refused_form_keeps_the_photo_and_files_it(page, live_server, artifacts):
    _fill(page, live_server.url)
    page.fill("#email", "not an address")
    page.set_input_files("#attachments", [{"name": "vase.png", "mimeType": "image/png", "buffer": PNG}])
    with page.expect_navigation():
        page.click("form[data-upload-limits] button[type=submit]")
    assert page.input_value("#description") == "The vase arrived in pieces; photos attached."
    kept = page.locator('input[name="keep_staged"]')
    assert kept.count() == 1 and kept.is_checked()
    assert "vase.png" in page.locator(".staged-files").inner_text()
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(artifacts / f"form-kept-file-{width}.png"), full_page=True)
    page.fill("#email", "jan@example.com")
    with page.expect_navigation():
        page.click("form[data-upload-limits] button[type=submit]")
    assert "/complain/received/" in page.url
    from complaints.models import Attachment
    from extensions import db
    with live_server.app.app_context():
        names = [a.original_name for a in db.session.scalars(db.select(Attachment))]
    assert names == ["vase.png"]
