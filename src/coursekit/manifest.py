"""The course's one description of its exercises: ``manifest.json`` beside this module.

``make course`` (``tools/build_course.py``) writes it from the chapter sources; nothing edits it
by hand. Every consumer reads it, never the notebooks' metadata, the tests cells' code or a
naming convention: the release reader and the judge of the grader (points, the check and its
calls, the solution cells), the in-notebook ``coursekit.check()`` (points, the learner's name,
the visible calls), :mod:`coursekit.checks` (which check an exercise id has), :mod:`.rules` (what
an exercise's code may use) and the class report (titles). It is package data, so a notebook and
an installed grader read the copy that was installed with the kit, never a file of the repository.

    from coursekit import manifest
    manifest.exercise("affine_backward").points        # 2.0
    [e.id for e in manifest.for_notebook("ch03")]      # the chapter's exercises, in notebook order

Per exercise (see :class:`Exercise`): id, chapter, notebook stem and title per language, points,
grade ids (solution cells, tests cell), the name the tests cell checks, the check (module and
function) with its visible and hidden calls (keyword arguments), ``uses`` (what its code may
use) and ``time`` (``"layer"`` when a hidden case is layer-sized, else ``"small"``).
It holds no answer: hidden calls say only ``hidden=True``; the cases stay in the checks.
"""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

PATH = Path(__file__).with_name("manifest.json")
FORMAT = 1
LANGS = ("en", "zh")
USES = ("numpy", "chainrule")        # what an exercise may declare (see :mod:`.rules`)
TIMES = ("small", "layer")
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


class ManifestError(ValueError):
    """The manifest is missing, unreadable or breaks its format; the message says where."""


@dataclass(frozen=True)
class Exercise:
    id: str                    # e.g. "affine_backward"
    chapter: str               # e.g. "ch03"
    notebooks: dict            # {lang: notebook stem}
    title: dict                # {lang: title}; {} when the chapter gives none
    points: float
    solution_ids: tuple        # grade ids of the solution cells
    tests_id: str              # grade id of the tests cell
    tests_sha256: dict         # {lang: sha256 of the released tests cell, see :func:`fingerprint`}
    name: str                  # the learner's function or class the tests cell checks
    check_module: str          # e.g. "coursekit.checks.ch03"
    check_function: str        # e.g. "check_affine_backward"
    visible: tuple             # keyword arguments of each visible call, e.g. ({},)
    hidden: tuple              # ... of each hidden call, e.g. ({"hidden": True},)
    uses: tuple                # e.g. ("numpy",)
    time: str                  # "small" or "layer"

    def calls(self) -> list:
        """``[(kwargs, hidden?)]``: every call of the check, visible ones first (grading order)."""
        return [(dict(k), False) for k in self.visible] + [(dict(k), True) for k in self.hidden]

    def label(self, lang: str) -> str:
        """A human label: the title in ``lang`` (else English), else the id."""
        return self.title.get(lang) or self.title.get("en") or self.id


@dataclass(frozen=True)
class Manifest:
    exercises: dict            # {id: Exercise}, in course order (chapter, then notebook order)
    chapters: dict             # {chapter: {"notebooks": {lang: stem}, "title": {lang: ...}, "exercises": [ids]}}
    path: str = ""

    def exercise(self, exercise_id: str) -> Exercise:
        try:
            return self.exercises[exercise_id]
        except KeyError:
            raise ManifestError(f"{self.path}: no exercise {exercise_id!r} (known: "
                                f"{', '.join(self.exercises) or 'none'}); run make course?") from None

    def for_notebook(self, chapter: str) -> list:
        """The exercises of a chapter's notebook in notebook order ([] for a chapter without any)."""
        return [self.exercises[i] for i in self.chapters.get(chapter, {}).get("exercises", [])]

    def by_tests_id(self, chapter: str) -> dict:
        return {e.tests_id: e for e in self.for_notebook(chapter)}


# ---------------------------------------------------------------------- the tests cell, as data
def normalise_source(source) -> str:
    """A cell's source as compared everywhere: lines without trailing blanks, no blank ends."""
    if isinstance(source, list):
        source = "".join(source)
    return "\n".join(line.rstrip() for line in str(source).strip().splitlines())


def visible_source(source) -> str:
    """A tests cell without its hidden block (what nbgrader releases to learners)."""
    keep, hidden = [], False
    for line in normalise_source(source).splitlines():
        stripped = line.strip()
        if stripped.startswith(HIDDEN_BEGIN):
            hidden = True
        elif stripped.startswith(HIDDEN_END):
            hidden = False
        elif not hidden:
            keep.append(line)
    return normalise_source("\n".join(keep))


def fingerprint(source) -> str:
    """sha256 of a tests cell's visible source: equal iff the learner's cell is the released one."""
    return hashlib.sha256(visible_source(source).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------- reading and validating
def _need(cond, where, what):
    if not cond:
        raise ManifestError(f"{where}: {what}")


def _lang_map(value, where, what, optional=False) -> dict:
    if optional and value in (None, {}):
        return {}
    _need(isinstance(value, dict) and set(value) == set(LANGS)
          and all(isinstance(v, str) and v for v in value.values()), where, f"{what} needs a non-empty text per "
          f"language {list(LANGS)}, got {value!r}")
    return dict(value)


def _kwargs_list(value, where, what) -> tuple:
    _need(isinstance(value, list) and all(isinstance(k, dict) and all(isinstance(n, str) for n in k) for k in value),
          where, f"{what} must be a list of keyword-argument objects, got {value!r}")
    return tuple(dict(k) for k in value)


def _exercise(d, where) -> Exercise:
    _need(isinstance(d, dict), where, "an exercise must be an object")
    for key in ("id", "chapter", "name", "time"):
        _need(isinstance(d.get(key), str) and d[key], where, f"{key!r} must be a non-empty string")
    where = f"{where} ({d['id']})"
    points = d.get("points")
    _need(isinstance(points, (int, float)) and not isinstance(points, bool) and points > 0, where, "points must be > 0")
    grade = d.get("grade_ids")
    _need(isinstance(grade, dict) and isinstance(grade.get("tests"), str) and isinstance(grade.get("solutions"), list)
          and grade["solutions"] and all(isinstance(s, str) and s for s in grade["solutions"]), where,
          "grade_ids needs 'solutions' (a non-empty list) and 'tests'")
    check = d.get("check")
    _need(isinstance(check, dict) and isinstance(check.get("module"), str) and isinstance(check.get("function"), str)
          and check["module"].startswith("coursekit.checks."), where,
          "check needs 'module' (under coursekit.checks) and 'function'")
    calls = check.get("calls")
    _need(isinstance(calls, dict), where, "check.calls needs 'visible' and 'hidden'")
    visible = _kwargs_list(calls.get("visible"), where, "check.calls.visible")
    hidden = _kwargs_list(calls.get("hidden"), where, "check.calls.hidden")
    _need(visible and hidden, where, "an exercise needs a visible and a hidden call of its check")
    uses = d.get("uses")
    _need(isinstance(uses, list) and "numpy" in uses and set(uses) <= set(USES), where,
          f"uses must list 'numpy' and only {list(USES)}, got {uses!r}")
    _need(d["time"] in TIMES, where, f"time must be one of {list(TIMES)}, got {d['time']!r}")
    return Exercise(d["id"], d["chapter"], _lang_map(d.get("notebooks"), where, "notebooks"),
                    _lang_map(d.get("title"), where, "title", optional=True), float(points),
                    tuple(grade["solutions"]), grade["tests"], _lang_map(d.get("tests_sha256"), where, "tests_sha256"),
                    d["name"], check["module"], check["function"], visible, hidden, tuple(uses), d["time"])


def parse(data, where="manifest") -> Manifest:
    """A :class:`Manifest` from its JSON value, or :class:`ManifestError` naming what is wrong."""
    _need(isinstance(data, dict), where, "not a JSON object")
    _need(data.get("format") == FORMAT, where, f"format {data.get('format')!r}, this kit reads format {FORMAT} "
          "(run make course, or install the kit that matches the course)")
    raw = data.get("exercises")
    _need(isinstance(raw, list), where, "'exercises' must be a list")
    exercises, grade_ids = {}, set()
    for i, d in enumerate(raw):
        ex = _exercise(d, f"{where}: exercise {i}")
        _need(ex.id not in exercises, where, f"exercise id {ex.id!r} appears twice")
        for gid in (*ex.solution_ids, ex.tests_id):
            _need(gid not in grade_ids, where, f"grade id {gid!r} appears twice")
            grade_ids.add(gid)
        exercises[ex.id] = ex
    chapters = data.get("chapters")
    _need(isinstance(chapters, dict), where, "'chapters' must be an object")
    for chapter, c in chapters.items():
        _need(isinstance(c, dict) and isinstance(c.get("exercises"), list), where,
              f"chapter {chapter!r} needs a list of exercises")
        _lang_map(c.get("notebooks"), f"{where}: chapter {chapter}", "notebooks")
        for ex_id in c["exercises"]:
            _need(ex_id in exercises and exercises[ex_id].chapter == chapter, where,
                  f"chapter {chapter!r} lists {ex_id!r}, which is not one of its exercises")
    listed = [i for c in chapters.values() for i in c["exercises"]]
    _need(sorted(listed) == sorted(exercises), where, "every exercise must be listed once under its chapter")
    return Manifest(exercises, {k: dict(v) for k, v in chapters.items()}, str(where))


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Manifest:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ManifestError(f"{path}: cannot read the course manifest ({e.strerror or e}); "
                            "`make course` writes it, and installing the kit installs it") from None
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ManifestError(f"{path}: not valid JSON ({e})") from None
    return parse(data, path)


def load(path=None) -> Manifest:
    """The manifest at ``path`` (default: the one installed with this kit), validated; cached."""
    return _load(str(Path(path).resolve()) if path is not None else str(PATH))


def exercise(exercise_id: str, path=None) -> Exercise:
    return load(path).exercise(exercise_id)


def for_notebook(chapter: str, path=None) -> list:
    return load(path).for_notebook(chapter)


def exercises(path=None) -> list:
    return list(load(path).exercises.values())
