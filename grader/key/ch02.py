"""The answer key of chapter 2's local-gradient and topological-sort checks: the reference gradients
(and the typical wrong version a check compares a wrong answer with), the hidden cases' seeds and
the graphs only hidden cases use. Conventions: see :mod:`coursekit.checks.ch02`. The Value and Dual references are
:mod:`.ch02_value` and :mod:`.ch02_dual`."""
from __future__ import annotations

import numpy as np

from coursekit.ch02 import Graph


def reference_local_gradients(w, x, b, y):
    """∂J/∂node for J = ½e², e = v − y, v = u + b, u = w·x."""
    e = w * x + b - y
    return {"e": e, "v": e, "u": e, "b": e, "y": -e, "w": e * x, "x": e * w}


def local_only(w, x, b, y):
    """What each node gets when its local gradient is not multiplied by the upstream gradient."""
    e = w * x + b - y
    return {"e": e, "v": 1.0, "u": 1.0, "b": 1.0, "y": -1.0, "w": x, "x": w}


LG_HIDDEN_SEEDS = (21, 22, 23, 24, 25)


def lg_hidden():
    specs = []
    for seed in LG_HIDDEN_SEEDS:
        rng = np.random.default_rng(seed)
        while True:
            w, x, b, y = (float(np.round(v, 3)) for v in rng.uniform(-3, 3, 4))
            e = w * x + b - y
            # keep every diagnosis unambiguous: e, w, x away from 0 and ±1, w ≠ ±x
            if min(abs(e), abs(w), abs(x)) > 0.3 and min(abs(abs(e) - 1), abs(abs(w) - 1), abs(abs(x) - 1)) > 0.2 \
                    and abs(abs(w) - abs(x)) > 0.2:
                specs.append((w, x, b, y))
                break
    return specs


def single_graph():
    g = Graph()
    g.node("a")
    return g, "root = a"


def random_graph(seed, n):
    rng = np.random.default_rng(seed)
    g = Graph()
    nodes = [g.node(f"n{i}") for i in range(3)]
    for i in range(3, n):
        k = int(rng.integers(1, 4))
        parents = [nodes[int(j)] for j in rng.integers(0, len(nodes), k)]   # repeats allowed
        nodes.append(g.node(f"n{i}", parents))
    g.node("root", (nodes[-1], nodes[-2], nodes[len(nodes) // 2]))
    return g, f"random DAG: seed {seed}, {n} nodes"


# ---------------------------------------------------------------------- hidden cases of coursekit.checks.ch02
# the topological-sort graphs, by name: "single" and "random" are built here, the others by the check
TS_HIDDEN = [("single",), ("square",), ("random", 31, 12), ("random", 32, 25), ("chain", 200), ("diamond",),
            ("random", 33, 40)]
