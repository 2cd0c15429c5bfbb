"""The student's sandbox without the start-up: a zygote per worker that forks a walled-off host per submission.

Starting bubblewrap, an interpreter and NumPy for every submission cost about 0.18 CPU seconds, most
of a notebook's grading. :class:`HostZygote` starts :mod:`grader.inside.zygote` once per worker
thread (and rule on what the code may use) in the same wall as a host: the same read-only binds
and masks (:func:`grader.boxes.import_root`), no network, nothing of the submissions. It runs as
root *inside* that wall with four capabilities only, so that it can build each child's own wall;
each child then drops to the sandbox uid exactly as ``setpriv`` does for a bubblewrap host.

:class:`Fork` is one submission's host, forked from the zygote, with fresh mount, PID, IPC, UTS and
network namespaces, a fresh /proc, fresh tmpfs on /tmp and /dev/shm, the submission's rlimits, a
scrubbed environment and its own pipes (made here, passed over a Unix socket with ``SCM_RIGHTS``).
Before the child reads anything of the student's, it tells us its pid (the kernel's
``SCM_CREDENTIALS``, so it cannot be wrong): we hold it by a pidfd (no pid reuse can make us kill
another process) and move it into a control group of its own (:mod:`grader.cgroups`: memory and
process caps for all of the submission's processes together). Killing it kills all of them: its
one child is PID 1 of the submission's namespace and dies with it.

Used only where bubblewrap runs as root (``sandbox.probe()["separate_uid"]``) and pidfds exist;
elsewhere, and with ``CHAINRULE_HOST_ZYGOTE=0``, every submission starts its own sandbox as before.
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import sys
import threading
import time

from . import cgroups, sandbox
from .boxes import MALLOC_ENV, Sandboxed, import_root, running
from .inside import wire

CAPS = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP")  # mount and unshare; become the uid
_UCRED = struct.Struct("3i")  # struct ucred: pid, uid, gid


def usable(mechanism: str | None) -> bool:
    """Can (and may) hosts be forked from a zygote here?"""
    info = sandbox.probe()
    return ((mechanism or info["mechanism"]) == "bwrap" and info["mechanism"] == "bwrap" and info["separate_uid"]
            and hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")
            and os.environ.get("CHAINRULE_HOST_ZYGOTE", "1") != "0")


class ZygoteGone(RuntimeError):
    """The zygote did not answer a fork request (it died, or never started). An Exception, not a
    :class:`~grader.inside.wire.PeerGone`: a submission whose sandbox cannot start gets an ``error``
    row saying so (:func:`grader.batch.grade_task`), and the batch goes on."""


class HostZygote:
    """One sandboxed :mod:`grader.inside.zygote` serving ``uses`` under ``limits`` as ``uid``."""

    def __init__(self, uses: tuple, limits: sandbox.Limits, uid: int):
        binds, masks, lib = import_root(tuple(uses), "bwrap")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {"PYTHONPATH": lib, "CHAINRULE_GRADING": "1", **MALLOC_ENV}
        self.limits = limits
        fd = theirs.detach()
        try:
            self.box = Sandboxed("host", lambda workdir: self._argv(fd, workdir, limits, uid, env, uses),
                                 sandbox.Limits(memory_bytes=limits.memory_bytes, cpu_seconds=1 << 30,
                                                nproc=limits.nproc, fsize_bytes=limits.fsize_bytes),
                                 uid, "bwrap", binds, masks, env, (fd,), caps=CAPS)
        except BaseException:
            ours.close()
            raise
        self.ctrl = ours
        self.started = False  # its first answer waits for the imports

    @staticmethod
    def _argv(fd, workdir, limits, uid, env, uses) -> list:
        # chainrule, where the exercises may use it, is imported once here instead of by every
        # submission's code (what the code may not use is not in the sandbox: never imported)
        cfg = {"uid": uid, "gid": uid, "workdir": workdir, "memory_bytes": limits.memory_bytes,
               "preload": [m for m in ("chainrule",) if m in uses],
               "cpu_seconds": int(limits.cpu_seconds), "nproc": limits.nproc, "fsize_bytes": limits.fsize_bytes,
               "nofile": limits.nofile,
               "env": {**sandbox.base_env(workdir), **env}}
        return [sys.executable, "-s", "-S", "-m", "grader_inside.zygote", str(fd), json.dumps(cfg)]

    def fork(self, fds) -> None:
        """Ask for a child holding ``fds`` (IN, OUT, ERR, SYNC); :class:`ZygoteGone` if it is gone."""
        try:
            socket.send_fds(self.ctrl, [b"fork"], list(fds))
            # first its imports; later the end of the last submission's namespace (a fork bomb's, say)
            self.ctrl.settimeout(30.0 if self.started else 120.0)
            reply = self.ctrl.recv(256)
        except OSError as e:
            reply = str(e).encode()
        if reply != b'{"forked": true}':
            time.sleep(0.05)  # let the reader collect its last words
            why = self.box.last_line() or reply[:80].decode(errors="replace") or "it ended"
            raise ZygoteGone(f"the student's sandbox (its zygote) did not start: {why}")
        self.started = True

    def alive(self) -> bool:
        return running(self.box.proc)

    def end(self) -> None:
        self.ctrl.close()
        self.box.end()


class Fork:
    """One submission's host, forked by ``zygote``: the judge's ends of its pipes (``rfd``, ``wfd``),
    its stderr (first 8 KiB), its pid held as a pidfd, its control group. Same interface as
    :class:`grader.boxes.Sandboxed`: :meth:`alive`, :meth:`why_dead`, :meth:`last_line`, :meth:`end`."""

    def __init__(self, zygote: HostZygote):
        self.zygote, self.pidfd, self.group, self.dead = zygote, None, None, None
        limits = zygote.limits
        to_host_r, to_host_w = wire.pipe()  # 1 MiB: an array crosses in a few steps, not hundreds
        from_host_r, from_host_w = wire.pipe()
        err_r, err_w = os.pipe()
        self.sync, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sync.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)  # the kernel tells us the child's pid
        self.rfd, self.wfd = from_host_r, to_host_w
        self.stderr: list = []
        threading.Thread(target=sandbox.reader, args=(os.fdopen(err_r, "rb"), 8192, self.stderr), daemon=True).start()
        try:
            try:
                zygote.fork([to_host_r, from_host_w, err_w, theirs.fileno()])
            finally:
                for fd in (to_host_r, from_host_w, err_w):
                    os.close(fd)
                theirs.close()
            self._start(limits)
        except BaseException:
            self.end()
            for fd in (self.rfd, self.wfd):
                os.close(fd)
            raise

    def _start(self, limits) -> None:
        """Take the child's pid from the kernel, cap it in a group of its own, let it go."""
        msg, anc, why = b"", [], ""
        try:
            self.sync.settimeout(30.0)
            msg, anc, _, _ = self.sync.recvmsg(16, socket.CMSG_SPACE(_UCRED.size))
        except OSError as e:
            why = str(e)
        creds = [d for level, kind, d in anc if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS]
        if msg != b"ready" or not creds:
            time.sleep(0.05)  # let the reader collect the child's last words
            why = self.last_line() or self.zygote.box.last_line() or why
            raise ZygoteGone("the student's sandbox did not start" + (f": {why}" if why else ""))
        pid, _, _ = _UCRED.unpack(creds[0][:_UCRED.size])
        self.pidfd = os.pidfd_open(pid)  # it waits for our "go": alive, so this is the pid's owner
        self.group = cgroups.new_group(limits.memory_bytes, limits.nproc)
        if self.group is not None:
            self.group.add(pid)  # before it starts anything: every process of the submission is counted
        self.sync.send(b"go")

    def alive(self) -> bool:
        return self.pidfd is not None and not select.select([self.pidfd], [], [], 0)[0]

    def last_line(self) -> str:
        tail = b"".join(self.stderr).decode(errors="replace").strip().splitlines()[-1:]
        return tail[0][:200] if tail else ""

    def _status(self):
        """The host's end as its child reported it (``128 + N``: signal N), or None."""
        if self.dead is None:
            try:
                self.sync.setblocking(False)
                msg = self.sync.recv(256)
                self.dead = json.loads(msg)["dead"] if msg else None
            except (OSError, ValueError, KeyError, TypeError):
                pass
        return self.dead

    def why_dead(self, mechanism: str = "bwrap") -> str:
        rc = self._status()
        tail = self.last_line()
        if rc is None:
            if self.zygote.alive():
                return "the sandbox ended" + (f" ({tail})" if tail else "")
            return "the sandbox's zygote died" + (f" ({self.zygote.box.last_line() or tail})" if tail or
                                                   self.zygote.box.last_line() else "")
        killed = sandbox.killed_by(rc, mechanism) if isinstance(rc, int) else None
        return (f"killed by {killed}" if killed else f"exit code {rc}") + (f" ({tail})" if tail else "")

    def end(self) -> None:
        """Kill what is left of the submission (its namespace dies with it), then remove its group."""
        if self.pidfd is not None:
            try:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            except ProcessLookupError:
                pass
            select.select([self.pidfd], [], [], 5.0)  # readable once it has ended
            os.close(self.pidfd)
            self.pidfd = None
        if self.group is not None:
            self.group.close()  # waits (a little) for the namespace's last processes
            self.group = None
        self._status()
        self.sync.close()


_ZYGOTES: dict = {}   # (thread id, uses) -> (settings key, HostZygote)
_LOCK = threading.Lock()
_REGISTERED: list = []


def spawn(uses, limits: sandbox.Limits, uid: int) -> Fork:
    """A fresh host for one submission from this thread's zygote for ``uses`` (started, or started
    again after it died, as needed)."""
    slot, key = (threading.get_ident(), tuple(uses)), (limits, uid)
    for attempt in range(2):
        found = _ZYGOTES.get(slot)
        if found is not None and (attempt or found[0] != key or not found[1].alive()):
            _end(slot)
            found = None
        if found is None:
            _register()
            found = _ZYGOTES[slot] = (key, HostZygote(tuple(uses), limits, uid))
        try:
            return Fork(found[1])
        except ZygoteGone:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _register() -> None:
    with _LOCK:
        if not _REGISTERED:  # pool workers leave through multiprocessing, not atexit
            import atexit
            import multiprocessing.util
            atexit.register(end_all)
            multiprocessing.util.Finalize(None, end_all, exitpriority=100)
            _REGISTERED.append(True)


def _end(slot) -> None:
    found = _ZYGOTES.pop(slot, None)
    if found is not None:
        found[1].end()


def end_all() -> None:
    """End every host zygote of this process."""
    for slot in list(_ZYGOTES):
        _end(slot)


def zygotes(every_thread: bool = False) -> list:
    """This thread's (or every thread's) host zygotes (for tests and benchmarks)."""
    me = threading.get_ident()
    return [z for s, (_, z) in list(_ZYGOTES.items()) if every_thread or s[0] == me]

