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


# ---------------------------------------------------------------------- hidden cases of coursekit.checks.ch03
AFFINE_HIDDEN = [(11, 7, 4, 3), (12, 1, 8, 5), (13, 3, 2, 6), (14, 5, 10, 1), (15, 6, 3, 3)]
# A hidden case at a real layer's size: backprop is three matrix products (milliseconds); finite
# differences of the forward pass need two forward passes per element of x and w (~2.5·10^5
# elements: about 8 times the grader's default limit, benchmarks/README.md), so a learner who
# estimates the gradient numerically instead of deriving it runs out of the grader's time.
AFFINE_SCALE = (16, 96, 512, 384)
CE_HIDDEN = [(11, 6, 10, 0.0), (12, 1, 2, 0.0), (13, 5, 3, 0.0), (14, 2, 7, 800.0), (15, 8, 4, -900.0)]
# A hidden case at a real output layer's size (a vocabulary of 8192 classes): the gradient formula
# is one pass over the logits; finite differences need two forward passes per logit (about 8 times
# the grader's default limit, benchmarks/README.md). An estimate that perturbs one class in every
# row at once needs only 2·C passes: a structured estimate no size stops (grader/README.md, "Limits").
CE_SCALE = (16, 24, 8192, 0.0)
MSE_HIDDEN = [(11, 6, 2), (12, 1, 4), (13, 3, 3), (14, 8, 1), (15, 2, 5)]
MSE_SCALE = (16, 640, 768)  # as ACT_SCALE: stops an estimate one element at a time, not a vectorised one
NET_HIDDEN = [(11, 5, 6, 7, 4), (12, 1, 3, 2, 5), (13, 8, 4, 5, 10), (14, 2, 7, 3, 3)]
NET_SCALE = (16, 64, 512, 256, 10)  # a real layer size: see AFFINE_SCALE


# ---------------------------------------------------------------------- hidden cases of coursekit.checks.ch03_act
ACT_HIDDEN = [(11, (4, 6)), (13, (5, 2)), (12, (1, 1)), (14, (3, 3)), (15, (2, 7))]
# A layer's activations (as BN_SCALE in ch07): an estimate one element at a time (numerical_grad)
# needs two forward passes per element and runs out of time (ReLU's pass, the cheapest, sets the
# size: about 7 times the grader's default limit, benchmarks/README.md). An element-wise difference
# of the whole array at once is one pass, O(N) like the answer itself: no size stops that
# (grader/README.md, "Limits").
ACT_SCALE = (16, (640, 768))


# ---------------------------------------------------------------------- hidden cases of coursekit.checks.ch03_tensor
UB_HIDDEN = [(11, (3, 2, 4), (2, 1)), (12, (3, 4), (3, 4)), (13, (2, 3, 4), (4,)), (14, (6,), ()),
             (15, (4, 3, 5), (1, 3, 1)), (16, (5, 2), (1, 2))]
# a layer's weights broadcast over a leading axis: the honest sum is one pass; a numerical estimate
# one operand element at a time costs a pass over the whole of g per element, so the operand must
# be large (a bias of 128 values was estimated in 2 s; this one takes about 8 times the grader's
# default limit, benchmarks/README.md)
UB_SCALE = (17, (2, 512, 768), (512, 768))
MM_HIDDEN = [(11, 6, 2, 5), (12, 2, 7, 1), (13, 4, 4, 4), (14, 5, 3, 8), (15, 1, 1, 6)]
MM_SCALE = (16, 96, 512, 384)  # a real layer: see AFFINE_SCALE
SUM_HIDDEN = [(11, (4, 4), 0, False), (12, (4, 4), 1, False), (13, (2, 3, 4), (0, 2), False),
              (14, (2, 3, 4), -1, True), (15, (5,), None, True), (16, (3, 1, 2), 1, False)]
SUM_SCALE = (17, (512, 2048), 1, False)  # as UB_SCALE: a numerical estimate costs a sum per element
LSM_HIDDEN = [(11, 6, 10, 0.0), (12, 1, 2, 0.0), (13, 4, 4, -300.0), (14, 2, 7, 0.0), (15, 5, 5, 0.0)]
LSM_SCALE = (16, 24, 8192, 0.0)  # a language model's output layer: see CE_SCALE
