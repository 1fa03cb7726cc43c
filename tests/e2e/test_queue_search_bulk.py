"""The queue in a real browser (issue 16): "/" jumps to the search box, a search folds diacritics
and hides another agent's complaint, a manager bulk-assigns two complaints after confirming; the
queue at 1366 px and 390 px keeps its headers and priorities whole."""
import pytest

from platform_support.database import write_intent
from tests.support.clock import NOW

pytestmark = pytest.mark.e2e


def sign_in(page, url, account, password):
    page.goto(f"{url}/staff/login")
    page.fill("#email", account.email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def file_some(app, staff):
    from complaints import actions
    from tests.support import complaints
    with app.app_context(), write_intent():
        refs = {
            "yellow": complaints.file(subject="Żółty kubek pęknięty", name="Łucja Żak").complaint.reference,
            "theirs": complaints.file(subject="Żółta filiżanka", name="Otylia Ostrowska").complaint.reference,
            "blue": complaints.file(subject="Blue cup chipped", name="Bruno Blau").complaint.reference,
            "green": complaints.file(subject="Green plate with a very long description that wraps",
                                     name="Greta Grün-Hoffmann").complaint.reference,
        }
        actions.assign_owner(refs["theirs"], staff.other_agent.email, actor=_account(staff.manager.email), now=NOW)
        actions.change_priority(refs["green"], "urgent", actor=_account(staff.manager.email), now=NOW)
    return refs


def _account(email):
    from extensions import db
    from staff.models import StaffUser
    return db.session.scalar(db.select(StaffUser).where(StaffUser.email == email))


def test_slash_focuses_search_and_an_agent_finds_only_what_they_may_see(page, live_server):
    url, staff = live_server.url, live_server.staff
    refs = file_some(live_server.app, staff)
    sign_in(page, url, staff.agent, staff.PASSWORD)
    page.goto(f"{url}/staff/complaints/")
    page.locator("body").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("zolt")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    table = page.inner_text("table")
    assert refs["yellow"] in table
    assert refs["theirs"] not in table and refs["blue"] not in table  # another agent's; not matching
    assert "1 complaint" in page.inner_text(".queue-total")
    # Typing "/" into the search box types it; it does not jump.
    page.fill("#q", "")
    page.focus("#q")
    page.keyboard.type("a/b")
    assert page.input_value("#q") == "a/b"


def test_manager_bulk_assigns_after_confirming(page, live_server, artifacts):
    url, staff = live_server.url, live_server.staff
    refs = file_some(live_server.app, staff)
    sign_in(page, url, staff.manager, staff.PASSWORD)
    page.goto(f"{url}/staff/complaints/?sort=priority")
    assert page.is_hidden("#bulk-root_cause")  # the bar shows only what the chosen action needs
    page.check(f'input[value^="{refs["blue"]}:"]')
    page.check(f'input[value^="{refs["yellow"]}:"]')
    page.select_option("#bulk-action", "assign")
    assert page.is_visible("#bulk-owner") and page.is_hidden("#bulk-root_cause")
    page.select_option("#bulk-owner", staff.agent.email)
    with page.expect_navigation():
        page.click("text=Review and confirm")
    assert "Confirm the bulk action" in page.inner_text("h1")
    body = page.inner_text("main")
    assert refs["blue"] in body and refs["yellow"] in body and staff.agent.name in body
    with page.expect_navigation():
        page.click("button:has-text('Confirm')")
    assert "2 complaints changed." in page.inner_text("main")
    page.goto(f"{url}/staff/complaints/?owner={staff.agent.email}")
    table = page.inner_text("table")
    assert refs["blue"] in table and refs["yellow"] in table and refs["green"] not in table

    # How the queue looks, wide and narrow: headers and priority badges never break inside a word.
    page.goto(f"{url}/staff/complaints/?sort=priority")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(artifacts / f"queue-{width}.png"), full_page=True)
        broken = page.evaluate("""() => [...document.querySelectorAll('.queue-table th, .queue-table .badge')]
            .filter(e => e.getClientRects().length > 1 || e.offsetHeight > 2.2 * parseFloat(getComputedStyle(e).lineHeight || 20))
            .map(e => e.textContent.trim())""")
        assert broken == [], (width, broken)
