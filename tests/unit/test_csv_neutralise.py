"""CSV cells that a spreadsheet would run as formulas are neutralised; streaming yields chunks."""
import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from reports.csv_export import csv_lines, neutralise


@pytest.mark.parametrize("dangerous", ["=SUM(A1:A9)", "+1+2", "-2+3", "@cmd", "\t=1", "\r=1",
                                       "=HYPERLINK(\"http://evil\")"])
def test_formula_starts_are_prefixed(dangerous):
    assert neutralise(dangerous) == "'" + dangerous


def test_ordinary_values_are_kept():
    assert neutralise("Late delivery") == "Late delivery"
    assert neutralise("a=b") == "a=b"
    assert neutralise(-12.5) == -12.5  # numbers stay numbers, negative ones too
    assert neutralise(Decimal("3.10")) == Decimal("3.10")
    assert neutralise(None) == ""
    assert neutralise(True) == "yes"
    assert neutralise(date(2027, 1, 15)) == "2027-01-15"


def test_csv_lines_stream_in_chunks_and_parse_back():
    rows = ([i, f"=evil{i}", "ok"] for i in range(1200))
    chunks = list(csv_lines(["n", "text", "plain"], rows))
    assert len(chunks) == 3  # 500 + 500 + the rest
    parsed = list(csv.reader(io.StringIO("".join(chunks))))
    assert parsed[0] == ["n", "text", "plain"]
    assert parsed[1] == ["0", "'=evil0", "ok"]
    assert len(parsed) == 1201


def test_header_is_neutralised_too():
    assert next(csv_lines(["-minus"], [])).startswith("'-minus")
