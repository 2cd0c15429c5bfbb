"""Red team, class 4 of issue 15: a backward pass "derived" by finite differences, on every backward
exercise, through ONE ``python -m grader grade`` batch.

Each attack is an honest notebook with one exercise's solution cell replaced by central differences of
a vectorised forward pass, one input element at a time (NumPy only, so no rule about allowed imports is
what stops it). The answers are accurate: on the small cases they pass the checks
(``test_the_answers_are_right_on_the_small_cases``), so only the layer-sized hidden case, where they
need minutes, stands between them and full marks. In the batch each must score no more than a wrong
answer, 0, while honest students keep full marks under the same reduced ``--exercise-timeout``.

Element-wise exercises (sigmoid, tanh, ReLU, MSE) are attacked the same way, one element at a time.
A vectorised element-wise difference (one pass over the whole array) is O(N) like the answer and
passes: no size stops it (grader/README.md, "Limits"), so it is not an attack this file can refute.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "course"))

from grader import sandbox  # noqa: E402
from grading_class import cell, copy, honest, put  # noqa: E402

needs_bwrap = pytest.mark.skipif(sandbox.probe()["mechanism"] != "bwrap",
                                 reason=f"bubblewrap sandbox unavailable here: {sandbox.probe()['detail']}")

# Short enough to keep the batch short (each attack costs one limit), long enough for the honest
# loops of the chapters on a busy 2-core machine (about 1 to 2 s each on the layer-sized cases).
EXERCISE_TIMEOUT = 20

# Central differences, one element at a time, on a private copy. The 4-point stencil (error O(h^4))
# is accurate to the checks' tolerances (atol down to 1e-10) where the 2-point one is not always;
# it costs twice the passes of the fastest estimate, which does not matter against minutes.
NUM = '''
def _num(f, a, h=1e-3):
    import numpy as np
    g = np.zeros(a.shape)
    flat, gflat = a.reshape(-1), g.reshape(-1)
    for i in range(a.size):
        old = flat[i]
        vals = []
        for step in (2 * h, h, -h, -2 * h):
            flat[i] = old + step
            vals.append(f())
        flat[i] = old
        gflat[i] = (-vals[0] + 8 * vals[1] - 8 * vals[2] + vals[3]) / (12 * h)
    return g

'''

# exercise -> (chapter file, the solution cell's source)
ATTACKS = {
    "softmax_cross_entropy": ("ch03_mlp.ipynb", '''
def softmax_cross_entropy(logits, y):
    import numpy as np
    z = np.array(logits, dtype=float)
    rows = np.arange(len(y))
    def loss():
        m = z - z.max(axis=1, keepdims=True)
        return -np.mean(m[rows, y] - np.log(np.exp(m).sum(axis=1)))
    return float(loss()), _num(loss, z)
'''),
    "sigmoid_backward": ("ch03_mlp.ipynb", '''
def sigmoid_backward(dout, out):
    import numpy as np
    x = np.log(out / (1.0 - out))
    return _num(lambda: np.sum(dout / (1.0 + np.exp(-x))), x)
'''),
    "tanh_backward": ("ch03_mlp.ipynb", '''
def tanh_backward(dout, out):
    import numpy as np
    x = np.arctanh(out)
    return _num(lambda: np.sum(dout * np.tanh(x)), x)
'''),
    "relu_backward": ("ch03_mlp.ipynb", '''
def relu_backward(dout, x):
    import numpy as np
    x = np.array(x, dtype=float)
    return _num(lambda: np.sum(dout * np.maximum(x, 0.0)), x)
'''),
    "mse_loss": ("ch03_mlp.ipynb", '''
def mse_loss(pred, target):
    import numpy as np
    p = np.array(pred, dtype=float)
    loss = lambda: np.mean((p - target) ** 2)
    return float(loss()), _num(loss, p)
'''),
    "conv2d_backward": ("ch05_cnn.ipynb", '''
def conv2d_backward(dout, cache):
    import numpy as np
    x, w, b, s, p = cache
    x, w, b = (np.array(a, dtype=float) for a in (x, w, b))
    f, c, kh, kw = w.shape
    ho, wo = dout.shape[2:]
    def fwd():   # kh*kw matrix products over shifted views: the fastest NumPy convolution we know
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))).transpose(0, 2, 3, 1)
        out = np.zeros((x.shape[0], ho, wo, f))
        for i in range(kh):
            for j in range(kw):
                out += xp[:, i:i + s * (ho - 1) + 1:s, j:j + s * (wo - 1) + 1:s, :] @ w[:, :, i, j].T
        return np.sum((out + b).transpose(0, 3, 1, 2) * dout)
    return _num(fwd, x), _num(fwd, w), _num(fwd, b)
'''),
    "maxpool_backward": ("ch05_cnn.ipynb", '''
def maxpool_backward(dout, cache):
    import numpy as np
    x, (kh, kw), s = cache
    x = np.array(x, dtype=float)
    ho, wo = dout.shape[2:]
    def fwd():
        m = None
        for i in range(kh):
            for j in range(kw):
                v = x[:, :, i:i + s * (ho - 1) + 1:s, j:j + s * (wo - 1) + 1:s]
                m = v if m is None else np.maximum(m, v)
        return np.sum(m * dout)
    return _num(fwd, x, h=1e-4)   # the inputs are spaced 4/size apart: the step must not reorder them
'''),
    "avgpool_backward": ("ch05_cnn.ipynb", '''
def avgpool_backward(dout, cache):
    import numpy as np
    x, (kh, kw), s = cache
    x = np.array(x, dtype=float)
    ho, wo = dout.shape[2:]
    def fwd():
        m = 0.0
        for i in range(kh):
            for j in range(kw):
                m = m + x[:, :, i:i + s * (ho - 1) + 1:s, j:j + s * (wo - 1) + 1:s]
        return np.sum(m * dout) / (kh * kw)
    return _num(fwd, x)
'''),
    "rnn_step_backward": ("ch06_rnn.ipynb", '''
def rnn_step_backward(dh, cache):
    import numpy as np
    x, h_prev, Wx, Wh, b = (np.array(a, dtype=float) for a in cache[:5])
    f = lambda: np.sum(np.tanh(x @ Wx + h_prev @ Wh + b) * dh)
    return tuple(_num(f, a) for a in (x, h_prev, Wx, Wh, b))
'''),
    "rnn_backward": ("ch06_rnn.ipynb", '''
def rnn_backward(dh_all, cache):
    import numpy as np
    x = np.array([c[0] for c in cache], dtype=float)
    h0, Wx, Wh, b = (np.array(a, dtype=float) for a in cache[0][1:5])
    def f():
        h, total = h0, 0.0
        for t in range(len(x)):
            h = np.tanh(x[t] @ Wx + h @ Wh + b)
            total += np.sum(h * dh_all[t])
        return total
    return tuple(_num(f, a) for a in (x, h0, Wx, Wh, b))
'''),
    "truncated_bptt": ("ch06_rnn.ipynb", '''
def truncated_bptt(dh_all, cache, k):
    import numpy as np
    x = np.array([c[0] for c in cache], dtype=float)
    h0, Wx, Wh, b = (np.array(a, dtype=float) for a in cache[0][1:5])
    fixed = [np.array(c[5], dtype=float) for c in cache]   # detached: the states stay what they were
    def f():
        h, total = h0, 0.0
        for t in range(len(x)):
            if t > 0 and t % k == 0:
                h = fixed[t - 1]
            h = np.tanh(x[t] @ Wx + h @ Wh + b)
            total += np.sum(h * dh_all[t])
        return total
    return tuple(_num(f, a) for a in (x, h0, Wx, Wh, b))
'''),
    "lstm_step_backward": ("ch06_rnn.ipynb", '''
def lstm_step_backward(dh, dc, cache):
    import numpy as np
    x, h_prev, c_prev, Wx, Wh, b = (np.array(a, dtype=float) for a in cache[:6])
    H = h_prev.shape[1]
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))
    def f():
        a = x @ Wx + h_prev @ Wh + b
        i, fg, g, o = sig(a[:, :H]), sig(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sig(a[:, 3 * H:])
        c = fg * c_prev + i * g
        return np.sum(o * np.tanh(c) * dh) + np.sum(c * dc)
    return tuple(_num(f, a) for a in (x, h_prev, c_prev, Wx, Wh, b))
'''),
}

# the layer-sized hidden case of each exercise (attribute of the answer key's module, grader.key), see the test below
SCALE = {"softmax_cross_entropy": ("ch03", "CE_SCALE", "CE_HIDDEN"),
         "sigmoid_backward": ("ch03", "ACT_SCALE", "ACT_HIDDEN"), "tanh_backward": ("ch03", "ACT_SCALE", "ACT_HIDDEN"),
         "relu_backward": ("ch03", "ACT_SCALE", "ACT_HIDDEN"), "mse_loss": ("ch03", "MSE_SCALE", "MSE_HIDDEN"),
         "conv2d_backward": ("ch05", "CONV_SCALE", "CONV_HIDDEN"),
         "maxpool_backward": ("ch05", "POOL_SCALE", "POOL_HIDDEN"),
         "avgpool_backward": ("ch05", "POOL_SCALE", "POOL_HIDDEN"),
         "rnn_step_backward": ("ch06", "STEP_SCALE", "STEP_HIDDEN"),
         "rnn_backward": ("ch06", "SEQ_SCALE", "SEQ_HIDDEN"),
         "truncated_bptt": ("ch06", "TBPTT_SCALE", "TBPTT_HIDDEN"),
         "lstm_step_backward": ("ch06", "LSTM_SCALE", "LSTM_HIDDEN")}

HONEST = [(f, lang) for f in ("ch03_mlp.ipynb", "ch05_cnn.ipynb", "ch06_rnn.ipynb") for lang in ("en", "zh")]


@pytest.mark.parametrize("exercise", sorted(ATTACKS))
def test_the_answers_are_right_on_the_small_cases(exercise, monkeypatch, capsys):
    """Without the layer-sized case (a copy of a small one stands in) the finite differences pass:
    what stops them in the batch is the size, nothing else."""
    import importlib
    module, spec, table = SCALE[exercise]
    key = importlib.import_module(f"grader.key.{module}")
    monkeypatch.setattr(key, spec, getattr(key, table)[-1])
    checks = importlib.import_module(f"coursekit.checks.{module}")
    namespace = {}
    exec(NUM + ATTACKS[exercise][1], namespace)
    getattr(checks, f"check_{exercise}")(namespace[exercise], hidden=True)
    assert f"✓ {exercise}" in capsys.readouterr().out


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    subs, out = tmp_path_factory.mktemp("fd_subs"), tmp_path_factory.mktemp("fd_out")
    for chapter, lang in HONEST:
        put(subs, f"honest_{lang}", honest(chapter, lang), chapter)
    for exercise, (chapter, source) in ATTACKS.items():
        nb = copy(honest(chapter, "en"))
        cell(nb, exercise).source = NUM + source.lstrip("\n")
        put(subs, f"fd_{exercise}", nb, chapter)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]))
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    # a notebook may time out on more than one exercise (ch06's rnn_backward calls rnn_step_backward)
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(subs), "--out", str(out),
                           "--exercise-timeout", str(EXERCISE_TIMEOUT), "--timeout", "300", "--jobs", "2"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    results = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    return {"proc": proc, "results": results}


def _row(batch, student, chapter):
    notebook = chapter.removesuffix(".ipynb")
    found = [r for r in batch["results"] if r["student_id"] == student and r["notebook"] == notebook]
    assert len(found) == 1, (student, notebook, [(r["student_id"], r["notebook"]) for r in batch["results"]])
    return found[0]


def _exercise(row, exercise):
    return next(e for e in row["exercises"] if e["id"] == exercise)


@needs_bwrap
def test_the_batch_finishes_with_exit_code_0(batch):
    assert batch["proc"].returncode == 0, batch["proc"].stderr[-3000:]


@needs_bwrap
@pytest.mark.parametrize("chapter, lang", HONEST)
def test_honest_students_keep_full_marks_under_the_reduced_limit(batch, chapter, lang):
    row = _row(batch, f"honest_{lang}", chapter)
    assert row["score"] == row["max_score"] > 0, [e for e in row["exercises"] if e["score"] != e["points"]]


@needs_bwrap
@pytest.mark.parametrize("exercise", sorted(ATTACKS))
def test_finite_differences_score_no_more_than_a_wrong_answer(batch, exercise):
    chapter = ATTACKS[exercise][0]
    row = _row(batch, f"fd_{exercise}", chapter)
    ex = _exercise(row, exercise)
    # a wrong answer scores 0 on its exercise; the layer-sized case makes this one run out of time
    assert (ex["status"], ex["score"]) == ("timeout", 0), ex
    honest_row = _row(batch, "honest_en", chapter)
    assert row["score"] <= honest_row["score"] - ex["points"], row
