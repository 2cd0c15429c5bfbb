"""Reductions: the gradient of a reduced axis is spread back over that axis.

Each forward normalises its axes once (``normalize_axes``) and caches them, so the
backward re-inserts exactly the axes that were removed, negative or not.
"""
import numpy as np

from .registry import normalize_axes, register


def _expand(dout, axes, keepdims):
    """Give ``dout`` back the reduced axes (as length 1) so it broadcasts against the input."""
    return dout if keepdims else np.expand_dims(dout, axes)


def _sum_fwd(a, axis=None, keepdims=False):
    axes = normalize_axes(axis, a.ndim)
    return np.sum(a, axis=axes, keepdims=keepdims), (a.shape, axes, keepdims)
def _sum_vjp(dout, cache, needs):
    shape, axes, keepdims = cache
    return (np.broadcast_to(_expand(dout, axes, keepdims), shape),)
sum = register("sum", _sum_fwd, _sum_vjp)


def _mean_fwd(a, axis=None, keepdims=False):
    axes = normalize_axes(axis, a.ndim)
    count = int(np.prod([a.shape[i] for i in axes]))
    return np.mean(a, axis=axes, keepdims=keepdims), (a.shape, axes, keepdims, count)
def _mean_vjp(dout, cache, needs):
    shape, axes, keepdims, count = cache
    return (np.broadcast_to(_expand(dout, axes, keepdims) / count, shape),)
mean = register("mean", _mean_fwd, _mean_vjp)


def _max_fwd(a, axis=None, keepdims=False):
    """The largest value over ``axis``; a NaN anywhere makes the maximum NaN (as PyTorch)."""
    axes = normalize_axes(axis, a.ndim)
    out = np.max(a, axis=axes, keepdims=True)
    # the gradient flows to the positions equal to the maximum, shared equally among ties
    # (PyTorch's amax and full max); when the maximum is NaN, the NaNs are those positions
    mask = (a == out) | (np.isnan(a) & np.isnan(out)) if a.dtype.kind == "f" else a == out
    mask = mask / mask.sum(axis=axes, keepdims=True)
    return (out if keepdims else np.squeeze(out, axis=axes)), (mask.astype(a.dtype, copy=False), axes, keepdims)
def _max_vjp(dout, cache, needs):
    mask, axes, keepdims = cache
    return (_expand(dout, axes, keepdims) * mask,)
max = register("max", _max_fwd, _max_vjp)
