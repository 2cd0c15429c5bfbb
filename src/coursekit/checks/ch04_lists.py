"""How chapter 4's checks read and judge what a step function returns: the tuple and its lists of
arrays, arguments left untouched (no in-place update), and each list judged element by element with
the exercise's own diagnoses (a negated result, a step twice or half as long). Used by :mod:`.ch04`."""
from __future__ import annotations

import numpy as np

from coursekit.data import type_name

from .core import _index, as_array, fmt, judge


def shapes_text(shapes):
    return "[" + ", ".join(str(tuple(s)) for s in shapes) + "]"


def describe(got):
    if isinstance(got, (tuple, list)):
        return f"{type_name(got)} of {len(got)}"
    shape = got.shape if isinstance(got, (np.ndarray, np.generic)) else None
    return f"{type_name(got)} {tuple(shape)}" if shape is not None else type_name(got)


def copies(arrays):
    return [np.array(a, dtype=np.float64, copy=True) for a in arrays]


def unpack(got, names, case):
    """The learner's tuple of len(names) results."""
    __tracebackhide__ = True
    if got is None:
        case.fail("optim_returned_none", expected=", ".join(names))
    if not isinstance(got, (tuple, list)) or len(got) != len(names) or any(
            isinstance(item, np.ndarray) for item in got):   # one list of arrays, not a tuple of lists
        case.fail("optim_bad_return", expected="(" + ", ".join(names) + ")", got=describe(got))
    return list(got)


def as_list(got, n, name, case):
    """A list (or tuple) of n arrays, one per parameter."""
    __tracebackhide__ = True
    if got is None:
        case.fail("optim_returned_none", expected=name)
    if not isinstance(got, (list, tuple)) or len(got) != n:
        case.fail("optim_bad_list", name=name, n=n, got=describe(got))
    return list(got)


def untouched(saved, passed, name, case):
    """CheckFailed('optim_in_place') when an argument list or one of its arrays was changed."""
    __tracebackhide__ = True
    if not isinstance(passed, list) or len(passed) != len(saved):
        case.fail("optim_in_place", name=name, index="", before=f"list of {len(saved)}", after=describe(passed))
    for i, (before, after) in enumerate(zip(saved, passed)):
        untouched_array(before, after, f"{name}[{i}]", case)


def untouched_array(before, after, name, case):
    __tracebackhide__ = True
    after = np.asarray(after, dtype=np.float64)
    if after.shape != before.shape:
        case.fail("optim_in_place", name=name, index="", before=before.shape, after=after.shape)
    if not np.array_equal(after, before):
        flat = int(np.argmax(np.abs(after - before)))
        idx = np.unravel_index(flat, before.shape) if before.ndim else ()
        case.fail("optim_in_place", name=name, index=_index(idx) if before.ndim else "",
                  before=fmt(before.flat[flat], 10), after=fmt(after.flat[flat], 10))


# Each exercise's own hint for a returned array that is −expected (a negated element of the returned
# tuple), and for parameters that moved twice or half as far as expected: (exercise, returned list).
# (A negated velocity is −g at step 1, where v starts at 0: "momentum_velocity_sign" names it.)
_NEGATED = {("sgd_step", "new_params"): "sgd_params_negated",
            ("momentum_step", "new_params"): "momentum_params_negated",
            ("adam_step", "new_params"): "adam_params_negated",
            ("adam_step", "new_m"): "adam_moment_negated", ("adam_step", "new_v"): "adam_moment_negated"}
_STEP_SCALED = {"sgd_step": "sgd_step_scaled", "momentum_step": "momentum_step_scaled",
                "adam_step": "adam_step_scaled"}


def judge_list(expected, got, name, t, case, alternatives_of, atol=1e-10, rtol=1e-8, start=None):
    """Judge element i of a returned list against expected[i], with per-element alternatives, then the
    exercise's own negated / doubled-step / halved-step diagnoses (``start``: the parameters before
    the step, for the step's size)."""
    __tracebackhide__ = True
    got = as_list(got, len(expected), name, case)
    for i, (e, g) in enumerate(zip(expected, got)):
        label = f"{name}[{i}]"
        alts = [(cat, alt, {"name": label, "t": t, **extra}) for cat, alt, extra in alternatives_of(i)]
        own = {"name": label, "t": t}
        if (case.exercise, name) in _NEGATED:
            alts.append((_NEGATED[case.exercise, name], lambda e=e: -np.asarray(e), own))
        if start is not None and case.exercise in _STEP_SCALED:
            p0 = np.asarray(start[i], dtype=np.float64)
            alts += [(_STEP_SCALED[case.exercise], lambda e=e, p0=p0: p0 + 2 * (e - p0), {**own, "factor": 2}),
                     (_STEP_SCALED[case.exercise], lambda e=e, p0=p0: p0 + (e - p0) / 2, {**own, "factor": "1/2"})]
        judge(e, g, case, atol=atol, rtol=rtol, alternatives=alts,
              what=("what_step_item", {"name": name, "i": i, "t": t}))
    return [as_array(g, case) for g in got]
