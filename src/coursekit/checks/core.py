"""The comparison engine behind every exercise check.

A check builds small seeded cases, calls the learner's function through
:func:`call` (which turns any exception into a teaching message), and hands
expected and got to :func:`judge`. ``judge`` compares them with
:func:`chainrule.gradcheck.compare`; on a mismatch it **diagnoses** the mistake,
trying in order

1. the check's own *alternatives*: ``(category, value)`` pairs, the answer a
   typical wrong formula gives (a forward difference where a central one is asked...),
2. generic patterns: ``sign``, ``factor_2``, ``factor_half``, ``transpose``,
   ``batch_mean`` / ``missing_batch_mean`` / ``missing_batch_sum`` (with ``batch_axis``),
3. ``wrong_values``,

and raises :class:`CheckFailed` whose message (in the current language) names the
case, the worst index, expected vs got, the relative error and the hint.
:func:`verdict` does the same and returns a :class:`Verdict` instead of raising.

Writing a check for a new chapter: build seeded cases with :func:`cases`, call the
learner through :func:`call`, guard inputs with :func:`check_unchanged`, pass typical
wrong formulas as ``alternatives`` (and ``batch_axis`` where samples are summed), add a
message per new mistake id to both tables (``EN``, ``ZH``) of the chapter's module in
:mod:`.messages`, and end with :func:`passed`.
"""
from __future__ import annotations

import math
import os

import numpy as np

from coursekit.data import Opaque, type_name

from chainrule import compare
from . import answers
from .answers import eager
from .messages import MESSAGES

_LANGS = tuple(MESSAGES)
_state = {"lang": None}


# ---------------------------------------------------------------------- language
def get_language():
    """The feedback language: set by :func:`set_language`, else ``$CHAINRULE_LANG``, else ``"en"``."""
    if _state["lang"] is not None:
        return _state["lang"]
    env = os.environ.get("CHAINRULE_LANG", "en").strip().lower()[:2]
    return env if env in _LANGS else "en"


def set_language(lang):
    """Set the language of every later message: ``"en"`` or ``"zh"``."""
    code = str(lang).strip().lower()
    code = {"cn": "zh", "zh-cn": "zh", "zh_cn": "zh", "chinese": "zh", "english": "en"}.get(code, code[:2])
    if code not in _LANGS:
        raise ValueError(MESSAGES["en"]["env_language"].format(lang=lang))
    _state["lang"] = code
    return code


class _Fields(dict):
    def __missing__(self, name):  # a missing field shows as {name}: feedback must never crash
        return "{" + name + "}"


def msg(key, lang=None, **fields):
    """The message ``key`` in ``lang`` (default: the current language), formatted with ``fields``."""
    return MESSAGES[lang or get_language()][key].format_map(_Fields(fields))


# ---------------------------------------------------------------------- failure
class CheckFailed(AssertionError):
    """A check found a mistake. ``str(e)`` is the full message in the current language.

    exercise: the exercise id; category: the diagnosed mistake id (a key of MESSAGES);
    fields: the values the message was formatted with.
    """

    def __init__(self, message, exercise=None, category=None, fields=None):
        super().__init__(message)
        self.message = message
        self.exercise = exercise
        self.category = category
        self.fields = dict(fields or {})

    def _render_traceback_(self):
        """What IPython shows instead of a traceback through the checks: the message, and above
        it the learner's own traceback where their code raised (:func:`.display.render`)."""
        from .display import render
        return render(self)


class Case:
    """One test case of one exercise: its number, the total and a language-free description."""

    def __init__(self, exercise, number, total, desc):
        self.exercise, self.number, self.total, self.desc = exercise, number, total, desc
        self.watched = []  # (label, the input array, its copy from before the learner's call)

    def watch(self, snapshots):
        """Remember the inputs of a learner's call as they were (:func:`.learner.snapshot`)."""
        self.watched.extend(snapshots)

    def inputs_intact(self):
        """CheckFailed('input_changed') when the learner's call wrote into an input array.

        :func:`judge` asks this before it compares anything: an expected value computed from an
        input the learner's code changed in place would follow the learner, so no check may rely
        on remembering to guard its inputs. A check that guards them itself (with its own, more
        precise message) does so first; a change within round-off (x[i] += h; x[i] -= h) is
        tolerated, as in :func:`check_unchanged`."""
        __tracebackhide__ = True
        for label, array, before in self.watched:
            change = changed_in_place(before, array, nan_same=True)
            if change:
                self.fail("input_changed", position=label, **change)
        # Found intact, they stay so until the learner's next call, whose own snapshot covers its
        # inputs: a check that judges several outputs of one call compares each input once, not per output.
        self.watched.clear()

    def fail(self, category, details=(), **fields):
        __tracebackhide__ = True
        fields.setdefault("exercise", self.exercise)
        lines = [msg("fail_header", exercise=self.exercise, case=self.number, total=self.total, desc=self.desc)]
        lines += list(details)
        lines.append(msg("hint", text=msg(category, **fields)))
        raise CheckFailed("\n".join(lines), self.exercise, category, fields)


def cases(exercise, descs):
    """Number the descriptions: ``[Case(exercise, 1, n, d1), ...]``."""
    return [Case(exercise, i + 1, len(descs), d) for i, d in enumerate(descs)]


def passed(exercise, n, hidden=False):
    print(msg("pass_hidden" if hidden else "pass", exercise=exercise, n=n))


# ---------------------------------------------------------------------- values the learner returned
def as_array(got, case):
    """The learner's result as a float64 array, or CheckFailed (None, strings, ragged lists...)."""
    __tracebackhide__ = True
    if got is None:
        case.fail("none_returned")
    if isinstance(got, Opaque) or (isinstance(got, (list, tuple)) and any(isinstance(g, Opaque) for g in got)):
        case.fail("bad_type", gtype=type_name(got if isinstance(got, Opaque) else next(
            g for g in got if isinstance(g, Opaque))))
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        case.fail("bad_type", gtype=type_name(got))
    return arr


# ---------------------------------------------------------------------- formatting numbers
def fmt(v, digits=6):
    if v is None:
        return "?"
    v = float(v)
    if math.isnan(v) or math.isinf(v):
        return str(v)
    return f"{v:.{digits}g}"


def _digits(expected, got):
    """Enough significant digits that expected and got print differently."""
    if not (math.isfinite(expected) and math.isfinite(got)):
        return 6
    scale = max(abs(expected), abs(got), 1e-300)
    rel = abs(expected - got) / scale
    if rel == 0:
        return 6
    return int(min(17, max(6, math.ceil(-math.log10(rel)) + 2)))


def rel_error(expected, got):
    if not (math.isfinite(expected) and math.isfinite(got)):
        return math.inf
    scale = max(abs(expected), abs(got))
    return abs(expected - got) / scale if scale > 0 else 0.0


def _index(idx):
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def what_text(what):
    """The name of the value being judged: a message key (``"what_dx"``), or a pair
    ``(key, fields)`` for a name with parts, e.g. ``("what_step_item", {"name": "m", "i": 1, "t": 2})``."""
    if isinstance(what, tuple):
        key, fields = what
        return msg(key, **fields)
    return msg(what)


def detail_lines(expected, got, what="what_output"):
    """The 'expected vs got' line(s) for two same-shape float arrays (worst element first)."""
    expected = np.asarray(expected, dtype=np.float64)
    got = np.asarray(got, dtype=np.float64)
    if expected.ndim == 0:
        e, g = float(expected), float(got)
        d = _digits(e, g)
        return [msg("detail_scalar", what=what_text(what), expected=fmt(e, d), got=fmt(g, d), rel=f"{rel_error(e, g):.1e}")]
    with np.errstate(invalid="ignore"):
        err = np.abs(got - expected)
        err = np.where(np.isfinite(err), err, np.inf)
    flat = int(np.argmax(err))
    idx = np.unravel_index(flat, expected.shape)
    e, g = float(expected.flat[flat]), float(got.flat[flat])
    d = _digits(e, g)
    scale = np.maximum(np.abs(expected), np.abs(got))
    nbad = int(np.sum(err > 1e-9 * np.maximum(scale, 1.0))) or 1
    return [msg("detail_array", what=what_text(what), shape=tuple(expected.shape), nbad=nbad, size=expected.size,
                index=_index(idx), expected=fmt(e, d), got=fmt(g, d), rel=f"{rel_error(e, g):.1e}")]


# ---------------------------------------------------------------------- diagnosis
def close(got, candidate, atol, rtol):
    """Do got and candidate agree (same shape, finite, within tolerance)?"""
    try:
        candidate = np.asarray(candidate, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if candidate.shape != got.shape or not np.all(np.isfinite(candidate)):
        return False
    return bool(np.all(np.abs(got - candidate) <= atol + rtol * np.abs(candidate)))


def _value(alt):
    """An alternative is a value or a zero-argument callable (computed lazily, may fail)."""
    try:
        with np.errstate(all="ignore"):
            return alt() if callable(alt) else alt
    except Exception:
        return None


def diagnose(expected, got, atol, rtol, alternatives=(), batch_axis=None):
    """The mistake id that best explains ``got`` (same shape or not), and extra message fields."""
    expected = np.asarray(expected, dtype=np.float64)
    rtol_d = max(rtol, 1e-6)
    for category, alt, *extra in alternatives:
        v = _value(alt)
        if v is not None and close(got, v, atol, rtol_d):
            return category, dict(extra[0]) if extra else {}
    nonzero = np.abs(expected).max(initial=0.0) > 10 * atol
    if got.shape == expected.shape:
        if nonzero and close(got, -expected, atol, rtol_d):
            return "sign", {}
        if nonzero and close(got, 2 * expected, atol, rtol_d):
            return "factor_2", {}
        if nonzero and close(got, expected / 2, atol, rtol_d):
            return "factor_half", {}
    if expected.ndim == 2 and close(got, expected.T, atol, rtol_d) and not close(expected, expected.T, atol, rtol_d):
        return "transpose", {}
    if batch_axis is not None and nonzero:
        n = got.shape[batch_axis] if got.ndim > batch_axis else None
        if got.ndim == expected.ndim + 1 and close(got.sum(axis=batch_axis), expected, atol, rtol_d):
            return "missing_batch_sum", {"axis": batch_axis, "n": n}
        if expected.ndim > batch_axis:
            n = expected.shape[batch_axis]
        if n and n > 1 and got.shape == expected.shape:
            if close(got, expected / n, atol, rtol_d):
                return "batch_mean", {"n": n}
            if close(got, expected * n, atol, rtol_d):
                return "missing_batch_mean", {"n": n}
    if got.shape != expected.shape:
        return "shape", {}
    return "wrong_values", {}


def judge(expected, got, case, atol=1e-8, rtol=1e-6, alternatives=(), batch_axis=None, what="what_output"):
    """Pass silently if ``got`` matches ``expected``; else raise CheckFailed with a diagnosis.

    expected    : array or number (float64 is used)
    got         : whatever the learner's function returned
    case        : the Case (for the message header)
    atol, rtol  : |got − expected| <= atol + rtol·|expected| element-wise
    alternatives: (category, value-or-callable[, fields]) for typical wrong answers, tried first
    batch_axis  : the axis that indexes samples, for the batch-sum/mean diagnoses
    what        : the name of the value in the message: a message key or (key, fields), see what_text
    """
    __tracebackhide__ = True
    eager(alternatives)  # recording the key's answers: every candidate mistake, not only a wrong answer's
    case.inputs_intact()
    expected = np.asarray(expected, dtype=np.float64)
    arr = as_array(got, case)
    shape_fields = {"expected_shape": tuple(expected.shape), "got_shape": tuple(arr.shape)}
    if arr.shape != expected.shape:
        category, extra = diagnose(expected, arr, atol, rtol, alternatives, batch_axis)
        if category == "shape" and expected.ndim == 0:
            category = "not_scalar"
        case.fail(category, [msg("detail_shape", what=what_text(what), **shape_fields)], **shape_fields, **extra)
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr.reshape(expected.shape) if expected.ndim else arr.reshape(1)))
        index = _index(bad[0]) if expected.ndim else "[]"
        case.fail("nan", detail_lines(expected, arr, what), index=index)
    if _within(expected, arr, atol, rtol):  # the common case, in a few passes over the arrays
        return arr
    result = compare(expected, arr, atol=atol, rtol=rtol)
    if result.ok:
        return arr
    category, extra = diagnose(expected, arr, atol, rtol, alternatives, batch_axis)
    case.fail(category, detail_lines(expected, arr, what), **shape_fields, **extra)


def _within(expected, got, atol, rtol):
    """``|got - expected| <= atol + rtol·|expected|`` everywhere: the test of
    :func:`chainrule.gradcheck.compare` (same shapes, finite ``got``), without its report, so that
    a layer-sized answer that is right costs a few passes instead of a dozen. False sends the
    caller to ``compare``, which words the mismatch."""
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(got - expected) <= atol + rtol * np.abs(expected)))


def changed_in_place(before, after, nan_same=False):
    """None when ``after`` is ``before`` up to round-off (|Δ| ≤ 1e-12·max(|before|, 1), so that
    x[i] += h; x[i] -= h passes); else the message's fields ``index``, ``before``, ``after`` at the
    largest change (the shapes, when they differ). ``nan_same``: a NaN left as NaN is no change."""
    before = np.asarray(before, dtype=np.float64)
    after = np.asarray(after, dtype=np.float64)
    if before.shape != after.shape:
        return {"index": "", "before": before.shape, "after": after.shape}
    if np.array_equal(before, after):
        return None  # untouched (the usual case): one pass (NumPy's equal_nan=True makes several and copies)
    with np.errstate(all="ignore"):
        diff = np.abs(after - before)
        bad = ~(diff <= 1e-12 * np.maximum(np.abs(before), 1.0))
    if nan_same:
        bad &= ~(np.isnan(before) & np.isnan(after))
    if not bad.any():
        return None
    flat = int(np.argmax(np.where(bad, diff, -1)))
    idx = np.unravel_index(flat, before.shape) if before.ndim else ()
    return {"index": _index(idx) if before.ndim else "", "before": fmt(before.flat[flat], 10),
            "after": fmt(after.flat[flat], 10)}


def check_unchanged(before, after, case, name="x"):
    """CheckFailed('modified_input') when the learner's function changed an input array in place.

    A change within float round-off (x[i] += h; x[i] -= h) is tolerated.
    """
    __tracebackhide__ = True
    change = changed_in_place(before, after)
    if change:
        case.fail("modified_input", **change)


# ---------------------------------------------------------------------- a verdict without raising
class Verdict:
    """What :func:`verdict` found: truthy when ``got`` matches.

    ok, category (mistake id or None), message (full text, current language, '' when ok),
    worst_index, expected_at_worst, got_at_worst, rel_error (at the worst element).
    """

    def __init__(self, ok, category=None, message="", worst_index=None, expected_at_worst=None,
                 got_at_worst=None, rel_error=0.0):
        self.ok, self.category, self.message = ok, category, message
        self.worst_index, self.expected_at_worst, self.got_at_worst = worst_index, expected_at_worst, got_at_worst
        self.rel_error = rel_error

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return f"Verdict(ok={self.ok}, category={self.category!r}, worst_index={self.worst_index})"


def verdict(expected, got, exercise="value", desc="", **kw):
    """Like :func:`judge` (same keyword arguments) but returns a :class:`Verdict` instead of raising."""
    try:
        judge(expected, got, Case(exercise, 1, 1, desc), **kw)
    except CheckFailed as e:
        worst = dict(worst_index=None, expected_at_worst=None, got_at_worst=None, rel_error=float("inf"))
        try:
            arr = np.asarray(got, dtype=np.float64)
            exp = np.asarray(expected, dtype=np.float64)
            if arr.shape == exp.shape and exp.size:
                with np.errstate(invalid="ignore"):
                    err = np.abs(arr - exp)
                flat = int(np.argmax(np.where(np.isfinite(err), err, np.inf)))
                e_w, g_w = float(exp.flat[flat]), float(arr.flat[flat])
                worst = dict(worst_index=tuple(int(i) for i in np.unravel_index(flat, exp.shape)),
                             expected_at_worst=e_w, got_at_worst=g_w, rel_error=rel_error(e_w, g_w))
        except (TypeError, ValueError):
            pass
        return Verdict(False, e.category, str(e), **worst)
    return Verdict(True)


def trust_references(on=True):
    """Grading only: skip the numerical re-derivation :func:`verified` takes lazily. The tests run
    every check on the same seeded cases with it (the default): per notebook it adds nothing."""
    _state["trust_references"] = bool(on)


def verified(reference, numeric, what):
    """Our own safety net: a reference gradient must agree with the numerical one, or the
    check itself is wrong (never the learner's fault). ``numeric``: the numerical gradient, or a
    function of none that computes it (:func:`trust_references` skips it)."""
    if callable(numeric):
        if _state.get("trust_references") or answers.mode() != "key":  # recorded answers were checked
            return reference
        numeric = numeric()
    reference, numeric = np.asarray(reference, float), np.asarray(numeric, float)
    if not np.all(np.abs(reference - numeric) <= 1e-7 + 1e-5 * np.abs(reference)):  # pragma: no cover
        raise RuntimeError(f"coursekit.checks: reference {what} disagrees with the numerical gradient")
    return reference


def describe(got):
    """A short description of what the learner returned, e.g. ``tuple of 2`` or ``ndarray (3, 4)``."""
    if isinstance(got, (tuple, list)):
        return f"{type_name(got)} of {len(got)}"
    shape = got.shape if isinstance(got, (np.ndarray, np.generic)) else None
    return f"{type_name(got)} {tuple(shape)}" if shape is not None else type_name(got)


def unpack(got, names, case):
    """The learner's tuple of ``len(names)`` results, or CheckFailed('bad_return')."""
    __tracebackhide__ = True
    if not isinstance(got, (tuple, list)) or len(got) != len(names):
        case.fail("bad_return", expected="(" + ", ".join(names) + ")", got=describe(got))
    return got


def unchanged(before, after, case, name, category="modified_argument"):
    """CheckFailed(category) when the learner changed an input array in place (exact comparison)."""
    __tracebackhide__ = True
    after = np.asarray(after, dtype=np.float64)
    if after.shape != before.shape or not np.array_equal(after, before):
        if after.shape != before.shape:
            case.fail(category, name=name, index="", before=before.shape, after=after.shape)
        flat = int(np.argmax(np.abs(after - before)))
        idx = np.unravel_index(flat, before.shape)
        case.fail(category, name=name, index=_index(idx), before=fmt(before.flat[flat], 10),
                  after=fmt(after.flat[flat], 10))


from .learner import call, invoke  # noqa: E402,F401 - part of this interface; learner.py needs CheckFailed above
