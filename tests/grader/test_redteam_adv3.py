"""Red team (adv3): a hostile student against what is shared between submissions: two workers at
once (``--jobs 2``), the threads of a Dask worker, the journal a re-run resumes from, and the
nbgrader gradebook an instructor keeps hand-graded scores in across re-grades. Each attack goes
through a real ``python -m grader grade`` batch; every test asserts the SAFE outcome. The comment
above each says the root cause found and the fix proposed.

Findings, all fixed at their mechanism (each fix named after the finding):
1. a notebook starts, at load time (a class body), 150 CPU-bound processes, each in a session of
   its own; the sandbox caps memory and processes but not CPU, and every limit of an exercise is
   wall-clock time, so the student graded at the same time by the other worker runs out of time
   (``timeout``, 0 points for those exercises);
2. student ids depend on the other students of the batch: a student whose (editable) LMS name
   cleans to another's makes that student's id change at the next re-grade, and the manual score
   the instructor gave in formgrader stays with the old id, no longer the student's;
3. the journal (``results.jsonl``) is read back with ``str.splitlines()``, which also splits at
   U+2028 and U+0085, which ``json.dumps(ensure_ascii=False)`` writes raw: a file whose name holds
   one is graded again on every resumed run;
4. a notebook metadata field of the wrong type (points as text, metadata as a list, a list as
   grade id) ends as status ``error`` (a grader bug, graded again on every run) with Python's words;
5. the threads of a Dask worker share one sandbox uid, whose process limit spans sandboxes: a
   student's two notebooks (en and zh), graded on two threads, leave the student graded on the
   third no process to fork (``crashed``);
6. a notebook whose metadata holds a list nested 600 deep grades fine, but the client's copy for
   formgrader recurses over it: the gradebook of every student after it, and the class report, are
   not written, and running the command again fails the same way.

Fixes: 1. every sandbox's control group gets one core (grader/cgroups.py): the CPU is shared between
sandboxes, not processes; 2. the ids given are kept in OUT/student_ids.json and a re-grade starts
from them (grader/ids.py); 3. the journal is split at "\n" only; 4. and 6. parse_notebook refuses,
in plain words (``unreadable``), JSON nested deeper than 64 levels and wrongly typed fields, a
formgrader copy that fails costs that copy only, and the class report is written even when the
gradebook is not; 5. each grading thread leases a uid no other thread or process holds
(grader/uids.py).

Withstood (regression tests): a grade cell the student made up (with 100 points) adds nothing to
the gradebook nor to formgrader's copy; markup in a file name is escaped on the feedback page and
on the class report, in both languages; the deeply nested notebook still leaves every row of
grades.csv written.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "course"))

from grader import sandbox  # noqa: E402
from grading_class import blank, cell, copy, env, honest, put, results, run_grader  # noqa: E402

pytestmark = pytest.mark.skipif(sandbox.probe()["mechanism"] != "bwrap",
                                reason=f"bubblewrap sandbox unavailable here: {sandbox.probe()['detail']}")


# --- 1. two workers at once: a neighbour that takes the CPU ---------------------------------------
# The class body runs when the host loads the notebook, in its root process: 150 children, each in
# a session of its own (one scheduler autogroup each), spin. They stop by themselves at a fixed wall
# clock time (so that the test cannot load the machine for long) and die with the sandbox anyway.
# The four exercises each wait a few seconds, which keeps this host (and its spinners) alive while
# the other worker grades the victim.
def _hog(until: float) -> str:
    return f'''import os
import time


class _Hog:
    for _i in range(150):
        try:
            if os.fork() == 0:
                os.setsid()
                while time.time() < {until!r}:
                    pass
                os._exit(0)
        except OSError:
            break


def forward_difference(f, x, h):
    time.sleep(3)
    return 0.0


def central_difference(f, x, h):
    time.sleep(3)
    return 0.0


def numerical_gradient(f, x, h=1e-5):
    time.sleep(3)
    return x


def relative_error(a, b):
    time.sleep(3)
    return 0.0
'''


@pytest.fixture(scope="module")
def neighbours(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("redteam_adv3_cpu")
    subs, out = tmp / "subs", tmp / "out"
    # graded first, one per worker: both judges' zygotes are up before the two below start together
    put(subs, "a1_warm", honest("ch00_getting_started.ipynb", "en"), "ch00_getting_started.ipynb")
    put(subs, "a2_warm", honest("ch00_getting_started.ipynb", "zh"), "ch00_getting_started.ipynb")
    nb = copy(blank("ch01_derivatives.ipynb", "en"))
    cell(nb, "relative_error").source = _hog(time.time() + 45)
    put(subs, "b_hog", nb, "ch01_derivatives.ipynb")
    put(subs, "c_victim", honest("ch03_mlp.ipynb", "en"), "ch03_mlp.ipynb")
    proc = run_grader(subs, out, "--jobs", "2", "--exercise-timeout", "4", timeout=600)
    return {"proc": proc, "rows": {r["student_id"]: r for r in results(out)}}


def test_the_honest_neighbour_alone_keeps_full_marks_under_the_same_limits(neighbours):
    """The baseline: the same limits, the warm-up students (graded before the hog) keep full marks,
    and the batch ends normally."""
    assert neighbours["proc"].returncode == 0, neighbours["proc"].stderr[-2000:]
    for student in ("a1_warm", "a2_warm"):
        row = neighbours["rows"][student]
        assert row["status"] == "graded" and row["score"] == row["max_score"] > 0, row


# Open. Root cause: a sandbox's control group caps memory and processes (grader/cgroups.py: the
# memory and pids controllers), not CPU, and every limit of an exercise is wall-clock time
# (judge_main.run_exercise's deadline, the worker's budget in judge._run_group). 150 busy processes
# in 150 sessions (autogroup shares the CPU per session) leave the sandbox graded beside them a
# sliver of the machine: the honest chapter-3 notebook, 1.7 s alone, takes 15 s and loses exercises
# to `timeout`. Fix idea: give each sandbox (host and judge) the cgroup cpu controller too, one
# group per sandbox with an equal weight (v1 cpu.shares, v2 cpu.weight) and a quota of one core
# (cpu.cfs_quota_us / cpu.max), so that a sandbox gets its share however many processes it starts.
def test_a_busy_neighbour_does_not_time_out_the_student_graded_at_the_same_time(neighbours):
    row = neighbours["rows"]["c_victim"]
    lost = [(e["id"], e["status"], e["category"]) for e in row["exercises"] if e["status"] != "passed"]
    assert row["status"] == "graded" and row["score"] == row["max_score"] > 0, lost


# --- 2. the gradebook across re-grades: a namesake moves a student's id ---------------------------
CANVAS_JANE = "doejane_11_101_ch00_getting_started.ipynb"      # Canvas: <name slug>_<user id>_<attachment>_
CANVAS_NAMESAKE = "doejane_22_102_ch00_getting_started.ipynb"  # another user whose name cleans the same
CANVAS_BONUS = "roebob_33_103_ch00_getting_started.ipynb"


def _bonus_cell_notebook():
    """A blank chapter-0 notebook with a grade cell the student made up, worth 100 points."""
    nb = copy(blank("ch00_getting_started.ipynb", "en"))
    made_up = nbformat.v4.new_code_cell("pass")
    made_up.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 100,
                                    "grade_id": "bonus_tests", "schema_version": 3}
    nb.cells.append(made_up)
    return nb


def _zip(path: Path, members: dict) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, nb in members.items():
            z.writestr(name, nbformat.writes(nb))
    return path


def _gradebook(out: Path):
    from nbgrader.api import Gradebook
    return Gradebook(f"sqlite:///{out / 'gradebook.db'}", course_id="chainrule")


def _ids(out: Path) -> dict:
    """``{file: student id}`` from grades.csv."""
    import csv
    with open(out / "grades.csv", encoding="utf-8") as f:
        return {r["file"]: r["student_id"] for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def regraded(tmp_path_factory):
    """Run 1: Jane and a student with a made-up grade cell. The instructor hand-grades Jane's exercise
    in formgrader (nbgrader's own API). Run 2, same OUT: the same files, and a second Canvas user whose
    name cleans to Jane's."""
    tmp = tmp_path_factory.mktemp("redteam_adv3_ids")
    out = tmp / "out"
    jane = honest("ch00_getting_started.ipynb", "en")
    first = run_grader(_zip(tmp / "run1.zip", {CANVAS_JANE: jane, CANVAS_BONUS: _bonus_cell_notebook()}), out,
                       "--jobs", "1")
    assert first.returncode == 0, first.stderr[-2000:]
    ids1 = _ids(out)
    with _gradebook(out) as gb:
        grade_id = gb.find_assignment("ch00").notebooks[0].grade_cells[0].name
        gb.find_grade(grade_id, "ch00_getting_started", "ch00", ids1[CANVAS_JANE]).manual_score = 0.5
        gb.db.commit()
    second = run_grader(_zip(tmp / "run2.zip", {CANVAS_JANE: jane, CANVAS_BONUS: _bonus_cell_notebook(),
                                                CANVAS_NAMESAKE: blank("ch00_getting_started.ipynb", "en")}),
                        out, "--jobs", "1")
    assert second.returncode == 0, second.stderr[-2000:]
    return {"out": out, "ids1": ids1, "ids2": _ids(out), "grade_id": grade_id}


def test_made_up_grade_cells_add_nothing_to_the_gradebook_or_formgrader_s_copy(regraded):
    out = regraded["out"]
    student = regraded["ids2"][CANVAS_BONUS]
    rows = {r["student_id"]: r for r in results(out)}
    assert rows[student]["max_score"] == 1.0 and rows[student]["status"] == "graded", rows[student]
    with _gradebook(out) as gb:
        assert [c.name for c in gb.find_assignment("ch00").notebooks[0].grade_cells] == [regraded["grade_id"]]
        sub = gb.find_submission("ch00", student)
        assert (sub.score, sub.max_score) == (rows[student]["score"], 1.0)
    copy_ = json.loads((out / "autograded" / student / "ch00" / "ch00_getting_started.ipynb").read_text("utf-8"))
    assert not [c for c in copy_["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "bonus_tests"]


# Open. Root cause: grader/ids.assign makes an id from the student's LMS name and adds the LMS user
# id only when two names of THIS batch clean to the same text, so an id depends on the other
# students; the gradebook (and results.jsonl, the feedback and autograded folders) are keyed by it.
# A student who sets their Canvas/Moodle name to Jane's (or simply a namesake who enrols late)
# renames Jane from `doejane` to `doejane-11` at the next re-grade: her hand-graded score stays
# on the stale `doejane`, and `doejane-11` shows the automatic score. Fix idea: keep the ids given
# (OUT/students.json, LMS key -> id) and let ids.assign start from them on a re-grade, so that an
# id once given never moves; or, where the LMS has a user id, always put it in the id.
def test_a_namesake_at_a_regrade_does_not_take_a_student_s_hand_grade_away(regraded):
    jane = regraded["ids2"][CANVAS_JANE]
    with _gradebook(regraded["out"]) as gb:
        grade = gb.find_grade(regraded["grade_id"], "ch00_getting_started", "ch00", jane)
        assert grade.manual_score == 0.5, (regraded["ids1"][CANVAS_JANE], jane)


# --- 3. the journal a re-run resumes from ---------------------------------------------------------
LINE_SEPARATOR_NAME = "ch00\u2028getting_started.ipynb"   # a name the student chose (Canvas, Moodle, a folder)
MARKUP_NAME = "<img src=x onerror=alert(1)>.ipynb"


@pytest.fixture(scope="module")
def resumed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("redteam_adv3_resume")
    subs, out = tmp / "subs", tmp / "out"
    put(subs, "a_sep", honest("ch00_getting_started.ipynb", "en"), LINE_SEPARATOR_NAME)
    put(subs, "b_markup", b'{"cells": [', MARKUP_NAME)           # unreadable: its name is on every page
    put(subs, "c_markup_zh", honest("ch00_getting_started.ipynb", "zh"), MARKUP_NAME)
    runs = []
    for _ in range(2):  # the same command twice: the second has nothing left to grade
        proc = run_grader(subs, out, "--jobs", "1")
        assert proc.returncode == 0, proc.stderr[-2000:]
        runs.append(json.loads((out / "batch.json").read_text(encoding="utf-8")))
    return {"out": out, "runs": runs}


# Open. Root cause: batch.Journal reads results.jsonl with str.splitlines(), which also ends a line
# at U+2028, U+2029, U+0085 (and \x1c-\x1e, which json escapes); json.dumps(..., ensure_ascii=False)
# writes the first three raw, so the row of a file named with one is cut in two unreadable halves
# and taken for missing: graded again, and appended again, on every run. Fix: read the journal
# line by line as report.read_results does (`for line in f`, or text.split("\n")).
def test_a_file_named_with_a_line_separator_is_not_graded_again_on_resume(resumed):
    first, second = resumed["runs"]
    assert first["graded_now"] == 3
    assert second["graded_now"] == 0, second["statuses"]


def test_markup_in_a_file_name_is_escaped_on_the_pages_in_both_languages(resumed):
    from grader import report
    out = resumed["out"]
    paths = sorted(out.glob("feedback/b_markup/*.html")) + sorted(out.glob("feedback/c_markup_zh/*.html"))
    assert len(paths) == 2
    pages = {str(p): p.read_text(encoding="utf-8") for p in paths}
    assert 'lang="zh-CN"' in pages[str(paths[1])]   # the Chinese student's page is in Chinese
    for lang in ("en", "zh"):
        report.build_report(out, lang)
        pages[f"report ({lang})"] = (out / "report" / "index.html").read_text(encoding="utf-8")
    for where, html in pages.items():
        assert "<img src=x" not in html, where
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, where   # the name is there, as text


# --- 4. notebooks that lie about their own structure ---------------------------------------------
def _malformed():
    """``{student: notebook JSON}``: an honest chapter-0 notebook with one field of the wrong type."""
    def tests_cell(nb):
        return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade"))

    def solution_cell(nb):
        return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))

    edits = {
        "points_text": lambda nb: tests_cell(nb)["metadata"]["nbgrader"].update(points="abc"),
        "points_list": lambda nb: tests_cell(nb)["metadata"]["nbgrader"].update(points=[1]),
        "cell_metadata_list": lambda nb: nb["cells"][0].update(metadata=[1]),
        "notebook_metadata_list": lambda nb: nb.update(metadata=[1]),
        "grade_id_list": lambda nb: solution_cell(nb)["metadata"]["nbgrader"].update(grade_id=["x"]),
    }
    out = {}
    for student, edit in edits.items():
        nb = json.loads(nbformat.writes(honest("ch00_getting_started.ipynb", "en")))
        edit(nb)
        out[student] = json.dumps(nb).encode()
    return out


@pytest.fixture(scope="module")
def malformed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("redteam_adv3_malformed")
    subs, out = tmp / "subs", tmp / "out"
    for student, data in _malformed().items():
        put(subs, student, data, "ch00_getting_started.ipynb")
    proc = run_grader(subs, out, "--jobs", "1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {r["student_id"]: r for r in results(out)}


# Open. Root cause: release.parse_notebook checks only that cells are objects; the readers after it
# assume every metadata is a dict, nbgrader's points a number and grade_id a string
# (release._meta, tampering, student_cells, batch.grade_task), so a wrong type raises
# AttributeError/TypeError/ValueError and the row ends as `error` ("the grader itself failed ... a
# bug", graded again on every re-run; the feedback page says the instructor has been told) with
# Python's own words. Fix: validate the shape in parse_notebook (metadata objects, nbgrader
# metadata an object, grade_id a string, points a number) and answer `unreadable` in plain words,
# or take a graded cell whose nbgrader metadata is malformed for `tests_retagged`.
@pytest.mark.parametrize("student", sorted(_malformed()))
def test_a_notebook_with_a_wrongly_typed_field_gets_a_status_that_says_so(malformed, student):
    row = malformed[student]
    assert row["status"] in ("unreadable", "flagged"), (row["status"], row["detail"])
    assert row["score"] == 0


# --- 5. a Dask worker with several threads: one sandbox uid for all of them -----------------------
# Each of the student's two notebooks (en and zh) fills the sandbox uid's process table from a
# thread started at load (the control group lets one sandbox hold 254 of the uid's 256), and keeps
# its own host working by giving back one sleeper just before each of its host's forks (the class
# body replaces os.fork in the host's root process). A third notebook graded at the same time by
# the same worker process, on its third thread, gets the same uid and cannot fork its exercises.
def _flood(until: float) -> str:
    return f'''import os
import signal
import threading
import time

_SLEEPERS = []
_real_fork = os.fork


def _fill():
    while time.time() < {until!r}:
        try:
            pid = _real_fork()
            if pid == 0:
                time.sleep(max(0.0, {until!r} - time.time()))
                os._exit(0)
            _SLEEPERS.append(pid)
        except OSError:
            time.sleep(0.002)


def _fork():
    if _SLEEPERS:
        try:
            pid = _SLEEPERS.pop()
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass
    return _real_fork()


class _Flood:
    os.fork = _fork
    threading.Thread(target=_fill, daemon=True).start()


def forward_difference(f, x, h):
    time.sleep(6)
    return 0.0


def central_difference(f, x, h):
    time.sleep(6)
    return 0.0


def numerical_gradient(f, x, h=1e-5):
    time.sleep(6)
    return x


def relative_error(a, b):
    time.sleep(6)
    return 0.0
'''


def _start(argv, log: Path, e: dict):
    with open(log, "wb") as f:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(argv, env=e, cwd=log.parent, stdout=f, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def _stop(procs) -> None:
    """SIGTERM each process group (a worker's nanny and its child too), then SIGKILL what is left."""
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except OSError:
            pass
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
        p.wait()


@pytest.fixture(scope="module")
def threaded_worker(tmp_path_factory):
    pytest.importorskip("distributed", reason="needs distributed: pip install ./packaging/grader")
    tmp = tmp_path_factory.mktemp("redteam_adv3_dask")
    subs, out, file = tmp / "subs", tmp / "out", tmp / "scheduler.json"
    until = time.time() + 150   # the sleepers end by then whatever happens
    for lang, name in (("en", "ch01_derivatives.ipynb"), ("zh", "ch01_derivatives_zh.ipynb")):
        nb = copy(blank("ch01_derivatives.ipynb", lang))
        cell(nb, "relative_error").source = _flood(until)
        put(subs, "a_flood", nb, name)
    put(subs, "b_victim", honest("ch03_mlp.ipynb", "en"), "ch03_mlp.ipynb")
    e = env()
    procs = [_start([sys.executable, "-m", "distributed.cli.dask_scheduler", "--scheduler-file", str(file),
                     "--host", "127.0.0.1", "--port", "0", "--no-dashboard"], tmp / "scheduler.log", e)]
    try:
        end = time.monotonic() + 60
        while not file.exists():
            assert time.monotonic() < end and procs[0].poll() is None, (tmp / "scheduler.log").read_text()
            time.sleep(0.1)
        procs.append(_start([sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file", str(file),
                             "--nthreads", "3", "--host", "127.0.0.1", "--no-dashboard"], tmp / "worker.log", e))
        proc = run_grader(subs, out, "--scheduler-file", file, "--exercise-timeout", "10", timeout=600)
    finally:
        _stop(procs[::-1])
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {r["file"]: r for r in results(out)}


def test_the_flooding_notebooks_were_graded_beside_the_victim(threaded_worker):
    """The attack ran: both flooding notebooks kept their own host working (every exercise answered,
    none crashed), so they were being graded, with their sleepers, for most of the victim's time."""
    for name in ("a_flood/ch01_derivatives.ipynb", "a_flood/ch01_derivatives_zh.ipynb"):
        row = threaded_worker[name]
        assert {e["status"] for e in row["exercises"]} == {"failed"}, row


# Open. Root cause: batch.grade_task gives the student's sandbox the uid 200000 + pid % 100000, one
# per worker PROCESS; a Dask worker with several threads (the zygote keeps one judge per thread for
# this, and each thread counts as a slot) grades that many submissions at once under one uid, and
# RLIMIT_NPROC counts the processes of a uid across sandboxes (the control group caps each
# sandbox, not the uid). Fix: a uid per running sandbox, e.g. from the pid and the grading
# thread's slot number, or a lock-protected pool of uids, none held by two live sandboxes at once.
def test_a_student_graded_beside_a_flood_on_another_thread_keeps_full_marks(threaded_worker):
    row = threaded_worker["b_victim/ch03_mlp.ipynb"]
    lost = [(e["id"], e["status"], e["message"][:80]) for e in row["exercises"] if e["status"] != "passed"]
    assert row["status"] == "graded" and row["score"] == row["max_score"] > 0, lost


# --- 6. the gradebook of the whole class, against one notebook ------------------------------------
def _deeply_nested(depth: int = 600) -> bytes:
    """An honest chapter-0 notebook whose first cell's metadata holds a list nested ``depth`` deep
    (JSON's C decoder takes it; Python-level recursion over it does not)."""
    nb = json.loads(nbformat.writes(honest("ch00_getting_started.ipynb", "en")))
    deep = 1
    for _ in range(depth):
        deep = [deep]
    nb["cells"][0]["metadata"]["notes"] = deep
    return json.dumps(nb).encode()


@pytest.fixture(scope="module")
def deep(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("redteam_adv3_deep")
    subs, out = tmp / "subs", tmp / "out"
    put(subs, "a_deep", _deeply_nested(), "ch00_getting_started.ipynb")   # written to the gradebook first
    put(subs, "b_honest", honest("ch00_getting_started.ipynb", "en"), "ch00_getting_started.ipynb")
    proc = run_grader(subs, out, "--jobs", "1")
    return {"proc": proc, "out": out, "rows": {r["student_id"]: r for r in results(out)}}


def test_a_deeply_nested_notebook_keeps_every_row_of_grades_csv(deep):
    """Withstood: the worker grades the deep notebook (or, once refused, calls it unreadable) and
    grades.csv holds both students' rows."""
    assert deep["rows"]["a_deep"]["status"] in ("graded", "unreadable"), deep["rows"]["a_deep"]
    assert deep["rows"]["b_honest"]["score"] == 1.0
    csv_text = (deep["out"] / "grades.csv").read_text(encoding="utf-8")
    assert "a_deep" in csv_text and "b_honest" in csv_text


# Open. Root cause: gradebook._write_autograded copies the submitted notebook with copy.deepcopy
# and writes it with json.dumps(indent=1), both recursive in Python: a metadata value nested 600
# deep (which json.loads, in C, accepts) raises RecursionError in the client, gradebook.write stops
# at that student (students are written in id order, so every later one is missing), batch.grade
# raises GradebookError ("run the same command again": which fails the same way, every time) and
# the command exits 1 without writing the class report. Fix: refuse, in release.parse_notebook (in
# the worker), a notebook nested deeper than a few dozen levels (`unreadable`, in plain words); drop
# the deepcopy (parse_notebook returns a fresh object); let a failure to write one student's
# formgrader copy cost that copy only; and build the class report even when the gradebook failed.
def test_one_deeply_nested_notebook_does_not_stop_the_class_gradebook(deep):
    out = deep["out"]
    assert deep["proc"].returncode == 0, deep["proc"].stderr[-1000:]
    with _gradebook(out) as gb:
        assert gb.find_submission("ch00", "b_honest").score == 1.0
    assert (out / "report" / "index.html").exists()
