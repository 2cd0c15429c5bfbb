"""Grade ONE submitted notebook: the trusted side of the sandbox wall.

``grade_notebook(nb, release, settings) -> dict``. The judge never executes the student's
code. It reads the notebook as data, compares its graded cells with the released notebook (a
changed, deleted, duplicated or re-tagged tests cell, or changed points, gives that exercise 0 and
the status ``tampered``), starts :mod:`grader.inside.host` in the sandbox with the instructor's
cells and the student's solution cells, and runs each exercise's check here on
:class:`grader.wall.Remote` names: a check's call runs in the sandbox and only data comes back
(:mod:`grader.wall` is all the judge code that touches it). The sandbox holds only what the
exercise may use (``uses`` in the course manifest, :mod:`coursekit.rules`): the standard library,
NumPy, the public course kit and, where an exercise declares it (chapter 8), ``chainrule`` without
its checks; never the answer key. Seeds are fixed per
exercise, so a re-grade gives the same scores.
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
from dataclasses import dataclass
from pathlib import Path

from . import cgroups, sandbox, wall
from .inside import wire
from .release import (Exercise, Release, parse_notebook, read_release, student_cells,  # noqa: F401 - re-exported
                      tampering)

GRADER_DIR = Path(__file__).resolve().parent
SANDBOX_LIB = "/opt/chainrule-sandbox/lib"   # the sandbox's only import root besides the stdlib


# ---------------------------------------------------------------------- the sandboxed host process
class Host:
    """A running :mod:`grader.inside.host` in the sandbox, and the pipe to it. ``uses``: what the
    exercises it serves may use (:mod:`coursekit.rules`): it decides what the sandbox contains."""

    def __init__(self, limits: sandbox.Limits, uid: int, mechanism: str | None = None, uses=("numpy",)):
        from coursekit import rules
        self.uses = tuple(uses)
        self.mechanism = mechanism or sandbox.probe()["mechanism"]
        to_host_r, to_host_w = os.pipe()
        from_host_r, from_host_w = os.pipe()
        binds, masks, lib = _import_root(self.uses, self.mechanism)
        argv = [sys.executable, "-s", "-m", "grader_inside.host", str(to_host_r), str(from_host_w)]
        self.box = _Sandbox("host", argv, limits, uid, mechanism, binds, masks,
                            {"PYTHONPATH": lib, "CHAINRULE_GRADING": "1"}, (to_host_r, from_host_w))
        self.proc = self.box.proc
        self.channel = wall.Channel(from_host_r, to_host_w)
        self.deny = rules.denied(self.uses)

    def judge_fds(self) -> tuple:
        """The judge's ends of the pipe to this host (handed to the judge process)."""
        return self.channel.rfd, self.channel.wfd

    def why_dead(self) -> str:
        if self.alive():
            return ""
        try:
            info = os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            rc = info.si_status if info.si_code == os.CLD_EXITED else -info.si_status
        except (ChildProcessError, AttributeError):
            rc = self.proc.returncode or 0
        killed = sandbox.killed_by(rc, self.mechanism)
        tail = self.box.last_line()
        return (f"killed by {killed}" if killed else f"exit code {rc}") + (f" ({tail})" if tail else "")

    def close(self) -> None:
        """Close the pipes and tear the sandbox down in the background (it holds no result)."""
        for fd in (self.channel.rfd, self.channel.wfd):
            try:
                os.close(fd)
            except OSError:
                pass
        threading.Thread(target=self._reap, daemon=True).start()

    def alive(self) -> bool:
        return _running(self.proc)

    def _reap(self) -> None:
        end = time.monotonic() + 0.5  # let it end by itself first: it was told to by the closed pipe
        while _running(self.proc) and time.monotonic() < end:
            time.sleep(0.02)
        self.box.end()


def _running(proc) -> bool:
    """Is ``proc`` still running? Never reaps it: a reaped pid can be reused at once, and
    :meth:`_Sandbox.end` must still be able to signal its process group safely."""
    if proc.returncode is not None:
        return False
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except ChildProcessError:
        return False


class _Sandbox:
    """One sandboxed process (the host or the judge) with its working folder, its control group
    and its stderr (the first 8 KiB kept); ``pass_fds`` are handed to it and closed here."""

    def __init__(self, kind, argv, limits, uid, mechanism, binds, masks, env, pass_fds):
        self.workdir = tempfile.mkdtemp(prefix=f"chainrule-{kind}-")
        os.chmod(self.workdir, 0o755)
        cmd, kw = sandbox.command(argv, self.workdir, ro_binds=binds, masks=masks, limits=limits, env=env, uid=uid,
                                  mechanism=mechanism)
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

    def end(self) -> None:
        """Kill what is left (its process tree and session), then remove its group and folder."""
        if self.proc.returncode is None:  # not reaped yet: its pid and group id are still ours
            if _running(self.proc):
                sandbox.kill_tree(self.proc)
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # whatever is left of its session
            except OSError:
                pass
        self.proc.wait()
        if self.group is not None:
            self.group.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _package_dir(name: str) -> Path:
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
        lib = Path(tempfile.mkdtemp(prefix="chainrule-sandbox-lib-"))  # once per process (cached)
        os.chmod(lib, 0o755)
        for name, src in packages.items():
            (lib / name).symlink_to(src)
        return (), (), str(lib)
    binds = tuple((str(src), f"{SANDBOX_LIB}/{name}") for name, src in packages.items())
    masks = package_folders()
    if "chainrule" in uses:
        masks += (f"{SANDBOX_LIB}/chainrule/checks",)
    return binds, masks, SANDBOX_LIB


# ---------------------------------------------------------------------- grading
@dataclass
class Settings:
    exercise_seconds: float = 60.0     # per exercise (its visible and hidden checks together)
    notebook_seconds: float = 600.0    # the whole notebook
    memory_mb: int = 2048              # the student's sandbox
    judge_memory_mb: int = 2048        # the judge's sandbox
    uid: int = sandbox.SANDBOX_UID     # the student's sandbox; the judge's is uid + JUDGE_UID_OFFSET
    mechanism: str | None = None       # None: the best the machine has ("bwrap", else "rlimits")


JUDGE_UID_OFFSET = 100000
GRACE = 10.0   # seconds the judge may take beyond an exercise's limit (its own comparisons)


# ---------------------------------------------------------------------- the judge's sandbox
@functools.lru_cache(maxsize=1)
def _judge_binds() -> tuple:
    """What the judge sees besides the system and the interpreter: the grader and, for an
    editable install outside the interpreter's prefix, the source of chainrule and the kit."""
    binds = [str(GRADER_DIR)]
    for name in ("chainrule", "coursekit"):
        root = str(_package_dir(name).parent)
        if not root.startswith(os.path.realpath(sys.prefix)) and root not in binds:
            binds.append(root)  # an editable install: its source folder
    return tuple(binds)


def _judge_path() -> str:
    """Where the judge imports the grader, chainrule and the kit from: where we did."""
    roots = [str(GRADER_DIR.parent)] + [str(_package_dir(n).parent) for n in ("chainrule", "coursekit")]
    return os.pathsep.join(dict.fromkeys(roots))


class JudgeProcess:
    """The judge (:mod:`grader.judge_main`) in a sandbox of its own, talking to ``host``'s sandbox
    over the pipe it inherits. It gets one task and answers one row per exercise."""

    def __init__(self, task: dict, host: Host, settings: Settings):
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        host_r, host_w = host.judge_fds()
        argv = [sys.executable, "-m", "grader.judge_main", str(to_r), str(from_w), str(host_r), str(host_w)]
        limits = sandbox.Limits(memory_bytes=settings.judge_memory_mb << 20, nproc=64, fsize_bytes=16 << 20,
                                cpu_seconds=int(settings.notebook_seconds + GRACE),
                                wall_seconds=settings.notebook_seconds + GRACE)
        self.box = _Sandbox("judge", argv, limits, settings.uid + JUDGE_UID_OFFSET, settings.mechanism,
                            _judge_binds(), (), {"PYTHONPATH": _judge_path()}, (to_r, from_w, host_r, host_w))
        host.channel.rfd = host.channel.wfd = -1  # the judge holds the host's pipe; we keep none of it
        self.rfd, self.wfd = from_r, to_w
        wire.write_message(self.wfd, task, time.monotonic() + 30)

    def next(self, deadline: float) -> dict:
        return wire.read_message(self.rfd, deadline)

    def last_words(self) -> str:
        try:
            self.box.proc.wait(timeout=1)  # a judge that died: let the reader collect its stderr
        except subprocess.TimeoutExpired:
            pass
        time.sleep(0.05)
        return self.box.last_line()

    def close(self) -> None:
        for fd in (self.rfd, self.wfd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.box.end()


# ---------------------------------------------------------------------- grading
def _row(ex: Exercise, **fields) -> dict:
    row = {"id": ex.id, "grade_id": ex.grade_id, "points": ex.points, "score": 0.0, "status": "failed",
           "category": None, "message": ""}
    row.update(fields)
    return row


_STATUSES = {"passed", "failed", "timeout", "crashed"}


def _checked(ex: Exercise, row) -> dict:
    """A row from the judge, kept to its fields; the score is ours: the points iff it passed."""
    row = row if isinstance(row, dict) else {}
    status = row.get("status") if row.get("status") in _STATUSES else "crashed"
    category = row.get("category") if isinstance(row.get("category"), str) else None
    message = row.get("message") if isinstance(row.get("message"), str) else ""
    return _row(ex, status=status, category=category if status != "passed" else None, message=message[:4000],
                score=ex.points if status == "passed" else 0.0)


def grade_notebook(nb: dict, release: Release, settings: Settings = Settings()) -> dict:
    """``{"exercises": [...], "score", "max_score", "status", "detail"}`` for a parsed notebook.

    Runs here, in the worker: reads the notebook as data (tampering), then for each run of
    exercises that share a rule on what their code may use, starts the student's sandbox (the
    host) and the judge's sandbox, hands the judge the pipe to the host, and collects one row per
    exercise. A judge that stops making progress (``exercise_seconds`` + a grace) is killed with
    its host: that exercise is a ``timeout``, the next ones get fresh sandboxes.
    """
    tampered = tampering(nb, release)
    program = student_cells(nb, release)
    exercises = release.exercises
    rows: dict = {i: _row(ex, status="tampered", category=tampered[ex.grade_id])
                  for i, ex in enumerate(exercises) if ex.grade_id in tampered}
    limits = sandbox.Limits(memory_bytes=settings.memory_mb << 20, wall_seconds=settings.notebook_seconds,
                            cpu_seconds=int(settings.notebook_seconds))
    notebook_deadline = time.monotonic() + settings.notebook_seconds
    while len(rows) < len(exercises):
        todo = [i for i in range(len(exercises)) if i not in rows]
        if time.monotonic() > notebook_deadline:
            rows.update({i: _row(exercises[i], status="timeout", category="notebook_timeout") for i in todo})
            break
        uses = exercises[todo[0]].uses  # from the manifest: one sandbox per rule on what the code may use
        group = [i for i in todo if exercises[i].uses == uses]
        _run_group(release, program, group, uses, rows, limits, settings, notebook_deadline)
    results = [rows[i] for i in range(len(exercises))]
    status = "flagged" if tampered else "graded"
    return {"exercises": results, "score": sum(r["score"] for r in results), "max_score": release.max_score,
            "status": status, "detail": ", ".join(f"{g}: {w}" for g, w in tampered.items())}


def _run_group(release, program, group, uses, rows, limits, settings, notebook_deadline) -> None:
    """One host and one judge for the exercises ``group`` (until one asks for a fresh host)."""
    exercises = release.exercises
    host = Host(limits, settings.uid, settings.mechanism, uses)
    judge = None
    current = group[0]
    try:
        task = {"lang": release.lang, "program": program, "deny": host.deny,
                "exercise_seconds": settings.exercise_seconds,
                "exercises": [{"index": i, "calls": exercises[i].calls, "solution_ids": exercises[i].solution_ids}
                              for i in group]}
        judge = JudgeProcess(task, host, settings)
        budget = max(30.0, settings.exercise_seconds) + settings.exercise_seconds + GRACE  # the load, then one
        while current is not None:
            msg = judge.next(min(notebook_deadline + GRACE, time.monotonic() + budget))
            index = msg.get("index")
            if index != current:
                raise wire.ProtocolError(f"the judge answered for exercise {index!r}, not {current}")
            row = _checked(exercises[current], msg.get("row"))
            if row["status"] == "crashed" and not row["message"]:
                time.sleep(0.05)  # let the reader collect the host's last words
                row["message"] = host.why_dead()
            rows[current] = row
            current = next((i for i in group if i not in rows), None)
            budget = settings.exercise_seconds + GRACE
            if msg.get("restart"):
                break
    except wire.Timeout:  # the judge computed past every limit: stopped, and the exercise with it
        rows[current] = _row(exercises[current], status="timeout", category="judge_timeout")
    except wire.ProtocolError:  # the judge died (memory, CPU) or broke the protocol
        words = judge.last_words() if judge is not None else ""
        rows[current] = _row(exercises[current], status="crashed", category="judge_crashed", message=words)
    finally:
        if judge is not None:
            judge.close()
        host.close()
