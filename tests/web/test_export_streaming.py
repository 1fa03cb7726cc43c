"""The CSV exports: streamed from a server-side cursor, neutralised cells, managers only."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest

from extensions import db
from reports import exports
from reports.filters import ReportFilter
from tests.support.clock import NOW
from tests.support.complaints import complaint_row
from tests.support.customers import customer
from tests.support.surveys import answer, install_default_surveys


@pytest.fixture
def rows(app, db_session, staff):
    install_default_surveys(db_session)
    evil = customer(name="=HYPERLINK(\"http://evil.example\",\"click\")", email="evil@example.com")
    for i in range(1203):
        complaint_row(created=datetime(2027, 1, 2, 8) , who=evil if i == 0 else None, subject="-2+3" if i == 0 else f"S{i}",
                      owner=staff.agent if i % 2 else None)
    answer(evil, datetime(2027, 1, 3), {"nps": 3}, comment="@SUM(1+1)")
    db.session.commit()
    return staff


def _parse(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def test_complaint_export_streams_every_row_in_chunks(rows):
    header, generated = exports.complaint_rows(ReportFilter(start=date(2027, 1, 1), end=NOW.date()), actor=rows.manager)
    from platform_support.spreadsheets import csv_lines
    chunks = list(csv_lines(header, generated))
    assert len(chunks) == 3  # 500-row chunks: never the whole file in one string
    parsed = _parse("".join(chunks))
    assert len(parsed) == 1 + 1203
    assert parsed[1][5] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert parsed[1][7] == "'-2+3"


def test_export_over_http_is_a_streamed_csv(client, browser, rows):
    browser.login(rows.manager)
    # buffered=True reads the streamed body inside the request's context (the IsolatedClient).
    response = client.get("/staff/reports/exports/complaints.csv?from=2027-01-01&to=2027-01-15", buffered=True)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'attachment; filename="complaints-2027-01-01-2027-01-15.csv"' == response.headers["Content-Disposition"]
    parsed = _parse(response.get_data(as_text=True))
    assert parsed[0][0] == "Reference" and len(parsed) == 1204


def test_the_view_streams_with_context(app, rows):
    """The response body is a generator (not a built string) wrapped by stream_with_context."""
    from flask_login import login_user
    with app.test_request_context("/staff/reports/exports/complaints.csv?from=2027-01-01&to=2027-01-15"):
        login_user(rows.manager)
        from reports.views import export
        response = export("complaints")
        assert response.is_streamed
        first = next(iter(response.response))
        assert first.startswith('\ufeff"Reference",')


def test_survey_responses_and_customers_exports(client, browser, rows):
    browser.login(rows.manager)
    answers = _parse(client.get("/staff/reports/exports/survey-responses.csv?from=2027-01-01&to=2027-01-15",
                                buffered=True).get_data(as_text=True))
    assert answers[0] == ["Submitted", "Customer e-mail", "Complaint", "Question type", "Value", "Comment", "Language"]
    assert ["nps", "3"] == answers[1][3:5]
    assert answers[2][5] == "'@SUM(1+1)"
    customers = _parse(client.get("/staff/reports/exports/customers.csv", buffered=True).get_data(as_text=True))
    assert customers[0][-5:] == ["Satisfaction score", "Loyalty score", "ABC class", "Category", "Lifecycle stage"]
    assert any(row[2].startswith("'=HYPERLINK") for row in customers[1:])


def test_unknown_export_and_agents(client, browser, rows):
    browser.login(rows.manager)
    assert client.get("/staff/reports/exports/passwords.csv", buffered=True).status_code == 404
    browser.login(rows.agent)
    assert client.get("/staff/reports/exports/customers.csv", buffered=True).status_code == 403
