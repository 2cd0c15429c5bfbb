"""Inputs a check hands to a learner's code that are not plain data, described as data.

A check that must give the learner a function to differentiate, a graph to sort, a recorder to
call or a model to train builds a :class:`Spec` object. In the notebook it is simply used. In
grading, the judge sends ``spec()`` (data) across the sandbox wall; the sandbox rebuilds its own
object with ``rebuild`` and calls the learner's code with it; afterwards ``state()`` of the
sandbox's copy comes back as data and the judge's copy takes it with ``load_state``. So the
learner's code never holds an object of the judge, and the judge never holds one of the learner.

A spec whose nodes may be handed back (a topological order returns the graph's nodes) lists them
in ``refs()``: a returned node travels as its index and arrives as the receiver's own node.

A subclass registers itself with ``@register`` under a name; only registered specs are rebuilt.
"""
from __future__ import annotations

import importlib
import re

from .data import encode


class _Registry(dict):
    """Spec classes by name; ``"ch04.Recorder"`` is registered by importing ``coursekit.ch04``."""

    def __contains__(self, name):
        if not dict.__contains__(self, name) and isinstance(name, str) and re.fullmatch(r"ch\d\d\.\w+", name):
            try:
                importlib.import_module(f"coursekit.{name.split('.')[0]}")
            except ImportError:
                return False
        return dict.__contains__(self, name)


SPECS: dict = _Registry()


def register(cls):
    SPECS[cls.spec_name] = cls
    return cls


class Spec:
    spec_name = ""

    def spec(self):
        """What the sandbox needs to rebuild this object: data only (see :mod:`.data`)."""
        raise NotImplementedError

    @classmethod
    def rebuild(cls, data):
        raise NotImplementedError

    def state(self):
        """What changed during the call and must come back (a count, a log, parameters)."""
        return None

    def load_state(self, state) -> None:
        """Take the sandbox copy's ``state()``; the judge validates it like any learner output."""

    def refs(self) -> list:
        """Objects of this input a learner's result may contain (by index)."""
        return []


def encode_input(x, blobs=None):
    """A check's input on the wire: a Spec by its description, anything else by value."""
    if isinstance(x, Spec):
        return {"$spec": [x.spec_name, encode(x.spec(), blobs=blobs)]}
    if isinstance(x, (list, tuple)) and any(isinstance(v, Spec) for v in x):
        items = [encode_input(v, blobs) for v in x]
        return {"$t": items} if isinstance(x, tuple) else items
    return encode(x, blobs=blobs)
