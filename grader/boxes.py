"""The student's sandbox (the host), and the one way both sandboxes are started and torn down.

:class:`Sandboxed` is one sandboxed process (:func:`grader.sandbox.command`) with its working
folder, its control group (:mod:`grader.cgroups`) and the first 8 KiB of its stderr; its
:meth:`~Sandboxed.end` kills what is left of it. :class:`Host` is :mod:`grader.inside.host` in
such a sandbox, fresh for every submission, holding only what the exercise may use
(:func:`import_root`); :mod:`grader.zygote` starts the judge's sandbox the same way.
"""
from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import cgroups, sandbox, wall
from .inside import wire

GRADER_DIR = Path(__file__).resolve().parent
SANDBOX_LIB = "/opt/chainrule-sandbox/lib"   # the sandbox's only import root besides the stdlib
TEARDOWN = "chainrule-sandbox-teardown"      # the threads that end a host in the background
# glibc gives each large array its own mmap and returns it when freed, so every layer-sized temporary
# is page-faulted in afresh (half the CPU of a comparison on this kind of machine): in both sandboxes
# arrays up to this size come from the heap and freed memory is kept for the next one. The sandbox's
# memory caps hold as before (an allocation beyond them fails the same way).
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": str(512 << 20), "MALLOC_TRIM_THRESHOLD_": str(512 << 20)}


# ---------------------------------------------------------------------- the sandboxed host process
class Host:
    """A running :mod:`grader.inside.host` in the sandbox, and the pipe to it. ``uses``: what the
    exercises it serves may use (:mod:`coursekit.rules`): it decides what the sandbox contains."""

    def __init__(self, limits: sandbox.Limits, uid: int, mechanism: str | None = None, uses=("numpy",)):
        from coursekit import rules

        from . import hostzygote
        self.uses = tuple(uses)
        self.mechanism = mechanism or sandbox.probe()["mechanism"]
        self.deny = rules.denied(self.uses)
        if hostzygote.usable(self.mechanism):  # a fork of this worker's zygote, walled off on its own
            self.box = hostzygote.spawn(self.uses, limits, uid)
            self.channel = wall.Channel(self.box.rfd, self.box.wfd)
            return
        to_host_r, to_host_w = wire.pipe()  # 1 MiB: an array crosses in a few steps, not hundreds
        from_host_r, from_host_w = wire.pipe()
        binds, masks, lib = import_root(self.uses, self.mechanism)
        # -S: no site module, so no .pth file of any site-packages runs (and nothing imports from one)
        argv = [sys.executable, "-s", "-S", "-m", "grader_inside.host", str(to_host_r), str(from_host_w)]
        self.box = Sandboxed("host", argv, limits, uid, mechanism, binds, masks,
                             {"PYTHONPATH": lib, "CHAINRULE_GRADING": "1", **MALLOC_ENV}, (to_host_r, from_host_w))
        self.channel = wall.Channel(from_host_r, to_host_w)

    def judge_fds(self) -> tuple:
        """The judge's ends of the pipe to this host (handed to the judge process)."""
        return self.channel.rfd, self.channel.wfd

    def why_dead(self) -> str:
        return "" if self.alive() else self.box.why_dead(self.mechanism)

    def close(self) -> None:
        """Close the pipes and tear the sandbox down in the background (it holds no result)."""
        for fd in (self.channel.rfd, self.channel.wfd):
            try:
                os.close(fd)
            except OSError:
                pass
        threading.Thread(target=self._reap, daemon=True, name=TEARDOWN).start()

    def alive(self) -> bool:
        return self.box.alive()

    def _reap(self) -> None:
        end = time.monotonic() + 0.5  # let it end by itself first: it was told to by the closed pipe
        while self.box.alive() and time.monotonic() < end:
            time.sleep(0.02)
        self.box.end()


def running(proc) -> bool:
    """Is ``proc`` still running? Never reaps it: a reaped pid can be reused at once, and
    :meth:`Sandboxed.end` must still be able to signal its process group safely."""
    if proc.returncode is not None:
        return False
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except ChildProcessError:
        return False


class Sandboxed:
    """One sandboxed process (the host, a host zygote or the judge) with its working folder, its
    control group and its stderr (the first 8 KiB kept); ``pass_fds`` are handed to it and closed
    here. ``argv`` may be a function of the working folder's path; ``caps``: see :func:`grader.sandbox.command`."""

    def __init__(self, kind, argv, limits, uid, mechanism, binds, masks, env, pass_fds, caps=None):
        self.workdir = os.path.realpath(tempfile.mkdtemp(prefix=f"chainrule-{kind}-"))
        os.chmod(self.workdir, 0o755)
        argv = argv(self.workdir) if callable(argv) else argv
        cmd, kw = sandbox.command(argv, self.workdir, ro_binds=binds, masks=masks, limits=limits, env=env, uid=uid,
                                  mechanism=mechanism, private_workdir=True, caps=caps)
        self.group = cgroups.new_group(limits.memory_bytes, limits.nproc)  # the sandbox's sum, not per process
        if self.group is not None:
            cmd = self.group.wrap(cmd)
        self.stderr: list = []
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, pass_fds=pass_fds, start_new_session=True,
                                     close_fds=True, **kw)
        for fd in pass_fds:  # the sandboxed process holds them now
            os.close(fd)
        threading.Thread(target=sandbox.reader, args=(self.proc.stderr, 8192, self.stderr), daemon=True).start()

    def last_line(self) -> str:
        tail = b"".join(self.stderr).decode(errors="replace").strip().splitlines()[-1:]
        return tail[0][:200] if tail else ""

    def alive(self) -> bool:
        return running(self.proc)

    def why_dead(self, mechanism: str) -> str:
        try:
            info = os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            rc = info.si_status if info.si_code == os.CLD_EXITED else -info.si_status
        except (ChildProcessError, AttributeError):
            rc = self.proc.returncode or 0
        killed = sandbox.killed_by(rc, mechanism)
        tail = self.last_line()
        return (f"killed by {killed}" if killed else f"exit code {rc}") + (f" ({tail})" if tail else "")

    def end(self) -> None:
        """Kill what is left (its process tree and session), then remove its group and folder."""
        if self.proc.returncode is None:  # not reaped yet: its pid and group id are still ours
            if running(self.proc):
                sandbox.kill_tree(self.proc)
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # whatever is left of its session
            except OSError:
                pass
        self.proc.wait()
        if self.group is not None:
            self.group.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def package_dir(name: str) -> Path:
    import importlib
    return Path(importlib.import_module(name).__file__).resolve().parent


def package_folders() -> tuple:
    """Every folder of installed packages the sandbox could reach (it binds /usr and the
    interpreter's prefixes read-only): each prefix's ``lib*/python3*/site-packages`` and
    ``dist-packages``, the system's and /usr/local's, and any such folder on ``sys.path`` —
    whether or not this process uses it (a student's code can put any of them on its own path)."""
    import glob
    roots = {"/usr", "/usr/local", sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             str(Path(os.path.realpath(sys.executable)).parent.parent)}
    found = {p for p in sys.path if p.rstrip("/").endswith(("site-packages", "dist-packages"))}
    for root in roots:
        for pattern in ("lib*/python*/site-packages", "lib*/python*/dist-packages", "lib*/python*/*/site-packages"):
            found.update(glob.glob(os.path.join(root, pattern)))
    return tuple(sorted({os.path.realpath(p) for p in found if os.path.isdir(p)}))


# the course kit's parts the sandbox never holds: the checks (with their recorded visible answers),
# and what only a notebook's demos use (widgets, data sets); the answer key is the grader's (grader.key),
# never bound here at all
KIT_HIDDEN = ("checks", "widgets", "datasets")


@functools.lru_cache(maxsize=8)
def import_root(uses: tuple, mechanism: str) -> tuple:
    """``(ro_binds, masks, PYTHONPATH)``: what the host can import. With bubblewrap the sandbox
    sees the standard library and exactly these packages under :data:`SANDBOX_LIB`: NumPy, the
    public course kit (its :data:`KIT_HIDDEN` folders, the checks among them, covered by empty
    folders, for every exercise), the host's own package and, where the exercise allows it,
    ``chainrule``. Every site-packages folder is covered too, so nothing else installed (PyTorch,
    the grader, ...) can be imported."""
    packages = {"numpy": package_dir("numpy"), "coursekit": package_dir("coursekit"),
                "grader_inside": GRADER_DIR / "inside"}
    libs = package_dir("numpy").parent / "numpy.libs"   # the wheels' own OpenBLAS
    if libs.is_dir():
        packages["numpy.libs"] = libs
    if "chainrule" in uses:
        packages["chainrule"] = package_dir("chainrule")
    if mechanism != "bwrap":  # the fallback isolates nothing: a folder of links is enough
        lib = Path(tempfile.mkdtemp(prefix="chainrule-sandbox-lib-"))  # once per process (cached)
        os.chmod(lib, 0o755)
        for name, src in packages.items():
            if name == "coursekit":  # its own folder, linking every entry but the hidden ones
                (lib / name).mkdir(mode=0o755)
                for entry in src.iterdir():
                    if entry.name not in KIT_HIDDEN:
                        (lib / name / entry.name).symlink_to(entry)
            else:
                (lib / name).symlink_to(src)
        return (), (), str(lib)
    binds = tuple((str(src), f"{SANDBOX_LIB}/{name}") for name, src in packages.items())
    masks = package_folders() + tuple(f"{SANDBOX_LIB}/coursekit/{part}" for part in KIT_HIDDEN)
    return binds, masks, SANDBOX_LIB
