"""Derive, then check, then read (issue 17, item 1), for every graded exercise of every chapter, in
both languages: nothing of an exercise's solution stands in what the learner reads before writing it.

* **The learner's view** of an exercise is its course notebook (``course/<lang>/<stem>.ipynb``:
  earlier solutions blanked, hidden tests removed) up to the exercise's solution cell, plus that
  cell as released (signature, docstring and every given line: more than its head where a class
  has several methods to fill in). The solution body comes from
  ``solutions/<lang>/<stem>.ipynb``. Exercises, chapters and notebooks come from the manifest.
* **One normalisation** for code, prose and formulas: comments dropped (by tokenizing the code),
  whitespace and LaTeX thin spaces (``\\,`` ``\\!`` ``\\;`` ``\\:``) removed, ``1.0`` read as ``1``.
* **No solution line** (normalised, a leading ``return`` dropped) stands anywhere in the view, the
  collapsed hints included; **no key formula** (``derive_first_formulas.KEY_FORMULAS``) stands in it
  outside the collapsed ``<details>`` hints, which may give the index-form result but never code.
  Exempt, each with its reason: interface and boilerplate lines (``_BOILERPLATE`` below, and
  ``INTERFACE`` per exercise), lines the learner wrote in an earlier exercise of the same chapter,
  and the given lines of a chapter-8 find-the-bug exercise (``GIVEN``).
* **Hints before, derivation after**: a backward exercise has collapsed hints (``<details>`` with a
  ``<summary>``, no code fence, no solution line) in its set-up, and a "The derivation, written
  out" / 「推导全过程」 section right after its tests cell (exceptions in the data module, with reasons).
Reads notebooks only; nothing is executed.
"""
from __future__ import annotations

import ast
import functools
import io
import re
import shutil
import textwrap
import tokenize
from pathlib import Path

import nbformat
import pytest
from derive_first_formulas import (ALLOWED, GIVEN, INTERFACE, KEY_FORMULAS, NO_DERIVATION, NO_HINTS,
                                   SHARED_DERIVATION, SHARED_HINTS)

from coursekit import manifest

REPO = Path(__file__).resolve().parents[2]
LANGS = manifest.LANGS
EXERCISES = manifest.exercises()
_BEGIN, _END = "### BEGIN SOLUTION", "### END SOLUTION"
_DETAILS = re.compile(r"<details>.*?</details>", re.S)
_WRITTEN_OUT = re.compile(r"The derivations?, written out|推导全过程")
_SETUP_CELLS = 5        # the hints stand in the exercise's own set-up: at most this many cells above it
_AFTER_TESTS = 3        # the derivation starts within this many cells after the tests cell

# Lines that restate the exercise's interface, in any exercise: they say nothing of the derivation.
# Matched against the normalised line. Narrow on purpose: a loop header, an `if` condition, a zero
# accumulator or a shape can be the answer itself (`if t % k == 0:`), so those are exempted only per
# exercise, as exact lines (``INTERFACE`` in the data module).
_BOILERPLATE = [(re.compile(p), why) for p, why in (
    (r"^[\w=.,]*\)+,?$", "the tail of a call spread over lines, such as `axis=1)`"),
    (r"^return\(?\w+(,\w+)*,?\)?$", "returns the named results, in the order the docstring gives"),
    (r"^\(?[\w,]+\)?=cache(\[\d+\])?$", "unpacks the cache the docstring describes"),
    (r"^cache=\([\w,]+\)$", "builds the cache the docstring asks to return"),
)]


def normalise(text: str) -> str:
    text = re.sub(r"\s+|\\[,!;:]", "", text)
    return re.sub(r"(?<![\w.])1\.0(?!\d)", "1", text)


def code_lines(body: str) -> list[str]:
    """The non-empty lines of ``body``, comments dropped (tokenized, so a ``#`` in a string stays),
    normalised; a statement spread over several lines gives one entry per line."""
    rows: dict[int, list[str]] = {}
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(textwrap.dedent(body) + "\n").readline):
            if tok.type not in skip:
                rows.setdefault(tok.start[0], []).append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):   # not whole statements: drop comments by hand
        rows = {i: [line.split("#", 1)[0]] for i, line in enumerate(body.splitlines())}
    return [line for line in (normalise("".join(v)) for _, v in sorted(rows.items())) if line]


def boilerplate(exercise: str, line: str) -> str | None:
    """Why ``line`` of ``exercise``'s solution is exempt as interface or boilerplate, else None."""
    exact = {normalise(s): why for s, why in INTERFACE.get(exercise, {}).items()}
    if line in exact:
        return exact[line]
    return next((why for pattern, why in _BOILERPLATE if pattern.search(line)), None)


def solution_body(source: str) -> str:
    return "\n".join(re.findall(rf"{_BEGIN}\n(.*?)\n[ \t]*{_END}", source, re.S))


@functools.lru_cache(maxsize=None)
def _read(root: Path, kind: str, lang: str, stem: str):
    return nbformat.read(root / kind / lang / f"{stem}.ipynb", as_version=4)


def _index(nb, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def view(ex, lang: str, root: Path = REPO):
    """(the cells the learner reads before and while writing ``ex``'s solution, its released stub
    last; the solution body; the course notebook; the solution cell's index in it)."""
    stem = ex.notebooks[lang]
    course, solutions = _read(root, "course", lang, stem), _read(root, "solutions", lang, stem)
    at = _index(course, ex.solution_ids[0])
    source = "\n".join(solutions.cells[_index(solutions, g)].source for g in ex.solution_ids)
    return list(course.cells[:at + 1]), solution_body(source), course, at


def given_lines(ex, cells) -> set[str]:
    """The body lines of the buggy function a find-the-bug exercise shows (and asks to fix)."""
    found = set(map(normalise, ALLOWED.get(ex.id, ())))
    for cell in (c for c in cells if ex.id in GIVEN and c.cell_type == "code"):
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == GIVEN[ex.id]:
                found |= set(code_lines(ast.get_source_segment(cell.source, node)))
    return found


def earlier_lines(ex, lang: str, root: Path = REPO) -> set[str]:
    """Lines the learner wrote in the chapter's earlier exercises: their own work, not a giveaway
    (truncated_bptt is rnn_backward with a cut; an LSTM step ends like an RNN step)."""
    earlier = manifest.for_notebook(ex.chapter)
    return {line for e in earlier[:earlier.index(ex)] for line in code_lines(view(e, lang, root)[1])}


def checked_lines(ex, lang: str, root: Path = REPO) -> list[str]:
    """The solution lines that must not stand before the exercise (exemptions left out)."""
    cells, body, _, _ = view(ex, lang, root)
    skip = earlier_lines(ex, lang, root) | given_lines(ex, cells)
    return [line for line in code_lines(body) if line not in skip and not boilerplate(ex.id, line)]


def _searched(line: str) -> str:
    """The form a solution line is looked for in: without a leading ``return`` (`return (f(x + h) - f(x)) / h`
    gives away the answer as its expression)."""
    return line[len("return"):] if line.startswith("return") else line


def _text(cells, hints: bool) -> str:
    return "\n".join(c.source if hints or c.cell_type != "markdown" else _DETAILS.sub("", c.source)
                     for c in cells)


def leaks(ex, lang: str, root: Path = REPO) -> list[str]:
    """What of ``ex``'s solution stands before it, in ``lang``: solution lines (anywhere, hints
    included; a leading ``return`` dropped) and key formulas (outside the collapsed hints)."""
    cells = view(ex, lang, root)[0]
    everything, outside = normalise(_text(cells, True)), normalise(_text(cells, False))
    found = [f"{lang}/{ex.id}: solution line {line!r}" for line in checked_lines(ex, lang, root)
             if _searched(line) in everything]
    return found + [f"{lang}/{ex.id}: key formula {f!r}" for f in KEY_FORMULAS.get(ex.id, ())
                    if normalise(f) in outside]


CASES = [pytest.param(ex, lang, id=f"{lang}-{ex.id}") for ex in EXERCISES for lang in LANGS]


@pytest.mark.parametrize("ex, lang", CASES)
def test_no_solution_line_or_key_formula_before_the_exercise(ex, lang):
    assert leaks(ex, lang) == []


def test_every_graded_exercise_declares_its_key_formulas():
    """A new exercise must say what its answer looks like, or (an empty list) why it cannot."""
    ids = [ex.id for ex in EXERCISES]
    assert sorted(set(ids) - set(KEY_FORMULAS)) == [], "add these to derive_first_formulas.KEY_FORMULAS"
    assert sorted(set(KEY_FORMULAS) - set(ids)) == [], "stale entries: not exercises of the manifest"
    named = [*INTERFACE, *GIVEN, *NO_HINTS, *NO_DERIVATION, *SHARED_HINTS, *SHARED_HINTS.values(),
             *SHARED_DERIVATION, *SHARED_DERIVATION.values()]
    assert sorted(set(named) - set(ids)) == [], "the exemption tables name exercises the manifest lacks"
    stale = [(e, s) for e, lines in INTERFACE.items() for s in lines
             if normalise(s) not in code_lines(view(manifest.exercise(e), "en")[1])]
    assert stale == [], "INTERFACE lines that are not lines of the exercise's solution"


@pytest.mark.parametrize("ex, lang", CASES)
def test_every_derived_answer_has_lines_to_look_for(ex, lang):
    """The exemptions leave something to check: only a find-the-bug answer (the given lines,
    rearranged) may consist of exempt lines alone."""
    assert checked_lines(ex, lang) or ex.id in GIVEN, f"{ex.id}: every solution line is exempt"


def _hint_cells(ex, lang: str, root: Path = REPO) -> list:
    """The markdown cells of ``ex``'s set-up: after the previous exercise's tests cell, at most
    ``_SETUP_CELLS`` cells above the solution cell."""
    target = manifest.exercise(SHARED_HINTS.get(ex.id, ex.id))
    _, _, course, at = view(target, lang, root)
    earlier = manifest.for_notebook(ex.chapter)
    start = max([_index(course, e.tests_id) + 1 for e in earlier if _index(course, e.tests_id) < at] + [0])
    return [c for c in course.cells[max(start, at - _SETUP_CELLS):at] if c.cell_type == "markdown"]


def hint_problems(ex, lang: str, root: Path = REPO) -> list[str]:
    """What is wrong with the hints of ``ex``'s set-up: none where the exercise needs them, a hint
    that would not collapse, a hint that shows code or a solution line."""
    hints = [h for c in _hint_cells(ex, lang, root) for h in _DETAILS.findall(c.source)]
    found = [] if hints or ex.id in NO_HINTS else [f"{lang}/{ex.id}: no collapsed <details> hint in its set-up"]
    for hint in hints:
        found += [f"{lang}/{ex.id}: a hint without a <summary> (it would not collapse)"] * ("<summary>" not in hint)
        found += [f"{lang}/{ex.id}: a hint shows a code fence"] * ("```" in hint)
        found += [f"{lang}/{ex.id}: a hint holds the solution line {line!r}"
                  for line in checked_lines(ex, lang, root) if _searched(line) in normalise(hint)]
    return found


def derivation_follows(ex, lang: str, root: Path = REPO) -> bool:
    """A "The derivation, written out" / 「推导全过程」 section within ``_AFTER_TESTS`` cells after the
    tests cell (of the exercise that closes ``ex``'s group)."""
    target = manifest.exercise(SHARED_DERIVATION.get(ex.id, ex.id))
    course = view(target, lang, root)[2]
    tests = _index(course, target.tests_id)
    following = course.cells[tests + 1:tests + 1 + _AFTER_TESTS]
    return any(c.cell_type == "markdown" and _WRITTEN_OUT.search(c.source) for c in following)


@pytest.mark.parametrize("ex, lang", CASES)
def test_hints_before_the_exercise(ex, lang):
    assert hint_problems(ex, lang) == []


@pytest.mark.parametrize("ex, lang", [c for c in CASES if c.values[0].id not in NO_DERIVATION])
def test_the_derivation_written_out_follows_the_tests_cell(ex, lang):
    assert derivation_follows(ex, lang), f"{lang}/{ex.id}: no 'The derivation, written out' after its tests"


# ---------------------------------------------------------------------- the engine, tested
def test_one_normalisation_for_code_prose_and_latex():
    assert code_lines("    dx = dout @ w   # the gradient\n    s = '#'  # kept\n") == ["dx=dout@w", "s='#'"]
    assert normalise("that is `dx  =  dout @ w`, so") == "thatis`dx=dout@w`,so"
    assert normalise(r"2\,(\text{pred} - \text{target})\!") == r"2(\text{pred}-\text{target})"
    assert normalise("1.0 - out ** 2, 11.05, x1.0") == "1-out**2,11.05,x1.0"


def _tmp_copy(tmp_path: Path, stem: str) -> Path:
    for kind in ("course", "solutions"):
        (tmp_path / kind / "en").mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / kind / "en" / f"{stem}.ipynb", tmp_path / kind / "en")
    return tmp_path / "course" / "en" / f"{stem}.ipynb"


def _insert_before(path: Path, exercise: str, *cells) -> None:
    nb = nbformat.read(path, as_version=4)
    at = _index(nb, manifest.exercise(exercise).solution_ids[0])
    nb.cells[at:at] = list(cells)
    nbformat.write(nb, path)
    _read.cache_clear()


def test_a_pasted_solution_line_is_caught(tmp_path):
    path = _tmp_copy(tmp_path, "ch03_mlp")
    ex = manifest.exercise("affine_backward")
    assert leaks(ex, "en", tmp_path) == []
    _insert_before(path, "affine_backward", nbformat.v4.new_markdown_cell("so that `dx = dout @ w`."))
    assert any("solution line 'dx=dout@w'" in f for f in leaks(ex, "en", tmp_path))


def test_a_latex_formula_and_a_demo_cell_computing_a_later_answer_are_caught(tmp_path):
    """A chapter whose text gives the formula before the exercise (as chapter 7 did before issue 17),
    and a demo code cell that computes the answer of a later exercise."""
    path = _tmp_copy(tmp_path, "ch07_gradients")
    _insert_before(path, "batchnorm_backward", nbformat.v4.new_markdown_cell(
        r"$$\frac{1}{s}\Big(g_i - \frac1N\sum_j g_j - \hat x_i\,\frac1N \sum_j g_j\,\hat x_j\Big)$$"),
        nbformat.v4.new_code_cell("dropout_grad = dout * mask / (1.0 - p)"))
    assert any("key formula" in f for f in leaks(manifest.exercise("batchnorm_backward"), "en", tmp_path))
    assert any("key formula" in f for f in leaks(manifest.exercise("dropout_backward"), "en", tmp_path))


def test_a_hint_with_the_index_form_result_passes(tmp_path):
    path = _tmp_copy(tmp_path, "ch03_mlp")
    _insert_before(path, "affine_backward", nbformat.v4.new_markdown_cell(
        "<details><summary>Hint 2</summary>\n\n"
        r"$\partial L/\partial x_{nd} = \sum_m \text{dout}_{nm}\, W_{md}$" "\n</details>"))
    assert leaks(manifest.exercise("affine_backward"), "en", tmp_path) == []
    # the same formula outside the hint is a leak
    _insert_before(path, "affine_backward", nbformat.v4.new_markdown_cell(r"$\sum_m \text{dout}_{nm}\,W_{md}$"))
    assert leaks(manifest.exercise("affine_backward"), "en", tmp_path)


def test_a_hint_with_code_and_a_missing_derivation_are_caught(tmp_path):
    path = _tmp_copy(tmp_path, "ch03_mlp")
    ex = manifest.exercise("affine_backward")
    assert hint_problems(ex, "en", tmp_path) == [] and derivation_follows(ex, "en", tmp_path)
    _insert_before(path, "affine_backward", nbformat.v4.new_markdown_cell(
        "<details><summary>Hint 3</summary>\n\n```python\ndb = dout.sum(axis=0)\n```\n</details>"))
    found = hint_problems(ex, "en", tmp_path)
    assert any("code fence" in f for f in found) and any("solution line 'db=dout.sum(axis=0)'" in f for f in found)
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if not _WRITTEN_OUT.search(c.source)]
    nbformat.write(nb, path)
    _read.cache_clear()
    assert not derivation_follows(ex, "en", tmp_path)
