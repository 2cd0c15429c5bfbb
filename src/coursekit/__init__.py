"""The course kit: everything of the course that is not the autodiff library (``chainrule``).

A notebook uses it in three places::

    import coursekit
    coursekit.setup("zh")                 # first cell: feedback language, environment check, plot fonts

    from coursekit.checks import ch01     # an exercise's tests cell
    ch01.check_central_difference(central_difference)

    coursekit.check()                     # last cell: the visible checks of the whole notebook, expected score

It has three parts, each with its own readers.

**What learners get** (imported in notebooks, never by the grader's sandbox):

* :mod:`.checks` — the in-notebook checks, their diagnoses and messages (en/zh), the environment
  check and ``check()``; :mod:`.widgets`, :mod:`.viz` and :mod:`.conv_figures` — the interactive
  widgets and the plots; :mod:`.datasets` — the data sets that ship with the kit.

**What the grader's sandbox may see as well** (NumPy alone, except where noted):

* :mod:`.data` — the by-value codec: the only form in which a learner's results leave their code
  (numbers, strings, booleans, None, numeric arrays as bytes + dtype + shape, and lists, tuples and
  dicts of those). The in-notebook checks round-trip every result through it, the grader's sandbox
  sends it to the judge, so a check sees the same values in both places.
* :mod:`.specs` — the objects a check hands to a learner's function (a test function, a graph of
  nodes, a recorder, a model) described as data, so that the sandbox rebuilds its own copy and
  the judge keeps its own: nothing the learner's code holds is ever the judge's.
* :mod:`.drivers` — how an exercise's code is driven (called, a ``Value`` class exercised, a model
  run backward) on those inputs, with the outcome as data.
* :mod:`.rules` — what an exercise's code may use (NumPy only for a hand-derived pass).
* :mod:`.manifest` — the course's one description of its exercises (``manifest.json``, written by
  ``make course``): points, checks and their calls, what each exercise's code may use, time class.
* ``chNN`` — a chapter's inputs (specs) and drivers, imported on first use of a ``"chNN.*"`` name.
  Only :mod:`.ch08` imports ``chainrule`` (chapter 8's exercises use the library, and only its
  sandbox has it).

**The answer key** is not here: the references, the typical wrong versions a diagnosis compares
with and the hidden cases are ``grader.key``, installed with the grader only. The checks name them
through :mod:`.checks.answers`, which replays, where the key is not installed, the answers ``make
course`` recorded for the visible cases (``checks/recorded``); the hidden checks run only when graded.
The grader's sandbox never holds ``checks``, ``widgets`` and ``datasets`` of this package (see
``grader/boxes.py``); only the judge, outside the learner's sandbox, imports the checks.

Importing ``coursekit`` loads none of this: each part loads on first use, so the sandbox pays for
the codec and the drivers only. ``chainrule`` never imports this package.
"""
from __future__ import annotations

import importlib

# the parts a notebook names as attributes (``coursekit.widgets.…``), loaded on first use
_PARTS = ("checks", "widgets", "viz", "conv_figures", "datasets", "data", "specs", "drivers", "rules",
          "manifest")

__all__ = ["setup", "check", "check_environment", "set_language", "get_language", *_PARTS]


def setup(lang=None, check_env=True):
    """A notebook's first cell: the feedback language ("en" or "zh"; default $CHAINRULE_LANG, else
    "en"), the environment check and the plots' style and fonts. See :func:`coursekit.checks.setup`."""
    from .checks import setup as _setup
    return _setup(lang, check_env)


def check(path=None, namespace=None, lang=None, quiet=False):
    """Before submitting: run the visible checks of every exercise of the open notebook on the
    caller's functions and print the expected score. See :func:`coursekit.checks.notebook.check`."""
    import sys
    from .checks.notebook import check as _check
    if namespace is None:  # the notebook's globals: our caller's, not this function's module
        namespace = sys._getframe(1).f_globals
    return _check(path=path, namespace=namespace, lang=lang, quiet=quiet)


def __getattr__(name):
    if name in _PARTS:
        return importlib.import_module(f".{name}", __name__)
    if name in ("check_environment", "set_language", "get_language"):
        return getattr(importlib.import_module(".checks", __name__), name)
    raise AttributeError(f"module 'coursekit' has no attribute {name!r}")
