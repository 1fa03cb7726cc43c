"""Every complaint and customer aggregate of the dashboard on small hand-made data, through the
pre-aggregated tables (refresh job) and through the live path (filters), plus access rules."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from customers.models import Order
from extensions import db
from reports import complaint_stats, customer_stats
from reports.aggregation import refresh_report_aggregates
from reports.filters import ReportFilter
from tests.support.clock import NOW
from tests.support.complaints import complaint_row
from tests.support.customers import customer

RANGE = ReportFilter(start=datetime(2026, 12, 1).date(), end=NOW.date())


@pytest.fixture
def january(app, staff):
    """Five complaints of early January 2027 (SLA: urgent 2 h/24 h, high 4/48, normal 8/120, low 24/240)."""
    d = datetime
    complaint_row(created=d(2027, 1, 4, 10), priority="normal", owner=staff.agent, status="resolved",
                  first_response=d(2027, 1, 4, 12), resolved=d(2027, 1, 5, 10), cause="late_delivery", minutes=30)
    complaint_row(created=d(2027, 1, 5, 10), priority="normal", owner=staff.agent, status="closed",
                  first_response=d(2027, 1, 5, 20), resolved=d(2027, 1, 12, 10), cause="late_delivery", minutes=90)
    complaint_row(created=d(2027, 1, 6, 10), priority="urgent", owner=staff.other_agent, status="resolved",
                  first_response=d(2027, 1, 6, 11), resolved=d(2027, 1, 6, 22), cause="billing_error", minutes=20)
    complaint_row(created=d(2027, 1, 12, 8), priority="high", status="new")
    complaint_row(created=d(2027, 1, 14, 9), priority="low", status="new")
    db.session.commit()
    refresh_report_aggregates(NOW)
    return staff


def test_volume_by_week(january):
    chart = complaint_stats.volume_by_week(RANGE, NOW)
    assert chart.rows == [["2027-01-04", 3, 3], ["2027-01-11", 2, 0]]


def test_sla_compliance_per_priority(january):
    rows = {row[0]: row[1:] for row in complaint_stats.sla_by_priority(RANGE, NOW).rows}
    # normal: one answered in time, one late (10 h > 8 h); one resolved in time, one after 168 h > 120 h.
    assert rows["normal"] == [50.0, 2, 50.0, 2]
    assert rows["urgent"] == [100.0, 1, 100.0, 1]
    # high: unanswered and past both targets at NOW — counted as missed.
    assert rows["high"] == [0.0, 1, 0.0, 1]
    # low: nothing due yet (the first response is due exactly at NOW).
    assert rows["low"] == [None, 0, None, 0]


def test_sla_compliance_per_owner(january):
    rows = {row[0]: row[1:] for row in complaint_stats.sla_by_owner(RANGE, NOW).rows}
    assert rows["Agnes Agent"] == [50.0, 2, 50.0, 2]
    assert rows["Otto Other"] == [100.0, 1, 100.0, 1]
    assert rows["Nobody yet"] == [0.0, 1, 0.0, 1]


def test_median_time_to_resolve_from_histogram_and_live(january):
    rows = {row[0]: row[1:] for row in complaint_stats.median_time_to_resolve(RANGE, NOW).rows}
    assert rows["normal"] == [24, 2]  # 24 h and 168 h: the lower middle
    assert rows["urgent"] == [12, 1]
    assert rows["high"] == [None, 0]
    narrowed = ReportFilter(start=RANGE.start, end=RANGE.end, owner_id=january.other_agent.id)
    rows = {row[0]: row[1:] for row in complaint_stats.median_time_to_resolve(narrowed, NOW).rows}
    assert rows["urgent"] == [12, 1] and rows["normal"] == [None, 0]


def test_root_cause_pareto_and_click_through(january):
    chart = complaint_stats.root_cause_pareto(RANGE, NOW)
    assert chart.rows == [["late_delivery", "Late delivery", 2, 66.67], ["billing_error", "Billing or invoicing error", 1, 100.0]]
    listed = complaint_stats.complaints_with_root_cause(RANGE, "late_delivery", actor=january.manager)
    assert [c.created_at.day for c in listed] == [5, 4]


def test_open_complaints_by_state_and_age(january):
    chart = complaint_stats.open_by_status_and_age(RANGE, NOW)
    rows = {row[0]: row[1:] for row in chart.rows}
    # high: 3 days 1 hour old → "3–7 days"; low: exactly one day old → "1–3 days".
    assert rows["New"] == [0, 1, 1, 0, 0]
    assert rows["Assigned"] == [0, 0, 0, 0, 0]


def test_root_cause_and_owner_filters_use_the_same_numbers(january):
    by_cause = ReportFilter(start=RANGE.start, end=RANGE.end, root_cause="late_delivery")
    assert complaint_stats.volume_by_week(by_cause, NOW).rows == [["2027-01-04", 2, 2]]
    by_owner = ReportFilter(start=RANGE.start, end=RANGE.end, owner_id=january.other_agent.id)
    assert complaint_stats.volume_by_week(by_owner, NOW).rows == [["2027-01-04", 1, 1]]


def test_incremental_refresh_sees_a_late_resolution(january):
    from complaints.models import Complaint
    from sqlalchemy import select
    late = db.session.scalar(select(Complaint).where(Complaint.priority == "high"))
    late.status, late.first_responded_at, late.resolved_at = "resolved", datetime(2027, 1, 14), datetime(2027, 1, 15)
    db.session.commit()
    summary = refresh_report_aggregates(NOW)
    assert summary.full is False
    assert complaint_stats.volume_by_week(RANGE, NOW).rows == [["2027-01-04", 3, 3], ["2027-01-11", 2, 1]]


def test_revenue_pareto_and_time_against_revenue(app, staff):
    people = [customer(name=f"C{i}") for i in range(5)]
    for person, amount in zip(people, (800, 100, 50, 30, 20)):
        db.session.add(Order(customer_id=person.id, ordered_on=(NOW - timedelta(days=30)).date(),
                             amount=Decimal(amount), currency="EUR"))
    # The smallest customer takes the most time.
    complaint_row(created=NOW - timedelta(days=20), who=people[4], minutes=600, status="resolved",
                  resolved=NOW - timedelta(days=19), cause="price")
    complaint_row(created=NOW - timedelta(days=20), who=people[0], minutes=30, status="resolved",
                  resolved=NOW - timedelta(days=19), cause="price")
    db.session.commit()
    refresh_report_aggregates(NOW)
    curve = customer_stats.revenue_pareto()
    # 1 000 in total; the top customer (20 % of five) brings 80 %.
    assert curve.rows[0] == [0.0, 0.0]
    assert [20.0, 80.0] in curve.rows and curve.rows[-1] == [100.0, 100.0]
    assert "80" in curve.note
    scatter = customer_stats.time_vs_revenue()
    assert [(row[1], row[2], row[3], row[5]) for row in scatter.rows] == [("C4", 20.0, 600, True),
                                                                          ("C0", 800.0, 30, False)]


def test_bad_filters_are_a_clear_400(client, browser, january):
    browser.login(january.manager)
    response = client.get("/staff/reports/charts/volume.json?from=2027-02-01&to=2027-01-01")
    assert response.status_code == 400
    assert response.get_json()["fields"]["from"]
    assert client.get("/staff/reports/charts/volume.json?from=yesterday").status_code == 400
    assert client.get("/staff/reports/charts/volume.json?segment=abc:Z").status_code == 400
    assert client.get("/staff/reports/?from=yesterday").status_code == 200  # the page flashes and shows defaults


def test_agents_see_their_own_part(client, browser, january):
    browser.login(january.agent)
    page = client.get("/staff/reports/")
    assert page.status_code == 200
    assert b'data-chart="volume"' in page.data and b'data-chart="sla_owner"' not in page.data
    # An agent's chart is restricted to the complaints they own, whatever owner they ask for.
    data = client.get(f"/staff/reports/charts/volume.json?from=2026-12-01&to=2027-01-15&owner={january.other_agent.id}").get_json()
    assert data["rows"] == [["2027-01-04", 2, 2]]
    assert client.get("/staff/reports/charts/sla_owner.json").status_code == 404
    assert client.get("/staff/reports/charts/revenue.csv", buffered=True).status_code == 404
    assert client.get("/staff/reports/exports/complaints.csv", buffered=True).status_code == 403


def test_managers_see_everything_and_anonymous_must_sign_in(client, browser, january):
    assert client.get("/staff/reports/").status_code == 302
    assert client.get("/staff/reports/charts/volume.json").status_code == 302
    browser.login(january.manager)
    page = client.get("/staff/reports/")
    for name in ("satisfaction", "recovery", "volume", "open", "sla_priority", "sla_owner", "resolve_time", "pareto",
                 "segments", "transitions", "revenue", "time_revenue"):
        assert f'data-chart="{name}"'.encode() in page.data
        assert client.get(f"/staff/reports/charts/{name}.json").status_code == 200
    # buffered: the streamed body is read inside the request's own context (see IsolatedClient)
    csv_text = client.get("/staff/reports/charts/pareto.csv?from=2026-12-01&to=2027-01-15",
                          buffered=True).get_data(as_text=True)
    assert csv_text.splitlines()[1] == '"late_delivery","Late delivery","2","66.67"'  # every cell quoted
    drill = client.get("/staff/reports/root-causes/late_delivery?from=2026-12-01&to=2027-01-15")
    assert drill.status_code == 200 and drill.data.count(b'href="/staff/complaints/C-T') == 2
    assert client.get("/staff/reports/root-causes/nonsense").status_code == 404
