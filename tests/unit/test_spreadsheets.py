"""CSV as people really have it: the encodings and separators of Excel in our five languages in,
and files Excel opens right out (BOM, every cell quoted, formulas neutralised, exact decimals)."""
from __future__ import annotations

import codecs
import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from platform_support.spreadsheets import FIELD_MAX, TableError, csv_lines, neutralise, read_table

ROWS = [["external_id", "name", "notes"], ["c1", "Żaneta Źdźbło", "Żółty"], ["c2", "Фёдор Ёлкин", "ещё"],
        ["c3", "Ștefan Țărănescu", "întârziere"], ["c4", "Jiří Šťastný", "háčky"]]


def _csv(rows, separator=","):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding, rows, reported", [
    ("utf-8", ROWS, "utf-8"),
    ("utf-8-sig", ROWS, "utf-8-sig"),
    ("utf-16", ROWS, "utf-16"),
    ("utf-16-le", ROWS, "utf-16-le"),
    ("cp1250", [ROWS[0], ROWS[1], ROWS[4], ["c5", "Łukasz Wróbel", "źle, bardzo źle"]], "cp1250"),
    ("cp1251", [ROWS[0], ROWS[2], ["c5", "Пётр Щукин", "Доставка опоздала на неделю, товар повреждён"]], "cp1251"),
    ("latin_1", [ROWS[0], ["c6", "José Muñoz", "Straße, garçon, naïve, Ångström, ñandú"],
                  ["c7", "Señora Peña", "años después del café en España"]], "latin_1"),
])
@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_encodings_and_separators_are_detected_and_named(encoding, rows, reported, separator):
    table = read_table(_csv(rows, separator).encode(encoding), required=["external_id", "name"])
    assert table.separator == separator
    assert table.encoding.replace("-", "_").lower() == reported.replace("-", "_").lower() or (
        reported == "cp1250" and table.encoding in ("cp1250", "windows-1250"))
    assert [row["name"] for _line, row in table.rows] == [r[1] for r in rows[1:]]


def test_a_missing_column_names_the_separator_it_found():
    with pytest.raises(TableError) as caught:
        read_table(b"id;full name\n1;x\n", required=["external_id", "name"], expected=["external_id", "name"])
    assert "external_id, name" in str(caught.value) and "semicolon" in str(caught.value)


def test_a_field_over_the_limit_flags_its_row_and_the_others_still_read():
    text = _csv([["external_id", "name", "notes"], ["c1", "A", "x" * (FIELD_MAX + 1)], ["c2", "B", "ok"]])
    table = read_table(text.encode())
    assert table.oversize == {2: ["notes"]}
    assert [row["external_id"] for _line, row in table.rows] == ["c1", "c2"]


def test_an_empty_file_is_a_clear_error():
    with pytest.raises(TableError):
        read_table(b"")


@pytest.mark.parametrize("dangerous", ["=SUM(A1:A9)", "+1+2", "-2+3", "@cmd", "\t=1", "\r=1",
                                       "=HYPERLINK(\"http://evil\")"])
def test_formula_starts_are_prefixed(dangerous):
    assert neutralise(dangerous) == "'" + dangerous


def test_ordinary_values_are_kept_and_amounts_are_exact():
    assert neutralise("Late delivery") == "Late delivery"
    assert neutralise("a=b") == "a=b"
    assert neutralise("-12.5") == "-12.5"  # a negative number is no formula
    assert neutralise(-12.5) == "-12.5"
    assert neutralise(87.99000000000001) == "87.99"
    assert neutralise(0.1 + 0.2) == "0.3"
    assert neutralise(1234567890123.45) == "1234567890123.45"
    assert neutralise(Decimal("3.10")) == "3.10"
    assert neutralise(None) == ""
    assert neutralise(True) == "yes"
    assert neutralise(date(2027, 1, 15)) == "2027-01-15"


def test_csv_lines_have_a_bom_quote_every_cell_and_stream_in_chunks():
    rows = ([i, f"=evil{i}", "ok"] for i in range(1200))
    chunks = list(csv_lines(["n", "text", "plain"], rows))
    assert len(chunks) == 3  # 500 + 500 + the rest
    text = "".join(chunks)
    assert text.startswith(codecs.BOM_UTF8.decode("utf-8"))
    assert text.splitlines()[1] == '"0","\'=evil0","ok"'
    parsed = list(csv.reader(io.StringIO(text[1:])))
    assert parsed[0] == ["n", "text", "plain"] and len(parsed) == 1201


def test_semicolon_separated_output_reads_back():
    text = "".join(csv_lines(["name", "amount"], [["Nowak; Spółka", Decimal("1234.50")]], separator=";"))
    assert list(csv.reader(io.StringIO(text[1:]), delimiter=";")) == [["name", "amount"], ["Nowak; Spółka", "1234.50"]]


def test_header_is_neutralised_too():
    assert next(csv_lines(["-minus"], [])).startswith('\ufeff"\'-minus')
