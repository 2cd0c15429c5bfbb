"""``chainrule.check()``: the expected score of the open notebook, before submitting.

It reads the notebook file (never runs it), finds the graded tests cells (nbgrader metadata
``grade: true``, ``grade_id: <exercise>_tests``, ``points``), finds in each the visible check call
``chXX.check_<exercise>(NAME)`` with :mod:`ast` (a ``### BEGIN HIDDEN TESTS`` block, present only in
instructor notebooks, is dropped first: hidden tests are never run here), takes NAME's current value
from the caller's namespace (the notebook's), runs the visible check and prints one line per
exercise, the expected total and a reminder that hidden tests may still fail.

Which notebook: ``check(path=...)``; else the ``__session__`` global that ipykernel sets to the
notebook's path under Jupyter, VS Code's ``__vsc_ipynb_file__``, or ``$JPY_SESSION_NAME`` (set by
jupyter_server); a relative path is looked up from the working folder (the notebook's) upwards.
"""
from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import EXERCISES, get_check
from .core import CheckFailed, _state, msg, set_language

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


@dataclass
class ExerciseResult:
    exercise: str
    points: float
    earned: float
    status: str            # passed, failed, not_implemented, missing, no_check, unknown, error
    message: str = ""      # the check's full message (current language), "" when passed
    name: str = ""         # the notebook name the check was given

    @property
    def ok(self):
        return self.status == "passed"


@dataclass
class NotebookCheck:
    """What :func:`check` found: ``exercises`` (list of ExerciseResult), ``total`` and ``max_score``
    (visible checks only: an upper estimate of the grade), and the notebook ``path``."""
    path: Path
    exercises: list = field(default_factory=list)

    @property
    def total(self):
        return sum(e.earned for e in self.exercises)

    @property
    def max_score(self):
        return sum(e.points for e in self.exercises)

    @property
    def passed(self):
        return sum(e.ok for e in self.exercises)

    def __repr__(self):
        return msg("nbcheck_repr", earned=_fmt(self.total), total=_fmt(self.max_score), passed=self.passed,
                   n=len(self.exercises))


def _fmt(x):
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# ---------------------------------------------------------------------- which notebook
def _resolve(candidate):
    p = Path(str(candidate)).expanduser()
    if p.is_absolute():
        return p if p.is_file() else None
    cwd = Path.cwd()
    for base in (cwd, *cwd.parents):
        if (base / p).is_file():
            return base / p
    return cwd / p.name if (cwd / p.name).is_file() else None


def find_notebook(namespace=None):
    """The path of the running notebook, or None when it cannot be told."""
    namespace = namespace or {}
    for candidate in (namespace.get("__session__"), namespace.get("__vsc_ipynb_file__"),
                      os.environ.get("JPY_SESSION_NAME")):
        if candidate and str(candidate).endswith(".ipynb"):
            found = _resolve(candidate)
            if found is not None:
                return found
    return None


# ---------------------------------------------------------------------- reading the tests cells
def _visible_source(source):
    """The cell without its hidden block and without IPython magics (``%``, ``!``) that ast rejects."""
    keep, hidden = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith(HIDDEN_BEGIN):
            hidden = True
        elif stripped.startswith(HIDDEN_END):
            hidden = False
        elif not hidden:
            keep.append("" if stripped.startswith(("%", "!")) else line)
    return "\n".join(keep)


def _checked_name(source, exercise):
    """NAME in the visible call ``...check_<exercise>(NAME)``, or None."""
    try:
        tree = ast.parse(_visible_source(source))
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        hidden = any(k.arg == "hidden" and not (isinstance(k.value, ast.Constant) and not k.value.value)
                     for k in node.keywords)
        if called == f"check_{exercise}" and not hidden and node.args and isinstance(node.args[0], ast.Name):
            return node.args[0].id
    return None


def tests_cells(nb):
    """``[(exercise, points, source)]`` of the notebook's graded tests cells, in notebook order."""
    out = []
    for cell in nb.get("cells", []):
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        grade_id = str(meta.get("grade_id", ""))
        if cell.get("cell_type") == "code" and meta.get("grade") and grade_id.endswith("_tests"):
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            out.append((grade_id[: -len("_tests")], float(meta.get("points") or 0), source))
    return out


# ---------------------------------------------------------------------- running one check
def _first_lines(text, exercise):
    """The failure's first line (without "✗ <exercise>:") and its hint, the last line."""
    lines = [ln.strip() for ln in str(text).strip().splitlines() if ln.strip()]
    if not lines:
        return []
    first = lines[0].lstrip("✗ ").strip()
    for colon in (":", "："):
        first = first[len(exercise) + 1:].strip() if first.startswith(exercise + colon) else first
    return [first] + ([lines[-1]] if len(lines) > 1 else [])


def run_exercise(exercise, points, source, namespace):
    """Run the visible check of one exercise on the learner's object; never raises (but Ctrl-C)."""
    name = _checked_name(source, exercise)
    if name is None:
        return ExerciseResult(exercise, points, 0.0, "no_check", msg("nbcheck_no_call"))
    if exercise not in EXERCISES:
        return ExerciseResult(exercise, points, 0.0, "unknown", msg("nbcheck_unknown"), name)
    if name not in namespace:
        return ExerciseResult(exercise, points, 0.0, "missing", msg("nbcheck_missing", name=name), name)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the check's own ✓ line, the learner's prints
            get_check(exercise)(namespace[name])
    except CheckFailed as e:
        status = "not_implemented" if e.category == "not_implemented" else "failed"
        return ExerciseResult(exercise, points, 0.0, status, str(e), name)
    except NotImplementedError:
        return ExerciseResult(exercise, points, 0.0, "not_implemented", msg("not_implemented", exercise=exercise), name)
    except Exception as e:  # a check must not stop the report
        text = (str(e).strip().splitlines() or [""])[0][:200]
        return ExerciseResult(exercise, points, 0.0, "error", msg("nbcheck_error", etype=type(e).__name__, emsg=text),
                              name)
    return ExerciseResult(exercise, points, points, "passed", "", name)


# ---------------------------------------------------------------------- the report
def report(result, file=None):
    """Print the table of a NotebookCheck."""
    file = file or sys.stdout
    print(msg("nbcheck_title", notebook=result.path.name), file=file)
    width = max([len(e.exercise) for e in result.exercises] + [8])
    for e in result.exercises:
        score = f"{_fmt(e.earned)}/{_fmt(e.points)}"
        head = f"  {'✓' if e.ok else '✗'} {e.exercise:<{width}}  {score:>7}"
        if e.ok:
            print(head, file=file)
            continue
        detail = [msg("nbcheck_not_implemented")] if e.status == "not_implemented" else _first_lines(e.message, e.exercise)
        print(f"{head}  {detail[0] if detail else ''}", file=file)
        for line in detail[1:]:
            print(" " * (width + 15) + line, file=file)
    print(msg("nbcheck_total", earned=_fmt(result.total), total=_fmt(result.max_score), passed=result.passed,
              n=len(result.exercises)), file=file)
    print(msg("nbcheck_hidden"), file=file)
    print(msg("nbcheck_save"), file=file)


def check(path=None, namespace=None, lang=None, quiet=False):
    """Run the visible checks of this notebook's exercises and print the expected score.

    path: the notebook file (default: the notebook this kernel runs, when Jupyter tells it).
    namespace: where the learner's functions live (default: the caller's globals, the notebook's).
    lang: "en" or "zh" for this report (default: the current feedback language).
    quiet: return the result without printing.
    Returns a :class:`NotebookCheck` (``.total``, ``.max_score``, ``.exercises``), or None when no
    notebook was found (a message says how to call ``check(path=...)``).
    """
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    saved = _state["lang"]
    if lang is not None:
        set_language(lang)
    try:
        nb_path = _resolve(path) if path is not None else find_notebook(namespace)
        if nb_path is None:
            print(msg("nbcheck_not_found", path=path) if path is not None else msg("nbcheck_no_path"))
            return None
        try:
            nb = json.loads(nb_path.read_text(encoding="utf-8"))
            cells = tests_cells(nb)
        except (OSError, ValueError, AttributeError, TypeError) as e:
            print(msg("nbcheck_unreadable", path=nb_path, error=f"{type(e).__name__}: {e}"[:200]))
            return None
        if not cells:
            print(msg("nbcheck_no_exercises", path=nb_path))
            return None
        result = NotebookCheck(nb_path, [run_exercise(ex, pts, src, namespace) for ex, pts, src in cells])
        if not quiet:
            report(result)
        return result
    finally:
        if lang is not None:
            _state["lang"] = saved
