"""The nbgrader gradebook, written by the client (the batch's one writer) from the results.

``write(db_url, rows, plans)``: ``db_url`` is nbgrader's SQLAlchemy URL (``sqlite:///OUT/gradebook.db``
by default, ``postgresql://user@host/db`` where a class outgrows SQLite). It holds one assignment per
chapter and language (``<chapter>_<lang>``, e.g. ``ch03_en``) with the release's notebook and its grade
cells (the tests cells, ``<exercise>_tests``, with their points as max score), the students, their
submissions and each grade cell's ``auto_score``. Everything is update-or-create: writing the same
results twice (a resumed batch) gives the same gradebook. Workers never open it.
"""
from __future__ import annotations

from pathlib import Path

from . import nbg


def default_url(out: Path) -> str:
    return f"sqlite:///{(Path(out) / 'gradebook.db').resolve()}"


def redact(url: str) -> str:
    """The URL without its password, for batch.json and messages."""
    try:
        from sqlalchemy.engine import make_url
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL SQLAlchemy cannot parse is reported as is (it will fail later)
        return url.split("@")[-1]


def write(db_url: str, rows: list, plans: dict) -> dict:
    """Put ``rows`` (the batch's results) into the gradebook; returns ``{"submissions": n, "grades": m}``."""
    from nbgrader.api import Grade, Gradebook, MissingEntry

    import warnings

    nbg._ensure_path()
    # which row counts for (student, assignment): the last graded file of that chapter and language
    chosen = {}
    for r in sorted(rows, key=lambda r: (r["student_id"], r["file"])):
        if r.get("chapter") and r.get("language") and r.get("max_score") != "" \
                and (r["chapter"], r["language"]) in plans:
            chosen[(r["student_id"], nbg.assignment_id(r["chapter"], r["language"]))] = r
    n_grades = 0
    with Gradebook(db_url, course_id=nbg.COURSE_ID) as gb, warnings.catch_warnings():
        # nbgrader's add_submission builds objects before adding them: SQLAlchemy warns, harmlessly
        warnings.filterwarnings("ignore", message=".*not in session.*")
        for (chapter, lang), (release, stem, _title) in sorted(plans.items()):
            aid = nbg.assignment_id(chapter, lang)
            gb.update_or_create_assignment(aid)
            gb.update_or_create_notebook(stem, aid)
            for ex in release.exercises:
                gb.update_or_create_grade_cell(ex.grade_id, stem, aid, max_score=ex.points, cell_type="code")
        for (student, aid), r in sorted(chosen.items()):
            release, stem, _ = plans[(r["chapter"], r["language"])]
            kw = {}
            if r.get("student_name"):
                kw["last_name"] = r["student_name"]
            gb.update_or_create_student(student, **kw)
            sub = gb.update_or_create_submission(aid, student)
            scores = {e["grade_id"]: float(e["score"]) for e in r.get("exercises", []) if e.get("grade_id")}
            for ex in release.exercises:
                try:
                    grade = gb.find_grade(ex.grade_id, stem, aid, student)
                except MissingEntry:  # a grade cell added after this submission was first written
                    sub_nb = gb.find_submission_notebook(stem, aid, student)
                    cell = gb.find_grade_cell(ex.grade_id, stem, aid)
                    grade = Grade(cell_id=cell.id, notebook=sub_nb)
                    gb.db.add(grade)
                grade.auto_score = scores.get(ex.grade_id, 0.0)
                grade.manual_score = None
                n_grades += 1
            del sub
            gb.db.commit()
    return {"submissions": len(chosen), "grades": n_grades}


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
