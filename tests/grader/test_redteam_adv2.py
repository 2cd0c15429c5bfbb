"""Red team (adv2): a hostile student against the judge side and the course kit's new layout, each
attack through ONE small ``python -m grader grade`` batch. Every test asserts the SAFE outcome.

Findings, each fixed at its root (the comment above its test says how):
* ``check_softplus_primitive`` computes its expected values from its inputs after the call: the
  learner's code zeroes them in place (they come back), and a forward returning log 2 and a VJP
  returning zeros score the exercise's 2 points with no softplus written;
* the topological order comes for free: the sandbox's own copy of the judge's graph keeps its
  nodes in the order they were made, parents first, which is a topological order, and the learner's
  function reaches that list (the driver's frame, ``gc.get_referrers``);
* ``check_two_layer_net`` neither copies nor guards ``y``: a change the learner's function makes
  to the labels in place follows back to the judge (:func:`grader.wall.restore`) and the expected
  loss and gradients are computed from the learner's labels.

Withstood (regression tests): no readable file in the sandbox holds the answer key or the checks'
hidden cases, by any path (a sweep of the sandbox's whole file system, .pyc caches and the release
notebooks included); a root host that fills its uid's process table from a thread started at load
time costs the next student of the same worker nothing; a learner's markup in an exception message
is escaped on the feedback page and the class report.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "course"))

from grader import sandbox  # noqa: E402
from grading_class import blank, cell, copy, honest, put, results, run_grader  # noqa: E402

pytestmark = pytest.mark.skipif(sandbox.probe()["mechanism"] != "bwrap",
                                reason=f"bubblewrap sandbox unavailable here: {sandbox.probe()['detail']}")

# --- chapter 2, topological_sort: no ordering logic at all -------------------------------------
# The driver calls topological_sort(graph.root) with the sandbox's rebuilt Graph in its frame; its
# .nodes were made parents first (Graph.node refuses a parent it does not have yet).
TOPO_FRAME = '''def topological_sort(root):
    import sys
    graph = sys._getframe(1).f_locals["graph"]   # the driver's frame holds the sandbox's Graph
    seen, stack = set(), [root]
    while stack:                                  # only which nodes root reaches: no order here
        n = stack.pop()
        if id(n) not in seen:
            seen.add(id(n))
            stack.extend(n.parents)
    return [n for n in graph.nodes if id(n) in seen]   # creation order: parents first
'''
# the same without a frame: the graph's node list is a referrer of its last node, the root
TOPO_GC = '''def topological_sort(root):
    import gc
    nodes = next(r for r in gc.get_referrers(root) if isinstance(r, list) and r and r[-1] is root)
    seen, stack = set(), [root]
    while stack:
        n = stack.pop()
        if id(n) not in seen:
            seen.add(id(n))
            stack.extend(n.parents)
    return [n for n in nodes if id(n) in seen]
'''
# a baseline that also has no ordering logic and no access to the sandbox's graph: must fail
TOPO_UNORDERED = '''def topological_sort(root):
    seen, out, stack = set(), [], [root]
    while stack:
        n = stack.pop()
        if id(n) not in seen:
            seen.add(id(n))
            out.append(n)
            stack.extend(n.parents)
    return out
'''

# --- chapter 3, two_layer_net: the labels steered in place --------------------------------------
# A correct network on the labels it chose itself: y set to class 0 in place. A check that guards
# its inputs reports the changed argument; today the judge's y follows and its reference uses it.
TWO_LAYER_Y = '''import numpy as np


def two_layer_net(x, y, params):
    y[...] = 0                                   # the judge's copy of y follows this change
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h_pre = x @ W1.T + b1
    h = np.maximum(h_pre, 0)
    s = h @ W2.T + b2
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    n = x.shape[0]
    loss = -np.log(p[np.arange(n), y]).mean()
    ds = p.copy()
    ds[np.arange(n), y] -= 1
    ds /= n
    dh = ds @ W2 * (h_pre > 0)
    return loss, {"W1": dh.T @ x, "b1": dh.sum(axis=0), "W2": ds.T @ h, "b2": ds.sum(axis=0)}
'''

# --- chapter 8, softplus_primitive: no softplus at all ------------------------------------------
# The check computes its reference from x and dout AFTER the call, from the very arrays it sent:
# the driver (ch08.primitive) holds them in its frame, the learner's forward zeroes them in place,
# the judge's copies follow (grader.wall.restore), and the expected values become softplus(0) = log 2
# and a zero gradient, which this forward and VJP return without computing anything.
SOFTPLUS_STEERED = '''import sys

import numpy as np
import chainrule


def _zero_the_checks_inputs():
    f = sys._getframe()
    while f is not None:
        if "x" in f.f_locals and "dout" in f.f_locals and f.f_code.co_name != "softplus_vjp":
            for name in ("x", "dout"):
                a = f.f_locals[name]
                if isinstance(a, np.ndarray):
                    a[...] = 0.0
        f = f.f_back


def softplus_vjp(dout, cache, needs):
    _zero_the_checks_inputs()
    return (np.zeros_like(dout),)


@chainrule.primitive(softplus_vjp)
def softplus(x):
    _zero_the_checks_inputs()
    return np.full(np.shape(x), np.log(2.0)), None
'''

# --- chapter 1: the answer key and the hidden cases on the sandbox's disk -----------------------
# Reads every small source-like file the sandbox can see (all of it but /proc, /sys, /dev and the
# big system folders of no Python package: a cloud SDK's 37,000 files cost most of the exercise's
# minute) for two markers that only the answer key (grader.key) holds; reports how much it read, so that a sweep that saw nothing cannot pass.
SWEEP = '''def relative_error(a, b):
    import os
    marks = (b"def ref_affine_backward", b"AFFINE_HIDDEN = ")
    skip = ("/proc", "/sys", "/dev", "/usr/share", "/usr/include", "/usr/src", "/usr/lib/google-cloud-sdk")
    hits, scanned, kit, stack = [], 0, 0, ["/"]
    while stack:
        d = stack.pop()
        try:
            entries = list(os.scandir(d))
        except OSError:
            continue
        for e in entries:
            try:
                if e.is_dir(follow_symlinks=False):
                    if e.path not in skip:
                        stack.append(e.path)
                elif (e.is_file(follow_symlinks=False) and e.stat().st_size < (4 << 20)
                      and e.name.endswith((".py", ".pyc", ".json", ".ipynb", ".txt", ".pth", ".pkl", ".npz"))):
                    with open(e.path, "rb") as f:
                        data = f.read()
                    scanned += 1
                    kit += "/coursekit/" in e.path
                    if any(m in data for m in marks):
                        hits.append(e.path)
            except OSError:
                continue
    raise RuntimeError("SWEEP scanned=%d kit=%d hits=%r" % (scanned, kit, hits[:3]))
'''

# --- across students: a hostile root host ---------------------------------------------------------
# A class body runs when the notebook loads, in the host's root process (exercises are forks of it):
# a thread that fills the uid's process table with sleepers and keeps the root process from exiting
# when the judge closes the pipe. The student after it (same worker, same sandbox uid) must not feel it.
FLOOD = '''import threading


class _Flood:
    def _fill():
        import os
        import time
        for _ in range(400):
            try:
                if os.fork() == 0:
                    while True:
                        time.sleep(60)
            except OSError:
                time.sleep(0.01)
        while True:
            time.sleep(60)

    threading.Thread(target=_fill).start()


def relative_error(a, b):
    import os
    import time
    time.sleep(1.0)   # the flood's thread runs on in the root process meanwhile
    raise RuntimeError("FLOOD procs=%d" % sum(p.isdigit() for p in os.listdir("/proc")))
'''

# --- the instructor's pages: the learner's own words in a message --------------------------------
XSS_MESSAGE = '''def relative_error(a, b):
    raise RuntimeError("<script>alert(2)</script><img src=x onerror=alert(1)>")
'''


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("redteam_adv2")
    subs, out = tmp / "subs", tmp / "out"
    for student, source in (("topo_frame", TOPO_FRAME), ("topo_gc", TOPO_GC), ("topo_unordered", TOPO_UNORDERED)):
        nb = copy(blank("ch02_graphs.ipynb", "en"))
        cell(nb, "topological_sort").source = source
        put(subs, student, nb, "ch02_graphs.ipynb")
    nb = copy(honest("ch03_mlp.ipynb", "en"))
    cell(nb, "two_layer_net").source = TWO_LAYER_Y
    put(subs, "labels_steered", nb, "ch03_mlp.ipynb")
    put(subs, "honest_ch03", honest("ch03_mlp.ipynb", "en"), "ch03_mlp.ipynb")
    nb = copy(blank("ch08_autodiff.ipynb", "en"))
    cell(nb, "softplus_primitive").source = SOFTPLUS_STEERED
    put(subs, "softplus_steered", nb, "ch08_autodiff.ipynb")
    nb = copy(blank("ch01_derivatives.ipynb", "en"))
    cell(nb, "relative_error").source = SWEEP
    put(subs, "disk_sweep", nb, "ch01_derivatives.ipynb")
    for student, source in (("ha_flood", FLOOD), ("xss_message", XSS_MESSAGE)):
        nb = copy(blank("ch01_derivatives.ipynb", "en"))   # ha_flood is graded just before honest_ch03
        cell(nb, "relative_error").source = source
        put(subs, student, nb, "ch01_derivatives.ipynb")
    proc = run_grader(subs, out, "--jobs", "1", timeout=900)
    return {"proc": proc, "out": out, "results": results(out)}


def _exercise(batch, student, exercise):
    row = next(r for r in batch["results"] if r["student_id"] == student)
    return next(e for e in row["exercises"] if e["id"] == exercise)


def test_the_batch_finishes(batch):
    assert batch["proc"].returncode == 0, batch["proc"].stderr[-2000:]
    assert {r["student_id"] for r in batch["results"]} >= {"topo_frame", "topo_gc", "topo_unordered",
                                                             "labels_steered", "honest_ch03", "disk_sweep",
                                                             "softplus_steered", "ha_flood", "xss_message"}


def test_an_unordered_traversal_fails_topological_sort(batch):
    """The baseline the two attacks below are measured against: the same traversal, in its own
    order, is not a topological order and scores nothing."""
    ex = _exercise(batch, "topo_unordered", "topological_sort")
    assert ex["score"] == 0 and ex["category"] in ("topo_order", "topo_reversed"), ex


# Was a finding, fixed (coursekit.ch02.Graph sends its nodes in a shuffled order): the sandbox's rebuilt ch02.Graph kept its nodes in creation order
# (parents first: a topological order) and the learner's function reaches that list through the
# driver's frame (call_on_root's `graph`)
def test_topological_sort_cannot_read_the_order_off_the_sandbox_s_graph(batch):
    ex = _exercise(batch, "topo_frame", "topological_sort")
    assert ex["score"] == 0, ex


# Was a finding, fixed (the same shuffle): the same creation-order list is a gc referrer of the root node
# (Graph.nodes), so hiding the driver's frame alone does not close it
def test_topological_sort_cannot_read_the_order_off_the_root_s_referrers(batch):
    ex = _exercise(batch, "topo_gc", "topological_sort")
    assert ex["score"] == 0, ex


def test_an_honest_two_layer_net_passes(batch):
    """The baseline of the attack below: the same network on the true labels passes."""
    assert _exercise(batch, "honest_ch03", "two_layer_net")["status"] == "passed"


def test_a_process_flood_from_the_root_host_costs_the_next_student_nothing(batch):
    """The flood ran (the exercise saw the sleepers), and the honest student graded right after it,
    by the same worker with the same sandbox uid, keeps full marks."""
    ex = _exercise(batch, "ha_flood", "relative_error")
    found = re.search(r"FLOOD procs=(\d+)", ex["message"])
    assert found and int(found.group(1)) > 50, ex
    row = next(r for r in batch["results"] if r["student_id"] == "honest_ch03")
    assert row["score"] == row["max_score"] > 0, [e for e in row["exercises"] if e["status"] != "passed"]


def test_the_learner_s_words_are_escaped_on_the_feedback_page_and_the_report(batch):
    assert "alert(2)" in _exercise(batch, "xss_message", "relative_error")["message"]  # the attack ran
    pages = [*batch["out"].glob("feedback/xss_message/*.html"), batch["out"] / "report" / "index.html"]
    assert len(pages) == 2
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html, page


# Was a finding, fixed (y is copied and guarded like x and params): check_two_layer_net neither copied nor guarded y; the learner's in-
# place change comes back (grader.wall.restore) and the reference uses the changed labels
def test_labels_changed_in_place_do_not_steer_the_expected_values(batch):
    ex = _exercise(batch, "labels_steered", "two_layer_net")
    assert ex["score"] == 0 and ex["category"] == "modified_argument", ex


# Was a finding, fixed (expected values from the check's own copies, inputs guarded): check_softplus_primitive computed ref_softplus(x) and
# ref_softplus_vjp(dout, x) after the call from the arrays it sent, with no copy and no guard; the
# learner's code zeroes them in place (the driver's frame) and the judge's arrays follow
def test_a_primitive_that_zeroes_the_checks_inputs_scores_nothing(batch):
    ex = _exercise(batch, "softplus_steered", "softplus_primitive")
    assert ex["score"] == 0, ex


def test_no_file_in_the_sandbox_holds_the_answer_key_or_the_hidden_cases(batch):
    """Neither the kit's key nor its checks (their source or a .pyc of them) is readable anywhere in
    the student's sandbox: not under the kit's folder, not in a site-packages, a cache, the release
    notebooks or the interpreter's prefix. The sweep must have read the public kit to count."""
    ex = _exercise(batch, "disk_sweep", "relative_error")
    found = re.search(r"SWEEP scanned=(\d+) kit=(\d+) hits=(\[.*?\])", ex["message"])
    assert found, ex  # the sweep ran to its end inside the exercise's time
    scanned, kit, hits = int(found.group(1)), int(found.group(2)), found.group(3)
    assert scanned > 1000 and kit >= 10, ex    # it read the standard library and the public kit
    assert hits == "[]", hits
