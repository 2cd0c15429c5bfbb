"""Shared, session-scoped work for the course tests: one build, one execution of each notebook,
one grading batch. Chapters are discovered by glob: the real ``chapters/ch*.md`` when there are
any, otherwise the fixture chapter in ``tests/course/fixtures/`` (built into a temp dir).
``COURSE_TEST_CHAPTERS=DIR`` tests the chapters of DIR instead, built into a temp dir."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tools"))

from course_helpers import fill_solutions, read  # noqa: E402

LANGS = ("en", "zh")
_OVERRIDE = os.environ.get("COURSE_TEST_CHAPTERS")
REAL_CHAPTERS = [] if _OVERRIDE else sorted((REPO / "chapters").glob("ch*.md"))
CHAPTERS_DIR = Path(_OVERRIDE).resolve() if _OVERRIDE else REPO / "chapters" if REAL_CHAPTERS else HERE / "fixtures"
STEMS = [p.stem for p in sorted(CHAPTERS_DIR.glob("ch*.md"))]
NOTEBOOKS = [(kind, lang, stem) for kind in ("solutions", "course") for lang in LANGS for stem in STEMS]
CELL_TIMEOUT = 300   # seconds per cell
WORKERS = 2          # notebooks executed at once (2 cores)


@pytest.fixture(scope="session")
def fresh_build(tmp_path_factory) -> Path:
    """``make course`` of the chapters under test, into a temp dir."""
    import build_course
    out = tmp_path_factory.mktemp("build")
    build_course.build(CHAPTERS_DIR, out, quiet=True)
    return out


@pytest.fixture(scope="session")
def root(fresh_build) -> Path:
    """Where the notebooks under test live: the repo (real chapters) or the fixture's build."""
    return REPO if REAL_CHAPTERS else fresh_build


def _execute(path: Path, workdir: Path, binder: dict | None = None) -> dict:
    """Run one notebook with nbclient: in the Binder environment's kernel when ``binder`` is
    given (its own interpreter and environment variables), else in this interpreter's."""
    import nbclient
    nb = read(path)
    resources = {"metadata": {"path": str(workdir)}}
    if binder is None:
        client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                                         resources=resources)
        python, kwargs = sys.executable, {}
    else:
        from binder_env import kernel_manager
        km = kernel_manager(binder)
        client = nbclient.NotebookClient(nb, km=km, timeout=CELL_TIMEOUT, allow_errors=True, resources=resources)
        python, kwargs = km.kernel_spec.argv[0], {"env": dict(binder["env"], MPLBACKEND="Agg"), "cleanup_kc": True}
    t = time.perf_counter()
    try:
        client.execute(**kwargs)
        error = None
    except Exception as e:  # a dead kernel, a timeout: the notebook did not run to its end
        error = f"{type(e).__name__}: {e}"
    return {"nb": nb, "error": error, "seconds": time.perf_counter() - t, "python": python}


@pytest.fixture(scope="session")
def executed(root, binder_env, tmp_path_factory) -> dict:
    """Every solutions and course notebook, executed once, in the Binder environment (see
    ``binder_env`` in tests/conftest.py; the test environment with CHAINRULE_BINDER_ENV=0):
    ``{(kind, lang, stem): result}``."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    todo = {key: root / key[0] / key[1] / f"{key[2]}.ipynb" for key in NOTEBOOKS}
    missing = [str(p) for p in todo.values() if not p.exists()]
    assert not missing, f"not generated (run make course): {missing}"

    def run(key):
        return key, _execute(todo[key], tmp_path_factory.mktemp("run"), binder_env)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return dict(pool.map(run, todo))


@pytest.fixture(scope="session")
def graded(root, tmp_path_factory) -> dict:
    """One ``python -m grader grade`` batch: per chapter and language an honest student and an
    untouched course notebook, plus a corrupted file and a notebook of no known chapter."""
    import csv
    import nbformat

    subs = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("graded")
    expected = {}
    for lang in LANGS:
        for i, stem in enumerate(STEMS):
            course = read(root / "course" / lang / f"{stem}.ipynb")
            solutions = read(root / "solutions" / lang / f"{stem}.ipynb")
            # file names say nothing: the grader must use the notebook's metadata
            for student, nb in (("honest", fill_solutions(course, solutions)), ("blank", course)):
                path = subs / f"{student}-{lang}" / f"upload_{i}.ipynb"
                path.parent.mkdir(exist_ok=True)
                nbformat.write(nb, str(path))
                expected[(f"{student}-{lang}", f"upload_{i}.ipynb")] = (stem, lang)
    (subs / "broken").mkdir()
    (subs / "broken" / "homework.ipynb").write_text('{"cells": [{"cell_type": "code", "sou', encoding="utf-8")
    stranger = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    (subs / "stranger").mkdir()
    nbformat.write(stranger, str(subs / "stranger" / "mine.ipynb"))

    # this checkout's grader, library and kit, whatever an installed copy points at
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "src")]))
    # the real chapters are graded with the kit's own manifest; other chapters with their build's
    manifest = [] if REAL_CHAPTERS else ["--manifest", str(root / "manifest.json")]
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(subs), "--out", str(out),
                           "--release", str(root / "course"), *manifest],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - t
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(out / "grades.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {"rows": rows, "out": out, "expected": expected, "seconds": seconds, "stderr": proc.stderr}
