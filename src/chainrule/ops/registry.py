"""One registry of primitives: each op's forward and its vector-Jacobian product (VJP).

A primitive is a pair of plain NumPy functions, written side by side in the op's module:

    def mul_forward(a, b):           # arrays in
        return a * b, (a, b)         # (out, cache)

    def mul_backward(dout, cache, needs):
        a, b = cache
        return dout * b, dout * a    # one gradient per input, same order

    mul = register("mul", mul_forward, mul_backward)

A backward returns new arrays or views of ``dout``, never an array it cached: a new
gradient array can then become a leaf's ``.grad`` without a copy.

``needs[i]`` tells whether input ``i`` wants a gradient, so an expensive
product (``dx`` of a first layer, say) can be skipped by returning ``None``.
Gradients may have the *broadcast* shape: the graph walker sums them back to
each input's shape with :func:`unbroadcast`, so no op has to.

The graph walker (``autograd.py``) calls ``backward`` and knows no op;
an op knows nothing about the graph.

A user's own op is defined the same way with the public decorator :func:`primitive`
(``chainrule.primitive``): ``@chainrule.primitive(my_vjp)`` over ``def my_op(x): return out, cache``.
"""
from __future__ import annotations

import numpy as np

REGISTRY: dict[str, "Primitive"] = {}


class Primitive:
    """A differentiable operation: ``forward(*arrays, **kw) -> (out, cache)``,
    ``backward(dout, cache, needs) -> tuple of input gradients``."""

    __slots__ = ("name", "forward", "backward")

    def __init__(self, name, forward, backward):
        self.name, self.forward, self.backward = name, forward, backward

    def __call__(self, *inputs, **kwargs):
        return _record(self, inputs, kwargs)

    def __repr__(self):
        return f"<primitive {self.name}>"


def _record(op, inputs, kwargs):
    """The Tensor layer records the graph: ``tensor.apply``, imported on the first call (it
    imports the ops, so it cannot be imported at the top), which then replaces this function."""
    global _record
    from ..tensor import apply
    _record = apply
    return apply(op, inputs, kwargs)


def register(name, forward, backward):
    """Register a primitive under ``name`` and return it (callable on Tensors)."""
    if name in REGISTRY:
        raise ValueError(f"primitive {name!r} is already registered")
    prim = Primitive(name, forward, backward)
    REGISTRY[name] = prim
    return prim


_CUSTOM: set = set()   # names registered through primitive(): a rerun may replace them, never a built-in


def primitive(vjp, name=None):
    """``@primitive(vjp)`` over ``forward(*arrays) -> (out, cache)`` registers a differentiable op whose
    VJP is ``vjp(dout, cache, needs) -> a tuple of one gradient per input``; returns it, callable on Tensors."""
    def define(forward):
        key = name or forward.__name__
        if key in REGISTRY and key not in _CUSTOM:
            raise ValueError(f"{key!r} is one of chainrule's own primitives: give your op another name")
        if not callable(vjp):
            raise TypeError(f"primitive({key!r}): vjp must be a function (dout, cache, needs) -> tuple of "
                            f"gradients, not {type(vjp).__name__}")
        REGISTRY.pop(key, None)   # rerunning the cell that defines it replaces the old definition
        _CUSTOM.add(key)
        return register(key, forward, vjp)
    return define


def normalize_axes(axis, ndim, what="axis"):
    """``axis`` (None, an int or a sequence of ints, negative counting from the end) as a
    tuple of axes in [0, ndim); None means every axis.

    The one place where negative axes become positive: every op that stores axes for its
    backward (argsort of a permutation, re-expanding a reduction) stores these. A 0-d
    tensor accepts axis 0 and -1, as PyTorch does, and has no axis to reduce.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    span = max(ndim, 1)
    out = []
    for a in axes:
        if not -span <= a < span:
            raise ValueError(f"{what} {a} is out of range for a tensor with {ndim} dimensions "
                             f"(valid: {-span} to {span - 1})")
        out.append(int(a) % span)
    if len(set(out)) != len(out):
        raise ValueError(f"{what} {tuple(axes)} repeats an axis")
    return tuple(out) if ndim else ()


def normalize_axis(axis, ndim, what="axis"):
    """One axis, for ops such as softmax, cat and stack: an int in [0, ndim)."""
    return normalize_axes(int(axis), ndim, what)[0] if ndim else 0


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched, so it has ``shape``.

    ``x`` of shape (3, 1) added to ``y`` of shape (2, 3, 4) receives a (2, 3, 4)
    upstream gradient; its own gradient is that summed over axis 0 and axis 2.
    """
    if grad.shape == tuple(shape):
        return grad
    extra = grad.ndim - len(shape)
    if extra < 0:
        raise ValueError(f"gradient of shape {grad.shape} cannot belong to an input of shape {shape}")
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad
