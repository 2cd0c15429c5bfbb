"""The answer key stays with the grader: what a learner installs computes no expected value from a reference.

* the learner's wheel (the root project: chainrule and the course kit) holds no module of the key, no
  definition of a reference and no hidden-case table; the grader's wheel (packaging/grader) holds them all;
* every solution notebook, run where the key cannot be imported, passes its visible checks and
  ``coursekit.check()`` gives it full marks (the checks replay the answers ``make course`` recorded);
* the recorded answers are in step with the key: recording again gives identical bytes;
* what a learner-side check says where it cannot check (a call that was not recorded, a hidden check),
  in both languages, and that it never passes there.
"""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from coursekit.checks import answers, ch05, core, recorded

REPO = Path(__file__).resolve().parents[2]
KEY_DIR = REPO / "grader" / "key"
PYTHON = sys.executable


# ---------------------------------------------------------------------- what the key defines
def _key_names():
    """``(functions and classes, hidden-case tables)`` defined at the top level of grader/key/*.py."""
    defs, tables = set(), set()
    for path in KEY_DIR.glob("ch*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defs.add(node.name)
            elif isinstance(node, ast.Assign):
                tables.update(t.id for t in node.targets if isinstance(t, ast.Name) and t.id.isupper()
                              and re.search(r"(HIDDEN|SCALE)$", t.id))
    return defs, tables


def test_the_checks_hold_no_reference_and_no_hidden_case():
    """The kit's check modules define none of the key's functions and no hidden-case table (a table of
    the key's is named in a check only as ``KEY.NAME``, read where the key is installed)."""
    defs, tables = _key_names()
    assert {"ref_conv2d_backward", "run_program", "train_case"} <= defs and {"CONV_HIDDEN", "POOL_SCALE"} <= tables
    for path in (REPO / "src" / "coursekit").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                assert node.name not in defs - {"check"}, f"{path}: defines the key's {node.name}"
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        assert not re.search(r"(HIDDEN|SCALE)$", t.id), f"{path}: a hidden-case table {t.id}"


# ---------------------------------------------------------------------- the two wheels
def _clone(dest: Path) -> None:
    """What a clone holds (tracked and new, not ignored files), links kept as links."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                         capture_output=True, check=True, timeout=60).stdout
    for name in filter(None, out.decode().split("\0")):
        src, dst = REPO / name, dest / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
        elif src.is_file():
            shutil.copy2(src, dst)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    """``{"learner": chainrule's wheel, "grader": chainrule-grader's}``, built from a copy of the checkout
    with the setuptools already installed (no package index)."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: the wheels are built from what a clone holds")
    tmp = tmp_path_factory.mktemp("wheels")
    _clone(tmp / "clone")
    proc = subprocess.run([PYTHON, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                           str(tmp / "dist"), ".", "./packaging/grader"], cwd=tmp / "clone", capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0 and "No module named" in proc.stderr + proc.stdout:
        pytest.skip(f"cannot build wheels here: {(proc.stderr or proc.stdout).strip().splitlines()[-1]}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = {("grader" if p.name.startswith("chainrule_grader-") else "learner"): p for p in (tmp / "dist").glob("*.whl")}
    assert set(found) == {"learner", "grader"}, found
    return found


def test_the_learners_wheel_has_no_key_module_reference_or_hidden_case(wheels):
    defs, tables = _key_names()
    with zipfile.ZipFile(wheels["learner"]) as zf:
        names = zf.namelist()
        assert not [n for n in names if n.startswith("grader/") or "/key/" in n or n.endswith("/key.py")], names
        assert "coursekit/checks/answers.py" in names
        recorded_files = {n.rpartition("/")[2][:-5] for n in names if n.startswith("coursekit/checks/recorded/")}
        assert recorded_files == {p.stem for p in recorded.FOLDER.glob("*.json")} and recorded_files
        for name in names:   # the kit's code (the library, chainrule, has its own sigmoid: it is the library)
            if not (name.startswith("coursekit/") and name.endswith(".py")):
                continue
            text = zf.read(name).decode("utf-8")
            for d in defs - {"check"}:
                assert not re.search(rf"^\s*(def|class) {re.escape(d)}\b", text, re.M), f"{name}: {d}"
            for t in tables:
                assert not re.search(rf"^_?{re.escape(t)}\s*=", text, re.M), f"{name}: {t}"
        assert not [n for n in names if n.endswith("entry_points.txt") and b"chainrule-grade" in zf.read(n)]


def test_the_graders_wheel_has_the_key_and_the_command(wheels):
    with zipfile.ZipFile(wheels["grader"]) as zf:
        names = set(zf.namelist())
        keys = {f"grader/key/{p.name}" for p in KEY_DIR.glob("*.py")}
        assert keys <= names and "grader/inside/host.py" in names and "grader/cli.py" in names
        entry = next(n for n in names if n.endswith("entry_points.txt"))
        assert "chainrule-grade = grader.cli:main" in zf.read(entry).decode()
        assert not [n for n in names if n.startswith(("chainrule/", "coursekit/"))]


# ---------------------------------------------------------------------- solution notebooks without the key
_WITHOUT_KEY = r'''
import contextlib, importlib.abc, io, json, sys
class NoKey(importlib.abc.MetaPathFinder):   # a learner's install: the grader (and its key) is not there
    def find_spec(self, name, path=None, target=None):
        if name == "grader" or name.startswith(("grader.", "coursekit.key")):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, NoKey())
import matplotlib; matplotlib.use("Agg")
import matplotlib.pyplot as plt
import coursekit
from coursekit.checks import answers
results = {}
for path in sys.argv[1:]:
    nb = json.load(open(path, encoding="utf-8"))
    ns = {"__name__": "__main__"}
    out = io.StringIO()
    error = None
    with contextlib.redirect_stdout(out):
        try:
            for cell in nb["cells"]:
                if cell["cell_type"] == "code":
                    exec(compile("".join(cell["source"]), path, "exec"), ns)
                    plt.close("all")
            check = coursekit.check(path=path, namespace=ns, quiet=True)
        except BaseException as e:
            error = f"{type(e).__name__}: {e}"[:2000]
    results[path] = {"mode": answers.mode(), "error": error, "out": out.getvalue(),
                     "score": None if error else [check.total, check.max_score],
                     "failed": None if error else [e.exercise for e in check.exercises if not e.ok]}
print(json.dumps(results))
'''


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_solution_notebooks_pass_their_visible_checks_without_the_key(lang, tmp_path):
    notebooks = sorted((REPO / "solutions" / lang).glob("ch*.ipynb"))
    assert notebooks
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": os.pathsep.join([str(REPO / "src")])}
    proc = subprocess.run([PYTHON, "-c", _WITHOUT_KEY, *map(str, notebooks)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    hidden_line = core.msg("hidden_elsewhere", lang, exercise="").split("：" if lang == "zh" else ":")[-1].strip()
    for path, r in results.items():
        assert r["mode"] == "replay", path
        assert r["error"] is None, (path, r["error"], r["out"][-2000:])
        assert r["failed"] == [] and r["score"][0] == r["score"][1] > 0, (path, r)
        assert "✓" in r["out"] and hidden_line in r["out"], path   # visible checks pass, hidden ones say why not


# ---------------------------------------------------------------------- in step with the key
def test_recorded_answers_are_in_step_with_the_key():
    """Recording again, with the key, from the committed solutions gives the committed files byte for byte
    (run ``make course`` after changing a check, the key or a chapter)."""
    proc = subprocess.run([PYTHON, str(REPO / "tools" / "record_answers.py"), "--check"], cwd=REPO,
                          env={**os.environ, "MPLBACKEND": "Agg"}, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]


# ---------------------------------------------------------------------- the mechanism
@pytest.fixture
def replay():
    answers.use("replay")
    yield
    answers.use(None)


def test_recorded_values_come_back_exactly():
    value = {"a": (np.arange(6.0).reshape(2, 3), [1, 2.5, None, True, "x"]), 3: np.float64(-0.1),
             "s": {1, 2}, "i": np.int64(7), "nan": float("nan")}
    back = recorded.decode(json.loads(json.dumps(recorded.encode(value))))
    assert back.keys() == value.keys() and np.array_equal(back["a"][0], value["a"][0])
    assert back["a"][0].flags.writeable and back["a"][1] == value["a"][1] and isinstance(back["a"], tuple)
    assert type(back[3]) is np.float64 and back[3] == value[3] and back["s"] == {1, 2} and back["i"] == 7
    assert np.isnan(back["nan"])
    assert recorded.digest(np.zeros(3)) != recorded.digest(np.zeros(3, dtype=np.float32))
    assert recorded.digest(np.zeros((3, 1))) != recorded.digest(np.zeros((1, 3)))
    assert recorded.digest(np.arange(4.0)[::2]) == recorded.digest(np.array([0.0, 2.0]))
    with pytest.raises(recorded.Unrecordable):
        recorded.digest(lambda: 0)


def test_recording_refuses_what_it_could_not_replay(monkeypatch):
    from grader.key import ch05 as key05
    answers.use("record")
    try:
        def changes_its_input(x):
            x[0] = 1.0
            return x
        monkeypatch.setattr(key05, "changes_its_input", changes_its_input, raising=False)
        with pytest.raises(RuntimeError, match="changed its arguments"):
            answers.reference("ch05", "changes_its_input")(np.zeros(2))
        with pytest.raises(recorded.Unrecordable, match="data only"):
            answers.reference("ch05", "ref_pool_forward")(object(), (2, 2), 1)
    finally:
        answers.use(None)


def test_a_call_that_was_not_recorded_fails_its_case_and_says_why(replay, monkeypatch):
    """Inputs the record does not hold (here: cases of the test's own): the case fails with ``key_needed``,
    in the notebook's language; a right answer is not passed for it."""
    monkeypatch.setattr(ch05, "_POOL_VISIBLE", [(99, 1, 1, 4, 4, 2, 2, 2)])

    def right(dout, cache):
        from grader.key import ch05 as key05
        x, kernel, stride = cache
        return key05.ref_maxpool_backward(dout, x, kernel, stride)
    for lang in ("en", "zh"):
        core.set_language(lang)
        with pytest.raises(core.CheckFailed) as info:
            ch05.check_maxpool_backward(right)
        assert info.value.category == "key_needed"
        assert core.msg("key_needed", lang) in str(info.value) and ("case 1 of 1" in str(info.value) or lang == "zh")
    core.set_language("en")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_hidden_check_without_the_key_says_it_runs_when_graded(replay, lang, capsys):
    core.set_language(lang)
    try:
        assert ch05.check_maxpool_backward(lambda dout, cache: None, hidden=True) is None
    finally:
        core.set_language("en")
    out = capsys.readouterr().out.strip()
    assert out == core.msg("hidden_elsewhere", lang, exercise="maxpool_backward") and "✓" not in out


def test_without_the_key_a_hidden_table_is_not_there(replay):
    with pytest.raises(answers.HiddenNotHere):
        ch05.KEY.POOL_HIDDEN


def test_inputs_that_differ_in_their_last_bits_find_their_recorded_answer(replay):
    """A bias a check computes with a matrix product may differ in its last bits on another machine's
    BLAS: the coarse digest finds the recorded call; a real change of the inputs does not."""
    x, dout = ch05._pool_case(*ch05._POOL_VISIBLE[0])
    kernel, stride = ch05._POOL_VISIBLE[0][5:7], ch05._POOL_VISIBLE[0][7]
    exact = ch05.ref_maxpool_backward(dout, x, kernel, stride)
    nudged = np.nextafter(x, np.inf)   # every element one unit in the last place up
    assert np.array_equal(ch05.ref_maxpool_backward(dout, nudged, kernel, stride), exact)
    with pytest.raises(answers.NotRecorded):
        ch05.ref_maxpool_backward(dout, x * (1 + 1e-9), kernel, stride)
    assert recorded.digest(x) != recorded.digest(nudged)
    assert recorded.digest(x, coarse=True) == recorded.digest(nudged, coarse=True)
