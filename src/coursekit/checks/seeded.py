"""Seeded case builders whose layer-sized values are computed once per grading worker.

A check's inputs are a pure function of constants: a seed and shapes from the check's own tables.
The layer-sized cases draw millions of random numbers, and every student's notebook gets the same
ones. :func:`seeded` marks such a builder and names the argument tuples worth keeping (the
layer-sized cases); :func:`warm` computes those once — the grader's judge does it in its zygote,
before it forks a judge per submission, so every fork starts with them — and the builder then
hands out a fresh copy of the kept value on each call. Any other arguments are computed as before.

Nothing a student sends can reach a kept value: the keys are the check's constants, the values
are computed by the judge before any submission exists, they are stored read-only and never handed
out themselves (only copies are), and each submission's judge is a fork that dies with it.
Without :func:`warm` (a learner's notebook, the tests) a builder behaves exactly as undecorated.
"""
from __future__ import annotations

import functools

import numpy as np

_BUILDERS: list = []
_KEPT: dict = {}


def _copy(value, writable):
    """A deep copy of a builder's value (arrays, and tuples/lists/dicts of them): read-only to keep,
    writable to hand out (what the caller gets, as if just computed)."""
    if isinstance(value, np.ndarray):
        out = np.array(value, copy=True)
        out.setflags(write=writable)
        return out
    if isinstance(value, (tuple, list)):
        return type(value)(_copy(v, writable) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v, writable) for k, v in value.items()}
    return value


def seeded(cases):
    """Decorate a case builder, a pure function of hashable constants (a call with keyword arguments
    is always computed). ``cases``: a function of none
    that returns the argument tuples to keep (read when :func:`warm` runs, so a test that swaps a
    layer-sized case for a small one is honoured)."""
    def wrap(fn):
        @functools.wraps(fn)
        def builder(*args, **kwargs):
            kept = _KEPT.get((builder, args), _KEPT) if not kwargs else _KEPT  # a variant: computed
            return fn(*args, **kwargs) if kept is _KEPT else _copy(kept, writable=True)
        builder.cases = cases
        _BUILDERS.append(builder)
        return builder
    return wrap


def warm() -> int:
    """Compute and keep every builder's listed cases; returns how many values are kept."""
    for builder in _BUILDERS:
        for args in builder.cases():
            args = tuple(args)
            if (builder, args) not in _KEPT:
                _KEPT[(builder, args)] = _copy(builder.__wrapped__(*args), writable=False)
    return len(_KEPT)


def forget() -> None:
    """Drop every kept value (tests)."""
    _KEPT.clear()


def kept() -> dict:
    """``{(builder, args): value}`` of the kept values (read-only arrays; tests compare them)."""
    return dict(_KEPT)
