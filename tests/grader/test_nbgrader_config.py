"""Stock nbgrader, run as an instructor runs it from the repository (``nbgrader_config.py`` there),
behaves like ours: the Chinese stub in Chinese notebooks, releases equal to course/, and a gradebook
whose assignments and cells are the ones the grader writes."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grading_class import REPO
from grader import gradebook, judge, nbgrader_course

PYPATH = os.pathsep.join([str(REPO / "src"), str(REPO)])


def _stock_nbgrader(root: Path, *argv):
    """``nbgrader ...`` from the repository's root, as the instructor runs it (so it reads the
    repository's nbgrader_config.py), with the course folder moved to ``root``."""
    env = dict(os.environ, PYTHONPATH=PYPATH,
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    return subprocess.run([sys.executable, "-m", "nbgrader", *argv, f"--CourseDirectory.root={root}"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=300)


def _cells(nb: dict) -> list:
    text = lambda s: "".join(s) if isinstance(s, list) else s  # noqa: E731
    return [(c["cell_type"], text(c["source"]), c["metadata"].get("nbgrader")) for c in nb["cells"]]


def test_stock_generate_assignment_writes_each_notebooks_own_stub(tmp_path):
    root = tmp_path / "course"
    nbgrader_course.lay_out(REPO / "solutions", root, "en")
    # one assignment with a notebook of each language: the stub follows the notebook, not the run
    shutil.copyfile(REPO / "solutions" / "zh" / "ch01_derivatives.ipynb", root / "source" / "ch01" / "zh_copy.ipynb")
    proc = _stock_nbgrader(root, "generate_assignment", "ch01", "--force")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    released = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (root / "release" / "ch01").glob("*.ipynb")}
    zh, en = released["zh_copy.ipynb"], released["ch01_derivatives.ipynb"]
    assert "# 在这里写你的代码" in json.dumps(zh, ensure_ascii=False) and "YOUR CODE HERE" not in json.dumps(zh)
    assert "# YOUR CODE HERE" in json.dumps(en)
    # what stock nbgrader releases is what the course ships (make course runs the same set-up)
    for nb, lang in ((zh, "zh"), (en, "en")):
        ours = json.loads((REPO / "course" / lang / "ch01_derivatives.ipynb").read_text(encoding="utf-8"))
        assert _cells(nb) == _cells(ours)


def test_stock_gradebook_and_ours_line_up(tmp_path):
    """The instructor releases with stock nbgrader, then grades with ours into the same gradebook:
    one assignment per chapter, one notebook, the same grade cells and points."""
    from coursekit import manifest as course_manifest
    from nbgrader.api import Gradebook

    root = tmp_path / "course"
    nbgrader_course.lay_out(REPO / "solutions", root, "zh")
    proc = _stock_nbgrader(root, "generate_assignment", "ch03")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    url = f"sqlite:///{root / 'gradebook.db'}"
    with Gradebook(url, course_id="chainrule") as gb:
        stock = {(c.name, c.max_score) for c in gb.find_notebook("ch03_mlp", "ch03").grade_cells}
    plans = {}
    for lang in ("en", "zh"):
        release = judge.read_release(json.loads((REPO / "course" / lang / "ch03_mlp.ipynb").read_text("utf-8")),
                                     course_manifest.load())
        release.stem = "ch03_mlp"
        plans[("ch03", lang)] = (release, "ch03_mlp", "")
    gradebook.write(url, [], plans)
    with Gradebook(url, course_id="chainrule") as gb:
        a = gb.find_assignment("ch03")
        assert [n.name for n in a.notebooks] == ["ch03_mlp"] and [x.name for x in gb.assignments] == ["ch03"]
        ours = {(c.name, c.max_score) for c in a.notebooks[0].grade_cells}
    assert ours == stock and a.max_score == plans[("ch03", "en")][0].max_score


def test_nbgrader_course_lays_out_one_language_per_chapter(tmp_path):
    written = nbgrader_course.lay_out(REPO / "solutions", tmp_path, "zh")
    assert written and all(p.parent.parent == tmp_path / "source" and p.parent.name == p.name[:4] for p in written)
    nbgrader_course.lay_out(REPO / "solutions", tmp_path, "en")   # switching language replaces each chapter
    for p in written:
        assert [q.name for q in p.parent.iterdir()] == [p.name]
        assert json.loads(p.read_text(encoding="utf-8"))["metadata"]["chainrule"]["lang"] == "en"
    with pytest.raises(ValueError, match="no solution notebooks"):
        nbgrader_course.lay_out(tmp_path / "nowhere", tmp_path, "en")
    assert nbgrader_course.main(["--solutions", str(tmp_path / "nowhere"), "--root", str(tmp_path)]) == 2
