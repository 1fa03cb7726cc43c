"""The found cases of issue 14, each on its own: values that used to reach arithmetic or the
database and end in a 500 (or, worse, in a wrong answer) get a clear 4xx or a clean value."""
from __future__ import annotations

import io
import json

import pytest

from tests.support.clock import NOW
from tests.support.web import csrf_from

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _token(app, user):
    from staff.tokens import issue_api_token
    return {"Authorization": f"Bearer {issue_api_token(user)}"}


@pytest.mark.parametrize("name, stored", [
    ("../../etc/passwd.png", "passwd.png"),
    ("\u202egnp.exe", "gnp.exe"),
    ("Żółty list.png", "Żółty list.png"),
])
def test_an_uploaded_file_name_is_cleaned_when_stored_and_downloads_work(app, client, db_session, name, stored):
    from complaints.models import Attachment

    page = client.get("/complain").get_data(as_text=True)
    import re
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page)
    data = {"csrf_token": csrf_from(page), "name": "Jan Kowalski", "email": "jan@example.com",
            "description": "Photo attached.", "preferred_channel": "email", "language": "en",
            "attachments": (io.BytesIO(PNG), name)}
    if key:
        data["submission_key"] = key.group(1)
    response = client.post("/complain", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.status_code
    row = db_session.scalars(db_session.query(Attachment).statement).one()
    assert row.original_name == stored
    reference = response.headers["Location"].rsplit("/", 1)[-1]
    from staff.services import create_staff
    admin = create_staff(email="root@example.com", name="Root", role="admin", password="correct horse battery")
    client.post("/staff/login", data={"csrf_token": csrf_from(client.get("/staff/login").get_data(as_text=True)),
                                      "email": admin.email, "password": "correct horse battery"})
    download = client.get(f"/staff/complaints/{reference}/attachments/{row.id}", buffered=True)
    assert download.status_code == 200
    assert "\r" not in download.headers["Content-Disposition"] and "\n" not in download.headers["Content-Disposition"]


@pytest.mark.parametrize("name, stored", [
    ("evil\r\nSet-Cookie: x=1.png", "evilSet-Cookie: x=1.png"),
    ("..\\..\\windows\\photo.png", "photo.png"),
    ("nul\x00byte.png", "nulbyte.png"),
    ("\ud800half.png", "?half.png"),
    ("...", "attachment"),
])
def test_every_upload_is_stored_with_a_clean_name_whoever_hands_it_over(app, client, db_session, name, stored):
    """The e-mail intake and the API hand names over that no browser would send."""
    from complaints.models import Attachment
    from complaints.uploads import Upload
    from tests.security.conftest import file_complaint

    filed = file_complaint(attachments=[Upload(name, PNG)])
    row = db_session.scalars(db_session.query(Attachment).statement).one()
    assert row.original_name == stored
    token = getattr(filed, "tracking_token")
    download = client.get(f"/track/{token}/attachments/{row.stored_name}", buffered=True)
    assert download.status_code == 200
    assert "\r" not in download.headers["Content-Disposition"]


def test_an_unknown_owner_filter_lists_nothing_not_the_unowned(app, client, staff):
    from tests.security.conftest import file_complaint
    file_complaint()  # unowned
    headers = _token(app, staff.manager)
    response = client.get("/api/v1/complaints?owner=nobody-here@example.com&status=all", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["items"] == []
    assert len(client.get("/api/v1/complaints?status=all", headers=headers).get_json()["items"]) == 1


@pytest.mark.parametrize("cursor", ["garbage", "2027-01-15T09:00:00_99999999999999999999", "²_1", "9999-12-31T00:00:00_1"])
def test_a_bad_cursor_is_a_400_not_the_first_page(app, client, staff, cursor):
    headers = _token(app, staff.manager)
    response = client.get("/api/v1/complaints", query_string={"cursor": cursor}, headers=headers)
    assert response.status_code == 400
    assert "cursor" in response.get_json()["fields"]
    client.post("/staff/login", data={"csrf_token": csrf_from(client.get("/staff/login").get_data(as_text=True)),
                                      "email": staff.manager.email, "password": "correct horse battery"})
    page = client.get("/staff/complaints/", query_string={"cursor": cursor})
    assert page.status_code == 400
    assert "previous page" in page.get_data(as_text=True)


@pytest.mark.parametrize("value", ["x\x00y", "\ud800", "tail \udfff"])
def test_json_text_with_nul_or_a_lone_surrogate_is_a_clear_400(client, value):
    body = json.dumps({"name": "Jan", "email": "jan@example.com", "description": value})
    response = client.post("/api/v1/complaints", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "cannot be accepted" in response.get_json()["error"]


def test_json_nested_too_deeply_is_a_clear_400(client):
    response = client.post("/api/v1/complaints", data='{"a": ' * 100_000, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("command", [["jobs", "run-due"], ["segments", "recompute"], ["reports", "check-trends"],
                                     ["reports", "refresh"]])
@pytest.mark.parametrize("now", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "²⁰²⁶-01-01", "yesterday"])
def test_every_cli_now_at_the_limits_is_a_clear_message(runner, command, now):
    result = runner.invoke(args=[*command, "--now", now])
    assert result.exit_code == 2, result.output
    assert "ISO-8601 between 1900 and 2199" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("url", ["/staff/customers/2147483648", "/staff/customers/9223372036854775808",
                                 "/staff/mail/99999999999999999999"])
def test_ids_beyond_the_column_range_are_a_404(browser, staff, url):
    browser.login(staff.admin)
    assert browser.get(url).status_code == 404


@pytest.mark.parametrize("quarter", ["0000Q1", "9999Q4", "²⁰²⁶Q1", "2026Q5"])
def test_a_quarter_out_of_range_is_a_400_with_the_expected_shape(browser, staff, quarter):
    browser.login(staff.manager)
    response = browser.get(f"/staff/customers/review?quarter={quarter}")
    assert response.status_code == 400
    assert "Q" in response.get_data(as_text=True)


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_survey_responses_since_at_the_limits_is_a_400(app, client, staff, since):
    response = client.get("/api/v1/survey-responses", query_string={"since": since}, headers=_token(app, staff.manager))
    assert response.status_code == 400


def test_the_parser_refuses_non_ascii_digits_and_out_of_range_values():
    from platform_support.parsing import bounded_date, bounded_int, MAX_ID

    assert bounded_int("42") == 42
    assert bounded_int(" 7 ") == 7
    for raw in ("²", "١٢", "-1", "1e3", "0x10", str(MAX_ID + 1), "", None, True, 1.5):
        assert bounded_int(raw) is None, raw
    assert bounded_int("5", minimum=1, maximum=4) is None
    for raw in ("0001-01-01", "9999-12-31", "²⁰²⁶-01-01"):
        with pytest.raises(ValueError):
            bounded_date(raw)
    assert bounded_date("2027-01-15") == NOW.date()
