"""How an exercise's code is driven, and what comes back: data only.

``outcome(target, driver, args, kwargs)`` runs ``DRIVERS[driver](target, *args, **kwargs)`` and
returns ``{"result": ..., "after": [...], "kwafter": {...}}`` as data (:mod:`.data`): the result,
and what the call did to its inputs (arrays, lists and dicts changed in place, the ``state()`` of
each :class:`~.specs.Spec`), so the caller's copies can follow. The grader's sandbox runs it on
inputs the judge sent; an in-notebook check runs it on the learner's own function, so the check
sees the same values at home as in grading.

Most exercises are plain calls (driver ``"call"``). An exercise whose answer is an object the
check must exercise (a ``Value`` class, a tensor to run backward) has a driver of its own that
does that work next to the learner's code and returns the numbers. A chapter registers its
drivers with ``@driver("name")`` in a module of this package.
"""
from __future__ import annotations

import importlib
import re

import numpy as np

from .data import encode
from .specs import Spec

DRIVERS: dict = {}


def driver(name):
    def register(fn):
        DRIVERS[name] = fn
        return fn
    return register


@driver("call")
def call(target, *args, **kwargs):
    """The exercise's function called with the check's inputs."""
    return target(*args, **kwargs)


def get(name):
    """The driver ``name``; ``"ch02.value_expression"`` is registered by importing ``coursekit.ch02``
    (as spec names are: the sandbox imports a chapter's module only when a call names it)."""
    if name not in DRIVERS and isinstance(name, str) and re.fullmatch(r"ch\d\d\.\w+", name):
        importlib.import_module(f"coursekit.{name.split('.')[0]}")
    return DRIVERS[name]


def references(args) -> dict:
    """``{id(node): [arg, index]}`` for the nodes the inputs offer (see ``Spec.refs``)."""
    refs = {}
    for i, a in enumerate(args):
        if isinstance(a, Spec):
            for j, node in enumerate(a.refs()):
                refs[id(node)] = [i, j]
    return refs


def _after(x, blobs):
    if isinstance(x, Spec):
        return {"state": encode(x.state(), blobs=blobs)}
    if isinstance(x, (np.ndarray, list, dict)):
        return {"value": encode(x, blobs=blobs)}
    return None


def outcome(target, name, args, kwargs, blobs=None) -> dict:
    """Drive ``target``; the result and the inputs' new contents, as data (arrays' bytes into
    ``blobs`` when it is a list). Exceptions propagate."""
    result = get(name)(target, *args, **kwargs)
    return {"result": encode(result, references(args), blobs),
            "after": [_after(a, blobs) for a in args],
            "kwafter": {k: _after(v, blobs) for k, v in kwargs.items()}}
