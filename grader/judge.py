"""Grade ONE submitted notebook: the trusted side of the sandbox wall.

``grade_notebook(nb, release, settings) -> dict``. The judge never executes the student's
code. It reads the notebook as data, compares its graded cells with the released notebook (a
changed, deleted, duplicated or re-tagged tests cell, or changed points, gives that exercise 0 and
the status ``tampered``), starts :mod:`grader.inside.host` in the sandbox with the instructor's
cells and the student's solution cells, and runs each exercise's check here on
:class:`grader.wall.Remote` names: a check's call runs in the sandbox and only data comes back
(:mod:`grader.wall` is all the judge code that touches it). The sandbox holds only what the
exercise may use (:mod:`coursekit.rules`): the standard library, NumPy, the public course kit
and, for chapter 8, ``chainrule`` without its checks; never the answer key. Seeds are fixed per
exercise, so a re-grade gives the same scores.
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
from dataclasses import dataclass
from pathlib import Path

from . import sandbox, wall
from .inside import wire
from .release import (Exercise, Release, check_calls, parse_notebook, read_release,  # noqa: F401 - re-exported
                      student_cells, tampering)

GRADER_DIR = Path(__file__).resolve().parent
SANDBOX_LIB = "/opt/chainrule-sandbox/lib"   # the sandbox's only import root besides the stdlib


# ---------------------------------------------------------------------- the sandboxed host process
class Host:
    """A running :mod:`grader.inside.host` in the sandbox, and the pipe to it. ``uses``: what the
    exercises it serves may use (:mod:`coursekit.rules`): it decides what the sandbox contains."""

    def __init__(self, limits: sandbox.Limits, uid: int, mechanism: str | None = None, uses=("numpy",)):
        from coursekit import rules
        self.limits, self.uid, self.uses = limits, uid, tuple(uses)
        self.mechanism = mechanism or sandbox.probe()["mechanism"]
        self.workdir = tempfile.mkdtemp(prefix="chainrule-host-")
        os.chmod(self.workdir, 0o755)
        to_host_r, to_host_w = os.pipe()
        from_host_r, from_host_w = os.pipe()
        binds, masks, lib = _import_root(self.uses, self.mechanism)
        argv = [sys.executable, "-s", "-m", "grader_inside.host", str(to_host_r), str(from_host_w)]
        env = {"PYTHONPATH": lib, "CHAINRULE_GRADING": "1"}
        cmd, kw = sandbox.command(argv, self.workdir, ro_binds=binds, masks=masks, limits=limits, env=env, uid=uid,
                                  mechanism=mechanism)
        self.stderr: list = []
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, pass_fds=(to_host_r, from_host_w),
                                     start_new_session=True, close_fds=True, **kw)
        os.close(to_host_r)
        os.close(from_host_w)
        threading.Thread(target=sandbox._reader, args=(self.proc.stderr, 8192, self.stderr), daemon=True).start()
        self.channel = wall.Channel(from_host_r, to_host_w)
        self.deny = rules.denied(self.uses)
        self.started = time.monotonic()

    def end_exercise(self) -> None:
        """Stop the exercise's fork and wait for the host to report its end."""
        ch = self.channel
        try:
            wire.write_message(ch.wfd, {"op": "exit"}, ch.deadline)
            while "dead" not in wire.read_message(ch.rfd, ch.deadline):
                pass
        except wire.PeerGone:
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
        for fd in (self.channel.rfd, self.channel.wfd):
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


def _package_dir(name: str) -> Path:
    import importlib
    return Path(importlib.import_module(name).__file__).resolve().parent


@functools.lru_cache(maxsize=8)
def _import_root(uses: tuple, mechanism: str) -> tuple:
    """``(ro_binds, masks, PYTHONPATH)``: what the host can import. With bubblewrap the sandbox
    sees the standard library and exactly these packages under :data:`SANDBOX_LIB`: NumPy, the
    public course kit, the host's own package and, where the exercise allows it, ``chainrule``
    with its ``checks`` (the answer key) covered by an empty folder. Every site-packages folder
    is covered too, so nothing else installed (PyTorch, the grader, ...) can be imported."""
    packages = {"numpy": _package_dir("numpy"), "coursekit": _package_dir("coursekit"),
                "grader_inside": GRADER_DIR / "inside"}
    libs = _package_dir("numpy").parent / "numpy.libs"   # the wheels' own OpenBLAS
    if libs.is_dir():
        packages["numpy.libs"] = libs
    if "chainrule" in uses:
        packages["chainrule"] = _package_dir("chainrule")
    if mechanism != "bwrap":  # the fallback isolates nothing: a folder of links is enough
        lib = Path(tempfile.gettempdir()) / f"chainrule-sandbox-lib-{os.getuid()}-{'-'.join(uses)}"
        lib.mkdir(exist_ok=True)
        for name, src in packages.items():
            if not (lib / name).exists():
                (lib / name).symlink_to(src)
        return (), (), str(lib)
    binds = tuple((str(src), f"{SANDBOX_LIB}/{name}") for name, src in packages.items())
    masks = tuple(sorted({p for p in sys.path if p.rstrip("/").endswith(("site-packages", "dist-packages"))
                          and os.path.isdir(p)}))
    if "chainrule" in uses:
        masks += (f"{SANDBOX_LIB}/chainrule/checks",)
    return binds, masks, SANDBOX_LIB


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
    from coursekit import rules

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
            uses = rules.uses(release.chapter, ex.id)
            if host is not None and host.uses != uses:  # another rule: another sandbox
                host.close()
                host = None
            if host is None:
                host = Host(limits, settings.uid, settings.mechanism, uses)
                host.channel.deadline = min(notebook_deadline, time.monotonic() + max(30.0, settings.exercise_seconds))
                try:
                    load_report = host.channel.request({"op": "load", "cells": program, "deny": host.deny})["report"]
                    if not isinstance(load_report, dict):
                        raise wire.ProtocolError("no load report")
                except (wire.Timeout, wire.ProtocolError, wall.LearnerError, KeyError, TypeError) as e:
                    timed_out = isinstance(e, wire.Timeout)
                    row.update(status="timeout" if timed_out else "crashed",
                               category="load_timeout" if timed_out else "crashed",
                               message="" if timed_out else host.why_dead())
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
    """Run the exercise's checks here, on remote names served by a fresh fork of the host (it
    starts from the state right after loading the notebook)."""
    from chainrule import checks
    from chainrule.checks import CheckFailed

    ch = host.channel
    ch.deadline = min(notebook_deadline, time.monotonic() + settings.exercise_seconds)
    sink = io.StringIO()
    forked = False
    try:
        reply = ch.request({"op": "fork"})
        if "r" not in reply:
            return {"status": "crashed", "category": "crashed", "message": str(reply.get("dead", ""))[:200]}
        forked = True
        try:
            ch.request({"op": "reset", "seed": 0})
            with contextlib.redirect_stdout(sink):
                for exercise, name, kwargs in ex.calls:
                    if ch.request({"op": "defined", "name": name}).get("defined") is not True:
                        errors = [f"{cid}: {err}" for cid, err in (load_report or {}).items()
                                  if err and cid in ex.solution_ids]
                        return {"status": "failed", "category": "not_defined",
                                "message": name + (" — " + "; ".join(str(e)[:300] for e in errors) if errors else "")}
                    checks.get_check(exercise)(wall.Remote(ch, name),
                                               **{k: v for k, v in kwargs.items() if k == "hidden"})
        except wire.PeerGone:
            forked = False  # the fork is gone: nothing to end
            raise
        finally:
            if forked:
                host.end_exercise()
    except CheckFailed as e:
        return {"status": "failed", "category": e.category, "message": str(e)}
    except wire.Timeout:
        return {"status": "timeout", "category": "timeout", "message": ""}
    except wire.PeerGone:
        return {"status": "crashed", "category": "crashed", "message": ""}
    except wire.ProtocolError as e:
        return {"status": "crashed", "category": "protocol", "message": str(e)[:300]}
    except Exception as e:  # noqa: BLE001 - a value the check could not handle: the student's answer
        return {"status": "failed", "category": "exception", "message": f"{type(e).__name__}: {e}"[:500]}
    return {"status": "passed", "score": ex.points, "category": None, "message": ""}
