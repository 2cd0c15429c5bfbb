"""The judge and its pipe: the data-only protocol (what crosses, what is refused, copy-restore),
grading without bubblewrap (the rlimits fallback), and an LMS zip through the command line."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "course"))

from grader import judge, rpc  # noqa: E402
from grading_class import honest  # noqa: E402


# ---------------------------------------------------------------------- the protocol, in one process
class Pair:
    """Two peers over two pipes in one process: a request on one is served by the other inline."""

    def __init__(self, **policy):
        a_r, b_w = os.pipe()
        b_r, a_w = os.pipe()
        self.judge = rpc.Peer(a_r, a_w, **policy)
        self.host = rpc.Peer(b_r, b_w)

    def call(self, fn, *args):
        """The judge calls ``fn`` living in the host: serve the host side by hand."""
        import threading
        t = threading.Thread(target=self._serve, daemon=True)
        t.start()
        proxy = self.host.encode(fn)
        p = self.judge.decode(proxy)
        try:
            return p(*args)
        finally:
            t.join(5)

    def _serve(self):
        try:
            while True:
                msg = rpc.read_message(self.host.rfd, None)
                self.host.serve_one(msg)
                if "op" in msg and msg["op"] == "call":
                    return
        except rpc.PeerGone:
            return


def test_values_cross_as_data_and_in_place_updates_come_back():
    pair = Pair()

    def step(params, grads, lr):
        params[0] -= lr * grads[0]          # in place
        params[1] = params[1] - lr * grads[1]  # rebinding the list item
        return params

    params = [np.ones(3), np.zeros((2, 2))]
    first = params[0]
    out = pair.call(step, params, [np.full(3, 2.0), np.ones((2, 2))], 0.5)
    assert out is params and params[0] is first  # identity comes home
    assert np.array_equal(first, np.zeros(3)) and np.array_equal(params[1], -0.5 * np.ones((2, 2)))
    assert pair.call(lambda: (np.float32(1.5), 2 + 3j, b"x", {"k": (1, None)}, float("nan")))[:4] == \
        (np.float32(1.5), 2 + 3j, b"x", {"k": (1, None)})


def test_exceptions_come_back_as_builtin_classes_with_where():
    pair = Pair()

    def todo():
        raise NotImplementedError()

    class Mine(ValueError):
        pass

    def mine():
        raise Mine("broadcast shapes")

    with pytest.raises(NotImplementedError) as e:
        pair.call(todo)
    assert e.value.where == "todo"
    with pytest.raises(ValueError, match="Mine: broadcast shapes"):
        pair.call(mine)


@pytest.mark.parametrize("bad", [
    {"t": "nd", "d": "|O", "s": [1], "b": ""},                       # object arrays never
    {"t": "nd", "d": "<f8", "s": [3], "b": "AAAA"},                  # size does not match
    {"t": "pickle", "b": ""},                                        # no such type
    {"t": "ref", "own": "yours", "id": 12345},                       # not one of ours
    {"t": "back", "id": 999},
    [1, 2],
])
def test_malformed_values_are_protocol_errors(bad):
    with pytest.raises(rpc.ProtocolError):
        rpc.Peer(0, 1).decode(bad)


def test_the_judge_hands_out_only_what_its_policy_allows():
    import chainrule.functional as F
    from chainrule import Tensor, checks, nn
    assert judge.exportable(F) and judge.exportable(Tensor) and judge.exportable(nn.Linear(2, 2))
    assert not judge.exportable(np) and not judge.exportable(os) and not judge.exportable(checks)
    assert not judge.exportable(np.save) and not judge.exportable(open)
    assert judge.readable(F, "tanh") and not judge.readable(F, "np") and not judge.readable(F, "__dict__")
    assert not judge.readable(Tensor, "__init__")
    assert judge.writable(Tensor([1.0]), "grad") and not judge.writable(F, "tanh")
    assert not judge.writable(nn.Linear, "forward")
    with pytest.raises(TypeError, match="cannot be sent"):
        rpc.Peer(0, 1, exportable=judge.exportable).encode(np.save)


# ---------------------------------------------------------------------- whole notebooks
def _release(stem, lang="en"):
    rel = json.loads((REPO / "course" / lang / f"{stem}.ipynb").read_text(encoding="utf-8"))
    sol = json.loads((REPO / "solutions" / lang / f"{stem}.ipynb").read_text(encoding="utf-8"))
    return judge.read_release(rel, sol)


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
                          cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = {r["student_id"]: r for r in csv.DictReader(open(out / "grades.csv", encoding="utf-8"))}
    assert set(rows) == {"doejane", "roebob"}
    assert float(rows["doejane"]["score"]) == float(rows["doejane"]["max_score"]) > 0
    assert float(rows["roebob"]["score"]) == 0
    canvas = list(csv.DictReader(open(out / "canvas_grades.csv", encoding="utf-8-sig")))
    assert {r["ID"] for r in canvas} >= {"1234", "4321"}
    assert (out / "feedback" / "doejane").is_dir() and (out / "report" / "index.html").exists()
