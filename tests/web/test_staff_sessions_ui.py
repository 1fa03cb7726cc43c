"""The password page offers "sign out everywhere", and using it ends other sessions too."""
from tests.support.web import Browser, IsolatedClient


def test_sign_out_everywhere_from_the_password_page(app, staff):
    app.test_client_class = IsolatedClient
    first, second = Browser(app.test_client()), Browser(app.test_client())
    first.login(staff.agent)
    second.login(staff.agent)
    page = first.get("/staff/password").get_data(as_text=True)
    assert 'name="everywhere" value="1"' in page and "Sign out everywhere" in page

    response = first.post_form("/staff/password", {"everywhere": "1"}, action="/staff/logout")
    assert response.status_code == 302
    assert second.get("/staff/complaints/").status_code == 302  # sent to the sign-in page
    assert first.get("/staff/complaints/").status_code == 302
