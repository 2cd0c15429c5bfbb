"""The answer key of chapter 01's checks (:mod:`coursekit.checks.ch01`): the hidden cases."""
from __future__ import annotations


# ---------------------------------------------------------------------- hidden cases of coursekit.checks.ch01
FD_HIDDEN = [("1/(1 + x**2)", 0.3, 1e-3), ("sin(x)", -2.0, 1e-5), ("tanh(x)", 1.1, 0.05),
             ("x**3 - 2*x", 0.0, 1e-2), ("log(1 + exp(x))", -0.8, 1e-4), ("exp(x)", 1.5, 1e-7)]
CD_HIDDEN = [("1/(1 + x**2)", 0.3, 1e-3), ("sin(x)", -2.0, 1e-5), ("tanh(x)", 1.1, 1e-3),
             ("x**3 - 2*x", 0.0, 1e-2), ("log(1 + exp(x))", -0.8, 1e-4), ("exp(x)", 1.5, 1e-4)]
NG_HIDDEN = [(11, (5,), "weighted"), (12, (3, 2), "cubic_sin"), (13, (1, 1), "weighted"),
             (14, (2, 1, 2), "logsumexp"), (15, (6,), "cubic_sin"), (16, (2, 2), "logsumexp")]
RE_HIDDEN = [(11, "mat"), (12, "one"), (13, "negative"), (14, "zeros"), (15, "cube"), (16, "vec")]
