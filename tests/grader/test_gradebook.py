"""The nbgrader gradebook that the batch's client writes (``--db URL``): SQLite by default, and
PostgreSQL on a real server that the fixture below starts (Debian's ``postgresql`` binaries on a
temporary data directory and a free loopback port) and removes after."""
from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from grading_class import REPO, blank, build_mixed, honest, put, results, run_grader  # noqa: F401
from grader import gradebook, judge, sandbox  # noqa: E402


def _release(chapter, lang, stem, exercises):
    exs = [judge.Exercise(e, f"{e}_tests", pts, [], "", [e]) for e, pts in exercises]
    return judge.Release(chapter, lang, stem, [], exs, {})


def _row(student, chapter, lang, stem, scores, file=None):
    return {"student_id": student, "file": file or f"{student}/{stem}.ipynb", "sha256": "x", "notebook": stem,
            "chapter": chapter, "language": lang, "status": "graded", "score": sum(scores.values()),
            "max_score": 3.0, "exercises": [{"grade_id": f"{k}_tests", "score": v} for k, v in scores.items()]}


def test_sqlite_gradebook_is_idempotent(tmp_path):
    plans = {("ch01", "en"): (_release("ch01", "en", "ch01_x", [("a", 1.0), ("b", 2.0)]), "ch01_x", "")}
    rows = [_row("s1", "ch01", "en", "ch01_x", {"a": 1.0, "b": 0.0}),
            _row("s2", "ch01", "en", "ch01_x", {"a": 1.0, "b": 2.0}),
            {**_row("s3", "", "", "junk", {}), "max_score": "", "status": "unreadable"}]
    url = gradebook.default_url(tmp_path)
    for _ in range(2):  # a resumed batch writes everything again
        assert gradebook.write(url, rows, plans) == {"submissions": 2, "grades": 4, "autograded": 0,
                                                      "not_copied": []}
    assert gradebook.scores(url) == {("s1", "ch01", "a_tests"): 1.0, ("s1", "ch01", "b_tests"): 0.0,
                                     ("s2", "ch01", "a_tests"): 1.0, ("s2", "ch01", "b_tests"): 2.0}
    from nbgrader.api import Gradebook
    with Gradebook(url, course_id="chainrule") as gb:
        assert [s.id for s in gb.students] == ["s1", "s2"]
        a = gb.find_assignment("ch01")
        assert a.max_score == 3.0 and len(a.submissions) == 2
        assert gb.find_submission("ch01", "s2").score == 3.0
    # a re-grade that changes a score updates it in place
    rows[0]["exercises"][1]["score"] = 2.0
    gradebook.write(url, rows, plans)
    assert gradebook.scores(url)[("s1", "ch01", "b_tests")] == 2.0
    assert gradebook.redact("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"


def _bilingual_plans():
    return {(("ch01", lang)): (_release("ch01", lang, "ch01_x", [("a", 1.0), ("b", 2.0)]), "ch01_x", "")
            for lang in ("en", "zh")}


def test_one_assignment_per_chapter_whatever_the_language(tmp_path):
    rows = [_row("en_only", "ch01", "en", "ch01_x", {"a": 1.0, "b": 2.0}),
            _row("zh_only", "ch01", "zh", "ch01_x", {"a": 1.0, "b": 0.0}),
            # both languages handed in: the better one counts, as in the Canvas column
            _row("both", "ch01", "en", "ch01_x", {"a": 0.0, "b": 0.0}, file="both/en/ch01_x.ipynb"),
            _row("both", "ch01", "zh", "ch01_x", {"a": 1.0, "b": 2.0}, file="both/zh/ch01_x.ipynb")]
    url = gradebook.default_url(tmp_path)
    assert gradebook.write(url, rows, _bilingual_plans())["submissions"] == 3
    from nbgrader.api import Gradebook
    with Gradebook(url, course_id="chainrule") as gb:
        assert [a.name for a in gb.assignments] == ["ch01"]
        a = gb.find_assignment("ch01")
        assert a.max_score == 3.0 and [n.name for n in a.notebooks] == ["ch01_x"]
        got = {s.id: gb.find_submission("ch01", s.id).score for s in gb.students}
    assert got == {"en_only": 3.0, "zh_only": 1.0, "both": 3.0}  # a zh student is not 0 in an en column


def test_languages_that_grade_other_cells_cannot_share_an_assignment(tmp_path):
    plans = _bilingual_plans()
    plans[("ch01", "zh")] = (_release("ch01", "zh", "ch01_x", [("a", 1.0), ("b", 5.0)]), "ch01_x", "")
    with pytest.raises(ValueError, match="ch01: its zh notebook grades other cells"):
        gradebook.write(gradebook.default_url(tmp_path), [], plans)


def _hand_grade(url, student, assignment, notebook, grade_id, score, solution_id=None, comment=None):
    """What formgrader does when an instructor types a score or a comment: nbgrader's own API."""
    from nbgrader.api import Gradebook
    with Gradebook(url, course_id="chainrule") as gb:
        gb.find_grade(grade_id, notebook, assignment, student).manual_score = score
        if solution_id:
            gb.find_comment(solution_id, notebook, assignment, student).manual_comment = comment
        gb.db.commit()


def test_manual_scores_and_comments_survive_a_regrade(tmp_path):
    plans = {("ch01", "zh"): (_release("ch01", "zh", "ch01_x", [("a", 1.0), ("b", 2.0)]), "ch01_x", "")}
    plans[("ch01", "zh")][0].cells = [{"id": "a", "source": "", "solution": True},
                                      {"id": "b", "source": "", "solution": True}]
    rows = [_row("s1", "ch01", "zh", "ch01_x", {"a": 1.0, "b": 0.0})]
    url = gradebook.default_url(tmp_path)
    gradebook.write(url, rows, plans)
    # the instructor gives partial credit for b and explains it, by hand
    _hand_grade(url, "s1", "ch01", "ch01_x", "b_tests", 1.5, solution_id="b", comment="接近了：符号错了")
    # the class is graded again, and this time a's automatic score changes too
    rows[0]["exercises"][0]["score"] = 0.0
    for _ in range(2):
        gradebook.write(url, rows, plans)
    from nbgrader.api import Gradebook
    with Gradebook(url, course_id="chainrule") as gb:
        b = gb.find_grade("b_tests", "ch01_x", "ch01", "s1")
        a = gb.find_grade("a_tests", "ch01_x", "ch01", "s1")
        assert (b.manual_score, b.auto_score, b.score) == (1.5, 0.0, 1.5)
        assert (a.manual_score, a.auto_score, a.score) == (None, 0.0, 0.0)
        assert not a.needs_manual_grade and not b.needs_manual_grade
        assert gb.find_comment("b", "ch01_x", "ch01", "s1").comment == "接近了：符号错了"
        assert gb.find_submission("ch01", "s1").score == 1.5


def _course_release(chapter_file, lang):
    from coursekit import manifest as course_manifest
    nb = json.loads((REPO / "course" / lang / chapter_file).read_text(encoding="utf-8"))
    release = judge.read_release(nb, course_manifest.load())
    release.stem = Path(chapter_file).stem
    return release


def test_autograded_notebook_opens_in_formgrader_with_its_scores(tmp_path):
    """nbgrader's formgrader opens ``autograded/<student>/<assignment>/<notebook>.ipynb`` and runs its
    GetGrades preprocessor on it (a grade per grade cell, a comment per solution cell): do the same."""
    import nbformat
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import GetGrades

    release = _course_release("ch01_derivatives.ipynb", "zh")
    plans = {("ch01", "zh"): (release, "ch01_derivatives", "")}
    nb = honest("ch01_derivatives.ipynb", "zh")
    first_solution = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    first_solution.outputs = [nbformat.v4.new_output("display_data", {"text/html": "<script>alert(1)</script>"})]
    nb.cells.append(nbformat.v4.new_code_cell("pass", metadata={"nbgrader": {  # a grade cell of the student's
        "grade": True, "grade_id": "made_up_tests", "points": 99, "solution": False, "locked": True}}))
    data = nbformat.writes(nb).encode()
    scores = {ex.grade_id: ex.points for ex in release.exercises}
    scores[release.exercises[0].grade_id] = 0.0
    row = {**_row("zh_student", "ch01", "zh", "ch01_derivatives", {}, file="zh_student/hw.ipynb"),
           "exercises": [{"grade_id": g, "score": v} for g, v in scores.items()], "score": sum(scores.values()),
           "max_score": release.max_score}
    url = gradebook.default_url(tmp_path)
    files = {("zh_student", "zh_student/hw.ipynb"): data}
    assert gradebook.write(url, [row], plans, files, tmp_path)["autograded"] == 1
    coursedir = CourseDirectory(root=str(tmp_path))
    path = Path(coursedir.format_path(coursedir.autograded_directory, "zh_student", "ch01")) / "ch01_derivatives.ipynb"
    assert path == gradebook.autograded_path(tmp_path, "zh_student", "ch01", "ch01_derivatives") and path.exists()
    graded = nbformat.read(path, as_version=4)
    assert graded.metadata["chainrule"]["lang"] == "zh"   # the language of this student's submission
    assert all(c.outputs == [] for c in graded.cells if c.cell_type == "code")
    resources = {"nbgrader": {"notebook": "ch01_derivatives", "assignment": "ch01", "student": "zh_student",
                              "db_url": url}}
    graded, resources = GetGrades().preprocess(graded, resources)
    assert resources["nbgrader"]["score"] == row["score"] and resources["nbgrader"]["max_score"] == release.max_score
    got = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["score"] for c in graded.cells
           if c.metadata.get("nbgrader", {}).get("grade")}
    assert got == scores  # the student's made-up grade cell is not one: formgrader shows it as plain code
    # formgrader finds the course: this folder's nbgrader_config.py names it and its gradebook, and
    # its submission lists (nbgrader's API behind them) show the submission as autograded
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    assert cfg.CourseDirectory.course_id == "chainrule" and cfg.CourseDirectory.root == str(tmp_path.resolve())
    api = NbGraderAPI(config=cfg)
    [sub] = api.get_submissions("ch01")
    assert (sub["student"], sub["autograded"], sub["score"]) == ("zh_student", True, row["score"])
    [nb_sub] = api.get_notebook_submissions("ch01", "ch01_derivatives")
    assert nb_sub["student"] == "zh_student" and nb_sub["max_score"] == release.max_score


# ---------------------------------------------------------------------- a real PostgreSQL server
def _pg_bindir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A throw-away PostgreSQL cluster: ``initdb`` in a temporary folder, ``pg_ctl start`` on a free
    loopback port (its socket in that folder too), one database; stopped and removed after."""
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): "
                    "apt-get install postgresql")
    pytest.importorskip("psycopg", reason='needs a PostgreSQL driver: pip install "./packaging/grader[postgres]"')
    as_user = []
    if os.getuid() == 0:  # initdb refuses to run as root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no 'postgres' user to run initdb as")
        as_user = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="chainrule-pg-"))
    data = root / "data"
    if as_user:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()

    def run(*argv, timeout=120):
        return subprocess.run([*as_user, *map(str, argv)], capture_output=True, text=True, timeout=timeout,
                              cwd=root, env={**os.environ, "LC_ALL": "C.UTF-8"})

    started = False
    try:
        r = run(bindir / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        assert r.returncode == 0, r.stderr
        r = run(bindir / "pg_ctl", "-D", data, "-l", root / "server.log", "-w", "-t", "60", "-o",
                f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        started = r.returncode == 0
        assert started, r.stderr + (root / "server.log").read_text(errors="replace")
        r = run(bindir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "gradebook")
        assert r.returncode == 0, r.stderr
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/gradebook"
    finally:
        if started:
            run(bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "-t", "60", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.skipif(sandbox.probe()["mechanism"] != "bwrap", reason="bubblewrap sandbox unavailable here")
def test_postgresql_gradebook_holds_the_same_scores_as_sqlite(postgres, tmp_path):
    subs = tmp_path / "subs"
    put(subs, "honest_en", honest("ch00_getting_started.ipynb", "en"), "ch00_getting_started.ipynb")
    put(subs, "honest_zh", honest("ch01_derivatives.ipynb", "zh"), "ch01_derivatives.ipynb")
    put(subs, "blank_en", blank("ch01_derivatives.ipynb", "en"), "ch01_derivatives.ipynb")
    put(subs, "bad_empty", b"", "empty.ipynb")
    pg_out, lite_out = tmp_path / "pg", tmp_path / "lite"
    proc = run_grader(subs, pg_out, "--jobs", "2", "--db", postgres)
    assert proc.returncode == 0, proc.stderr[-3000:]
    batch = json.loads((pg_out / "batch.json").read_text())
    assert batch["gradebook"] == postgres and not (pg_out / "gradebook.db").exists()
    # the same results into the default SQLite gradebook: a resumed batch, nothing graded again
    lite_out.mkdir()
    shutil.copy(pg_out / "results.jsonl", lite_out / "results.jsonl")
    proc = run_grader(subs, lite_out, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads((lite_out / "batch.json").read_text())["graded_now"] == 0
    pg, lite = gradebook.scores(postgres), gradebook.scores(gradebook.default_url(lite_out))
    assert pg == lite
    rows = {r["student_id"]: r for r in results(pg_out)}
    zh = sum(v for (s, a, _), v in pg.items() if s == "honest_zh" and a == "ch01")
    assert zh == rows["honest_zh"]["max_score"] > 0
    assert sum(v for (s, _, _), v in pg.items() if s == "blank_en") == 0
    assert {s for s, _, _ in pg} == {"honest_en", "honest_zh", "blank_en"}
    # idempotent on resume: the same command again leaves the PostgreSQL gradebook as it was
    proc = run_grader(subs, pg_out, "--jobs", "2", "--db", postgres)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert gradebook.scores(postgres) == pg
    from nbgrader.api import Gradebook
    with Gradebook(postgres, course_id="chainrule") as gb:
        assert sorted(s.id for s in gb.students) == ["blank_en", "honest_en", "honest_zh"]
        assert len(gb.find_assignment("ch01").submissions) == 2  # honest_zh and blank_en: one assignment
        assert (pg_out / "autograded" / "honest_zh" / "ch01" / "ch01_derivatives.ipynb").exists()
