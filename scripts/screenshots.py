"""The README's "Tour of the agent's workspace" screenshots, made again from demo data.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]

Starts the app on 127.0.0.1 (a free port, a throw-away SQLite database under a temporary folder,
no SMTP: mail stays in the outbox), loads the demo data (`demo.seed.seed_demo`, the current time,
a fixed random seed), signs in as the demo agent Clara Agent and takes the pictures with Debian's
Chromium through Playwright (never a downloaded browser): the queue with a search and the saved
views, a complaint's conversation with the composer (a canned response inserted, the e-mail
previewed) and the side panel, the canned responses, a bulk action's confirmation, and the
complaint page and the opened menu at 390 px. PNGs, a few hundred KB each.
"""
from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AGENT = "clara.agent@demo.example"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare(app) -> dict:
    """Demo data, plus what the tour shows: a shared saved view, and one of Clara's open
    complaints with a short conversation (its reference)."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from complaints import queries, saved_views
    from complaints.models import Complaint, ComplaintEvent
    from demo.seed import seed_demo
    from extensions import db
    from platform_support.clock import utcnow
    from platform_support.database import write_intent
    from staff.models import StaffUser

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        now = utcnow().replace(second=0, microsecond=0)
        with write_intent():
            seed_demo(now=now, seed=2027, customers=300)
        with write_intent():
            clara = db.session.scalar(select(StaffUser).where(StaffUser.email == AGENT))
            marta = db.session.scalar(select(StaffUser).where(StaffUser.role == "manager").order_by(StaffUser.id))
            for name, filters, who in (("High priority, open", queries.QueueFilter(status="open", priority="high"), marta),
                                       ("Overdue", queries.QueueFilter(status="open", overdue=True), marta),
                                       ("Mine, open", queries.QueueFilter(status="open", owner="me"), clara)):
                saved_views.save_view(name, filters, actor=who, shared=who is marta)
            db.session.commit()
        entries = (select(Complaint.reference).join(ComplaintEvent, ComplaintEvent.complaint_id == Complaint.id)
                   .where(Complaint.owner_id == clara.id, Complaint.status.in_(("assigned", "in_progress")),
                          Complaint.language == "en")
                   .group_by(Complaint.id, Complaint.reference).having(func.count(ComplaintEvent.id).between(3, 6))
                   .order_by(Complaint.created_at.desc()))
        reference = db.session.scalars(entries).first()
        db.session.remove()
    return {"reference": reference}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    options = parser.parse_args()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from demo.seed import DEMO_PASSWORD
    from factory import create_app

    with tempfile.TemporaryDirectory() as folder:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/demo.sqlite3", "INSTANCE_PATH": Path(folder),
                          "SECRET_KEY": "screenshots only", "BASE_URL": url, "RATELIMIT_ENABLED": False,
                          "SESSION_COOKIE_SECURE": False, "SCHEDULER_ENABLED": False, "LOG_LEVEL": "WARNING"})
        found = _prepare(app)
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=options.chromium, args=CHROMIUM_ARGS)
                try:
                    _tour(browser, url, out, found["reference"], DEMO_PASSWORD)
                finally:
                    browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=10)
    for shot in sorted(out.glob("*.png")):
        print(f"{shot.relative_to(ROOT) if shot.is_relative_to(ROOT) else shot}  {shot.stat().st_size // 1024} KB")
    return 0


def _tour(browser, url: str, out: Path, reference: str, password: str) -> None:
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Warsaw", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(f"{url}/staff/login")
    page.fill("#email", AGENT)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")
    page.goto(f"{url}/staff/complaints/{reference}")  # the complaint page's script sets the time zone cookie

    # 1. The queue: a search (all states), the saved views with their counts.
    page.goto(f"{url}/staff/complaints/?q=broken&sort=due")
    page.screenshot(path=str(out / "queue-search-1366.png"))

    # 2. A complaint: the conversation, the composer with a canned response inserted and the e-mail
    #    previewed, the side panel.
    page.goto(f"{url}/staff/complaints/{reference}")
    page.check("#update-mode-reply")
    page.select_option("#canned", label="Replacement on its way (en)")
    page.click("#canned-insert")
    page.wait_for_function("document.getElementById('update-message').value.length > 0")
    page.click("#preview-button")
    page.wait_for_selector("#preview:not([hidden])")
    page.set_viewport_size({"width": 1366, "height": 1560})  # a tall screen: thread, composer, preview and panel
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(out / "complaint-composer-1366.png"))

    # 3. The canned responses (Settings → Conversations).
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(f"{url}/staff/canned-responses/")
    page.screenshot(path=str(out / "canned-responses-1366.png"))

    # 4. A bulk action: three complaints ticked, "assign to me", the confirmation.
    page.goto(f"{url}/staff/complaints/?status=new&sort=due")
    boxes = page.locator("input[name='complaints']")
    for index in range(min(3, boxes.count())):
        boxes.nth(index).check()
    page.select_option("#bulk-action", "assign")
    page.select_option("#bulk-owner", AGENT)
    with page.expect_navigation():
        page.click("text=Review and confirm")
    page.screenshot(path=str(out / "bulk-confirm-1366.png"))

    # 5. On a phone: the complaint page, and the main menu opened.
    page.set_viewport_size({"width": 390, "height": 1100})
    page.goto(f"{url}/staff/complaints/{reference}")
    page.screenshot(path=str(out / "complaint-390.png"))
    page.set_viewport_size({"width": 390, "height": 700})
    page.goto(f"{url}/staff/complaints/")
    page.click(".app-menu-button")
    page.screenshot(path=str(out / "menu-390.png"))
    context.close()


if __name__ == "__main__":
    sys.exit(main())
