"""Derive, then check, then read (issue 17, item 1) for chapters 0-2: no line of an exercise's
solution, and none of its key formulas, stands anywhere in a notebook before that exercise's
solution cell, in either language.

What counts as "before": every cell above the exercise's first solution cell, and the part of the
solution cell above ``### BEGIN SOLUTION`` (its docstring). What is compared:

* the solution's code lines, normalised (comments kept, all whitespace removed, a leading
  ``return`` dropped; lines shorter than 10 characters are too generic to mean anything), against
  all of that text, collapsed hints included (a hint never shows code);
* a few declared key formulas per exercise (regular expressions on the whitespace-free text, code
  and LaTeX forms), against that text *without* the collapsed ``<details>`` hints: the last hint may
  give the index-form result, which the text itself must not.

``relative_error`` declares no formula: its formula is the definition the exercise asks to
implement, so the text states it (the code lines are still compared).
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
CHAPTERS = ("ch00", "ch01", "ch02")
LANGS = ("en", "zh")
MIN_LINE = 10

KEY_FORMULAS = {
    "center_rows": [r"\.mean\(axis=1,keepdims=True\)"],
    "forward_difference": [r"\(f\(x\+h\)-f\(x\)\)/h", r"\\frac\{f\(x\+h\)-f\(x\)\}\{h\}"],
    "central_difference": [r"\(f\(x\+h\)-f\(x-h\)\)/\(?2\*?h", r"\\frac\{f\(x\+h\)-f\(x-h\)\}\{2h\}"],
    "numerical_gradient": [r"\\frac\{f\(x\+he_i\)-f\(x-he_i\)\}\{2h\}", r"f\(x\+he_i\)-f\(x-he_i\)"],
    "relative_error": [],
    "local_gradients": [r"\\partialu/\\partialw=x", r"\\frac\{\\partialu\}\{\\partialw\}=x",
                        r"\\partialJ/\\partialw=5\.25"],
    "topological_sort": [r"appendnodetotheorder", r"把node追加到顺序列表末尾"],
    "value_class": [r"\|\$1-t\^2\$\|", r"\|\$b\$[,，]\$a\$\|"],
    "dual_numbers": [r"\\dot\{\(ab\)\}=\\dota\\,b\+a\\,\\dotb", r"\(\\dota\\,b\+a\\,\\dotb\)\\varepsilon",
                     r"Dual\.mults\+=3"],
}

_DETAILS = re.compile(r"<details>.*?</details>", re.S)
_BEGIN = re.compile(r"^\s*### BEGIN SOLUTION\s*$", re.M)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def solution_lines(source: str) -> list[str]:
    """The normalised code lines between BEGIN and END SOLUTION markers."""
    lines, inside = [], False
    for line in source.splitlines():
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside:
            code = squash(line)
            code = code[len("return"):] if code.startswith("return") else code
            if len(code) >= MIN_LINE:
                lines.append(code)
    return lines


def exercises(nb) -> list[tuple[str, str, str]]:
    """(exercise id, text before its first solution cell, the solution lines of all its cells)."""
    found, before = {}, []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id")
        if meta.get("solution") and gid:
            if gid not in found:
                head = _BEGIN.split(cell.source)[0]
                found[gid] = ["\n".join(before) + "\n" + head, []]
            found[gid][1] += solution_lines(cell.source)
        before.append(cell.source)
    return [(gid, text, lines) for gid, (text, lines) in found.items()]


def notebook(lang: str, chapter: str):
    (path,) = sorted((REPO / "solutions" / lang).glob(f"{chapter}_*.ipynb"))
    return nbformat.read(str(path), as_version=4)


def problems(nb) -> list[str]:
    out = []
    for gid, text, lines in exercises(nb):
        everything = squash(text)
        prose = squash(_DETAILS.sub("", text))
        out += [f"{gid}: solution line {line!r} stands before the exercise" for line in lines if line in everything]
        out += [f"{gid}: key formula /{pattern}/ stands before the exercise"
                for pattern in KEY_FORMULAS.get(gid, []) if re.search(pattern, prose)]
    return out


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_solution_before_its_exercise(chapter, lang):
    assert problems(notebook(lang, chapter)) == []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_exercise_declares_its_key_formulas(chapter):
    """A new exercise in these chapters must say what its answer looks like (or why it cannot)."""
    ids = {gid for gid, _, _ in exercises(notebook("en", chapter))}
    assert ids <= set(KEY_FORMULAS), sorted(ids - set(KEY_FORMULAS))


def test_the_rule_catches_a_formula_and_a_code_line():
    """The comparison itself: a copy of the answer above the exercise is found, in code and in prose."""
    nb = nbformat.v4.new_notebook()
    solution = nbformat.v4.new_code_cell("def f(x, h):\n    ### BEGIN SOLUTION\n    return (f(x + h) - f(x - h)) / (2 * h)\n"
                                         "    ### END SOLUTION")
    solution.metadata["nbgrader"] = {"solution": True, "grade_id": "central_difference"}
    for before in ("$$\\frac{f(x + h) - f(x - h)}{2h}$$", "est = (f(x + h) - f(x - h)) / (2 * h)"):
        nb.cells = [nbformat.v4.new_markdown_cell(before), solution]
        assert problems(nb), before
    nb.cells = [nbformat.v4.new_markdown_cell("<details><summary>Hint</summary>\n\n"
                                              "$f(x + h) - f(x - h) = 2h f'(x) + O(h^3)$\n</details>"), solution]
    assert problems(nb) == []
