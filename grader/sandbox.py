"""Run one untrusted command in a sandbox: ``run_sandboxed(argv, workdir=...) -> SandboxResult``.

With bubblewrap (``bwrap``) the command gets its own mount, PID, network, IPC and UTS namespaces:
only loopback networking, a fresh ``/proc``, private ``/tmp`` and ``/dev/shm``, the system and the
Python installation read-only, ``workdir`` as the only writable place, nothing of the repository
unless passed in ``ro_binds``. When we are root, bwrap runs without a user namespace and the command
is switched to an unprivileged uid (``setpriv``): as root ``RLIMIT_NPROC`` is not enforced and a
root-in-user-namespace could remount its read-only binds. Everything runs inside, so a Jupyter
kernel and its client must both be inside; results come back as files in ``workdir`` or on stdout.

Without a working bwrap we fall back to rlimits + a session of its own that is killed as a whole,
after a one-time warning: no network and no file-system isolation then.

Started with ``subprocess`` only (Dask workers are daemonic: no ``multiprocessing`` children).
"""
from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

SANDBOX_UID = 65534  # "nobody": owns nothing on the host, so it can write nothing but workdir
_GIB, _MIB = 1 << 30, 1 << 20


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 2 * _GIB   # RLIMIT_AS: a huge allocation fails with MemoryError
    cpu_seconds: int = 300         # RLIMIT_CPU, per process (the wall limit bounds the sum)
    wall_seconds: float = 600      # enforced from outside: the whole sandbox is killed
    nproc: int = 256               # RLIMIT_NPROC (threads count too): contains fork bombs
    fsize_bytes: int = 256 * _MIB  # RLIMIT_FSIZE; also the size of the private /tmp and /dev/shm
    nofile: int = 1024             # RLIMIT_NOFILE, per process: nproc * nofile stays far below the
                                   # machine's file table (else one sandbox could fill it for everyone)
    output_bytes: int = 1 * _MIB   # captured per stream; the rest is read and dropped


@dataclass
class SandboxResult:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool
    killed_by: str | None   # "wall", "cpu", "fsize" or "SIGxxx"; None for a normal exit
    wall_time: float
    mechanism: str          # "bwrap" or "rlimits"


def _bwrap_common(root_mode: bool) -> list[str]:
    ns = (["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
          if root_mode else ["--unshare-all", "--unshare-user", "--cap-drop", "ALL", "--disable-userns"])
    return ["bwrap", *ns, "--die-with-parent", "--new-session", "--clearenv"]


def _system_mounts() -> list[list[str]]:
    """/usr, the /lib* and /bin dirs (symlinks on merged-/usr systems), the interpreter's prefixes,
    and the few /etc files the dynamic loader, time zones and fonts read. Not /home, /root, /work.
    Each entry is one bwrap operation whose last argument is the path inside."""
    m = [["--ro-bind", "/usr", "/usr"]]
    for d in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(d):
            m.append(["--symlink", os.readlink(d), d])
        elif os.path.isdir(d):
            m.append(["--ro-bind", d, d])
    for f in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts", "alternatives",
              "nsswitch.conf", "passwd", "group", "mime.types"):
        if os.path.exists(f"/etc/{f}"):
            m.append(["--ro-bind", f"/etc/{f}", f"/etc/{f}"])
    exe_prefix = Path(os.path.realpath(sys.executable)).parent.parent
    seen = set()
    for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, str(exe_prefix)):
        p = os.path.realpath(p)
        if p not in seen and p != "/usr" and not p.startswith("/usr/"):
            seen.add(p)
            m.append(["--ro-bind", p, p])
            if os.path.realpath(sys.prefix) == p and os.path.abspath(sys.prefix) != p:
                m.append(["--symlink", p, os.path.abspath(sys.prefix)])  # venv reached by a symlink
    return m + [["--proc", "/proc"], ["--dev", "/dev"]]


def _render(mounts: list[list[str]]) -> list[str]:
    """bwrap creates missing parents of a mount point with mode 0700 when it runs as root, which
    the sandbox uid cannot traverse: create them ourselves, 0755, before each mount."""
    args, made = [], {"/"}
    for op in mounts:
        dest = op[-1]
        parents = [str(a) for a in reversed(Path(dest).parents) if str(a) not in made]
        for a in parents:
            args += ["--perms", "0755", "--dir", a]
            made.add(a)
        args += op
        made.add(dest)
    return args


def _prlimit(limits: Limits) -> list[str]:
    # Set inside the sandbox (after the namespaces exist), so the nproc count is the sandbox's own.
    return ["prlimit", f"--as={limits.memory_bytes}", f"--cpu={limits.cpu_seconds}:{limits.cpu_seconds + 1}",
            f"--nproc={limits.nproc}", f"--fsize={limits.fsize_bytes}", "--core=0",
            f"--nofile={limits.nofile}", "--rtprio=0", "--nice=0", "--"]


def _setpriv(uid: int) -> list[str]:
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]


def _root_mode() -> bool:
    return os.geteuid() == 0 and shutil.which("setpriv") is not None


def _bwrap_cmd(argv, workdir: str, ro_binds, limits: Limits, env: dict, root: bool, uid: int,
               masks=(), private_workdir: bool = False, caps=None) -> list[str]:
    # bwrap mounts in argument order: the private /tmp goes first, so that an interpreter or venv
    # living under /tmp (a CI checkout, say) is bound on top of it instead of hidden by it;
    # /dev/shm after --dev, which would hide it
    mounts = ([["--perms", "1777", "--size", str(limits.fsize_bytes), "--tmpfs", "/tmp"]]  # RAM: cap it
              + _system_mounts()
              + [["--perms", "1777", "--size", str(limits.fsize_bytes), "--tmpfs", "/dev/shm"]])
    for b in ro_binds:
        src, dst = (b, b) if isinstance(b, (str, os.PathLike)) else b
        if not os.path.exists(src):
            raise FileNotFoundError(f"sandbox ro_bind: {src}")
        mounts.append(["--ro-bind", os.path.realpath(src), str(dst)])
    if private_workdir:
        # a tmpfs of its own, capped like /tmp, where nothing needs to cross as a file: a bind of the real
        # folder would let the sandbox fill the grader's disk (prlimit caps each file, not their total)
        mounts.append(["--perms", "1777", "--size", str(limits.fsize_bytes), "--tmpfs", workdir])
    else:  # the caller puts files in and reads results out of the folder
        mounts.append(["--bind", workdir, workdir])
    # masks: folders inside what is bound above, covered by an empty read-only tmpfs (they exist)
    hide = [a for m in masks for a in ("--size", "4096", "--perms", "0755", "--tmpfs", str(m), "--remount-ro", str(m))]
    cmd = [*_bwrap_common(root), *_render(mounts), *hide, "--chdir", workdir]
    for k, v in env.items():
        cmd += ["--setenv", k, str(v)]
    if caps is not None:  # root keeps these capabilities and nothing else (a zygote that walls in its children)
        cmd += ["--cap-drop", "ALL", *(a for c in caps for a in ("--cap-add", c))]
        return cmd + [*_prlimit(limits), *map(str, argv)]
    return cmd + [*(_setpriv(uid) if root else []), *_prlimit(limits), *map(str, argv)]


_PROBE: dict | None = None
_WARNED = False


def probe() -> dict:
    """Which mechanisms work here (cached): ``{"mechanism", "bwrap", "separate_uid", "detail"}``."""
    global _PROBE
    if _PROBE is None:
        info = {"mechanism": "rlimits", "bwrap": shutil.which("bwrap"), "separate_uid": False,
                "prlimit": shutil.which("prlimit"), "setpriv": shutil.which("setpriv"), "detail": ""}
        if not info["bwrap"]:
            info["detail"] = "bwrap not found (apt-get install bubblewrap)"
        elif not info["prlimit"]:
            info["detail"] = "prlimit not found (util-linux)"
        else:
            root = _root_mode()
            tmp = tempfile.mkdtemp(prefix="sandbox-probe-")
            try:  # the very command run_sandboxed builds, so an old bwrap fails here, not later
                if root:
                    _chown_tree(tmp, SANDBOX_UID)
                cmd = _bwrap_cmd(["true"], tmp, (), Limits(), {}, root, SANDBOX_UID)
                r = subprocess.run(cmd, capture_output=True, timeout=30)
                ok, why = r.returncode == 0, r.stderr.decode(errors="replace").strip()
            except (OSError, subprocess.TimeoutExpired) as e:
                ok, why = False, str(e)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            if ok:
                info.update(mechanism="bwrap", separate_uid=root)
            else:
                info["detail"] = (f"bwrap self-test failed ({why[:200]}); unprivileged user namespaces "
                                  "may be disabled (sysctl kernel.unprivileged_userns_clone=1, "
                                  "user.max_user_namespaces > 0)")
        _PROBE = info
    return _PROBE


def base_env(workdir: str) -> dict:
    """The fixed environment every sandboxed command starts from (the caller's is never inherited)."""
    venv_bin = str(Path(sys.executable).parent)
    return {"PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": workdir, "TMPDIR": "/tmp",
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
            "MPLBACKEND": "Agg", "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime",
            "IPYTHONDIR": "/tmp/ipython", "MPLCONFIGDIR": "/tmp/matplotlib",
            # one thread per BLAS/OpenMP pool: threads count against nproc and reserve address space
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def reader(stream, cap: int, out: list) -> None:
    """Keep the first ``cap`` bytes and keep draining the pipe, so a chatty child never blocks."""
    kept = 0
    while chunk := stream.read(65536):
        if kept < cap:
            out.append(chunk[: cap - kept])
            kept += len(out[-1])
    stream.close()


def _rlimit_preexec(limits: Limits):
    def apply() -> None:  # runs in the child between fork and exec: setrlimit only
        for res, soft, hard in ((resource.RLIMIT_AS, limits.memory_bytes, limits.memory_bytes),
                                (resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1),
                                (resource.RLIMIT_NPROC, limits.nproc, limits.nproc),
                                (resource.RLIMIT_FSIZE, limits.fsize_bytes, limits.fsize_bytes),
                                (resource.RLIMIT_CORE, 0, 0)):
            resource.setrlimit(res, (soft, hard))
    return apply


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc), for the fallback's kill."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        try:
            ppid = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(d))
        except (ValueError, OSError, IndexError):
            continue
    out, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        out += kids
        todo += kids
    return out


def kill_tree(proc: subprocess.Popen) -> None:
    for pid in [*_descendants(proc.pid), proc.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _chown_tree(path: str, uid: int) -> None:
    """Let the sandbox uid write workdir (never following symlinks)."""
    os.chown(path, uid, uid, follow_symlinks=False)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(root, name), uid, uid, follow_symlinks=False)


def command(argv, workdir, *, ro_binds=(), limits: Limits = Limits(), env=None, mechanism: str | None = None,
            uid: int = SANDBOX_UID, masks=(), private_workdir: bool = False, caps=None):
    """``(cmd, popen_kwargs)`` that run ``argv`` sandboxed: for callers that talk to the command
    while it runs (``subprocess.Popen(cmd, pass_fds=..., **popen_kwargs)``). Arguments as in
    :func:`run_sandboxed`; ``private_workdir``: the sandbox sees a capped tmpfs at ``workdir``, not the
    folder itself (nothing crosses as a file); ``caps``: only as root (``probe()["separate_uid"]``), the
    command stays root with exactly these capabilities instead of becoming ``uid`` (for
    :mod:`grader.inside.zygote`, which drops every child to the sandbox uid itself). The caller kills
    the process (and its session) when done."""
    global _WARNED
    workdir = os.path.realpath(workdir)
    info = probe()
    mech = mechanism or info["mechanism"]
    if mech == "bwrap" and info["mechanism"] != "bwrap":
        raise RuntimeError(f"bwrap sandbox unavailable: {info['detail']}")
    if mech == "rlimits" and mechanism is None and not _WARNED:
        _WARNED = True
        warnings.warn("grader sandbox: " + info["detail"] + ". Falling back to rlimits and a process "
                      "session: NO network and NO file-system isolation (student code can read and "
                      "write what this user can). Install bubblewrap and enable user namespaces.",
                      RuntimeWarning, stacklevel=3)
    full_env = {**base_env(workdir), **(env or {})}
    if mech == "bwrap":
        root = info["separate_uid"]
        if root:
            _chown_tree(workdir, uid)
        if caps is not None and not root:
            raise ValueError("sandbox capabilities need root (the zygote's mode)")
        cmd = _bwrap_cmd(argv, workdir, ro_binds, limits, full_env, root, uid, masks, private_workdir, caps)
        return cmd, {"env": {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}}
    if mech == "rlimits":
        return [*map(str, argv)], {"env": full_env, "cwd": workdir, "preexec_fn": _rlimit_preexec(limits)}
    raise ValueError(f"unknown mechanism {mech!r}")


def run_sandboxed(argv, *, workdir, ro_binds=(), limits: Limits = Limits(), env=None, stdin=None,
                  mechanism: str | None = None, uid: int = SANDBOX_UID) -> SandboxResult:
    """Run ``argv`` with ``workdir`` as its current and only writable directory.

    ``ro_binds``: extra paths (or ``(host, inside)`` pairs) visible read-only, e.g. the package
    source of an editable install (as root they must be readable by ``uid``: not a 0700 mkdtemp). ``env``: variables added to a minimal, fixed environment (the
    caller's is never inherited). ``stdin``: bytes. ``mechanism``: force ``"rlimits"`` (tests).
    ``uid``: the unprivileged uid used when we are root; give parallel sandboxes distinct uids, as
    ``RLIMIT_NPROC`` counts all processes of a uid.
    """
    mech = mechanism or probe()["mechanism"]
    cmd, popen_kw = command(argv, workdir, ro_binds=ro_binds, limits=limits, env=env, mechanism=mechanism, uid=uid)

    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            close_fds=True, **popen_kw)
    outs: tuple[list, list] = ([], [])
    threads = [threading.Thread(target=reader, args=(s, limits.output_bytes, o), daemon=True)
               for s, o in ((proc.stdout, outs[0]), (proc.stderr, outs[1]))]
    if stdin is not None:
        threads.append(threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True))
    for t in threads:
        t.start()
    timed_out = False
    try:
        proc.wait(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        # bwrap: killing it tears down the PID namespace (--die-with-parent); fallback: every
        # descendant still attached (found while proc is unreaped, so its pid is still ours).
        timed_out = True
        kill_tree(proc)
    finally:
        rc = proc.wait()
        try:  # leftovers of our session (a reaped pid is not reused while its group exists)
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
    for t in threads:
        t.join(timeout=5)  # a leftover holder of the pipe (fallback) must not hang us
    wall = time.monotonic() - start

    return SandboxResult(rc, b"".join(outs[0]).decode(errors="replace"),
                         b"".join(outs[1]).decode(errors="replace"), timed_out,
                         "wall" if timed_out else killed_by(rc, mech), wall, mech)


def killed_by(rc: int, mech: str) -> str | None:
    # bwrap reports a child killed by signal N as exit status 128 + N (so would a plain exit(128 + N))
    sig = -rc if rc < 0 else rc - 128 if (mech == "bwrap" and 128 < rc < 128 + 65) else 0
    if sig == signal.SIGXCPU:
        return "cpu"
    if sig == signal.SIGXFSZ:
        return "fsize"
    try:
        return signal.Signals(sig).name if sig else None
    except ValueError:
        return f"signal {sig}"


def _feed(pipe, data: bytes) -> None:
    try:
        pipe.write(data)
        pipe.close()
    except OSError:  # the child exited without reading everything
        pass


if __name__ == "__main__":  # python -m grader.sandbox: what works on this machine
    for k, v in probe().items():
        print(f"{k}: {v}")
