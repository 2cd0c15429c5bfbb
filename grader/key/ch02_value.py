"""The answer key of chapter 2's Value check (:mod:`coursekit.checks.ch02_value`): a reference
``Value`` engine, with the typical bugs switchable for the diagnosis, and its topological order."""
from __future__ import annotations

import math

from coursekit.ch02 import BINARY, UNARY
from coursekit.checks.ch02_value import deep_chain


# ---------------------------------------------------------------------- the reference engine
class Ref:
    """The reference scalar engine, with switchable bugs for the diagnosis.

    bugs: dict of flags, e.g. {"overwrite": True}, {"local_only": "*"}, {"tanh": "x"}, {"order": "forward"},
          {"mul": "swapped"}, {"add": "one_side"}
    """

    def __init__(self, data, parents=(), op="", local=(), bugs=None):
        self.data = float(data)
        self.grad = 0.0
        self.parents = tuple(parents)
        self.op = op
        self.local = tuple(local)
        self.bugs = bugs or {}

    def _wrap(self, other):
        return other if isinstance(other, Ref) else Ref(other, bugs=self.bugs)

    def _make(self, data, parents, op, local):
        b = self.bugs
        if b.get("sign") == op:
            local = [-v for v in local]
        if b.get("factor_2") == op:
            local = [2 * v for v in local]
        return Ref(data, parents, op, local, b)

    def __add__(self, other):
        other = self._wrap(other)
        local = (1.0, 0.0) if self.bugs.get("add") == "one_side" else (1.0, 1.0)
        return self._make(self.data + other.data, (self, other), "+", local)

    def __mul__(self, other):
        other = self._wrap(other)
        # the right local gradients are the *other* factor; "swapped" gives each parent its own value
        local = (self.data, other.data) if self.bugs.get("mul") == "swapped" else (other.data, self.data)
        return self._make(self.data * other.data, (self, other), "*", local)

    def __pow__(self, n):
        x, bug = self.data, self.bugs.get("pow")
        local = {"no_minus_one": n * x ** n, "no_n": x ** (n - 1), "n_minus_one": (n - 1) * x ** (n - 1),
                 "value": x ** n}.get(bug, n * x ** (n - 1))
        return self._make(x ** n, (self,), "**", (local,))

    def tanh(self):
        t, bug = math.tanh(self.data), self.bugs.get("tanh")
        local = {"x": 1 - self.data ** 2, "no_square": 1 - t, "value": t}.get(bug, 1 - t * t)
        return self._make(t, (self,), "tanh", (local,))

    def exp(self):
        v, bug = math.exp(self.data), self.bugs.get("exp")
        local = {"x": self.data, "one": 1.0, "x_exp": self.data * v}.get(bug, v)
        return self._make(v, (self,), "exp", (local,))

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return other * self ** -1

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self):
        order_bug = self.bugs.get("order")
        if order_bug == "bfs":
            order, seen, queue = [], {id(self)}, [self]
            while queue:
                n = queue.pop(0)
                order.append(n)
                for p in n.parents:
                    if id(p) not in seen:
                        seen.add(id(p))
                        queue.append(p)
            order = order[::-1]           # "reversed" below puts it back to BFS order from the root
        else:
            order = reference_topo(self)
        if not self.bugs.get("no_seed"):
            self.grad = 1.0
        nodes = order if order_bug == "forward" else reversed(order)
        for n in nodes:
            for p, local in zip(n.parents, n.local):
                factor = 1.0 if self.bugs.get("local_only") in (n.op, "all") else n.grad
                if self.bugs.get("overwrite"):
                    p.grad = local * factor
                else:
                    p.grad += local * factor


def reference_topo(root):
    order, seen = [], set()

    def visit(n):
        stack = [(n, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for p in reversed(node.parents):
                if id(p) not in seen:
                    stack.append((p, False))
    visit(root)
    return order


def run_reference(expr, values, bugs=None):
    leaves = [Ref(v, bugs=bugs) for v in values]
    root = expr(*leaves)
    root.backward()
    return root.data, [leaf.grad for leaf in leaves]


def run_program(program, root, values, bugs=None):
    """``(value, [each leaf's gradient])`` of a case's expression recorded as a program
    (:func:`coursekit.checks.ch02_value.program_of`), on the reference engine with ``bugs``."""
    leaves = [Ref(v, bugs=bugs) for v in values]
    registers = list(leaves)
    for op, *operands in program:
        args = [registers[x] if kind == "v" else x for kind, x in operands]
        registers.append(BINARY[op](*args) if op in BINARY else UNARY[op](*args) if op in UNARY
                         else getattr(args[0], op)())
    top = registers[root]
    top.backward()
    return top.data, [leaf.grad for leaf in leaves]


# ---------------------------------------------------------------------- hidden cases of coursekit.checks.ch02_value
def _mixed(a, b, c):
    d = a * b + c.exp()
    e = (d * a).tanh() + d ** 2
    return e / (b * b + 1.0)


HIDDEN = [
    ("a + b", "ab", lambda a, b: a + b, (-0.3, 4.0)),
    ("a * b", "ab", lambda a, b: a * b, (2.5, 0.4)),
    ("(a * b) * c", "abc", lambda a, b, c: (a * b) * c, (-1.1, 0.9, 3.0)),
    ("(a + b) * c", "abc", lambda a, b, c: (a + b) * c, (0.6, 1.7, -2.2)),
    ("a ** 2 * c", "ac", lambda a, c: a ** 2 * c, (-1.4, 0.8)),
    ("a ** -1 * c", "ac", lambda a, c: a ** -1 * c, (1.6, 1.3)),
    ("a ** 0.5 * c", "ac", lambda a, c: a ** 0.5 * c, (2.3, -0.7)),
    ("a.tanh() * c", "ac", lambda a, c: a.tanh() * c, (-1.2, 1.9)),
    ("a.exp() * c", "ac", lambda a, c: a.exp() * c, (-0.7, 2.6)),
    ("a + a", "a", lambda a: a + a, (0.9,)),
    ("(a * a).exp() + a", "a", lambda a: (a * a).exp() + a, (0.6,)),
    ("d = a * b; (d + d.tanh()) * d", "ab", lambda a, b: (lambda d: (d + d.tanh()) * d)(a * b), (0.7, -1.3)),
    ("d = a*b + c.exp(); e = (d*a).tanh() + d**2; e / (b*b + 1.0)", "abc", _mixed, (0.5, -0.8, 0.3)),
    ("120 × [x = (x * 0.9 + c).tanh()]", "xc", deep_chain(120), (-0.4, 0.25)),
]
