"""The judge's sandbox: one per worker process, a zygote that forks a fresh judge per submission.

:class:`Zygote` starts :mod:`grader.judge_main` once, in a sandbox of its own (no network,
read-only files, an empty environment, its own uid, an address-space and a CPU cap, its own
control group); it imports the checks of every chapter and then waits. :class:`JudgeProcess` is
one submission's judge: the worker makes its pipes (the task, the rows, the two ends of the pipe
to the student's host, its stderr), sends them over a Unix socket (``SCM_RIGHTS``) and the zygote
forks a child that gets only those. The child never gives anything back to the zygote, and the
zygote kills a child that is still there before it forks the next, so no judge process ever holds
two submissions' data. A judge that stops making progress or dies takes its zygote with it
(:meth:`JudgeProcess.close`); the next submission starts a new one.

Why: starting a sandboxed Python and importing NumPy, ``chainrule`` and the checks cost about
0.25 CPU seconds, paid once per notebook (twice for chapter 8) before; a fork costs milliseconds.
"""
from __future__ import annotations

import functools
import os
import socket
import sys
import threading
import time

from . import sandbox
from .boxes import GRADER_DIR, MALLOC_ENV, Host, Sandboxed, package_dir, running
from .inside import wire

JUDGE_UID_OFFSET = 100000
GRACE = 10.0   # seconds the judge may take beyond an exercise's limit (its own comparisons)


@functools.lru_cache(maxsize=1)
def _judge_binds() -> tuple:
    """What the judge sees besides the system and the interpreter: the grader and, for an
    editable install outside the interpreter's prefix, the source of chainrule and the kit."""
    binds = [str(GRADER_DIR)]
    for name in ("chainrule", "coursekit"):
        root = str(package_dir(name).parent)
        if not root.startswith(os.path.realpath(sys.prefix)) and root not in binds:
            binds.append(root)  # an editable install: its source folder
    return tuple(binds)


def _judge_path() -> str:
    """Where the judge imports the grader, chainrule and the kit from: where we did."""
    roots = [str(GRADER_DIR.parent)] + [str(package_dir(n).parent) for n in ("chainrule", "coursekit")]
    return os.pathsep.join(dict.fromkeys(roots))


class Zygote:
    """This worker's judge sandbox (:mod:`grader.judge_main`), started once: it imports the checks
    of every chapter and then forks one fresh child per submission on request (the pipes travel
    over a Unix socket). The worker kills the whole sandbox when a child stops making progress or
    dies; the next submission starts a new one."""

    def __init__(self, settings):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        argv = [sys.executable, "-m", "grader.judge_main", str(theirs.fileno())]
        limits = sandbox.Limits(memory_bytes=settings.judge_memory_mb << 20, nproc=64, fsize_bytes=16 << 20,
                                cpu_seconds=int(settings.notebook_seconds + GRACE),
                                wall_seconds=settings.notebook_seconds + GRACE)
        try:
            self.box = Sandboxed("judge", argv, limits, settings.uid + JUDGE_UID_OFFSET, settings.mechanism,
                                _judge_binds(), (), {"PYTHONPATH": _judge_path(), **MALLOC_ENV},
                                (theirs.detach(),))
        except BaseException:
            ours.close()
            raise
        self.ctrl = ours
        self.started = False   # its first answer waits for the imports

    def fork(self, fds) -> bool:
        """A fresh child for one submission, given its five pipe ends; False if the zygote is gone."""
        try:
            socket.send_fds(self.ctrl, [b"fork"], list(fds))
            self.ctrl.settimeout(10.0 if self.started else 120.0)
            ok = self.ctrl.recv(256) == b'{"forked": true}'
        except OSError:
            return False
        self.started = True
        return ok

    def alive(self) -> bool:
        return running(self.box.proc)

    def end(self) -> None:
        self.ctrl.close()
        self.box.end()


_ZYGOTES: dict = {}   # thread id -> (settings key, Zygote): one per grading thread (a Dask worker may have several)


def _zygote(settings, fresh: bool = False) -> Zygote:
    """This thread's judge zygote for these settings (another's of this thread is ended first)."""
    key = (settings.judge_memory_mb, settings.notebook_seconds, settings.uid, settings.mechanism)
    found = _ZYGOTES.get(threading.get_ident())
    if found is not None and (fresh or found[0] != key or not found[1].alive()):
        end_zygote()
        found = None
    if found is None:
        if not _ZYGOTES.get("registered"):  # pool workers leave through multiprocessing, not atexit
            import atexit
            import multiprocessing.util
            atexit.register(end_zygote, True)
            multiprocessing.util.Finalize(None, end_zygote, (True,), exitpriority=100)
            _ZYGOTES["registered"] = True
        found = _ZYGOTES[threading.get_ident()] = (key, Zygote(settings))
    return found[1]


def end_zygote(every_thread: bool = False) -> None:
    """End this thread's judge zygote (or every thread's), if there is one."""
    for tid in [t for t in _ZYGOTES if t != "registered" and (every_thread or t == threading.get_ident())]:
        _ZYGOTES.pop(tid)[1].end()


class JudgeProcess:
    """One submission's judge: a fresh fork of the zygote, talking to ``host``'s sandbox over the
    pipe it receives. It gets one task and answers one row per exercise."""

    def __init__(self, task: dict, host: Host, settings):
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        err_r, err_w = os.pipe()
        host_r, host_w = host.judge_fds()
        host.channel.rfd = host.channel.wfd = -1  # the judge holds the host's pipe; we keep none of it
        self.rfd, self.wfd = from_r, to_w
        self.stderr: list = []
        self._words = threading.Thread(target=sandbox.reader, args=(os.fdopen(err_r, "rb"), 8192, self.stderr),
                                       daemon=True)
        self._words.start()
        theirs = (to_r, from_w, host_r, host_w, err_w)
        try:
            zygote = _zygote(settings)
            if not zygote.fork(theirs):  # it died since (a killed thread, say): a fresh one, once
                zygote = _zygote(settings, fresh=True)
                if not zygote.fork(theirs):
                    raise wire.PeerGone("the judge's sandbox did not start: " + zygote.box.last_line())
        finally:
            for fd in theirs:  # the child holds them now
                os.close(fd)
        wire.write_message(self.wfd, task, time.monotonic() + 30)

    def next(self, deadline: float) -> dict:
        return wire.read_message(self.rfd, deadline)

    def last_words(self) -> str:
        self._words.join(timeout=1)  # a child that died: its stderr ends with it
        tail = b"".join(self.stderr).decode(errors="replace").strip().splitlines()[-1:]
        return tail[0][:200] if tail else ""

    def close(self, failed: bool = False) -> None:
        """Close our ends; a judge that failed (timed out, died) takes its zygote with it."""
        for fd in (self.rfd, self.wfd):
            try:
                os.close(fd)
            except OSError:
                pass
        if failed:
            end_zygote()
