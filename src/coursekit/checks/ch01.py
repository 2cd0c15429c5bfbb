"""Checks for chapter 1 (derivatives and numerical gradients).

    check_forward_difference(fn, hidden=False)   fn(f, x, h) = (f(x + h) − f(x)) / h
    check_central_difference(fn, hidden=False)   fn(f, x, h) ≈ f'(x) with error O(h²)
    check_numerical_gradient(fn, hidden=False)   fn(f, x) = ∇f(x) for f: Rⁿ → R, x of any shape, x unchanged
    check_relative_error(fn, hidden=False)       fn(a, b) = max |a − b| / max(|a|, |b|, 1e-12)

How the judging works
---------------------
* forward difference: compared with the formula itself at the given h (tight tolerance:
  the learner and we compute the same floating-point expression up to round-off).
* central difference: compared with the *exact* derivative of smooth test functions. The
  tolerance is the larger of rtol 1e-6 and three times the truncation error of the
  textbook central difference at that h, so any correct central scheme passes, while a
  forward difference (error ~ h/2·|f''|, orders of magnitude larger at these points) fails
  and is recognised.
* numerical gradient: the learner picks h. A central difference with any h in about
  [1e-8, 1e-3] meets rtol 1e-6 against the exact gradient. A one-sided difference is
  rejected whatever its h: for n >= 2 inputs it evaluates f n + 1 times (central: 2n).
  A step far too small or too large is recognised by the size of the error.
"""
from __future__ import annotations

import numpy as np

from coursekit.ch01 import TestFunction, cubic_sin, logsumexp, weighted, weighted_coefficients

from .core import call, cases, check_unchanged, judge, passed
from .answers import check, hidden_cases, reference
KEY = hidden_cases("ch01")  # the hidden cases: grader.key.ch01, where the grader runs
_fd, _cd, _forward_grad, _central_grad, _relative_error = reference(
    "ch01", "forward_difference", "central_difference", "forward_grad", "central_grad", "relative_error")

EPS = np.finfo(np.float64).eps


# ---------------------------------------------------------------------- smooth test functions
# name: (f, f', f''') — each works on floats and arrays
def _poly(x):
    return x ** 3 - 2.0 * x


FUNCS = {
    "sin(x)": (np.sin, np.cos, lambda x: -np.cos(x)),
    "x**3 - 2*x": (_poly, lambda x: 3.0 * x ** 2 - 2.0, lambda x: 6.0 + 0.0 * x),
    "exp(x)": (np.exp, np.exp, np.exp),
    "1/(1 + x**2)": (lambda x: 1.0 / (1.0 + x ** 2), lambda x: -2.0 * x / (1.0 + x ** 2) ** 2,
                     lambda x: 24.0 * x * (1.0 - x ** 2) / (1.0 + x ** 2) ** 4),
    "tanh(x)": (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2,
                lambda x: -2.0 * (1.0 - np.tanh(x) ** 2) * (1.0 - 3.0 * np.tanh(x) ** 2)),
    "log(1 + exp(x))": (lambda x: np.logaddexp(0.0, x),
                        lambda x: 1.0 / (1.0 + np.exp(-x)),
                        lambda x: (lambda s: s * (1 - s) * (1 - 2 * s))(1.0 / (1.0 + np.exp(-x)))),
}


def _scalar(name):
    """The test function as the learner gets it (:class:`coursekit.ch01.TestFunction`)."""
    return TestFunction(name)




def _roundoff(f, x, h):
    return 8 * EPS * (abs(f(x)) + abs(f(x + h)) + abs(f(x - h)) + 1e-300) / h


# ---------------------------------------------------------------------- forward difference
_FD_VISIBLE = [("sin(x)", 0.7, 1e-3), ("x**3 - 2*x", -1.3, 1e-4), ("exp(x)", 0.0, 0.1), ("tanh(x)", 0.5, 1e-6)]


def _desc(name, x, h):
    return f"f(x) = {name}, x = {x:g}, h = {h:g}"


@check
def check_forward_difference(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.FD_HIDDEN if hidden else _FD_VISIBLE
    for case, (name, x, h) in zip(cases("forward_difference", [_desc(*s) for s in specs]), specs):
        f = _scalar(name)
        got = call(fn, (f, x, h), case)
        expected = _fd(name, x, h)
        others = [hh for hh in (1e-5, 1e-4, 1e-6, 1e-3, 1e-7, 1e-8, 1e-2) if not np.isclose(hh, h)]
        alternatives = [
            ("central_difference_used", lambda: _cd(name, x, h)),
            ("backward_difference_used", lambda: (f(x) - f(x - h)) / h),
            ("missing_division_by_h", lambda: f(x + h) - f(x)),
            ("difference_reversed", lambda: (f(x) - f(x + h)) / h, {"right": "f(x + h) − f(x)"}),
        ] + [("ignores_h", (lambda hh=hh: _fd(name, x, hh)), {"h": f"{h:g}"}) for hh in others]
        judge(expected, got, case, atol=1e-10 + _roundoff(f, x, h), rtol=1e-7, alternatives=alternatives)
    passed("forward_difference", len(specs), hidden)


# ---------------------------------------------------------------------- central difference
_CD_VISIBLE = [("sin(x)", 0.7, 1e-3), ("x**3 - 2*x", -1.3, 1e-4), ("exp(x)", 0.0, 1e-2), ("tanh(x)", 0.5, 1e-5)]


@check
def check_central_difference(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.CD_HIDDEN if hidden else _CD_VISIBLE
    for case, (name, x, h) in zip(cases("central_difference", [_desc(*s) for s in specs]), specs):
        f0, df, d3f = FUNCS[name]
        f = _scalar(name)
        got = call(fn, (f, x, h), case)
        exact = float(df(x))
        truncation = max(abs(_cd(name, x, h) - exact), h * h / 6 * abs(float(d3f(x))))
        atol = 3 * truncation + 1e-10 + _roundoff(f, x, h)
        alternatives = [
            ("forward_difference_used", lambda: _fd(name, x, h)),
            ("backward_difference_used", lambda: (f(x) - f(x - h)) / h),
            ("missing_division_by_h", lambda: f(x + h) - f(x - h)),
            ("missing_division_by_h", lambda: (f(x + h) - f(x - h)) / 2),
            ("operator_precedence", lambda: (f(x + h) - f(x - h)) / 2 * h),
            ("difference_reversed", lambda: (f(x - h) - f(x + h)) / (2 * h), {"right": "f(x + h) − f(x − h)"}),
            ("divided_by_h_only", lambda: (f(x + h) - f(x - h)) / h),
        ]
        judge(exact, got, case, atol=atol, rtol=1e-6, alternatives=alternatives)
    passed("central_difference", len(specs), hidden)


# ---------------------------------------------------------------------- numerical gradient
def _cubic_sin_grad(x):
    return x ** 2 + np.cos(x)


def _logsumexp_grad(x):
    e = np.exp(x - np.max(x))
    return e / e.sum()


def _weighted_grad(seed, shape):
    w, v = weighted_coefficients(seed, shape)

    def grad(x):
        return 2 * w * x + v + np.sum(x) + 0.5 * np.exp(0.5 * x)
    return grad


# (seed, shape, function name)
_NG_VISIBLE = [(1, (3,), "cubic_sin"), (2, (2, 3), "weighted"), (3, (1,), "cubic_sin"), (4, (4,), "logsumexp")]


def ng_function(seed, shape, kind):
    """(description, the learner's f, the judge's f, the exact gradient)."""
    if kind == "cubic_sin":
        return "f(x) = sum(x**3)/3 + sum(sin(x))", TestFunction(kind), cubic_sin, _cubic_sin_grad
    if kind == "logsumexp":
        return "f(x) = log(sum(exp(x)))", TestFunction(kind), logsumexp, _logsumexp_grad
    return ("f(x) = sum(w*x**2) + sum(v*x) + sum(x)**2/2 + sum(exp(x/2))", TestFunction(kind, seed + 100, shape),
            weighted(seed + 100, shape), _weighted_grad(seed + 100, shape))




def _close_but_noisy(expected, got):
    """Relative error between 1e-6 and 1e-2: the signature of a step so small that round-off shows."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return False
    rel = np.max(np.abs(got - expected) / np.maximum(np.abs(expected), 1.0))
    return 1e-7 < rel < 1e-2


@check
def check_numerical_gradient(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.NG_HIDDEN if hidden else _NG_VISIBLE
    descs = []
    for seed, shape, kind in specs:
        descs.append(f"{ng_function(seed, shape, kind)[0]}, x.shape = {shape}")
    for case, (seed, shape, kind) in zip(cases("numerical_gradient", descs), specs):
        _, counted, f, grad = ng_function(seed, shape, kind)
        rng = np.random.default_rng(seed)
        x = rng.uniform(-1.5, 1.5, shape)
        x.flat[0] = -abs(x.flat[0]) - 0.25  # always a negative entry
        before = x.copy()
        got = call(fn, (counted, x), case)
        check_unchanged(before, x, case)
        expected = grad(before)
        n = before.size
        scale = max(1.0, float(np.abs(expected).max()))
        atol = 1e-7 * scale
        alternatives = []
        if counted.calls == n + 1:  # whatever the values: n + 1 evaluations is a one-sided difference
            alternatives.append(("forward_difference_evaluations", lambda: got, {"calls": n + 1, "n": n}))
        alternatives += [("forward_difference_used", (lambda hh=hh: _forward_grad(seed, shape, kind, before, hh)))
                         for hh in (1e-5, 1e-4, 1e-6, 1e-3, 1e-2)]
        alternatives += [("step_too_large", (lambda hh=hh: _central_grad(seed, shape, kind, before, hh)))
                         for hh in (1e-2, 3e-3, 5e-2, 1e-1, 0.5, 1.0)]
        alternatives += [("difference_reversed", lambda: -expected, {"right": "f(x + h·eᵢ) − f(x − h·eᵢ)"}),
                         ("divided_by_h_only", lambda: 2 * expected)]
        if counted.calls == 2 * n and _close_but_noisy(expected, got):
            alternatives.append(("step_too_small", lambda: got))  # 2n calls, nearly right: round-off
        judge(expected, got, case, atol=atol, rtol=1e-6, alternatives=alternatives)
        if n >= 2 and counted.calls == n + 1:  # right values with a tiny h, but one-sided all the same
            case.fail("forward_difference_evaluations", calls=n + 1, n=n)
    passed("numerical_gradient", len(specs), hidden)


# ---------------------------------------------------------------------- relative error
FLOOR = 1e-12



def _re_case(seed, kind):
    rng = np.random.default_rng(seed)
    if kind == "scalars":
        return 2.5, 2.5 * (1 + 3e-4), "a = 2.5, b = 2.50075"
    if kind == "negative":
        return -0.004, 0.001, "a = -0.004, b = 0.001"
    if kind == "zeros":
        a = np.array([0.0, 1.0, -2.0, 0.0])
        b = np.array([0.0, 1.0 + 1e-6, -2.0, 0.0])
        return a, b, "a, b of shape (4,) with zeros in both"
    shape = {"vec": (5,), "mat": (3, 4), "one": (1,), "cube": (2, 2, 2)}[kind]
    a = rng.standard_normal(shape)
    noise = rng.standard_normal(shape) * 10.0 ** rng.uniform(-7, -2, shape)
    b = a + noise
    # make the worst element one where b > a (the sign of a − b matters to a no-abs bug)
    worst = np.unravel_index(np.argmax(np.abs(noise) / np.maximum(np.abs(a), np.abs(b))), shape)
    b[worst] = a[worst] + abs(a[worst]) * 0.01 + 1e-3
    return a, b, f"a, b of shape {shape}"


_RE_VISIBLE = [(1, "scalars"), (2, "vec"), (3, "zeros"), (4, "negative"), (5, "mat")]


@check
def check_relative_error(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.RE_HIDDEN if hidden else _RE_VISIBLE
    made = [_re_case(seed, kind) for seed, kind in specs]
    for case, (a, b, _) in zip(cases("relative_error", [m[2] for m in made]), made):
        a0, b0 = np.array(a, dtype=np.float64), np.array(b, dtype=np.float64)
        got = call(fn, (a, b), case)
        check_unchanged(a0, a, case)
        check_unchanged(b0, b, case)
        expected = _relative_error(a0, b0)
        A, B, D = np.abs(a0), np.abs(b0), np.abs(a0 - b0)
        alternatives = [
            ("sum_denominator", lambda: np.max(D / np.maximum(A + B, FLOOR))),
            ("one_sided_denominator", lambda: np.max(D / np.maximum(A, FLOOR))),
            ("one_sided_denominator", lambda: np.max(D / np.maximum(B, FLOOR))),
            ("one_sided_denominator", lambda: np.max(D / A)),
            ("one_sided_denominator", lambda: np.max(D / B)),
            ("no_abs", lambda: np.max((a0 - b0) / np.maximum(np.maximum(A, B), FLOOR))),
            ("no_abs", lambda: np.max((b0 - a0) / np.maximum(np.maximum(A, B), FLOOR))),
            ("mean_not_max", lambda: np.mean(D / np.maximum(np.maximum(A, B), FLOOR))),
            ("whole_array_ratio", lambda: np.linalg.norm(a0 - b0) / max(np.linalg.norm(a0), np.linalg.norm(b0))),
            ("whole_array_ratio", lambda: np.linalg.norm(a0 - b0) / (np.linalg.norm(a0) + np.linalg.norm(b0))),
            ("whole_array_ratio", lambda: D.max() / max(A.max(), B.max())),
        ]
        judge(expected, got, case, atol=1e-15, rtol=1e-7, alternatives=alternatives)
    passed("relative_error", len(specs), hidden)


__all__ = ["check_forward_difference", "check_central_difference", "check_numerical_gradient",
           "check_relative_error", "FUNCS"]
