"""The answer key of chapter 1's checks (:mod:`coursekit.checks.ch01`): the difference quotients and the
relative error as the exercises define them, the numerical gradients a diagnosis compares with, and the
hidden cases."""
from __future__ import annotations

import numpy as np

from coursekit.ch01 import TestFunction
from coursekit.checks.ch01 import FLOOR   # the exercise's floor of the denominator, as the chapter states it


def forward_difference(name, x, h):
    f = TestFunction(name)
    return (f(x + h) - f(x)) / h


def central_difference(name, x, h):
    f = TestFunction(name)
    return (f(x + h) - f(x - h)) / (2 * h)


def _grad(seed, shape, kind, x, h, central):
    from coursekit.checks.ch01 import ng_function
    f = ng_function(seed, shape, kind)[2]
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    fx = f(x)
    for i in range(x.size):
        xp, xm = x.copy(), x.copy()
        xp.flat[i] += h
        xm.flat[i] -= h
        g.flat[i] = (f(xp) - f(xm)) / (2 * h) if central else (f(xp) - fx) / h
    return g


def forward_grad(seed, shape, kind, x, h):
    """The one-sided numerical gradient of the case's function (a typical mistake)."""
    return _grad(seed, shape, kind, x, h, central=False)


def central_grad(seed, shape, kind, x, h):
    """The central numerical gradient of the case's function at step h (too large a step: a mistake)."""
    return _grad(seed, shape, kind, x, h, central=True)


def relative_error(a, b):
    """The exercise's definition: max over elements of |a − b| / max(|a|, |b|, 1e-12)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), FLOOR)))



# ---------------------------------------------------------------------- hidden cases of coursekit.checks.ch01
FD_HIDDEN = [("1/(1 + x**2)", 0.3, 1e-3), ("sin(x)", -2.0, 1e-5), ("tanh(x)", 1.1, 0.05),
             ("x**3 - 2*x", 0.0, 1e-2), ("log(1 + exp(x))", -0.8, 1e-4), ("exp(x)", 1.5, 1e-7)]
CD_HIDDEN = [("1/(1 + x**2)", 0.3, 1e-3), ("sin(x)", -2.0, 1e-5), ("tanh(x)", 1.1, 1e-3),
             ("x**3 - 2*x", 0.0, 1e-2), ("log(1 + exp(x))", -0.8, 1e-4), ("exp(x)", 1.5, 1e-4)]
NG_HIDDEN = [(11, (5,), "weighted"), (12, (3, 2), "cubic_sin"), (13, (1, 1), "weighted"),
             (14, (2, 1, 2), "logsumexp"), (15, (6,), "cubic_sin"), (16, (2, 2), "logsumexp")]
RE_HIDDEN = [(11, "mat"), (12, "one"), (13, "negative"), (14, "zeros"), (15, "cube"), (16, "vec")]
