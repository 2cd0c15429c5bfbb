"""Stateless layer functions, PyTorch-style (``import chainrule.functional as F``).

Each function checks its inputs and says in plain words what is wrong (which
function, which shapes) before calling a primitive from ``chainrule.ops``:
a shape mistake should fail here, not deep inside NumPy.
"""
from __future__ import annotations

import numpy as np

from . import ops
from .ops.conv import pair
from .tensor import ShapeError, Tensor, as_tensor

__all__ = ["relu", "sigmoid", "tanh", "leaky_relu", "softmax", "log_softmax", "linear", "cross_entropy",
           "mse_loss", "nll_loss", "layer_norm", "conv2d", "max_pool2d", "avg_pool2d", "batch_norm", "dropout"]

_REDUCTIONS = ("mean", "sum", "none")


def _const(array, like):
    """A constant (no-gradient) tensor in ``like``'s float dtype, so float32 stays float32."""
    return Tensor(np.asarray(array, dtype=like.dtype if like.dtype.kind == "f" else None))


def _check_reduction(fn, reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{fn}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _check_images(fn, x):
    if x.ndim != 4:
        hint = " (a single image? add the batch axis: x.reshape(1, *x.shape))" if x.ndim == 3 else ""
        raise ShapeError(f"{fn}: x must be (N, C, H, W), got shape {x.shape}{hint}")


# ---- activations ----------------------------------------------------------------------------
def relu(x):
    """max(x, 0), element-wise; any shape."""
    return ops.relu(as_tensor(x))


def sigmoid(x):
    """1 / (1 + exp(-x)), element-wise; any shape."""
    return ops.sigmoid(as_tensor(x))


def tanh(x):
    return ops.tanh(as_tensor(x))


def leaky_relu(x, negative_slope=0.01):
    """x where x > 0, negative_slope * x elsewhere; any shape."""
    return ops.leaky_relu(as_tensor(x), negative_slope=negative_slope)


def softmax(x, axis=-1, *, dim=None):
    """exp(x) / sum(exp(x)) along ``axis`` (``dim`` is PyTorch's name for it); same shape as x."""
    return ops.softmax(as_tensor(x), axis=axis if dim is None else dim)


def log_softmax(x, axis=-1, *, dim=None):
    """log(softmax(x)) along ``axis``, computed without forming softmax (no log(0))."""
    return ops.log_softmax(as_tensor(x), axis=axis if dim is None else dim)


# ---- layers ---------------------------------------------------------------------------------
def linear(x, weight, bias=None):
    """y = x W^T + b.  x (*, in_features), weight (out_features, in_features),
    bias (out_features,) or None  ->  y (*, out_features)."""
    x, weight = as_tensor(x), as_tensor(weight)
    if weight.ndim != 2:
        raise ShapeError(f"linear: weight must be (out_features, in_features), got shape {weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ShapeError(f"linear: x has shape {x.shape}, its last axis must be in_features = "
                         f"{weight.shape[1]} (weight shape {weight.shape} is (out_features, in_features))")
    if bias is not None:
        bias = as_tensor(bias)
        if bias.shape != (weight.shape[0],):
            raise ShapeError(f"linear: bias must have shape ({weight.shape[0]},) to match weight "
                             f"{weight.shape}, got {bias.shape}")
    return ops.linear(x, weight, bias)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """2-D cross-correlation (what deep learning calls convolution).

    x (N, C, H, W), weight (F, C, kh, kw), bias (F,) or None; stride, padding and dilation
    are ints or (vertical, horizontal) pairs; padding adds zeros on every side, and
    padding="same" (stride 1) pads so that the output keeps H and W, as in PyTorch.
    dilation d spreads the kernel's taps d pixels apart.
    Returns (N, F, Ho, Wo) with Ho = (H + 2 pad_h - d_h (kh - 1) - 1) // stride_h + 1 (likewise Wo).
    """
    x, weight = as_tensor(x), as_tensor(weight)
    _check_images("conv2d", x)
    if weight.ndim != 4:
        raise ShapeError(f"conv2d: weight must be (out_channels, in_channels, kh, kw), got shape {weight.shape}")
    if x.shape[1] != weight.shape[1]:
        raise ShapeError(f"conv2d: x has {x.shape[1]} channels (shape {x.shape}) but weight expects "
                         f"{weight.shape[1]} (weight shape {weight.shape} is (F, C, kh, kw))")
    if bias is not None:
        bias = as_tensor(bias)
        if bias.shape != (weight.shape[0],):
            raise ShapeError(f"conv2d: bias must have shape ({weight.shape[0]},), one per filter of "
                             f"weight {weight.shape}, got {bias.shape}")
    (sh, sw), (dh, dw) = pair(stride), pair(dilation)
    kh, kw = weight.shape[2:]
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(f"conv2d: padding must be a number, a pair, 'same' or 'valid', got {padding!r}")
        if padding == "same" and (sh, sw) != (1, 1):
            raise ValueError("conv2d: padding='same' needs stride 1, as in PyTorch")
        # the extra row or column of an even kernel goes at the bottom and right, as PyTorch
        total_h, total_w = (dh * (kh - 1), dw * (kw - 1)) if padding == "same" else (0, 0)
        p = (total_h // 2, total_h - total_h // 2, total_w // 2, total_w - total_w // 2)
    else:
        ph, pw = pair(padding)
        p = (ph, ph, pw, pw)
    if min(sh, sw, dh, dw) < 1 or min(p) < 0:
        raise ValueError(f"conv2d: stride and dilation must be >= 1 and padding >= 0, got stride {stride}, "
                         f"padding {padding}, dilation {dilation}")
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    if x.shape[2] + p[0] + p[1] < span_h or x.shape[3] + p[2] + p[3] < span_w:
        spans = f" (spanning {span_h}x{span_w} with dilation {dilation})" if (dh, dw) != (1, 1) else ""
        raise ShapeError(f"conv2d: the {kh}x{kw} kernel{spans} is larger than the padded "
                         f"input {x.shape[2] + p[0] + p[1]}x{x.shape[3] + p[2] + p[3]} "
                         f"(x shape {x.shape}, padding {padding})")
    return ops.conv2d(x, weight, bias, stride=(sh, sw), padding=p, dilation=(dh, dw))


def _pool(name, op, x, kernel_size, stride, padding):
    x = as_tensor(x)
    _check_images(name, x)
    (kh, kw) = pair(kernel_size)
    (sh, sw) = pair(kernel_size if stride is None else stride)
    (ph, pw) = pair(padding)
    if min(kh, kw, sh, sw) < 1:
        raise ValueError(f"{name}: kernel_size and stride must be >= 1, got {kernel_size} and {stride}")
    if not (0 <= ph <= kh // 2 and 0 <= pw <= kw // 2):
        raise ValueError(f"{name}: padding must be between 0 and half the kernel size, got {padding} "
                         f"for kernel_size {kernel_size} (as PyTorch)")
    if x.shape[2] + 2 * ph < kh or x.shape[3] + 2 * pw < kw:
        raise ShapeError(f"{name}: the {kh}x{kw} window is larger than the input {x.shape[2]}x{x.shape[3]} "
                         f"(x shape {x.shape})")
    return op(x, kernel_size=(kh, kw), stride=(sh, sw), padding=(ph, pw))


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """Maximum over each kh x kw window. x (N, C, H, W) -> (N, C, Ho, Wo),
    Ho = (H + 2 padding - kh) // stride + 1; stride defaults to kernel_size (windows do not
    overlap); padding (at most half the kernel) adds -inf, which never wins."""
    return _pool("max_pool2d", ops.max_pool2d, x, kernel_size, stride, padding)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """Mean over each kh x kw window; shapes as in :func:`max_pool2d`; padded zeros count
    in the mean (PyTorch's default, count_include_pad=True)."""
    return _pool("avg_pool2d", ops.avg_pool2d, x, kernel_size, stride, padding)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalise each channel (axis 1) over the batch and spatial axes, then scale and shift.

    x (N, C) or (N, C, L) or (N, C, H, W); running_mean, running_var (C,) arrays
    (or None); weight (gamma) and bias (beta) (C,) or None (meaning 1 and 0).
    training=True uses the batch's statistics and updates the running ones in
    place, as PyTorch does: running = (1 - momentum) * running + momentum * batch,
    with the *unbiased* batch variance for running_var. training=False uses the
    running statistics. Returns a tensor of x's shape.
    """
    x = as_tensor(x)
    if x.ndim < 2:
        raise ShapeError(f"batch_norm: x must be (N, C, ...) with a channel axis 1, got shape {x.shape}")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and np.shape(t.data if isinstance(t, Tensor) else t) != (c,):
            raise ShapeError(f"batch_norm: {name} must have shape ({c},), one per channel of x {x.shape}, "
                             f"got {np.shape(t.data if isinstance(t, Tensor) else t)}")
    weight = _const(np.ones(c), x) if weight is None else as_tensor(weight)
    bias = _const(np.zeros(c), x) if bias is None else as_tensor(bias)
    axes = (0,) + tuple(range(2, x.ndim))
    if training:
        n = x.size // c
        if n < 2:
            raise ValueError(f"batch_norm: training needs more than one value per channel, "
                             f"got x of shape {x.shape}")
        stats = {}
        out = ops.batch_norm(x, weight, bias, axes=axes, eps=eps, stats=stats)
        for running, batch in ((running_mean, stats["mean"]), (running_var, stats["var"] * n / (n - 1))):
            if running is not None:
                running = running.data if isinstance(running, Tensor) else running
                running *= 1 - momentum
                running += momentum * batch
        return out
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: training=False needs running_mean and running_var")
    shape = (1, c) + (1,) * (x.ndim - 2)
    rm, rv = (np.asarray(r.data if isinstance(r, Tensor) else r).reshape(shape) for r in (running_mean, running_var))
    xhat = (x - _const(rm, x)) * _const(1 / np.sqrt(rv + eps), x)
    return xhat * weight.reshape(shape) + bias.reshape(shape)


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise each sample over its last ``len(normalized_shape)`` axes (mean 0, biased
    variance 1), then scale by ``weight`` and shift by ``bias`` (of ``normalized_shape``).
    Unlike batch norm it uses no batch statistics, so training and evaluation agree.
    Composed from primitives: the gradient is backprop through mean, variance and sqrt."""
    x = as_tensor(x)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if x.shape[x.ndim - len(shape):] != shape:
        raise ShapeError(f"layer_norm: the last axes of x {x.shape} must be normalized_shape {shape}")
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    centred = x - x.mean(axis=axes, keepdims=True)
    out = centred / ((centred * centred).mean(axis=axes, keepdims=True) + eps).sqrt()
    if weight is not None:
        out = out * weight
    return out if bias is None else out + bias


def dropout(x, p=0.5, training=True, rng=None):
    """Inverted dropout: zero each element with probability p and scale the rest by
    1 / (1 - p), so the expected value is unchanged and evaluation needs no rescaling.
    Identity when training is False. ``rng``: a numpy Generator (default: the one
    ``chainrule.nn.init.manual_seed`` seeds)."""
    x = as_tensor(x)
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p is a probability and must be in [0, 1], got {p}")
    if not training or p == 0:
        return x
    if rng is None:
        from .nn.init import default_generator
        rng = default_generator()
    keep = rng.random(x.shape) >= p
    scale = 0.0 if p == 1 else 1 / (1 - p)
    return x * _const(keep * scale, x)


# ---- losses ---------------------------------------------------------------------------------
def _class_targets(fn, logits, targets, ignore_index):
    """Check integer class targets against (N, C, ...) scores; returns them as an intp array."""
    t = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if logits.ndim < 2:
        raise ShapeError(f"{fn}: logits must be (N, C), got shape {logits.shape} "
                         f"(one sample? use logits.reshape(1, -1) and targets of shape (1,))")
    if t.dtype.kind not in "iu":
        hint = (" (these look one-hot: pass class indices, e.g. targets.argmax(axis=1))"
                if t.shape == logits.shape else "")
        raise TypeError(f"{fn}: targets must be integer class indices, got dtype {t.dtype}{hint}")
    expected = logits.shape[:1] + logits.shape[2:]
    if t.shape != expected:
        raise ShapeError(f"{fn}: targets must have shape {expected} for logits {logits.shape}, got {t.shape}")
    n_classes = logits.shape[1]
    out_of_range = t.size and (t.min() < 0 or t.max() >= n_classes)   # two reductions in the usual case
    bad = ((t < 0) | (t >= n_classes)) & (t != ignore_index) if out_of_range else None
    if bad is not None and bad.any():
        i = np.unravel_index(np.argmax(bad), t.shape)
        where = i[0] if len(i) == 1 else tuple(int(k) for k in i)
        raise ValueError(f"{fn}: targets must be integers in [0, {n_classes}), got {t[i]} at index {where}")
    return t.astype(np.intp, copy=False)


def _class_weight(fn, weight, n_classes):
    if weight is None:
        return None
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight)
    if w.shape != (n_classes,):
        raise ShapeError(f"{fn}: weight must have shape ({n_classes},), one per class, got {w.shape}")
    return w


def cross_entropy(logits, targets, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Softmax cross-entropy: -log softmax(logits)[target], averaged over the samples.

    logits (N, C) raw scores (not probabilities), or (N, C, d1, ...);
    targets (N,) or (N, d1, ...) integer class indices in [0, C).
    weight (C,): a weight per class (the mean then divides by the targets' total weight);
    ignore_index: targets with this value count for nothing; label_smoothing in [0, 1]:
    the target is (1 - label_smoothing) * one-hot + label_smoothing / C, as in PyTorch.
    reduction "mean" (a scalar), "sum" or "none" (one loss per sample).
    """
    _check_reduction("cross_entropy", reduction)
    if isinstance(weight, str):                        # the old third argument, cross_entropy(x, t, "sum")
        weight, reduction = None, weight
        _check_reduction("cross_entropy", reduction)
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    logits = as_tensor(logits)
    t = _class_targets("cross_entropy", logits, targets, ignore_index)
    return ops.cross_entropy(logits, targets=t, reduction=reduction, ignore_index=ignore_index,
                             weight=_class_weight("cross_entropy", weight, logits.shape[1]),
                             label_smoothing=float(label_smoothing))


def nll_loss(log_probs, targets, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood: -log_probs[target] (log_probs from log_softmax), so that
    nll_loss(log_softmax(x, 1), t) == cross_entropy(x, t). Shapes, weight, ignore_index
    and reduction as in :func:`cross_entropy`."""
    _check_reduction("nll_loss", reduction)
    log_probs = as_tensor(log_probs)
    t = _class_targets("nll_loss", log_probs, targets, ignore_index)
    w = _class_weight("nll_loss", weight, log_probs.shape[1])
    w = np.ones(log_probs.shape[1]) if w is None else w
    kept = t != ignore_index
    picked_w = np.where(kept, w[np.where(kept, t, 0)], 0)          # each sample's weight, 0 if ignored
    classes_last = log_probs if log_probs.ndim == 2 else log_probs.permute(0, *range(2, log_probs.ndim), 1)
    picked = ops.take_along_axis(classes_last, indices=np.where(kept, t, 0)[..., None], axis=-1)
    losses = -picked.reshape(t.shape) * _const(picked_w, log_probs)
    if reduction == "mean":
        return losses.sum() / _const(picked_w.sum(), log_probs)
    return losses.sum() if reduction == "sum" else losses


def mse_loss(input, target, reduction="mean"):
    """Mean squared error: mean((input - target)^2). input and target have the same shape;
    reduction "mean" (a scalar), "sum" or "none" (element-wise)."""
    _check_reduction("mse_loss", reduction)
    input = as_tensor(input)
    target = target if isinstance(target, Tensor) else _const(target, input)
    if input.shape != target.shape:
        raise ShapeError(f"mse_loss: input shape {input.shape} and target shape {target.shape} differ; "
                         f"broadcasting them would silently compare every pair (reshape one of them)")
    return ops.mse_loss(input, target, reduction=reduction)
