"""How a failing check looks in a notebook: IPython calls ``CheckFailed._render_traceback_`` and
shows the lines it returns instead of the traceback.

A learner reads the message (in the notebook's language) and, only when their own code raised,
the traceback of that exception from their first frame on: never the frames of the checks and the
course kit that called their code (``checks/core.py``, ``checks/learner.py``, ``coursekit/drivers.py``).
"""
from __future__ import annotations

import os

import coursekit

_RED, _RESET = "\x1b[1;31m", "\x1b[0m"
# the check machinery: a frame in one of these folders is ours, never the learner's
_MACHINERY = tuple(os.path.dirname(os.path.abspath(f)) + os.sep for f in (__file__, coursekit.__file__))


def render(err) -> list[str]:
    """The lines IPython shows for the CheckFailed ``err``: the learner's traceback (if any), then
    the message with its first line in bold red."""
    lines = str(err.message if hasattr(err, "message") else err).splitlines() or [""]
    return learner_traceback(err) + [_RED + lines[0] + _RESET] + lines[1:]


def _ours(frame_file: str) -> bool:
    return os.path.abspath(frame_file).startswith(_MACHINERY)


def learner_traceback(err) -> list[str]:
    """The traceback of the exception ``err`` was raised from, from the learner's first frame on,
    as lines; [] when their code raised nothing (a wrong value, a check's own finding)."""
    from .core import CheckFailed
    cause = err.__cause__ if err.__cause__ is not None else (None if err.__suppress_context__ else err.__context__)
    if cause is None or isinstance(cause, CheckFailed):
        return []
    tb = cause.__traceback__
    while tb is not None and _ours(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    if tb is None:   # raised inside the machinery itself: nothing of the learner's to show
        return []
    try:             # IPython's own layout ("Cell In[3], line 4", colours), as for any other error
        from IPython import get_ipython
        shell = get_ipython()
        if shell is not None:
            return list(shell.InteractiveTB.structured_traceback(type(cause), cause, tb)) + [""]
    except Exception:   # a traceback that cannot be drawn must not hide the message
        pass
    import traceback
    return "".join(traceback.format_exception(type(cause), cause, tb, chain=False)).splitlines() + [""]
