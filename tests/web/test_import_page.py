"""Managers import a spreadsheet in the browser: the same import as the CLI, with its report and
the rejected rows as a download; agents cannot."""
from __future__ import annotations

import csv
import io

from customers.models import Customer
from tests.support.web import csrf_from


def _csv(rows, encoding="cp1250", separator=";") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator).writerows(rows)
    return buffer.getvalue().encode(encoding)


def _upload(client, content: bytes, kind="customers"):
    page = client.get("/staff/customers/import/").get_data(as_text=True)
    return client.post("/staff/customers/import/", data={"csrf_token": csrf_from(page), "kind": kind,
                                                         "file": (io.BytesIO(content), "klienci.csv")},
                       content_type="multipart/form-data")


def test_a_manager_imports_an_excel_file_and_downloads_the_rejected_rows(browser, client, staff, db_session):
    browser.login(staff.manager)
    assert "Import from a spreadsheet" in client.get("/staff/customers/").get_data(as_text=True)
    content = _csv([["external_id", "name", "timezone"], ["k1", "Łukasz Wróbel", "Europe/Warsaw"],
                    ["k2", "Zła Strefa", "Mars/Olympus"]])
    response = _upload(client, content)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Windows-1250" in html and "semicolon" in html
    assert "Added: 1" in html and "Rejected: 1" in html
    db_session.rollback()
    assert db_session.query(Customer).filter_by(external_id="k1").one().name == "Łukasz Wróbel"
    import re
    link = re.search(r'href="(/staff/customers/import/rejected/[0-9a-f]+\.csv)"', html).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0]["external_id"] == "k2" and "timezone" in rows[0]["reason"]


def test_a_file_that_is_no_table_is_a_clear_message(browser, client, staff):
    browser.login(staff.manager)
    response = _upload(client, _csv([["id", "full name"], ["1", "x"]]))
    assert response.status_code == 400
    assert "The header row lacks" in response.get_data(as_text=True)


def test_agents_cannot_import(browser, client, staff):
    browser.login(staff.agent)
    assert client.get("/staff/customers/import/").status_code == 403
