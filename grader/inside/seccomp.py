"""A system-call filter for the student's host: what no exercise needs and a hostile one could use.

The sandbox's namespaces wall off files, processes, the network and IPC, but some kernel objects
are not namespaced at all, and two students can meet through them even in separate sandboxes:

* **keyrings** (``add_key``, ``request_key``, ``keyctl``): a uid's user keyring outlives its
  processes, so a key left by one student is there for the next one graded as the same uid;
* **file locks and file watches** (``flock``, ``fcntl`` locks, inotify, fanotify): locks belong to
  the file, not to the mount, and every sandbox binds the same read-only files, so two students
  graded at once can signal bits to each other;
* **new user namespaces** (``unshare``, ``clone`` with ``CLONE_NEWUSER``, ``clone3``) and the
  calls that mainly serve kernel exploits (``bpf``, ``perf_event_open``, ``userfaultfd``,
  ``io_uring``, ``mount``, ``ptrace``...): no exercise needs them.

:func:`install` loads a classic-BPF seccomp program (no library needed: ctypes and ``prctl``) that
makes those calls fail with ``EPERM`` (``clone3`` with ``ENOSYS``, so the C library falls back to
``clone``, whose flags the filter can read). It is installed by the host itself, first thing, before
it reads a byte of the student's code, and every process the student starts inherits it; it cannot
be removed. Calls of a foreign system-call ABI (32-bit x86 on x86-64, x32) are refused as a whole.
"""
from __future__ import annotations

import ctypes
import errno
import platform
import struct

# (arch id, {name: number}) per machine; a machine not listed gets no filter (install says so)
_X86_64 = (0xC000003E, {
    "add_key": 248, "request_key": 249, "keyctl": 250, "flock": 73, "inotify_init": 253,
    "inotify_add_watch": 254, "inotify_init1": 294, "fanotify_init": 300, "unshare": 272, "setns": 308,
    "mount": 165, "umount2": 166, "pivot_root": 155, "ptrace": 101, "perf_event_open": 298, "bpf": 321,
    "userfaultfd": 323, "io_uring_setup": 425, "open_by_handle_at": 304, "kexec_load": 246,
    "clone": 56, "clone3": 435, "fcntl": 72,
})
_AARCH64 = (0xC00000B7, {
    "add_key": 217, "request_key": 218, "keyctl": 219, "flock": 32, "inotify_init1": 26,
    "inotify_add_watch": 27, "fanotify_init": 262, "unshare": 97, "setns": 268, "mount": 40,
    "umount2": 39, "pivot_root": 41, "ptrace": 117, "perf_event_open": 241, "bpf": 280,
    "userfaultfd": 282, "io_uring_setup": 425, "open_by_handle_at": 265, "kexec_load": 104,
    "clone": 220, "clone3": 435, "fcntl": 25,
})
TABLES = {"x86_64": _X86_64, "amd64": _X86_64, "aarch64": _AARCH64, "arm64": _AARCH64}
SPECIAL = ("clone", "clone3", "fcntl")   # looked at more closely than "always refused"
CLONE_NEWUSER = 0x10000000
LOCK_COMMANDS = (5, 6, 7, 36, 37, 38)    # F_GETLK F_SETLK F_SETLKW F_OFD_GETLK F_OFD_SETLK F_OFD_SETLKW
X32_BIT = 0x40000000

# classic BPF
_LD_W_ABS, _JEQ, _JSET, _JGE, _RET = 0x20, 0x15, 0x45, 0x35, 0x06
_ALLOW, _KILL, _ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
_NR, _ARCH, _ARG0, _ARG1 = 0, 4, 16, 24   # offsets in struct seccomp_data (little-endian low words)
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def _op(code, k=0, jt=0, jf=0):
    return (code, jt, jf, k)


def program(machine: str | None = None) -> list:
    """The filter as a list of ``(code, jt, jf, k)``; ValueError for a machine without a table."""
    name = (machine or platform.machine()).lower()
    if name not in TABLES:
        raise ValueError(f"no system-call table for {name}")
    arch, nr = TABLES[name]
    deny, nosys = _ERRNO | errno.EPERM, _ERRNO | errno.ENOSYS
    prog = [_op(_LD_W_ABS, _ARCH), _op(_JEQ, arch, 1, 0), _op(_RET, _KILL), _op(_LD_W_ABS, _NR)]
    if arch == _X86_64[0]:
        prog += [_op(_JGE, X32_BIT, 0, 1), _op(_RET, deny)]
    for name_, number in sorted(nr.items()):
        if name_ not in SPECIAL:   # "if nr == number: refuse" (else skip the return)
            prog += [_op(_JEQ, number, 0, 1), _op(_RET, deny)]
    prog += [_op(_JEQ, nr["clone3"], 0, 1), _op(_RET, nosys)]
    # clone: refused only with CLONE_NEWUSER in its flags (threads and fork use clone)
    prog += [_op(_JEQ, nr["clone"], 0, 4), _op(_LD_W_ABS, _ARG0), _op(_JSET, CLONE_NEWUSER, 0, 1),
             _op(_RET, deny), _op(_RET, _ALLOW)]
    # fcntl: refused only for the lock commands
    locks = [op for cmd in LOCK_COMMANDS for op in (_op(_JEQ, cmd, 0, 1), _op(_RET, deny))]
    prog += [_op(_JEQ, nr["fcntl"], 0, 2 + len(locks)), _op(_LD_W_ABS, _ARG1), *locks, _op(_RET, _ALLOW)]
    prog += [_op(_RET, _ALLOW)]
    return prog


class _Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install() -> None:
    """Load the filter into this process (and so into everything it starts). OSError if the kernel
    refuses; ValueError on a machine without a table (the caller decides whether to go on)."""
    prog = program()
    raw = b"".join(struct.pack("=HBBI", *op) for op in prog)
    buf = ctypes.create_string_buffer(raw, len(raw))
    fprog = _Fprog(len(prog), ctypes.cast(buf, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    for args in ((PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
                 (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0)):
        if libc.prctl(*[ctypes.c_ulong(a) for a in args]) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"seccomp: {errno.errorcode.get(err, err)}")
