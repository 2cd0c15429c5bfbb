"""The answer key of chapter 7's layer checks (:mod:`coursekit.checks.ch07_layers`): batch norm
through its staged graph, layer norm and inverted dropout, forward and backward, and layer norm's
dx with the pieces a typical mistake drops (``layernorm_dx``). Conventions: see that module."""
from __future__ import annotations

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
