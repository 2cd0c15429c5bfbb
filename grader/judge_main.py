"""The judge: runs the checks of a range of exercises against one student host.

``python -m grader.judge_main CTRL_FD``, started by :mod:`grader.judge` once per worker in a
sandbox of its own (no network, read-only files, an empty environment, its own uid, memory and CPU
caps). It is a *zygote*: it imports the checks of every chapter once, then waits on ``CTRL_FD`` (a
Unix socket to the worker) for one submission at a time. Each arrives as five file descriptors
(``IN``, ``OUT``, ``HOST_R``, ``HOST_W``, ``ERR``) and gets a fresh ``fork()``: the child grades
it and exits; the zygote never reads a submission, takes nothing back from a child, and kills a
child that is still there before it forks the next, so no judge process ever holds two
submissions' data. The child's limits are the zygote's (the address-space cap, and a CPU-time
cap that starts from zero in a new process); the worker kills the whole sandbox when a child stops
making progress. The worker sends the child one task (framed JSON on ``IN``)::

    {"lang", "program": [cells], "deny": [modules], "exercise_seconds",
     "exercises": [{"index", "calls", "solution_ids"}]}

(``calls``: ``[[check module, check function, the learner's name, kwargs], ...]`` from the course
manifest, via :mod:`grader.release`: the judge calls exactly the checks the manifest names)

loads the program into the host over ``HOST_R``/``HOST_W`` (the pipe to the student's sandbox,
which the worker started), then runs each exercise's checks on :class:`grader.wall.Remote` names
and writes one ``{"row": {"status", "category", "message"}, "index": i, "restart": bool}`` per
exercise on ``OUT`` (the worker keeps the points and the score: a judge never sets one);
``restart`` asks the worker for a fresh host (after a timeout or a dead host) before the next one.
"""
from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
import time

from . import wall
from .inside import wire


def check_function(module: str, function: str):
    """The check the manifest names; only ``coursekit.checks.*``'s ``check_*`` functions qualify."""
    if not (module.startswith("coursekit.checks.") and function.startswith("check_")):
        raise ValueError(f"not a check: {module}.{function}")
    return getattr(importlib.import_module(module), function)


def end_exercise(ch: wall.Channel) -> None:
    """Stop the exercise's fork and wait for the host to report its end."""
    try:
        wire.write_message(ch.wfd, {"op": "exit"}, ch.deadline)
        while "dead" not in wire.read_message(ch.rfd, ch.deadline):
            pass
    except wire.PeerGone:
        pass  # the fork (or the host) is gone already: the next request will tell


def run_exercise(ch: wall.Channel, ex: dict, seconds: float, load_report: dict) -> dict:
    """Run the exercise's checks here, on remote names served by a fresh fork of the host (it
    starts from the state right after loading the notebook)."""
    from coursekit.checks import CheckFailed

    ch.deadline = time.monotonic() + seconds
    sink = io.StringIO()
    forked = False
    try:
        reply = ch.request({"op": "fork"})
        if "r" not in reply:
            return {"status": "crashed", "category": "crashed", "message": str(reply.get("dead", ""))[:200]}
        forked = True
        try:
            ch.request({"op": "reset", "seed": 0})
            with contextlib.redirect_stdout(sink):
                for module, function, name, kwargs in ex["calls"]:
                    if ch.request({"op": "defined", "name": name}).get("defined") is not True:
                        errors = [f"{cid}: {err}" for cid, err in load_report.items()
                                  if err and cid in ex["solution_ids"]]
                        return {"status": "failed", "category": "not_defined",
                                "message": name + (" — " + "; ".join(str(e)[:300] for e in errors) if errors else "")}
                    check_function(module, function)(wall.Remote(ch, name),
                                                     **{k: v for k, v in kwargs.items() if k == "hidden"})
        except wire.PeerGone:
            forked = False  # the fork is gone: nothing to end
            raise
        finally:
            if forked:
                end_exercise(ch)
    except CheckFailed as e:
        return {"status": "failed", "category": e.category, "message": str(e)}
    except wire.Timeout:
        return {"status": "timeout", "category": "timeout", "message": ""}
    except wire.PeerGone as e:
        return {"status": "crashed", "category": "crashed", "message": str(e)[:300]}
    except wire.ProtocolError as e:
        return {"status": "crashed", "category": "protocol", "message": str(e)[:300]}
    except Exception as e:  # noqa: BLE001 - a value the check could not handle: the student's answer
        return {"status": "failed", "category": "exception", "message": f"{type(e).__name__}: {e}"[:500]}
    return {"status": "passed", "category": None, "message": ""}


def serve(task: dict, out_fd: int, ch: wall.Channel) -> None:
    from coursekit import checks
    from coursekit.checks import core
    checks.set_language(task["lang"] if task.get("lang") in ("en", "zh") else "en")
    core.trust_references()  # the tests verify the references on these very cases, not each notebook
    seconds = float(task["exercise_seconds"])
    exercises = task["exercises"]
    ch.deadline = time.monotonic() + max(30.0, seconds)
    try:
        report = ch.request({"op": "load", "cells": task["program"], "deny": task["deny"]}).get("report")
        if not isinstance(report, dict):
            raise wire.ProtocolError("no load report")
    except (wire.Timeout, wire.ProtocolError, wall.LearnerError) as e:
        timed_out = isinstance(e, wire.Timeout)
        row = {"status": "timeout" if timed_out else "crashed",
               "category": "load_timeout" if timed_out else "crashed", "message": ""}
        wire.write_message(out_fd, {"row": row, "index": exercises[0]["index"], "restart": True})
        return
    for ex in exercises:
        row = run_exercise(ch, ex, seconds, report)
        restart = row["status"] in ("timeout", "crashed")
        wire.write_message(out_fd, {"row": row, "index": ex["index"], "restart": restart})
        if restart:
            return


def _child(fds) -> None:
    """In a fresh fork: grade the one submission whose pipes arrived with the request; never returns."""
    code = 1
    try:
        in_fd, out_fd, host_r, host_w, err_fd = fds
        os.dup2(err_fd, 2)  # this submission's last words go to its own pipe
        os.close(err_fd)
        task = wire.read_message(in_fd, time.monotonic() + 60)
        serve(task, out_fd, wall.Channel(host_r, host_w))
        code = 0
    except BaseException:  # noqa: BLE001 - the worker reads the traceback as the judge's last words
        import traceback
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(code)


def preload() -> None:
    """Import, once, everything a child would: every chapter's checks and the kit's specs and drivers;
    and draw the layer-sized cases' inputs (:mod:`coursekit.checks.seeded`), the same for every student."""
    import glob

    import coursekit
    from coursekit import drivers, specs  # noqa: F401
    from coursekit import checks
    for path in sorted(glob.glob(os.path.join(os.path.dirname(checks.__file__), "ch[0-9][0-9]*.py"))):
        importlib.import_module("coursekit.checks." + os.path.basename(path)[:-3])
    for path in sorted(glob.glob(os.path.join(os.path.dirname(coursekit.__file__), "ch[0-9][0-9].py"))):
        importlib.import_module("coursekit." + os.path.basename(path)[:-3])
    from coursekit.checks import seeded
    seeded.warm()  # the layer-sized cases' inputs, drawn once here: every fork starts with them


def _not_dumpable() -> None:
    """A child compromised through its data may not read or trace the zygote (or a later child) of
    the same uid: a process that is not dumpable can only be traced with CAP_SYS_PTRACE."""
    import ctypes
    PR_SET_DUMPABLE = 4
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")


def zygote(ctrl_fd: int) -> int:
    """Serve fork requests on ``ctrl_fd`` until the worker closes it (see the module's docstring)."""
    import gc
    import signal
    import socket

    _not_dumpable()
    preload()
    gc.collect()
    gc.freeze()  # the preloaded objects stay out of the children's collections: fewer pages copied
    ctrl = socket.socket(fileno=ctrl_fd)
    child = 0
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(ctrl, 256, 5)
        except (ConnectionError, OSError):
            return 0
        if not msg:
            return 0  # the worker is gone
        if child:  # one submission at a time: what is left of the last one ends now
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(child, 0)
            child = 0
        if len(fds) != 5:
            for fd in fds:
                os.close(fd)
            ctrl.send(b'{"error": "expected 5 file descriptors"}')
            continue
        child = os.fork()
        if child == 0:
            ctrl.close()
            _child(fds)
        for fd in fds:
            os.close(fd)
        ctrl.send(b'{"forked": true}')


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return zygote(int(argv[0]))


if __name__ == "__main__":
    sys.exit(main())
