"""Nothing a customer or staff member types can add a header to an e-mail: proven by what reached
the real SMTP server (aiosmtpd)."""
import pytest

from notifications.delivery import deliver_outbox
from tests.security.conftest import file_complaint
from tests.support.clock import NOW

INJECTIONS = [
    "Eve\r\nBcc: victim@example.com",
    "Eve\nBcc: victim@example.com",
    "Eve\rBcc: victim@example.com",
    "Eve\x00Bcc: victim@example.com",
    "Eve\u2028Bcc: victim@example.com",
    "Eve\u0085Bcc: victim@example.com",
    "=?utf-8?q?Eve=0D=0ABcc:_victim@example.com?=",
    "Eve\r\n\r\n<html>injected body</html>",
]


def _headers_of(message) -> dict:
    return {name.lower(): str(value) for name, value in message.items()}


@pytest.mark.parametrize("name", INJECTIONS)
def test_crlf_in_name_is_refused_by_the_form_and_api(client, browser, name, smtp_server):
    from tests.support.web import csrf_from
    page = browser.get("/complain").get_data(as_text=True)
    response = client.post("/complain", data={"csrf_token": csrf_from(page), "name": name, "email": "eve@example.com",
                                              "description": "x", "preferred_channel": "email", "language": "en"})
    api = client.post("/api/v1/complaints", json={"name": name, "email": "eve@example.com", "description": "x"})
    if any(c in name for c in "\r\n\x00\u2028\u0085"):
        assert response.status_code in (200, 400)  # the form again with the message; NUL: refused outright
        assert api.status_code == 400
    else:  # an encoded word is plain text to us; the next test shows it cannot become a header
        assert response.status_code == 302 and api.status_code == 201


@pytest.mark.parametrize("email", ["eve@example.com\r\nBcc: victim@example.com", "eve@example.com\nTo: x@y.z",
                                   "eve@example.com\x00Bcc: victim@example.com", "\r\nBcc: victim@example.com"])
def test_crlf_in_address_is_refused(client, email):
    response = client.post("/api/v1/complaints", json={"name": "Eve", "email": email, "description": "x"})
    assert response.status_code == 400


# NUL is refused before any service runs (forms, API) and PostgreSQL could not store it anyway.
@pytest.mark.parametrize("name", [value for value in INJECTIONS if "\x00" not in value])
def test_even_past_validation_no_header_reaches_the_smtp_server(mail_app, smtp_server, db_session, name, monkeypatch):
    """Defence in depth: a value that skipped the filing's rules (an import, a future caller) is
    neutralised when the e-mail is built."""
    from complaints import filing
    monkeypatch.setattr(filing, "check_new_complaint", lambda new, now, **_: {})
    file_complaint(name=name, email="eve@example.com", subject="Broken\r\nX-Injected: yes")
    report = deliver_outbox(now=NOW)
    assert report.sent == 1
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    headers = _headers_of(message)
    assert "bcc" not in headers and "x-injected" not in headers
    assert [value for key, value in message.items() if key.lower() == "to"] and len(message.get_all("To")) == 1
    for value in headers.values():
        assert "\r" not in value and "\n" not in value
