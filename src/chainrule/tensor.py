"""``Tensor``: an ndarray that remembers how it was computed.

Every operation on tensors goes through :func:`apply`, which runs a registered
primitive's forward on the raw arrays and, when some input requires a
gradient, records a :class:`~chainrule.autograd.Node` on the result. The maths
of each op lives in ``chainrule/ops``; the walk lives in ``autograd.py``.
"""
from __future__ import annotations

import collections
import itertools
from operator import attrgetter

import numpy as np

from . import autograd
from .autograd import Node
from .dtypes import result_dtype

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


def _operand(x, dtype):
    """``x`` as a Tensor of ``dtype``; a tensor that needs converting goes through ``cast``,
    so its gradient comes back in its own dtype."""
    if isinstance(x, Tensor):
        return x if x.dtype == dtype else _ops.cast(x, dtype=dtype)
    return Tensor(np.asarray(x, dtype=dtype))


def elementwise(op, *operands, **kwargs):
    """Apply a binary element-wise primitive after promoting the operands as PyTorch does."""
    dtype = result_dtype(*operands)
    return op(*(_operand(x, dtype) for x in operands), **kwargs)


class _Size(int):
    """The number of elements (NumPy's ``a.size``) that is also PyTorch's ``t.size()``:
    called, it gives the shape, or the length of axis ``dim``."""

    def __new__(cls, shape):
        obj = super().__new__(cls, int(np.prod(shape, dtype=np.int64)))
        obj.shape = tuple(shape)
        return obj

    def __call__(self, dim=None):
        return self.shape if dim is None else self.shape[dim]


_MaxMin = collections.namedtuple("max_min", "values indices")   # what max(dim) and min(dim) return


class Tensor:
    """A multidimensional array with reverse-mode automatic differentiation.

    Tensor(data, requires_grad=False, dtype=None)

    ``data`` is anything ``np.asarray`` takes; Python numbers and lists become
    float64, NumPy arrays keep their dtype. After ``loss.backward()`` every
    tensor created with ``requires_grad=True`` holds ``d loss / d tensor`` in
    ``.grad`` (an ndarray of the same shape).

    Both spellings work: NumPy's (``axis=``, ``keepdims=``, ``t.size``) and PyTorch's
    (``dim=``, ``keepdim=``, ``t.size()``, ``max(dim)`` giving values and indices).
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
    # attrgetter rather than a lambda: read on every op, and it runs no Python frame
    shape = property(attrgetter("data.shape"))
    dtype = property(attrgetter("data.dtype"))
    ndim = property(attrgetter("data.ndim"))
    size = property(lambda self: _Size(self.data.shape))
    is_leaf = property(lambda self: self._node is None)
    grad_fn = property(lambda self: None if self._node is None else self._node.op.name)

    def __len__(self):
        return len(self.data)

    def numpy(self):
        """The data as an ndarray (shared, not copied)."""
        return self.data

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.data, dtype=dtype)   # np.asarray(t), np.array(list of 0-d tensors)

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape {self.shape}")
        return self.data.item()

    def numel(self): return self.data.size
    def dim(self): return self.data.ndim
    def tolist(self): return self.data.tolist()

    def detach(self):
        """The same data, cut from the graph: no gradient flows through the result."""
        return Tensor(self.data)

    def requires_grad_(self, requires_grad=True):
        if self._node is not None:
            raise RuntimeError("requires_grad_() works on leaf tensors only; use detach() first")
        if requires_grad and self.dtype.kind not in "fc":
            raise TypeError(f"only floating-point tensors can require gradients, not {self.dtype}")
        self.requires_grad = bool(requires_grad)
        return self

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = f", grad_fn={self.grad_fn}" if self._node else (", requires_grad=True" if self.requires_grad else "")
        return f"Tensor({body}{extra})"

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        return bool(self.data)

    def __format__(self, spec):
        return format(self.item(), spec) if spec and self.data.size == 1 else format(str(self), spec)

    # ---- gradients ----------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=False, *, grad=None):
        """Backpropagate from this tensor: fill ``.grad`` of every leaf it depends on.

        ``gradient`` (PyTorch's name; ``grad`` also works) is d(something)/d(self); it
        may be omitted only for a one-element tensor (a loss), where it is 1.
        """
        gradient = grad if gradient is None else gradient
        if not self.requires_grad:
            raise RuntimeError("backward() on a tensor that does not require grad: no input of the "
                               "computation had requires_grad=True (or it ran under no_grad())")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward() without a gradient works only on a scalar (one element), "
                                   f"but this tensor has shape {self.shape}; pass grad= of that shape, "
                                   f"or reduce it first, e.g. y.sum().backward()")
            gradient = np.ones(self.data.shape, self.data.dtype)
        else:
            gradient = _as_array(gradient, self.dtype)
            if gradient.shape != self.shape:
                raise ShapeError(f"backward(grad): grad has shape {gradient.shape} but the tensor has "
                                 f"shape {self.shape}")
        autograd.backward(self, gradient, retain_graph=retain_graph)

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

    # ---- arithmetic (operands promoted as in PyTorch: see result_dtype) --------------------
    def __add__(self, o): return elementwise(_ops.add, self, o)
    def __radd__(self, o): return elementwise(_ops.add, o, self)
    def __sub__(self, o): return elementwise(_ops.sub, self, o)
    def __rsub__(self, o): return elementwise(_ops.sub, o, self)
    def __mul__(self, o): return elementwise(_ops.mul, self, o)
    def __rmul__(self, o): return elementwise(_ops.mul, o, self)
    def __truediv__(self, o): return elementwise(_ops.div, self, o)
    def __rtruediv__(self, o): return elementwise(_ops.div, o, self)
    def __pow__(self, o): return elementwise(_ops.pow, self, o)
    def __rpow__(self, o): return elementwise(_ops.pow, o, self)
    def __matmul__(self, o): return _ops.matmul(self, as_tensor(o))
    def __rmatmul__(self, o): return _ops.matmul(as_tensor(o), self)
    def __neg__(self): return _ops.neg(self)
    def __pos__(self): return self
    def __getitem__(self, index): return _ops.getitem(self, index=_plain_index(index))
    pow, matmul = __pow__, __matmul__

    # comparisons are element-wise and give boolean tensors, which have no gradient
    def _compare(self, o, ufunc):
        # asarray: on 0-d operands a ufunc returns a NumPy scalar, which Tensor() would make float
        return Tensor(np.asarray(ufunc(self.data, o.data if isinstance(o, Tensor) else np.asarray(o))))
    def __eq__(self, o): return False if o is None else self._compare(o, np.equal)
    def __ne__(self, o): return True if o is None else self._compare(o, np.not_equal)
    def __lt__(self, o): return self._compare(o, np.less)
    def __le__(self, o): return self._compare(o, np.less_equal)
    def __gt__(self, o): return self._compare(o, np.greater)
    def __ge__(self, o): return self._compare(o, np.greater_equal)
    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__
    __hash__ = object.__hash__
    def all(self, dim=None): return Tensor(np.asarray(np.all(self.data, axis=dim)))
    def any(self, dim=None): return Tensor(np.asarray(np.any(self.data, axis=dim)))

    # ---- functions --------------------------------------------------------------------
    def exp(self): return _ops.exp(self)
    def log(self): return _ops.log(self)
    def sqrt(self): return _ops.sqrt(self)
    def abs(self): return _ops.abs(self)
    def tanh(self): return _ops.tanh(self)
    def sigmoid(self): return _ops.sigmoid(self)
    def relu(self): return _ops.relu(self)
    def clamp(self, min=None, max=None): return _ops.clamp(self, min=min, max=max)
    clip = clamp
    def softmax(self, dim): return _ops.softmax(self, axis=dim)
    def log_softmax(self, dim): return _ops.log_softmax(self, axis=dim)

    # ---- dtypes -------------------------------------------------------------------------
    def to(self, dtype): return self if self.dtype == dtype else _ops.cast(self, dtype=np.dtype(dtype))
    def float(self): return self.to(np.float32)
    def double(self): return self.to(np.float64)
    def long(self): return self.to(np.int64)
    def clone(self): return _ops.cast(self, dtype=self.dtype)    # a copy that gradients flow through

    # ---- reductions: axis=/keepdims= (NumPy) or dim=/keepdim= (PyTorch) ---------------------
    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=False):
        return _ops.sum(self, axis=_pick(dim, axis), keepdims=keepdim or keepdims)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=False):
        return _ops.mean(self, axis=_pick(dim, axis), keepdims=keepdim or keepdims)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=False):
        """``max()`` and ``max(axis=...)``: the largest values (ties share the gradient, as
        ``amax``); ``max(dim)``: PyTorch's ``(values, indices)``, the gradient going to the
        index; ``max(other)``: the element-wise maximum."""
        if isinstance(dim, Tensor):
            return maximum(self, dim)
        if dim is None:
            return _ops.max(self, axis=axis, keepdims=keepdims or keepdim)
        return self._select(np.argmax, dim, keepdim)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=False):
        if isinstance(dim, Tensor):
            return minimum(self, dim)
        if dim is None:
            return -_ops.max(-self, axis=axis, keepdims=keepdims or keepdim)
        return self._select(np.argmin, dim, keepdim)

    def _select(self, arg, dim, keepdim):
        dim = _ops.normalize_axis(dim, self.ndim)
        index = np.expand_dims(arg(self.data, axis=dim), dim) if self.ndim else np.zeros((), np.int64)
        values = _ops.take_along_axis(self, indices=index, axis=dim) if self.ndim else self.clone()
        if not keepdim and self.ndim:
            values, index = values.squeeze(dim), index.squeeze(dim)
        return _MaxMin(values, Tensor(index.astype(np.int64)))

    def argmax(self, dim=None, keepdim=False):
        return self._arg(np.argmax, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return self._arg(np.argmin, dim, keepdim)

    def _arg(self, arg, dim, keepdim):
        if dim is None:                                      # over the flattened tensor
            return Tensor(np.asarray(arg(self.data), dtype=np.int64))
        return Tensor(np.asarray(arg(self.data, axis=dim, keepdims=keepdim), dtype=np.int64))

    # ---- shapes -------------------------------------------------------------------------
    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            np.empty(self.shape, dtype=np.bool_).reshape(shape)  # cheap validity check
        except ValueError:
            raise ShapeError(f"reshape: cannot reshape a tensor of shape {self.shape} "
                             f"({self.data.size} elements) into {shape}") from None
        return _ops.reshape(self, shape=shape)

    view = reshape

    def flatten(self, start_dim=0, end_dim=-1):
        start, end = (_ops.normalize_axis(d, self.ndim) for d in (start_dim, end_dim))
        return self.reshape(self.shape[:start] + (-1,) + self.shape[end + 1:])

    def unsqueeze(self, dim):
        dim = _ops.normalize_axis(dim, self.ndim + 1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim=None):
        """Drop axes of length 1 (only ``dim``, if given and of length 1, as in PyTorch)."""
        axes = [i for i in _ops.normalize_axes(dim, self.ndim) if self.shape[i] == 1]
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if i not in axes))

    def expand(self, *sizes):
        """Broadcast to ``sizes`` without copying; -1 keeps an axis's length."""
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        lead = len(sizes) - self.ndim
        shape = tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(sizes))
        return _ops.broadcast_to(self, shape=shape)

    def transpose(self, *axes):
        """``transpose(a, b)`` swaps axes a and b (PyTorch); ``transpose()`` reverses the
        axes and ``transpose((1, 0, 2))`` or ``transpose(1, 0, 2)`` permutes them (NumPy)."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            return _ops.transpose(self, axes=tuple(axes[0]))
        if len(axes) == 2:
            a, b = (_ops.normalize_axis(d, self.ndim) for d in axes)
            perm = list(range(self.ndim))
            perm[a], perm[b] = b, a
            axes = perm
        return _ops.transpose(self, axes=tuple(axes) or None)

    def permute(self, *dims):
        return _ops.transpose(self, axes=tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list))
                              else dims)

    @property
    def T(self):
        return _ops.transpose(self, axes=None)

    def t(self): return self.T


def _pick(dim, axis):
    """PyTorch's ``dim`` or NumPy's ``axis``: the same thing, at most one of them given."""
    if dim is not None and axis is not None:
        raise TypeError("give dim (PyTorch) or axis (NumPy), not both")
    return axis if dim is None else dim


def maximum(a, b):
    """Element-wise maximum; where equal, each input gets half the gradient (as PyTorch)."""
    return elementwise(_ops.maximum, a, b)


def minimum(a, b):
    return -maximum(-as_tensor(a), -as_tensor(b))


def where(condition, x, y):
    """``x`` where ``condition`` holds, else ``y`` (PyTorch's and NumPy's ``where``)."""
    return elementwise(_ops.where, x, y, condition=np.asarray(condition, dtype=bool))


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
    inputs = tuple([x if isinstance(x, Tensor) else as_tensor(x) for x in inputs if x is not None])
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
    needs = tuple([t.requires_grad for t in inputs])
    result.requires_grad = autograd.is_grad_enabled() and any(needs)
    if result.requires_grad:
        result._node = Node(op, inputs, cache, needs)
    return result


from . import ops as _ops  # noqa: E402  (ops call back into apply)
