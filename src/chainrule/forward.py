"""Forward mode on dual numbers, for comparison with reverse mode.

A dual number carries a value and a tangent (a directional derivative) side by
side; every operation updates both, so one forward pass gives the derivative
of every output along *one* input direction. A gradient of f: R^p -> R needs p
such passes (one per input), while reverse mode needs a single backward pass:
that is why backprop, not forward mode, trains networks.

    out, tangent_out = jvp(f, (x,), (v,))      # tangent_out = J_f(x) @ v
"""
from __future__ import annotations

import numpy as np

from .ops.elementwise import stable_sigmoid


class Dual:
    """``primal + tangent·ε`` with ε² = 0. Supports the Tensor methods a small model uses."""

    __slots__ = ("primal", "tangent")
    __array_priority__ = 1000

    def __init__(self, primal, tangent=None):
        self.primal = np.asarray(primal, dtype=np.float64)
        self.tangent = np.zeros_like(self.primal) if tangent is None else np.asarray(tangent, np.float64)

    shape = property(lambda self: self.primal.shape)
    ndim = property(lambda self: self.primal.ndim)

    def __repr__(self):
        return f"Dual(primal={self.primal!r}, tangent={self.tangent!r})"

    # (u, u') op (v, v'): the tangent rule of each op sits next to its value
    def __add__(self, o):
        o = _dual(o); return Dual(self.primal + o.primal, self.tangent + o.tangent)
    def __sub__(self, o):
        o = _dual(o); return Dual(self.primal - o.primal, self.tangent - o.tangent)
    def __mul__(self, o):
        o = _dual(o); return Dual(self.primal * o.primal, self.tangent * o.primal + self.primal * o.tangent)
    def __truediv__(self, o):
        o = _dual(o)
        return Dual(self.primal / o.primal,
                    (self.tangent * o.primal - self.primal * o.tangent) / o.primal ** 2)
    def __matmul__(self, o):
        o = _dual(o); return Dual(self.primal @ o.primal, self.tangent @ o.primal + self.primal @ o.tangent)
    def __pow__(self, p):
        if isinstance(p, Dual):
            out = self.primal ** p.primal
            return Dual(out, p.primal * self.primal ** (p.primal - 1) * self.tangent
                        + out * np.log(self.primal) * p.tangent)
        return Dual(self.primal ** p, p * self.primal ** (p - 1) * self.tangent)
    def __neg__(self):
        return Dual(-self.primal, -self.tangent)

    __radd__ = __add__
    __rmul__ = __mul__
    def __rsub__(self, o): return _dual(o) - self
    def __rtruediv__(self, o): return _dual(o) / self
    def __rmatmul__(self, o): return _dual(o) @ self

    def exp(self):
        e = np.exp(self.primal); return Dual(e, e * self.tangent)
    def log(self):
        return Dual(np.log(self.primal), self.tangent / self.primal)
    def sin(self):
        return Dual(np.sin(self.primal), np.cos(self.primal) * self.tangent)
    def cos(self):
        return Dual(np.cos(self.primal), -np.sin(self.primal) * self.tangent)
    def tanh(self):
        t = np.tanh(self.primal); return Dual(t, (1 - t * t) * self.tangent)
    def sigmoid(self):
        s = stable_sigmoid(self.primal); return Dual(s, s * (1 - s) * self.tangent)
    def relu(self):
        m = self.primal > 0; return Dual(np.maximum(self.primal, 0), self.tangent * m)  # -inf * 0 is NaN
    def sum(self, axis=None, keepdims=False):
        return Dual(self.primal.sum(axis, keepdims=keepdims), self.tangent.sum(axis, keepdims=keepdims))
    def mean(self, axis=None, keepdims=False):
        return Dual(self.primal.mean(axis, keepdims=keepdims), self.tangent.mean(axis, keepdims=keepdims))
    def reshape(self, *shape):
        return Dual(self.primal.reshape(*shape), self.tangent.reshape(*shape))
    def transpose(self, *axes):
        return Dual(self.primal.transpose(*axes), self.tangent.transpose(*axes))
    T = property(lambda self: self.transpose())
    def __getitem__(self, i):
        return Dual(self.primal[i], self.tangent[i])


def _dual(x):
    return x if isinstance(x, Dual) else Dual(x)


def jvp(f, primals, tangents):
    """Evaluate ``f(*primals)`` and its Jacobian-vector product along ``tangents``.

    f        : function of Dual numbers (written with + - * / @ ** and methods such
               as .tanh(), .exp(), .sum(), exactly as for Tensors)
    primals  : sequence of arrays, the point x
    tangents : sequence of arrays of the same shapes, the direction v
    returns  : (f(x), J_f(x) v) as ndarrays
    """
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    duals = []
    for k, (p, t) in enumerate(zip(primals, tangents)):
        p, t = np.asarray(p, np.float64), np.asarray(t, np.float64)
        if p.shape != t.shape:
            raise ValueError(f"jvp: primal {k} has shape {p.shape} but its tangent has shape {t.shape}")
        duals.append(Dual(p, t))
    out = f(*duals)
    out = _dual(out)
    return out.primal, out.tangent


def grad_by_forward_mode(f, x):
    """The full gradient of scalar f at x by forward mode: one jvp per input element."""
    x = np.asarray(x, np.float64)
    grad = np.empty(x.size)
    basis = np.zeros(x.size)
    for i in range(x.size):
        basis[i] = 1.0
        grad[i] = jvp(f, (x,), (basis.reshape(x.shape),))[1]
        basis[i] = 0.0
    return grad.reshape(x.shape)
