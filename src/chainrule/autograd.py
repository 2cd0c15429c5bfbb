"""The graph walker: reverse mode over the graph that Tensors record.

It knows no op. Each non-leaf tensor holds a :class:`Node` (the primitive that
made it, its parent tensors, what the forward cached); ``backward`` visits the
tensors in reverse topological order, asks each node's primitive for the
vector-Jacobian product, sums it back to each parent's shape and accumulates.
The order is built iteratively, so a graph 100,000 ops deep is fine.
"""
from __future__ import annotations

import contextlib
import threading

import numpy as np

from .ops.registry import unbroadcast


class _State(threading.local):
    """Per-thread switches. The defaults are class attributes, so reading one (every op does)
    is a plain attribute lookup: a ``getattr`` with a default pays for a caught exception."""
    grad_enabled = True
    anomaly = False


_state = _State()


def is_grad_enabled() -> bool:
    return _state.grad_enabled


def is_anomaly_enabled() -> bool:
    return _state.anomaly


@contextlib.contextmanager
def no_grad():
    """Within this block no graph is recorded (evaluation, optimizer updates)."""
    old = is_grad_enabled()
    _state.grad_enabled = False
    try:
        yield
    finally:
        _state.grad_enabled = old


@contextlib.contextmanager
def enable_grad():
    old = is_grad_enabled()
    _state.grad_enabled = True
    try:
        yield
    finally:
        _state.grad_enabled = old


@contextlib.contextmanager
def detect_anomaly():
    """Raise ``FloatingPointError`` naming the op whose forward output or
    backward gradient first holds a NaN or an infinity."""
    old = is_anomaly_enabled()
    _state.anomaly = True
    try:
        yield
    finally:
        _state.anomaly = old


def check_finite(array, what):
    if array is not None and array.dtype.kind in "fc" and not np.isfinite(array).all():
        bad = "NaN" if np.isnan(array).any() else "inf"
        raise FloatingPointError(f"{what} produced {bad} (detect_anomaly is on)")


class Node:
    """How a non-leaf tensor was made: ``op(*parents)`` and what its forward cached."""

    __slots__ = ("op", "parents", "cache", "needs")

    def __init__(self, op, parents, cache, needs):
        self.op, self.parents, self.cache, self.needs = op, parents, cache, needs

    @property
    def freed(self) -> bool:
        """True once ``backward()`` has released what the forward pass saved."""
        return self.cache is _FREED


def topological_order(root):
    """Tensors that ``root`` depends on, each after all of its parents.

    Depth-first post-order with an explicit stack (no recursion): a tensor is
    appended only once everything it was computed from has been appended.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        t, finished = stack.pop()
        if finished:
            order.append(t)
            continue
        if id(t) in visited:
            continue
        visited.add(id(t))
        stack.append((t, True))
        if t._node is not None:
            stack += [(p, False) for p in t._node.parents if p.requires_grad and id(p) not in visited]
    return order


def backward(root, grad, retain_graph=False):
    """Accumulate d(root)/d(leaf) · grad into ``.grad`` of every leaf that requires it."""
    grads = {id(root): grad}
    # ids of tensors whose pending gradient is an array no one else holds: it becomes .grad
    # as it is, where any other array is copied first (a leaf's .grad may be changed in place,
    # by clipping, say, and must not be a view of the user's array or of a sibling's gradient)
    exclusive = set()
    anomaly = is_anomaly_enabled()
    for t in reversed(topological_order(root)):
        g = grads.pop(id(t), None)
        if g is None:
            continue
        if t._hooks:
            for hook in list(t._hooks.values()):
                new = hook(g)
                if new is not None:
                    g = np.asarray(new, dtype=g.dtype)
        node = t._node
        if node is None or t._retains_grad:
            g_acc = g.astype(t.data.dtype, copy=False)
            if t.grad is not None:
                t.grad = t.grad + g_acc
            else:
                mine = id(t) in exclusive and not t._hooks or g_acc is not g
                t.grad = g_acc if mine else np.array(g_acc)
        if node is None:
            continue
        if node.cache is _FREED:
            raise RuntimeError(
                f"backward through the graph a second time (at {node.op.name}): its saved values "
                "were freed by the first backward(); pass retain_graph=True to the first call")
        parent_grads = node.op.backward(g, node.cache, node.needs)
        handed_out = []                                   # ids of the arrays given to parents so far
        for p, pg, need in zip(node.parents, parent_grads, node.needs):
            if not need or pg is None:
                continue
            if not isinstance(pg, np.ndarray):
                pg = np.asarray(pg)
            if pg.shape != p.data.shape:
                pg = unbroadcast(pg, p.data.shape)
            if anomaly:
                check_finite(pg, f"the backward of {node.op.name}")
            key = id(p)
            prev = grads.get(key)
            if prev is not None:
                grads[key] = prev + pg
                exclusive.add(key)
            else:
                grads[key] = pg
                # a VJP returns new arrays or views (never what it cached): a new array (one with
                # no base) that is not the upstream gradient itself and not given to another
                # input is exclusive
                if pg.base is None and pg is not g and id(pg) not in handed_out and pg.flags.writeable:
                    exclusive.add(key)
            handed_out.append(id(pg))
        if not retain_graph:
            node.cache = _FREED


_FREED = object()  # marks a node whose saved values were released after backward
