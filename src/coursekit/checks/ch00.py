"""Checks for chapter 0 (getting started): the broadcasting warm-up.

    check_center_rows(fn, hidden=False)    fn(X) = X minus the mean of each row, X of shape (N, D)
"""
from __future__ import annotations

import numpy as np

from .core import call, cases, check_unchanged, judge, passed
from .answers import check, hidden_cases, reference
KEY = hidden_cases("ch00")  # the hidden cases: grader.key.ch00, where the grader runs
_center = reference("ch00", "center_rows")

# (seed, shape, offset): offset shifts the values (negative or large entries)
# a square case comes first: there a missing keepdims runs silently, and its hint is the useful one
_VISIBLE = [(2, (4, 4), 0.0), (1, (3, 4), 0.0), (3, (1, 5), -2.0), (4, (5, 1), 0.0)]


@check
def check_center_rows(fn, hidden=False):
    """Accepts any correct centring (vectorised or loops); does not accept a changed input."""
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.HIDDEN if hidden else _VISIBLE
    for case, (seed, shape, offset) in zip(cases("center_rows", [f"X.shape = {s}" for _, s, _ in specs]), specs):
        rng = np.random.default_rng(seed)
        X = np.round(rng.standard_normal(shape) * 2 + offset, 3)
        before = X.copy()
        got = call(fn, (X,), case)
        check_unchanged(before, X, case)
        alternatives = [
            ("missing_axis", lambda: before - before.mean()),
            ("wrong_axis", lambda: before - before.mean(axis=0)),
            ("wrong_axis", lambda: before - before.mean(axis=0, keepdims=True)),
            ("missing_keepdims", lambda: before - before.mean(axis=1)),
            ("center_reversed", lambda: before.mean(axis=1, keepdims=True) - before),
            ("center_mean_only", lambda: np.broadcast_to(before.mean(axis=1, keepdims=True), before.shape)),
        ]
        judge(_center(before), got, case, atol=1e-9, rtol=1e-9, alternatives=alternatives)
    passed("center_rows", len(specs), hidden)
