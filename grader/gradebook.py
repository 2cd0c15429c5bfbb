"""The nbgrader gradebook, written by the client (the batch's one writer) from the results.

``write(db_url, rows, plans, notebooks, root)``: ``db_url`` is nbgrader's SQLAlchemy URL
(``sqlite:///OUT/gradebook.db`` by default, ``postgresql://user@host/db`` where a class outgrows
SQLite). It holds one assignment per chapter (``ch03``) whatever the language, with one notebook
named as in the course (``ch03_mlp``: the same name in both languages), its grade cells (the tests
cells, ``<exercise>_tests``, with their points as max score) and solution cells, the students,
their submissions and each grade cell's ``auto_score``. A student's language is the language of
their notebook: the autograded copy's ``metadata.chainrule.lang``, and ``grades.csv``.

What an instructor did in formgrader is theirs: a write sets ``auto_score`` only, never
``manual_score``, a comment or extra credit, so a re-grade keeps every hand adjustment (nbgrader
shows the manual score where there is one). Everything else is update-or-create: writing the same
results twice (a resumed batch) gives the same gradebook. Workers never open it.

With ``root`` (``OUT``), each counted submission is also written where formgrader opens it,
``OUT/autograded/<student>/<chapter>/<notebook>.ipynb``, and ``OUT/nbgrader_config.py`` makes
``OUT`` an nbgrader course folder: ``cd OUT && jupyter lab`` (nbgrader's Formgrader) to review and
hand-grade. The copy is the student's notebook with its outputs cleared (no HTML or script of theirs
runs in the instructor's browser) and nbgrader metadata kept only on the cells the gradebook knows.
"""
from __future__ import annotations

import json
from pathlib import Path

from . import nbg
from .release import parse_notebook


def default_url(out: Path) -> str:
    return f"sqlite:///{(Path(out) / 'gradebook.db').resolve()}"


def redact(url: str) -> str:
    """The URL without its password, for batch.json and messages."""
    try:
        from sqlalchemy.engine import make_url
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL SQLAlchemy cannot parse is reported as is (it will fail later)
        return url.split("@")[-1]


def chapters(plans: dict) -> dict:
    """``{chapter: (notebook name, exercises, solution cell ids)}``: one nbgrader assignment per chapter.
    Its languages must grade the same cells for the same points (the manifest makes them so);
    ValueError otherwise, since one gradebook notebook cannot hold two different sets of cells."""
    out, shapes = {}, {}
    for (chapter, lang), (release, stem, _title) in sorted(plans.items()):
        solution_ids = tuple(c["id"] for c in release.cells if c["solution"])
        shape = (stem, tuple((e.grade_id, float(e.points)) for e in release.exercises), solution_ids)
        if shapes.setdefault(chapter, shape) != shape:
            raise ValueError(f"chapter {chapter}: its {lang} notebook grades other cells, points or notebook "
                             f"name than its other language; one nbgrader assignment cannot hold both "
                             f"(run make course)")
        out.setdefault(chapter, (stem, list(release.exercises), solution_ids))
    return out


def _counted(rows: list, known: dict) -> dict:
    """``{(student, chapter): row}``: the row that counts, the best score, then the later file (the
    same rule as the Canvas columns)."""
    chosen = {}
    for r in sorted(rows, key=lambda r: (r["student_id"], r["file"])):
        if r.get("chapter") in known and r.get("max_score") not in ("", None):
            key = (r["student_id"], r["chapter"])
            if key not in chosen or float(r["score"]) >= float(chosen[key]["score"]):
                chosen[key] = r
    return chosen


def write(db_url: str, rows: list, plans: dict, notebooks: dict | None = None, root: Path | None = None) -> dict:
    """Put ``rows`` (the batch's results) into the gradebook; returns ``{"submissions": n, "grades": m,
    "autograded": k}``. ``notebooks``: ``{(student_id, file): bytes}`` of the submitted files; with
    ``root``, the counted ones are written to ``root/autograded/`` for formgrader."""
    from nbgrader.api import Comment, Grade, Gradebook, MissingEntry

    import warnings

    nbg._ensure_path()
    known = chapters(plans)
    chosen = _counted(rows, known)
    n_grades = n_files = 0
    not_copied = []   # formgrader copies that could not be written, with why
    with Gradebook(db_url, course_id=nbg.COURSE_ID) as gb, warnings.catch_warnings():
        # nbgrader's add_submission builds objects before adding them: SQLAlchemy warns, harmlessly
        warnings.filterwarnings("ignore", message=".*not in session.*")
        for chapter, (stem, exercises, solution_ids) in sorted(known.items()):
            gb.update_or_create_assignment(chapter)
            gb.update_or_create_notebook(stem, chapter)
            for ex in exercises:
                gb.update_or_create_grade_cell(ex.grade_id, stem, chapter, max_score=ex.points, cell_type="code")
            for sid in solution_ids:
                gb.update_or_create_solution_cell(sid, stem, chapter)
        for (student, chapter), r in sorted(chosen.items()):
            stem, exercises, solution_ids = known[chapter]
            kw = {}
            if r.get("student_name"):
                kw["last_name"] = r["student_name"]
            if r.get("lms_user_id"):
                kw["lms_user_id"] = str(r["lms_user_id"])
            gb.update_or_create_student(student, **kw)
            gb.update_or_create_submission(chapter, student)
            sub_nb = gb.find_submission_notebook(stem, chapter, student)
            scores = {e["grade_id"]: float(e["score"]) for e in r.get("exercises", []) if e.get("grade_id")}
            for ex in exercises:
                try:
                    grade = gb.find_grade(ex.grade_id, stem, chapter, student)
                except MissingEntry:  # a grade cell added after this submission was first written
                    grade = Grade(cell_id=gb.find_grade_cell(ex.grade_id, stem, chapter).id, notebook=sub_nb)
                    gb.db.add(grade)
                grade.auto_score = scores.get(ex.grade_id, 0.0)
                grade.needs_manual_grade = False   # graded automatically; manual_score is the instructor's
                n_grades += 1
            for sid in solution_ids:  # formgrader shows a comment box under each solution cell
                try:
                    gb.find_comment(sid, stem, chapter, student)
                except MissingEntry:
                    gb.db.add(Comment(cell_id=gb.find_solution_cell(sid, stem, chapter).id, notebook=sub_nb))
            gb.db.commit()
            data = (notebooks or {}).get((student, r["file"]))
            if root is not None and data is not None:
                try:  # one student's copy that cannot be written costs that copy, not the class's
                    n_files += _write_autograded(Path(root), student, chapter, stem, r.get("language", ""),
                                                 data, {ex.grade_id for ex in exercises}, set(solution_ids))
                except (ValueError, OSError, RecursionError) as e:
                    not_copied.append(f"{student}/{chapter}: {e}"[:300])
    if root is not None:
        write_course_config(Path(root), db_url)
    return {"submissions": len(chosen), "grades": n_grades, "autograded": n_files, "not_copied": not_copied}


def autograded_path(root: Path, student: str, chapter: str, stem: str) -> Path:
    """Where formgrader opens a submission: nbgrader's ``autograded/{student_id}/{assignment_id}``."""
    return Path(root) / "autograded" / student / chapter / f"{stem}.ipynb"


def _write_autograded(root, student, chapter, stem, lang, data, grade_ids, solution_ids) -> int:
    if student in ("", ".", "..") or "/" in student or "\\" in student:  # ids.py never makes one; be sure
        return 0
    nb = parse_notebook(data)   # a fresh object, changed here only
    seen = set()
    for cell in nb["cells"]:
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        cell["metadata"] = meta
        m = meta.get("nbgrader")
        gid = m.get("grade_id") if isinstance(m, dict) else None
        role_ok = isinstance(m, dict) and ((m.get("grade") and gid in grade_ids) or
                                           (m.get("solution") and not m.get("grade") and gid in solution_ids))
        if m is not None and (not role_ok or gid in seen or cell.get("cell_type") != "code"):
            meta.pop("nbgrader")  # a cell the gradebook does not know (or a duplicate): shown as plain text
        elif gid is not None:
            seen.add(gid)
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        elif cell.get("cell_type") != "raw" or meta.get("format") or meta.get("raw_mimetype"):
            # formgrader renders markdown (and raw HTML) without sanitising, on the Jupyter server's
            # own origin: the student's text is kept, as a raw cell of no format, never as markup
            cell["cell_type"] = "raw"
            cell.pop("attachments", None)
            meta.pop("format", None)
            meta.pop("raw_mimetype", None)
    meta = nb.setdefault("metadata", {})
    meta["chainrule"] = {**(meta.get("chainrule") if isinstance(meta.get("chainrule"), dict) else {}),
                         "chapter": chapter, "lang": lang}
    path = autograded_path(root, student, chapter, stem)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 1


CONFIG = '''\
# Written by the chainrule grader: this folder is an nbgrader course folder. To review and hand-grade,
# start JupyterLab here (cd into this folder, then: jupyter lab) and open nbgrader's Formgrader.
# Manual scores and comments stay when the class is graded again.
import os
c = get_config()  # noqa: F821
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = {course_id!r}
{db_line}
'''


def write_course_config(root: Path, db_url: str) -> Path:
    """``root/nbgrader_config.py`` for formgrader. The database URL is written only when it is the
    default ``root/gradebook.db``; another URL (it may hold a password) is left to the instructor."""
    if db_url == default_url(root):
        db_line = "# the gradebook is nbgrader's default, gradebook.db in this folder"
    else:
        db_line = (f"# the gradebook is elsewhere ({' '.join(redact(db_url).split())}): set it here,\n"
                   f"# c.CourseDirectory.db_url = \"postgresql+psycopg://user:password@host/db\"")
    path = Path(root) / "nbgrader_config.py"
    path.write_text(CONFIG.format(course_id=nbg.COURSE_ID, db_line=db_line), encoding="utf-8")
    return path


def scores(db_url: str) -> dict:
    """``{(student, assignment, grade cell): auto_score}``: what the gradebook holds (tests, reports)."""
    from nbgrader.api import Gradebook

    nbg._ensure_path()
    out = {}
    with Gradebook(db_url, course_id=nbg.COURSE_ID) as gb:
        for a in gb.assignments:
            for sub in a.submissions:
                for nb in sub.notebooks:
                    for g in nb.grades:
                        out[(sub.student.id, a.name, g.cell.name)] = g.auto_score
    return out
