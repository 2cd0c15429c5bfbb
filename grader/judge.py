"""Grade ONE submitted notebook: the trusted side of the sandbox.

``grade_notebook(nb, release, settings) -> dict``. The judge never executes the student's
code. It reads the notebook as data, compares its graded cells with the released notebook (a
changed, deleted, duplicated or re-tagged tests cell, or changed points, gives that exercise 0 and
the status ``tampered``), starts :mod:`grader.host` in the sandbox with the instructor's cells and
the student's solution cells, and runs each exercise's check here, in this process, on proxies of
the student's functions and classes: every value the check compares crossed the pipe as data
(:mod:`grader.rpc`). Nothing the student's code does (monkeypatching NumPy or ``chainrule``,
builtins, input transformers, exception hooks, ``os._exit``, reading the check's frames) can reach
the comparison. Seeds are fixed per exercise, so a re-grade gives the same scores.
"""
from __future__ import annotations

import contextlib
import functools
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import rpc, sandbox
from .release import (Exercise, Release, check_calls, parse_notebook, read_release,  # noqa: F401 - re-exported
                      student_cells, tampering)

GRADER_DIR = Path(__file__).resolve().parent
_LIB_MODULES = {"chainrule", "chainrule.functional", "chainrule.nn", "chainrule.nn.init", "chainrule.optim",
                "chainrule.tensor", "chainrule.autograd", "chainrule.nn.module", "chainrule.nn.layers"}


# ---------------------------------------------------------------------- what the host may reach here
def _from_chainrule(obj) -> bool:
    mod = obj if isinstance(obj, str) else getattr(obj, "__module__", None) or ""
    return mod == "chainrule" or mod.startswith("chainrule.")


def exportable(obj) -> bool:
    """Which of our objects the student's code may hold by reference: the checks' callbacks and
    graphs, chainrule's tensors, modules and optimizers; a few chainrule modules. No NumPy, no os."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__ in _LIB_MODULES
    if isinstance(obj, (types.FunctionType, types.MethodType, functools.partial)):
        fn = obj.func if isinstance(obj, functools.partial) else obj
        return _from_chainrule(getattr(fn, "__func__", fn))
    if isinstance(obj, types.GeneratorType):
        return _from_chainrule(obj.gi_frame.f_globals.get("__name__") if obj.gi_frame else None)
    if isinstance(obj, contextlib._GeneratorContextManager):  # chainrule.no_grad() and friends
        return _from_chainrule(getattr(obj, "func", None))
    if isinstance(obj, type):
        return _from_chainrule(obj)
    return _from_chainrule(type(obj))


def readable(obj, name) -> bool:
    if not isinstance(name, str) or name.startswith("_"):
        return False
    if isinstance(obj, types.ModuleType):
        value = getattr(obj, name, None)
        if isinstance(value, types.ModuleType):
            return value.__name__ in _LIB_MODULES
        return name in getattr(obj, "__all__", ()) or _from_chainrule(value)
    return True


def writable(obj, name) -> bool:
    from chainrule import Tensor, nn, optim
    return (isinstance(name, str) and not name.startswith("_")
            and isinstance(obj, (Tensor, nn.Module, optim.Optimizer)))


class JudgePeer(rpc.Peer):
    def __init__(self, rfd, wfd):
        super().__init__(rfd, wfd, exportable=exportable, readable=readable, writable=writable)

    def perform(self, op, a):
        if op in ("setitem",) and not writable(a[0], "item"):
            raise TypeError("the grader's objects cannot be changed that way")
        if op == "call" and isinstance(a[0], type) and not _from_chainrule(a[0]):
            raise TypeError("not callable from the student's code")
        result = super().perform(op, a)
        if op == "getattr" and isinstance(result, np.ndarray):
            from chainrule import Tensor
            if isinstance(a[0], Tensor):  # p.data[i] += eps in the student's code reaches p
                return rpc.Lend(result)
        return result

    def extra(self, op, a):
        if op == "lib":
            import importlib
            module, qual = str(a[0]), a[1]
            if module not in _LIB_MODULES and not (module.startswith("chainrule.") and qual):
                raise ImportError(f"{module} is not offered to the student's code")
            mod = importlib.import_module(module)
            value = mod if qual is None else getattr(mod, str(qual))
            if not exportable(value):
                raise ImportError(f"{module}.{qual} is not offered to the student's code")
            return value
        return super().extra(op, a)


# ---------------------------------------------------------------------- the sandboxed host process
class Host:
    """A running :mod:`grader.host` in the sandbox, and the pipe to it."""

    def __init__(self, limits: sandbox.Limits, uid: int, mechanism: str | None = None):
        self.limits, self.uid = limits, uid
        self.mechanism = mechanism or sandbox.probe()["mechanism"]
        self.workdir = tempfile.mkdtemp(prefix="chainrule-host-")
        os.chmod(self.workdir, 0o755)
        to_host_r, to_host_w = os.pipe()
        from_host_r, from_host_w = os.pipe()
        argv = [sys.executable, "-m", "grader.host", str(to_host_r), str(from_host_w)]
        env = {"PYTHONPATH": str(GRADER_DIR.parent), "CHAINRULE_GRADING": "1"}
        cmd, kw = sandbox.command(argv, self.workdir, ro_binds=_binds(), limits=limits, env=env, uid=uid,
                                  mechanism=mechanism)
        self.stderr: list = []
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, pass_fds=(to_host_r, from_host_w),
                                     start_new_session=True, close_fds=True, **kw)
        os.close(to_host_r)
        os.close(from_host_w)
        threading.Thread(target=sandbox._reader, args=(self.proc.stderr, 8192, self.stderr), daemon=True).start()
        self.peer = JudgePeer(from_host_r, to_host_w)
        self.started = time.monotonic()

    def end_exercise(self) -> None:
        """Stop the exercise's fork and wait for the host to report its end."""
        peer = self.peer
        peer.received, peer.sent = [], []  # left over if a check was cut short
        try:
            rpc.write_message(peer.wfd, {"op": "exit"}, peer.deadline)
            while "dead" not in rpc.read_message(peer.rfd, peer.deadline):
                pass
        except rpc.PeerGone:
            pass  # the fork (or the host) is gone already: the next request will tell

    def why_dead(self) -> str:
        if self.alive():
            return ""
        try:
            info = os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            rc = info.si_status if info.si_code == os.CLD_EXITED else -info.si_status
        except (ChildProcessError, AttributeError):
            rc = self.proc.returncode or 0
        killed = sandbox._killed_by(rc, self.mechanism)
        tail = b"".join(self.stderr).decode(errors="replace").strip().splitlines()[-1:]
        return (f"killed by {killed}" if killed else f"exit code {rc}") + (f" ({tail[0][:200]})" if tail else "")

    def close(self) -> None:
        """Close the pipes and tear the sandbox down in the background (it holds no result)."""
        for fd in (self.peer.rfd, self.peer.wfd):
            try:
                os.close(fd)
            except OSError:
                pass
        threading.Thread(target=self._reap, daemon=True).start()

    def alive(self) -> bool:
        """Is the host still running? (Never reaps it: a reaped pid can be reused at once, and
        :meth:`_reap` must still be able to signal the host's process group safely.)"""
        if self.proc.returncode is not None:
            return False
        try:
            return os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
        except ChildProcessError:
            return False

    def _reap(self) -> None:
        if self.proc.returncode is None:  # not reaped yet: its pid and group id are still ours
            end = time.monotonic() + 0.5
            while self.alive() and time.monotonic() < end:
                time.sleep(0.02)
            if self.alive():
                sandbox._kill_tree(self.proc)
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # whatever is left of its session
            except OSError:
                pass
        self.proc.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


@functools.lru_cache(maxsize=1)
def _binds() -> tuple:
    """What the host must see besides the system and the interpreter: the grader's two modules
    (rpc, host) and chainrule's source when it is an editable install outside the venv."""
    import chainrule
    binds = [str(GRADER_DIR)]
    pkg_root = str(Path(chainrule.__file__).resolve().parents[1])
    if not pkg_root.startswith(os.path.realpath(sys.prefix)):
        binds.append(pkg_root)
    return tuple(binds)


# ---------------------------------------------------------------------- grading
@dataclass
class Settings:
    exercise_seconds: float = 60.0     # per exercise (its visible and hidden checks together)
    notebook_seconds: float = 600.0    # the whole notebook
    memory_mb: int = 2048
    uid: int = sandbox.SANDBOX_UID
    mechanism: str | None = None       # None: the best the machine has ("bwrap", else "rlimits")


def grade_notebook(nb: dict, release: Release, settings: Settings = Settings()) -> dict:
    """``{"exercises": [...], "score", "max_score", "status", "detail"}`` for a parsed notebook."""
    from chainrule import checks

    lang = release.lang if release.lang in ("en", "zh") else "en"
    checks.set_language(lang)
    tampered = tampering(nb, release)
    program = student_cells(nb, release)
    limits = sandbox.Limits(memory_bytes=settings.memory_mb << 20, wall_seconds=settings.notebook_seconds,
                            cpu_seconds=int(settings.notebook_seconds))
    notebook_deadline = time.monotonic() + settings.notebook_seconds
    host, load_report, results = None, {}, []
    try:
        for ex in release.exercises:
            row = {"id": ex.id, "grade_id": ex.grade_id, "points": ex.points, "score": 0.0,
                   "status": "failed", "category": None, "message": ""}
            results.append(row)
            if ex.grade_id in tampered:
                row.update(status="tampered", category=tampered[ex.grade_id])
                continue
            if time.monotonic() > notebook_deadline:
                row.update(status="timeout", category="notebook_timeout")
                continue
            if host is None:
                host = Host(limits, settings.uid, settings.mechanism)
                host.peer.deadline = min(notebook_deadline, time.monotonic() + max(30.0, settings.exercise_seconds))
                try:
                    load_report = host.peer.request("load", program, release.remote_library)
                except rpc.Timeout:
                    row.update(status="timeout", category="load_timeout")
                    host.close()
                    host = None
                    continue
                except rpc.ProtocolError:
                    row.update(status="crashed", category="crashed", message=host.why_dead())
                    host.close()
                    host = None
                    continue
            outcome = _run_exercise(host, ex, settings, notebook_deadline, load_report)
            row.update(outcome)
            if row["status"] == "crashed" and not row["message"] and not host.alive():
                time.sleep(0.05)  # let the reader collect the host's last words
                row["message"] = host.why_dead()
            if row["status"] == "timeout" or row["category"] == "protocol" or not host.alive():
                host.close()  # a fork that hangs, or a host that died: start afresh
                host = None
    finally:
        if host is not None:
            host.close()
    score = sum(r["score"] for r in results)
    status = "flagged" if tampered else "graded"
    return {"exercises": results, "score": score, "max_score": release.max_score, "status": status,
            "detail": ", ".join(f"{g}: {w}" for g, w in tampered.items())}


def _run_exercise(host: Host, ex: Exercise, settings: Settings, notebook_deadline: float, load_report) -> dict:
    """Run the exercise's checks here on proxies of the student's objects, served by a fresh fork
    of the host (it starts from the state right after loading the notebook)."""
    from chainrule import checks
    from chainrule.checks import CheckFailed

    host.peer.deadline = min(notebook_deadline, time.monotonic() + settings.exercise_seconds)
    sink = io.StringIO()
    forked = False
    try:
        host.peer.request("fork")
        forked = True
        try:
            host.peer.request("reset", 0)
            with contextlib.redirect_stdout(sink):
                for exercise, name, kwargs in ex.calls:
                    try:
                        obj = host.peer.request("lookup", name)
                    except NameError:
                        errors = [f"{cid}: {err}" for cid, err in (load_report or {}).items()
                                  if err and cid in ex.solution_ids]
                        return {"status": "failed", "category": "not_defined",
                                "message": name + (" — " + "; ".join(errors) if errors else "")}
                    checks.get_check(exercise)(obj, **{k: v for k, v in kwargs.items() if k == "hidden"})
        except rpc.PeerGone:
            forked = False  # the fork is gone: nothing to end
            raise
        finally:
            if forked:
                host.end_exercise()
    except CheckFailed as e:
        return {"status": "failed", "category": e.category, "message": str(e)}
    except rpc.Timeout:
        return {"status": "timeout", "category": "timeout", "message": ""}
    except rpc.PeerGone:
        return {"status": "crashed", "category": "crashed", "message": ""}
    except rpc.ProtocolError as e:
        return {"status": "crashed", "category": "protocol", "message": str(e)[:300]}
    except Exception as e:  # noqa: BLE001 - a value the check could not handle: the student's answer
        return {"status": "failed", "category": "exception", "message": f"{type(e).__name__}: {e}"[:500]}
    return {"status": "passed", "score": ex.points, "category": None, "message": ""}
