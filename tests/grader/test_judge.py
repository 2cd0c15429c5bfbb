"""The judge and the wall: the data-only codec (what crosses, what is refused, in-place updates),
grading without bubblewrap (the rlimits fallback), and an LMS zip through the command line."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import struct
import time
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
PYPATH = os.pathsep.join([str(REPO / "src"), str(REPO)])  # this checkout's library and kit, not an installed copy
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "course"))

from coursekit import data  # noqa: E402
from grader import cgroups, judge, wall  # noqa: E402
from grading_class import honest  # noqa: E402


# ---------------------------------------------------------------------- the wall, in one process
class Hostile:
    """What a student's function could return to reach NumPy in the judge: every array protocol,
    pointing at memory the student names. Any use of them here is recorded."""

    touched: list = []

    @property
    def __array_interface__(self):
        Hostile.touched.append("__array_interface__")
        return {"shape": (8,), "typestr": "<f8", "data": (0x1000, False), "version": 3}

    @property
    def __array_struct__(self):
        Hostile.touched.append("__array_struct__")
        raise AttributeError

    def __array__(self, *args, **kwargs):
        Hostile.touched.append("__array__")
        return np.zeros(8)

    def __float__(self):
        Hostile.touched.append("__float__")
        return 0.0

    def __len__(self):
        Hostile.touched.append("__len__")
        return 8


def test_results_cross_by_value_only():
    value = {"a": (np.arange(3.0), np.float32(1.5), 2 + 3j, [None, True, "x"]), 7: np.zeros((2, 0), np.int8),
             "nan": float("nan")}
    got = data.round_trip(value)
    assert np.array_equal(got["a"][0], np.arange(3.0)) and got["a"][0].flags.writeable
    assert got["a"][1:] == (np.float32(1.5), 2 + 3j, [None, True, "x"]) and type(got["a"][1]) is np.float32
    assert got[7].shape == (2, 0) and got[7].dtype == np.int8 and np.isnan(got["nan"])


def test_an_object_with_array_protocols_arrives_inert_and_is_reported_as_a_wrong_type():
    Hostile.touched.clear()
    got = data.round_trip((Hostile(), [Hostile()]))
    assert isinstance(got[0], data.Opaque) and got[0].type_name == "Hostile"
    from coursekit.checks.core import CheckFailed, as_array, cases
    for value in (got[0], got[1]):
        with pytest.raises(CheckFailed) as e:
            as_array(value, cases("affine_backward", ["x"])[0])
        assert e.value.category == "bad_type" and "Hostile" in str(e.value)
    assert Hostile.touched == []  # the codec never asked the object anything but its type


@pytest.mark.parametrize("bad", [
    {"$nd": ["|O", [1], ""]},                                     # object arrays never
    {"$nd": ["<f8", [3], "AAAA"]},                                # bytes do not match the shape
    {"$nd": ["<f8", [-1], ""]},                                   # negative size
    {"$nd": ["<f8", [2.5], ""]},                                  # not an int
    {"$nd": ["<f8", [1] * 40, "AAAAAAAAAAA="]},                   # too many dimensions
    {"$np": ["<f8", "AAAA"]},
    {"$pickle": "gASVAAAAAAAAAAA="},                              # no such tag
    {"$spec": ["ch01.TestFunction", {"$d": []}]},                 # specs only flow towards the sandbox
    {"$ref": [0, 0]},                                             # no inputs to refer to
    {"$d": [[["list", "key"], 1]]},                               # a key must be a scalar
    {"a": 1, "b": 2},
    2 ** 70,
])
def test_malformed_data_is_refused(bad):
    with pytest.raises(data.DataError):
        data.decode(bad)


def test_arrays_travel_as_attachments_and_lying_ones_are_refused():
    blobs = []
    sent = data.encode({"a": np.arange(6.0).reshape(2, 3), "b": np.zeros(0, np.int16)}, blobs=blobs)
    got = data.decode(sent, blobs=[bytes(b) for b in blobs])
    assert np.array_equal(got["a"], np.arange(6.0).reshape(2, 3)) and got["b"].dtype == np.int16
    for bad, attached in [({"$nd": ["<f8", [2], 1]}, [b"\0" * 16]),        # no attachment 1
                          ({"$nd": ["<f8", [3], 0]}, [b"\0" * 16]),        # 16 bytes are not 3 floats
                          ({"$nd": ["<f8", [2], -1]}, [b"\0" * 16]),
                          ({"$nd": ["<f8", [2], 0]}, None)]:                # attachments where none may be
        with pytest.raises(data.DataError):
            data.decode(bad, blobs=attached)


def test_a_frame_that_lies_about_its_lengths_is_a_protocol_error():
    from grader.inside import wire
    r, w = os.pipe()
    good = json.dumps({"op": "x"}).encode()
    for frame in (struct.pack(">II", 4 + len(good) + 8, len(good)) + good + struct.pack(">Q", 10 ** 9),
                  struct.pack(">II", 8, 99) + b"{}\0\0",
                  struct.pack(">I", wire.MAX_MESSAGE + 1)):
        os.write(w, frame)
        with pytest.raises(wire.ProtocolError):
            wire.read_message(r, time.monotonic() + 5)
        while True:  # drain what is left of the frame
            import select
            if not select.select([r], [], [], 0)[0]:
                break
            os.read(r, 1 << 16)
    os.write(w, struct.pack(">II", 4 + len(good), len(good)) + good)
    msg = wire.read_message(r, time.monotonic() + 5)
    assert msg == {"op": "x", "$blobs": []}
    os.close(r)
    os.close(w)


def test_deep_nesting_is_refused():
    deep = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(data.DataError):
        data.decode(deep)


def test_a_reference_names_only_the_receivers_own_nodes():
    mine = [object(), object()]
    assert data.decode({"$ref": [0, 1]}, [mine]) is mine[1]
    with pytest.raises(data.DataError):
        data.decode({"$ref": [0, 2]}, [mine])


def test_inputs_follow_what_the_call_did_to_them():
    params = [np.ones(3), np.zeros((2, 2))]
    first = params[0]
    wall.restore(params, {"value": data.encode([np.zeros(3), -np.ones((2, 2))])})
    assert params[0] is first and np.array_equal(first, np.zeros(3)) and np.array_equal(params[1], -np.ones((2, 2)))
    frozen = np.ones(2)
    wall.restore(frozen, {"value": data.encode(np.ones(5))})  # a different shape cannot come from in-place work
    assert frozen.shape == (2,)


# ---------------------------------------------------------------------- whole notebooks
# ---------------------------------------------------------------------- whole notebooks
def _release(stem, lang="en"):
    rel = json.loads((REPO / "course" / lang / f"{stem}.ipynb").read_text(encoding="utf-8"))
    return judge.read_release(rel)  # with the kit's manifest: points, checks and their calls


def _honest(stem, lang="en"):
    import nbformat
    return judge.parse_notebook(nbformat.writes(honest(f"{stem}.ipynb", lang)).encode())


def test_grading_without_bubblewrap_falls_back_to_rlimits():
    """The fallback mechanism grades the same (it isolates less; README and a warning say so)."""
    release = _release("ch01_derivatives")
    settings = judge.Settings(mechanism="rlimits")
    res = judge.grade_notebook(_honest("ch01_derivatives"), release, settings)
    assert res["score"] == res["max_score"] > 0, res
    blank = judge.parse_notebook((REPO / "course" / "en" / "ch01_derivatives.ipynb").read_bytes())
    res = judge.grade_notebook(blank, release, settings)
    assert res["score"] == 0 and {e["category"] for e in res["exercises"]} == {"not_implemented"}


def test_chapter_8_functions_may_import_the_library_themselves():
    """Chapter 8 grades on the judge's models: an import inside the function gets the judge's library too."""
    nb = _honest("ch08_autodiff")
    cell = next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "forward_fixed")
    cell["source"] = ("def forward_fixed(model, x):\n    import chainrule.functional as G\n"
                      "    from chainrule import Tensor as T\n    h = G.tanh(model.fc1(x))\n"
                      "    return model.fc2(h) * model.gain + T(0.0)\n")
    res = judge.grade_notebook(nb, _release("ch08_autodiff"))
    ex = next(e for e in res["exercises"] if e["id"] == "forward_fixed")
    assert ex["status"] == "passed", ex


# Red-team finding F4: a whole-model gradient check that computes no gradient. The first answer is
# the red team's (it passed when the faulty models were classes of their own with a constant error);
# the second reads the sandbox's own copy of the model, private primitives included.
_F4_CLASS_NAME = """def check_model_gradients(model, x, y, loss_fn, eps=1e-6, tol=1e-6):
    n = type(model).__name__
    if n == "BrokenGainNet": return (False, "gain", 0.5)
    if n == "BrokenLinearNet": return (False, "fc2.weight", 0.5)
    return (True, "fc1.weight", 0.0)
"""
_F4_INTERNALS = """def check_model_gradients(model, x, y, loss_fn, eps=1e-6, tol=1e-6):
    from chainrule.ops import REGISTRY
    wrong = [i for i, op in enumerate(model._ops) if REGISTRY.get(op.name) is not op]
    if not wrong:
        return True, "fc1.bias", 1e-9
    return False, ["fc1.bias", "fc1.bias", "fc2.weight", "gain"][wrong[0]], 0.9
"""


@pytest.mark.parametrize("source", [_F4_CLASS_NAME, _F4_INTERNALS], ids=["class_name", "internals"])
def test_a_gradient_check_without_gradients_scores_zero(source):
    nb = _honest("ch08_autodiff")
    cell = next(c for c in nb["cells"]
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "check_model_gradients")
    cell["source"] = source
    res = judge.grade_notebook(nb, _release("ch08_autodiff"))
    rows = {e["id"]: e for e in res["exercises"]}
    assert rows["check_model_gradients"]["score"] == 0 and rows["check_model_gradients"]["status"] == "failed"
    assert all(r["score"] == r["points"] for i, r in rows.items() if i != "check_model_gradients"), rows


def test_a_canvas_zip_through_the_command_line(tmp_path):
    import nbformat
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("doejane_1234_5678_ch00_getting_started.ipynb",
                   nbformat.writes(honest("ch00_getting_started.ipynb", "zh")))
        z.writestr("roebob_LATE_4321_8765_ch00_getting_started-1.ipynb",
                   (REPO / "course" / "zh" / "ch00_getting_started.ipynb").read_text(encoding="utf-8"))
    (tmp_path / "canvas.zip").write_bytes(buf.getvalue())
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(tmp_path / "canvas.zip"), "--out", str(out)],
                          cwd=REPO, env=dict(os.environ, PYTHONPATH=PYPATH), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = {r["student_id"]: r for r in csv.DictReader(open(out / "grades.csv", encoding="utf-8"))}
    assert set(rows) == {"doejane", "roebob"}
    assert float(rows["doejane"]["score"]) == float(rows["doejane"]["max_score"]) > 0
    assert float(rows["roebob"]["score"]) == 0
    canvas = list(csv.DictReader(open(out / "canvas_grades.csv", encoding="utf-8-sig")))
    assert {r["ID"] for r in canvas} >= {"1234", "4321"}
    assert (out / "feedback" / "doejane").is_dir() and (out / "report" / "index.html").exists()


# ---------------------------------------------------------------------- what the sandbox holds
ATTACKS = {
    # the answer key: the kit's checks and key (references, hidden cases) are not in the sandbox
    "import_reference": ("def affine_backward(dout, cache):\n"
                         "    from coursekit.checks.ch03 import ref_affine_backward\n"
                         "    return ref_affine_backward(dout, *cache)\n", "tool_not_allowed"),
    "import_key": ("def affine_backward(dout, cache):\n"
                   "    from grader.key.ch03 import ref_affine_backward\n"
                   "    return ref_affine_backward(dout, *cache)\n", "tool_not_allowed"),
    # the library does the exercise: not in a NumPy-only exercise's sandbox
    "numerical_grad": ("import chainrule\n"
                       "def affine_backward(dout, cache):\n"
                       "    x, w, b = cache\n"
                       "    f = lambda x_, w_, b_: x_ @ w_.T + b_\n"
                       "    return (chainrule.numerical_grad(lambda v: f(v, w, b), x, dout),\n"
                       "            chainrule.numerical_grad(lambda v: f(x, v, b), w, dout),\n"
                       "            chainrule.numerical_grad(lambda v: f(x, w, v), b, dout))\n", "tool_not_allowed"),
    # NumPy's array protocols on a returned object: never honoured by the judge
    "array_protocols": ("class Evil:\n"
                        "    __array_interface__ = {'shape': (8,), 'typestr': '<f8', 'data': (4096, False), 'version': 3}\n"
                        "def affine_backward(dout, cache):\n"
                        "    return Evil(), Evil(), Evil()\n", "bad_type"),
    # every folder of packages put back on the path, the deny finder removed: still nothing to import,
    # and no package of a differentiation library (or the answer key) anywhere on the file system
    "dig_for_libraries": ("import os, sys\n"
                          "def affine_backward(dout, cache):\n"
                          "    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != 'DenyFinder']\n"
                          "    for root in ['/usr', '/usr/local', sys.prefix, sys.base_prefix, '/opt']:\n"
                          "        for d, subdirs, _ in os.walk(root):\n"
                          "            if d.endswith(('site-packages', 'dist-packages')):\n"
                          "                sys.path.append(d)\n"
                          "    found = []\n"
                          "    for name in ('scipy', 'sympy', 'mpmath', 'torch', 'jax', 'autograd', 'chainrule',\n"
                          "                 'coursekit.checks.ch03', 'grader.key.ch03', 'grader', 'nbgrader'):\n"
                          "        try:\n            __import__(name)\n            found.append(name)\n"
                          "        except BaseException:\n            pass\n"
                          "    for root in ['/usr', '/usr/local', sys.prefix, sys.base_prefix, '/opt', '/root', '/work', '/home']:\n"
                          "        for d, subdirs, files in os.walk(root):\n"
                          "            for s in subdirs:\n"
                          "                if s in ('scipy', 'sympy', 'mpmath', 'torch', 'chainrule', 'solutions'):\n"
                          "                    found.append(os.path.join(d, s))\n"
                          "    raise RuntimeError('FOUND ' + repr(found))\n", "exception"),
    # what else is installed, and the grader's environment: nothing to see
    "look_around": ("import os, sys\n"
                    "def affine_backward(dout, cache):\n"
                    "    seen = [p for p in sys.path if os.path.isdir(p) and os.listdir(p)\n"
                    "            and any(n in os.listdir(p) for n in ('torch', 'grader', 'chainrule'))]\n"
                    "    raise RuntimeError('SEEN ' + repr(seen) + ' ENV ' + repr(dict(os.environ)))\n", "exception"),
}


@pytest.mark.skipif(judge.sandbox.probe()["mechanism"] != "bwrap", reason="needs bubblewrap (apt-get install bubblewrap)")
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_what_the_sandbox_holds_gives_no_points(attack, monkeypatch):
    """Each attack on ``affine_backward`` scores 0 there, with the category a wrong answer gets,
    and the judge's secret environment never reaches the student's process or its feedback."""
    monkeypatch.setenv("CHAINRULE_TEST_SECRET", "planted-secret-42")
    source, category = ATTACKS[attack]
    nb = _honest("ch03_mlp")
    cell = next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "affine_backward")
    cell["source"] = source
    res = judge.grade_notebook(nb, _release("ch03_mlp"))
    ex = {e["id"]: e for e in res["exercises"]}
    assert ex["affine_backward"]["score"] == 0 and ex["affine_backward"]["category"] == category, ex["affine_backward"]
    assert ex["affine_forward"]["status"] == "passed"  # the rest of the notebook is graded as usual
    assert "planted-secret-42" not in json.dumps(res)
    if attack == "dig_for_libraries":
        assert "FOUND []" in ex["affine_backward"]["message"], ex["affine_backward"]["message"]
    if attack == "look_around":
        assert "SEEN []" in ex["affine_backward"]["message"], ex["affine_backward"]["message"]


MEMORY_SUM = """import os, time
def affine_backward(dout, cache):
    import numpy as np
    kids = []
    for _ in range(6):
        pid = os.fork()
        if pid == 0:
            try:
                a = np.ones(1 << 26)   # 512 MiB, touched
                time.sleep(6)
            finally:
                os._exit(0)
        kids.append(pid)
    time.sleep(4)
    total = 0
    for p in os.listdir('/proc'):
        try:
            for line in open(f'/proc/{p}/status'):
                if line.startswith('VmRSS:'):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            pass
    raise RuntimeError(f'TOTAL_MIB {total // 1024}')
"""


@pytest.mark.skipif(judge.sandbox.probe()["mechanism"] != "bwrap", reason="needs bubblewrap (apt-get install bubblewrap)")
@pytest.mark.skipif(not cgroups.available(), reason="no writable cgroup here (not root, or /sys/fs/cgroup read-only): "
                                                    "only per-process rlimits cap memory")
def test_the_memory_cap_holds_for_the_sandbox_as_a_whole():
    """Red team F5: six children of 512 MiB each under a 1 GiB cap; per-process rlimits let them
    hold 3 GiB together, the sandbox's control group does not."""
    nb = _honest("ch03_mlp")
    cell = next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "affine_backward")
    cell["source"] = MEMORY_SUM
    res = judge.grade_notebook(nb, _release("ch03_mlp"), judge.Settings(memory_mb=1024, exercise_seconds=30))
    ex = {e["id"]: e for e in res["exercises"]}["affine_backward"]
    assert ex["score"] == 0, ex
    found = re.search(r"TOTAL_MIB (\d+)", ex["message"])
    # VmRSS counts the shared libraries once per process: allow for them (without the group: > 2 GiB)
    assert found is None or int(found.group(1)) <= 1024 + 7 * 60, ex["message"]


@pytest.mark.skipif(not cgroups.available(), reason="no writable cgroup here (not root, or /sys/fs/cgroup read-only)")
def test_a_sandbox_group_gets_its_own_cpu_share_where_the_cpu_controller_is_there():
    """Red team adv3 finding 1: the CPU is shared between sandboxes, not between their processes."""
    if not cgroups.caps_cpu():
        pytest.skip("no cpu controller in this machine's cgroups")
    g = cgroups.new_group(64 << 20, 8, cpus=0.5)
    try:
        files = [d / "cpu.cfs_quota_us" for d in g.dirs if (d / "cpu.cfs_quota_us").exists()] + \
                [d / "cpu.max" for d in g.dirs if (d / "cpu.max").exists()]
        assert [f.read_text().split()[0] for f in files] == [str(cgroups.PERIOD_US // 2)]
    finally:
        g.close()
