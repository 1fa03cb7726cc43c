"""WCAG 2.1 AA on the customer's pages, in every language, in a real browser.

axe-core (vendored from npm under static/vendor/axe-core) runs on the complaint form (empty and
with its errors), the tracking page and the survey page in en, pl, ru, ro and cs; any serious or
critical violation fails. Beside axe: the pages reflow at 320 px without sideways scrolling, a
keyboard alone can file a complaint with visible focus throughout, and errors are announced and
linked to their fields.
"""
from __future__ import annotations

import json
import re
import secrets
from datetime import timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
LANGUAGES = ("en", "pl", "ru", "ro", "cs")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_violations(page) -> list[dict]:
    """Serious and critical axe-core violations on the current page."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }""", WCAG_TAGS)
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def assert_accessible(page, what: str) -> None:
    found = axe_violations(page)
    assert not found, f"{what}: axe found\n{json.dumps(found, indent=1, ensure_ascii=False)}"


@pytest.fixture
def customer_context(chromium):
    """A customer's browser: CSP bypassed only so that axe can be injected into the page."""
    contexts = []

    def open_context(language: str = "en", width: int = 1280):
        context = chromium.new_context(bypass_csp=True, locale=language, viewport={"width": width, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def tracked_complaint(live_server):
    """A complaint with an owner and a public update, and its tracking link."""
    from complaints import actions, filing
    from platform_support.clock import utcnow
    from platform_support.database import write_intent
    from staff.models import StaffUser

    app = live_server.app
    with app.app_context(), write_intent():
        from extensions import db
        now = utcnow() - timedelta(hours=2)
        filed = filing.file_complaint(
            filing.NewComplaint(name="Jan Kowalski", email="jan@example.com", description="The vase arrived broken.",
                                subject="Broken vase", language="pl"),
            submission_key=secrets.token_urlsafe(16), now=now)
        agent = db.session.scalar(db.select(StaffUser).where(StaffUser.email == live_server.staff.agent.email))
        actions.assign_owner(filed.complaint.reference, agent.email, actor=agent, now=now)
        actions.post_update(filed.complaint.reference, "A new vase is on its way.", public=True, actor=agent, now=now)
        db.session.remove()
    return f"{live_server.url}/track/{filed.tracking_token}"


@pytest.fixture
def survey_link(live_server):
    """An e-mailed survey invitation for a resolved complaint (sent, open for answers)."""
    from complaints import actions, filing
    from customers.contact_policy import next_allowed_send
    from extensions import db
    from platform_support.clock import utcnow
    from platform_support.database import write_intent
    from staff.models import StaffUser
    from surveys.dispatch import dispatch_due_invitations
    from surveys.invitation_mail import invitation_token
    from surveys.models import SurveyInvitation

    app = live_server.app
    # Two days ago, so the invitation (24 h after the resolution, inside contact hours) is out
    # and still open whenever the test runs; the pages compare with the real clock.
    resolved_at = utcnow().replace(microsecond=0) - timedelta(days=3)
    with app.app_context(), write_intent():
        filed = filing.file_complaint(
            filing.NewComplaint(name="Eva Nováková", email="eva@example.com", description="Late delivery.",
                                language="cs"),
            submission_key=secrets.token_urlsafe(16), now=resolved_at - timedelta(hours=1))
        agent = db.session.scalar(db.select(StaffUser).where(StaffUser.email == live_server.staff.agent.email))
        actions.resolve(filed.complaint.reference, "Delivered with a voucher.", "late_delivery", actor=agent,
                        now=resolved_at)
        invitation = db.session.scalar(db.select(SurveyInvitation).where(SurveyInvitation.complaint_id == filed.complaint.id))
        assert invitation is not None, "no survey planned after the resolution"
        send_at = next_allowed_send(invitation.customer, invitation.due_at)
        report = dispatch_due_invitations(now=send_at)
        assert report.sent == 1, report
        invitation = db.session.get(SurveyInvitation, invitation.id)
        token = invitation_token(invitation)
        db.session.remove()
    return f"{live_server.url}/survey/{token}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_complaint_form_is_accessible(customer_context, live_server, language):
    page = customer_context(language)
    page.goto(f"{live_server.url}/complain?lang={language}")
    assert page.get_attribute("html", "lang") == language
    assert_accessible(page, f"complaint form ({language})")
    # The same form after a submission with mistakes: errors shown, linked and still accessible.
    page.fill("#email", "not-an-address")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert page.locator("[aria-invalid=true]").count() >= 2
    assert_accessible(page, f"complaint form with errors ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_tracking_page_is_accessible(customer_context, tracked_complaint, language):
    page = customer_context(language)
    page.goto(f"{tracked_complaint}?lang={language}")
    assert page.get_attribute("html", "lang") == language
    assert "A new vase is on its way." in page.inner_text("main")
    assert_accessible(page, f"tracking page ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_survey_page_is_accessible(customer_context, survey_link, language):
    page = customer_context(language)
    page.goto(f"{survey_link}?score=9&lang={language}")
    assert page.get_attribute("html", "lang") == language
    assert_accessible(page, f"survey page ({language})")


def test_errors_are_announced_and_linked_to_their_fields(customer_context, live_server):
    page = customer_context("pl")
    page.goto(f"{live_server.url}/complain?lang=pl")
    page.fill("#email", "jan@")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    # A summary takes the focus (screen readers read it at once) and links to every wrong field.
    summary = page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.id") == "error-summary"
    links = summary.locator("a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert {"#name", "#email", "#description"} <= set(targets)
    assert "Podaj swoje imię i nazwisko." in summary.inner_text()
    for field in ("name", "email", "description"):
        described = page.get_attribute(f"#{field}", "aria-describedby").split()
        assert page.get_attribute(f"#{field}", "aria-invalid") == "true"
        assert f"{field}-error" in described and page.locator(f"#{field}-error").inner_text().strip()
    # Following a link in the summary puts the keyboard in the field.
    links.first.click()
    assert page.evaluate("document.activeElement.id") == targets[0].lstrip("#")
    # Labels are tied to their inputs.
    for field in ("name", "email", "phone", "description", "preferred_channel", "language", "attachments"):
        assert page.locator(f"label[for={field}]").count() == 1


def _focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement, style = getComputedStyle(el), box = el.getBoundingClientRect();
        return {id: el.id, tag: el.tagName.toLowerCase(), type: el.type || '', text: (el.innerText || '').trim(),
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
                shadow: style.boxShadow !== 'none', visible: box.width > 0 && box.height > 0 && box.top >= 0};
    }""")


def test_a_keyboard_alone_files_a_complaint_with_visible_focus(customer_context, live_server):
    page = customer_context("ru")
    page.goto(f"{live_server.url}/complain?lang=ru")
    page.keyboard.press("Tab")
    first = _focused(page)
    assert first["text"] == "Перейти к содержанию" and first["visible"], first
    page.keyboard.press("Enter")  # skip the navigation
    fill = {"name": "Иван Петров", "email": "ivan@example.com", "description": "Посылка пришла повреждённой."}
    visited = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = _focused(page)
        assert focused["outline"] or focused["shadow"], f"no visible focus on {focused}"
        assert focused["visible"], f"focused element not on screen: {focused}"
        if not visited or visited[-1] != (focused["id"] or focused["tag"]):  # a date input takes 4 Tabs
            visited.append(focused["id"] or focused["tag"])
        if focused["id"] in fill:
            page.keyboard.type(fill[focused["id"]])
        if focused["tag"] == "button" and focused["type"] == "submit":
            break
    expected_order = ["name", "email", "phone", "preferred_channel", "language", "subject", "order_reference",
                      "occurred_on", "description", "desired_outcome", "attachments"]
    assert [v for v in visited if v in expected_order] == expected_order
    assert "website" not in visited  # the honeypot is out of the tab order
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/complain/received/" in page.url
    assert "Нам очень жаль" in page.inner_text("main")


@pytest.mark.parametrize("path", ["complain", "track", "survey"])
def test_pages_reflow_at_320_css_pixels(customer_context, live_server, tracked_complaint, survey_link, path):
    url = {"complain": f"{live_server.url}/complain?lang=ro", "track": f"{tracked_complaint}?lang=ro",
           "survey": f"{survey_link}?lang=ro"}[path]
    page = customer_context("ro", width=320)
    page.goto(url)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path}: {overflow}px of sideways scrolling at 320 px"
    # Nothing on the page is cut off on the right (long words, references and links wrap).
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''))""")
    assert wide == [], f"{path}: wider than the screen: {wide[:10]}"


def test_language_switcher_is_a_named_list_of_links_that_keeps_the_page(customer_context, tracked_complaint):
    page = customer_context("en")
    page.goto(f"{tracked_complaint}?lang=en")
    switcher = page.locator("nav a[hreflang]")
    assert switcher.count() == 5
    assert page.locator("nav a[hreflang=en]").get_attribute("aria-current") in ("true", "page")
    with page.expect_navigation():
        page.locator("nav a[hreflang=cs]").click()
    assert page.url.startswith(tracked_complaint) and page.get_attribute("html", "lang") == "cs"
    assert re.search(r"Vaše stížnost C-", page.inner_text("main"))


def test_the_axe_check_does_catch_violations(customer_context, live_server):
    """The checker itself: an unlabelled input and low-contrast text are reported."""
    page = customer_context("en")
    page.goto(f"{live_server.url}/complain")
    page.evaluate("""() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<input type="text" id="unlabelled">');
        const faint = document.createElement('p');
        faint.textContent = 'Faint text';
        faint.style.color = '#eeeeee';
        main.appendChild(faint);
    }""")
    found = {v["id"] for v in axe_violations(page)}
    assert {"label", "color-contrast"} <= found, found


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_other_customer_pages_are_accessible(customer_context, live_server, survey_link, language):
    """Confirmation, not-found pages and the survey's thank-you and unsubscribe pages."""
    page = customer_context(language)
    page.goto(f"{live_server.url}/complain?lang={language}")
    page.fill("#name", "Jan Kowalski")
    page.fill("#email", "jan@example.com")
    page.fill("#description", "The vase arrived broken.")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "/complain/received/" in page.url
    assert_accessible(page, f"confirmation page ({language})")
    for url, what in ((f"{survey_link}/thanks?lang={language}", "survey thank-you page"),
                      (f"{survey_link}/unsubscribe?lang={language}", "survey unsubscribe page"),
                      (f"{live_server.url}/survey/not-a-token?lang={language}", "unknown survey link"),
                      (f"{live_server.url}/track/not-a-token?lang={language}", "unknown tracking link"),
                      (f"{live_server.url}/no-such-page?lang={language}", "error page")):
        page.goto(url)
        assert page.get_attribute("html", "lang") == language, what
        assert_accessible(page, f"{what} ({language})")
