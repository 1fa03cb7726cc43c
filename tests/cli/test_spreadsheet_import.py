"""`flask import customers|orders` with the files people really have: Excel's `;` and decimal
commas in its Windows code pages, UTF-16, Latin-1, a giant cell, a NUL deep in the file."""
from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from customers.models import Customer, Order
from tests.support.clock import NOW_TEXT


WESTERN = "Straße, garçon, naïve, Ångström, ñandú; años después del café en España"


def _write(path, rows, *, encoding="utf-8", separator=","):
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=separator).writerows(rows)
    return path


def _customers(runner, path):
    return runner.invoke(args=["import", "customers", str(path), "--now", NOW_TEXT])


@pytest.mark.parametrize("encoding, name", [("cp1250", "Łukasz Wróbel-Żółć"), ("cp1251", "Фёдор Ёлкин"),
                                            ("utf-16", "Jiří Šťastný"), ("utf-8-sig", "Ștefan Țărănescu"),
                                            ("cp1250", "Ştefan Ţărănescu"), ("latin_1", "José Muñoz, Señora Peña")])
def test_excel_files_in_our_languages_import_and_name_their_encoding(runner, tmp_path, db_session, encoding, name):
    path = _write(tmp_path / "customers.csv", [["external_id", "name", "notes"], ["c1", name, WESTERN
                                                                                  if encoding == "latin_1" else ""]],
                  encoding=encoding, separator=";")
    result = _customers(runner, path)
    assert result.exit_code == 0, result.output
    assert "separated by semicolon" in result.output
    expected = {"cp1250": "Windows-1250", "cp1251": "Windows-1251", "utf-16": "UTF-16", "utf-8-sig": "UTF-8 with BOM",
                "latin_1": "Latin-1 (ISO-8859-1)"}[encoding]
    assert f"file read as {expected}, separated by semicolon" in result.output
    assert "read 1, inserted 1" in result.output
    db_session.rollback()
    assert db_session.query(Customer).filter_by(external_id="c1").one().name == name


def test_orders_with_decimal_commas_import_exactly(runner, tmp_path, db_session):
    _write(tmp_path / "customers.csv", [["external_id", "name"], ["c1", "Anna Nowak"]], separator=";")
    assert _customers(runner, tmp_path / "customers.csv").exit_code == 0
    orders = _write(tmp_path / "orders.csv", [["customer", "ordered_on", "amount", "currency"],
                                              ["c1", "2026-12-01", "87,99", "PLN"],
                                              ["c1", "2026-12-02", "1 234,50", "PLN"],
                                              ["c1", "2026-12-03", "1.234,56", "PLN"],
                                              ["c1", "2026-12-04", "1,234.5", "PLN"],
                                              ["c1", "2026-12-05", "1,234", "PLN"]],  # ambiguous: three decimals
                    encoding="cp1250", separator=";")
    result = runner.invoke(args=["import", "orders", str(orders)])
    assert result.exit_code == 0, result.output
    assert "inserted 4" in result.output and "rejected 1" in result.output
    db_session.rollback()
    amounts = sorted(o.amount for o in db_session.query(Order))
    assert amounts == [Decimal("87.99"), Decimal("1234.50"), Decimal("1234.5"), Decimal("1234.56")]


def test_a_giant_cell_refuses_its_row_only(runner, tmp_path, db_session):
    path = _write(tmp_path / "customers.csv", [["external_id", "name", "notes"], ["c1", "Anna", "x" * 200_000],
                                               ["c2", "Boris", "fine"]])
    result = _customers(runner, path)
    assert result.exit_code == 0, result.output
    assert "inserted 1" in result.output and "rejected 1" in result.output
    with (tmp_path / "customers.rejected.csv").open(encoding="utf-8-sig") as handle:
        (row,) = csv.DictReader(handle)
    assert row["line"] == "2" and "notes: Longer than 128 kB" in row["reason"]


def test_a_nul_deep_in_the_file_is_one_rejected_row_and_the_rest_imports(runner, tmp_path, db_session):
    rows = [["external_id", "name", "notes"]] + [[f"c{i}", f"Customer {i}", ""] for i in range(1, 1300)]
    rows[1201][2] = "bad\x00byte"
    path = _write(tmp_path / "customers.csv", rows)
    result = _customers(runner, path)
    assert result.exit_code == 0, result.output
    assert "read 1299, inserted 1298, updated 0, rejected 1" in result.output
    with (tmp_path / "customers.rejected.csv").open(encoding="utf-8-sig") as handle:
        (row,) = csv.DictReader(handle)
    assert row["line"] == "1202" and "NUL" in row["reason"]
    db_session.rollback()
    assert db_session.query(Customer).count() == 1298


def test_a_header_with_the_wrong_names_says_what_it_found(runner, tmp_path):
    path = _write(tmp_path / "customers.csv", [["id", "full name"], ["1", "x"]], separator=";")
    result = _customers(runner, path)
    assert result.exit_code == 1
    assert "external_id, name" in result.output and "semicolon" in result.output
    assert "Traceback" not in result.output


def test_the_country_column_is_checked_and_imported(runner, tmp_path, db_session):
    path = _write(tmp_path / "customers.csv", [["external_id", "name", "country"], ["c1", "Ion", "ro"],
                                                ["c2", "Nobody", "EU"], ["c3", "Jane", ""]])
    result = _customers(runner, path)
    assert result.exit_code == 0, result.output
    db_session.rollback()
    countries = dict(db_session.query(Customer.external_id, Customer.country).all())
    assert countries == {"c1": "RO", "c3": None}  # EU is no country: that row is refused
