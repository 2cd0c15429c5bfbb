"""Calling the learner's code from a check: :func:`call` (and :func:`invoke`, which it wraps).

In the notebook the exercise's driver (:mod:`coursekit.drivers`) runs here and the result makes the
round trip through :mod:`coursekit.data` that grading makes; in grading ``fn`` is a remote name
and the driver runs in the sandbox. An exception becomes a :class:`~.core.CheckFailed` with the
hint for it; the exercise's rule on what its code may use (:mod:`coursekit.rules`) is applied to
the notebook's own code first.
"""
from __future__ import annotations

import numpy as np

from .core import CheckFailed


def snapshot(args, kwargs=None):
    """``[(label, array, copy)]`` for every NumPy array among a call's inputs (inside lists, tuples
    and dicts too; a spec's own state is the exercise's business): what :meth:`Case.inputs_intact`
    compares after the call. Labels count positional arguments from 1 (``2['W1']``). An array met
    twice (an RNN's weights in every step of its cache) is copied and compared once, by its first label."""
    found, seen = [], set()

    def walk(x, label, depth):
        if depth > 8:
            return
        if isinstance(x, np.ndarray):
            if x.dtype.kind in "biufc" and id(x) not in seen:
                seen.add(id(x))
                found.append((label, x, x.copy()))
        elif isinstance(x, (list, tuple)):
            for i, v in enumerate(x):
                walk(v, f"{label}[{i}]", depth + 1)
        elif isinstance(x, dict):
            for k, v in x.items():
                walk(v, f"{label}[{k!r}]", depth + 1)

    for i, a in enumerate(args):
        walk(a, str(i + 1), 0)
    for k, v in (kwargs or {}).items():
        walk(v, str(k), 0)
    return found


def invoke(fn, args, kwargs=None, driver="call"):
    """Drive the learner's ``fn`` (:mod:`coursekit.drivers`) and return the outcome *as data*, the
    way the grader's judge receives it from the sandbox: in grading ``fn`` is a remote name and the
    driver runs in the sandbox; in the notebook it runs here and the result makes the same round
    trip through :mod:`coursekit.data`, so a learner meets at home exactly what grading sees."""
    from coursekit import data, drivers
    from coursekit.specs import Spec
    if getattr(type(fn), "__coursekit_remote__", False):
        return fn.invoke(driver, args, kwargs or {})
    result = drivers.get(driver)(fn, *args, **(kwargs or {}))
    refs = [a.refs() if isinstance(a, Spec) else [] for a in args]
    return data.round_trip(result, drivers.references(args), refs)


def _apply_rule(fn, case):
    """In the notebook: the exercise's rule on what its code may use (see :mod:`coursekit.rules`).
    Applies to the notebook's own code (``__main__``), as grading does; not to a test's stand-ins."""
    __tracebackhide__ = True
    if getattr(fn, "__module__", None) != "__main__":
        return
    from coursekit import manifest, rules
    known = manifest.load().exercises
    if case.exercise not in known:  # a check run on its own, outside the course: no rule to apply
        return
    found = rules.forbidden_use(fn, rules.uses(known[case.exercise].chapter, case.exercise))
    if found:
        case.fail("tool_not_allowed", name=found[0], module=found[1])


def call(fn, args, case, kwargs=None, driver="call"):
    """``fn(*args, **kwargs)`` through :func:`invoke`; an exception becomes CheckFailed with the right hint."""
    __tracebackhide__ = True
    from .core import _state
    _state["case"] = case  # the case a reference that was not recorded fails (answers.check)
    if not getattr(type(fn), "__coursekit_remote__", False):
        _apply_rule(fn, case)
    before = snapshot(args, kwargs)  # judge() makes sure the call left them as they were
    try:
        result = invoke(fn, args, kwargs, driver)
        case.watch(before)
        return result
    except CheckFailed:
        raise
    except NotImplementedError:
        pass  # failed below, outside the except block: no chained traceback, the message says it all
    except Exception as e:  # the learner's bug, whatever it is: keep the chain, it shows their line
        etype = getattr(e, "type_name", None) or type(e).__name__  # graded: the sandbox's class name
        if etype == "NotImplementedError":
            case.fail("not_implemented")
        if etype == "ToolNotAllowed":  # the sandbox's stand-in for a module this exercise may not use
            from coursekit import rules
            module = str(e).strip()[:80]
            case.fail("tool_not_allowed", name=module, module=rules.rule_of(module, rules.denied(())) or module)
        text = str(e).strip().splitlines()[0] if str(e).strip() else "(no message)"
        if len(text) > 200:
            text = text[:200] + "…"
        category = "broadcast_error" if etype == "ValueError" and "broadcast" in text else "exception"
        case.fail(category, etype=etype, emsg=text)
    case.fail("not_implemented")


# Words NumPy's shape errors use (matmul, einsum, broadcasting): an exception that says one of them
# came from arrays of clashing shapes, which the exercise's own layout hint explains better.
SHAPE_WORDS = ("broadcast", "einsum", "matmul", "aligned", "mismatch", "shape", "operand")


def call_with_shape_hint(fn, args, case, key, words=SHAPE_WORDS):
    """:func:`call`, with a shape clash in the learner's code reported as the exercise's layout
    hint ``key`` (a message id) instead of the generic exception message."""
    __tracebackhide__ = True
    try:
        return call(fn, args, case)
    except CheckFailed as e:
        failure = e
    emsg = str(failure.fields.get("emsg", ""))
    if failure.category in ("exception", "broadcast_error") and any(word in emsg for word in words):
        case.fail(key, etype=failure.fields.get("etype"), emsg=emsg)
    raise failure
