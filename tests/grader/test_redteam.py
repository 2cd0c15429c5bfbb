"""Red team: a class of hostile and broken submissions through ONE ``python -m grader grade`` batch.

Every attack targets ``affine_backward`` of chapter 3 (or ``value_class`` of chapter 2, where the
student's objects live in the sandbox) while its real answer is wrong or missing: the attack must
score no more than that wrong answer (0), the batch must finish with exit code 0, honest students
keep full marks, no output shows hidden test code, nothing reaches the network, and no process
the student's code started survives the batch.
"""
from __future__ import annotations

import csv
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest

REPO = Path(__file__).resolve().parents[2]
PYPATH = os.pathsep.join([str(REPO / "src"), str(REPO)])  # this checkout's library and kit, not an installed copy
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "course"))

from grader import sandbox  # noqa: E402
from course_helpers import read  # noqa: E402
from grading_class import HEAD, WRONG, cell, copy, honest, put  # noqa: E402

needs_bwrap = pytest.mark.skipif(sandbox.probe()["mechanism"] != "bwrap",
                                 reason=f"bubblewrap sandbox unavailable here: {sandbox.probe()['detail']}")
pytestmark = needs_bwrap  # without the sandbox, the file-system and network attacks would succeed

MARK = uuid.uuid4().hex[:12]   # unique per run: names the processes and files the attacks leave
SECRET = "planted-" + uuid.uuid4().hex   # in the grader's environment: must appear in no output

# name -> source of the affine_backward solution cell (each one also wrong or blank underneath)
ATTACKS = {
    "patch_check_toplevel": "from coursekit.checks import ch03\nch03.check_affine_backward = lambda *a, **k: None\n"
                            + HEAD + WRONG,
    "patch_numpy_toplevel": "import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.all = lambda *a, **k: True\n"
                            + HEAD + WRONG,
    "patch_numpy_in_body": HEAD + "    import numpy, builtins\n    numpy.all = lambda *a, **k: True\n"
                           "    numpy.abs = lambda a: a * 0\n    numpy.isfinite = lambda a: True\n" + WRONG,
    "patch_chainrule_in_body": HEAD + "    import coursekit.checks.core as c, chainrule.gradcheck as g\n"
                               "    c.judge = lambda *a, **k: None\n    c.Case.fail = lambda *a, **k: None\n"
                               "    g.compare = lambda *a, **k: type('R', (), {'ok': True})()\n" + WRONG,
    "patch_builtins": "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.len = lambda *a: 3\n"
                      + HEAD + "    import builtins\n    builtins.AssertionError = type('Nope', (Exception,), {})\n"
                      + WRONG,
    "input_transformer": "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])\n"
                         + HEAD + WRONG,
    "custom_exc_handler": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n" + HEAD + WRONG,
    "early_exit_toplevel": "import os\nos._exit(0)\n" + HEAD + WRONG,
    "exit_in_body": HEAD + "    import os\n    os._exit(0)\n",
    "sys_exit_in_body": HEAD + "    raise SystemExit(0)\n",
    "frame_snooping": HEAD + "    import sys\n    f = sys._getframe(1)\n    while f is not None:\n"
                      "        for k in ('rdx', 'expected', 'ref'):\n            if k in f.f_locals:\n"
                      "                return f.f_locals[k]\n        f = f.f_back\n" + WRONG,
    "finite_differences": HEAD + (
        "    import numpy as np\n    def fwd(x_, w_):\n        return x_ @ w_.T + b\n"
        "    def num(f, a):\n        g = np.zeros_like(a)\n        for i in np.ndindex(a.shape):\n"
        "            old = a[i]; a[i] = old + 1e-6; p = np.sum(f() * dout)\n"
        "            a[i] = old - 1e-6; m = np.sum(f() * dout); a[i] = old\n"
        "            g[i] = (p - m) / 2e-6\n        return g\n"
        "    x, w = x.copy(), w.copy()\n"
        "    return num(lambda: fwd(x, w), x), num(lambda: fwd(x, w), w), dout.sum(axis=0)\n"),
    "read_solutions": HEAD + (
        "    import json\n    for p in ['@REPO@/solutions/en/ch03_mlp.ipynb', '/work/main/solutions/en/ch03_mlp.ipynb',"
        " '../../solutions/en/ch03_mlp.ipynb']:\n"
        "        try:\n            nb = json.load(open(p))\n        except OSError:\n            continue\n"
        "        src = [''.join(c['source']) for c in nb['cells'] if 'def affine_backward' in ''.join(c['source'])]\n"
        "        ns = {}\n        exec('import numpy as np\\n' + src[0], ns)\n"
        "        return ns['affine_backward'](dout, cache)\n") + WRONG,
    "write_results": HEAD + (
        "    for p in ['@OUT@/results.jsonl', '@OUT@/grades.csv']:\n"
        "        try:\n            open(p, 'a').write('{\"student_id\": \"write_results\", \"score\": 99}\\n')\n"
        "        except OSError:\n            pass\n") + WRONG,
    "network": HEAD + (
        "    import urllib.request\n    try:\n"
        "        urllib.request.urlopen('http://127.0.0.1:@PORT@/leak', timeout=3).read()\n"
        "    except Exception:\n        pass\n") + WRONG,
    "endless_loop": HEAD + "    while True:\n        pass\n",
    "detached_process": HEAD + (
        "    import subprocess, time\n"
        "    subprocess.Popen(['sleep', '1@MARK@'], start_new_session=True)\n"
        "    while True:\n        time.sleep(0.1)\n"),
    "memory_8gib": HEAD + "    import numpy as np\n    big = np.ones(1 << 30)\n    return big, big, big\n",
    "kill_itself": HEAD + "    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n",
    "fork_bomb": HEAD + "    import os\n    while True:\n        try:\n            os.fork()\n        except OSError:\n"
                 "            break\n" + WRONG,
    # issue 15: the answer key, the library, NumPy's array protocols, the grader's secrets, files outside
    "import_reference": "from coursekit.checks.ch03 import ref_affine_backward\n" + HEAD
                        + "    from coursekit.checks.ch03 import ref_affine_backward as r\n"
                        "    return r(dout, x, w, b)\n",
    # the answer key itself (grader.key, the grader's own distribution), by name at run time, and with
    # the deny finder removed first: the folder is not in the sandbox either way
    "import_key": HEAD + "    import importlib\n    r = importlib.import_module('grader.key.ch03').ref_affine_backward\n"
                  "    return r(dout, x, w, b)\n",
    "import_key_no_finder": HEAD + "    import sys, importlib\n"
                            "    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != 'DenyFinder']\n"
                            "    r = importlib.import_module('grader.key.ch03').ref_affine_backward\n"
                            "    return r(dout, x, w, b)\n",
    "library_gradient": "import chainrule\n" + HEAD + (
        "    f = lambda x_, w_, b_: x_ @ w_.T + b_\n"
        "    return (chainrule.numerical_grad(lambda v: f(v, w, b), x, dout),\n"
        "            chainrule.numerical_grad(lambda v: f(x, v, b), w, dout), dout.sum(axis=0))\n"),
    "torch_autograd": HEAD + (
        "    import torch\n    X = torch.tensor(x, requires_grad=True)\n    W = torch.tensor(w, requires_grad=True)\n"
        "    (X @ W.T).backward(torch.tensor(dout))\n"
        "    return X.grad.numpy(), W.grad.numpy(), dout.sum(axis=0)\n"),
    "array_protocols": "class Evil:\n    def __init__(self, address):\n        self.__array_interface__ = {\n"
                       "            'shape': (1 << 20,), 'typestr': '<f8', 'data': (address, False), 'version': 3}\n"
                       "    def __array__(self, *a, **k):\n        import os\n        os.system('touch @OUT@/pwned')\n"
                       + HEAD + "    return Evil(id(x)), Evil(id(w)), Evil(4096)\n",
    "steal_environment": HEAD + "    import os\n    raise RuntimeError('ENV ' + repr(dict(os.environ)))\n",
    "write_outside": HEAD + (
        "    import os\n"
        "    for d in ['/tmp', os.path.expanduser('~'), '@REPO@', '@OUT@', '/var/tmp', '/dev/shm']:\n"
        "        try:\n            open(os.path.join(d, 'pwned-@MARK@'), 'w').write('x')\n"
        "        except OSError:\n            pass\n") + WRONG,
    "huge_result": HEAD + "    import numpy as np\n    big = np.ones(7 << 20)\n"
                   "    return big, [[[[0.0] * 1000] * 1000]], {str(i): i for i in range(100000)}\n",
}

# top-level code that breaks the student's own process for every exercise (it runs at load time)
SELF_SABOTAGE = ("patch_builtins",)
DEPENDENT = ("affine_backward", "two_layer_net")  # two_layer_net calls the student's affine_backward

# grad_norms of chapter 8 that tries every way out of the proxies into the judge's process
CLIMB = """def grad_norms(model):
    tries = [lambda: model.__class__, lambda: model.__dict__, lambda: F.np, lambda: F.__dict__,
             lambda: coursekit.checks, lambda: chainrule.ops, lambda: Tensor.__init__.__globals__,
             lambda: nn.Module.__subclasses__(), lambda: F.linear.__globals__, lambda: optim.math,
             lambda: setattr(F, "mse_loss", None), lambda: setattr(nn.Linear, "forward", None),
             lambda: setattr(chainrule, "checks", None), lambda: model.fc1.weight.data.tofile("@OUT@/pwned")]
    for t in tries:
        try:
            got = t()
            got.save("@OUT@/pwned.npy", [1])
        except BaseException:
            pass
    return {name: 1.0 for name, p in model.named_parameters()}
"""

BN_FD = """def batchnorm_backward(dout, cache):
    import numpy as np
    x, x_hat, mu, var, gamma, eps = cache
    def fwd(x_, g_):
        return g_ * (x_ - x_.mean(axis=0)) / np.sqrt(x_.var(axis=0) + eps)
    def num(f, a):
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            old = a[i]; a[i] = old + 1e-6; p = np.sum(f() * dout)
            a[i] = old - 1e-6; m = np.sum(f() * dout); a[i] = old
            g[i] = (p - m) / 2e-6
        return g
    x, gamma = np.array(x, dtype=float), np.array(gamma, dtype=float)
    return num(lambda: fwd(x, gamma), x), num(lambda: fwd(x, gamma), gamma), dout.sum(axis=0)
"""

# changes to the tests cell of affine_backward (its tests cell is "affine_backward_tests")
TAMPER = ("tests_edited", "tests_deleted", "tests_duplicated", "points_changed", "tests_retagged")


@pytest.fixture(scope="session")
def redteam(tmp_path_factory):
    root = REPO
    tmp = tmp_path_factory.mktemp("redteam")
    subs, out = tmp / "subs", tmp / "out"
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"leaked")

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    ch03 = honest("ch03_mlp.ipynb", "en")

    def submit(student, nb_or_bytes, name="ch03_mlp.ipynb"):
        put(subs, student, nb_or_bytes, name)

    submit("honest", ch03)
    wrong = copy(ch03)
    cell(wrong, "affine_backward").source = HEAD + WRONG
    submit("wrong", wrong)
    for name, src in ATTACKS.items():
        nb = copy(ch03)
        cell(nb, "affine_backward").source = (src.replace("@REPO@", str(root)).replace("@OUT@", str(out))
                                              .replace("@PORT@", str(port)).replace("@MARK@", MARK))
        submit(f"attack_{name}", nb)
    for how in TAMPER:
        nb = copy(ch03)
        cell(nb, "affine_backward").source = HEAD + WRONG
        tests = cell(nb, "affine_backward_tests")
        if how == "tests_edited":
            tests.source = "pass"
        elif how == "tests_deleted":
            nb.cells.remove(tests)
        elif how == "tests_duplicated":
            twin = nbformat.from_dict(json.loads(json.dumps(tests)))
            twin["id"] = "twin"
            nb.cells.append(twin)
        elif how == "points_changed":
            tests.metadata["nbgrader"]["points"] = 200
        elif how == "tests_retagged":
            tests.metadata["nbgrader"]["grade"] = False
        submit(f"tamper_{how}", nb)
    # chapter 2: the student's Value class lives in the sandbox; this one lies about its gradients
    ch02 = honest("ch02_graphs.ipynb", "en")
    liar = copy(ch02)
    cell(liar, "value_class").source = (
        "class Value:\n    def __init__(self, data, _children=()):\n        self.data, self.grad = data, 0.0\n"
        "    def __getattr__(self, name):\n        return lambda *a, **k: self\n"
        "    def __mul__(self, o):\n        import sys\n        sys.modules['numpy'].allclose = lambda *a, **k: True\n"
        "        return Value(0.0)\n    __add__ = __radd__ = __rmul__ = __sub__ = __truediv__ = __pow__ = __mul__\n")
    submit("attack_value_liar", liar, "ch02_graphs.ipynb")
    # chapter 8: the student's code holds proxies of the judge's chainrule; try to climb out of them
    ch08 = honest("ch08_autodiff.ipynb", "en")
    climber = copy(ch08)
    cell(climber, "grad_norms").source = CLIMB.replace("@OUT@", str(out))
    submit("attack_proxy_escape", climber, "ch08_autodiff.ipynb")
    submit("honest", ch08, "ch08_autodiff.ipynb")
    # chapter 7: batch norm's backward pass estimated by finite differences
    ch07 = honest("ch07_gradients.ipynb", "en")
    numeric = copy(ch07)
    cell(numeric, "batchnorm_backward").source = BN_FD
    submit("attack_bn_finite_differences", numeric, "ch07_gradients.ipynb")
    submit("honest", ch07, "ch07_gradients.ipynb")
    submit("honest", ch02, "ch02_graphs.ipynb")
    # bad input
    submit("bad_invalid_json", b'{"cells": [{"cell_type": "code", "sou', "hw.ipynb")
    submit("bad_empty", b"", "empty.ipynb")
    submit("bad_binary", os.urandom(2048), "ch03_mlp.ipynb")
    other_course = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    submit("bad_other_course", other_course, "ch03_mlp.ipynb")
    submit("renamed", honest("ch05_cnn.ipynb", "zh"), "ch03_mlp.ipynb")  # chapter 5 (zh) under chapter 3's name
    (subs / "bad_not_a_notebook").mkdir()
    (subs / "bad_not_a_notebook" / "answers.py").write_text("print('hi')\n")

    env = dict(os.environ, PYTHONPATH=PYPATH, CHAINRULE_PLANTED_SECRET=SECRET)
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(subs), "--out", str(out),
                           "--exercise-timeout", "10", "--timeout", "120", "--jobs", "2"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=1200)
    server.shutdown()
    rows = list(csv.DictReader(open(out / "grades.csv", encoding="utf-8")))
    results = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    return {"proc": proc, "rows": rows, "results": results, "out": out, "hits": hits, "root": root}


def _result(redteam, student, notebook="ch03_mlp"):
    found = [r for r in redteam["results"] if r["student_id"] == student and r["notebook"] == notebook]
    assert len(found) == 1, (student, [(r["student_id"], r["notebook"]) for r in redteam["results"]])
    return found[0]


def _exercise(row, ex):
    return next(e for e in row["exercises"] if e["id"] == ex)


def test_the_batch_finishes_with_exit_code_0(redteam):
    assert redteam["proc"].returncode == 0, redteam["proc"].stderr[-3000:]
    assert "notebooks/min" in redteam["proc"].stderr


def test_honest_and_wrong_baselines(redteam):
    honest = _result(redteam, "honest")
    assert honest["score"] == honest["max_score"] > 0, honest
    wrong = _result(redteam, "wrong")
    assert _exercise(wrong, "affine_backward")["score"] == 0
    assert _exercise(wrong, "two_layer_net")["score"] == 0  # it calls affine_backward
    assert wrong["score"] == honest["score"] - sum(_exercise(honest, e)["points"] for e in DEPENDENT)
    ch02 = _result(redteam, "honest", "ch02_graphs")
    assert ch02["score"] == ch02["max_score"] > 0


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_an_attack_scores_no_more_than_a_wrong_answer(redteam, attack):
    row = _result(redteam, f"attack_{attack}")
    ex = _exercise(row, "affine_backward")
    assert ex["score"] == 0 and ex["status"] != "passed", ex
    assert row["score"] <= _result(redteam, "wrong")["score"]
    if attack in SELF_SABOTAGE:
        return
    # the other exercises are graded as usual: nothing the attack did spilled over
    honest = _result(redteam, "honest")
    others = sum(e["score"] for e in row["exercises"] if e["id"] not in DEPENDENT)
    assert others == honest["score"] - sum(_exercise(honest, e)["points"] for e in DEPENDENT), row


def test_finite_differences_for_batch_norm_run_out_of_time(redteam):
    """Accurate on the small cases, but the layer-sized hidden case needs one forward pass per element."""
    row = _result(redteam, "attack_bn_finite_differences", "ch07_gradients")
    honest = _result(redteam, "honest", "ch07_gradients")
    ex = _exercise(row, "batchnorm_backward")
    assert (ex["status"], ex["score"]) == ("timeout", 0), ex
    assert row["score"] == honest["score"] - ex["points"] and honest["score"] == honest["max_score"]


def test_a_lying_value_class_scores_zero(redteam):
    row = _result(redteam, "attack_value_liar", "ch02_graphs")
    assert _exercise(row, "value_class")["score"] == 0


def test_proxies_do_not_lead_into_the_judge(redteam):
    row = _result(redteam, "attack_proxy_escape", "ch08_autodiff")
    honest = _result(redteam, "honest", "ch08_autodiff")
    assert honest["score"] == honest["max_score"] > 0
    assert _exercise(row, "grad_norms")["score"] == 0
    assert row["score"] == honest["score"] - _exercise(honest, "grad_norms")["points"], row
    assert not list(redteam["out"].glob("pwned*"))


def test_the_graders_environment_and_files_stay_out_of_reach(redteam):
    """A secret in the grader's environment appears in no output (the sandboxes start with an empty
    environment); nothing the attacks wrote exists outside their sandbox."""
    for path in redteam["out"].rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    for d in ("/tmp", os.path.expanduser("~"), str(redteam["root"]), str(redteam["out"]), "/var/tmp", "/dev/shm"):
        assert not os.path.exists(os.path.join(d, f"pwned-{MARK}")), d
    assert not list(redteam["out"].glob("pwned*"))
    row = _result(redteam, "attack_steal_environment")
    assert "ENV {" in _exercise(row, "affine_backward")["message"]  # the attack ran, and saw nothing


@pytest.mark.parametrize("attack", ["import_reference", "import_key", "library_gradient"])
def test_the_answer_key_and_the_library_are_not_in_the_sandbox(redteam, attack):
    ex = _exercise(_result(redteam, f"attack_{attack}"), "affine_backward")
    assert (ex["score"], ex["category"]) == (0, "tool_not_allowed"), ex


def test_the_answer_key_is_not_even_on_the_sandbox_s_disk(redteam):
    """Without the finder that words the rule, importing the key fails because it is not there."""
    ex = _exercise(_result(redteam, "attack_import_key_no_finder"), "affine_backward")
    assert (ex["score"], ex["category"]) == (0, "exception"), ex
    assert "No module named 'grader'" in ex["message"], ex


@pytest.mark.parametrize("how", TAMPER)
def test_tampered_tests_cells_are_flagged_and_score_zero(redteam, how):
    row = _result(redteam, f"tamper_{how}")
    ex = _exercise(row, "affine_backward")
    assert (ex["status"], ex["category"], ex["score"]) == ("tampered", how, 0), ex
    assert row["status"] == "flagged"
    assert row["max_score"] == _result(redteam, "honest")["max_score"]  # points come from the release


def test_statuses_say_what_happened(redteam):
    assert _exercise(_result(redteam, "attack_endless_loop"), "affine_backward")["status"] == "timeout"
    assert _result(redteam, "attack_endless_loop")["status"] == "timeout"
    assert _exercise(_result(redteam, "attack_kill_itself"), "affine_backward")["status"] == "crashed"
    assert _exercise(_result(redteam, "attack_exit_in_body"), "affine_backward")["status"] == "crashed"
    mem = _exercise(_result(redteam, "attack_memory_8gib"), "affine_backward")
    assert mem["status"] in ("failed", "crashed"), mem
    fd = _exercise(_result(redteam, "attack_finite_differences"), "affine_backward")
    assert fd["status"] == "timeout", fd


def test_bad_input_gets_a_row_with_a_clear_status(redteam):
    by_student = {r["student_id"]: r for r in redteam["results"]}
    assert by_student["bad_invalid_json"]["status"] == "unreadable"
    assert "invalid JSON" in by_student["bad_invalid_json"]["detail"]
    assert by_student["bad_empty"]["status"] == "unreadable"
    assert by_student["bad_binary"]["status"] == "unreadable"
    assert by_student["bad_other_course"]["status"] == "unknown_chapter"
    renamed = by_student["renamed"]   # graded by its metadata, not its file name
    assert (renamed["notebook"], renamed["language"], renamed["score"]) == ("ch05_cnn", "zh", renamed["max_score"])
    batch = json.loads((redteam["out"] / "batch.json").read_text())
    assert any(s["source"].endswith("answers.py") for s in batch["skipped"])


def test_no_network_no_forged_rows_no_leftover_processes(redteam):
    assert redteam["hits"] == [], "a submission reached the network"
    assert not [r for r in redteam["results"] if r["student_id"] == "write_results"]
    assert all(set(r) >= {"student_id", "sha256", "exercises"} for r in redteam["results"])
    left = [p.info["cmdline"] for p in psutil.process_iter(["cmdline"]) if MARK in " ".join(p.info["cmdline"] or [])]
    assert not left, f"processes started by submissions survived the batch: {left}"


def test_no_output_shows_hidden_test_code(redteam):
    hidden = set()
    for c in read(redteam["root"] / "solutions" / "en" / "ch03_mlp.ipynb").cells:
        m = re.search(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", c.source, re.S)
        if m:
            hidden |= {line.strip() for line in m.group(1).splitlines() if line.strip()}
    assert hidden
    out = redteam["out"]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file()]
    texts.append(redteam["proc"].stderr)
    for text in texts:
        assert "HIDDEN TESTS" not in text
        assert not [h for h in hidden if h in text]


def test_a_regrade_reproduces_the_scores(redteam, tmp_path):
    """Same submissions, fresh output folder: the same scores (seeds are fixed per exercise)."""
    out2 = tmp_path / "again"
    subs = tmp_path / "subs"
    for student in ("honest", "wrong", "attack_patch_numpy_in_body", "tamper_points_changed"):
        src = redteam["out"].parent / "subs" / student
        (subs / student).mkdir(parents=True)
        for f in src.iterdir():
            (subs / student / f.name).write_bytes(f.read_bytes())
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(subs), "--out", str(out2)],
                          cwd=REPO, env=dict(os.environ, PYTHONPATH=PYPATH), capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    again = {(r["student_id"], r["notebook"]): (r["score"], r["status"])
             for r in csv.DictReader(open(out2 / "grades.csv", encoding="utf-8"))}
    first = {(r["student_id"], r["notebook"]): (r["score"], r["status"]) for r in redteam["rows"]}
    assert again and all(first[k] == v for k, v in again.items()), (again, first)


def test_an_interrupted_batch_resumes_without_regrading(redteam, tmp_path):
    """A batch killed mid-way (the journal's last rows missing, the last line cut short): the same
    command grades exactly the missing submissions and ends with the same grades."""
    import shutil
    out = tmp_path / "out"
    shutil.copytree(redteam["out"], out)
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    (out / "results.jsonl").write_text("\n".join(lines[:-3]) + "\n" + lines[-3][:40], encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(redteam["out"].parent / "subs"),
                           "--out", str(out), "--exercise-timeout", "10", "--timeout", "120"],
                          cwd=REPO, env=dict(os.environ, PYTHONPATH=PYPATH), capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads((out / "batch.json").read_text())["graded_now"] == 3
    again = list(csv.DictReader(open(out / "grades.csv", encoding="utf-8")))
    key = lambda r: (r["student_id"], r["file"])  # noqa: E731
    assert sorted(map(key, again)) == sorted(map(key, redteam["rows"]))
    first = {key(r): r["score"] for r in redteam["rows"]}
    assert all(first[key(r)] == r["score"] for r in again)
