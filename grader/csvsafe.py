"""Every CSV the grader writes goes through this module, so that no cell runs as a spreadsheet formula.

A spreadsheet (Excel, LibreOffice, Google Sheets, Canvas's own preview) treats a cell that starts
with ``=``, ``+``, ``-`` or ``@`` as a formula, and a leading tab or carriage return can hide one;
a student controls file and folder names, names in the LMS and the text of their notebook, all of
which reach the grader's CSVs. OWASP's rule ("CSV Injection"): prefix such a cell with a single
quote, which spreadsheets show as text. The text is kept whole after the quote: nothing is lost.

The rule is applied by type, not by guessing from the text:

- text (``str`` and anything that is not a number) is neutralised when it starts with one of
  those characters, even when it looks like a number ("-1" as a file name is text);
- numbers the grader computed (``int``, ``float``: scores, counts, shares) are written as numbers,
  so a genuine negative number stays ``-1.5`` and sorts and sums as one; a non-finite float
  (``-inf``) is not a number a spreadsheet can read and is treated as text;
- ``None`` is an empty cell; ``True``/``False`` are text.

Writers round their numbers before handing them over; this module only formats them
(at most 12 significant digits, ``9.0`` as ``9``).
"""
from __future__ import annotations

import csv
import math
import numbers

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """The text of one CSV cell: numbers as numbers, text that could start a formula quoted."""
    if value is None:
        return ""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value):
        return str(int(value)) if isinstance(value, numbers.Integral) else format(float(value), ".12g")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class Writer:
    """``csv.writer`` whose every cell, header included, goes through :func:`cell`."""

    def __init__(self, f, **kwargs):
        self._w = csv.writer(f, **kwargs)

    def writerow(self, row) -> None:
        self._w.writerow([cell(v) for v in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


class DictWriter:
    """``csv.DictWriter`` whose every cell, header included, goes through :func:`cell`; a missing key
    is an empty cell, a key not in ``fieldnames`` is an error (as in ``csv.DictWriter``)."""

    def __init__(self, f, fieldnames, **kwargs):
        self.fieldnames = list(fieldnames)
        self._w = Writer(f, **kwargs)

    def writeheader(self) -> None:
        self._w.writerow(self.fieldnames)

    def writerow(self, row: dict) -> None:
        extra = set(row) - set(self.fieldnames)
        if extra:
            raise ValueError(f"dict contains fields not in fieldnames: {', '.join(sorted(map(repr, extra)))}")
        self._w.writerow([row.get(k) for k in self.fieldnames])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)
