"""Checks for chapter 3's tensor engine: the vector–Jacobian products (VJPs) of its primitives.

Each VJP is a plain function on arrays, so it crosses the grader's sandbox wall as data (driver
``"call"``, nothing of ours on the other side):

    check_unbroadcast(fn)       fn(g, shape) -> g summed down to ``shape`` (the VJP of a broadcast,
                                so of both operands of a broadcast add)
    check_matmul_vjp(fn)        fn(g, a, b) -> (ga, gb) for c = a @ b, a (N, K), b (K, M), g (N, M)
    check_sum_vjp(fn)           fn(g, shape, axis, keepdims) -> ga of ``shape`` for c = a.sum(axis, keepdims)
    check_log_softmax_vjp(fn)   fn(g, out) -> ga for out = log_softmax(a) along the last axis

Every reference (:mod:`grader.key.ch03`) is verified against central differences (float64) of its forward
function before it judges anything; a wrong answer is diagnosed against the typical mistakes of that primitive (no
un-broadcast sum, a mean for a sum, a dropped transpose, swapped results, the softmax term left out...).
"""
from __future__ import annotations

import numpy as np

from chainrule import numerical_grad
from .core import CheckFailed, call, cases, judge, passed
from .core import unchanged as _unchanged, unpack as _unpack, verified as _verified
from .seeded import seeded
from .answers import check, hidden_cases, reference
KEY = hidden_cases("ch03")  # the hidden cases: grader.key.ch03, where the grader runs
log_softmax, ref_log_softmax_vjp, ref_matmul_vjp, ref_sum_vjp, ref_unbroadcast = reference(
    "ch03", "log_softmax", "ref_log_softmax_vjp", "ref_matmul_vjp", "ref_sum_vjp", "ref_unbroadcast")


def _call(fn, args, case, kwargs=None, on_error=None):
    """Call the learner; an exception of the kind ``on_error`` names gets that exercise's own hint."""
    __tracebackhide__ = True
    try:
        return call(fn, args, case, kwargs=kwargs)
    except CheckFailed as e:
        failure = e
    if on_error and failure.category in ("exception", "broadcast_error"):
        case.fail(on_error, etype=failure.fields.get("etype"), emsg=failure.fields.get("emsg"))
    raise failure


def _common(expected, fields):
    """The mistakes every VJP can make: a flipped sign, a factor 2 or ½."""
    return [("vjp_sign", lambda: -expected, fields), ("grad_doubled", lambda: 2 * expected, fields),
            ("grad_halved", lambda: expected / 2, fields)]


# ---------------------------------------------------------------------- unbroadcast
# (seed, shape of g, shape of the operand)
# (a case with both kinds of broadcast axis comes early, so that summing only one kind is named)
_UB_VISIBLE = [(1, (4, 3), (3,)), (2, (2, 3, 4), (3, 1)), (3, (4, 3), (4, 1))]


@seeded(lambda: [KEY.UB_SCALE[:2]])  # the layer-sized case: drawn once per grading worker
def _ub_case(seed, gshape):
    return np.random.default_rng(seed).standard_normal(gshape)


def _first_slice(g, shape):
    """g at index 0 of every broadcast axis: the operand's own slice, without the sum."""
    lead = g.ndim - len(shape)
    part = g[(0,) * lead] if lead else g
    return part[tuple(slice(0, 1) if s == 1 else slice(None) for s in shape)]


@check
def check_unbroadcast(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.UB_HIDDEN + [KEY.UB_SCALE] if hidden else _UB_VISIBLE
    descs = [f"g {gs}, shape {s}" for _, gs, s in specs]
    for case, (seed, gshape, shape) in zip(cases("unbroadcast", descs), specs):
        g = _ub_case(seed, gshape)
        saved = g.copy()
        got = _call(fn, (g, shape), case)
        _unchanged(saved, g, case, "g")
        g = saved
        expected = ref_unbroadcast(g, shape)
        if not (hidden and (seed, gshape, shape) == KEY.UB_SCALE):  # same formula at every size
            a = np.asarray(np.random.default_rng(seed + 100).standard_normal(shape), dtype=np.float64)
            _verified(expected, lambda: numerical_grad(lambda v: np.broadcast_to(v, gshape), a, g), "unbroadcast")
        lead = len(gshape) - len(shape)
        fields = {"name": "unbroadcast", "shape": shape}
        alts = [("unbroadcast_nothing_summed", lambda: g if g.shape != expected.shape else None, fields),
                ("unbroadcast_mean", lambda: expected * np.prod(shape) / g.size, fields),
                ("unbroadcast_lead_only", lambda: g.sum(axis=tuple(range(lead))) if lead else None, fields),
                ("unbroadcast_ones_dropped", lambda: expected.reshape([s for s in shape if s != 1]), fields),
                ("unbroadcast_first_slice", lambda: _first_slice(g, shape), fields),
                ("unbroadcast_summed_all", lambda: np.full(shape, g.sum()), fields)] + _common(expected, fields)
        judge(expected, got, case, atol=1e-9, rtol=1e-9, alternatives=alts, what="what_ga")
    passed("unbroadcast", len(specs), hidden)


# ---------------------------------------------------------------------- matmul
# (seed, N, K, M): a (N, K), b (K, M), g (N, M); one square case so that a dropped transpose has the
# right shape and must be caught by its values
_MM_VISIBLE = [(1, 4, 3, 2), (2, 1, 5, 3), (3, 3, 3, 3)]
@seeded(lambda: [KEY.MM_SCALE])  # the layer-sized case: drawn once per grading worker
def _mm_case(seed, n, k, m):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, k)), rng.standard_normal((k, m)), rng.standard_normal((n, m))


@check
def check_matmul_vjp(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.MM_HIDDEN + [KEY.MM_SCALE] if hidden else _MM_VISIBLE
    descs = [f"a {(n, k)}, b {(k, m)}, g {(n, m)}" for _, n, k, m in specs]
    for case, (seed, n, k, m) in zip(cases("matmul_vjp", descs), specs):
        a, b, g = _mm_case(seed, n, k, m)
        saved = {"g": g.copy(), "a": a.copy(), "b": b.copy()}
        got = _call(fn, (g, a, b), case, on_error="matmul_vjp_shapes")
        ga, gb = _unpack(got, ("ga", "gb"), case)
        for name, arr in (("g", g), ("a", a), ("b", b)):
            _unchanged(saved[name], arr, case, name)
        g, a, b = saved["g"], saved["a"], saved["b"]
        rga, rgb = ref_matmul_vjp(g, a, b)
        if not (hidden and (seed, n, k, m) == KEY.MM_SCALE):  # same formula at every size
            _verified(rga, lambda: numerical_grad(lambda v: v @ b, a, g), "ga")
            _verified(rgb, lambda: numerical_grad(lambda v: a @ v, b, g), "gb")
        fa, fb = {"name": "ga"}, {"name": "gb"}
        judge(rga, ga, case, atol=1e-9, rtol=1e-7, what="what_ga", alternatives=[
            ("matmul_swapped", lambda: rgb, fa), ("matmul_ga_no_transpose", lambda: g @ b, fa),
            ("matmul_transposed", lambda: rga.T, fa)] + _common(rga, fa))
        judge(rgb, gb, case, atol=1e-9, rtol=1e-7, what="what_gb", alternatives=[
            ("matmul_swapped", lambda: rga, fb), ("matmul_gb_no_transpose", lambda: a @ g if n == k else None, fb),
            ("matmul_transposed", lambda: rgb.T, fb),
            ("grad_divided_by_n", lambda: rgb / n if n > 1 else None, {**fb, "n": n})] + _common(rgb, fb))
    passed("matmul_vjp", len(specs), hidden)


# ---------------------------------------------------------------------- sum
# (seed, shape of a, axis, keepdims)
_SUM_VISIBLE = [(1, (3, 4), None, False), (2, (3, 4), 1, False), (3, (2, 3, 4), 0, True)]


@seeded(lambda: [KEY.SUM_SCALE])  # the layer-sized case: drawn once per grading worker
def _sum_case(seed, shape, axis, keepdims):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    return a, np.asarray(rng.standard_normal(np.shape(a.sum(axis=axis, keepdims=keepdims))))


@check
def check_sum_vjp(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.SUM_HIDDEN + [KEY.SUM_SCALE] if hidden else _SUM_VISIBLE
    descs = [f"a {s}, axis={ax!r}, keepdims={kd}" for _, s, ax, kd in specs]
    for case, (seed, shape, axis, keepdims) in zip(cases("sum_vjp", descs), specs):
        a, g = _sum_case(seed, shape, axis, keepdims)
        saved = g.copy()
        got = _call(fn, (g, shape), case, kwargs={"axis": axis, "keepdims": keepdims}, on_error="sum_vjp_expand")
        _unchanged(saved, g, case, "g")
        g = saved
        expected = ref_sum_vjp(g, shape, axis, keepdims)
        if not (hidden and (seed, shape, axis, keepdims) == KEY.SUM_SCALE):  # same formula at every size
            _verified(expected, lambda: numerical_grad(lambda v: np.sum(v, axis=axis, keepdims=keepdims), a, g), "ga")
        count = a.size // max(g.size, 1)
        fields = {"name": "ga", "count": count}

        def wrong_axis():
            try:
                return np.broadcast_to(g, shape)
            except ValueError:
                return None
        alts = [("sum_vjp_mean", lambda: expected / count if count > 1 else None, fields),
                ("sum_vjp_wrong_axis", wrong_axis, fields)] + _common(expected, fields)
        judge(expected, got, case, atol=1e-12, rtol=1e-12, alternatives=alts, what="what_ga")
    passed("sum_vjp", len(specs), hidden)


# ---------------------------------------------------------------------- log-softmax
# (seed, N, C, offset): a = standard normal * 2 + offset; out = log_softmax(a) along the last axis
_LSM_VISIBLE = [(1, 4, 3, 0.0), (2, 1, 5, 0.0), (3, 3, 3, 500.0)]
@seeded(lambda: [KEY.LSM_SCALE])  # the layer-sized case, its forward pass too: once per grading worker
def _lsm_case(seed, n, c, offset):
    """(a, out = log_softmax(a), g)."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, c)) * 2.0 + offset
    return a, log_softmax(a), rng.standard_normal((n, c))


@check
def check_log_softmax_vjp(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.LSM_HIDDEN + [KEY.LSM_SCALE] if hidden else _LSM_VISIBLE
    descs = [f"out {(n, c)}" + (f" (scores around {off:g})" if off else "") + f", g {(n, c)}"
             for _, n, c, off in specs]
    for case, (seed, n, c, offset) in zip(cases("log_softmax_vjp", descs), specs):
        a, out, g = _lsm_case(seed, n, c, offset)
        saved_g, saved_out = g.copy(), out.copy()
        with np.errstate(all="ignore"):
            got = _call(fn, (g, out), case)
        _unchanged(saved_g, g, case, "g")
        _unchanged(saved_out, out, case, "out")
        g, out = saved_g, saved_out
        expected = ref_log_softmax_vjp(g, out)
        if not (hidden and (seed, n, c, offset) == KEY.LSM_SCALE):  # same formula at every size
            _verified(expected, lambda: numerical_grad(log_softmax, a, g), "ga")
        p = np.exp(out)
        fields = {"name": "ga"}
        alts = [("lsm_missing_softmax_term", lambda: g, fields),
                ("lsm_used_log", lambda: g - out * g.sum(axis=-1, keepdims=True), fields),
                ("lsm_sum_wrong_axis", lambda: g - p * g.sum(axis=0, keepdims=True), fields),
                ("lsm_sum_wrong_axis", lambda: g - p * g.sum(), fields),
                ("lsm_diagonal_only", lambda: g - p * g, fields),
                ("lsm_softmax_vjp", lambda: p * (g - (g * p).sum(axis=-1, keepdims=True)), fields),
                ("lsm_terms_swapped", lambda: p - g * p.sum(axis=-1, keepdims=True), fields)] + _common(expected, fields)
        judge(expected, got, case, atol=1e-9, rtol=1e-7, alternatives=alts, what="what_ga")
    passed("log_softmax_vjp", len(specs), hidden)


# The exercises whose hidden check has a layer-sized case (see ch03.LAYER_SIZED).
LAYER_SIZED = {
    "unbroadcast": "UB_SCALE",
    "matmul_vjp": "MM_SCALE",
    "sum_vjp": "SUM_SCALE",
    "log_softmax_vjp": "LSM_SCALE",
}

__all__ = ["LAYER_SIZED", "check_unbroadcast", "check_matmul_vjp", "check_sum_vjp", "check_log_softmax_vjp"]
