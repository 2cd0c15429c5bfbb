"""The answer key of chapter 0's check (:mod:`coursekit.checks.ch00`): the centred rows, and the hidden cases."""
from __future__ import annotations


def center_rows(X):
    return X - X.mean(axis=1, keepdims=True)


# ---------------------------------------------------------------------- hidden cases of coursekit.checks.ch00
HIDDEN = [(12, (3, 3), 5.0), (11, (2, 6), 0.0), (13, (6, 1), -1.0), (14, (1, 1), 3.0),
           (15, (7, 2), -10.0), (16, (5, 5), 0.0)]
