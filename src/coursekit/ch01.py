"""Chapter 1's inputs: the functions a learner's finite differences are tried on.

A :class:`TestFunction` is described by its name (and, for the weighted quadratic, a seed and a
shape), so the grader's sandbox rebuilds the same function the judge evaluates. It counts its
evaluations (a one-sided difference of n inputs needs n + 1, a central one 2n); the count comes
back from the sandbox as the call's ``state``.
"""
from __future__ import annotations

import numpy as np

from .specs import Spec, register


def _poly(x):
    return x ** 3 - 2.0 * x


def cubic_sin(x):
    return float(np.sum(x ** 3) / 3.0 + np.sum(np.sin(x)))


def logsumexp(x):
    m = np.max(x)
    return float(m + np.log(np.sum(np.exp(x - m))))


def weighted_coefficients(seed, shape):
    """w, v of f(x) = sum(w * x**2) + sum(v * x) + sum(x)**2 / 2 + sum(exp(x / 2))."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 2.0, shape), rng.standard_normal(shape)


def weighted(seed, shape):
    w, v = weighted_coefficients(seed, shape)

    def f(x):
        return float(np.sum(w * x ** 2) + np.sum(v * x) + 0.5 * np.sum(x) ** 2 + np.sum(np.exp(0.5 * x)))
    return f


# scalar functions of chapter 1's difference quotients, by the name a case shows
SCALAR = {
    "sin(x)": np.sin,
    "x**3 - 2*x": _poly,
    "exp(x)": np.exp,
    "1/(1 + x**2)": lambda x: 1.0 / (1.0 + x ** 2),
    "tanh(x)": np.tanh,
    "log(1 + exp(x))": lambda x: np.logaddexp(0.0, x),
}


@register
class TestFunction(Spec):
    """f as the learner sees it: takes floats or arrays, returns a float for a scalar result."""

    spec_name = "ch01.TestFunction"

    def __init__(self, kind, seed=0, shape=()):
        self.kind, self.seed, self.shape = str(kind), int(seed), tuple(int(s) for s in shape)
        if self.kind in SCALAR:
            self.f = SCALAR[self.kind]
        elif self.kind == "cubic_sin":
            self.f = cubic_sin
        elif self.kind == "logsumexp":
            self.f = logsumexp
        elif self.kind == "weighted":
            self.f = weighted(self.seed, self.shape)
        else:
            raise ValueError(f"unknown test function {self.kind!r}")
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        y = self.f(x)
        return float(y) if np.ndim(y) == 0 else y

    def __repr__(self):
        return f"<test function {self.kind}>"

    def spec(self):
        return {"kind": self.kind, "seed": self.seed, "shape": list(self.shape)}

    @classmethod
    def rebuild(cls, data):
        return cls(data["kind"], data["seed"], data["shape"])

    def state(self):
        return self.calls

    def load_state(self, state):
        self.calls = int(state) if isinstance(state, int) and not isinstance(state, bool) and state >= 0 else -1
