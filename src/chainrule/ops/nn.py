"""Neural-network primitives fused for speed and numerical stability.

Each could be composed from elementwise ops, but the fused backward is both
shorter and better conditioned: softmax-then-log loses precision that
log_softmax keeps, and cross-entropy's gradient is simply (softmax - onehot).
"""
import numpy as np

from .registry import register


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))  # subtracting the max keeps exp <= 1
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _softmax_fwd(x, axis=-1):
    out = _softmax(x, axis)
    return out, (out, axis)
def _softmax_vjp(dout, cache, needs):
    s, axis = cache
    # J = diag(s) - s s^T, so J^T dout = s * (dout - <dout, s>)
    return (s * (dout - (dout * s).sum(axis=axis, keepdims=True)),)
softmax = register("softmax", _softmax_fwd, _softmax_vjp)


def _log_softmax_fwd(x, axis=-1):
    out = _log_softmax(x, axis)
    return out, (out, axis)
def _log_softmax_vjp(dout, cache, needs):
    logs, axis = cache
    # d log s_i / d x_j = [i == j] - s_j
    return (dout - np.exp(logs) * dout.sum(axis=axis, keepdims=True),)
log_softmax = register("log_softmax", _log_softmax_fwd, _log_softmax_vjp)


def _reduce(losses, reduction):
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _cross_entropy_fwd(logits, targets=None, reduction="mean", weight=None, ignore_index=-100,
                       label_smoothing=0.0):
    """logits (N, C) or (N, C, d1, ...), targets (N,) or (N, d1, ...) integer classes.

    Each sample's loss is -sum_c q_c log softmax(logits)_c against a target distribution
    q: the one-hot of its class, mixed with the uniform 1/C by ``label_smoothing``, each
    class scaled by ``weight`` (C,), and q = 0 for targets equal to ``ignore_index``.
    "mean" divides by the total weight of the targets kept (their count, unweighted), as
    PyTorch does. The gradient is then simply softmax * sum(q) - q.
    """
    z = logits if logits.ndim == 2 else np.moveaxis(logits, 1, -1)   # classes last: (N, d..., C)
    logp = _log_softmax(z, -1)
    n_classes = logp.shape[-1]
    flat = logp.reshape(-1, n_classes)
    t = targets.reshape(-1)
    kept = t != ignore_index
    if weight is None and not label_smoothing and kept.all():
        # the usual case, q = one-hot: pick the target's log-probability (q stays implicit)
        losses = -flat[np.arange(len(t)), t].reshape(targets.shape)
        q, total = None, len(t)
    else:
        w = np.ones(n_classes, logp.dtype) if weight is None else weight.astype(logp.dtype, copy=False)
        q = np.zeros(flat.shape, dtype=logp.dtype)
        q[np.flatnonzero(kept), t[kept]] = (1 - label_smoothing) * w[t[kept]]
        if label_smoothing:
            q[kept] += (label_smoothing / n_classes) * w
        losses = -(q * flat).sum(axis=-1).reshape(targets.shape)
        total = w[t[kept]].sum()
    loss = losses.sum() / logp.dtype.type(total) if reduction == "mean" else _reduce(losses, reduction)
    return loss, (logp, t, q, reduction, total)
def _cross_entropy_vjp(dout, cache, needs):
    logp, t, q, reduction, total = cache
    grad = np.exp(logp).reshape(-1, logp.shape[-1])
    if q is None:
        grad[np.arange(len(t)), t] -= 1                              # softmax - onehot
    else:
        grad = grad * q.sum(axis=-1, keepdims=True) - q              # softmax * sum(q) - q
    grad = grad.reshape(logp.shape)
    scale = dout[..., None] if reduction == "none" else dout
    if reduction == "mean":
        scale = scale / total
    grad *= scale
    return (grad if grad.ndim == 2 else np.moveaxis(grad, -1, 1),)
cross_entropy = register("cross_entropy", _cross_entropy_fwd, _cross_entropy_vjp)


def _mse_loss_fwd(pred, target, reduction="mean"):
    diff = pred - target
    return _reduce(diff * diff, reduction), (diff, reduction)
def _mse_loss_vjp(dout, cache, needs):
    diff, reduction = cache
    dpred = (2 / (diff.size if reduction == "mean" else 1)) * dout * diff
    return dpred, -dpred
mse_loss = register("mse_loss", _mse_loss_fwd, _mse_loss_vjp)


def _batch_norm_fwd(x, gamma, beta, axes=(0,), eps=1e-5, stats=None):
    """Training-mode batch norm: normalise over ``axes`` with the batch's own statistics.

    x (N, C, ...), gamma and beta (C,): y = gamma * (x - mean) / sqrt(var + eps) + beta,
    with the biased variance. ``stats``, if a dict, receives the batch ``mean`` and
    ``var`` (shape (C,)): the caller updates running statistics from them even
    under no_grad, when no graph (and so no cache) is kept.
    """
    shape = [1] * x.ndim
    shape[1] = x.shape[1]                                   # gamma/beta broadcast along channels
    mean = x.mean(axis=axes, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=axes, keepdims=True)
    inv_std = 1 / np.sqrt(var + eps)
    xhat = centred * inv_std
    if stats is not None:
        stats["mean"], stats["var"] = mean.reshape(-1), var.reshape(-1)
    out = gamma.reshape(shape) * xhat + beta.reshape(shape)
    return out, (xhat, gamma.reshape(shape), inv_std, axes)
def _batch_norm_vjp(dout, cache, needs):
    xhat, gamma, inv_std, axes = cache
    dgamma = (dout * xhat).sum(axis=axes) if needs[1] else None
    dbeta = dout.sum(axis=axes) if needs[2] else None
    dx = None
    if needs[0]:
        # the compact form: the mean and variance depend on every x, hence the two
        # subtracted terms; dxhat = gamma * dout folded into the factor in front
        n = xhat.size // xhat.shape[1]
        dxhat = dout * gamma
        dx = (inv_std / n) * (n * dxhat - dxhat.sum(axis=axes, keepdims=True)
                              - xhat * (dxhat * xhat).sum(axis=axes, keepdims=True))
    return dx, dgamma, dbeta
batch_norm = register("batch_norm", _batch_norm_fwd, _batch_norm_vjp)
