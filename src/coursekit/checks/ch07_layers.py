"""Checks for chapter 7's layer backward passes derived stage by stage: batch norm through its
staged graph, layer norm and (inverted) dropout. Re-exported by :mod:`.ch07`, whose name the
chapter's tests cells use.

Conventions (the same as the chapter's docstrings):

    staged batch norm, x (N, D), gamma/beta (D,), every stage's value kept in the cache:
        mu = x.mean(axis=0); xc = x − mu; var = (xc ** 2).mean(axis=0); std = sqrt(var + eps)
        inv = 1 / std; x_hat = xc * inv; out = gamma * x_hat + beta
        cache = (xc, var, std, inv, x_hat, gamma, eps)
    check_batchnorm_backward_staged(fn)  fn(dout, cache) -> dict of dL/d(stage) for every stage,
                                         keys STAGES ("beta", "gamma", "x_hat", "inv", "std", "var",
                                         "xc", "mu", "x"), each of its stage's shape
    layer norm: the same per *sample*, over the features (axis 1), mean and var (N, 1):
        x_hat = (x − mean) / sqrt(var + eps), out = gamma * x_hat + beta, gamma/beta (D,)
        cache = (x, x_hat, mean, var, gamma, eps)
    check_layernorm_backward(fn)   fn(dout, cache) -> (dx, dgamma, dbeta)
    inverted dropout: out = x * mask / (1 − p); mask (same shape as x) is 1 where a unit is kept,
        0 where it is dropped, p the probability of dropping; the mask is an input, so the check
        is deterministic
    check_dropout_backward(fn)     fn(dout, mask, p) -> dx

How the judging works
---------------------
Seeded random cases (visible and hidden differ). Every reference gradient is first verified
against ``chainrule.numerical_grad`` of the forward pass. The staged batch norm is judged stage by
stage, in the order the backward pass visits them, so the first wrong stage is the one named (a
node with two uses needs the sum of both paths: xc feeds x_hat and var, x feeds xc and mu). Each
hidden check ends with a layer-sized case (LAYER_SIZED), where an honest backward pass takes
milliseconds and finite differences of the forward run out of time.
"""
from __future__ import annotations

import numpy as np

from chainrule import numerical_grad
from .core import call, cases, judge, passed
from .seeded import seeded
from ..key.ch07 import (layernorm_dx as _ln_dx, ref_batchnorm_backward_staged,  # noqa: F401 (re-exported)
                       ref_batchnorm_forward_staged, ref_dropout_backward, ref_dropout_forward,
                       ref_layernorm_backward, ref_layernorm_forward)
from .core import describe as _describe, unchanged as _unchanged, unpack as _unpack, verified as _verified

STAGES = ("beta", "gamma", "x_hat", "inv", "std", "var", "xc", "mu", "x")   # the order backward visits them


def _shape(a):
    return "(" + ", ".join(str(int(s)) for s in np.shape(a)) + (",)" if np.ndim(a) == 1 else ")")


# ---------------------------------------------------------------------- staged batch norm
# (seed, N, D, eps); N >= 2 (with one sample x − mu = 0 and every gradient of x vanishes)
_STAGED_VISIBLE = [(1, 4, 3, 1e-5), (2, 5, 2, 0.1), (3, 3, 4, 1e-2)]
_STAGED_HIDDEN = [(21, 7, 3, 1e-5), (22, 3, 5, 0.5), (23, 2, 2, 0.2), (24, 9, 1, 1e-3)]
_STAGED_SCALE = (25, 512, 512, 1e-5)  # as ch07._BN_SCALE (benchmarks/README.md)


@seeded(lambda: [_STAGED_SCALE[:3], _LN_SCALE[:3]])  # the layer-sized cases: drawn once per grading worker
def _norm_case(seed, n, d):
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.1, 2.0, d)
    x = rng.standard_normal((n, d)) * scale + rng.standard_normal(d)
    gamma = rng.uniform(0.5, 2.0, d) * rng.choice([-1.0, 1.0], d)
    return x, gamma, rng.standard_normal(d), rng.standard_normal((n, d))


def _staged_alternatives(key, d, cache, dout, n):
    """(category, value) of the typical wrong results of one stage, the earlier stages right."""
    xc, var, std, inv, x_hat, gamma, eps = cache
    alts = {
        "beta": [("bn_param_missing_batch_sum", lambda: dout)],
        "gamma": [("bn_param_missing_batch_sum", lambda: dout * x_hat), ("bn_dgamma_missing_xhat", lambda: d["beta"]),
                  ("bn_dgamma_uses_x", lambda: (dout * xc).sum(axis=0))],
        "x_hat": [("bn_missing_gamma", lambda: dout), ("bn_staged_summed", lambda: (dout * gamma).sum(axis=0))],
        "inv": [("bn_param_missing_batch_sum", lambda: d["x_hat"] * xc),
                ("bn_staged_inv_uses_xhat", lambda: (d["x_hat"] * x_hat).sum(axis=0))],
        "std": [("bn_staged_reciprocal_sign", lambda: d["inv"] / std ** 2),
                ("bn_staged_reciprocal_power", lambda: -d["inv"] / std)],
        "var": [("bn_staged_sqrt_half", lambda: d["std"] / std), ("bn_staged_sqrt_half", lambda: d["std"] * 2 * std),
                ("bn_staged_sqrt_half", lambda: d["std"] / (2 * np.sqrt(var)))],
        "xc": [("bn_staged_xc_one_path", lambda: d["x_hat"] * inv),
               ("bn_staged_xc_one_path", lambda: d["var"] * 2.0 * xc / n),
               ("bn_staged_var_mean", lambda: d["x_hat"] * inv + d["var"] * 2.0 * xc),
               ("bn_staged_var_mean", lambda: d["x_hat"] * inv + d["var"] * xc / n)],
        "mu": [("bn_param_missing_batch_sum", lambda: -d["xc"]), ("bn_staged_mu_sign", lambda: d["xc"].sum(axis=0))],
        "x": [("bn_staged_x_one_path", lambda: d["xc"]),
              ("bn_staged_x_one_path", lambda: np.broadcast_to(d["mu"] / n, xc.shape)),
              ("bn_staged_mean_missing_n", lambda: d["xc"] + d["mu"])],
    }[key]
    return alts


def check_batchnorm_backward_staged(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = _STAGED_HIDDEN + [_STAGED_SCALE] if hidden else _STAGED_VISIBLE
    descs = [f"x {(n, d)}, gamma {(d,)}, dout {(n, d)}, eps = {eps:g}" for _, n, d, eps in specs]
    for case, (seed, n, d, eps) in zip(cases("batchnorm_backward_staged", descs), specs):
        x, gamma, beta, dout = _norm_case(seed, n, d)
        _, cache = ref_batchnorm_forward_staged(x, gamma, beta, eps)
        saved = [np.array(c, dtype=np.float64, copy=True) for c in cache]
        saved_dout = dout.copy()
        got = call(fn, (dout, cache), case)
        _unchanged(saved_dout, dout, case, "dout")
        for name, before, after in zip(("xc", "var", "std", "inv", "x_hat", "gamma", "eps"), saved, cache):
            _unchanged(before, after, case, f"cache {name}")
        dout = saved_dout
        if not isinstance(got, dict):
            case.fail("bn_staged_not_a_dict", got=_describe(got), keys=", ".join(STAGES))
        missing = [k for k in STAGES if k not in got]
        if missing:
            case.fail("bn_staged_missing_key", stage=missing[0], keys=", ".join(STAGES))
        ref = ref_batchnorm_backward_staged(dout, cache)
        if (seed, n, d, eps) != _STAGED_SCALE:  # the reference is the same formula at every size
            fwd = lambda x_, g_, b_: ref_batchnorm_forward_staged(x_, g_, b_, eps)[0]  # noqa: E731
            _verified(ref["x"], lambda: numerical_grad(lambda v: fwd(v, gamma, beta), x.copy(), dout), "dx")
            _verified(ref["gamma"], lambda: numerical_grad(lambda v: fwd(x, v, beta), gamma.copy(), dout), "dgamma")
        for key in STAGES:
            f = {"name": f"grads[{key!r}]", "n": n, "eps": f"{eps:g}"}
            alts = [(c, v, f) for c, v in _staged_alternatives(key, ref, cache, dout, n)]
            alts.append(("bn_sign", (lambda k=key: -ref[k]), f))
            judge(ref[key], got[key], case, atol=1e-9, rtol=1e-6, alternatives=alts,
                  what=("what_stage", {"stage": key}))
    passed("batchnorm_backward_staged", len(specs), hidden)


# ---------------------------------------------------------------------- layer norm
_LN_VISIBLE = [(1, 3, 4, 1e-5), (2, 2, 5, 0.1), (3, 4, 3, 1e-2)]
_LN_HIDDEN = [(31, 6, 4, 1e-5), (32, 1, 5, 0.5), (33, 5, 2, 0.2), (34, 3, 8, 1e-3)]
_LN_SCALE = (35, 512, 512, 1e-5)  # see _STAGED_SCALE


def call_norm_backward(fn, dout, cache, case):
    """``fn(dout, cache)`` of a normalisation layer (batch or layer norm, cache (x, x_hat, mean,
    var, gamma, eps)): its (dx, dgamma, dbeta), and copies of dout and of the cache from before the
    call, each guarded against a change in place (named in the message)."""
    __tracebackhide__ = True
    saved = [np.array(c, dtype=np.float64, copy=True) for c in cache]
    saved_dout = dout.copy()
    got = call(fn, (dout, cache), case)
    grads = _unpack(got, ("dx", "dgamma", "dbeta"), case)
    _unchanged(saved_dout, dout, case, "dout")
    for name, before, after in zip(("x", "x_hat", "mean", "var", "gamma", "eps"), saved, cache):
        _unchanged(before, after, case, f"cache {name}")
    return grads, saved_dout, saved


def check_layernorm_backward(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = _LN_HIDDEN + [_LN_SCALE] if hidden else _LN_VISIBLE
    descs = [f"x {(n, d)}, gamma {(d,)}, dout {(n, d)}, eps = {eps:g}" for _, n, d, eps in specs]
    for case, (seed, n, d, eps) in zip(cases("layernorm_backward", descs), specs):
        x, gamma, beta, dout = _norm_case(seed, n, d)
        x = x + np.random.default_rng(seed + 100).standard_normal((n, 1))   # every sample its own offset
        _, cache = ref_layernorm_forward(x, gamma, beta, eps)
        (dx, dgamma, dbeta), dout, saved = call_norm_backward(fn, dout, cache, case)
        x, x_hat, mean, var = saved[0], saved[1], saved[2], saved[3]
        rdx, rdg, rdb = ref_layernorm_backward(dout, (x, x_hat, mean, var, gamma, eps))
        if (seed, n, d, eps) != _LN_SCALE:
            fwd = lambda x_, g_, b_: ref_layernorm_forward(x_, g_, b_, eps)[0]  # noqa: E731
            _verified(rdx, lambda: numerical_grad(lambda v: fwd(v, gamma, beta), x.copy(), dout), "dx")
            _verified(rdg, lambda: numerical_grad(lambda v: fwd(x, v, beta), gamma.copy(), dout), "dgamma")
        f = {"n": n, "d": d, "eps": f"{eps:g}", "name": "dx"}
        ln = lambda **kw: _ln_dx(dout, x_hat, var, gamma, eps, **kw)  # noqa: E731
        judge(rdx, dx, case, atol=1e-9, rtol=1e-6, what="what_dx", alternatives=[
            ("ln_batch_axis", lambda: ln(axis=0), f),
            ("ln_only_direct_term", lambda: ln(mean_term=False, var_term=False), f),
            ("ln_missing_var_term", lambda: ln(var_term=False), f),
            ("ln_missing_mean_term", lambda: ln(mean_term=False), f),
            ("bn_missing_gamma", lambda: ln(gamma_on=False), f),
            ("bn_eps_misplaced", lambda: ln(std=np.sqrt(var) + eps), f),
            ("bn_eps_forgotten", lambda: ln(std=np.sqrt(var)), f),
            ("ln_sign", lambda: -rdx, f)])
        fg = {**f, "name": "dgamma"}
        judge(rdg, dgamma, case, atol=1e-9, rtol=1e-6, what="what_dgamma", alternatives=[
            ("bn_param_missing_batch_sum", lambda: dout * x_hat, fg),
            ("ln_param_feature_sum", lambda: (dout * x_hat).sum(axis=1), fg),
            ("bn_dgamma_missing_xhat", lambda: rdb, fg),
            ("bn_dgamma_uses_x", lambda: (dout * x).sum(axis=0), fg),
            ("ln_sign", lambda: -rdg, fg)])
        fb = {**f, "name": "dbeta"}
        judge(rdb, dbeta, case, atol=1e-9, rtol=1e-6, what="what_dbeta", alternatives=[
            ("bn_param_missing_batch_sum", lambda: dout, fb),
            ("ln_param_feature_sum", lambda: dout.sum(axis=1), fb),
            ("bn_swapped_dgamma_dbeta", lambda: rdg, fb),
            ("ln_sign", lambda: -rdb, fb)])
    passed("layernorm_backward", len(specs), hidden)


# ---------------------------------------------------------------------- dropout
# (seed, shape, p): p is the probability of dropping a unit
_DROP_VISIBLE = [(1, (4, 5), 0.5), (2, (3, 6), 0.2), (3, (6,), 0.75)]
_DROP_HIDDEN = [(41, (5, 4), 0.3), (42, (2, 3, 4), 0.6), (43, (8,), 0.1), (44, (3, 7), 0.9)]
_DROP_SCALE = (45, (640, 768), 0.4)  # as ch03's _ACT_SCALE: the element-wise pass is as cheap


@seeded(lambda: [_DROP_SCALE])  # the layer-sized case: drawn once per grading worker
def _drop_case(seed, shape, p):
    rng = np.random.default_rng(seed)
    mask = (rng.random(shape) >= p).astype(np.float64)
    flat = mask.reshape(-1)
    flat[0], flat[-1] = 1.0, 0.0                 # one kept and one dropped unit at least
    return rng.standard_normal(shape), mask, rng.standard_normal(shape)


def check_dropout_backward(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = _DROP_HIDDEN + [_DROP_SCALE] if hidden else _DROP_VISIBLE
    descs = [f"dout {_shape(np.empty(s))}, mask {_shape(np.empty(s))}, p = {p:g}" for _, s, p in specs]
    for case, (seed, shape, p) in zip(cases("dropout_backward", descs), specs):
        x, mask, dout = _drop_case(seed, shape, p)
        saved_dout, saved_mask = dout.copy(), mask.copy()
        got = call(fn, (dout, mask, p), case)
        _unchanged(saved_dout, dout, case, "dout")
        _unchanged(saved_mask, mask, case, "mask")
        dout, mask = saved_dout, saved_mask
        expected = ref_dropout_backward(dout, mask, p)
        if len(shape) == 2 and shape[0] * shape[1] <= 64:
            _verified(expected, lambda: numerical_grad(lambda v: ref_dropout_forward(v, mask, p), x.copy(), dout), "dx")
        f = {"p": f"{p:g}", "keep": f"{1 - p:g}", "name": "dx"}
        judge(expected, got, case, atol=1e-12, rtol=1e-9, what="what_dx", alternatives=[
            ("drop_missing_scale", lambda: dout * mask, f),
            ("drop_scaled_by_p", lambda: dout * mask / p, f),
            ("drop_multiplied_keep", lambda: dout * mask * (1 - p), f),
            ("drop_missing_mask", lambda: dout / (1 - p), f),
            ("drop_inverted_mask", lambda: dout * (1 - mask) / (1 - p), f),
            ("drop_inverted_mask", lambda: dout * (1 - mask) / p, f),
            ("drop_missing_upstream", lambda: mask / (1 - p), f),
            ("drop_sign", lambda: -expected, f)])
    passed("dropout_backward", len(specs), hidden)


# The exercises whose hidden check has a layer-sized case (merged into ch07.LAYER_SIZED).
LAYER_SIZED = {
    "batchnorm_backward_staged": "_STAGED_SCALE",
    "layernorm_backward": "_LN_SCALE",
    "dropout_backward": "_DROP_SCALE",
}

__all__ = ["LAYER_SIZED", "STAGES", "check_batchnorm_backward_staged", "check_dropout_backward",
           "check_layernorm_backward", "ref_batchnorm_backward_staged", "ref_batchnorm_forward_staged",
           "ref_dropout_backward", "ref_layernorm_backward", "ref_layernorm_forward"]
