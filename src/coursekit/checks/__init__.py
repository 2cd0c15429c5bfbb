"""In-notebook checks with feedback in English or Chinese.

A chapter's first cell::

    import coursekit
    coursekit.setup("zh")             # environment check, feedback language, plot fonts (= setup here)

An exercise's tests cell::

    from coursekit.checks import ch01
    ch01.check_central_difference(central_difference)               # visible cases
    ch01.check_central_difference(central_difference, hidden=True)  # graded hidden cases

A check prints one ✓ line, or raises :class:`CheckFailed` (an AssertionError) whose
message says which case failed, where, expected vs got, the relative error and a hint
for the diagnosed mistake (``e.category``). Messages live in :mod:`.messages`; the references
and hidden cases the checks compare with are the grader's answer key (``grader.key``), named through
:mod:`.answers`: where the key is not installed (a learner's install) the visible checks replay the
answers ``make course`` recorded, and the hidden ones say that they run when graded.

Before submitting, ``coursekit.check()`` (:mod:`.notebook`) runs the visible checks of every
exercise of the open notebook and prints the expected score.
"""
from __future__ import annotations

import importlib

from .core import CheckFailed, Verdict, get_language, judge, msg, set_language, verdict

__all__ = ["setup", "set_language", "get_language", "CheckFailed", "check_environment", "get_check", "EXERCISES",
           "judge", "verdict", "Verdict", "ch00", "ch01"]

_CHAPTERS = tuple(f"ch{i:02d}" for i in range(9))
__all__ += list(_CHAPTERS[2:])


def setup(lang=None, check_env=True):
    """Set the feedback language, check the environment, style plots and configure CJK fonts.

    lang: "en" or "zh" (default: $CHAINRULE_LANG, else "en"). Safe to call again. Returns
    None, so that a notebook's first cell shows only the printed line; use
    :func:`check_environment` for a True/False answer.
    """
    lang = set_language(lang if lang is not None else get_language())
    from .. import viz
    viz.style()
    viz.use_chinese_font(first=(lang == "zh"))
    if check_env:
        from .env import check_environment
        check_environment(lang)


def check_environment(lang=None):
    from .env import check_environment as _check
    return _check(lang)


def _manifest():
    from coursekit import manifest  # the course's one description of its exercises
    return manifest


def get_check(exercise):
    """The check function of an exercise id, e.g. ``get_check("central_difference")(fn, hidden=True)``:
    the module and function the course manifest (:mod:`coursekit.manifest`) names for it."""
    m = _manifest()
    known = m.load().exercises
    if exercise not in known:
        raise KeyError(f"unknown exercise {exercise!r}; known: {', '.join(sorted(known))}")
    ex = known[exercise]
    return getattr(importlib.import_module(ex.check_module), ex.check_function)


def __getattr__(name):
    if name in _CHAPTERS:
        return importlib.import_module(f".{name}", __name__)
    if name == "EXERCISES":  # exercise id -> chapter module of its check; read on use, so that the
        # build, which imports the checks, runs before a manifest exists
        return {e.id: e.check_module.rpartition(".")[2] for e in _manifest().exercises()}
    raise AttributeError(f"module 'coursekit.checks' has no attribute {name!r}")
