"""`flask --app wsgi import customers|orders FILE.csv` and `segments recompute`, through the real CLI."""
from __future__ import annotations

import csv

from customers.models import Customer, CustomerScore, Order, Organisation
from tests.support.clock import NOW_TEXT


def write(path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_import_customers_then_orders_with_rejected_rows(runner, tmp_path, db_session):
    customers_csv = write(tmp_path / "customers.csv",
                          ["external_id", "name", "email", "organisation", "language", "timezone", "birthday"], [
                              ["c1", "Anna Nowak", "anna@example.com", "Nowak", "pl", "Europe/Warsaw", "1980-05-01"],
                              ["c2", "Boris", "boris@example.com", "nowak", "ru", "Europe/Moscow", ""],
                              ["c3", "", "nobody@example.com", "", "", "", ""],            # no name
                              ["c4", "Bad Zone", "zone@example.com", "", "en", "Mars/Olympus", ""],
                              ["c1", "Twice", "twice@example.com", "", "", "", ""],         # duplicate id
                              ["c5", "Dup Mail", "ANNA@example.com", "", "", "", ""],       # duplicate e-mail
                          ])
    result = runner.invoke(args=["import", "customers", str(customers_csv), "--now", NOW_TEXT])
    assert result.exit_code == 0, result.output
    assert "read 6, inserted 2, updated 0, rejected 4" in result.output
    db_session.rollback()
    assert db_session.query(Organisation).count() == 1  # "Nowak" and "nowak" are one organisation
    anna = db_session.query(Customer).filter_by(external_id="c1").one()
    assert anna.language == "pl" and anna.timezone == "Europe/Warsaw" and anna.organisation.name == "Nowak"
    with (tmp_path / "customers.rejected.csv").open(encoding="utf-8-sig") as handle:
        rejected = {row["line"]: row["reason"] for row in csv.DictReader(handle)}
    assert set(rejected) == {"4", "5", "6", "7"}
    assert "name" in rejected["4"] and "timezone" in rejected["5"]
    assert "external_id: Appears twice" in rejected["6"] and "email: Appears twice" in rejected["7"]

    # Re-import updates instead of duplicating.
    write(customers_csv, ["external_id", "name", "phone"], [["c2", "Boris Petrov", "+7 900"]])
    result = runner.invoke(args=["import", "customers", str(customers_csv)])
    assert "inserted 0, updated 1, rejected 0" in result.output
    db_session.rollback()
    assert db_session.query(Customer).filter_by(external_id="c2").one().phone == "+7 900"

    orders_csv = write(tmp_path / "orders.csv", ["customer", "ordered_on", "amount", "currency", "due_on", "paid_on",
                                                 "reference"], [
        ["c1", "2026-12-01", "100.00", "PLN", "2026-12-15", "2026-12-14", "INV-1"],
        ["c1", "2026-11-01", "50", "PLN", "", "", "INV-2"],
        ["c2", "2026-10-01", "70.5", "RUB", "", "", ""],
        ["ghost", "2026-10-01", "1", "EUR", "", "", ""],
        ["c1", "yesterday", "1", "EUR", "", "", ""],
        ["c1", "2026-10-01", "1.234", "EUR", "", "", ""],
        ["c1", "2026-10-01", "5", "EUR", "", "", "INV-1"],
    ])
    rejected_path = tmp_path / "out" / "orders-rejected.csv"
    rejected_path.parent.mkdir()
    result = runner.invoke(args=["import", "orders", str(orders_csv), "--rejected", str(rejected_path)])
    assert result.exit_code == 0, result.output
    assert "read 7, inserted 3, updated 0, rejected 4" in result.output
    assert str(rejected_path) in result.output
    with rejected_path.open(encoding="utf-8-sig") as handle:
        reasons = [row["reason"] for row in csv.DictReader(handle)]
    assert len(reasons) == 4 and "external id" in reasons[0] and "reference" in reasons[3]
    db_session.rollback()
    assert db_session.query(Order).count() == 3

    result = runner.invoke(args=["segments", "recompute", "--now", NOW_TEXT])
    assert result.exit_code == 0, result.output
    assert "2 customers scored" in result.output
    db_session.rollback()
    assert db_session.query(CustomerScore).count() == 2


def test_import_refuses_a_file_without_the_needed_columns(runner, tmp_path):
    path = write(tmp_path / "orders.csv", ["who", "when"], [["c1", "2027-01-01"]])
    result = runner.invoke(args=["import", "orders", str(path)])
    assert result.exit_code != 0
    assert "customer" in result.output and "amount" in result.output


def test_recompute_refuses_a_bad_now(runner):
    result = runner.invoke(args=["segments", "recompute", "--now", "tomorrow"])
    assert result.exit_code != 0 and "ISO-8601" in result.output
