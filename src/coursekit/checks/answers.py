"""Where a check gets its expected values: the answer key where the grader runs, recorded answers elsewhere.

The answer key (reference implementations, the typical wrong versions a diagnosis compares with,
the hidden cases) is :mod:`grader.key`, installed only with the grader. A check module never
imports it; it names what it needs through this module, once, at the top::

    ref_conv2d_backward, ref_pool_forward = reference("ch05", "ref_conv2d_backward", "ref_pool_forward")
    KEY = hidden_cases("ch05")      # KEY.CONV_HIDDEN: the hidden cases (grader only)

    @check
    def check_conv2d_backward(fn, hidden=False): ...

Three modes, one code path in the checks:

* **key** (the grader, the tests, a checkout): a reference is the key's own function.
* **replay** (a learner's install: no key): a reference call is looked up by the digest of its
  inputs in the answers ``make course`` recorded (:mod:`.recorded`), which hold every call the
  visible checks make, the typical-mistake versions included (recorded eagerly, see
  :func:`eager`). The hidden tests say that they run only when graded (:func:`check`).
  A call that was not recorded — its inputs came from the learner's own results — raises
  :class:`NotRecorded`: inside a diagnosis that candidate mistake is skipped (:func:`.core.diagnose`
  tries the others); anywhere else the case fails with ``key_needed``, which says so in the
  learner's language. A check never crashes on it and never passes because of it.
* **record** (``tools/record_answers.py``, run by ``make course``): the key, and every call kept.
"""
from __future__ import annotations

import functools
import importlib

from . import recorded

KEY_PACKAGE = "grader.key"
_state = {"mode": None, "calls": None, "coarse": {}, "loaded": {}, "key": None}


class NotRecorded(LookupError):
    """A learner-side reference call whose inputs were never recorded."""


class HiddenNotHere(LookupError):
    """The hidden cases were asked for where the key is not installed."""


# ---------------------------------------------------------------------- which mode
def _key_installed() -> bool:
    if _state["key"] is None:
        try:
            importlib.import_module(KEY_PACKAGE)
            _state["key"] = True
        except ImportError:
            _state["key"] = False
    return _state["key"]


def mode() -> str:
    """``"key"``, ``"replay"`` or ``"record"`` (see the module docstring)."""
    return _state["mode"] or ("key" if _key_installed() else "replay")


def use(new_mode=None) -> None:
    """Force a mode (tests: ``use("replay")`` checks as a learner's install does even where the key is
    installed; ``use(None)`` goes back to what is installed). ``"record"`` starts an empty record."""
    if new_mode not in (None, "key", "replay", "record"):
        raise ValueError(f"unknown mode {new_mode!r}")
    if new_mode in ("key", "record") and not _key_installed():
        raise RuntimeError(f"mode {new_mode!r} needs the answer key ({KEY_PACKAGE}, installed with the grader)")
    _state["mode"] = new_mode
    _state["calls"] = {} if new_mode == "record" else None
    _state["coarse"] = {}


def replaying() -> bool:
    return mode() == "replay"


def recording() -> bool:
    return mode() == "record"


def record() -> dict:
    """``{key module: (calls, coarse)}`` of the calls made since ``use("record")``: ``{digest: encoded
    result}`` and ``{coarse digest: digest}`` where one call has that coarse digest (:mod:`.recorded`)."""
    out = {}
    for m, calls in sorted((_state["calls"] or {}).items()):
        coarse = {c: next(iter(ds)) for c, ds in _state["coarse"].get(m, {}).items() if len(ds) == 1}
        out[m] = (dict(sorted(calls.items())), dict(sorted(coarse.items())))
    return out


def _key(module):
    return importlib.import_module(f"{KEY_PACKAGE}.{module}")


# ---------------------------------------------------------------------- references
def _replay(module, name, args, kwargs):
    loaded = _state["loaded"].get(module)
    if loaded is None:
        loaded = _state["loaded"][module] = recorded.load(module)
    calls, coarse = loaded
    try:
        found = calls.get(recorded.digest(name, list(args), kwargs))
        if found is None:   # the same inputs up to their last bits (another machine's BLAS): see recorded
            found = calls.get(coarse.get(recorded.digest(name, list(args), kwargs, coarse=True)))
    except recorded.Unrecordable:
        found = None
    if found is None:
        raise NotRecorded(f"{module}.{name}")
    return recorded.decode(found)


def _record(module, name, fn, args, kwargs):
    try:
        before = recorded.digest(name, list(args), kwargs)
    except recorded.Unrecordable as e:
        raise recorded.Unrecordable(f"{module}.{name} was called with {e}: a reference takes data only") from None
    result = fn(*args, **kwargs)
    if recorded.digest(name, list(args), kwargs) != before:
        raise RuntimeError(f"{module}.{name} changed its arguments: a recorded reference must not")
    try:
        entry = recorded.encode(result)
    except recorded.Unrecordable as e:
        raise recorded.Unrecordable(f"{module}.{name} returned {e}: a reference returns data only") from None
    calls = _state["calls"].setdefault(module, {})
    if calls.setdefault(before, entry) != entry:
        raise RuntimeError(f"{module}.{name} gave two results for the same inputs")
    _state["coarse"].setdefault(module, {}).setdefault(recorded.digest(name, list(args), kwargs, coarse=True),
                                                       set()).add(before)
    return result


def _proxy(module, name):
    def ref(*args, **kwargs):
        m = mode()
        if m == "replay":
            return _replay(module, name, args, kwargs)
        fn = getattr(_key(module), name)
        return _record(module, name, fn, args, kwargs) if m == "record" else fn(*args, **kwargs)
    ref.__name__ = ref.__qualname__ = name
    ref.__doc__ = f"The answer key's {name} ({KEY_PACKAGE}.{module}), or its recorded results."
    return ref


def reference(module: str, *names):
    """The key's functions ``names`` of key module ``module`` (one name: that function; several: a
    tuple), each resolved on every call by :func:`mode`."""
    refs = tuple(_proxy(module, n) for n in names)
    return refs[0] if len(refs) == 1 else refs


class _Hidden:
    """The hidden cases of one key module, read on use (so a test's change to the key is honoured)."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if replaying():
            raise HiddenNotHere(f"{self._module}.{name}")
        return getattr(_key(self._module), name)


def hidden_cases(module: str) -> _Hidden:
    """The hidden cases of key module ``module``: ``hidden_cases("ch05").CONV_HIDDEN``."""
    return _Hidden(module)


def eager(alternatives) -> None:
    """Recording: compute every candidate mistake now, so that the record holds what a diagnosis
    of a wrong answer will ask for; otherwise nothing (they are computed only for a wrong answer)."""
    if recording():
        from .core import _value
        for _, alt, *_rest in alternatives:
            _value(alt)


# ---------------------------------------------------------------------- the check functions
def check(fn):
    """Decorate a check ``check_<exercise>(fn, hidden=False)``: where the key is not installed, the
    hidden tests print that they run when graded, and a reference call that was not recorded fails
    its case with ``key_needed``."""
    exercise = fn.__name__[len("check_"):]

    @functools.wraps(fn)
    def run(learner, hidden=False, **kwargs):
        __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
        from .core import Case, _state as core_state, msg
        if hidden and mode() != "key":  # replaying: there are none; recording: they must not be recorded
            print(msg("hidden_elsewhere", exercise=exercise))
            return None
        core_state["case"] = None
        try:
            return fn(learner, hidden=hidden, **kwargs)
        except NotRecorded:
            pass   # failed below, outside the except block: the message says it all
        case = core_state.get("case")
        if not isinstance(case, Case) or case.exercise != exercise:
            case = Case(exercise, "?", "?", "")
        case.fail("key_needed")
    return run
