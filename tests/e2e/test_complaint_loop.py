"""The whole loop in a real browser: a customer files, the acknowledgement arrives over SMTP, staff
establish the facts, own and update the complaint, the customer follows it from the e-mailed link,
and staff resolve it with a root cause."""
import re

import pytest

from notifications.delivery import deliver_outbox
from platform_support.database import write_intent

pytestmark = pytest.mark.e2e


def deliver(app):
    with app.app_context(), write_intent():
        return deliver_outbox()


def submit(page, form_selector: str):
    button = "#composer-submit" if form_selector == "#composer-form" else f"{form_selector} button[type=submit]"
    with page.expect_navigation():
        page.click(button)


def test_customer_files_staff_work_it_customer_follows_it(page, live_server, e2e_smtp, artifacts):
    url, staff = live_server.url, live_server.staff

    # The customer complains through the public form.
    page.goto(f"{url}/complain")
    page.fill("#name", "Jan Kowalski")
    page.fill("#email", "jan@example.com")
    page.fill("#order_reference", "ORD-1042")
    page.fill("#description", "The vase arrived in pieces; the box was crushed.")
    page.fill("#desired_outcome", "A replacement, please.")
    with page.expect_navigation():
        page.click("text=Send my complaint")
    assert "truly sorry" in page.content()
    reference = re.search(r"C-[A-Z0-9-]+", page.inner_text("main")).group(0)

    # The worker delivers the acknowledgement to the SMTP server.
    assert deliver(live_server.app).sent == 1
    (ack,) = e2e_smtp.to("jan@example.com")
    text = ack.get_body(preferencelist=("plain",)).get_content()
    assert reference in text
    tracking_url = re.search(rf"{re.escape(url)}/track/\S+", text).group(0)

    # Staff sign in, record a fact, take ownership, post a public update and an internal note.
    page.goto(f"{url}/staff/login")
    page.fill("#email", staff.agent.email)
    page.fill("#password", staff.PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")
    page.click(f"a:has-text('{reference}')")
    page.wait_for_url(f"**/staff/complaints/{reference}")
    # One composer: a fact, a reply to the customer, an internal note (its default).
    assert page.is_checked("#update-mode-note")
    page.check("#update-mode-fact")
    page.fill("#update-message", "Courier photo confirms the crushed box.")
    page.fill("#update-minutes", "5")
    submit(page, "#composer-form")
    assert "Fact recorded" in page.content()
    page.select_option("#assign-owner", staff.agent.email)
    submit(page, "form[action$='/assign']")
    assert "Owner assigned" in page.content()
    page.check("#update-mode-reply")
    page.fill("#update-message", "A replacement vase leaves our warehouse tomorrow.")
    submit(page, "#composer-form")
    assert "Reply sent to the customer" in page.content()
    page.fill("#update-message", "INTERNAL: claim the damage from the courier.")
    assert page.is_checked("#update-mode-note")
    submit(page, "#composer-form")
    assert "Internal note added" in page.content()

    # The customer opens the link from the e-mail: the owner's name and the update, no internal note.
    customer = page.context.browser.new_context()
    customer_page = customer.new_page()
    customer_page.goto(tracking_url)
    tracking = customer_page.inner_text("main")
    assert staff.agent.name in tracking
    assert "A replacement vase leaves our warehouse tomorrow." in tracking
    assert "INTERNAL" not in tracking and "Courier photo" not in tracking
    customer_page.screenshot(path=str(artifacts / "complaint-tracking-page.png"), full_page=True)
    customer.close()

    # Staff resolve it with a root cause.
    page.click("#resolve-panel summary")
    assert "e-mailed to the customer" in page.inner_text("#resolve-panel")
    page.fill("#resolve-resolution", "Replacement delivered intact.")
    page.select_option("#resolve-root_cause", "damaged_in_transit")
    submit(page, "form[action$='/resolve']")
    assert "Complaint resolved" in page.content()
    assert "Damaged in transit" in page.inner_text("main")
    page.screenshot(path=str(artifacts / "complaint-resolved-staff.png"), full_page=True)

    # Every message reached the customer, none carried the internal note.
    deliver(live_server.app)
    kinds = [m["Subject"] for m in e2e_smtp.to("jan@example.com")]
    assert len(kinds) == 4  # acknowledgement, owner, update, resolution
    assert all("INTERNAL" not in m.get_body(preferencelist=("plain",)).get_content()
               for m in e2e_smtp.to("jan@example.com"))
