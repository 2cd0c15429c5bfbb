"""``Tensor``: an ndarray that remembers how it was computed.

Every operation on tensors goes through :func:`apply`, which runs a registered
primitive's forward on the raw arrays and, when some input requires a
gradient, records a :class:`~chainrule.autograd.Node` on the result. The maths
of each op lives in ``chainrule/ops``; the walk lives in ``autograd.py``.
"""
from __future__ import annotations

import itertools

import numpy as np

from . import autograd
from .autograd import Node

_FLOAT = (np.float16, np.float32, np.float64)


class ShapeError(ValueError):
    """An op got inputs whose shapes do not fit together."""


def _as_array(data, dtype=None):
    if isinstance(data, Tensor):
        data = data.data
    arr = np.asarray(data, dtype=dtype)
    if dtype is None and arr.dtype.kind in "iub" and not isinstance(data, np.ndarray):
        # Python numbers and lists become float64, as learners expect from maths
        arr = arr.astype(np.float64)
    return arr


class Tensor:
    """A multidimensional array with reverse-mode automatic differentiation.

    Tensor(data, requires_grad=False, dtype=None)

    ``data`` is anything ``np.asarray`` takes; Python numbers and lists become
    float64, NumPy arrays keep their dtype. After ``loss.backward()`` every
    tensor created with ``requires_grad=True`` holds ``d loss / d tensor`` in
    ``.grad`` (an ndarray of the same shape).
    """

    __array_priority__ = 1000  # so ndarray + Tensor calls Tensor.__radd__
    _ids = itertools.count()

    def __init__(self, data, requires_grad=False, dtype=None, name=None):
        self.data = _as_array(data, dtype)
        if requires_grad and self.data.dtype.kind not in "fc":
            raise TypeError(f"only floating-point tensors can require gradients, not {self.data.dtype}")
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self.name = name
        self._node = None
        self._hooks = {}
        self._retains_grad = False

    # ---- the array it wraps -------------------------------------------------------
    shape = property(lambda self: self.data.shape)
    dtype = property(lambda self: self.data.dtype)
    ndim = property(lambda self: self.data.ndim)
    size = property(lambda self: self.data.size)
    is_leaf = property(lambda self: self._node is None)
    grad_fn = property(lambda self: None if self._node is None else self._node.op.name)

    def __len__(self):
        return len(self.data)

    def numpy(self):
        """The data as an ndarray (shared, not copied)."""
        return self.data

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape {self.shape}")
        return self.data.item()

    def detach(self):
        """The same data, cut from the graph: no gradient flows through the result."""
        return Tensor(self.data)

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = f", grad_fn={self.grad_fn}" if self._node else (", requires_grad=True" if self.requires_grad else "")
        return f"Tensor({body}{extra})"

    def __float__(self):
        return float(self.item())

    def __bool__(self):
        return bool(self.data)

    # ---- gradients ----------------------------------------------------------------
    def backward(self, grad=None, retain_graph=False):
        """Backpropagate from this tensor: fill ``.grad`` of every leaf it depends on.

        ``grad`` is d(something)/d(self); it may be omitted only for a
        one-element tensor (a loss), where it is 1.
        """
        if not self.requires_grad:
            raise RuntimeError("backward() on a tensor that does not require grad: no input of the "
                               "computation had requires_grad=True (or it ran under no_grad())")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward() without a gradient works only on a scalar (one element), "
                                   f"but this tensor has shape {self.shape}; pass grad= of that shape, "
                                   f"or reduce it first, e.g. y.sum().backward()")
            grad = np.ones_like(self.data)
        else:
            grad = _as_array(grad, self.dtype)
            if grad.shape != self.shape:
                raise ShapeError(f"backward(grad): grad has shape {grad.shape} but the tensor has shape {self.shape}")
        autograd.backward(self, grad, retain_graph=retain_graph)

    def zero_grad(self):
        self.grad = None

    def register_hook(self, fn):
        """Call ``fn(grad)`` when this tensor's gradient is computed, before it moves on.

        ``fn`` may return a new gradient (an ndarray) to use instead. Returns a
        handle whose ``remove()`` unregisters the hook.
        """
        key = next(Tensor._ids)
        self._hooks[key] = fn
        return _HookHandle(self._hooks, key)

    def retain_grad(self):
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves always keep it)."""
        self._retains_grad = True
        return self

    # ---- arithmetic -----------------------------------------------------------------
    def _lift(self, other):
        return other if isinstance(other, Tensor) else Tensor(_as_array(other, self._const_dtype(other)))

    def _const_dtype(self, other):
        # a Python number takes this tensor's float dtype, so float32 stays float32
        if isinstance(other, (int, float)) and self.dtype.kind == "f":
            return self.dtype
        return None

    def __add__(self, o): return _ops.add(self, self._lift(o))
    def __radd__(self, o): return _ops.add(self._lift(o), self)
    def __sub__(self, o): return _ops.sub(self, self._lift(o))
    def __rsub__(self, o): return _ops.sub(self._lift(o), self)
    def __mul__(self, o): return _ops.mul(self, self._lift(o))
    def __rmul__(self, o): return _ops.mul(self._lift(o), self)
    def __truediv__(self, o): return _ops.div(self, self._lift(o))
    def __rtruediv__(self, o): return _ops.div(self._lift(o), self)
    def __pow__(self, o): return _ops.pow(self, self._lift(o))
    def __rpow__(self, o): return _ops.pow(self._lift(o), self)
    def __matmul__(self, o): return _ops.matmul(self, self._lift(o))
    def __rmatmul__(self, o): return _ops.matmul(self._lift(o), self)
    def __neg__(self): return _ops.neg(self)
    def __pos__(self): return self
    def __getitem__(self, index): return _ops.getitem(self, index=_plain_index(index))

    # comparisons give plain boolean arrays: they have no gradient
    def __lt__(self, o): return self.data < _as_array(o)
    def __le__(self, o): return self.data <= _as_array(o)
    def __gt__(self, o): return self.data > _as_array(o)
    def __ge__(self, o): return self.data >= _as_array(o)
    __hash__ = object.__hash__

    # ---- functions --------------------------------------------------------------------
    def exp(self): return _ops.exp(self)
    def log(self): return _ops.log(self)
    def sqrt(self): return _ops.sqrt(self)
    def abs(self): return _ops.abs(self)
    def tanh(self): return _ops.tanh(self)
    def sigmoid(self): return _ops.sigmoid(self)
    def relu(self): return _ops.relu(self)

    def sum(self, axis=None, keepdims=False): return _ops.sum(self, axis=axis, keepdims=keepdims)
    def mean(self, axis=None, keepdims=False): return _ops.mean(self, axis=axis, keepdims=keepdims)
    def max(self, axis=None, keepdims=False): return _ops.max(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            np.empty(self.shape, dtype=np.bool_).reshape(shape)  # cheap validity check
        except ValueError:
            raise ShapeError(f"reshape: cannot reshape a tensor of shape {self.shape} "
                             f"({self.size} elements) into {shape}") from None
        return _ops.reshape(self, shape=shape)

    view = reshape

    def flatten(self, start_dim=0):
        return self.reshape(self.shape[:start_dim] + (-1,))

    def transpose(self, *axes):
        """``transpose()`` reverses the axes; ``transpose(0, 2, 1)`` permutes them;
        ``transpose(a, b)`` swaps two axes as in PyTorch."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if len(axes) == 2 and self.ndim != 2:
            perm = list(range(self.ndim))
            perm[axes[0]], perm[axes[1]] = perm[axes[1]], perm[axes[0]]
            axes = tuple(perm)
        return _ops.transpose(self, axes=tuple(axes) or None)

    @property
    def T(self):
        return _ops.transpose(self, axes=None)


class _HookHandle:
    def __init__(self, hooks, key):
        self._hooks, self._key = hooks, key

    def remove(self):
        self._hooks.pop(self._key, None)


def _plain_index(index):
    """Indices made of tensors become arrays (indexing is not differentiable in the index)."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def as_tensor(x, dtype=None):
    return x if isinstance(x, Tensor) and dtype is None else Tensor(x, dtype=dtype)


def apply(op, inputs, kwargs):
    """Run primitive ``op`` on tensors ``inputs`` and record it in the graph."""
    inputs = tuple(as_tensor(x) for x in inputs if x is not None)
    arrays = [t.data for t in inputs]
    try:
        out, cache = op.forward(*arrays, **kwargs)
    except ValueError as e:
        if str(e).startswith(op.name):
            raise ShapeError(str(e)) from None
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise ShapeError(f"{op.name}: inputs of shapes {shapes} do not fit: {e}") from None
    out = np.asarray(out)
    if autograd.is_anomaly_enabled():
        autograd.check_finite(out, f"the forward of {op.name}")
    result = Tensor.__new__(Tensor)
    result.data, result.grad, result.name = out, None, None
    result._hooks, result._retains_grad, result._node = {}, False, None
    needs = tuple(t.requires_grad for t in inputs)
    result.requires_grad = autograd.is_grad_enabled() and any(needs)
    if result.requires_grad:
        result._node = Node(op, inputs, cache, needs)
    return result


from . import ops as _ops  # noqa: E402  (ops call back into apply)
