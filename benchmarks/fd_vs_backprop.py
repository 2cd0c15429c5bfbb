"""Why a numerical "backward pass" fails the grader: the layer-sized hidden case of every backward exercise,
timed with honest solutions and with finite differences, side by side.

    python benchmarks/fd_vs_backprop.py [--only conv2d_backward ...] [--perturbations 6]
                                        [--set conv2d_backward="(16, 16, 16, 32, 32, 4, 3, 3, 2, 1)"]

For each exercise the table shows

  honest      the whole hidden check (every hidden case, the judge's reference and diagnosis included),
              run with each honest solution: the chapter's loops, the naive element-by-element loops a
              learner might write (4 to 7 loops deep), and a vectorised version;
  FD          finite differences as fast as a learner could write them: central differences perturbing
              one input element at a time and re-running the fastest vectorised forward pass we know
              (the time of a few perturbations, extrapolated to every element of every input whose
              gradient the exercise asks for; "largest" is the largest input alone, a lower bound for a
              learner who derives the easy gradients and estimates only the biggest);
  FD/limit    the FD time over the grader's default per-exercise limit (60 s, --exercise-timeout).

Sizes are the checks' own layer-sized hidden cases (``*_SCALE`` in the answer key, ``grader.key.chXX``); ``--set``
tries another size for one exercise. Run it on an otherwise idle machine: the honest columns are single
runs, the FD columns extrapolate the fastest perturbation.

What sizing cannot stop (see grader/README.md, "Limits"): an element-wise function (sigmoid, tanh, ReLU,
MSE) has a vectorised finite difference that is one forward pass, O(N) like the answer itself (the
"FD, vectorised" row); and a learner who exploits the structure of the forward pass (perturbing many
inputs whose outputs do not overlap in one pass, or running the forward pass on one sample only) needs
far fewer passes than one per element.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import io
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))   # run from a checkout

from coursekit.checks import ch03, ch03_act, ch03_tensor, ch05, ch06, ch07, ch07_layers  # noqa: E402
from grader.key import ch03 as key03, ch05 as key05, ch06 as key06, ch07 as key07  # the layer-sized cases
from coursekit.checks.core import CheckFailed  # noqa: E402

LIMIT = 60.0   # the grader's default --exercise-timeout, seconds


# ====================================================================== honest solutions
# ---------------------------------------------------------------------- chapter 3
def affine_backward_vec(dout, cache):
    x, w, b = cache
    return dout @ w, dout.T @ x, dout.sum(axis=0)


def affine_backward_rows(dout, cache):
    x, w, b = cache
    dx, dw, db = np.zeros_like(x), np.zeros_like(w), np.zeros_like(b)
    for i in range(x.shape[0]):
        dx[i] = dout[i] @ w
        dw += np.outer(dout[i], x[i])
        db += dout[i]
    return dx, dw, db


def ce_vec(logits, y):
    n = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    d = np.exp(log_p)
    d[np.arange(n), y] -= 1.0
    return float(-log_p[np.arange(n), y].mean()), d / n


def ce_rows(logits, y):
    n, c = logits.shape
    loss, d = 0.0, np.zeros((n, c))
    for i in range(n):
        z = logits[i] - logits[i].max()
        p = np.exp(z) / np.exp(z).sum()
        loss -= np.log(p[y[i]])
        d[i] = p
        d[i, y[i]] -= 1.0
    return loss / n, d / n


def ce_scalar(logits, y):
    import math
    n, c = logits.shape
    loss, d = 0.0, np.zeros((n, c))
    for i in range(n):
        m = max(logits[i, j] for j in range(c))
        s = 0.0
        for j in range(c):
            s += math.exp(logits[i, j] - m)
        for j in range(c):
            d[i, j] = math.exp(logits[i, j] - m) / s / n
        d[i, y[i]] -= 1.0 / n
        loss -= (logits[i, y[i]] - m - math.log(s)) / n
    return loss, d


def sigmoid_backward_vec(dout, out):
    return dout * out * (1.0 - out)


def sigmoid_backward_scalar(dout, out):
    dx = np.zeros_like(out)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            dx[i, j] = dout[i, j] * out[i, j] * (1.0 - out[i, j])
    return dx


def tanh_backward_vec(dout, out):
    return dout * (1.0 - out ** 2)


def relu_backward_vec(dout, x):
    return dout * (x > 0)


def mse_vec(pred, target):
    diff = pred - target
    return float(np.mean(diff ** 2)), 2.0 * diff / diff.size


def net_vec(x, y, p):
    h_pre = x @ p["W1"].T + p["b1"]
    h = np.maximum(h_pre, 0.0)
    loss, ds = ce_vec(h @ p["W2"].T + p["b2"], y)
    dh = (ds @ p["W2"]) * (h_pre > 0)
    return loss, {"W1": dh.T @ x, "b1": dh.sum(axis=0), "W2": ds.T @ h, "b2": ds.sum(axis=0)}


# ---------------------------------------------------------------------- chapter 5
def conv_backward_chapter(dout, cache):
    """The chapter's solution: loops over images, filters and output positions, a window at a time."""
    x, w, b, stride, padding = cache
    n, f, ho, wo = dout.shape
    kh, kw = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp, dw, db = np.zeros(xp.shape), np.zeros(w.shape), np.zeros(b.shape)
    for i in range(n):
        for k in range(f):
            for r in range(ho):
                for s in range(wo):
                    rows, cols = slice(r * stride, r * stride + kh), slice(s * stride, s * stride + kw)
                    g = dout[i, k, r, s]
                    db[k] += g
                    dw[k] += g * xp[i, :, rows, cols]
                    dxp[i, :, rows, cols] += g * w[k]
    return dxp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]], dw, db


def conv_backward_7loops(dout, cache):
    """Every multiply-add its own Python statement: seven loops deep."""
    x, w, b, stride, padding = cache
    n, f, ho, wo = dout.shape
    c, kh, kw = w.shape[1:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp, dw, db = np.zeros(xp.shape), np.zeros(w.shape), np.zeros(b.shape)
    for i in range(n):
        for k in range(f):
            for r in range(ho):
                for s in range(wo):
                    g = dout[i, k, r, s]
                    db[k] += g
                    for ch in range(c):
                        for p in range(kh):
                            for q in range(kw):
                                dw[k, ch, p, q] += g * xp[i, ch, r * stride + p, s * stride + q]
                                dxp[i, ch, r * stride + p, s * stride + q] += g * w[k, ch, p, q]
    return dxp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]], dw, db


def conv_backward_vec(dout, cache):
    """kh·kw shifted views of the padded input, each a pair of contractions over the batch and positions
    (written out: a learner's code may not import the answer key, and the grader's rule says so)."""
    x, w, b, s, p = cache
    f, c, kh, kw = w.shape
    ho, wo = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dxp, dw = np.zeros(xp.shape), np.zeros(w.shape)
    for i in range(kh):
        for j in range(kw):
            rows, cols = slice(i, i + s * (ho - 1) + 1, s), slice(j, j + s * (wo - 1) + 1, s)
            dw[:, :, i, j] = np.einsum("nfhw,nchw->fc", dout, xp[:, :, rows, cols])
            dxp[:, :, rows, cols] += np.einsum("nfhw,fc->nchw", dout, w[:, :, i, j])
    return dxp[:, :, p:p + x.shape[2], p:p + x.shape[3]], dw, dout.sum(axis=(0, 2, 3))


def maxpool_backward_chapter(dout, cache):
    x, (kh, kw), stride = cache
    n, c, ho, wo = dout.shape
    dx = np.zeros(x.shape)
    for a in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    window = x[a, ch, i * stride:i * stride + kh, j * stride:j * stride + kw]
                    p, q = np.unravel_index(np.argmax(window), window.shape)
                    dx[a, ch, i * stride + p, j * stride + q] += dout[a, ch, i, j]
    return dx


def maxpool_backward_6loops(dout, cache):
    x, (kh, kw), stride = cache
    n, c, ho, wo = dout.shape
    dx = np.zeros(x.shape)
    for a in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    best, bp, bq = -np.inf, 0, 0
                    for p in range(kh):
                        for q in range(kw):
                            v = x[a, ch, i * stride + p, j * stride + q]
                            if v > best:
                                best, bp, bq = v, p, q
                    dx[a, ch, i * stride + bp, j * stride + bq] += dout[a, ch, i, j]
    return dx


def maxpool_backward_vec(dout, cache):
    """The window's maximum found by kh·kw shifted views, the gradient routed where a view equals it
    (the check's inputs have no ties)."""
    x, (kh, kw), s = cache
    ho, wo = dout.shape[2:]
    m = pool_forward_fast(x, (kh, kw), s, "max")
    dx = np.zeros(x.shape)
    for i in range(kh):
        for j in range(kw):
            rows, cols = slice(i, i + s * (ho - 1) + 1, s), slice(j, j + s * (wo - 1) + 1, s)
            dx[:, :, rows, cols] += dout * (x[:, :, rows, cols] == m)
    return dx


def avgpool_backward_chapter(dout, cache):
    x, (kh, kw), stride = cache
    ho, wo = dout.shape[2:]
    dx = np.zeros(x.shape)
    for i in range(ho):
        for j in range(wo):
            dx[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw] += dout[:, :, i:i + 1, j:j + 1] / (kh * kw)
    return dx


def avgpool_backward_4loops(dout, cache):
    x, (kh, kw), stride = cache
    n, c, ho, wo = dout.shape
    dx = np.zeros(x.shape)
    for a in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    dx[a, ch, i * stride:i * stride + kh, j * stride:j * stride + kw] += dout[a, ch, i, j] / (kh * kw)
    return dx


def avgpool_backward_6loops(dout, cache):
    x, (kh, kw), stride = cache
    n, c, ho, wo = dout.shape
    dx = np.zeros(x.shape)
    for a in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    g = dout[a, ch, i, j] / (kh * kw)
                    for p in range(kh):
                        for q in range(kw):
                            dx[a, ch, i * stride + p, j * stride + q] += g
    return dx


# ---------------------------------------------------------------------- chapter 6
def rnn_step_vec(dh, cache):
    x, h_prev, Wx, Wh, b, h = cache
    dz = dh * (1.0 - h ** 2)
    return dz @ Wx.T, dz @ Wh.T, x.T @ dz, h_prev.T @ dz, dz.sum(axis=0)


def rnn_step_rows(dh, cache):
    """One sample at a time: outer products for the weights."""
    x, h_prev, Wx, Wh, b, h = cache
    dx, dhp = np.zeros_like(x), np.zeros_like(h_prev)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    for n in range(x.shape[0]):
        dz = dh[n] * (1.0 - h[n] ** 2)
        dx[n], dhp[n] = Wx @ dz, Wh @ dz
        dWx += np.outer(x[n], dz)
        dWh += np.outer(h_prev[n], dz)
        db += dz
    return dx, dhp, dWx, dWh, db


def rnn_step_scalar(dh, cache):
    """Every multiply-add its own statement: three loops deep."""
    x, h_prev, Wx, Wh, b, h = cache
    N, D = x.shape
    H = h.shape[1]
    dx, dhp = np.zeros_like(x), np.zeros_like(h_prev)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    for n in range(N):
        for j in range(H):
            dz = dh[n, j] * (1.0 - h[n, j] ** 2)
            db[j] += dz
            for d in range(D):
                dx[n, d] += dz * Wx[d, j]
                dWx[d, j] += x[n, d] * dz
            for k in range(H):
                dhp[n, k] += dz * Wh[k, j]
                dWh[k, j] += h_prev[n, k] * dz
    return dx, dhp, dWx, dWh, db


def _bptt_with(step, cut_every=None):
    def backward(dh_all, cache, k=None):
        T = len(cache)
        x0, h0, Wx, Wh, b, _ = cache[0]
        dx = np.zeros((T,) + x0.shape)
        dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
        dh_next = np.zeros_like(h0)
        for t in reversed(range(T)):
            dx[t], dh_next, gx, gh, gb = step(dh_all[t] + dh_next, cache[t])
            dWx, dWh, db = dWx + gx, dWh + gh, db + gb
            if k is not None and t > 0 and t % k == 0:
                dh_next = np.zeros_like(dh_next)
        return dx, dh_next, dWx, dWh, db
    return backward


def lstm_step_vec(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, b, i, f, g, o, c = cache
    tanh_c = np.tanh(c)
    dc_t = dc + dh * o * (1.0 - tanh_c ** 2)
    da = np.concatenate([dc_t * g * i * (1.0 - i), dc_t * c_prev * f * (1.0 - f), dc_t * i * (1.0 - g ** 2),
                         dh * tanh_c * o * (1.0 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc_t * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def lstm_step_rows(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, b, i, f, g, o, c = cache
    outs = [np.zeros_like(x), np.zeros_like(h_prev), np.zeros_like(c_prev), np.zeros_like(Wx), np.zeros_like(Wh),
            np.zeros_like(b)]
    for n in range(x.shape[0]):
        tc = np.tanh(c[n])
        dct = dc[n] + dh[n] * o[n] * (1.0 - tc ** 2)
        da = np.concatenate([dct * g[n] * i[n] * (1 - i[n]), dct * c_prev[n] * f[n] * (1 - f[n]),
                             dct * i[n] * (1 - g[n] ** 2), dh[n] * tc * o[n] * (1 - o[n])])
        outs[0][n], outs[1][n], outs[2][n] = Wx @ da, Wh @ da, dct * f[n]
        outs[3] += np.outer(x[n], da)
        outs[4] += np.outer(h_prev[n], da)
        outs[5] += da
    return tuple(outs)


def lstm_step_scalar(dh, dc, cache):
    """The gate derivatives element by element, then every multiply-add its own statement."""
    import math
    x, h_prev, c_prev, Wx, Wh, b, i, f, g, o, c = cache
    N, D = x.shape
    H = h_prev.shape[1]
    dx, dhp, dcp = np.zeros_like(x), np.zeros_like(h_prev), np.zeros_like(c_prev)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    da = np.zeros((N, 4 * H))
    for n in range(N):
        for j in range(H):
            tc = math.tanh(c[n, j])
            dct = dc[n, j] + dh[n, j] * o[n, j] * (1.0 - tc * tc)
            da[n, j] = dct * g[n, j] * i[n, j] * (1.0 - i[n, j])
            da[n, H + j] = dct * c_prev[n, j] * f[n, j] * (1.0 - f[n, j])
            da[n, 2 * H + j] = dct * i[n, j] * (1.0 - g[n, j] ** 2)
            da[n, 3 * H + j] = dh[n, j] * tc * o[n, j] * (1.0 - o[n, j])
            dcp[n, j] = dct * f[n, j]
    for n in range(N):
        for j in range(4 * H):
            a = da[n, j]
            db[j] += a
            for d in range(D):
                dx[n, d] += a * Wx[d, j]
                dWx[d, j] += x[n, d] * a
            for k in range(H):
                dhp[n, k] += a * Wh[k, j]
                dWh[k, j] += h_prev[n, k] * a
    return dx, dhp, dcp, dWx, dWh, db


# ---------------------------------------------------------------------- chapter 7
def bn_backward_vec(dout, cache):
    x, x_hat, mean, var, gamma, eps = cache
    n = x.shape[0]
    dbeta, dgamma = dout.sum(axis=0), (dout * x_hat).sum(axis=0)
    return gamma / np.sqrt(var + eps) / n * (n * dout - dbeta - x_hat * dgamma), dgamma, dbeta


# ---------------------------------------------------------------------- chapter 3's tensor engine, chapter 7's layers
# (one honest version each: the vectorised formula, as the chapters derive it; written out here, since
# a learner's code may not import the answer key)
def unbroadcast_vec(g, shape):
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead else g
    ones = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    return g.sum(axis=ones, keepdims=True) if ones else g


def matmul_vjp_vec(g, a, b):
    return g @ b.T, a.T @ g


def sum_vjp_vec(g, shape, axis=None, keepdims=False):
    if not keepdims:
        axes = tuple(range(len(shape))) if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        g = np.expand_dims(g, tuple(sorted(a % len(shape) for a in axes)))
    return np.broadcast_to(g, tuple(shape)).copy()


def log_softmax_vjp_vec(g, out):
    return g - np.exp(out) * g.sum(axis=-1, keepdims=True)


def bn_staged_vec(dout, cache):
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


def layernorm_vec(dout, cache):
    x, x_hat, mean, var, gamma, eps = cache
    g = dout * gamma
    dx = (g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def dropout_vec(dout, mask, p):
    return dout * mask / (1.0 - p)


# ====================================================================== the fastest forward passes (for FD)
def conv_forward_fast(x, w, b, stride, padding):
    """kh·kw matrix products over shifted views (NHWC): the fastest NumPy convolution we found here."""
    f, c, kh, kw = w.shape
    n, _, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding))).transpose(0, 2, 3, 1)
    ho, wo = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, ho, wo, f))
    for p in range(kh):
        for q in range(kw):
            out += xp[:, p:p + stride * (ho - 1) + 1:stride, q:q + stride * (wo - 1) + 1:stride, :] @ w[:, :, p, q].T
    return (out + b).transpose(0, 3, 1, 2)


def pool_forward_fast(x, kernel, stride, mode):
    kh, kw = kernel
    ho, wo = (x.shape[2] - kh) // stride + 1, (x.shape[3] - kw) // stride + 1
    acc = None
    for p in range(kh):
        for q in range(kw):
            v = x[:, :, p:p + stride * (ho - 1) + 1:stride, q:q + stride * (wo - 1) + 1:stride]
            acc = v.copy() if acc is None else (np.maximum(acc, v) if mode == "max" else acc + v)
    return acc if mode == "max" else acc / (kh * kw)


def _rnn_run(x, h0, Wx, Wh, b, cut=()):
    h, hs = h0, []
    for t in range(x.shape[0]):
        if t in cut:
            h = h.copy()   # a detached state costs the same forward pass
        h = np.tanh(x[t] @ Wx + h @ Wh + b)
        hs.append(h)
    return np.stack(hs)


def fd_seconds(inputs, scalar, perturbations, eps=1e-6):
    """Estimated time of central differences over every element of ``inputs`` (a list of arrays that
    ``scalar()`` reads): ``perturbations`` perturbations per input, spread over its elements, each timed
    alone; the fastest one, times the number of elements (the fastest, because on a busy machine a
    multithreaded BLAS stalls now and then, and the estimate must not flatter the sizes).
    Returns (every input, the largest input alone)."""
    best = np.inf
    for a in inputs:
        flat = a.reshape(-1)   # a view: the arrays ``scalar`` reads are contiguous
        for i in np.linspace(0, a.size - 1, perturbations).astype(int):
            t0 = time.perf_counter()
            old = flat[i]
            flat[i] = old + eps
            scalar()
            flat[i] = old - eps
            scalar()
            flat[i] = old
            best = min(best, time.perf_counter() - t0)
    return best * sum(a.size for a in inputs), best * max(a.size for a in inputs)


def fd_vectorised_seconds(f, repeat=5):
    """One vectorised element-wise difference: two forward passes over the whole array."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


# ====================================================================== per exercise: the case and the FD set-up
def _fd_conv(spec, k):
    x, w, b, dout = ch05._conv_case(*spec)
    stride, pad = spec[-2], spec[-1]
    return fd_seconds([x, w, b], lambda: float(np.sum(conv_forward_fast(x, w, b, stride, pad) * dout)), k)


def _fd_pool(mode):
    def run(spec, k):
        seed, n, c, h, w, kh, kw, stride = spec
        x, dout = ch05._pool_case(*spec)
        return fd_seconds([x], lambda: float(np.sum(pool_forward_fast(x, (kh, kw), stride, mode) * dout)), k)
    return run


def _fd_ce(spec, k):
    logits, y = ch03._ce_case(*spec)
    rows = np.arange(len(y))

    def loss():
        z = logits - logits.max(axis=1, keepdims=True)
        return -np.mean(z[rows, y] - np.log(np.exp(z).sum(axis=1)))
    return fd_seconds([logits], loss, k)


def _fd_rnn_step(spec, k):
    seed, n, d, hd = spec
    rng = np.random.default_rng(seed)
    x, h_prev = rng.standard_normal((n, d)), rng.standard_normal((n, hd))
    Wx, Wh, b = ch06._rnn_params(rng, d, hd)
    dh = rng.standard_normal((n, hd))
    return fd_seconds([x, h_prev, Wx, Wh, b], lambda: float(np.sum(np.tanh(x @ Wx + h_prev @ Wh + b) * dh)), k)


def _fd_seq(spec, k):
    seed, T, n, d, hd = spec[:5]
    x, h0, Wx, Wh, b, dh_all = ch06._sequence(seed, T, n, d, hd)
    cut = ch06.tbptt_cuts(T, spec[5]) if len(spec) > 5 else ()
    return fd_seconds([x, h0, Wx, Wh, b], lambda: float(np.sum(_rnn_run(x, h0, Wx, Wh, b, cut) * dh_all)), k)


def _fd_lstm(spec, k):
    seed, n, d, hd = spec
    rng = np.random.default_rng(seed)
    x, h_prev, c_prev = rng.standard_normal((n, d)), rng.standard_normal((n, hd)), rng.standard_normal((n, hd))
    Wx, Wh, b = rng.standard_normal((d, 4 * hd)), rng.standard_normal((hd, 4 * hd)), rng.standard_normal(4 * hd)
    dh, dc = rng.standard_normal((n, hd)), rng.standard_normal((n, hd))

    def scalar():
        h, c, _ = ch06.ref_lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
        return float(np.sum(h * dh) + np.sum(c * dc))
    return fd_seconds([x, h_prev, c_prev, Wx, Wh, b], scalar, k)


def _fd_affine(spec, k):
    x, w, b, dout = ch03._affine_case(*spec)
    return fd_seconds([x, w, b], lambda: float(np.sum((x @ w.T + b) * dout)), k)


def _fd_net(spec, k):
    x, y, p = ch03._net_case(*spec)
    arrays = [p["W1"], p["b1"], p["W2"], p["b2"]]
    return fd_seconds(arrays, lambda: ch03.ref_two_layer_net(x, y, p)[0], k)


def _fd_bn(spec, k):
    x, gamma, beta, dout = ch07._bn_case(*spec)
    eps = spec[-1]
    return fd_seconds([x, gamma, beta],
                      lambda: float(np.sum(ch07.ref_batchnorm_forward(x, gamma, beta, eps)[0] * dout)), k)


def _fd_act(forward):
    def run(spec, k):
        seed, shape = spec
        x, dout = ch03_act._act_case(seed, shape)
        per_element = fd_seconds([x], lambda: float(np.sum(forward(x) * dout)), k)
        return per_element, fd_vectorised_seconds(lambda: forward(x + 1e-6))
    return run


def _fd_mse(spec, k):
    seed, n, d = spec
    rng = np.random.default_rng(seed)
    pred, target = rng.standard_normal((n, d)), rng.standard_normal((n, d))
    per_element = fd_seconds([pred], lambda: float(np.mean((pred - target) ** 2)), k)
    return per_element, fd_vectorised_seconds(lambda: (pred + 1e-6 - target) ** 2)


def _fd_unbroadcast(spec, k):
    seed, gshape, shape = spec
    g = ch03_tensor._ub_case(seed, gshape)
    a = np.random.default_rng(seed + 100).standard_normal(shape)
    return fd_seconds([a], lambda: float(np.sum(np.broadcast_to(a, gshape) * g)), k)


def _fd_matmul(spec, k):
    a, b, g = ch03_tensor._mm_case(*spec)
    return fd_seconds([a, b], lambda: float(np.sum((a @ b) * g)), k)


def _fd_sum(spec, k):
    seed, shape, axis, keepdims = spec
    a, g = ch03_tensor._sum_case(*spec)
    return fd_seconds([a], lambda: float(np.sum(np.sum(a, axis=axis, keepdims=keepdims) * g)), k)


def _fd_lsm(spec, k):
    a, _, g = ch03_tensor._lsm_case(*spec)
    return fd_seconds([a], lambda: float(np.sum(key03.log_softmax(a) * g)), k)


def _fd_norm(forward, offset):
    """Batch norm through its stages, or layer norm: FD over x and gamma of the forward pass."""
    def run(spec, k):
        seed, n, d, eps = spec
        x, gamma, beta, dout = ch07_layers._norm_case(seed, n, d)
        if offset:
            x = x + np.random.default_rng(seed + 100).standard_normal((n, 1))
        return fd_seconds([x, gamma], lambda: float(np.sum(forward(x, gamma, beta, eps)[0] * dout)), k)
    return run


def _fd_dropout(spec, k):
    seed, shape, p = spec
    x, mask, dout = ch07_layers._drop_case(seed, shape, p)
    forward = lambda v: v * mask / (1.0 - p)  # noqa: E731
    per_element = fd_seconds([x], lambda: float(np.sum(forward(x) * dout)), k)
    return per_element, fd_vectorised_seconds(lambda: forward(x + 1e-6))


# exercise -> (check module, name of its layer-sized spec, check function, honest solutions, FD estimate)
EXERCISES = {
    "affine_backward": (key03, "AFFINE_SCALE", ch03.check_affine_backward,
                        [("rows", affine_backward_rows), ("vectorised", affine_backward_vec)], _fd_affine),
    "two_layer_net": (key03, "NET_SCALE", ch03.check_two_layer_net, [("vectorised", net_vec)], _fd_net),
    "softmax_cross_entropy": (key03, "CE_SCALE", ch03.check_softmax_cross_entropy,
                              [("scalar 2 loops", ce_scalar), ("rows", ce_rows), ("vectorised", ce_vec)], _fd_ce),
    "sigmoid_backward": (key03, "ACT_SCALE", ch03_act.check_sigmoid_backward,
                         [("scalar 2 loops", sigmoid_backward_scalar), ("vectorised", sigmoid_backward_vec)],
                         _fd_act(ch03.sigmoid)),
    "tanh_backward": (key03, "ACT_SCALE", ch03_act.check_tanh_backward, [("vectorised", tanh_backward_vec)],
                      _fd_act(np.tanh)),
    "relu_backward": (key03, "ACT_SCALE", ch03_act.check_relu_backward, [("vectorised", relu_backward_vec)],
                      _fd_act(lambda v: np.maximum(v, 0.0))),
    "mse_loss": (key03, "MSE_SCALE", ch03.check_mse_loss, [("vectorised", mse_vec)], _fd_mse),
    "conv2d_backward": (key05, "CONV_SCALE", ch05.check_conv2d_backward,
                        [("chapter 4 loops", conv_backward_chapter), ("naive 7 loops", conv_backward_7loops),
                         ("vectorised", conv_backward_vec)], _fd_conv),
    "maxpool_backward": (key05, "POOL_SCALE", ch05.check_maxpool_backward,
                         [("chapter 4 loops", maxpool_backward_chapter), ("naive 6 loops", maxpool_backward_6loops),
                          ("vectorised", maxpool_backward_vec)], _fd_pool("max")),
    "avgpool_backward": (key05, "POOL_SCALE", ch05.check_avgpool_backward,
                         [("chapter 2 loops", avgpool_backward_chapter), ("4 loops", avgpool_backward_4loops),
                          ("naive 6 loops", avgpool_backward_6loops)], _fd_pool("avg")),
    "rnn_step_backward": (key06, "STEP_SCALE", ch06.check_rnn_step_backward,
                          [("scalar 3 loops", rnn_step_scalar), ("rows", rnn_step_rows), ("vectorised", rnn_step_vec)],
                          _fd_rnn_step),
    "rnn_backward": (key06, "SEQ_SCALE", ch06.check_rnn_backward,
                     [("chapter (steps)", _bptt_with(rnn_step_vec)), ("steps of rows", _bptt_with(rnn_step_rows)),
                      ("steps of scalars", _bptt_with(rnn_step_scalar))], _fd_seq),
    "truncated_bptt": (key06, "TBPTT_SCALE", ch06.check_truncated_bptt,
                       [("chapter (steps)", _bptt_with(rnn_step_vec)), ("steps of rows", _bptt_with(rnn_step_rows)),
                        ("steps of scalars", _bptt_with(rnn_step_scalar))], _fd_seq),
    "lstm_step_backward": (key06, "LSTM_SCALE", ch06.check_lstm_step_backward,
                           [("scalar loops", lstm_step_scalar), ("rows", lstm_step_rows),
                            ("vectorised", lstm_step_vec)],
                           _fd_lstm),
    "batchnorm_backward": (key07, "BN_SCALE", ch07.check_batchnorm_backward, [("vectorised", bn_backward_vec)],
                           _fd_bn),
    "unbroadcast": (key03, "UB_SCALE", ch03_tensor.check_unbroadcast, [("vectorised", unbroadcast_vec)],
                    _fd_unbroadcast),
    "matmul_vjp": (key03, "MM_SCALE", ch03_tensor.check_matmul_vjp, [("vectorised", matmul_vjp_vec)],
                   _fd_matmul),
    "sum_vjp": (key03, "SUM_SCALE", ch03_tensor.check_sum_vjp, [("vectorised", sum_vjp_vec)], _fd_sum),
    "log_softmax_vjp": (key03, "LSM_SCALE", ch03_tensor.check_log_softmax_vjp,
                        [("vectorised", log_softmax_vjp_vec)], _fd_lsm),
    "batchnorm_backward_staged": (key07, "STAGED_SCALE", ch07_layers.check_batchnorm_backward_staged,
                                  [("vectorised", bn_staged_vec)],
                                  _fd_norm(key07.ref_batchnorm_forward_staged, offset=False)),
    "layernorm_backward": (key07, "LN_SCALE", ch07_layers.check_layernorm_backward,
                           [("vectorised", layernorm_vec)], _fd_norm(key07.ref_layernorm_forward, offset=True)),
    "dropout_backward": (key07, "DROP_SCALE", ch07_layers.check_dropout_backward,
                         [("vectorised", dropout_vec)], _fd_dropout),
}


def time_check(check, fn):
    """Seconds of the whole hidden check with ``fn``, or the failure."""
    out = io.StringIO()
    t0 = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out):
            check(fn, hidden=True)
    except CheckFailed as e:
        return f"FAILED ({e.category})"
    return time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=sorted(EXERCISES), help="some exercises")
    ap.add_argument("--perturbations", type=int, default=10, help="perturbations timed per input (default 10)")
    ap.add_argument("--set", action="append", default=[], metavar="EXERCISE=SPEC",
                    help="another layer-sized spec for an exercise, a Python tuple as in the answer key")
    ap.add_argument("--no-honest", action="store_true", help="only the FD estimates")
    args = ap.parse_args(argv)
    for item in args.set:
        name, spec = item.split("=", 1)
        module, attr = EXERCISES[name][:2]
        setattr(module, attr, ast.literal_eval(spec))
    print(f"{'exercise':22} {'spec':34} {'honest (whole hidden check)':>44}  "
          f"{'FD total':>9} {'largest':>9} {'FD/limit':>8}")
    for name in args.only or EXERCISES:
        module, attr, check, honest, fd = EXERCISES[name]
        spec = getattr(module, attr)
        times = [] if args.no_honest else [(label, time_check(check, fn)) for label, fn in honest]
        estimate = fd(spec, args.perturbations)
        vectorised = None
        if isinstance(estimate[0], tuple):   # element-wise: (per element), one vectorised pass
            estimate, vectorised = estimate
        total, first = estimate
        cells = ", ".join(f"{label} {t:.2f} s" if isinstance(t, float) else f"{label} {t}" for label, t in times)
        print(f"{name:22} {str(spec[1:]):34} {cells:>44}  {total:8.0f}s {first:8.0f}s {total / LIMIT:7.1f}x")
        if vectorised is not None:
            print(f"{'':22} {'FD, vectorised (one pass over all elements)':>80}  {vectorised:8.4f}s  "
                  "(O(N), like the answer: not stopped by size)")
        sys.stdout.flush()


def _as_in_the_sandbox() -> None:
    """Run with the student's sandbox's settings (grader/boxes.py, grader/sandbox.py): one BLAS thread, and
    malloc never returning memory to the system, which makes a forward pass's temporaries cheap (without
    them a batch-norm pass costs 4 times as much here, and the estimates would flatter the sizes)."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    from grader.boxes import MALLOC_ENV
    want = {**MALLOC_ENV, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if any(os.environ.get(k) != v for k, v in want.items()):
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **want})


if __name__ == "__main__":
    _as_in_the_sandbox()
    main()
