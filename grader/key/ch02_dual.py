"""The answer key of chapter 2's forward-mode check (:mod:`coursekit.checks.ch02_dual`): a
reference dual number, with the typical slips switchable for the diagnosis."""
from __future__ import annotations

import math

from coursekit.ch02 import BINARY
from coursekit.checks.ch02_dual import net_expression


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


def run_program(program, root, values, dots, bugs=None):
    """``(value, tangent)`` of a case's expression recorded as a program
    (:func:`coursekit.checks.ch02_value.program_of`), on reference dual numbers with ``bugs``."""
    registers = [RefDual(v, d, bugs) for v, d in zip(values, dots)]
    for op, *operands in program:
        args = [registers[x] if kind == "v" else x for kind, x in operands]
        registers.append(BINARY[op](*args) if op in BINARY else getattr(args[0], op)())
    return registers[root].val, registers[root].dot


# ---------------------------------------------------------------------- hidden cases of coursekit.checks.ch02_dual
def _cubic_chain(x, c):
    for _ in range(4):
        x = (x * c + 0.5).tanh() * x
    return x


HIDDEN = [
    ("a + b", "ab", lambda a, b: a + b, (-0.3, 4.0), (1.9, 0.6)),
    ("a * b", "ab", lambda a, b: a * b, (2.5, 0.4), (-0.8, 1.7)),
    ("a * 0.5 + (-1.5) * b", "ab", lambda a, b: a * 0.5 + (-1.5) * b, (0.2, 0.9), (2.0, -0.4)),
    ("a.tanh() * b", "ab", lambda a, b: a.tanh() * b, (-1.2, 1.9), (0.3, -0.6)),
    ("a.exp() * b", "ab", lambda a, b: a.exp() * b, (-0.7, 2.6), (1.4, 0.5)),
    ("(a * b + a).exp().tanh()", "ab", lambda a, b: (a * b + a).exp().tanh(), (-0.6, 0.4), (0.9, -1.1)),
    ("4 × [x = (x·c + 0.5).tanh()·x]", "xc", _cubic_chain, (0.7, -0.9), (1.0, 0.0)),
    ("tanh(w1·x1 + w2·x2)·exp(w2·x1 − x2)·w3 + tanh(...)", ["x1", "x2", "w1", "w2", "w3"], net_expression,
     (-0.4, 0.9, 1.3, -0.5, 0.6), (0.0, 0.0, 0.0, 1.0, 0.0)),
]
