"""What a submission is graded against: the released notebook, read as data.

:func:`read_release` turns nbgrader's release (what students received) and the instructor's
solution notebook (whose tests cells hold the hidden check calls) into a :class:`Release`: the code
cells the host runs, the exercises with their points and check calls, the tests cells a submission
must still contain unchanged. :func:`tampering` compares a submission with it, :func:`student_cells`
builds the host's program, :func:`parse_notebook` reads submitted bytes. Nothing here runs code.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field

@dataclass
class Exercise:
    id: str               # e.g. "affine_backward"
    grade_id: str         # its tests cell, e.g. "affine_backward_tests"
    points: float
    calls: list           # [(check exercise id, student name, {"hidden": True}), ...] from the tests cell
    tests_source: str     # the released tests cell (the student's copy must be identical)
    solution_ids: list = field(default_factory=list)  # the solution cells the exercise grades


@dataclass
class Release:
    chapter: str
    lang: str
    stem: str
    cells: list           # [{"id", "source", "solution": bool}] code cells in order, tests cells left out
    exercises: list
    locked: dict          # grade_id -> (source, points, flags) of each tests cell
    remote_library: bool  # the chapter's exercises work on chainrule objects (models, tensors)

    @property
    def max_score(self):
        return sum(e.points for e in self.exercises)


def _norm(src) -> str:
    if isinstance(src, list):
        src = "".join(src)
    return "\n".join(line.rstrip() for line in str(src).strip().splitlines())


def _meta(cell) -> dict:
    m = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell, dict) else {}
    return m if isinstance(m, dict) else {}


def _flags(m) -> tuple:
    return (bool(m.get("grade")), bool(m.get("solution")), bool(m.get("locked")), m.get("grade_id"))


def check_calls(source: str) -> list:
    """The ``chXX.check_<exercise>(NAME[, hidden=True])`` calls of a tests cell, in order."""
    calls = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr.startswith("check_") and node.args and isinstance(node.args[0], ast.Name):
            kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
            calls.append((node.func.attr[len("check_"):], node.args[0].id, kwargs, node.lineno))
    return [c[:3] for c in sorted(calls, key=lambda c: c[3])]


def read_release(release_nb: dict, solution_nb: dict) -> Release:
    """The grading plan of one notebook: ``release_nb`` is what students received (nbgrader's
    release), ``solution_nb`` the instructor's (its tests cells hold the hidden check calls)."""
    meta = release_nb.get("metadata", {}).get("chainrule", {})
    hidden_src = {_meta(c).get("grade_id"): _norm(c["source"]) for c in solution_nb["cells"] if _meta(c).get("grade")}
    cells, exercises, locked, pending = [], [], {}, []
    for i, c in enumerate(release_nb["cells"]):
        m = _meta(c)
        if c.get("cell_type") != "code":
            continue
        gid = m.get("grade_id")
        if m.get("solution"):
            cells.append({"id": gid, "source": _norm(c["source"]), "solution": True})
            pending.append(gid)
        elif m.get("grade"):
            calls = check_calls(hidden_src.get(gid, _norm(c["source"])))
            if not calls:
                raise ValueError(f"tests cell {gid}: no chainrule check call found; the sandboxed grader "
                                 "grades tests cells of the form chXX.check_<exercise>(name)")
            ex_id = gid[: -len("_tests")] if gid.endswith("_tests") else gid
            exercises.append(Exercise(ex_id, gid, float(m.get("points", 0)), calls, _norm(c["source"]),
                                      [p for p in pending if p]))
            locked[gid] = (_norm(c["source"]), float(m.get("points", 0)), _flags(m))
            pending = []
        else:
            cells.append({"id": f"cell{i}", "source": _norm(c["source"]), "solution": False})
    from chainrule import checks
    remote = any(getattr(checks.get_check(call[0]), "__module__", "") == "chainrule.checks.ch08"
                 for e in exercises for call in e.calls)
    return Release(meta.get("chapter"), meta.get("lang"), "", cells, exercises, locked, remote)


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


def parse_notebook(data: bytes) -> dict:
    """The notebook as JSON (nbformat 4), or ValueError saying in plain words what is wrong."""
    if not data.strip():
        raise ValueError("empty file")
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ValueError(f"not a notebook (invalid JSON: {str(e)[:120]})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or nb.get("nbformat") != 4:
        raise ValueError("not a Jupyter notebook in format 4")
    for c in nb["cells"]:
        if not isinstance(c, dict):
            raise ValueError("a cell is not a JSON object")
        if isinstance(c.get("source"), list):
            c["source"] = "".join(str(s) for s in c["source"])
    return nb
