"""In a real browser: the complaint page's composer never loses what a person typed or attached.
A reply refused by the server — someone changed the complaint meanwhile (the version check), the
text left empty, a file that is not accepted — comes back with the text as typed and the
acceptable files kept on the server (complaints/staging.py, as for the public form), ticked; the
others are named to attach again. Sending again sends the kept files."""
from __future__ import annotations

import pytest

from tests.e2e.test_complaint_workspace import _setup, _sign_in, expect

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _attachments(live_server, reference):
    from complaints.models import Attachment, Complaint
    from extensions import db

    with live_server.app.app_context():
        complaint = db.session.query(Complaint).filter_by(reference=reference).one()
        names = sorted(a.original_name for a in db.session.scalars(
            db.select(Attachment).where(Attachment.complaint_id == complaint.id)))
        db.session.remove()
    return names


def _change_meanwhile(live_server, reference):
    """Another staff member adds a note: the complaint's version moves on."""
    from complaints import actions
    from extensions import db
    from platform_support.database import write_intent
    from staff.models import StaffUser

    with live_server.app.app_context():
        with write_intent():
            manager = db.session.query(StaffUser).filter_by(email=live_server.staff.manager.email).one()
            actions.post_update(reference, "Called the customer.", public=False, actor=manager)
        db.session.remove()


def test_a_reply_refused_by_the_version_check_keeps_its_text_and_file(page, live_server, artifacts):
    (reference,) = _setup(live_server, with_canned=False)
    _sign_in(page, live_server.url, live_server.staff.agent)
    page.goto(f"{live_server.url}/staff/complaints/{reference}")
    page.check("#update-mode-reply")
    page.fill("#update-message", "Here is the label for the return.")
    page.set_input_files("#update-attachments", [{"name": "label.png", "mimeType": "image/png", "buffer": PNG}])
    _change_meanwhile(live_server, reference)
    with page.expect_navigation():
        page.click("#composer-submit")
    assert "changed since you opened it" in page.inner_text("main")
    assert page.input_value("#update-message") == "Here is the label for the return."
    kept = page.locator("#composer-staged input[name='keep_staged']")
    assert kept.count() == 1 and kept.is_checked()
    assert "label.png" in page.inner_text("#composer-staged")
    assert page.is_checked("#update-mode-reply")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("#composer").screenshot(path=str(artifacts / f"composer-kept-file-{width}.png"))
    with page.expect_navigation():
        page.click("#composer-submit")
    assert "Reply sent to the customer" in page.inner_text("main")
    assert _attachments(live_server, reference) == ["label.png"]
    assert page.locator("#composer-staged").count() == 0  # the next reply starts with nothing kept


def test_a_refused_note_names_the_file_to_attach_again_and_sends_what_was_kept(page, live_server):
    (reference,) = _setup(live_server, with_canned=False)
    _sign_in(page, live_server.url, live_server.staff.agent)
    page.goto(f"{live_server.url}/staff/complaints/{reference}")
    # The text is forgotten, and one of the files is not a photo or a PDF.
    page.locator("#update-message").evaluate("e => e.removeAttribute('required')")
    page.set_input_files("#update-attachments", [
        {"name": "box.png", "mimeType": "image/png", "buffer": PNG},
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"just text"}])
    with page.expect_navigation():
        page.click("#composer-submit")
    assert "box.png" in page.inner_text("#composer-staged")
    expect(page.locator("#composer-not-kept")).to_contain_text("notes.txt")
    # Untick nothing, add another file and the text: both files go with the note.
    page.fill("#update-message", "Photos of the box, as the courier left it.")
    page.set_input_files("#update-attachments", [{"name": "courier.png", "mimeType": "image/png", "buffer": PNG}])
    with page.expect_navigation():
        page.click("#composer-submit")
    assert "Internal note added" in page.inner_text("main")
    assert _attachments(live_server, reference) == ["box.png", "courier.png"]


def test_an_unticked_kept_file_is_left_out(page, live_server):
    (reference,) = _setup(live_server, with_canned=False)
    _sign_in(page, live_server.url, live_server.staff.agent)
    page.goto(f"{live_server.url}/staff/complaints/{reference}")
    page.fill("#update-message", "Two photos.")
    page.set_input_files("#update-attachments", [{"name": f"p{i}.png", "mimeType": "image/png", "buffer": PNG}
                                                 for i in (1, 2)])
    _change_meanwhile(live_server, reference)
    with page.expect_navigation():
        page.click("#composer-submit")
    page.uncheck("#composer-staged label:has-text('p2.png') input")
    with page.expect_navigation():
        page.click("#composer-submit")
    assert "Internal note added" in page.inner_text("main")
    assert _attachments(live_server, reference) == ["p1.png"]
