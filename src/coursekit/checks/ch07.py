"""Checks for chapter 7 (vanishing and exploding gradients).

Conventions (the same as the chapter's docstrings):

    batch norm (training mode, batch statistics, *biased* variance), x (N, D), gamma/beta (D,):
        mean = x.mean(axis=0), var = x.var(axis=0)            (divides by N, not N − 1)
        x_hat = (x − mean) / sqrt(var + eps),  out = gamma * x_hat + beta
        cache = (x, x_hat, mean, var, gamma, eps)
    check_batchnorm_backward(fn)  fn(dout, cache) -> (dx, dgamma, dbeta)
    check_clip_by_norm(fn)        fn(grads: list of arrays, max_norm) -> (clipped: list, total_norm: float)
                                  total_norm = the L2 norm of all elements of all arrays together (as
                                  torch.nn.utils.clip_grad_norm_); if total_norm > max_norm every array is
                                  multiplied by max_norm / total_norm (a + 1e-6 in the denominator, as torch
                                  writes it, is accepted), else returned unchanged. New arrays: the input list
                                  and its arrays are not modified.
    check_clip_by_value(fn)       fn(grads, clip_value) -> clipped: list, each element clamped into
                                  [−clip_value, clip_value] (as torch.nn.utils.clip_grad_value_), new arrays
    check_init_scale(fn)          fn(fan_in, fan_out, scheme, distribution) -> float
                                  scheme "xavier": std = sqrt(2 / (fan_in + fan_out))        (gain 1)
                                  scheme "he":     std = sqrt(2 / fan_in)       (ReLU's gain √2, mode fan_in)
                                  distribution "normal" -> std; "uniform" -> the bound a = sqrt(3) * std of U(−a, a)

How the judging works
---------------------
Each case draws seeded random inputs (visible and hidden cases differ). The batch-norm reference
gradients are first verified against ``chainrule.numerical_grad`` on the forward pass. Batch size 1 is
never used: with one sample x − mean is 0, so x_hat = 0 and dx = 0 whatever the formula (batch norm
in training mode needs N ≥ 2, and ``F.batch_norm`` refuses N = 1). Some cases use a large eps (0.1 or
more) and features of small variance, so that a misplaced or forgotten eps shows. Clipping cases
include a total norm below max_norm (nothing must change) and lists of arrays of different shapes
(a per-array norm is not the global one). Init cases use fan_in ≠ fan_out, so a swap shows. A wrong
result is diagnosed against the typical mistakes and the report names the output that is wrong.
"""
from __future__ import annotations

import math

import numpy as np

from chainrule import numerical_grad
from .core import call, cases, fmt, judge, passed
from .seeded import seeded
from .core import describe as _describe, unchanged as _unchanged, unpack as _unpack, verified as _verified
from . import ch07_layers as _layers
from .ch07_layers import call_norm_backward
# the staged batch norm, layer norm and dropout (ch07_layers), under the chapter's module name; the
# layer-sized specs are named here too, as the LAYER_SIZED table below names them
from .ch07_layers import (STAGES, check_batchnorm_backward_staged, check_dropout_backward,  # noqa: F401
                          check_layernorm_backward, ref_batchnorm_backward_staged, ref_batchnorm_forward_staged,
                          ref_dropout_backward, ref_layernorm_backward, ref_layernorm_forward)
from .ch07_layers import (_DROP_HIDDEN, _DROP_SCALE, _LN_HIDDEN, _LN_SCALE, _STAGED_HIDDEN,  # noqa: F401
                          _STAGED_SCALE)


# ---------------------------------------------------------------------- reference implementation
def ref_batchnorm_forward(x, gamma, beta, eps=1e-5):
    """out, cache = (x, x_hat, mean, var, gamma, eps); batch statistics, biased variance."""
    mean = x.mean(axis=0)
    var = x.var(axis=0)
    x_hat = (x - mean) / np.sqrt(var + eps)
    return gamma * x_hat + beta, (x, x_hat, mean, var, gamma, eps)


def ref_batchnorm_backward(dout, cache):
    x, x_hat, mean, var, gamma, eps = cache
    n = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx = gamma / np.sqrt(var + eps) / n * (n * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def ref_clip_by_norm(grads, max_norm):
    total = math.sqrt(sum(float(np.sum(np.asarray(g, dtype=np.float64) ** 2)) for g in grads))
    coef = max_norm / total if total > max_norm else 1.0
    return [np.asarray(g, dtype=np.float64) * coef for g in grads], total


def ref_clip_by_value(grads, clip_value):
    return [np.clip(np.asarray(g, dtype=np.float64), -clip_value, clip_value) for g in grads]


def ref_init_scale(fan_in, fan_out, scheme, distribution="normal"):
    std = math.sqrt(2.0 / (fan_in + fan_out)) if scheme == "xavier" else math.sqrt(2.0 / fan_in)
    return math.sqrt(3.0) * std if distribution == "uniform" else std


# ---------------------------------------------------------------------- helpers
def _shape(a):
    return "(" + ", ".join(str(int(s)) for s in np.shape(a)) + (",)" if np.ndim(a) == 1 else ")")


# ---------------------------------------------------------------------- batch norm backward
# (seed, N, D, eps); N >= 2 always (see the module docstring)
_BN_VISIBLE = [(1, 4, 3, 1e-5), (2, 5, 2, 0.1), (3, 3, 4, 1e-2)]
_BN_HIDDEN = [(11, 8, 4, 1e-5), (12, 3, 2, 0.5), (13, 6, 5, 1e-3), (14, 2, 3, 0.2), (15, 10, 1, 0.1)]
# A hidden case at a real layer's size: the backward formula takes milliseconds, a gradient
# estimated by finite differences of the forward pass (two passes per element of x) about 9 times
# the grader's default limit (benchmarks/README.md; at (256, 512) only about 2 times).
_BN_SCALE = (16, 512, 512, 1e-5)


@seeded(lambda: [_BN_SCALE])  # the layer-sized case: drawn once per grading worker
def _bn_case(seed, n, d, eps):
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.1, 2.0, d)                # some features of small variance: eps matters
    x = rng.standard_normal((n, d)) * scale + rng.standard_normal(d)
    gamma = rng.uniform(0.5, 2.0, d) * rng.choice([-1.0, 1.0], d)
    beta = rng.standard_normal(d)
    dout = rng.standard_normal((n, d))
    return x, gamma, beta, dout


def _bn_dx(dout, x, gamma, eps, ddof_var=0, ddof_back=0, mean_term=True, var_term=True, std=None):
    """dx of batch norm, with the pieces a typical mistake drops or changes."""
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = x.var(axis=0, ddof=ddof_var)
    std = np.sqrt(var + eps) if std is None else std
    x_hat = (x - mu) / std
    dx = dout.copy()
    if mean_term:
        dx = dx - dout.mean(axis=0)
    if var_term:
        dx = dx - x_hat * (dout * x_hat).sum(axis=0) / (n - ddof_back)
    return gamma / std * dx


def check_batchnorm_backward(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = _BN_HIDDEN + [_BN_SCALE] if hidden else _BN_VISIBLE
    descs = [f"x {(n, d)}, gamma {(d,)}, dout {(n, d)}, eps = {eps:g}" for _, n, d, eps in specs]
    for case, (seed, n, d, eps) in zip(cases("batchnorm_backward", descs), specs):
        x, gamma, beta, dout = _bn_case(seed, n, d, eps)
        _, cache = ref_batchnorm_forward(x, gamma, beta, eps)
        (dx, dgamma, dbeta), dout, saved = call_norm_backward(fn, dout, cache, case)
        x_hat, mu, var = saved[1], saved[2], saved[3]
        rdx, rdg, rdb = ref_batchnorm_backward(dout, (x, x_hat, mu, var, gamma, eps))
        if (seed, n, d, eps) != _BN_SCALE:  # the reference is the same formula at every size
            fwd = lambda x_, g_, b_: ref_batchnorm_forward(x_, g_, b_, eps)[0]  # noqa: E731
            _verified(rdx, lambda: numerical_grad(lambda v: fwd(v, gamma, beta), x.copy(), dout), "dx")
            _verified(rdg, lambda: numerical_grad(lambda v: fwd(x, v, beta), gamma.copy(), dout), "dgamma")
            _verified(rdb, lambda: numerical_grad(lambda v: fwd(x, gamma, v), beta.copy(), dout), "dbeta")
        std = np.sqrt(var + eps)
        f = {"n": n, "eps": f"{eps:g}"}
        # dx
        alts = [
            ("bn_only_direct_term", lambda: gamma * dout / std, {**f, "name": "dx"}),
            ("bn_only_direct_term", lambda: dout / std, {**f, "name": "dx"}),
            ("bn_missing_var_term", lambda: _bn_dx(dout, x, gamma, eps, var_term=False), {**f, "name": "dx"}),
            ("bn_missing_mean_term", lambda: _bn_dx(dout, x, gamma, eps, mean_term=False), {**f, "name": "dx"}),
            ("bn_missing_gamma", lambda: rdx / gamma, {**f, "name": "dx"}),
            ("bn_sign", lambda: -rdx, {**f, "name": "dx"}),
        ]
        if n > 2:
            alts += [("bn_unbiased_var", lambda: _bn_dx(dout, x, gamma, eps, ddof_var=1, ddof_back=1), f),
                     ("bn_unbiased_var", lambda: _bn_dx(dout, x, gamma, eps, ddof_back=1), f),
                     ("bn_unbiased_var", lambda: _bn_dx(dout, x, gamma, eps, ddof_var=1), f)]
        alts += [("bn_eps_misplaced", lambda: _bn_dx(dout, x, gamma, eps, std=np.sqrt(var) + eps), f),
                 ("bn_eps_forgotten", lambda: _bn_dx(dout, x, gamma, eps, std=np.sqrt(var)), f),
                 ("bn_eps_forgotten", lambda: _bn_dx(dout, x, gamma, 0.0), f)]
        judge(rdx, dx, case, atol=1e-9, rtol=1e-6, alternatives=alts, what="what_dx")
        # dgamma
        fg = {**f, "name": "dgamma"}
        judge(rdg, dgamma, case, atol=1e-9, rtol=1e-6, what="what_dgamma", alternatives=[
            ("bn_param_missing_batch_sum", lambda: dout * x_hat, fg),
            ("bn_dgamma_missing_xhat", lambda: rdb, fg),
            ("bn_dgamma_uses_x", lambda: (dout * x).sum(axis=0), fg),
            ("grad_divided_by_n", lambda: rdg / n, fg),
            ("bn_sign", lambda: -rdg, fg)])
        # dbeta
        fb = {**f, "name": "dbeta"}
        judge(rdb, dbeta, case, atol=1e-9, rtol=1e-6, what="what_dbeta", alternatives=[
            ("bn_param_missing_batch_sum", lambda: dout, fb),
            ("bn_swapped_dgamma_dbeta", lambda: rdg, fb),
            ("grad_divided_by_n", lambda: rdb / n, fb),
            ("bn_sign", lambda: -rdb, fb)])
    passed("batchnorm_backward", len(specs), hidden)


# ---------------------------------------------------------------------- clipping
# (seed, shapes, max_norm as a fraction of the total norm: < 1 clips, > 1 leaves unchanged)
_CLIP_VISIBLE = [(1, [(3, 2), (4,)], 0.5), (2, [(2, 3), (3,), (1, 3)], 2.0), (3, [(5,)], 0.1)]
_CLIP_HIDDEN = [(11, [(4, 3), (4,), (2, 4), (2,)], 0.3), (12, [(6,), (2, 2)], 1.5), (13, [(3, 3)], 0.7),
                (14, [(2,), (5, 2), (1,)], 0.05), (15, [(7, 1), (3,)], 1.01)]


def _clip_case(seed, shapes):
    rng = np.random.default_rng(seed)
    scales = rng.uniform(0.2, 5.0, len(shapes))       # arrays of very different norms
    return [rng.standard_normal(s) * sc for s, sc in zip(shapes, scales)]


def _list_of_arrays(got, n, case, exercise_names):
    """The learner's list (or tuple) of n arrays, or CheckFailed."""
    __tracebackhide__ = True
    if isinstance(got, np.ndarray):
        case.fail("clip_not_a_list", got=_describe(got), n=n)
    if not isinstance(got, (list, tuple)) or len(got) != n:
        case.fail("clip_not_a_list", got=_describe(got), n=n)
    return list(got)


def _judge_list(expected, got, case, alternatives, fields):
    """Judge clipped[i] against expected[i], for each i, with per-list alternatives."""
    __tracebackhide__ = True
    for i, (e, g) in enumerate(zip(expected, got)):
        name = f"clipped[{i}]"
        alts = [(cat, (lambda a=alt, i=i: a()[i]), {**fields, "name": name, "i": i}) for cat, alt in alternatives]
        alts.append(("clip_sign", lambda e=e: -e, {**fields, "name": name}))
        judge(e, g, case, atol=1e-10, rtol=1e-5, alternatives=alts, what=f"what_clipped_{min(i, 4)}")


def _norm(g):
    return float(np.sqrt(np.sum(np.asarray(g, dtype=np.float64) ** 2)))


def check_clip_by_norm(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = _CLIP_HIDDEN if hidden else _CLIP_VISIBLE
    descs, prepared = [], []
    for seed, shapes, frac in specs:
        grads = _clip_case(seed, shapes)
        total = math.sqrt(sum(_norm(g) ** 2 for g in grads))
        max_norm = round(frac * total, 3)
        prepared.append((grads, max_norm, total))
        descs.append("grads: " + ", ".join(_shape(g) for g in grads)
                     + f" (total norm {total:.4g}), max_norm = {max_norm:g}")
    for case, (grads, max_norm, total) in zip(cases("clip_by_norm", descs), prepared):
        saved = [g.copy() for g in grads]
        arg = list(grads)
        got = call(fn, (arg, max_norm), case)
        clipped, total_norm = _unpack(got, ("clipped", "total_norm"), case)
        if np.ndim(total_norm) > 0 and np.size(total_norm) > 1:   # the clipped list alone, of two arrays
            case.fail("bad_return", expected="(clipped, total_norm)", got=_describe(got))
        if len(arg) != len(saved) or any(a is not g for a, g in zip(arg, grads)):
            case.fail("clip_list_modified", n=len(saved))
        for i, (before, after) in enumerate(zip(saved, grads)):
            _unchanged(before, after, case, f"grads[{i}]", "clip_in_place")
        clipped = _list_of_arrays(clipped, len(saved), case, None)
        grads = saved
        expected, r_total = ref_clip_by_norm(grads, max_norm)
        norms = [_norm(g) for g in grads]
        f = {"max_norm": f"{max_norm:g}", "total": fmt(total, 6)}
        judge(r_total, total_norm, case, atol=1e-10, rtol=1e-7, what="what_total_norm", alternatives=[
            ("clip_norm_squared", total ** 2, f),
            ("clip_norm_sum_of_norms", sum(norms), f),
            ("clip_norm_after_clipping", min(total, max_norm), f),
            ("clip_norm_max_abs", max(float(np.abs(g).max()) for g in grads), f),
            ("clip_norm_first_only", norms[0], f),
        ])
        judge_alts = [
            ("clip_per_tensor", lambda: [g * min(1.0, max_norm / _norm(g)) for g in grads]),
            ("clip_per_tensor", lambda: [g * max_norm / _norm(g) for g in grads]),
            ("clip_inverted_ratio", lambda: [g * total / max_norm for g in grads]),
            ("clip_scales_up", lambda: [g * max_norm / total for g in grads]),
            ("clip_squared_norm", lambda: [g * min(1.0, max_norm / total ** 2) for g in grads]),
        ]
        _judge_list(expected, clipped, case, judge_alts, f)
    passed("clip_by_norm", len(specs), hidden)


# (seed, shapes, clip_value)
_VAL_VISIBLE = [(1, [(3, 2), (4,)], 1.0), (2, [(2, 3), (3,), (1, 3)], 0.5), (3, [(6,)], 2.5)]
_VAL_HIDDEN = [(11, [(4, 3), (4,)], 0.3), (12, [(6,), (2, 2), (3,)], 1.5), (13, [(3, 3)], 0.8),
               (14, [(2,), (5, 2)], 0.05), (15, [(7, 1), (3,)], 10.0)]


def check_clip_by_value(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = _VAL_HIDDEN if hidden else _VAL_VISIBLE
    descs = ["grads: " + ", ".join(_shape(np.empty(s)) for s in shapes) + f", clip_value = {c:g}"
             for _, shapes, c in specs]
    for case, (seed, shapes, c) in zip(cases("clip_by_value", descs), specs):
        grads = _clip_case(seed, shapes)
        flat = grads[0].reshape(-1)
        flat[0], flat[-1] = 1.7 * c + 0.3, -(2.1 * c + 0.2)      # at least one element beyond each side
        saved = [g.copy() for g in grads]
        arg = list(grads)
        got = call(fn, (arg, c), case)
        if len(arg) != len(saved) or any(a is not g for a, g in zip(arg, grads)):
            case.fail("clip_list_modified", n=len(saved))
        for i, (before, after) in enumerate(zip(saved, grads)):
            _unchanged(before, after, case, f"grads[{i}]", "clip_in_place")
        if isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], (list, tuple)) and len(saved) != 2:
            case.fail("bad_return", expected="clipped", got=_describe(got))
        clipped = _list_of_arrays(got, len(saved), case, None)
        grads = saved
        expected = ref_clip_by_value(grads, c)
        f = {"c": f"{c:g}"}
        alts = [
            ("clip_value_one_sided", lambda: [np.minimum(g, c) for g in grads]),
            ("clip_value_one_sided", lambda: [np.maximum(g, -c) for g in grads]),
            ("clip_value_abs", lambda: [np.minimum(np.abs(g), c) for g in grads]),
            ("clip_value_abs", lambda: [np.clip(np.abs(g), -c, c) for g in grads]),
            ("clip_value_sign_only", lambda: [np.sign(g) * c for g in grads]),
            ("clip_value_zeroed", lambda: [np.where(np.abs(g) > c, 0.0, g) for g in grads]),
            ("clip_value_rescaled", lambda: [g * c / max(float(np.abs(h).max()) for h in grads) for g in grads]),
            ("clip_value_rescaled", lambda: [g * min(1.0, c / float(np.abs(g).max())) for g in grads]),
        ]
        _judge_list(expected, clipped, case, alts, f)
    passed("clip_by_value", len(specs), hidden)


# ---------------------------------------------------------------------- initialisation scales
# (fan_in, fan_out, scheme, distribution); fan_in != fan_out everywhere
_INIT_VISIBLE = [(64, 48, "xavier", "normal"), (100, 300, "he", "normal"), (50, 20, "xavier", "uniform"),
                 (784, 256, "he", "uniform")]
_INIT_HIDDEN = [(20, 80, "xavier", "normal"), (256, 10, "he", "normal"), (300, 120, "xavier", "uniform"),
                (8, 128, "he", "uniform"), (1000, 10, "xavier", "normal"), (3, 5, "he", "normal")]


def _init_alternatives(fan_in, fan_out, scheme, distribution):
    """(category, value, fields) for the typical wrong scales of this case."""
    s3 = math.sqrt(3.0)
    u = distribution == "uniform"
    k = s3 if u else 1.0                     # the factor that turns the std into what is asked
    f = {"fan_in": fan_in, "fan_out": fan_out, "scheme": scheme, "distribution": distribution}
    if scheme == "xavier":
        std = math.sqrt(2.0 / (fan_in + fan_out))
        alts = [("init_variance_not_std", k * k * 2.0 / (fan_in + fan_out)),
                ("init_variance_not_std", 2.0 / (fan_in + fan_out)),
                ("init_xavier_fan_in_only", k * math.sqrt(1.0 / fan_in)),
                ("init_xavier_fan_out_only", k * math.sqrt(1.0 / fan_out)),
                ("init_xavier_missing_2", k * math.sqrt(1.0 / (fan_in + fan_out))),
                ("init_xavier_used_he", k * math.sqrt(2.0 / fan_in)),
                ("init_xavier_used_he", k * math.sqrt(2.0 / fan_out))]
    else:
        std = math.sqrt(2.0 / fan_in)
        alts = [("init_variance_not_std", k * k * 2.0 / fan_in),
                ("init_variance_not_std", 2.0 / fan_in),
                ("init_he_fan_out", k * math.sqrt(2.0 / fan_out)),
                ("init_he_missing_gain", k * math.sqrt(1.0 / fan_in)),
                ("init_he_missing_gain", k * math.sqrt(1.0 / fan_out)),
                ("init_he_gain_squared", k * 2.0 / math.sqrt(fan_in)),
                ("init_he_used_xavier", k * math.sqrt(2.0 / (fan_in + fan_out)))]
    if u:   # tried first: a right formula with the wrong factor for the distribution
        alts = [("init_uniform_returned_std", std), ("init_uniform_factor_3", 3.0 * std),
                ("init_uniform_sqrt6", math.sqrt(6.0) * std), ("init_uniform_sqrt3_over", std / s3)] + alts
    else:
        alts = [("init_normal_returned_bound", s3 * std)] + alts
    return [(c, v, f) for c, v in alts]


def check_init_scale(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = _INIT_HIDDEN if hidden else _INIT_VISIBLE
    descs = [f"init_scale({a}, {b}, {s!r}, {d!r})" for a, b, s, d in specs]
    for case, (fan_in, fan_out, scheme, distribution) in zip(cases("init_scale", descs), specs):
        got = call(fn, (fan_in, fan_out, scheme, distribution), case)
        expected = ref_init_scale(fan_in, fan_out, scheme, distribution)
        alts = _init_alternatives(fan_in, fan_out, scheme, distribution)
        judge(expected, got, case, atol=1e-12, rtol=1e-6, alternatives=alts, what="what_scale")
    passed("init_scale", len(specs), hidden)


# The exercises whose hidden check has a layer-sized case (the module attribute that holds it): an
# honest backward pass takes milliseconds there, finite differences run out of time. `make course`
# copies this table into the manifest as the exercise's time class ("layer"); it lives here, beside
# the cases, so that it has one source.
LAYER_SIZED = {
    "batchnorm_backward": "_BN_SCALE",
    **_layers.LAYER_SIZED,
}

__all__ = ["LAYER_SIZED", "check_batchnorm_backward", "check_clip_by_norm", "check_clip_by_value", "check_init_scale",
           "check_batchnorm_backward_staged", "check_layernorm_backward", "check_dropout_backward",
           "ref_batchnorm_forward", "ref_batchnorm_backward", "ref_clip_by_norm", "ref_clip_by_value",
           "ref_init_scale"]
