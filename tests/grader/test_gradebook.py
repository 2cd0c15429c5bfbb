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

from grading_class import blank, build_mixed, honest, put, results, run_grader  # noqa: F401
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
        assert gradebook.write(url, rows, plans) == {"submissions": 2, "grades": 4}
    assert gradebook.scores(url) == {("s1", "ch01_en", "a_tests"): 1.0, ("s1", "ch01_en", "b_tests"): 0.0,
                                     ("s2", "ch01_en", "a_tests"): 1.0, ("s2", "ch01_en", "b_tests"): 2.0}
    from nbgrader.api import Gradebook
    with Gradebook(url, course_id="chainrule") as gb:
        assert [s.id for s in gb.students] == ["s1", "s2"]
        a = gb.find_assignment("ch01_en")
        assert a.max_score == 3.0 and len(a.submissions) == 2
        assert gb.find_submission("ch01_en", "s2").score == 3.0
    # a re-grade that changes a score updates it in place
    rows[0]["exercises"][1]["score"] = 2.0
    gradebook.write(url, rows, plans)
    assert gradebook.scores(url)[("s1", "ch01_en", "b_tests")] == 2.0
    assert gradebook.redact("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"


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
    pytest.importorskip("psycopg", reason='needs a PostgreSQL driver: pip install ".[postgres]"')
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
    assert sum(v for (s, a, _), v in pg.items() if s == "honest_zh" and a == "ch01_zh") == rows["honest_zh"]["max_score"] > 0
    assert sum(v for (s, _, _), v in pg.items() if s == "blank_en") == 0
    assert {s for s, _, _ in pg} == {"honest_en", "honest_zh", "blank_en"}
    # idempotent on resume: the same command again leaves the PostgreSQL gradebook as it was
    proc = run_grader(subs, pg_out, "--jobs", "2", "--db", postgres)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert gradebook.scores(postgres) == pg
    from nbgrader.api import Gradebook
    with Gradebook(postgres, course_id="chainrule") as gb:
        assert sorted(s.id for s in gb.students) == ["blank_en", "honest_en", "honest_zh"]
        assert len(gb.find_assignment("ch01_zh").submissions) == 1
