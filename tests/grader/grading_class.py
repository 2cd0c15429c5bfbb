"""A small mixed class for the grader's batch tests (Dask, gradebook): honest, blank, wrong and
tampered students, and the bad inputs of the red-team suite (invalid JSON, an empty file, a notebook
of another course, a chapter under another chapter's name)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "course"))

from course_helpers import fill_solutions, read  # noqa: E402

HEAD = "def affine_backward(dout, cache):\n    x, w, b = cache\n"   # the start of an affine_backward
WRONG = "    return dout @ w, x.T @ dout, dout.sum(axis=0)   # wrong: dw transposed\n"
WRONG_AFFINE = HEAD + WRONG


def cell(nb, grade_id):
    """The cell of ``nb`` with this nbgrader grade id."""
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def honest(chapter_file: str, lang: str):
    return fill_solutions(read(REPO / "course" / lang / chapter_file), read(REPO / "solutions" / lang / chapter_file))


def blank(chapter_file: str, lang: str):
    return read(REPO / "course" / lang / chapter_file)


def copy(nb):
    """A deep copy of a notebook, to edit."""
    return nbformat.from_dict(json.loads(nbformat.writes(nb)))


def put(subs: Path, student: str, nb_or_bytes, name: str) -> Path:
    d = Path(subs) / student
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(nb_or_bytes, bytes):
        (d / name).write_bytes(nb_or_bytes)
    else:
        nbformat.write(nb_or_bytes, str(d / name))
    return d / name


def build_mixed(subs: Path) -> int:
    """Ten notebooks, each a different kind of submission; returns how many."""
    ch03 = honest("ch03_mlp.ipynb", "en")
    put(subs, "honest_en", ch03, "ch03_mlp.ipynb")
    put(subs, "honest_en", honest("ch00_getting_started.ipynb", "en"), "ch00_getting_started.ipynb")
    put(subs, "honest_zh", honest("ch01_derivatives.ipynb", "zh"), "ch01_derivatives.ipynb")
    put(subs, "blank_en", blank("ch02_graphs.ipynb", "en"), "ch02_graphs.ipynb")
    wrong = copy(ch03)
    cell(wrong, "affine_backward").source = WRONG_AFFINE
    put(subs, "wrong_en", wrong, "ch03_mlp.ipynb")
    tampered = copy(honest("ch01_derivatives.ipynb", "en"))
    first_tests = next(c for c in tampered.cells if c.metadata.get("nbgrader", {}).get("grade"))
    first_tests.source = "pass"
    put(subs, "tamper_en", tampered, "ch01_derivatives.ipynb")
    put(subs, "bad_json", b'{"cells": [{"cell_type": "code", "sou', "hw.ipynb")
    put(subs, "bad_empty", b"", "empty.ipynb")
    put(subs, "bad_other_course", nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")]),
        "ch03_mlp.ipynb")
    put(subs, "renamed", honest("ch01_derivatives.ipynb", "zh"), "ch04_optimizers.ipynb")
    return 10


def poison_notebook():
    """An honest chapter-0 notebook made unique (its sha256 names it to the test hook)."""
    nb = copy(honest("ch00_getting_started.ipynb", "en"))
    nb.cells.append(nbformat.v4.new_markdown_cell("poison"))
    return nb


def env(**extra) -> dict:
    e = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]))
    e.pop("DASK_SCHEDULER_ADDRESS", None)
    e.update({k: str(v) for k, v in extra.items()})
    return e


def grade_cmd(subs: Path, out: Path, *extra) -> list:
    return [sys.executable, "-m", "grader", "grade", str(subs), "--out", str(out),
            "--exercise-timeout", "30", "--timeout", "120", *map(str, extra)]


def run_grader(subs: Path, out: Path, *extra, timeout=300, **env_extra) -> subprocess.CompletedProcess:
    return subprocess.run(grade_cmd(subs, out, *extra), cwd=REPO, env=env(**env_extra),
                          capture_output=True, text=True, timeout=timeout)


def results(out: Path) -> list:
    rows = []
    for line in (Path(out) / "results.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            pass
    return rows


def pids_with(token: str) -> list[int]:
    """The pids of this machine's processes whose command line contains ``token``."""
    found = []
    for d in os.listdir("/proc"):
        try:
            if token.encode() in Path(f"/proc/{d}/cmdline").read_bytes():
                found.append(int(d))
        except (OSError, ValueError):
            continue
    return found
