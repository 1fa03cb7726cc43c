"""The staff complaint page as agents use it in Chromium: a reply made from a canned response (with
the e-mail preview), an internal note, two agents on the same complaint (presence, then the
version check), the keyboard, and how it looks at 1366 and 390 pixels."""
from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path("/tmp")


def expect(locator):
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect(locator)


def _setup(live_server, *, complaints: int = 1, with_canned: bool = True) -> list[str]:
    """Complaints filed now (the server runs on the real clock), one shared canned response."""
    from complaints import canned, filing
    from extensions import db
    from platform_support.clock import utcnow
    from platform_support.database import write_intent
    from staff.models import StaffUser

    references = []
    with live_server.app.app_context():
        with write_intent():
            for number in range(complaints):
                filed = filing.file_complaint(filing.NewComplaint(
                    name="Jan O'Brien", email=f"jan{number}@example.com", subject=f"Broken vase {number}",
                    description="The vase arrived in pieces; the box was crushed.", order_reference="ORD-1042"),
                    now=utcnow())
                references.append(filed.complaint.reference)
        if with_canned:
            with write_intent():
                admin = db.session.query(StaffUser).filter_by(email=live_server.staff.admin.email).one()
                canned.save(admin, title="Replacement on its way", language="en", shared=True,
                            body="{salutation}\n\nA replacement for {reference} is on its way. {owner} keeps you posted: {tracking_link}")
        db.session.remove()
    return references


def _sign_in(page, url, who):
    page.goto(f"{url}/staff/login")
    page.fill("#email", who.email)
    page.fill("#password", _password())
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")


def _password():
    from tests.support.staff import StaffAccounts
    return StaffAccounts.PASSWORD


def _outbox_to(live_server, address):
    from extensions import db
    from notifications.models import OutboxMessage

    with live_server.app.app_context():
        rows = [(m.kind, m.text_body) for m in db.session.query(OutboxMessage).filter_by(to_address=address).order_by(OutboxMessage.id)]
        db.session.remove()
    return rows


def test_reply_with_a_canned_response_and_its_preview(page, live_server, artifacts):
    (reference,) = _setup(live_server)
    _sign_in(page, live_server.url, live_server.staff.agent)
    page.goto(f"{live_server.url}/staff/complaints/{reference}")
    page.select_option("#canned", label="Replacement on its way (en)")
    page.click("#canned-insert")
    expect(page.locator("#update-message")).not_to_have_value("")
    text = page.input_value("#update-message")
    assert f"A replacement for {reference} is on its way." in text
    assert "Dear Jan O'Brien," in text or "Hello," in text
    assert "/track/" in text and "{" not in text  # every placeholder filled in on the server
    # The note is the default: the preview belongs to a reply, so switch explicitly.
    assert page.is_checked("#update-mode-note")
    assert not page.is_visible("#preview-button")
    page.check("#update-mode-reply")
    assert page.inner_text("#composer-submit") == "Send reply"
    page.click("#preview-button")
    page.wait_for_selector("#preview:not([hidden])")
    previewed = page.inner_text("#preview [data-preview-text]")
    assert f"A replacement for {reference} is on its way." in previewed and "Kind regards," in previewed
    assert page.inner_text("#preview [data-preview-to]") == "jan0@example.com"
    page.screenshot(path=str(SCREENSHOTS / "workspace-preview-1366.png"), full_page=False)
    with page.expect_navigation():
        page.click("#composer-submit")
    assert "Reply sent to the customer" in page.content()
    reply = page.locator("#thread .entry-reply").last
    assert f"A replacement for {reference} is on its way." in reply.inner_text()
    # The e-mail that was queued is the one the preview showed (same rendering code).
    sent = [body for kind, body in _outbox_to(live_server, "jan0@example.com") if kind == "complaint_progress_update"]
    assert len(sent) == 1 and sent[0].strip() == previewed.strip()


def test_internal_note_is_marked_and_mails_nobody(page, live_server):
    (reference,) = _setup(live_server, with_canned=False)
    _sign_in(page, live_server.url, live_server.staff.agent)
    page.goto(f"{live_server.url}/staff/complaints/{reference}")
    before = _outbox_to(live_server, "jan0@example.com")
    page.fill("#update-message", "Claim the damage from the courier.")
    page.fill("#update-minutes", "4")
    with page.expect_navigation():
        page.click("#composer-submit")
    assert "Internal note added" in page.content()
    note = page.locator("#thread .entry-note")
    assert note.count() == 1
    assert "not visible to the customer" in note.inner_text() and "Claim the damage" in note.inner_text()
    assert "4 minutes" in page.inner_text(".ws-panel")
    assert _outbox_to(live_server, "jan0@example.com") == before


def test_two_agents_see_each_other_and_the_second_save_is_refused_with_the_text_kept(chromium, live_server, artifacts):
    (reference,) = _setup(live_server, with_canned=False)
    url = live_server.url
    contexts = [chromium.new_context(locale="en-GB") for _ in range(2)]
    agnes, maria = (context.new_page() for context in contexts)
    for context in contexts:
        context.set_default_timeout(30_000)
    try:
        _sign_in(agnes, url, live_server.staff.agent)
        _sign_in(maria, url, live_server.staff.manager)
        agnes.goto(f"{url}/staff/complaints/{reference}")
        maria.goto(f"{url}/staff/complaints/{reference}")
        # Presence: each sees the other within a poll or two; typing shows as typing.
        expect(agnes.locator("#presence")).to_contain_text("Also viewing this complaint: Maria Manager", timeout=20_000)
        maria.fill("#update-message", "I am calling the customer now.")
        expect(agnes.locator("#presence")).to_contain_text("Maria Manager is typing", timeout=20_000)
        agnes.fill("#update-message", "My note, typed on the page as it was.")
        with maria.expect_navigation():
            maria.click("#composer-submit")
        assert "Internal note added" in maria.content()
        # Agnes's page learns that the complaint changed…
        agnes.wait_for_selector("#presence[data-changed='1']", timeout=20_000)
        agnes.screenshot(path=str(SCREENSHOTS / "workspace-collision-1366.png"))
        # …and her save is refused with what changed, her text still in the composer.
        with agnes.expect_navigation():
            agnes.click("#composer-submit")
        body = agnes.inner_text("main")
        assert "changed since you opened it" in body and "Maria Manager" in body
        assert agnes.input_value("#update-message") == "My note, typed on the page as it was."
        # Sending again, now based on the current version, works.
        with agnes.expect_navigation():
            agnes.click("#composer-submit")
        assert "Internal note added" in agnes.content()
        assert agnes.locator("#thread .entry-note").count() == 2
    finally:
        for context in contexts:
            context.close()


def test_keyboard(page, live_server):
    references = _setup(live_server, complaints=3, with_canned=False)
    _sign_in(page, live_server.url, live_server.staff.agent)
    page.goto(f"{live_server.url}/staff/complaints/")
    # On the queue, j/k walk the rows.
    page.keyboard.press("j")
    first = page.evaluate("document.activeElement.textContent.trim()")
    page.keyboard.press("j")
    second = page.evaluate("document.activeElement.textContent.trim()")
    assert first in references and second in references and first != second
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.textContent.trim()") == first
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/staff/complaints/{first}")
    # ? opens the help, Escape closes it.
    page.keyboard.press("?")
    assert page.is_visible("#keys-help")
    page.keyboard.press("Escape")
    assert not page.is_visible("#keys-help")
    # r: a reply, the text field focused; Esc leaves it; n: a note.
    page.keyboard.press("r")
    assert page.is_checked("#update-mode-reply")
    assert page.evaluate("document.activeElement.id") == "update-message"
    page.keyboard.type("rjk")  # typed in the field, not taken as shortcuts
    assert page.input_value("#update-message") == "rjk"
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    assert page.is_checked("#update-mode-note")
    page.keyboard.press("Escape")
    # a: the owner control; e: the resolve panel opens with its text field focused.
    page.keyboard.press("a")
    assert page.evaluate("document.activeElement.id") == "assign-owner"
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("e")
    assert page.evaluate("document.getElementById('resolve-panel').open")
    assert page.evaluate("document.activeElement.id") == "resolve-resolution"
    page.keyboard.press("Escape")
    # j/k on the complaint page: the neighbours in the queue.
    with page.expect_navigation():
        page.keyboard.press("j")
    assert page.url.endswith(f"/staff/complaints/{second}")
    with page.expect_navigation():
        page.keyboard.press("k")
    assert page.url.endswith(f"/staff/complaints/{first}")
    # /: the queue's search.
    with page.expect_navigation():
        page.keyboard.press("/")
    assert "/staff/complaints/" in page.url


def test_the_page_at_desktop_and_phone_widths(page, live_server, artifacts):
    """Screenshots for a person to look at; the checks catch what breaks a layout."""
    from complaints import actions
    from extensions import db
    from platform_support.clock import utcnow
    from platform_support.database import write_intent
    from staff.models import StaffUser

    (reference,) = _setup(live_server)
    with live_server.app.app_context():
        with write_intent():
            agent = db.session.query(StaffUser).filter_by(email=live_server.staff.agent.email).one()
            actions.assign_owner(reference, agent.email, actor=agent, now=utcnow())
            actions.record_fact(reference, "Courier photo confirms the crushed box.", actor=agent, minutes=5, now=utcnow())
            actions.post_update(reference, "A replacement vase leaves our warehouse tomorrow.", public=True, actor=agent, now=utcnow())
            actions.post_update(reference, "Claim the damage from the courier.", public=False, actor=agent, minutes=3, now=utcnow())
            actions.change_priority(reference, "high", actor=agent, now=utcnow())
        db.session.remove()
    _sign_in(page, live_server.url, live_server.staff.agent)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/staff/complaints/{reference}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"horizontal scroll at {width} px"
        page.screenshot(path=str(SCREENSHOTS / f"workspace-{width}.png"), full_page=True)
        page.screenshot(path=str(artifacts / f"workspace-{width}.png"), full_page=True)
        page.goto(f"{live_server.url}/staff/canned-responses/")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"canned responses: horizontal scroll at {width} px"
        assert "Replacement on its way" in page.inner_text("main")
        page.screenshot(path=str(SCREENSHOTS / f"canned-{width}.png"), full_page=True)
