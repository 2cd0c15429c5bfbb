"""The answer key of chapter 00's checks (:mod:`coursekit.checks.ch00`): the hidden cases."""
from __future__ import annotations


# ---------------------------------------------------------------------- hidden cases of coursekit.checks.ch00
HIDDEN = [(12, (3, 3), 5.0), (11, (2, 6), 0.0), (13, (6, 1), -1.0), (14, (1, 1), 3.0),
           (15, (7, 2), -10.0), (16, (5, 5), 0.0)]
