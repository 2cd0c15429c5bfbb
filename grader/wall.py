"""The judge's side of the sandbox wall: the only code of the judge that touches student output.

Audit this file and :mod:`coursekit.data` (the decoder) to know everything the student's process
can make the judge do. The judge sends requests; the host in the sandbox answers with JSON
(:mod:`grader.inside.wire`: bounded size, read under a deadline). Of an answer the judge uses:

* ``{"ok": {"result", "after", "kwafter"}}``: decoded by :func:`coursekit.data.decode` into fresh
  values of plain types (numbers, strings, numeric arrays built from bytes, lists/tuples/dicts,
  :class:`~coursekit.data.Opaque` for anything else, and, for ``$ref``, one of the *judge's own*
  nodes of that call's inputs). ``after`` updates the judge's own inputs in place
  (:func:`restore`): an array gets values of its own shape, a list or dict its new contents, a
  spec its ``load_state`` (which validates like any learner output); ``{"same": true}`` (the host
  found the input as it was sent) leaves the judge's input as it is.
* ``{"error": {"type", "message", "where"}}``: three strings, turned into :class:`LearnerError`.
* anything else: :class:`ProtocolError` (the exercise is ``crashed``).

The judge never calls, reads an attribute of, or hands to NumPy an object of the student's
process: there are none here, only the decoded values above. No callbacks exist: every test
function, graph, recorder or model the student's code needs is rebuilt inside the sandbox from
its description (:mod:`coursekit.specs`), so the student's code never holds a judge's object.
"""
from __future__ import annotations

import numpy as np

from coursekit import data

from . import sandbox
from coursekit.specs import Spec, encode_input

from .inside.wire import PeerGone, ProtocolError, read_message, write_message


class ExerciseEnded(PeerGone):
    """The exercise's process in the sandbox ended (``os._exit``, a signal) instead of answering."""


class LearnerError(Exception):
    """An exception raised by the student's code in the sandbox, as three strings. ``type_name``
    is the class name the student's code raised (``ValueError``), ``where`` its innermost function."""

    def __init__(self, type_name, message, where=""):
        super().__init__(message)
        self.type_name, self.where = type_name, where


def _str(x, limit):
    return x[:limit] if isinstance(x, str) else ""


class Channel:
    """The judge's end of the pipe to one host: strict request/response under a deadline."""

    def __init__(self, rfd, wfd):
        self.rfd, self.wfd = rfd, wfd
        self.deadline = None

    def request(self, msg: dict, blobs=()) -> dict:
        write_message(self.wfd, msg, self.deadline, blobs)
        reply = read_message(self.rfd, self.deadline)
        if "dead" in reply:  # the host reports its exercise's end: there will be no answer
            status = reply["dead"]
            raise ExerciseEnded(f"the exercise's process ended ({_ended(status)})")
        if "error" in reply:
            err = reply["error"] if isinstance(reply["error"], dict) else {}
            raise LearnerError(_str(err.get("type"), 80) or "Exception", _str(err.get("message"), 2000),
                               _str(err.get("where"), 80))
        return reply


def _ended(status) -> str:
    if isinstance(status, int) and not isinstance(status, bool):  # os.waitstatus_to_exitcode: -N for signal N
        killed = sandbox.killed_by(status, "rlimits")
        return f"killed by {killed}" if killed else f"exit code {status}"
    return str(status)[:100]


class Remote:
    """A name the student's notebook defines, as the checks see it: calling it goes through
    :meth:`invoke` (``coursekit``'s checks recognise ``__coursekit_remote__``)."""

    __coursekit_remote__ = True

    def __init__(self, channel: Channel, name: str):
        self._channel, self._name = channel, name

    def __repr__(self):
        return f"<{self._name} (graded in the sandbox)>"

    def invoke(self, driver, args, kwargs):
        """Run ``driver`` on the student's object with the check's inputs; the result as data."""
        args, kwargs = list(args), dict(kwargs or {})
        out: list = []
        reply = self._channel.request({"op": "call", "name": self._name, "driver": str(driver),
                                       "args": [encode_input(a, out) for a in args],
                                       "kwargs": {"$d": [[k, encode_input(v, out)] for k, v in kwargs.items()]}},
                                      out)
        blobs = reply["$blobs"]
        body = reply.get("ok")
        if not isinstance(body, dict):
            raise ProtocolError("a call's answer without a result")
        try:
            refs = [a.refs() if isinstance(a, Spec) else [] for a in args]
            result = data.decode(body.get("result"), refs, blobs=blobs)
            after, kwafter = body.get("after") or [], body.get("kwafter") or {}
            if not isinstance(after, list) or not isinstance(kwafter, dict):
                raise data.DataError("malformed inputs after the call")
            for original, new in zip(args, after):
                restore(original, new, blobs)
            for key, original in kwargs.items():
                restore(original, kwafter.get(key), blobs)
        except data.DataError as e:
            raise ProtocolError(f"the sandbox sent invalid data: {e}") from None
        return result


def restore(original, after, blobs=None) -> None:
    """Let the judge's input ``original`` follow what the call did to the sandbox's copy."""
    if not isinstance(after, dict):
        return
    if isinstance(original, Spec):
        if "state" in after:
            original.load_state(data.decode(after["state"], blobs=blobs))
        return
    if "value" not in after:
        return
    new = data.decode(after["value"], blobs=blobs)
    _follow(original, new, 0)


def _follow(original, new, depth):
    """Copy ``new``'s values into ``original`` in place where the types agree (as the call could)."""
    if depth > data.MAX_DEPTH:
        return
    if isinstance(original, np.ndarray):
        if isinstance(new, np.ndarray) and new.shape == original.shape and original.flags.writeable:
            with np.errstate(all="ignore"):
                np.copyto(original, new, casting="unsafe")
    elif isinstance(original, list) and isinstance(new, list):
        if len(original) == len(new):
            for i, (o, n) in enumerate(zip(original, new)):
                if isinstance(o, (np.ndarray, list, dict)) and type(n) is type(o):
                    _follow(o, n, depth + 1)
                    if isinstance(o, np.ndarray) and n.shape != o.shape:
                        original[i] = n
                else:
                    original[i] = n
        else:
            original[:] = new
    elif isinstance(original, dict) and isinstance(new, dict):
        for key in [k for k in original if k not in new]:
            del original[key]
        for key, n in new.items():
            o = original.get(key)
            if isinstance(o, (np.ndarray, list, dict)) and type(n) is type(o) and \
                    not (isinstance(o, np.ndarray) and n.shape != o.shape):
                _follow(o, n, depth + 1)
            else:
                original[key] = n
