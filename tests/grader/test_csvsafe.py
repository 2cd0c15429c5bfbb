"""grader/csvsafe.py: the one rule that keeps formulas out of every CSV the grader writes."""
from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # grader/ is not an installed package

from grader import csvsafe  # noqa: E402


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-", "=", "-inf"])
def test_text_that_could_start_a_formula_is_quoted_and_kept_whole(text):
    assert csvsafe.cell(text) == "'" + text


@pytest.mark.parametrize("text", ["", "Jane Doe", "1", "4.5", "a=b", " =1", "'=1", "张三", "ch03_mlp"])
def test_other_text_is_left_alone(text):
    assert csvsafe.cell(text) == text


@pytest.mark.parametrize("value, text", [(-1.5, "-1.5"), (-2, "-2"), (9.0, "9"), (0.1 + 0.2, "0.3"),
                                         (1e20, "1e+20"), (None, ""), (True, "True"),
                                         (float("-inf"), "'-inf"), (float("nan"), "nan")])
def test_numbers_the_grader_computed_stay_numbers(value, text):
    assert csvsafe.cell(value) == text


def test_writers_apply_the_rule_to_every_cell_header_included():
    f = io.StringIO()
    w = csvsafe.DictWriter(f, ["=h", "score"])
    w.writeheader()
    w.writerow({"=h": "@x", "score": -1.0})
    w.writerow({"score": 2})
    assert list(csv.reader(io.StringIO(f.getvalue()))) == [["'=h", "score"], ["'@x", "-1"], ["", "2"]]
    with pytest.raises(ValueError, match="not in fieldnames"):
        w.writerow({"other": 1})


def test_every_csv_writer_of_the_grader_goes_through_csvsafe():
    """A new writer that calls the csv module directly would bypass the rule."""
    direct = re.compile(r"\bcsv\s*\.\s*(writer|DictWriter)\s*\(")
    offenders = [p.name for p in (REPO / "grader").rglob("*.py")
                 if p.name != "csvsafe.py" and direct.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
