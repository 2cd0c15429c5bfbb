"""Grade ONE submitted notebook: the trusted side of the sandbox wall.

``grade_notebook(nb, release, settings) -> dict``. The judge never executes the student's
code. It reads the notebook as data, compares its graded cells with the released notebook (a
changed, deleted, duplicated or re-tagged tests cell, or changed points, gives that exercise 0 and
the status ``tampered``), starts :mod:`grader.inside.host` in the sandbox with the instructor's
cells and the student's solution cells, and runs each exercise's check here on
:class:`grader.wall.Remote` names: a check's call runs in the sandbox and only data comes back
(:mod:`grader.wall` is all the judge code that touches it). The sandbox holds only what the
exercise may use (``uses`` in the course manifest, :mod:`coursekit.rules`): the standard library,
NumPy, the public course kit (never ``coursekit.checks`` or the answer key ``grader.key``) and,
where an exercise declares it (chapter 8), ``chainrule``. Seeds are fixed per exercise, so a
re-grade gives the same scores.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from . import sandbox
from .boxes import Host
from .inside import wire
from .zygote import GRACE, JudgeProcess, end_zygote
from .release import (Exercise, Release, parse_notebook, read_release, student_cells,  # noqa: F401 - re-exported
                      tampering)


@dataclass
class Settings:
    exercise_seconds: float = 60.0     # per exercise (its visible and hidden checks together)
    notebook_seconds: float = 600.0    # the whole notebook
    memory_mb: int = 2048              # the student's sandbox
    judge_memory_mb: int = 2048        # the judge's sandbox
    uid: int = sandbox.SANDBOX_UID     # the student's sandbox; the judge's is uid + JUDGE_UID_OFFSET
    mechanism: str | None = None       # None: the best the machine has ("bwrap", else "rlimits")


# ---------------------------------------------------------------------- grading
def _row(ex: Exercise, **fields) -> dict:
    row = {"id": ex.id, "grade_id": ex.grade_id, "points": ex.points, "score": 0.0, "status": "failed",
           "category": None, "message": ""}
    row.update(fields)
    return row


_STATUSES = {"passed", "failed", "timeout", "crashed"}


def _checked(ex: Exercise, row) -> dict:
    """A row from the judge, kept to its fields; the score is ours: the points iff it passed."""
    row = row if isinstance(row, dict) else {}
    status = row.get("status") if row.get("status") in _STATUSES else "crashed"
    category = row.get("category") if isinstance(row.get("category"), str) else None
    message = row.get("message") if isinstance(row.get("message"), str) else ""
    return _row(ex, status=status, category=category if status != "passed" else None, message=message[:4000],
                score=ex.points if status == "passed" else 0.0)


def grade_notebook(nb: dict, release: Release, settings: Settings = Settings()) -> dict:
    """``{"exercises": [...], "score", "max_score", "status", "detail"}`` for a parsed notebook.

    Runs here, in the worker: reads the notebook as data (tampering), then for each run of
    exercises that share a rule on what their code may use, starts the student's sandbox (the
    host) and the judge's sandbox, hands the judge the pipe to the host, and collects one row per
    exercise. A judge that stops making progress (``exercise_seconds`` + a grace) is killed with
    its host: that exercise is a ``timeout``, the next ones get fresh sandboxes.
    """
    tampered = tampering(nb, release)
    program = student_cells(nb, release)
    exercises = release.exercises
    rows: dict = {i: _row(ex, status="tampered", category=tampered[ex.grade_id])
                  for i, ex in enumerate(exercises) if ex.grade_id in tampered}
    limits = sandbox.Limits(memory_bytes=settings.memory_mb << 20, wall_seconds=settings.notebook_seconds,
                            cpu_seconds=int(settings.notebook_seconds))
    notebook_deadline = time.monotonic() + settings.notebook_seconds
    while len(rows) < len(exercises):
        todo = [i for i in range(len(exercises)) if i not in rows]
        if time.monotonic() > notebook_deadline:
            rows.update({i: _row(exercises[i], status="timeout", category="notebook_timeout") for i in todo})
            break
        uses = exercises[todo[0]].uses  # from the manifest: one sandbox per rule on what the code may use
        group = [i for i in todo if exercises[i].uses == uses]
        _run_group(release, program, group, uses, rows, limits, settings, notebook_deadline)
    results = [rows[i] for i in range(len(exercises))]
    status = "flagged" if tampered else "graded"
    return {"exercises": results, "score": sum(r["score"] for r in results), "max_score": release.max_score,
            "status": status, "detail": ", ".join(f"{g}: {w}" for g, w in tampered.items())}


def _run_group(release, program, group, uses, rows, limits, settings, notebook_deadline) -> None:
    """One host and one judge for the exercises ``group`` (until one asks for a fresh host)."""
    exercises = release.exercises
    host = Host(limits, settings.uid, settings.mechanism, uses)
    judge = None
    current = group[0]
    failed = False
    try:
        task = {"lang": release.lang, "program": program, "deny": host.deny,
                "exercise_seconds": settings.exercise_seconds,
                "exercises": [{"index": i, "calls": exercises[i].calls, "solution_ids": exercises[i].solution_ids}
                              for i in group]}
        judge = JudgeProcess(task, host, settings)
        budget = max(30.0, settings.exercise_seconds) + settings.exercise_seconds + GRACE  # the load, then one
        while current is not None:
            msg = judge.next(min(notebook_deadline + GRACE, time.monotonic() + budget))
            index = msg.get("index")
            if index != current:
                raise wire.ProtocolError(f"the judge answered for exercise {index!r}, not {current}")
            row = _checked(exercises[current], msg.get("row"))
            if row["status"] == "crashed" and not row["message"]:
                time.sleep(0.05)  # let the reader collect the host's last words
                row["message"] = host.why_dead()
            rows[current] = row
            current = next((i for i in group if i not in rows), None)
            budget = settings.exercise_seconds + GRACE
            if msg.get("restart"):
                break
    except wire.Timeout:  # the judge computed past every limit: stopped, and the exercise with it
        failed = True
        rows[current] = _row(exercises[current], status="timeout", category="judge_timeout")
    except wire.ProtocolError:  # the judge died (memory, CPU) or broke the protocol
        failed = True
        words = judge.last_words() if judge is not None else ""
        rows[current] = _row(exercises[current], status="crashed", category="judge_crashed", message=words)
    finally:
        if judge is not None:
            judge.close(failed)
        elif failed:
            end_zygote()
        host.close()
