"""The student host's zygote: runs INSIDE the sandbox, forks one fresh, walled-off host per submission.

``python -m grader_inside.zygote CTRL_FD CONFIG_JSON``, started by :mod:`grader.hostzygote` once per
worker (and rule on what the code may use) in the same bubblewrap wall as a host (no network,
read-only files, no submissions), as root with only the capabilities it needs to build the wall of
each child (``CAP_SYS_ADMIN``, ``CAP_SETUID``, ``CAP_SETGID``, ``CAP_SETPCAP``). It imports what a
host imports (NumPy, the kit's codec, drivers and specs), never runs student code and never reads
a submission: all it ever reads is ``fork`` requests from the worker, each with four file
descriptors (``IN``: the host reads the judge's requests; ``OUT``: it writes its answers; ``ERR``:
the stderr of all three processes below; ``SYNC``: a socket to the worker). Per request::

    zygote ─fork─► C  new mount, PID, IPC, UTS and network namespaces; says "ready" on SYNC (the
                      kernel attaches C's pid, which the worker turns into a pidfd and moves into
                      the submission's own control group); waits for "go"
                   C ─fork─► G  PID 1 of the new namespace: a fresh /proc, fresh private tmpfs on
                      /tmp and /dev/shm, the submission's rlimits, then the privileges of the
                      sandbox uid only (what ``setpriv`` does for a bubblewrap host: no capability,
                      no bounding set, no groups, no new privileges); dies with C (PDEATHSIG)
                   G ─fork─► H  the host (:mod:`grader_inside.host`'s loop) with a scrubbed
                      environment and only IN, OUT and ERR open. G reaps; when H ends G ends, and
                      the kernel kills everything left in the namespace.

C reports H's end on SYNC (``{"dead": code}``, 128 + N for signal N, as bubblewrap does). Before the
next fork the zygote kills what is left of the previous C, so one zygote never has two
submissions alive. Nothing of one submission reaches the next: the zygote's memory never held one,
the files lived on tmpfs mounts that die with the namespace, and so do the processes.
"""
from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 1 << 14, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP = 1, 4, 24
PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 36, 38, 47, 4
NAMESPACES = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET

_libc = ctypes.CDLL(None, use_errno=True)


def _ok(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _prctl(*args) -> int:
    return _libc.prctl(*[ctypes.c_ulong(a) for a in args])


def _mount(source: str, target: str, fstype, flags: int, data=None) -> None:
    _ok(_libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None, ctypes.c_ulong(flags),
                    data.encode() if data else None), f"mount {target}")


def _clear_inheritable() -> None:
    """capset(): the same effective and permitted sets, an empty inheritable one."""
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()                 # two {effective, permitted, inheritable}
    _ok(_libc.capget(header, data), "capget")
    data[2] = data[5] = 0
    _ok(_libc.capset(header, data), "capset")


def drop_privileges(uid: int, gid: int) -> None:
    """What ``setpriv --reuid --regid --clear-groups --inh-caps=-all --bounding-set=-all
    --no-new-privs`` does, then a check that no capability is left (a failure ends the process)."""
    _ok(_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    cap = 0
    while _prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:  # EINVAL past the last capability
        cap += 1
    _clear_inheritable()
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)  # all uids non-zero: the kernel clears the permitted and effective sets
    with open("/proc/self/status") as f:
        caps = {k: v.strip() for k, v in (line.split(":", 1) for line in f if line.startswith("Cap"))}
    if any(int(caps.get(k, "1"), 16) for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")):
        raise OSError(f"capabilities left after the drop: {caps}")
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid) or os.getgroups():
        raise OSError("the sandbox uid was not taken")


def _limits(cfg: dict) -> None:
    import resource
    for res, value in ((resource.RLIMIT_AS, cfg["memory_bytes"]), (resource.RLIMIT_NPROC, cfg["nproc"]),
                       (resource.RLIMIT_FSIZE, cfg["fsize_bytes"]), (resource.RLIMIT_CORE, 0),
                       (resource.RLIMIT_NOFILE, cfg["nofile"]), (resource.RLIMIT_RTPRIO, 0),
                       (resource.RLIMIT_NICE, 0)):
        resource.setrlimit(res, (value, value))
    resource.setrlimit(resource.RLIMIT_CPU, (cfg["cpu_seconds"], cfg["cpu_seconds"] + 1))


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code  # killed by signal N: 128 + N, as bubblewrap reports it


def _host(fds, cfg: dict) -> None:
    """H: the host, with nothing of the zygote's but its imports."""
    in_fd, out_fd = fds
    _prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # its own /proc files are its own again (the host's are today)
    os.dup2(in_fd, 3)
    os.dup2(out_fd, 4)
    os.closerange(5, os.sysconf("SC_OPEN_MAX"))  # nothing but /dev/null, its stderr and the two pipe ends
    os.environ.clear()
    os.environ.update(cfg["env"])
    os.chdir(cfg["workdir"])
    from . import host
    os._exit(host.main(["3", "4"]) or 0)


def _fork() -> int:
    """os.fork(), retried for a while: the process limit counts per uid (the sandbox uid's)."""
    import time
    for _ in range(250):
        try:
            return os.fork()
        except BlockingIOError:
            time.sleep(0.02)
    return os.fork()


def _init(fds, alive_r: int, cfg: dict) -> None:
    """G: PID 1 of the submission's namespaces. Builds its wall, drops to the sandbox uid, starts
    the host and reaps; never returns."""
    code = 1
    try:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        os.setsid()
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        size = f"size={cfg['fsize_bytes']},mode=1777"
        _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, size)  # hides the zygote's own /tmp
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, size)
        _limits(cfg)
        drop_privileges(cfg["uid"], cfg["gid"])
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # a change of uid cleared it
        import select
        if select.select([alive_r], [], [], 0)[0]:  # C died before the line above: so do we
            os._exit(1)
        os.close(alive_r)
        _prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # the host runs as the same uid: it may not trace PID 1
        os.mkdir(cfg["workdir"], 0o700)
        host = _fork()
        if host == 0:
            _host(fds, cfg)
        for fd in fds:
            os.close(fd)
        while True:  # PID 1: reap every orphan until the host ends
            pid, status = os.wait()
            if pid == host:
                code = _exit_code(status)
                break
    except BaseException:  # noqa: BLE001 - its last words go to the submission's stderr
        _last_words()
    os._exit(code)


def _last_words() -> None:
    import traceback
    try:
        os.write(2, traceback.format_exc()[-2000:].encode(errors="replace"))
    except OSError:
        pass


def _child(fds, cfg: dict) -> None:
    """C: new namespaces, the worker's go, then G; reports G's end on SYNC. Never returns."""
    in_fd, out_fd, err_fd, sync_fd = fds
    try:
        os.dup2(err_fd, 2)  # from here on, the submission's own stderr (not the zygote's)
        os.close(err_fd)
        sync = socket.socket(fileno=sync_fd)
        _ok(_libc.unshare(NAMESPACES), "unshare")
        _mount("none", "/", None, MS_REC | MS_PRIVATE)  # nothing mounted here reaches the zygote
        sync.send(b"ready")  # the kernel attaches our pid: the worker caps us in a group of our own
        sync.settimeout(60)
        if sync.recv(16) != b"go":
            os._exit(1)
        sync.settimeout(None)
        alive_r, alive_w = os.pipe()
        g = os.fork()
        if g == 0:
            sync.close()
            os.close(alive_w)
            _init((in_fd, out_fd), alive_r, cfg)
        for fd in (in_fd, out_fd, alive_r):
            os.close(fd)
        _, status = os.waitpid(g, 0)
        sync.send(json.dumps({"dead": os.waitstatus_to_exitcode(status)}).encode())
    except BaseException:  # noqa: BLE001
        _last_words()
        os._exit(1)
    os._exit(0)


def preload(modules=()) -> None:
    """What every host imports before it reads anything (:func:`grader_inside.host.main`), and
    ``modules``: what the exercises may use besides NumPy (``chainrule`` in chapter 8)."""
    import importlib
    for name in modules:
        importlib.import_module(name)
    import numpy  # noqa: F401
    import numpy.random  # noqa: F401
    from coursekit import data, drivers, specs  # noqa: F401
    from . import host, wire  # noqa: F401
    import resource, select, time, traceback  # noqa: F401, E401 - what a child uses, imported once here


def _end(child: int) -> None:
    """Kill C and wait until its PID 1 has ended too (it is ours once C is gone: we are a subreaper).
    PID 1 of a namespace finishes dying only after every process in it: so nothing is left."""
    try:
        os.kill(child, signal.SIGKILL)
    except ProcessLookupError:
        pass
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def serve(ctrl_fd: int, cfg: dict) -> int:
    import gc
    preload(cfg.get("preload", ()))
    _prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    _ok(_prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "subreaper")  # a killed C's PID 1 comes to us
    gc.collect()
    gc.freeze()  # the imports stay out of the children's collections: fewer pages copied per fork
    ctrl = socket.socket(fileno=ctrl_fd)
    child = 0
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(ctrl, 256, 8)
        except OSError:
            return 0
        if not msg:
            return 0  # the worker is gone
        if child:  # one submission at a time: what is left of the last one ends now
            _end(child)
            child = 0
        if msg != b"fork" or len(fds) != 4:
            for fd in fds:
                os.close(fd)
            ctrl.send(b'{"error": "expected fork and 4 file descriptors"}')
            continue
        child = os.fork()
        if child == 0:
            ctrl.close()
            _child(fds, cfg)
        for fd in fds:
            os.close(fd)
        ctrl.send(b'{"forked": true}')


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return serve(int(argv[0]), json.loads(argv[1]))


if __name__ == "__main__":
    sys.exit(main())
