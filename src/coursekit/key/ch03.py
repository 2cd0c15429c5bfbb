"""The reference implementations of chapter 3's checks (the MLP's layers and losses, and the tensor
engine's VJPs), with the typical wrong versions a check compares a wrong answer with. Conventions:
see :mod:`coursekit.checks.ch03` and :mod:`coursekit.checks.ch03_tensor`. The checks verify these references against numerical
gradients in every case, the tests against chainrule's autograd."""
from __future__ import annotations

import numpy as np


# ---------------------------------------------------------------------- the MLP (ch03)
def ref_affine_forward(x, w, b):
    return x @ w.T + b


def ref_affine_backward(dout, x, w, b):
    return dout @ w, dout.T @ x, dout.sum(axis=0)


def sigmoid(x):
    """A sigmoid that never overflows."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def ref_sigmoid_backward(dout, out):
    return dout * out * (1.0 - out)


def ref_tanh_backward(dout, out):
    return dout * (1.0 - out ** 2)


def ref_relu_backward(dout, x):
    return dout * (x > 0)


def log_softmax_rows(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def ref_softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    logp = log_softmax_rows(logits)
    loss = -logp[np.arange(n), y].mean()
    d = np.exp(logp)
    d[np.arange(n), y] -= 1.0
    return float(loss), d / n


def ref_mse_loss(pred, target):
    diff = pred - target
    return float(np.mean(diff ** 2)), 2.0 * diff / diff.size


def net_forward(x, y, p):
    h_pre = x @ p["W1"].T + p["b1"]
    h = np.maximum(h_pre, 0.0)
    scores = h @ p["W2"].T + p["b2"]
    return h_pre, h, scores


def ref_two_layer_net(x, y, params, relu_mask="x"):
    """Loss and gradients of affine → ReLU → affine → softmax cross-entropy.

    relu_mask: "x" (right), "dout" (a typical mistake), "none" (no mask at all)
    """
    h_pre, h, scores = net_forward(x, y, params)
    loss, dscores = ref_softmax_cross_entropy(scores, y)
    dh, dW2, db2 = ref_affine_backward(dscores, h, params["W2"], params["b2"])
    if relu_mask == "x":
        dh_pre = dh * (h_pre > 0)
    elif relu_mask == "dout":
        dh_pre = dh * (dh > 0)
    else:
        dh_pre = dh
    _, dW1, db1 = ref_affine_backward(dh_pre, x, params["W1"], params["b1"])
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def softmax_diag_only(p, onehot):
    """dL/dz_i = −(1/p_y)·p_i(δ_iy − p_y) taken only on the diagonal: the gradient at the true class only."""
    return (p - 1.0) * onehot


# ---------------------------------------------------------------------- the tensor engine's VJPs (ch03_tensor)
def ref_unbroadcast(g, shape):
    shape = tuple(shape)
    g = np.asarray(g, dtype=np.float64)
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead else g
    ones = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    return g.sum(axis=ones, keepdims=True) if ones else g


def ref_matmul_vjp(g, a, b):
    return g @ b.T, a.T @ g


def axes_of(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axis = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(sorted(a % ndim for a in axis))


def ref_sum_vjp(g, shape, axis=None, keepdims=False):
    g = np.asarray(g, dtype=np.float64)
    if not keepdims:
        g = np.expand_dims(g, axes_of(axis, len(shape)))
    return np.broadcast_to(g, tuple(shape)).copy()


def log_softmax(a):
    z = a - a.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def ref_log_softmax_vjp(g, out):
    return g - np.exp(out) * g.sum(axis=-1, keepdims=True)
