"""A sandbox uid of its own for every grading thread on this machine.

Where the grader runs as root, a sandbox runs as an unprivileged uid, and the kernel's process
limit (``RLIMIT_NPROC``) counts every process of that uid, in every sandbox. Two sandboxes under
one uid share one process table: a student who fills it leaves the student graded beside them no
process to start. A uid made from the worker's pid is not enough: the threads of one Dask worker
share the pid, and pids of different workers can meet modulo any range.

So each grading thread leases a uid: it holds an exclusive ``flock`` on a file named after the uid
in a folder only this user may write, for as long as the thread lives (a lock is dropped by the
kernel when its holder dies, so a killed worker frees its uid). Threads of one process and
processes of one machine never hold the same uid at once. The judge's uid is this one plus
:data:`grader.zygote.JUDGE_UID_OFFSET`, so it is distinct too.
"""
from __future__ import annotations

import fcntl
import os
import stat
import tempfile
import threading
from pathlib import Path

BASE = 200_000     # student sandboxes: BASE .. BASE + COUNT - 1
COUNT = 100_000
_local = threading.local()


class _Lease:
    """An open, locked file: the uid is ours while this object lives (closed with the thread's locals)."""

    def __init__(self, uid: int, fd: int):
        self.uid, self.fd = uid, fd

    def __del__(self):
        try:
            os.close(self.fd)   # drops the lock
        except OSError:
            pass


def lock_dir() -> Path:
    """The lease folder: ours alone (0700, owned by us, not a link), made if missing."""
    path = Path(tempfile.gettempdir()) / f"chainrule-grader-uids-{os.geteuid()}"
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
        raise RuntimeError(f"{path} is not a private folder of this user (owner {st.st_uid}, mode "
                           f"{oct(st.st_mode & 0o777)}): the grader keeps its sandbox uid leases there. "
                           f"Remove it and run again.")
    return path


def _lease() -> _Lease:
    folder = lock_dir()
    start = (os.getpid() * 7919 + threading.get_ident()) % COUNT   # spread the first tries
    for k in range(COUNT):
        uid = BASE + (start + k) % COUNT
        fd = os.open(folder / str(uid), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return _Lease(uid, fd)
    raise RuntimeError(f"all {COUNT} sandbox uids are in use on this machine")


def for_this_thread() -> int:
    """This thread's sandbox uid: the same on every call, held by no other thread or process."""
    lease = getattr(_local, "lease", None)
    if lease is None:
        lease = _local.lease = _lease()
    return lease.uid
