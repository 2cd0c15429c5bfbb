"""Derive, then check, then read (issue 17, item 1), for chapters 7 and 8: nothing a learner can read
before an exercise's solution cell — its markdown outside the collapsed hints, and every code cell —
contains a line of that exercise's solution or one of its key formulas, in either language.

The learner's view is the course notebook (earlier solutions blanked). A solution line is a code line
of the solution body, whitespace and comments removed; lines that only restate the given interface
(unpacking the cache, ``n = x.shape[0]``, returning the named results) and short lines are left out.
The key formulas are declared below, per exercise, in the spellings the chapters use (LaTeX and code).
Hints (``<details>`` blocks) may hold the index-form result: they open only on demand.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ("ch07_gradients", "ch08_autodiff")
LANGS = ("en", "zh")

# The solution's direct mathematical form, as it would be written in the text (LaTeX) or in code.
KEY_FORMULAS = {
    "batchnorm_backward_staged": [r"-\frac{1}{2 s^3}\sum_j g_j (x_j - \mu)", r"\frac{\partial L}{\partial \sigma^2}\,\frac{2(x_i-\mu)}{N}",
                                  r"-\partial L/\partial r_d \,/\, s_d^2", "-grads[\"inv\"] / std ** 2"],
    "batchnorm_backward": [r"\hat x_i\,\frac1N \sum_j g_j\,\hat x_j", r"g_i - \frac1N\sum_j g_j",
                           "x_hat * mean(dout * x_hat)", "(g * x_hat).mean(axis=0)"],
    "layernorm_backward": [r"\hat x_{id}\,\frac1D\sum_k g_{ik}", "mean(axis=1, keepdims=True) - x_hat"],
    "dropout_backward": [r"\text{dout}_{ij}\, m_{ij}/(1 - p)", "dout * mask / (1"],
    "softplus_primitive": [r"\text{dout} \odot \sigma(x)", r"\max(x, 0) + \log(1 + e^{-|x|})", "np.log1p(np.exp(-np.abs(x)))"],
}

_DETAILS = re.compile(r"<details>.*?</details>", re.S)
_TRIVIAL = [re.compile(p) for p in (
    r"^[\w,()]+=cache$",                  # unpacking the documented cache
    r"^\(?\w+,?\)?=cache$",
    r"^n=\w+\.shape\[0\]$",
    r"^return[\w,()]+$",                  # returning the named results
    r"^(def|class|@)",                    # the given signature and decorator
    r"^norms={}$", r"^losses=\[\]$",
    r"^(for|with|if|elif|else|while).*:$",     # a loop or block header alone says nothing of the answer
)]

# A find-the-bug exercise (chapter 8) shows the buggy function it asks to fix: the answer keeps its
# correct lines. The bug itself may be named in the text; where the fix is a call the chapter teaches
# (zero_grad), the answer is *where* it goes, which no line shows.
GIVEN = {"train_steps_fixed": "train_steps_buggy", "forward_fixed": "forward_buggy",
         "logged_forward_fixed": "logged_forward_buggy"}
ALLOWED = {"train_steps_fixed": {"opt.zero_grad()"}}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _solution_lines(source: str) -> list[str]:
    body, inside = [], False
    for line in source.splitlines():
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside:
            code = _squash(re.sub(r"#.*$", "", line))
            if len(code) >= 12 and not any(p.match(code) for p in _TRIVIAL):
                body.append(code)
    return body


def _given_lines(gid: str, code_before: list[str]) -> set[str]:
    """The body lines of the function an exercise asks to fix, as shown before it."""
    import ast
    name = GIVEN.get(gid)
    for source in code_before if name else ():
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                return {_squash(l) for l in ast.get_source_segment(source, node).splitlines()} | ALLOWED.get(gid, set())
    return ALLOWED.get(gid, set())


def _exercises(stem: str, lang: str, root: Path = ROOT):
    """(id, what the learner reads before its solution cell, the solution's lines) per exercise."""
    course = nbformat.read(root / "course" / lang / f"{stem}.ipynb", as_version=4)
    solutions = nbformat.read(root / "solutions" / lang / f"{stem}.ipynb", as_version=4)
    bodies = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solutions.cells
              if c.metadata.get("nbgrader", {}).get("solution")}
    before, code = [], []
    for cell in course.cells:
        nbg = cell.metadata.get("nbgrader", {})
        if nbg.get("solution") and nbg.get("grade_id") in bodies:
            gid = nbg["grade_id"]
            given = _given_lines(gid, code)
            yield gid, _squash("\n".join(before)), [l for l in _solution_lines(bodies[gid]) if l not in given]
        text = cell.source
        if cell.cell_type == "code":
            code.append(text)
        before.append(_DETAILS.sub("", text) if cell.cell_type == "markdown" else text)


def leaks(stem: str, lang: str, root: Path = ROOT) -> list[str]:
    found = []
    for gid, seen, lines in _exercises(stem, lang, root):
        for line in lines:
            if line in seen:
                found.append(f"{lang}/{stem} {gid}: solution line {line!r} appears before the exercise")
        for formula in KEY_FORMULAS.get(gid, []):
            if _squash(formula) in seen:
                found.append(f"{lang}/{stem} {gid}: key formula {formula!r} appears before the exercise")
    return found


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("stem", CHAPTERS)
def test_no_solution_line_or_key_formula_before_its_exercise(stem, lang):
    assert leaks(stem, lang) == []


def test_every_declared_exercise_has_solution_lines_to_look_for():
    ids = {}
    for stem in CHAPTERS:
        for gid, _, lines in _exercises(stem, "en"):
            ids[gid] = lines
    assert set(KEY_FORMULAS) <= set(ids)
    # a find-the-bug answer may be the given lines rearranged; every derived answer has lines of its own
    assert all(ids[gid] for gid in ids if gid not in GIVEN), [gid for gid in ids if not ids[gid]]


def test_the_test_sees_a_leak(tmp_path):
    """A chapter whose text gives the formula before the exercise (as chapter 7 did before issue 17)."""
    import shutil
    for kind in ("course", "solutions"):
        (tmp_path / kind / "en").mkdir(parents=True)
        shutil.copy(ROOT / kind / "en" / "ch07_gradients.ipynb", tmp_path / kind / "en")
    path = tmp_path / "course" / "en" / "ch07_gradients.ipynb"
    nb = nbformat.read(path, as_version=4)
    first = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "batchnorm_backward")
    nb.cells.insert(first, nbformat.v4.new_markdown_cell(
        r"$$\frac{1}{s}\Big(g_i - \frac1N\sum_j g_j - \hat x_i\,\frac1N \sum_j g_j\,\hat x_j\Big)$$"))
    nb.cells.insert(first, nbformat.v4.new_code_cell("dropout_grad = dout * mask / (1.0 - p)"))
    nbformat.write(nb, path)
    found = leaks("ch07_gradients", "en", tmp_path)
    assert any("batchnorm_backward: key formula" in f for f in found)
    assert any("dropout_backward: key formula" in f for f in found)    # a demo cell that computes a later answer
