"""Issue 16, "a look that fits a professional tool": every staff page in Chromium at 1366 px and
390 px with demo data. On each page and width: nothing is wider than the screen (the document never
scrolls sideways; wide tables scroll inside their own frame), the main navigation stays on one
row (at 390 px it folds behind a Menu button that opens every link), no word is broken across two
lines in a table, a heading, a link or a button, and axe-core (vendored, static/vendor/axe-core)
finds no serious or critical violation at either width. Screenshots are kept
under test-artifacts/look/ (looked at by a person; see the README)."""
from __future__ import annotations

import json
import re

import pytest

from platform_support.database import write_intent
from tests.e2e.test_accessibility import axe_violations
from tests.support.clock import NOW

pytestmark = pytest.mark.e2e

WIDTHS = (1366, 390)

# Pages without a parameter; the pages of one complaint, customer, survey, e-mail and account are
# found by following the first link of their list.
PAGES = (
    "/staff/complaints/", "/staff/complaints/mine", "/staff/customers/", "/staff/customers/review",
    "/staff/customers/tasks", "/staff/customers/erasure", "/staff/customers/import/",
    "/staff/reports/?from=2025-07-01&to=2027-01-15&period=month", "/staff/surveys/", "/staff/surveys/alerts",
    "/staff/surveys/invitations", "/staff/mail/", "/staff/inbound/", "/staff/settings/", "/staff/accounts",
    "/staff/password", "/staff/two-factor", "/staff/sessions", "/staff/tokens/", "/staff/tokens/all",
    "/staff/admin/sign-in-security", "/admin/root-causes", "/admin/priority-rules", "/admin/sla",
    "/admin/audit/", "/admin/webhooks/", "/admin/teams/", "/admin/calendars/", "/admin/categories",
    "/admin/routing-rules", "/admin/trigger-rules", "/staff/canned-responses/", "/staff/complaints/new",
    "/staff/customers/priority-rules", "/staff/reports/transitions?segmentation=abc&from_segment=B&to_segment=A",
)
FOLLOW = (  # (list page — or the name of a page found before —, CSS selector of the first link to follow, name)
    ("/staff/complaints/", "main table tbody a[href^='/staff/complaints/C-']", "complaint"),
    ("complaint", "main a[href$='/calls']", "log call"),
    ("/staff/customers/", "main table a[href^='/staff/customers/']", "customer"),
    ("/staff/customers/", "main table a[href^='/staff/customers/organisations/']", "organisation"),
    ("/staff/reports/?from=2025-07-01&to=2027-01-15&period=month", "main a[href^='/staff/reports/themes/']", "theme"),
    ("/staff/surveys/", "main a[href$='/results']", "survey results"),
    ("/staff/surveys/", "main a[href$='/edit']", "survey"),
    ("survey", "main a#preview-link", "survey preview"),
    ("/staff/mail/", "main table a[href^='/staff/mail/']", "e-mail"),
    ("/staff/accounts", "main table a[href^='/staff/accounts/']", "account"),
    ("/staff/canned-responses/", "main table a[href^='/staff/canned-responses/']", "canned response"),
    ("/admin/teams/", "main table a[href^='/admin/teams/']", "team"),
    ("/admin/calendars/", "main table a[href^='/admin/calendars/']", "calendar"),
)

# Words (letters, digits, punctuation; at most 40 characters) whose characters sit on more than
# one line: a word broken in the middle. A compound of letters may break after its hyphen
# ("e-|mail", as typography does); a reference, a date or a code ("C-|4DSP96PF", "2025-|08-01")
# never. Long tokens shown once (code.secret) and free text (.pre) may wrap anywhere by design.
BROKEN_WORDS = r"""() => {
  const found = [];
  const scope = document.querySelectorAll('th, td, h1, h2, h3, nav a, summary, button, .badge, label');
  for (const element of scope) {
    if (element.closest('.pre, code.secret, .secret, pre')) continue;
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\S{2,40}/g; let match;
      while ((match = re.exec(node.data)) !== null) {
        const range = document.createRange();
        range.setStart(node, match.index); range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size < 2) continue;
        let split = 1;  // the first character on a later line
        const first = (() => { const r = document.createRange(); r.setStart(node, match.index); r.setEnd(node, match.index + 1);
                               return r.getBoundingClientRect().top; })();
        for (; split < match[0].length; split++) {
          const r = document.createRange(); r.setStart(node, match.index + split); r.setEnd(node, match.index + split + 1);
          if (Math.round(r.getBoundingClientRect().top) > Math.round(first) + 2) break;
        }
        const atHyphen = match[0][split - 1] === '-' && !/[0-9]/.test(match[0]);
        if (!atHyphen) found.push(match[0]);
      }
    }
  }
  return [...new Set(found)].slice(0, 10);
}"""

OVERFLOW = """() => {
  const scrolls = (e) => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
  return {page: document.documentElement.scrollWidth, screen: window.innerWidth,
    wide: [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
          && !scrolls(e) && !e.closest('.skip-link, .honeypot, .visually-hidden, details:not([open]) > ul'))
          .slice(0, 5).map(e => e.tagName + '.' + e.className)}; }"""

NAV_ROWS = """() => { const items = [...document.querySelectorAll('.app-nav > ul > li')].filter(li => li.getClientRects().length);
  return new Set(items.map(li => Math.round(li.getBoundingClientRect().top))).size; }"""

# At 390 px the main navigation is folded behind its Menu button; opened, every link is on the
# screen, one under the other, and none is covered by another element.
MENU_OPEN = """() => { const links = [...document.querySelectorAll('.app-nav > ul > li > a')];
  return links.filter(a => { const r = a.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return !(r.width > 0 && r.left >= 0 && r.right <= window.innerWidth + 1 && hit && a.contains(hit)); })
    .map(a => a.textContent.trim()); }"""


@pytest.fixture
def demo_server(live_server):
    from demo.seed import seed_demo
    from extensions import db

    with live_server.app.app_context(), write_intent():
        seed_demo(now=NOW, seed=16, customers=80)
        db.session.remove()
    with live_server.app.app_context(), write_intent():  # a team with its own calendar (pages of one team and calendar)
        from complaints.sla_admin import save_calendar
        from staff.models import StaffUser
        from staff.team_services import save_team

        calendar, _moved = save_calendar(name="Warsaw office", timezone="Europe/Warsaw", hours="mon-fri 08:00-16:00",
                                         holiday_country="PL", now=NOW)
        people = list(db.session.scalars(db.select(StaffUser.id).order_by(StaffUser.id)))[:3]
        save_team(name="Returns desk", lead_id=people[0], calendar_id=calendar.id, member_ids=people)
        db.session.commit()
        db.session.remove()
    return live_server


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.split("?")[0].lower()).strip("-") or "home"


def test_every_staff_page_fits_both_widths_and_passes_axe(chromium, demo_server, artifacts):
    url, staff = demo_server.url, demo_server.staff
    shots = artifacts / "look"
    shots.mkdir(exist_ok=True)
    context = chromium.new_context(bypass_csp=True, locale="en-GB", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    try:
        page.goto(f"{url}/staff/login")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(shots / f"login-{width}.png"), full_page=True)
        page.fill("#email", staff.admin.email)
        page.fill("#password", staff.PASSWORD)
        with page.expect_navigation():
            page.click("button:has-text('Sign in')")
        paths = list(PAGES)
        found_pages = {}
        for listing, selector, name in FOLLOW:
            page.goto(url + found_pages.get(listing, listing))
            link = page.locator(selector).first
            assert link.count(), f"no link {selector} on {listing}"
            found_pages[name] = link.get_attribute("href")
            paths.append(found_pages[name])
        with demo_server.app.app_context():
            from complaints.models import RootCause
            from extensions import db
            code = db.session.scalars(db.select(RootCause.code).order_by(RootCause.id)).first()
            db.session.remove()
        paths.append(f"/staff/reports/root-causes/{code}?from=2025-07-01&to=2027-01-15")
        problems = {}
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for path in paths:
                page.goto(url + path)
                page.wait_for_load_state("networkidle")
                name = f"{_slug(path)}-{width}"
                page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
                found = {}
                overflow = page.evaluate(OVERFLOW)
                if overflow["page"] > overflow["screen"] or overflow["wide"]:
                    found["wider than the screen"] = overflow
                if page.evaluate(NAV_ROWS) > 1:
                    found["navigation wraps"] = page.evaluate(NAV_ROWS)
                broken = page.evaluate(BROKEN_WORDS)
                if broken:
                    found["words broken"] = broken
                serious = axe_violations(page)
                if serious:
                    found["axe"] = serious
                if width < 768 and path == "/staff/complaints/":
                    menu = page.locator(".app-menu-button")
                    if not menu.is_visible():
                        found["no menu button"] = True
                    else:
                        menu.click()
                        page.screenshot(path=str(shots / f"menu-open-{width}.png"))
                        hidden = page.evaluate(MENU_OPEN)
                        if hidden:
                            found["menu links not reachable"] = hidden
                        serious = axe_violations(page)
                        if serious:
                            found["axe, menu open"] = serious
                        page.keyboard.press("Escape")
                        if page.locator(".app-nav > ul > li > a").first.is_visible():
                            found["menu stays open after Escape"] = True
                if found:
                    problems[name] = found
        # The account menu, open: its links, the language switcher and sign-out fit both widths.
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url + "/staff/complaints/")
            page.click(".app-user summary")
            menu = page.locator(".app-user details[open] > ul")
            menu.wait_for()
            page.screenshot(path=str(shots / f"account-menu-{width}.png"))
            box = menu.bounding_box()
            if box["x"] < 0 or box["x"] + box["width"] > width + 1:
                problems[f"account-menu-{width}"] = box
            serious = axe_violations(page)
            if serious:
                problems[f"account-menu-{width} axe"] = serious
        # The switcher speaks: Polish chosen, the page is in Polish, and back.
        with page.expect_navigation():
            page.click(".language-menu button[lang=pl]")
        assert page.locator("html").get_attribute("lang") == "pl"
        page.click(".app-user summary")
        with page.expect_navigation():
            page.click(".language-menu button[lang=en]")
        assert page.locator("html").get_attribute("lang") == "en"
        assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)
        assert errors == []
    finally:
        context.close()
