"""Shape primitives: they move numbers around, so their backward moves gradients back."""
import numpy as np

from .registry import normalize_axes, normalize_axis, register


def _reshape_fwd(a, shape=None):
    return a.reshape(shape), a.shape
def _reshape_vjp(dout, shape, needs):
    return (dout.reshape(shape),)
reshape = register("reshape", _reshape_fwd, _reshape_vjp)


def _transpose_fwd(a, axes=None):
    """Permute the axes (NumPy's ``transpose``); None reverses them."""
    if axes is None:
        axes = tuple(reversed(range(a.ndim)))
    else:
        axes = normalize_axes(axes, a.ndim, "permutation")    # argsort below needs them >= 0
        if len(axes) != a.ndim:
            raise ValueError(f"transpose: the permutation {axes} must name each of the {a.ndim} axes once")
    return np.transpose(a, axes), axes
def _transpose_vjp(dout, axes, needs):
    return (np.transpose(dout, np.argsort(axes)),)
transpose = register("transpose", _transpose_fwd, _transpose_vjp)


def _getitem_fwd(a, index=None):
    return a[index], (a.shape, a.dtype, index)
def _getitem_vjp(dout, cache, needs):
    shape, dtype, index = cache
    da = np.zeros(shape, dtype=dout.dtype)
    if _is_basic(index):
        da[index] = dout         # ints and slices pick each element at most once
    else:
        np.add.at(da, index, dout)  # an integer-array index may pick one element twice: add, don't assign
    return (da,)


def _is_basic(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (slice, int, np.integer)) for p in parts)
getitem = register("getitem", _getitem_fwd, _getitem_vjp)


def _concatenate_fwd(*arrays, axis=0):
    axis = normalize_axis(axis, arrays[0].ndim)
    sizes = [a.shape[axis] for a in arrays]
    return np.concatenate(arrays, axis=axis), (sizes, axis)
def _concatenate_vjp(dout, cache, needs):
    sizes, axis = cache
    return tuple(np.split(dout, np.cumsum(sizes)[:-1], axis=axis))
concatenate = register("concatenate", _concatenate_fwd, _concatenate_vjp)


def _stack_fwd(*arrays, axis=0):
    axis = normalize_axis(axis, arrays[0].ndim + 1)
    return np.stack(arrays, axis=axis), (len(arrays), axis)
def _stack_vjp(dout, cache, needs):
    n, axis = cache
    return tuple(np.squeeze(p, axis=axis) for p in np.split(dout, n, axis=axis))
stack = register("stack", _stack_fwd, _stack_vjp)


def _broadcast_to_fwd(a, shape=None):
    return np.broadcast_to(a, shape), None
def _broadcast_to_vjp(dout, cache, needs):
    return (dout,)  # the walker's unbroadcast sums it back
broadcast_to = register("broadcast_to", _broadcast_to_fwd, _broadcast_to_vjp)


def _take_along_axis_fwd(a, indices=None, axis=0):
    """``np.take_along_axis``: PyTorch's ``gather``, and how max(dim) picks its values."""
    axis = normalize_axis(axis, a.ndim)
    return np.take_along_axis(a, indices, axis=axis), (a.shape, indices, axis)
def _take_along_axis_vjp(dout, cache, needs):
    shape, indices, axis = cache
    da = np.zeros(shape, dtype=dout.dtype)
    np.add.at(da, _along(indices, axis), dout)      # an index may repeat: add, don't assign
    return (da,)


def _along(indices, axis):
    """The full fancy index that ``take_along_axis(a, indices, axis)`` reads."""
    grid = list(np.ix_(*(np.arange(n) for n in indices.shape)))
    grid[axis] = indices
    return tuple(grid)
take_along_axis = register("take_along_axis", _take_along_axis_fwd, _take_along_axis_vjp)


def _cast_fwd(a, dtype=None):
    return a.astype(dtype, copy=False), a.dtype
def _cast_vjp(dout, dtype, needs):
    return (dout.astype(dtype, copy=False),)         # the gradient takes the input's dtype back
cast = register("cast", _cast_fwd, _cast_vjp)
