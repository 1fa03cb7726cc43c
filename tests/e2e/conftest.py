"""Real-browser fixtures: the app served over HTTP on 127.0.0.1 from a file SQLite database migrated
with Alembic, its SMTP pointed at a real aiosmtpd server, and Debian's Chromium driven by Playwright.

Browser tests skip (with the reason) where Chromium or Playwright is missing; they never download
a browser.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import _settings
from tests.support.external import missing, require_module
from tests.support.mail import ReceivedMail, free_port
from tests.support.staff import StaffAccounts

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        missing(f"Debian Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    sync_api = require_module("playwright.sync_api", "playwright (python) is not installed (pip install .[test])")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="en-GB")
    context.set_default_timeout(30_000)  # a shared 2-core machine under test load is slow
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def e2e_smtp():
    controller_module = require_module("aiosmtpd.controller", "aiosmtpd is not installed (pip install .[test])")
    handler = ReceivedMail()
    handler.port = free_port()
    controller = controller_module.Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


@dataclass
class LiveServer:
    url: str
    app: object
    staff: SimpleNamespace  # agent, other_agent, manager, admin: .email, .name; PASSWORD


@pytest.fixture
def live_server(tmp_path, e2e_smtp):
    """The app on a free port in a background thread (werkzeug), as a browser reaches it."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from extensions import db
    from factory import create_app
    from platform_support.database import write_intent

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    database = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    app = create_app(_settings(database, tmp_path / "instance", BASE_URL=url, SMTP_HOST="127.0.0.1",
                               SMTP_PORT=e2e_smtp.port, SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False))
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[2] / "migrations"))
        with write_intent():
            created = StaffAccounts()
        # Plain values only: the rows belong to this session; the server thread has its own.
        accounts = SimpleNamespace(PASSWORD=StaffAccounts.PASSWORD, **{
            role: SimpleNamespace(email=getattr(created, role).email, name=getattr(created, role).name)
            for role in ("agent", "other_agent", "manager", "admin")})
        db.session.remove()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield LiveServer(url=url, app=app, staff=accounts)
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
