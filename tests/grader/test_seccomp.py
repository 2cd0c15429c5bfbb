"""grader/inside/seccomp.py: what the student's host may not call, and what it still may."""
from __future__ import annotations

import ast
import platform
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from grader.inside import seccomp  # noqa: E402

pytestmark = pytest.mark.skipif(platform.machine().lower() not in seccomp.TABLES,
                                reason=f"no system-call table for {platform.machine()}")

PROBE = r"""
import ctypes, fcntl, os, subprocess, sys, threading
sys.path.insert(0, sys.argv[1])
from grader.inside import seccomp
seccomp.install()
import numpy as np
out = {}
a = np.random.default_rng(0).standard_normal((200, 200))
out["numpy"] = (a @ a).shape == (200, 200)
box = []
t = threading.Thread(target=lambda: box.append(1)); t.start(); t.join()
out["thread"] = box == [1]
pid = os.fork()
if pid == 0:
    os._exit(7)
out["fork"] = os.waitpid(pid, 0)[1] >> 8 == 7
out["subprocess"] = subprocess.run([sys.executable, "-c", "print(3)"], capture_output=True, text=True).stdout == "3\n"
with open(os.devnull) as f:
    out["fcntl_getfl"] = fcntl.fcntl(f, fcntl.F_GETFL) >= 0
    for name, call in (("flock", lambda: fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)),
                       ("lockf", lambda: fcntl.lockf(f, fcntl.LOCK_SH | fcntl.LOCK_NB))):
        try:
            call(); out[name] = "allowed"
        except OSError as e:
            out[name] = e.errno
libc = ctypes.CDLL(None, use_errno=True)
nr = seccomp.TABLES[os.uname().machine.lower()][1]
for name, args in (("add_key", (b"user", b"k", b"v", 1, -4)), ("keyctl", (0, -4, 0)),
                   ("unshare", (0x10000000,)), ("inotify_init1", (0,)), ("bpf", (0, 0, 0))):
    r = libc.syscall(ctypes.c_long(nr[name]), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    out[name] = ctypes.get_errno() if r == -1 else "allowed"
print(out)
"""


def test_the_filter_refuses_cross_sandbox_channels_and_keeps_what_exercises_need():
    proc = subprocess.run([sys.executable, "-c", PROBE, str(REPO)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = ast.literal_eval(proc.stdout.strip().splitlines()[-1])
    assert {k: got[k] for k in ("numpy", "thread", "fork", "subprocess", "fcntl_getfl")} == \
        dict.fromkeys(("numpy", "thread", "fork", "subprocess", "fcntl_getfl"), True)
    eperm = 1
    assert {k: got[k] for k in ("flock", "lockf", "add_key", "keyctl", "unshare", "inotify_init1", "bpf")} == \
        dict.fromkeys(("flock", "lockf", "add_key", "keyctl", "unshare", "inotify_init1", "bpf"), eperm)


def test_the_program_is_valid_classic_bpf():
    prog = seccomp.program()
    assert len(prog) < 4096                                        # the kernel's limit
    assert all(0 <= jt < 256 and 0 <= jf < 256 for _, jt, jf, _ in prog)
    assert prog[-1] == (0x06, 0, 0, 0x7FFF0000)                    # anything else: allowed
    with pytest.raises(ValueError, match="no system-call table"):
        seccomp.program("pdp11")
