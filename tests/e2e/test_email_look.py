"""Issue 16: the HTML e-mails in Chromium at 390 px (a phone) and 1366 px: nothing wider than the
screen, every button and survey score at least 44 × 44 px, the brand bar shown. Screenshots of
each kind are kept under test-artifacts/emails/ (looked at by a person; see the README)."""
from __future__ import annotations

import pytest

from tests.support.mail_look import mail_of_every_kind

pytestmark = pytest.mark.e2e

MEASURE = """() => ({
  page: document.documentElement.scrollWidth, screen: window.innerWidth,
  targets: [...document.querySelectorAll('a')].filter(a => a.getAttribute('style') && a.getAttribute('style').includes('44px'))
             .map(a => { const r = a.getBoundingClientRect(); return {text: a.textContent.trim(), w: r.width, h: r.height}; }),
  bar: getComputedStyle(document.querySelector('.cc-bar')).backgroundColor,
})"""


def test_every_email_reads_well_on_a_phone_and_a_desktop(app, db_session, staff, chromium, artifacts):
    shots = artifacts / "emails"
    shots.mkdir(exist_ok=True)
    messages = {}
    for message in mail_of_every_kind(db_session, staff):
        messages.setdefault(message.kind, message)  # one of each kind
    context = chromium.new_context(java_script_enabled=True)
    page = context.new_page()
    problems = {}
    try:
        for width in (390, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            for kind, message in messages.items():
                page.set_content(message.html_body, wait_until="load")
                page.screenshot(path=str(shots / f"{kind}-{width}.png"), full_page=True)
                found = page.evaluate(MEASURE)
                if found["page"] > found["screen"]:
                    problems[f"{kind}-{width}"] = f"{found['page']} px wide on a {found['screen']} px screen"
                small = [t for t in found["targets"] if t["w"] < 44 or t["h"] < 44]
                if small:
                    problems[f"{kind}-{width} small targets"] = small[:3]
                if kind in ("survey_invitation", "complaint_acknowledgement", "staff_password_reset") and not found["targets"]:
                    problems[f"{kind}-{width}"] = "no button"
                assert found["bar"] == "rgb(29, 79, 145)", kind
        assert not problems, problems
    finally:
        context.close()
