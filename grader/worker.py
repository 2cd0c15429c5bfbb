"""Autograde ONE submission, in a child process of the batch (``python -m grader.worker JOB.json``).

The job file names the template course directory, the submitted notebook, its assignment, notebook
stem and language, and a scratch directory (which the batch removes even if this process is
killed). The worker copies the template into the scratch directory, puts the
submission in place under a fixed student id, runs nbgrader's autograde (which starts the kernel as
a descendant of this process, so it inherits this process's rlimits), and writes a JSON result:

    {"ok": true, "cells": {grade_id: {"score", "max_score", "error", "solution_error"}}}
    {"ok": false, "error": "..."}

``error`` of a cell (``solution_error``: of the exercise's solution cell) is ``"<ExceptionName>: <message>"`` of the exception the cell raised (the
message only, never the traceback: tracebacks quote the hidden test code).
"""
from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

STUDENT = "student"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def cell_errors(nb) -> dict:
    """``{grade_id: "Name: message"}`` for every grade or solution cell whose outputs hold an error."""
    errors = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not (meta.get("grade") or meta.get("solution")):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                name, value = out.get("ename", "Error"), _ANSI.sub("", out.get("evalue", ""))
                errors[meta["grade_id"]] = f"{name}: {value}" if value else name
                break
    return errors


_EXC_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)): (.+)$")


def failure_reason(result: dict) -> str:
    """The most specific exception line of a failed nbgrader run (its generic last line,
    "Please see the above traceback", says nothing)."""
    for text in (result.get("log") or "", result.get("error") or ""):
        lines = [m for m in map(_EXC_LINE.match, text.splitlines()) if m]
        lines = [m for m in lines if "Please see the" not in m.group(2)]
        if lines:
            name, msg = lines[-1].groups()
            return f"{name.rsplit('.', 1)[-1]}: {msg}"[:500]
    return "autograde failed"


def grade(job: dict) -> dict:
    import nbformat
    from . import nbg

    aid, stem, lang = job["assignment"], job["notebook"], job["lang"]
    scratch = job.get("scratch") or tempfile.mkdtemp(prefix="chainrule-grade-")
    try:
        root = Path(scratch) / "course"
        shutil.copytree(job["template"], root)
        target = root / "submitted" / STUDENT / aid / f"{stem}.ipynb"
        target.parent.mkdir(parents=True)
        nb = nbformat.read(job["submission"], as_version=4)
        nbformat.write(nb, target)
        result = nbg.autograde(root, aid, STUDENT, lang, timeout=job.get("cell_timeout", 60))
        if not result.get("success"):
            return {"ok": False, "error": failure_reason(result)}
        graded = root / "autograded" / STUDENT / aid / f"{stem}.ipynb"
        graded_nb = nbformat.read(graded, as_version=4)
        errors = cell_errors(graded_nb)
        order = [c.metadata.get("nbgrader", {}).get("grade_id") for c in graded_nb.cells]
        grades = nbg.read_grades(root, aid, stem, STUDENT)
        cells = {}  # in notebook order
        for gid in sorted(grades, key=lambda g: order.index(g) if g in order else len(order)):
            s, m = grades[gid]
            cells[gid] = {"score": s, "max_score": m, "error": errors.get(gid),
                          "solution_error": errors.get(gid[: -len("_tests")]) if gid.endswith("_tests") else None}
        return {"ok": True, "cells": cells}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def limit(memory_mb: int) -> None:
    """Cap this process's address space (inherited by the kernel it starts); no core files."""
    import resource
    if memory_mb:
        cap = int(memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    job_path = Path(argv[0])
    job = json.loads(job_path.read_text(encoding="utf-8"))
    limit(job.get("memory_mb", 0))
    try:
        result = grade(job)
    except Exception as e:  # reported, not raised: the batch records status "error"
        result = {"ok": False, "error": f"{type(e).__name__}: {e}"[:500]}
    Path(job["result"]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
