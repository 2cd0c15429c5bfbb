"""The answer key of chapter 7's layer checks (:mod:`coursekit.checks.ch07_layers`): batch norm
through its staged graph, layer norm and inverted dropout, forward and backward, and layer norm's
dx with the pieces a typical mistake drops (``layernorm_dx``). Conventions: see that module."""
from __future__ import annotations

import math

import numpy as np


def ref_batchnorm_forward_staged(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc ** 2).mean(axis=0)
    std = np.sqrt(var + eps)
    inv = 1.0 / std
    x_hat = xc * inv
    return gamma * x_hat + beta, (xc, var, std, inv, x_hat, gamma, eps)


def ref_batchnorm_backward_staged(dout, cache):
    xc, var, std, inv, x_hat, gamma, eps = cache
    n = xc.shape[0]
    d = {"beta": dout.sum(axis=0), "gamma": (dout * x_hat).sum(axis=0), "x_hat": dout * gamma}
    d["inv"] = (d["x_hat"] * xc).sum(axis=0)
    d["std"] = -d["inv"] / std ** 2
    d["var"] = d["std"] / (2.0 * std)
    d["xc"] = d["x_hat"] * inv + d["var"] * 2.0 * xc / n
    d["mu"] = -d["xc"].sum(axis=0)
    d["x"] = d["xc"] + d["mu"] / n
    return d


def ref_layernorm_forward(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    x_hat = (x - mean) / np.sqrt(var + eps)
    return gamma * x_hat + beta, (x, x_hat, mean, var, gamma, eps)


def layernorm_dx(dout, x_hat, var, gamma, eps, axis=1, mean_term=True, var_term=True, gamma_on=True, std=None):
    """dx of layer norm, with the pieces a typical mistake drops or moves to the other axis."""
    g = dout * gamma if gamma_on else dout
    std = np.sqrt(var + eps) if std is None else std
    out = g.copy()
    if mean_term:
        out = out - g.mean(axis=axis, keepdims=True)
    if var_term:
        out = out - x_hat * (g * x_hat).mean(axis=axis, keepdims=True)
    return out / std


def ref_layernorm_backward(dout, cache):
    x, x_hat, mean, var, gamma, eps = cache
    return layernorm_dx(dout, x_hat, var, gamma, eps), (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def ref_dropout_forward(x, mask, p):
    return x * mask / (1.0 - p)


def ref_dropout_backward(dout, mask, p):
    return dout * mask / (1.0 - p)


# ---------------------------------------------------------------------- batch norm, clipping, initialisation (coursekit.checks.ch07)
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


def bn_dx(dout, x, gamma, eps, ddof_var=0, ddof_back=0, mean_term=True, var_term=True, std=None):
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


# ---------------------------------------------------------------------- hidden cases of coursekit.checks.ch07
BN_HIDDEN = [(11, 8, 4, 1e-5), (12, 3, 2, 0.5), (13, 6, 5, 1e-3), (14, 2, 3, 0.2), (15, 10, 1, 0.1)]
# A hidden case at a real layer's size: the backward formula takes milliseconds, a gradient
# estimated by finite differences of the forward pass (two passes per element of x) about 9 times
# the grader's default limit (benchmarks/README.md; at (256, 512) only about 2 times).
BN_SCALE = (16, 512, 512, 1e-5)
CLIP_HIDDEN = [(11, [(4, 3), (4,), (2, 4), (2,)], 0.3), (12, [(6,), (2, 2)], 1.5), (13, [(3, 3)], 0.7),
               (14, [(2,), (5, 2), (1,)], 0.05), (15, [(7, 1), (3,)], 1.01)]
VAL_HIDDEN = [(11, [(4, 3), (4,)], 0.3), (12, [(6,), (2, 2), (3,)], 1.5), (13, [(3, 3)], 0.8),
              (14, [(2,), (5, 2)], 0.05), (15, [(7, 1), (3,)], 10.0)]
INIT_HIDDEN = [(20, 80, "xavier", "normal"), (256, 10, "he", "normal"), (300, 120, "xavier", "uniform"),
               (8, 128, "he", "uniform"), (1000, 10, "xavier", "normal"), (3, 5, "he", "normal")]


# ---------------------------------------------------------------------- hidden cases of coursekit.checks.ch07_layers
STAGED_HIDDEN = [(21, 7, 3, 1e-5), (22, 3, 5, 0.5), (23, 2, 2, 0.2), (24, 9, 1, 1e-3)]
STAGED_SCALE = (25, 512, 512, 1e-5)  # as BN_SCALE (benchmarks/README.md)
LN_HIDDEN = [(31, 6, 4, 1e-5), (32, 1, 5, 0.5), (33, 5, 2, 0.2), (34, 3, 8, 1e-3)]
LN_SCALE = (35, 512, 512, 1e-5)  # see STAGED_SCALE
DROP_HIDDEN = [(41, (5, 4), 0.3), (42, (2, 3, 4), 0.6), (43, (8,), 0.1), (44, (3, 7), 0.9)]
DROP_SCALE = (45, (640, 768), 0.4)  # as ACT_SCALE: the element-wise pass is as cheap
