"""What grading keeps from one notebook to the next, and what it no longer sends twice.

The judge's zygote draws the layer-sized cases' inputs once (:mod:`coursekit.checks.seeded`); every
submission's judge is a fork that gets copies of them. A kept value must be exactly the freshly
computed one, and nothing a student does may change what the next student is graded on. The host
answers ``{"same": true}`` for an input its call left alone instead of sending it back whole; a
changed input still comes back and is still diagnosed.
"""
from __future__ import annotations

import importlib
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "course"))

from coursekit.checks import CheckFailed, seeded  # noqa: E402
from coursekit import data  # noqa: E402
from grader import judge, judge_main, wall, zygote  # noqa: E402
from grader.inside import host  # noqa: E402
from grading_class import cell, copy, honest  # noqa: E402


def _same_value(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    return a == b


@pytest.fixture
def warmed():
    judge_main.preload()  # imports every chapter's checks and warms, as the zygote does
    yield seeded.kept()
    seeded.forget()


def test_every_layer_sized_case_is_kept_and_equals_a_fresh_draw(warmed):
    names = {b.__name__ for b, _ in warmed}
    assert {"_act_case", "_ub_case", "_mse_case", "_conv_case", "_pool_case", "_step_case", "_sequence",
            "_lstm_case", "_bn_case", "_norm_case", "_drop_case"} <= names
    for (builder, args), kept in warmed.items():
        fresh = builder.__wrapped__(*args)
        assert _same_value(kept, fresh), (builder.__name__, args)
        handed = builder(*args)
        assert _same_value(handed, fresh)
        for k, h in zip(kept if isinstance(kept, tuple) else (kept,), handed if isinstance(handed, tuple) else (handed,)):
            if isinstance(k, np.ndarray):
                assert not k.flags.writeable and h.flags.writeable and not np.shares_memory(k, h)


def test_a_learner_that_writes_into_its_inputs_changes_nothing_kept(warmed):
    ch03_act = importlib.import_module("coursekit.checks.ch03_act")
    key = (ch03_act._act_case, tuple(importlib.import_module("grader.key.ch03").ACT_SCALE))
    before = warmed[key]

    def vandal(dout, out):
        dx = dout * out * (1 - out)
        if out.size > 100000:  # only the layer-sized case: the kept one
            out[...] = 0.0
            dout[...] = 1.0
        return dx

    def honest_answer(dout, out):
        return dout * out * (1 - out)

    with pytest.raises(CheckFailed) as e:
        ch03_act.check_sigmoid_backward(vandal, hidden=True)
    assert e.value.category == "modified_argument"
    ch03_act.check_sigmoid_backward(honest_answer, hidden=True)  # the next learner: the same, intact case
    assert _same_value(seeded.kept()[key], ch03_act._act_case.__wrapped__(*key[1])) and seeded.kept()[key] is before


def test_an_unwarmed_builder_computes_as_before():
    seeded.forget()
    ch06 = importlib.import_module("coursekit.checks.ch06")
    a, b = ch06._step_case(1, 3, 4, 5), ch06._step_case(1, 3, 4, 5)
    assert _same_value(a, b) and not seeded.kept()


# ---------------------------------------------------------------------- inputs that come back
def _call_message(args):
    blobs: list = []
    msg = {"op": "call", "name": "f", "args": [data.encode(a, blobs=blobs) for a in args], "kwargs": {"$d": []}}
    raw = [bytes(b) for b in blobs]
    return msg | {"$blobs": [memoryview(bytearray(b)) for b in raw]}


def test_an_input_left_alone_comes_back_as_same_and_a_changed_one_whole():
    x, w = np.arange(6.0).reshape(2, 3), [np.ones(2), np.zeros(3)]
    msg = _call_message([x, w])
    out: list = []
    xs, ws = data.decode(msg["args"][0], blobs=msg["$blobs"]), data.decode(msg["args"][1], blobs=msg["$blobs"])
    ws[1][0] = 5.0  # the call changed the second input, not the first
    ok = {"result": data.encode(xs.sum(), blobs=out), "after": [{"value": data.encode(xs, blobs=out)},
                                                               {"value": data.encode(ws, blobs=out)}], "kwafter": {}}
    host.unchanged_inputs(ok, msg, out)
    assert ok["after"][0] == {"same": True} and "value" in ok["after"][1]
    assert len(out[0]) == 0 and len(out[1]) == 16  # the unchanged array's bytes are no longer sent
    mine_x, mine_w = x.copy(), [np.ones(2), np.zeros(3)]
    wall.restore(mine_x, ok["after"][0], out)
    wall.restore(mine_w, ok["after"][1], out)
    assert np.array_equal(mine_x, x) and mine_w[1][0] == 5.0


def test_nan_inputs_and_bit_changes_are_not_taken_for_same():
    x = np.array([np.nan, 1.0])
    msg = _call_message([x])
    out: list = []
    y = x.copy()
    y[1] = np.nextafter(1.0, 2.0)  # one ulp: a change all the same
    ok = {"result": None, "after": [{"value": data.encode(y, blobs=out)}], "kwafter": {}}
    host.unchanged_inputs(ok, msg, out)
    assert "value" in ok["after"][0]
    ok = {"result": None, "after": [{"value": data.encode(x.copy(), blobs=out)}], "kwafter": {}}
    host.unchanged_inputs(ok, msg, out)
    assert ok["after"][0] == {"same": True}  # the same bits, NaN included


# ---------------------------------------------------------------------- through both sandboxes
VANDAL = """def sigmoid_backward(dout, out):
    dx = dout * out * (1 - out)
    if out.size > 100000:
        out[...] = 0.0
        dout[...] = 1.0
    return dx
"""


def test_two_students_one_judge_zygote_the_second_is_graded_on_intact_cases():
    import nbformat
    release = judge.read_release(__import__("json").loads((REPO / "course" / "en" / "ch03_mlp.ipynb").read_text()))
    good = honest("ch03_mlp.ipynb", "en")
    bad = copy(good)
    cell(bad, "sigmoid_backward").source = VANDAL
    parse = lambda nb: judge.parse_notebook(nbformat.writes(nb).encode())  # noqa: E731
    first = judge.grade_notebook(parse(bad), release)
    z = zygote._ZYGOTES[threading.get_ident()][1]
    second = judge.grade_notebook(parse(good), release)
    assert zygote._ZYGOTES[threading.get_ident()][1] is z  # the same zygote, its kept cases served both
    row = next(e for e in first["exercises"] if e["id"] == "sigmoid_backward")
    assert row["status"] == "failed" and row["category"] == "modified_argument", row
    assert first["score"] == first["max_score"] - row["points"]
    assert second["score"] == second["max_score"] > 0, second
