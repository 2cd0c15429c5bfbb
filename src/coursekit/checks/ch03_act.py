"""Chapter 3's activation checks: the backward passes of sigmoid, tanh and ReLU (re-exported by
:mod:`.ch03`, whose docstring gives the conventions and how the judging works).

    check_sigmoid_backward(fn)   fn(dout, out) -> dx, out = sigmoid(x) (the forward *output*)
    check_tanh_backward(fn)      fn(dout, out) -> dx, out = tanh(x)    (the forward *output*)
    check_relu_backward(fn)      fn(dout, x) -> dx, x = the forward *input*
"""
from __future__ import annotations

import numpy as np

from chainrule import numerical_grad
from .core import call, cases, judge, passed
from .core import unchanged as _unchanged, verified as _verified
from .seeded import seeded
from .answers import check, hidden_cases, reference
KEY = hidden_cases("ch03")  # the hidden cases: grader.key.ch03, where the grader runs
ref_relu_backward, ref_sigmoid_backward, ref_tanh_backward, sigmoid = reference(
    "ch03", "ref_relu_backward", "ref_sigmoid_backward", "ref_tanh_backward", "sigmoid")


# ---------------------------------------------------------------------- activations
# (seed, shape)
_ACT_VISIBLE = [(1, (3, 4)), (2, (1, 5)), (3, (2, 3))]


@seeded(lambda: [KEY.ACT_SCALE])  # the layer-sized case: drawn once per grading worker
def _act_case(seed, shape):
    """x away from 0 (ReLU's kink) with signs of x and dout mixed independently."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 1.5
    x = np.sign(x) * (np.abs(x) + 0.1)
    dout = rng.standard_normal(shape)
    dout = np.sign(dout) * (np.abs(dout) + 0.1)
    flat_x, flat_d = x.reshape(-1), dout.reshape(-1)
    if flat_x.size >= 2:  # at least one (x > 0, dout < 0) and one (x < 0, dout > 0)
        flat_x[0], flat_d[0] = abs(flat_x[0]), -abs(flat_d[0])
        flat_x[1], flat_d[1] = -abs(flat_x[1]), abs(flat_d[1])
    else:
        flat_x[0], flat_d[0] = -abs(flat_x[0]), abs(flat_d[0])
    return x, dout


# each activation's own hint for a flipped sign: where its minus sign went wrong
_ACT_SIGN = {"sigmoid_backward": "sigmoid_sign", "tanh_backward": "tanh_sign", "relu_backward": "relu_sign"}
# what each backward pass gets besides dout: the forward output (sigmoid, tanh) or input (ReLU)
_CACHE_OF = {"sigmoid_backward": sigmoid, "tanh_backward": np.tanh, "relu_backward": lambda v: v}


@seeded(lambda: [(exercise,) + tuple(KEY.ACT_SCALE) for exercise in _CACHE_OF])  # the forward pass too, once
def _act_inputs(exercise, seed, shape):
    """(x, dout, the cache the learner's backward gets)."""
    x, dout = _act_case(seed, shape)
    return x, dout, _CACHE_OF[exercise](x)


def _activation_check(exercise, fn, hidden, forward, reference, arg_name, alternatives_of):
    __tracebackhide__ = True
    specs = KEY.ACT_HIDDEN + [KEY.ACT_SCALE] if hidden else _ACT_VISIBLE
    descs = [f"dout {shape}, {arg_name} {shape}" for _, shape in specs]
    for case, (seed, shape) in zip(cases(exercise, descs), specs):
        x, dout, cache = _act_inputs(exercise, seed, shape)
        saved_cache, saved_dout = cache.copy(), dout.copy()
        got = call(fn, (dout, cache), case)
        _unchanged(saved_dout, dout, case, "dout")
        _unchanged(saved_cache, cache, case, arg_name)
        dout, cache = saved_dout, saved_cache
        expected = reference(dout, cache)
        if not (hidden and (seed, shape) == KEY.ACT_SCALE):  # the reference is the same formula at every size
            _verified(expected, lambda: numerical_grad(forward, x, dout), "dx")
        fields = {"name": "dx"}
        alternatives = alternatives_of(dout, cache, x) + [
            (_ACT_SIGN[exercise], lambda: -expected, fields), ("grad_doubled", lambda: 2 * expected, fields),
            ("grad_halved", lambda: expected / 2, fields)]  # computed only for a wrong answer
        judge(expected, got, case, atol=1e-10, rtol=1e-7, alternatives=alternatives, what="what_dx")
    passed(exercise, len(specs), hidden)


@check
def check_sigmoid_backward(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    _activation_check(
        "sigmoid_backward", fn, hidden, sigmoid, ref_sigmoid_backward, "out",
        lambda dout, out, x: [
            ("sigmoid_derivative_s", lambda: dout * out),
            ("sigmoid_derivative_s", lambda: out),
            ("cache_is_output", lambda: dout * sigmoid(out) * (1 - sigmoid(out))),
            ("missing_upstream", lambda: out * (1 - out)),
            ("sigmoid_derivative_form", lambda: dout * (1 - out ** 2)),
            ("sigmoid_derivative_form", lambda: dout * (1 - out)),
        ])


@check
def check_tanh_backward(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    _activation_check(
        "tanh_backward", fn, hidden, np.tanh, ref_tanh_backward, "out",
        lambda dout, out, x: [
            ("tanh_derivative_form", lambda: dout * (1 - out)),
            ("tanh_derivative_form", lambda: dout * (1 + out ** 2)),
            ("tanh_derivative_form", lambda: dout * out * (1 - out)),
            ("cache_is_output", lambda: dout * (1 - np.tanh(out) ** 2)),
            ("missing_upstream", lambda: 1 - out ** 2),
        ])


@check
def check_relu_backward(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    _activation_check(
        "relu_backward", fn, hidden, lambda v: np.maximum(v, 0.0), ref_relu_backward, "x",
        lambda dout, x_, x: [
            ("relu_mask_dout", lambda: dout * (dout > 0)),
            ("relu_mask_inverted", lambda: dout * (x_ <= 0)),
            ("missing_upstream", lambda: (x_ > 0).astype(float)),
            ("relu_times_x", lambda: dout * np.maximum(x_, 0)),
            ("relu_forward_returned", lambda: np.maximum(x_, 0)),
        ])



# The exercises whose hidden check has a layer-sized case (merged into ch03.LAYER_SIZED).
LAYER_SIZED = {
    "sigmoid_backward": "ACT_SCALE",
    "tanh_backward": "ACT_SCALE",
    "relu_backward": "ACT_SCALE",
}

__all__ = ["LAYER_SIZED", "check_sigmoid_backward", "check_tanh_backward", "check_relu_backward"]
