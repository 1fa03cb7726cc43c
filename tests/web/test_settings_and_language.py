"""Issue 16: one Settings entry leads to the grouped admin pages; the staff language switcher is
stored on the account and chooses the language of every staff page."""
from html.parser import HTMLParser

from staff.models import StaffUser


class _Nav(HTMLParser):
    """The texts of the main navigation's links and of the settings side menu's links."""
    def __init__(self):
        super().__init__()
        self.where, self.main, self.side, self.in_link = None, [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav":
            self.where = {"app-nav": "main", "settings-nav": "side"}.get(attrs.get("class", "").split(" ")[0])
        elif tag == "a" and self.where:
            getattr(self, self.where).append([attrs.get("href"), attrs.get("aria-current"), ""])
            self.in_link = True

    def handle_endtag(self, tag):
        if tag == "a":
            self.in_link = False
        if tag == "nav":
            self.where = None

    def handle_data(self, data):
        if self.where and self.in_link and data.strip():
            getattr(self, self.where)[-1][2] += data.strip()


def nav(html: str) -> _Nav:
    parser = _Nav()
    parser.feed(html)
    return parser


def test_admin_sees_one_settings_entry_and_the_groups(browser, client, staff):
    browser.login(staff.admin)
    queue = nav(client.get("/staff/complaints/").get_data(as_text=True))
    labels = [text for _, _, text in queue.main]
    assert "Settings" in labels
    for moved in ("Staff", "Root causes", "SLA", "Audit log", "Webhooks", "Sign-in security", "Received e-mail", "Sent mail"):
        assert moved not in labels, moved  # the header no longer carries every admin page
    page = client.get("/staff/settings/").get_data(as_text=True)
    for group in ("People & access", "Intake", "SLA", "Surveys", "Mail", "Integrations", "Privacy & audit"):
        assert group in page, group
    for url in ("/staff/canned-responses/", "/staff/accounts", "/admin/teams/", "/admin/categories", "/admin/calendars/", "/admin/root-causes", "/admin/sla", "/admin/audit/", "/admin/webhooks/",
                "/staff/inbound/", "/staff/mail/", "/staff/admin/sign-in-security"):
        assert f'href="{url}"' in page, url


def test_every_settings_page_is_in_the_menu_once_and_exists(app):
    from staff.settings_menu import GROUPS
    endpoints = [e for group in GROUPS for entry in group.entries for e in (entry.endpoint, *entry.also)]
    assert len(endpoints) == len(set(endpoints)), sorted(e for e in endpoints if endpoints.count(e) > 1)
    assert set(endpoints) <= set(app.view_functions), set(endpoints) - set(app.view_functions)


def test_a_settings_page_shows_the_grouped_side_menu_with_itself_current(browser, client, staff):
    browser.login(staff.admin)
    found = nav(client.get("/admin/sla").get_data(as_text=True))
    current = [text for _, marked, text in found.side if marked == "page"]
    assert current == ["Response and resolution targets"]
    assert [text for _, marked, text in found.main if marked == "page"] == ["Settings"]
    assert len(found.side) >= 10


def test_a_manager_sees_only_the_settings_a_manager_may_open(browser, client, staff):
    browser.login(staff.manager)
    page = client.get("/staff/settings/").get_data(as_text=True)
    assert 'href="/staff/mail/"' in page and 'href="/staff/accounts"' not in page and 'href="/admin/sla"' not in page
    assert client.get("/admin/sla").status_code == 403


def test_an_agent_has_only_the_settings_of_their_own_work(browser, client, staff):
    """An agent's Settings is their canned responses (the one thing of theirs to set up); none of
    the administration pages are offered."""
    browser.login(staff.agent)
    labels = [text for _, _, text in nav(client.get("/staff/complaints/").get_data(as_text=True)).main]
    assert "Settings" in labels and "Queue" in labels
    page = client.get("/staff/settings/").get_data(as_text=True)
    assert 'href="/staff/canned-responses/"' in page and "Conversations" in page
    assert 'href="/staff/mail/"' not in page and 'href="/staff/accounts"' not in page
    canned = nav(client.get("/staff/canned-responses/").get_data(as_text=True))
    assert [text for _, marked, text in canned.side if marked == "page"] == ["Canned responses"]
    assert [text for _, marked, text in canned.main if marked == "page"] == ["Settings"]


def test_the_language_chosen_is_stored_and_speaks_on_every_staff_page(browser, client, staff, db_session):
    browser.login(staff.agent)
    response = browser.post_form("/staff/complaints/", {"language": "pl", "next": "/staff/customers/"},
                                 action="/staff/settings/language")
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/customers/")
    db_session.rollback()
    assert db_session.get(StaffUser, staff.agent.id).language == "pl"
    page = client.get("/staff/customers/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="pl">' in page and "<h1>Klienci</h1>" in page
    assert client.get("/staff/complaints/?lang=ru").get_data(as_text=True).count('<html lang="pl">') == 1


def test_the_switcher_returns_to_the_page_it_was_used_on(browser, client, staff):
    browser.login(staff.agent)
    back = browser.post_form("/staff/customers/", {"language": "ro"}, action="/staff/settings/language",
                             headers={"Referer": "http://localhost/staff/customers/?q=Ana"})
    assert back.headers["Location"].endswith("/staff/customers/?q=Ana")
    elsewhere = browser.post_form("/staff/customers/", {"language": "ro"}, action="/staff/settings/language",
                                  headers={"Referer": "https://evil.example/staff/customers/"})
    assert elsewhere.headers["Location"].endswith("/staff/complaints/")


def test_an_unknown_language_is_refused_and_nothing_changes(browser, client, staff, db_session):
    browser.login(staff.agent)
    response = browser.post_form("/staff/complaints/", {"language": "xx", "next": "https://evil.example/"},
                                 action="/staff/settings/language")
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]
    db_session.rollback()
    assert db_session.get(StaffUser, staff.agent.id).language == "en"


def test_the_public_pages_keep_the_customers_choice(browser, client, staff):
    browser.login(staff.agent)
    browser.post_form("/staff/complaints/", {"language": "cs"}, action="/staff/settings/language")
    assert '<html lang="ro">' in client.get("/complain?lang=ro").get_data(as_text=True)
