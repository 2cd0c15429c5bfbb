"""What a submission is graded against: the course manifest and the released notebook, as data.

:func:`read_release` turns nbgrader's release (what students received) and the course manifest
(:mod:`coursekit.manifest`: per exercise its points, the check and its visible and hidden calls,
the learner's name, its solution cells, what its code may use) into a :class:`Release`: the code
cells the host runs, the exercises, and the tests cells a submission must still contain unchanged.
The release is checked against the manifest (same tests cells, same points), so the two can never
disagree about what is graded. :func:`read_folder` reads a whole release, by default the one
installed with the course kit (:func:`shipped`): the student notebooks as package data, so grading
needs no checkout and regenerates nothing. :func:`tampering` compares a submission with the release,
:func:`student_cells` builds the host's program, :func:`parse_notebook` reads submitted bytes.
Nothing here runs code, and nothing here reads a tests cell's code: the manifest says what it calls.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import coursekit
from coursekit import manifest as course_manifest

LANGS = ("en", "zh")
from coursekit.manifest import normalise_source as _norm

from .inside.wire import valid_unicode


@dataclass
class Exercise:
    id: str               # e.g. "affine_backward"
    grade_id: str         # its tests cell, e.g. "affine_backward_tests"
    points: float
    calls: list           # [(check module, check function, learner's name, {"hidden": True}), ...], visible first
    tests_source: str     # the released tests cell (the student's copy must be identical)
    solution_ids: list = field(default_factory=list)  # the solution cells the exercise grades
    uses: tuple = ("numpy",)   # what its code may use (coursekit.rules)
    time: str = "small"        # "layer": a hidden case is layer-sized


@dataclass
class Release:
    chapter: str
    lang: str
    stem: str
    cells: list           # [{"id", "source", "solution": bool}] code cells in order, tests cells left out
    exercises: list
    locked: dict          # grade_id -> (source, points, flags) of each tests cell

    @property
    def max_score(self):
        return sum(e.points for e in self.exercises)

    @property
    def remote_library(self) -> bool:
        """The chapter's exercises work on chainrule objects (models, tensors)."""
        return any("chainrule" in e.uses for e in self.exercises)


def _meta(cell) -> dict:
    m = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell, dict) else {}
    return m if isinstance(m, dict) else {}


def _flags(m) -> tuple:
    return (bool(m.get("grade")), bool(m.get("solution")), bool(m.get("locked")), m.get("grade_id"))


def _exercise(ex: course_manifest.Exercise, source: str) -> Exercise:
    calls = [(ex.check_module, ex.check_function, ex.name, kwargs) for kwargs, _ in ex.calls()]
    return Exercise(ex.id, ex.tests_id, ex.points, calls, source, list(ex.solution_ids), ex.uses, ex.time)


def read_release(release_nb: dict, known: course_manifest.Manifest | None = None) -> Release:
    """The grading plan of one notebook: ``release_nb`` is what students received (nbgrader's
    release), ``known`` the course manifest (default: the one installed with the course kit).
    ValueError when the two disagree (a release built from other chapter sources)."""
    known = known if known is not None else course_manifest.load()
    meta = release_nb.get("metadata", {}).get("chainrule", {})
    chapter, lang = meta.get("chapter"), meta.get("lang")
    where = f"the release of {chapter} ({lang})"
    planned = known.by_tests_id(chapter)
    cells, exercises, locked, solutions = [], [], {}, set()
    for i, c in enumerate(release_nb["cells"]):
        m = _meta(c)
        if c.get("cell_type") != "code":
            continue
        gid = m.get("grade_id")
        if m.get("solution"):
            cells.append({"id": gid, "source": _norm(c["source"]), "solution": True})
            solutions.add(gid)
        elif m.get("grade"):
            ex = planned.get(gid)
            if ex is None:
                raise ValueError(f"{where}: tests cell {gid!r} is not in the course manifest {known.path} "
                                 "(run make course, and grade with the kit it built)")
            if course_manifest.fingerprint(c["source"]) != ex.tests_sha256.get(lang) \
                    or float(m.get("points", -1)) != ex.points:
                raise ValueError(f"{where}: tests cell {gid!r} differs from the course manifest's "
                                 f"{known.path} (run make course, and grade with the kit it built)")
            exercises.append(_exercise(ex, _norm(c["source"])))
            locked[gid] = (_norm(c["source"]), ex.points, _flags(m))
        else:
            cells.append({"id": f"cell{i}", "source": _norm(c["source"]), "solution": False})
    missing = [gid for gid in planned if gid not in locked] + \
        [s for e in exercises for s in e.solution_ids if s not in solutions]
    if missing:
        raise ValueError(f"{where}: the course manifest grades cells the release does not have: {missing}")
    return Release(chapter, lang, "", cells, exercises, locked)


def shipped() -> Path:
    """The release installed with the course kit: ``coursekit/release/<lang>/<stem>.ipynb``, the
    student notebooks that ``make course`` writes to ``course/`` (in a checkout the folder is a link
    to ``course/``; a wheel holds a copy)."""
    return Path(coursekit.__file__).resolve().parent / "release"


def read_folder(folder: Path | None = None, known: course_manifest.Manifest | None = None) -> dict:
    """``{(chapter, lang): (Release, stem, title)}``: the grading plan of every notebook of a release
    folder (``<lang>/<stem>.ipynb``; default :func:`shipped`) with the course manifest ``known``.
    ValueError, in plain words, for a folder that is missing, holds a notebook twice, or lacks a
    notebook the manifest grades (a release older or newer than the manifest)."""
    folder = Path(folder) if folder is not None else shipped()
    known = known if known is not None else course_manifest.load()
    paths = sorted(folder.glob("*/*.ipynb"))
    if not paths:
        raise ValueError(f"no released notebooks under {folder} (expected {folder}/<lang>/<chapter>.ipynb; "
                         "reinstall the grader, or in a checkout run make course)")
    plans = {}
    for path in paths:
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
            meta = nb["metadata"].get("chainrule", {})
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise ValueError(f"{path}: not a readable notebook ({e})") from None
        key = (meta.get("chapter"), meta.get("lang"))
        if None in key:
            raise ValueError(f"{path}: no chainrule.chapter/lang metadata: not a notebook of this course")
        if key in plans:
            raise ValueError(f"{path}: a second release of {key[0]} ({key[1]}), after {plans[key][1]}.ipynb")
        release = read_release(nb, known)
        release.stem = path.stem
        plans[key] = (release, path.stem, meta.get("title", ""))
    missing = [f"{chapter} ({lang})" for chapter in known.chapters for lang in LANGS if (chapter, lang) not in plans]
    if missing:
        raise ValueError(f"the release in {folder} has no notebook for {', '.join(missing)}, which the course "
                         f"manifest {known.path} grades (a release and a manifest of two builds: reinstall, "
                         "or run make course)")
    return plans


def tampering(nb: dict, release: Release) -> dict:
    """``{grade_id of a tests cell: what was done to it}`` for each exercise whose graded cells differ
    from the release; the solution cells must still be there, once, as solution cells."""
    found, sol_count = {}, {}
    for c in nb["cells"]:
        m = _meta(c)
        gid = m.get("grade_id")
        if gid in release.locked:
            found.setdefault(gid, []).append(c)
        if m.get("solution") and c.get("cell_type") == "code":
            sol_count[gid] = sol_count.get(gid, 0) + 1
    out = {}
    for ex in release.exercises:
        source, points, flags = release.locked[ex.grade_id]
        cells = found.get(ex.grade_id, [])
        if not cells:
            out[ex.grade_id] = "tests_deleted"
        elif len(cells) > 1:
            out[ex.grade_id] = "tests_duplicated"
        elif _norm(cells[0].get("source", "")) != source:
            out[ex.grade_id] = "tests_edited"
        elif float(_meta(cells[0]).get("points", -1) or 0) != points:
            out[ex.grade_id] = "points_changed"
        elif _flags(_meta(cells[0])) != flags or cells[0].get("cell_type") != "code":
            out[ex.grade_id] = "tests_retagged"
        elif any(sol_count.get(s, 0) != 1 for s in ex.solution_ids):
            out[ex.grade_id] = "solution_retagged"
    return out


def student_cells(nb: dict, release: Release) -> list:
    """The host's program: the release's cells, with each solution cell's source from the student."""
    mine = {}
    for c in nb["cells"]:
        m = _meta(c)
        if m.get("solution") and c.get("cell_type") == "code" and m.get("grade_id") not in mine:
            mine[m.get("grade_id")] = _norm(c.get("source", ""))
    return [{"id": c["id"], "source": mine.get(c["id"], "") if c["solution"] else c["source"]}
            for c in release.cells]


MAX_DEPTH = 64   # nesting of a notebook's JSON: nbformat's own structure needs about 8


def parse_notebook(data: bytes) -> dict:
    """The notebook as JSON (nbformat 4), or ValueError saying in plain words what is wrong: bytes that
    are not JSON, JSON nested deeper than any notebook (every later reader, the gradebook's copy among
    them, would recurse over it), or a field nbgrader and this grader read that has the wrong type."""
    if not data.strip():
        raise ValueError("empty file")
    try:
        text = data.decode("utf-8-sig")
        parsed = json.loads(text)
    except (UnicodeDecodeError, ValueError) as e:
        raise ValueError(f"not a notebook (invalid JSON: {str(e)[:120]})") from None
    except RecursionError:
        parsed = None
    if parsed is None or _deeper_than(parsed, MAX_DEPTH):
        raise ValueError(f"not a notebook: its JSON is nested more than {MAX_DEPTH} levels deep")
    nb = valid_unicode(parsed, data)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or nb.get("nbformat") != 4:
        raise ValueError("not a Jupyter notebook in format 4")
    if not isinstance(nb.get("metadata", {}), dict):
        raise ValueError("not a Jupyter notebook: its metadata is not a JSON object")
    for i, c in enumerate(nb["cells"], 1):
        if not isinstance(c, dict):
            raise ValueError(f"cell {i} is not a JSON object")
        if isinstance(c.get("source"), list) and all(isinstance(s, str) for s in c["source"]):
            c["source"] = "".join(c["source"])
        problem = _cell_problem(c)
        if problem:
            raise ValueError(f"cell {i}: {problem}; the notebook was changed outside Jupyter. "
                             f"Download the original notebook again and copy your answers into it")
    return nb


def _deeper_than(obj, limit: int) -> bool:
    """Whether ``obj`` nests lists/dicts more than ``limit`` deep; without recursion."""
    stack = [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if isinstance(o, (list, dict)):
            if d > limit:
                return True
            stack.extend((v, d + 1) for v in (o.values() if isinstance(o, dict) else o))
    return False


def _cell_problem(c: dict) -> str:
    """What is wrong with the types of a cell's fields that grading reads, or ""."""
    if not isinstance(c.get("source", ""), str):
        return "its source is not text"
    if not isinstance(c.get("cell_type", ""), str) or not isinstance(c.get("id", ""), str):
        return "its type or id is not text"
    meta = c.get("metadata", {})
    if not isinstance(meta, dict):
        return "its metadata is not a JSON object"
    m = meta.get("nbgrader", {})
    if not isinstance(m, dict):
        return "its nbgrader metadata is not a JSON object"
    if m.get("grade_id") is not None and not isinstance(m["grade_id"], str):
        return f"its grade id is {type(m['grade_id']).__name__}, not text"
    points = m.get("points")
    if points is not None and (isinstance(points, bool) or not isinstance(points, (int, float))):
        return f"its points are {json.dumps(points)[:40]}, not a number"
    for flag in ("grade", "solution", "locked"):
        if m.get(flag) is not None and not isinstance(m[flag], bool):
            return f"its nbgrader {flag!r} flag is {json.dumps(m[flag])[:40]}, not true or false"
    return ""
