"""Chapter 2's Value check, the judge's half: the cases (their expected gradients come from the
reference engine of :mod:`grader.key.ch02_value`, with the typical bugs switchable for the
diagnosis), and the tracer that turns a case's expression into a program of operations, the data that
:func:`coursekit.ch02.value_expression` runs on the learner's class in their process.

None of this is sent anywhere: only the program and the leaves' numbers cross (see
:mod:`coursekit.checks.ch02`).
"""
from __future__ import annotations
from .answers import reference

run_program = reference("ch02_value", "run_program")



# ---------------------------------------------------------------------- the cases
def deep_chain(steps):
    """x = (x * 0.9 + c).tanh(), ``steps`` times (a visible case; the key's hidden one is longer)."""
    def expr(x, c):
        for _ in range(steps):
            x = (x * 0.9 + c).tanh()
        return x
    return expr




# (description, names, expression, values). One op per case first, behind an upstream factor.
VISIBLE = [
    ("a + b", "ab", lambda a, b: a + b, (1.5, -2.0)),
    ("a * b", "ab", lambda a, b: a * b, (1.5, -2.0)),
    ("(a * b) * c", "abc", lambda a, b, c: (a * b) * c, (1.5, -2.0, 0.7)),
    ("(a + b) * c", "abc", lambda a, b, c: (a + b) * c, (1.5, -2.0, 0.7)),
    ("a ** 3 * c", "ac", lambda a, c: a ** 3 * c, (1.3, -0.6)),
    ("a.tanh() * c", "ac", lambda a, c: a.tanh() * c, (0.8, 2.5)),
    ("a.exp() * c", "ac", lambda a, c: a.exp() * c, (0.4, -1.5)),
    ("a * a + a", "a", lambda a: a * a + a, (1.5,)),
    ("d = a * b; d * d.tanh()", "ab", lambda a, b: (lambda d: d * d.tanh())(a * b), (0.6, -1.1)),
    ("J = 0.5 * (w * x + b - y) ** 2", "wxby", lambda w, x, b, y: 0.5 * (w * x + b - y) ** 2, (2.0, -1.5, 0.5, 1.0)),
    ("(w1 * x1 + w2 * x2 + b).tanh()", ["w1", "x1", "w2", "x2", "b"],
     lambda w1, x1, w2, x2, b: (w1 * x1 + w2 * x2 + b).tanh(), (-3.0, 2.0, 1.0, 0.0, 6.88)),
    ("30 × [x = (x * 0.9 + c).tanh()]", "xc", deep_chain(30), (0.5, 0.3)),
]


# ---------------------------------------------------------------------- the expression as a program
class Trace:
    """Stands for a Value while a case's expression is recorded: each operation appends one
    instruction to the tape (the program of coursekit.ch02.value_expression) and stands for its
    result. Operands keep their places, so ``3 * a`` is replayed as 3 * a (the learner's __rmul__)."""

    def __init__(self, tape, register):
        self._tape, self.register = tape, register

    def _op(self, op, *operands):
        prog = self._tape["program"]
        prog.append([op] + [["v", o.register] if isinstance(o, Trace) else ["k", _constant(o)] for o in operands])
        return Trace(self._tape, self._tape["leaves"] + len(prog) - 1)

    def __add__(self, o):
        return self._op("add", self, o)

    def __radd__(self, o):
        return self._op("add", o, self)

    def __sub__(self, o):
        return self._op("sub", self, o)

    def __rsub__(self, o):
        return self._op("sub", o, self)

    def __mul__(self, o):
        return self._op("mul", self, o)

    def __rmul__(self, o):
        return self._op("mul", o, self)

    def __truediv__(self, o):
        return self._op("truediv", self, o)

    def __rtruediv__(self, o):
        return self._op("truediv", o, self)

    def __pow__(self, n):
        return self._op("pow", self, n)

    def __neg__(self):
        return self._op("neg", self)

    def tanh(self):
        return self._op("tanh", self)

    def exp(self):
        return self._op("exp", self)


def _constant(c):
    if isinstance(c, (int, float)) and not isinstance(c, bool):
        return c
    raise TypeError(f"a case's expression uses {c!r}: only Values and numbers can be recorded")


def program_of(expr, n):
    """(program, root register) of ``expr`` on n leaves: data for the driver, no code."""
    tape = {"leaves": n, "program": []}
    root = expr(*[Trace(tape, i) for i in range(n)])
    return tape["program"], root.register
