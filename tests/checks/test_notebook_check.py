"""coursekit.check(): the visible checks of a notebook and its expected score, before submitting."""
import json
import pathlib
import re
import shutil

import numpy as np
import pytest
from checks_helpers import english  # noqa: F401  (autouse fixture: every test starts in English)

import coursekit
from coursekit.checks import ch01, notebook

REPO = pathlib.Path(__file__).resolve().parents[2]
SOLUTION = REPO / "solutions" / "en" / "ch01_derivatives.ipynb"
COURSE_EN = REPO / "course" / "en" / "ch01_derivatives.ipynb"
COURSE_ZH = REPO / "course" / "zh" / "ch01_derivatives.ipynb"
CJK = re.compile(r"[\u4e00-\u9fff]")


def answers(path):
    """The namespace a learner has after running the answer cells of ``path``."""
    ns = {"np": np, "__name__": "__main__"}
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if (cell["metadata"].get("nbgrader") or {}).get("solution"):
            exec("".join(cell["source"]), ns)  # noqa: S102  (our own notebooks)
    return ns


@pytest.fixture
def solved(tmp_path):
    copy = tmp_path / "ch01_derivatives.ipynb"
    shutil.copy(SOLUTION, copy)
    return copy, answers(SOLUTION)


def test_solutions_get_the_full_expected_score(solved, capsys):
    path, ns = solved
    result = coursekit.check(path=path, namespace=ns)
    assert [e.exercise for e in result.exercises] == [
        "forward_difference", "central_difference", "numerical_gradient", "relative_error"]
    assert [e.points for e in result.exercises] == [1, 1, 2, 1]
    assert result.total == result.max_score == 5 and result.passed == 4
    assert all(e.ok and e.status == "passed" for e in result.exercises)
    out = capsys.readouterr().out
    assert "Expected score: 5 / 5 points" in out and "Hidden tests may still fail" in out
    assert out.count("✓") == 4 and "✗" not in out
    assert "all 3 checks passed" not in out  # the checks' own lines are not repeated
    assert repr(result) == "<coursekit.check: 5 / 5 points expected, 4 of 4 exercises pass>"


def test_hidden_tests_are_never_run(solved, monkeypatch):
    path, ns = solved
    calls = []
    real = ch01.check_forward_difference
    monkeypatch.setattr(ch01, "check_forward_difference",
                        lambda fn, hidden=False: calls.append(hidden) or real(fn, hidden=hidden))
    coursekit.check(path=path, namespace=ns, quiet=True)
    assert calls == [False]


def test_blank_course_notebook_scores_zero(capsys):
    result = coursekit.check(path=COURSE_EN, namespace=answers(COURSE_EN))
    assert result.total == 0 and result.max_score == 5
    assert {e.status for e in result.exercises} == {"not_implemented"}
    out = capsys.readouterr().out
    assert out.count("not implemented yet") == 4 and "Expected score: 0 / 5 points" in out


def test_one_wrong_function_fails_with_its_diagnosis(solved, capsys):
    path, ns = solved
    ns["central_difference"] = ns["forward_difference"]   # the classic mix-up
    result = coursekit.check(path=path, namespace=ns)
    by = {e.exercise: e for e in result.exercises}
    assert by["central_difference"].status == "failed" and by["central_difference"].earned == 0
    assert "forward difference" in by["central_difference"].message
    assert result.total == 4 and result.passed == 3
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "central_difference" in ln)
    assert line.lstrip().startswith("✗") and "0/1" in line and "case 1 of" in line
    assert "Hint: This is the forward difference" in out
    assert "Expected score: 4 / 5 points (3 of 4 exercises" in out


def test_missing_name_and_a_crashing_answer(solved):
    path, ns = solved
    del ns["relative_error"]
    ns["numerical_gradient"] = lambda f, x, h=1e-5: {}["boom"]
    by = {e.exercise: e for e in coursekit.check(path=path, namespace=ns, quiet=True).exercises}
    assert by["relative_error"].status == "missing" and "relative_error is not defined" in by["relative_error"].message
    assert by["numerical_gradient"].status == "failed" and "KeyError" in by["numerical_gradient"].message
    assert by["forward_difference"].ok


def test_chinese_notebook_reports_in_chinese(capsys):
    ns = answers(COURSE_ZH)
    ns["forward_difference"] = answers(SOLUTION)["forward_difference"]
    result = coursekit.check(path=COURSE_ZH, namespace=ns, lang="zh")
    assert result.total == 1
    out = capsys.readouterr().out
    assert "预计得分：1 / 5 分" in out and "隐藏测试仍可能不通过" in out and "尚未实现" in out
    prose = [ln for ln in out.splitlines() if ln.strip() and not ln.lstrip().startswith(("✓", "✗"))]
    assert prose and all(CJK.search(ln) for ln in prose)
    assert coursekit.checks.get_language() == "en"  # lang= applies to this report only


def test_the_notebook_is_found_from_session_variables(solved, monkeypatch, tmp_path):
    path, ns = solved
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert notebook.find_notebook({"__session__": str(path)}) == path
    assert notebook.find_notebook({"__vsc_ipynb_file__": str(path)}) == path
    monkeypatch.chdir(tmp_path)
    assert notebook.find_notebook({"__session__": path.name}) == path  # relative to the kernel's folder
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    assert notebook.find_notebook({}) == path
    ns["__session__"] = str(path)
    monkeypatch.delenv("JPY_SESSION_NAME")
    assert notebook.check(namespace=ns, quiet=True).total == 5


def test_caller_globals_are_the_default_namespace(solved):
    path, ns = solved
    code = "result = coursekit.check(path=PATH, quiet=True)"
    ns.update(coursekit=coursekit, PATH=path)
    exec(code, ns)  # noqa: S102  (like a notebook cell: check() reads this cell's globals)
    assert ns["result"].total == 5


def test_without_a_notebook_it_says_how_to_call_it(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert coursekit.check(namespace={}) is None
    assert 'coursekit.check(path="ch01_derivatives.ipynb")' in capsys.readouterr().out
    assert coursekit.check(path="nowhere.ipynb", namespace={}) is None
    assert "nowhere.ipynb: no such notebook file" in capsys.readouterr().out
    (tmp_path / "bad.ipynb").write_text("{not json")
    assert coursekit.check(path=tmp_path / "bad.ipynb", namespace={}) is None
    assert "could not be read as a notebook" in capsys.readouterr().out
    (tmp_path / "plain.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4}))
    assert coursekit.check(path=tmp_path / "plain.ipynb", namespace={}) is None
    assert "no graded exercises" in capsys.readouterr().out


def test_an_edited_tests_cell_is_reported_not_run(solved):
    path, ns = solved
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if (cell["metadata"].get("nbgrader") or {}).get("grade_id") == "relative_error_tests":
            cell["source"] = "%time print('all good')\n"
    path.write_text(json.dumps(nb), encoding="utf-8")
    by = {e.exercise: e for e in coursekit.check(path=path, namespace=ns, quiet=True).exercises}
    assert by["relative_error"].status == "no_check" and by["relative_error"].earned == 0
    assert "differs from the one you received" in by["relative_error"].message


def test_exercises_come_from_the_manifest_not_the_cells(solved):
    """A deleted tests cell still counts (0 points, as in grading); a graded cell the manifest does
    not know is reported as unknown; the name checked is the manifest's, whatever the cell says."""
    path, ns = solved
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"] = [c for c in nb["cells"]
                   if (c["metadata"].get("nbgrader") or {}).get("grade_id") != "central_difference_tests"]
    nb["cells"].append({"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "grade_id": "extra_tests",
                                                                       "points": 9}},
                        "source": "ch01.check_forward_difference(forward_difference)", "outputs": [],
                        "execution_count": None})
    path.write_text(json.dumps(nb), encoding="utf-8")
    result = coursekit.check(path=path, namespace=ns, quiet=True)
    by = {e.exercise: e for e in result.exercises}
    assert by["central_difference"].status == "no_check" and by["central_difference"].points == 1
    assert by["extra"].status == "unknown" and by["extra"].points == 0
    assert result.max_score == 5 and result.total == 4


def test_the_notebook_check_does_not_import_the_grader():
    src = (REPO / "src" / "coursekit" / "checks" / "notebook.py").read_text(encoding="utf-8")
    assert "grader" not in re.findall(r"^\s*(?:from|import)\s+(\S+)", src, flags=re.M)
