"""The blank complaint form is rendered once per language and reused with each visitor's own CSRF
token and submission key (complaints.public_views._blank_form_page): every visitor must still get
exactly the page a fresh render gives, with values of their own that work."""
from __future__ import annotations

import re

from tests.support.web import IsolatedClient, csrf_from
from tests.web.test_complaint_web import form_data

KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]+)"')


def _visitor(app) -> IsolatedClient:
    """A new visitor: no cookie, and each request in a context of its own (as on a server)."""
    return IsolatedClient(app, app.response_class, use_cookies=True)


def _visitor_values(page: str) -> tuple[str, str]:
    return csrf_from(page), KEY.search(page).group(1)


def _fresh_render(app, path: str = "/complain") -> str:
    """What rendering the template for this request gives (templates reloading: no reuse)."""
    app.jinja_env.auto_reload = True
    try:
        client = _visitor(app)
        return client.get(path).get_data(as_text=True)
    finally:
        app.jinja_env.auto_reload = False


def _normalised(page: str) -> str:
    csrf, key = _visitor_values(page)
    return page.replace(csrf, "CSRF").replace(key, "KEY")


def test_every_visitor_gets_the_rendered_page_with_values_of_their_own(app):
    pages = []
    for _ in range(3):
        visitor = _visitor(app)  # a new visitor each time: no cookie
        response = visitor.get("/complain")
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
    values = [_visitor_values(page) for page in pages]
    assert len({csrf for csrf, _key in values}) == 3 and len({key for _csrf, key in values}) == 3
    reference = _normalised(_fresh_render(app))
    assert all(_normalised(page) == reference for page in pages)
    assert app.extensions["complaint_form_pages"]  # the reuse did happen


def test_a_reused_page_files_a_complaint_and_its_key_still_stops_a_double_submit(app, db_session):
    from sqlalchemy import func, select

    from complaints.models import Complaint

    warm = _visitor(app)
    warm.get("/complain")  # the page is kept from here on
    visitor = _visitor(app)
    page = visitor.get("/complain").get_data(as_text=True)
    data = form_data(page)
    first = visitor.post("/complain", data=data, content_type="multipart/form-data")
    again = visitor.post("/complain", data=data, content_type="multipart/form-data")
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_each_language_gets_its_own_page(app):
    english = _visitor(app)
    english_page = english.get("/complain").get_data(as_text=True)
    polish = _visitor(app)
    polish_page = polish.get("/complain?lang=pl").get_data(as_text=True)
    assert '<html lang="en">' in english_page and '<html lang="pl">' in polish_page
    assert _normalised(polish_page) == _normalised(_fresh_render(app, "/complain?lang=pl"))
    assert 'value="pl" selected' in polish_page or 'selected value="pl"' in polish_page


def test_staff_and_flashed_messages_get_a_page_of_their_own(app, browser, staff):
    visitor = _visitor(app)
    visitor.get("/complain")  # the visitors' page is kept
    browser.login(staff.agent)
    staff_page = browser.get("/complain").get_data(as_text=True)
    assert "Sign out" in staff_page and "Agnes Agent" in staff_page

    visitor = _visitor(app)
    with visitor.session_transaction() as session:  # a message flashed on the way here
        session["_flashes"] = [("success", "A message for this visitor only.")]
    page = visitor.get("/complain").get_data(as_text=True)
    assert "A message for this visitor only." in page
    assert "A message for this visitor only." not in visitor.get("/complain").get_data(as_text=True)


def test_a_category_an_admin_adds_is_on_the_next_visitors_page(app, db_session):
    from complaints import classification

    before = _visitor(app).get("/complain").get_data(as_text=True)  # kept without the category
    assert "Parcel damaged" not in before
    classification.save_category(code="parcel", names={"en": "Parcel damaged", "pl": "Paczka", "ru": "Посылка",
                                                       "ro": "Colet", "cs": "Balík"})
    db_session.commit()
    after = _visitor(app).get("/complain").get_data(as_text=True)
    assert "Parcel damaged" in after
    assert _normalised(after) == _normalised(_fresh_render(app))
