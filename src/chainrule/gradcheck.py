"""The judge: gradients from backprop compared with central differences in float64.

    numerical_grad(f, x)          d f / d x of a plain NumPy function, by central differences
    gradcheck(fn, inputs)         backprop through ``fn`` (on Tensors) against the numerical gradient
    compare(expected, got)        where two arrays differ, and by how much

Central differences ``(f(x+h) - f(x-h)) / 2h`` have truncation error O(h^2),
so with h = 1e-6 in float64 a correct gradient agrees to about 1e-8 relative:
the tolerances below (rtol 1e-4, atol 1e-6) leave room for that and for
round-off, while any real mistake (a sign, a factor 2, a missing sum) is
off by order 1.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

EPS, ATOL, RTOL = 1e-6, 1e-6, 1e-4


def numerical_grad(f, x, dout=None, eps=EPS, indices=None):
    """Central-difference gradient of ``sum(f(x) * dout)`` with respect to ``x``.

    f      : function of one ndarray, returning a number or an ndarray
    x      : ndarray (any shape); evaluated in float64, not modified
    dout   : upstream gradient, same shape as f(x) (default: ones, i.e. d sum f / dx)
    indices: optional list of flat indices to estimate (sampled mode); others stay 0
    returns: ndarray of x's shape, float64
    """
    x = np.array(x, dtype=np.float64)  # a private copy we may perturb
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)

    def scalar():
        y = np.asarray(f(x), dtype=np.float64)
        return float(y.sum() if dout is None else (y * dout).sum())

    for i in range(x.size) if indices is None else indices:
        old = flat[i]
        flat[i] = old + eps
        up = scalar()
        flat[i] = old - eps
        down = scalar()
        flat[i] = old
        gflat[i] = (up - down) / (2 * eps)
    return grad


@dataclass
class Comparison:
    """How ``got`` differs from ``expected``: the worst element and the error sizes."""

    name: str
    shape: tuple
    ok: bool
    max_abs_err: float
    max_rel_err: float
    worst_index: tuple | None
    expected_at_worst: float | None
    got_at_worst: float | None
    problem: str | None = None  # "shape", "nan" or None

    def __bool__(self):
        return self.ok

    def describe(self):
        if self.problem == "shape":
            return f"{self.name}: shape {self.got_at_worst} but expected {self.shape}"
        if self.problem == "nan":
            return f"{self.name}: contains NaN or inf at index {self.worst_index}"
        verdict = "ok" if self.ok else "MISMATCH"
        return (f"{self.name} {self.shape}: {verdict}  max abs err {self.max_abs_err:.2e}, "
                f"max rel err {self.max_rel_err:.2e}, worst at {self.worst_index}: "
                f"expected {self.expected_at_worst:.6g}, got {self.got_at_worst:.6g}")


def compare(expected, got, name="value", atol=ATOL, rtol=RTOL, mask=None):
    """Compare arrays element-wise: ``|got - expected| <= atol + rtol * |expected|``.

    ``mask`` (bool, expected's shape) restricts the comparison to some elements
    (the sampled mode of gradcheck). The worst index is the element that breaks
    the tolerance the most.
    """
    expected = np.asarray(expected, dtype=np.float64)
    got = np.asarray(got)
    if got.shape != expected.shape:
        return Comparison(name, expected.shape, False, np.inf, np.inf, None, None, got.shape, "shape")
    got = got.astype(np.float64)
    if mask is not None:
        expected, got = expected[mask], got[mask]
        where = np.argwhere(mask)
    if expected.size == 0:
        return Comparison(name, expected.shape, True, 0.0, 0.0, None, None, None)
    bad = ~np.isfinite(got)
    if bad.any():
        idx = np.unravel_index(np.argmax(bad), got.shape)
        idx = tuple(where[idx[0]]) if mask is not None else idx
        return Comparison(name, expected.shape, False, np.inf, np.inf, _ints(idx),
                          None, None, "nan")
    abs_err = np.abs(got - expected)
    scale = np.maximum(np.abs(got), np.abs(expected))
    rel_err = abs_err / np.maximum(scale, 1e-12)
    excess = abs_err - (atol + rtol * np.abs(expected))
    flat = int(np.argmax(excess))
    idx = tuple(where[flat]) if mask is not None else np.unravel_index(flat, expected.shape)
    return Comparison(name, expected.shape if mask is None else mask.shape, bool(excess.max() <= 0),
                      float(abs_err.max()), float(rel_err[scale > atol].max(initial=0.0)),
                      _ints(idx), float(expected.flat[flat]), float(got.flat[flat]))


def _ints(idx):
    return tuple(int(i) for i in idx)


@dataclass
class GradcheckResult:
    """Truthy when every input's gradient matched; ``reports`` has one Comparison per input."""

    reports: list = field(default_factory=list)

    def __bool__(self):
        return all(r.ok for r in self.reports)

    @property
    def worst(self):
        failing = [r for r in self.reports if not r.ok]
        return failing[0] if failing else max(self.reports, key=lambda r: r.max_rel_err, default=None)

    def __str__(self):
        head = "gradcheck passed" if self else "gradcheck FAILED"
        return "\n".join([head] + ["  " + r.describe() for r in self.reports])

    __repr__ = __str__


class GradcheckError(AssertionError):
    pass


def gradcheck(fn, inputs, dout=None, eps=EPS, atol=ATOL, rtol=RTOL, samples=None, seed=0,
              raise_exception=False):
    """Check backprop through ``fn`` against central differences, for every float input.

    fn     : function of Tensors returning a Tensor (any shape)
    inputs : sequence of Tensors or arrays; float ones are checked (as float64 copies),
             integer ones (class labels, say) are passed as constants
    dout   : upstream gradient for a non-scalar output; default a seeded random
             array, so that the whole vector-Jacobian product is tested
    samples: check only this many random elements of each input (for large tensors)
    returns: GradcheckResult (truthy if all match); prints nicely
    """
    from .autograd import no_grad
    from .tensor import Tensor

    if not isinstance(inputs, (list, tuple)):
        inputs = (inputs,)
    rng = np.random.default_rng(seed)
    arrays = [np.array(x.data if isinstance(x, Tensor) else x) for x in inputs]
    checked = [a.dtype.kind == "f" for a in arrays]
    arrays = [a.astype(np.float64) if c else a for a, c in zip(arrays, checked)]
    tensors = [Tensor(a, requires_grad=c) for a, c in zip(arrays, checked)]

    out = fn(*tensors)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, it returned {type(out).__name__}")
    if dout is None:
        dout = rng.standard_normal(out.shape) if out.shape else np.array(1.0)
    dout = np.asarray(dout, dtype=np.float64)
    if out.requires_grad:
        out.backward(dout)

    result = GradcheckResult()
    for k, (t, c) in enumerate(zip(tensors, checked)):
        if not c:
            continue
        analytic = t.grad if t.grad is not None else np.zeros_like(t.data)
        mask = None
        indices = None
        if samples is not None and samples < t.size:
            indices = rng.choice(t.size, size=samples, replace=False)
            mask = np.zeros(t.size, bool)
            mask[indices] = True
            mask = mask.reshape(t.shape)

        def f_k(x, k=k):
            args = [Tensor(x) if j == k else Tensor(a) for j, a in enumerate(arrays)]
            with no_grad():
                return fn(*args).data

        numeric = numerical_grad(f_k, arrays[k], dout=dout, eps=eps, indices=indices)
        result.reports.append(compare(numeric, analytic, name=f"input {k}", atol=atol, rtol=rtol, mask=mask))
    if raise_exception and not result:
        raise GradcheckError(str(result))
    return result
