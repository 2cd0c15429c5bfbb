"""``coursekit.check()``: the expected score of the open notebook, before submitting.

It reads the notebook file (never runs it) for its chapter, and the course manifest
(:mod:`coursekit.manifest`, the description the grader reads too) for that chapter's exercises:
their points, the name each tests cell checks, the check and its visible calls. Each exercise's
tests cell must still be in the notebook as it was released (the manifest holds its fingerprint;
the grader gives an edited cell 0 points, so here it is reported, not run). It takes the name's
current value from the caller's namespace (the notebook's), runs the visible calls only (hidden
tests are never run here), prints one line per exercise, the expected total and a reminder that
hidden tests may still fail.

Which notebook: ``check(path=...)``; else the ``__session__`` global that ipykernel sets to the
notebook's path under Jupyter, VS Code's ``__vsc_ipynb_file__``, or ``$JPY_SESSION_NAME`` (set by
jupyter_server); a relative path is looked up from the working folder (the notebook's) upwards.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from coursekit import manifest

from . import get_check
from .core import CheckFailed, _state, msg, set_language


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


# ---------------------------------------------------------------------- the notebook's exercises
def _grade_cells(nb):
    """``{grade_id: source}`` of the notebook's graded tests cells."""
    out = {}
    for cell in nb.get("cells", []):
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        if cell.get("cell_type") == "code" and meta.get("grade") and meta.get("grade_id"):
            out.setdefault(str(meta["grade_id"]), cell.get("source", ""))
    return out


def tests_cells(nb):
    """``[(Exercise or exercise id, tests cell source or None, lang)]`` in notebook order: the
    manifest's exercises of the notebook's chapter (``None``: its tests cell is gone), then any
    graded cell the manifest does not know (by its id: this kit is older than the notebook)."""
    meta = (nb.get("metadata") or {}).get("chainrule") or {}
    cells = _grade_cells(nb)
    known = manifest.load()
    exercises = known.for_notebook(meta.get("chapter")) if meta.get("chapter") in known.chapters else \
        [e for e in known.exercises.values() if e.tests_id in cells]
    lang = meta.get("lang") if meta.get("lang") in manifest.LANGS else None
    out = [(e, cells.get(e.tests_id), lang) for e in exercises]
    claimed = {e.tests_id for e in exercises}
    out += [(gid[: -len("_tests")] if gid.endswith("_tests") else gid, None, lang)
            for gid in cells if gid not in claimed]
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


def run_exercise(ex, source, lang, namespace):
    """Run the visible calls of one exercise's check on the learner's object; never raises (but
    Ctrl-C). ``ex``: a manifest Exercise, or the id of one the manifest does not know."""
    if not isinstance(ex, manifest.Exercise):
        return ExerciseResult(ex, 0.0, 0.0, "unknown", msg("nbcheck_unknown"))
    exercise, points, name = ex.id, ex.points, ex.name
    langs = [lang] if lang else list(ex.tests_sha256)
    if source is None or manifest.fingerprint(source) not in {ex.tests_sha256.get(lg) for lg in langs}:
        return ExerciseResult(exercise, points, 0.0, "no_check", msg("nbcheck_no_call"))
    if name not in namespace:
        return ExerciseResult(exercise, points, 0.0, "missing", msg("nbcheck_missing", name=name), name)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the check's own ✓ line, the learner's prints
            for kwargs in ex.visible:
                get_check(exercise)(namespace[name], **kwargs)
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
        except manifest.ManifestError as e:  # the kit is broken, not the notebook: say so
            print(f"coursekit.check: {e}")
            return None
        except (OSError, ValueError, AttributeError, TypeError) as e:
            print(msg("nbcheck_unreadable", path=nb_path, error=f"{type(e).__name__}: {e}"[:200]))
            return None
        if not cells:
            print(msg("nbcheck_no_exercises", path=nb_path))
            return None
        result = NotebookCheck(nb_path, [run_exercise(ex, src, lg, namespace) for ex, src, lg in cells])
        if not quiet:
            report(result)
        return result
    finally:
        if lang is not None:
            _state["lang"] = saved
