"""The customer's tracking page and the manager's erase page in Chromium at 1366 and 390 px (issue
13): nothing wider than the screen, and what they say is true — the confirmation and the page
opened with its own link promise no segment-dependent date; the e-mail's link confirms the address
and shows them; the erase page counts what will go and asks for the confirmation box."""
from __future__ import annotations

import re

from tests.e2e.test_staff_look import OVERFLOW

WIDTHS = (1366, 390)


def _fits(page) -> dict:
    overflow = page.evaluate(OVERFLOW)
    return {} if overflow["page"] <= overflow["screen"] and not overflow["wide"] else overflow


def test_call_tasks_and_the_admins_password_form_fit(page, live_server, e2e_smtp, artifacts):
    """Issue 15's calls to make on the complaint page and issue 13's password form on Admin → Staff."""
    url = live_server.url
    shots = artifacts / "privacy"
    shots.mkdir(exist_ok=True)
    page.goto(f"{url}/complain")
    page.fill("#name", "Jan Kowalski")
    page.fill("#email", "jan@example.com")
    page.fill("#phone", "+48 600 100 200")
    page.select_option("#preferred_channel", "phone")
    page.fill("#description", "The vase arrived in pieces; the box was crushed.")
    with page.expect_navigation():
        page.click("text=Send my complaint")
    page.goto(f"{url}/staff/login")
    page.fill("#email", live_server.staff.admin.email)
    page.fill("#password", live_server.staff.PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")
    page.goto(f"{url}/staff/complaints/")
    detail = page.locator("main table a[href^='/staff/complaints/C-']").first.get_attribute("href")
    problems = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url + detail)
        page.screenshot(path=str(shots / f"complaint-calls-{width}.png"), full_page=True)
        assert "Call Jan Kowalski on +48 600 100 200 about" in page.inner_text("main")
        if _fits(page):
            problems[f"complaint-calls-{width}"] = _fits(page)
        page.goto(f"{url}/staff/accounts")
        agent = page.locator(f"main tr:has-text('{live_server.staff.agent.email}') a[href^='/staff/accounts/']")
        page.goto(url + agent.first.get_attribute("href"))
        assert "Set the password" in page.inner_text("main") and "Send a password-reset link" in page.inner_text("main")
        page.screenshot(path=str(shots / f"account-{width}.png"), full_page=True)
        if _fits(page):
            problems[f"account-{width}"] = _fits(page)
    assert not problems, problems


def test_tracking_and_erase_pages_fit_and_tell_the_truth(page, live_server, e2e_smtp, artifacts):
    url = live_server.url
    shots = artifacts / "privacy"
    shots.mkdir(exist_ok=True)
    problems = {}
    page.goto(f"{url}/complain")
    page.fill("#name", "Jan Kowalski")
    page.fill("#email", "jan@example.com")
    page.fill("#description", "The vase arrived in pieces; the box was crushed.")
    with page.expect_navigation():
        page.click("text=Send my complaint")
    received = page.content()
    assert "settle it by" not in received and "at the latest" not in received
    assert "We have also sent your reference and a link" in received
    page_link = page.locator("main a[href*='/track/']").first.get_attribute("href")

    from sqlalchemy import select

    from extensions import db
    from notifications.models import OutboxMessage

    with live_server.app.app_context():
        ack = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "complaint_acknowledgement"))
        mail_link = re.search(r"(http://127\.0\.0\.1:\d+/track/\S+)", ack.text_body).group(1)
        customer_id = ack.customer_id
        db.session.remove()
    assert mail_link != page_link

    for name, link in (("tracking-unconfirmed", page_link), ("tracking-confirmed", mail_link)):
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(link)
            page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
            if _fits(page):
                problems[f"{name}-{width}"] = _fits(page)
            text = page.inner_text("main")
            if name == "tracking-unconfirmed":
                assert "someone will take responsibility soon" in text and "We aim to settle it by" not in text
            else:
                assert "We aim to settle it by" in text

    page.goto(f"{url}/staff/login")
    page.fill("#email", live_server.staff.manager.email)
    page.fill("#password", live_server.staff.PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{url}/staff/customers/{customer_id}/erase")
        page.screenshot(path=str(shots / f"erase-{width}.png"), full_page=True)
        if _fits(page):
            problems[f"erase-{width}"] = _fits(page)
        text = page.inner_text("main")
        assert "Jan Kowalski" in text and "This customer has an open complaint." in text
        # The counts are what the page is for: on screen without scrolling sideways, at both widths.
        box = page.locator("main table tbody tr td.num").first.bounding_box()
        if box is None or box["x"] + box["width"] > width:
            problems[f"erase-{width}: counts off screen"] = box
    assert not problems, problems
