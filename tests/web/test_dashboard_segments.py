"""Segment charts on hand-made segment rows: distribution per segmentation, the transition matrix
of the last recompute, and the click-through to the customers who moved with their reasons."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from customers.models import CustomerScore, SegmentTransition
from extensions import db
from reports import complaint_stats, segment_stats
from reports.aggregation import refresh_report_aggregates
from reports.filters import ReportFilter
from tests.support.clock import NOW
from tests.support.complaints import complaint_row
from tests.support.customers import customer

RANGE = ReportFilter(start=datetime(2026, 12, 1).date(), end=NOW.date())


def _score(who, abc, category, stage):
    db.session.add(CustomerScore(customer_id=who.id, computed_at=NOW, abc=abc, category=category, stage=stage))


def _moved(who, dimension, before, after, at, **figures):
    db.session.add(SegmentTransition(customer_id=who.id, dimension=dimension, from_value=before, to_value=after,
                                     changed_at=at, **figures))


def test_distribution_matrix_and_movers(app, client, browser, staff):
    people = [customer(name=f"Customer {i}") for i in range(5)]
    _score(people[0], "A", "devoted", "client")
    _score(people[1], "A", "core", "client")
    _score(people[2], "B", "core", "repeat")
    _score(people[3], "C", "difficult", "repeat")
    _score(people[4], "C", "dead", "inactive")
    earlier, last = NOW - timedelta(days=91), NOW
    _moved(people[2], "abc", "A", "B", earlier)  # an older recompute: not in the matrix
    _moved(people[2], "abc", "A", "B", last, revenue_q=Decimal(580), revenue_prev_q=Decimal(1000), complaints_q=2)
    _moved(people[3], "abc", "B", "C", last, late_payments_12m=3)
    _moved(people[4], "abc", "B", "C", last)
    db.session.commit()
    refresh_report_aggregates(NOW)

    rows = segment_stats.distribution(RANGE, NOW).rows
    assert ["ABC class", "A", 2] in rows and ["ABC class", "C", 2] in rows
    assert ["Category", "core", 2] in rows and ["Lifecycle stage", "inactive", 1] in rows
    assert sum(r[2] for r in rows if r[0] == "ABC class") == 5

    matrix = segment_stats.transition_matrix(RANGE, NOW)
    assert matrix.rows == [["A", "B", 1], ["B", "C", 2]]  # the labels the chart shows (from → to, count)
    assert matrix.extra["codes"] == [["A", "B"], ["B", "C"]]  # what the drill-down takes
    assert matrix.extra["runs"] == [last.isoformat()]

    browser.login(staff.manager)
    page = client.get("/staff/reports/transitions?segmentation=abc&from_segment=B&to_segment=C").get_data(as_text=True)
    assert "Customer 3" in page and "Customer 4" in page and "3 late payments in 12 months" in page
    page = client.get("/staff/reports/transitions?segmentation=abc&from_segment=A&to_segment=B").get_data(as_text=True)
    assert "revenue down: 580.00 this quarter, 1000.00 the quarter before" in page and "2 complaints" in page

    # The segment filter narrows the complaint charts to customers now in that segment.
    db.session.rollback()  # a fresh transaction after the requests (SQLite snapshot)
    complaint_row(created=datetime(2027, 1, 4, 10), who=people[0])
    complaint_row(created=datetime(2027, 1, 5, 10), who=people[3])
    db.session.commit()
    only_a = ReportFilter(start=RANGE.start, end=RANGE.end, segment="abc:A")
    # Segment alone: the per-segment rollup, so the complaints count once the refresh has run.
    assert complaint_stats.volume_by_week(only_a, NOW).rows == []
    refresh_report_aggregates(NOW)
    db.session.commit()
    assert complaint_stats.volume_by_week(only_a, NOW).rows == [["2027-01-04", 1, 0]]
    only_c = ReportFilter(start=RANGE.start, end=RANGE.end, segment="abc:C")
    assert complaint_stats.volume_by_week(only_c, NOW).rows == [["2027-01-04", 1, 0]]
    # Combined with a root cause or owner it is computed live from the complaints: same answer.
    by_owner = complaint_stats.sla_by_owner(only_a, NOW).rows
    assert sum(row[2] for row in by_owner) == sum(row[2] for row in complaint_stats.sla_by_priority(only_a, NOW).rows)
