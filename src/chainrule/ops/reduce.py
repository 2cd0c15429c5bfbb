"""Reductions: the gradient of a reduced axis is spread back over that axis."""
import numpy as np

from .registry import register


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axis = (axis,) if np.isscalar(axis) else tuple(axis)
    return tuple(a % ndim for a in axis)


def _expand(dout, shape, axis, keepdims):
    """Give ``dout`` back the reduced axes (as length 1) so it broadcasts against the input."""
    if keepdims:
        return dout
    return np.expand_dims(dout, _axes(axis, len(shape)))


def _sum_fwd(a, axis=None, keepdims=False):
    return np.sum(a, axis=axis, keepdims=keepdims), (a.shape, axis, keepdims)
def _sum_vjp(dout, cache, needs):
    shape, axis, keepdims = cache
    return (np.broadcast_to(_expand(dout, shape, axis, keepdims), shape),)
sum = register("sum", _sum_fwd, _sum_vjp)


def _mean_fwd(a, axis=None, keepdims=False):
    count = int(np.prod([a.shape[i] for i in _axes(axis, a.ndim)]))
    return np.mean(a, axis=axis, keepdims=keepdims), (a.shape, axis, keepdims, count)
def _mean_vjp(dout, cache, needs):
    shape, axis, keepdims, count = cache
    return (np.broadcast_to(_expand(dout, shape, axis, keepdims) / count, shape),)
mean = register("mean", _mean_fwd, _mean_vjp)


def _max_fwd(a, axis=None, keepdims=False):
    out = np.max(a, axis=axis, keepdims=True)
    # the gradient flows to the position of the maximum; ties share it equally
    mask = a == out
    mask = mask / mask.sum(axis=axis, keepdims=True)
    if not keepdims:
        out = np.squeeze(out, axis=_axes(axis, a.ndim)) if a.ndim else out
    return out, (mask.astype(a.dtype, copy=False), axis, keepdims)
def _max_vjp(dout, cache, needs):
    mask, axis, keepdims = cache
    return (_expand(dout, mask.shape, axis, keepdims) * mask,)
max = register("max", _max_fwd, _max_vjp)
