"""The answer key of chapter 2's forward-mode check (:mod:`coursekit.checks.ch02_dual`): a
reference dual number, with the typical slips switchable for the diagnosis."""
from __future__ import annotations

import math


class RefDual:
    """The reference dual number, with switchable slips (``bugs``) for the diagnosis."""

    def __init__(self, val, dot=0.0, bugs=None):
        self.val, self.dot, self.bugs = float(val), float(dot), bugs or {}

    def _wrap(self, o):
        return o if isinstance(o, RefDual) else RefDual(o, 0.0, self.bugs)

    def _make(self, val, dot, op):
        if self.bugs.get("sign") == op:
            dot = -dot
        if self.bugs.get("factor_2") == op:
            dot = 2 * dot
        return RefDual(val, dot, self.bugs)

    def __add__(self, o):
        o = self._wrap(o)
        bug = self.bugs.get("add")
        dot = {"one_side": self.dot, "vals": self.val + o.val, "product": self.dot * o.dot}.get(bug, self.dot + o.dot)
        return self._make(self.val + o.val, dot, "+")

    def __radd__(self, o):
        return self._wrap(o) + self

    def __mul__(self, o):
        o = self._wrap(o)
        a, b = self, o
        bug = self.bugs.get("mul")
        dot = {"left_only": a.dot * b.val, "right_only": a.val * b.dot, "dots": a.dot * b.dot,
               "swapped": a.dot * a.val + b.dot * b.val, "minus": a.dot * b.val - a.val * b.dot,
               "with_vals": a.dot * b.val + a.val * b.dot + a.val * b.val}.get(bug, a.dot * b.val + a.val * b.dot)
        return self._make(a.val * b.val, dot, "*")

    def __rmul__(self, o):
        return self._wrap(o) * self

    def tanh(self):
        t, bug = math.tanh(self.val), self.bugs.get("tanh")
        dot = {"x": (1 - self.val ** 2) * self.dot, "no_square": (1 - t) * self.dot, "no_chain": 1 - t * t,
               "value": t * self.dot}.get(bug, (1 - t * t) * self.dot)
        return self._make(t, dot, "tanh")

    def exp(self):
        e, bug = math.exp(self.val), self.bugs.get("exp")
        dot = {"no_chain": e, "x": self.val * self.dot, "one": self.dot}.get(bug, e * self.dot)
        return self._make(e, dot, "exp")


def run_reference(expr, values, dots, bugs=None):
    """(value, tangent) of ``expr`` at ``values`` along ``dots``."""
    out = expr(*[RefDual(v, d, bugs) for v, d in zip(values, dots)])
    return out.val, out.dot
