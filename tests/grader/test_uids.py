"""grader/uids.py: no two grading threads, in one process or several, share a sandbox uid."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from grader import uids  # noqa: E402


def _in_threads(n: int) -> list:
    got, barrier = [], threading.Barrier(n)

    def run():
        uid = uids.for_this_thread()
        got.append((uid, uids.for_this_thread()))
        barrier.wait()   # all alive at once: their leases overlap

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return got


def test_threads_of_one_process_hold_distinct_uids_each_stable():
    got = _in_threads(6) + [(uids.for_this_thread(), uids.for_this_thread())]
    assert all(a == b for a, b in got)                     # the same uid on every call of a thread
    assert len({a for a, _ in got}) == len(got)            # a thread's own, not the process's
    assert all(uids.BASE <= a < uids.BASE + uids.COUNT for a, _ in got)


def test_processes_running_at_once_hold_distinct_uids():
    code = ("import sys, time; sys.path.insert(0, %r); from grader import uids; "
            "print(uids.for_this_thread(), flush=True); time.sleep(3)" % str(REPO))
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(4)]
    seen = [int(p.stdout.readline()) for p in procs] + [uids.for_this_thread()]
    for p in procs:
        p.wait()
    assert len(set(seen)) == len(seen)


def test_a_lease_dies_with_its_holder():
    code = "import sys; sys.path.insert(0, %r); from grader import uids; print(uids.for_this_thread())" % str(REPO)
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    # nothing else holds it now: a lock file left behind is not a lease
    fd = uids.os.open(uids.lock_dir() / first.strip(), uids.os.O_RDWR)
    try:
        uids.fcntl.flock(fd, uids.fcntl.LOCK_EX | uids.fcntl.LOCK_NB)
    finally:
        uids.os.close(fd)
