"""Red-team tests of the host zygote (grader/hostzygote.py, grader/inside/zygote.py): student A's
host and student B's are forks of one zygote, and nothing of A may reach B; no child may reach the
zygote or a sibling; the zygote dies with its worker, and a dead zygote costs one clear row.

Student code runs here the way the judge runs it: as a cell's definitions (a class body runs when
it is defined), and what it finds comes back as the cell's load error ("RuntimeError: ...")."""
from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # grader/ is not an installed package
sys.path.insert(0, str(REPO / "tests" / "grader"))

from grader import hostzygote, judge, sandbox, wall  # noqa: E402
from grader.boxes import Host  # noqa: E402
from grading_class import pids_with  # noqa: E402

pytestmark = pytest.mark.skipif(not hostzygote.usable(None),
                                reason="host zygote unavailable: it needs bubblewrap run as root and pidfds "
                                       f"(sandbox: {sandbox.probe()['mechanism']}, {sandbox.probe()['detail']})")
LIMITS = sandbox.Limits(memory_bytes=1 << 30, wall_seconds=120, cpu_seconds=120)
UID = 200000 + os.getpid() % 100000


def run(host: Host, source: str, seconds: float = 60) -> str:
    """Load ``source`` as a cell in ``host``; its first error (what the class body found)."""
    ch = wall.Channel(*host.judge_fds())
    ch.deadline = time.monotonic() + seconds
    report = ch.request({"op": "load", "cells": [{"id": "c", "source": textwrap.dedent(source)}], "deny": []})
    return report["report"]["c"] or ""


def found(message: str):
    """The value a probe reported: ``raise RuntimeError(repr(value))``."""
    assert message.startswith("RuntimeError: "), message
    return ast.literal_eval(message[len("RuntimeError: "):])


@pytest.fixture
def fresh():
    """No zygote of an earlier test: each test starts (and ends) its own."""
    hostzygote.end_all()
    yield
    hostzygote.end_all()


LEAVE_BEHIND = """
def leave_behind():
    import os, socket, subprocess, sys, threading, time
    import numpy
    for where in ('/tmp', os.environ['HOME'], '/dev/shm'):
        open(where + '/A_MARK', 'w').write('A was here')
    os.environ['A_MARK'] = 'A was here'
    numpy.allclose = lambda *a, **k: True          # a modified module in sys.modules
    sys.modules['A_MARK'] = numpy
    keep = numpy.ones(96 << 20 >> 3)              # 96 MiB, touched, never freed
    fd = os.open('/tmp/A_MARK', os.O_RDONLY)      # an open file descriptor
    os.set_inheritable(fd, True)
    listener = socket.socket(); listener.bind(('127.0.0.1', 47123)); listener.listen()
    abstract = socket.socket(socket.AF_UNIX); abstract.bind('\\0A_MARK'); abstract.listen()
    sleeper = subprocess.Popen(['sleep', '300'], close_fds=False)
    if os.fork() == 0:                             # a double-forked daemon
        os.setsid()
        if os.fork() == 0:
            while True:
                time.sleep(0.05)
                open('/tmp/A_DAEMON', 'w').write('alive')
        os._exit(0)
    threading.Thread(target=time.sleep, args=(300,), daemon=False).start()
    time.sleep(0.3)
    raise RuntimeError(repr(sorted(os.listdir('/tmp'))))
class A:
    leave_behind()
"""

LOOK_FOR_A = """
def look():
    import os, socket, sys, time
    import numpy
    time.sleep(0.3)  # A's daemon, if it were alive, would have written by now
    seen = {}
    seen['files'] = sorted(n for where in ('/tmp', os.environ['HOME'], '/dev/shm') for n in os.listdir(where)
                           if 'A_' in n)
    seen['env'] = 'A_MARK' in os.environ
    seen['module'] = 'A_MARK' in sys.modules or numpy.allclose(0, 1)
    seen['procs'] = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
    seen['fds'] = sorted(int(f) for f in os.listdir('/proc/self/fd'))
    def reaches(family, address):
        s = socket.socket(family)
        try:
            s.connect(address); return True
        except OSError:
            return False
        finally:
            s.close()
    seen['tcp'] = reaches(socket.AF_INET, ('127.0.0.1', 47123))
    seen['unix'] = reaches(socket.AF_UNIX, '\\0A_MARK')
    big = numpy.ones(640 << 20 >> 3)   # 640 MiB of B's 1 GiB: none of A's memory counts against B
    seen['big'] = float(big.sum()) == big.size
    raise RuntimeError(repr(seen))
class B:
    look()
"""


def test_nothing_of_student_a_reaches_student_b_the_next_fork(fresh, monkeypatch):
    monkeypatch.setenv("CHAINRULE_TEST_SECRET", "planted-secret-42")
    a = Host(LIMITS, UID)
    zygote = hostzygote.zygotes()[0]
    left = found(run(a, LEAVE_BEHIND))
    assert "A_MARK" in left and "A_DAEMON" in left, left  # A did leave all that behind
    a.close()
    b = Host(LIMITS, UID)
    assert hostzygote.zygotes() == [zygote]  # the same zygote forked both
    seen = found(run(b, LOOK_FOR_A))
    b.close()
    assert seen == {"files": [], "env": False, "module": False, "procs": [1, 2], "fds": [0, 1, 2, 3, 4, 5],
                    "tcp": False, "unix": False, "big": True}, seen  # fd 5: the listing of /proc/self/fd


WALL = """
def wall():
    import os
    st = dict(l.split(':', 1) for l in open('/proc/self/status') if l.startswith(('Cap', 'NoNewPrivs')))
    raise RuntimeError(repr({'uid': os.getresuid()[1:], 'gid': os.getresgid()[1:], 'groups': os.getgroups(),
                             'caps': sorted({v.strip() for k, v in st.items() if k.startswith('Cap')}),
                             'nnp': st['NoNewPrivs'].strip(), 'env': sorted(os.environ)[:5],
                             'env_n': len(os.environ), 'home_is_cwd': os.environ['HOME'] == os.getcwd(),
                             'ns_pid': os.getpid(), 'tmp': os.listdir('/tmp') == [os.path.basename(os.getcwd())]}))
class W:
    wall()
"""


def test_a_fork_has_the_sandbox_uid_no_capability_and_a_scrubbed_environment(fresh, monkeypatch):
    monkeypatch.setenv("CHAINRULE_TEST_SECRET", "planted-secret-42")
    host = Host(LIMITS, UID)
    seen = found(run(host, WALL))
    host.close()
    assert seen["uid"] == (UID,) * 2 and seen["gid"] == (UID,) * 2 and seen["groups"] == [], seen
    assert seen["caps"] == ["0000000000000000"] and seen["nnp"] == "1", seen
    # exactly the fixed environment of every sandboxed command, none of the worker's
    fixed = sorted({**sandbox.base_env("/"), "PYTHONPATH": "", "CHAINRULE_GRADING": "", **hostzygote.MALLOC_ENV})
    assert seen["env"] == fixed[:5] and seen["env_n"] == len(fixed), seen
    assert seen["home_is_cwd"] and seen["tmp"] and seen["ns_pid"] == 2, seen


REACH_OUT = """
def reach_out():
    import ctypes, os, signal, time
    libc = ctypes.CDLL(None, use_errno=True)
    alive = []
    for pid in range(1, 1 << 15):
        try:
            os.kill(pid, 0)
            alive.append(pid)
        except (ProcessLookupError, PermissionError):
            pass
    traced = [libc.ptrace(16, pid, None, None) == 0 for pid in alive if pid != os.getpid()]  # PTRACE_ATTACH
    try:
        os.kill(-1, signal.SIGKILL)   # everything it may signal, but itself
    except OSError:
        pass
    raise RuntimeError(repr({'alive': alive, 'traced': traced}))
class R:
    reach_out()
"""


def test_a_fork_cannot_signal_or_trace_the_zygote_or_a_sibling(fresh):
    """Two students at once, from two zygotes of one worker (same uid): each sees only its own PID 1
    and itself, can trace neither, and its kill(-1) reaches neither the zygotes nor the other."""
    a = Host(LIMITS, UID, uses=("numpy",))
    b = Host(LIMITS, UID, uses=("numpy", "chainrule"))
    try:
        zygotes = hostzygote.zygotes()
        assert len(zygotes) == 2
        seen = found(run(b, REACH_OUT))
        assert seen == {"alive": [1, 2], "traced": [False]}, seen
        assert a.alive() and all(z.alive() for z in zygotes)
        assert found(run(a, "class X:\n    raise RuntimeError(repr('still here'))\n")) == "still here"
    finally:
        a.close()
        b.close()
    again = Host(LIMITS, UID, uses=("numpy",))  # the zygote still forks
    assert found(run(again, "class X:\n    raise RuntimeError(repr('next'))\n")) == "next"
    again.close()


WORKER = """
import sys, time
sys.path.insert(0, {repo!r})
from grader import hostzygote, sandbox, wall
from grader.boxes import Host
h = Host(sandbox.Limits(memory_bytes=1 << 30), {uid})
ch = wall.Channel(*h.judge_fds()); ch.deadline = time.monotonic() + 60
ch.request({{"op": "defined", "name": "x"}})   # the host is up
print(hostzygote.zygotes()[0].box.workdir, flush=True)
time.sleep(600)
"""


def test_the_zygote_and_its_children_die_with_the_worker():
    worker = subprocess.Popen([sys.executable, "-c", WORKER.format(repo=str(REPO), uid=UID)],
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        token = worker.stdout.readline().strip()   # the zygote's folder: on its command line and its forks'
        assert token and len(pids_with(token)) >= 2, token  # the zygote and the student's host (a fork of it)
    finally:
        worker.kill()
        worker.wait()
    for _ in range(500):
        if not pids_with(token):
            break
        time.sleep(0.02)
    assert pids_with(token) == []


def _notebook(stem, sleep_in=None):
    import nbformat
    from grading_class import honest
    nb = honest(f"{stem}.ipynb", "en")
    return judge.parse_notebook(nbformat.writes(nb).encode())


def test_a_zygote_that_dies_costs_one_clear_row_and_grading_goes_on(fresh, monkeypatch):
    """The zygote is killed right after it forked a submission's host: that exercise is a crashed
    row that says so, a new zygote grades the rest, and the next submission is graded in full."""
    from test_judge import _release
    release = _release("ch03_mlp")
    real = hostzygote.Fork.__init__
    killed = []

    def fork_then_kill(self, zygote):
        real(self, zygote)
        if not killed:
            killed.append(zygote)
            os.killpg(zygote.box.proc.pid, signal.SIGKILL)  # bwrap and everything in its namespace
            zygote.box.proc.wait()

    monkeypatch.setattr(hostzygote.Fork, "__init__", fork_then_kill)
    res = judge.grade_notebook(_notebook("ch03_mlp"), release)
    rows = res["exercises"]
    assert rows[0]["status"] == "crashed" and "zygote" in rows[0]["message"], rows[0]
    assert all(r["status"] == "passed" for r in rows[1:]), rows
    assert hostzygote.zygotes() and hostzygote.zygotes()[0] is not killed[0]
    again = judge.grade_notebook(_notebook("ch03_mlp"), release)
    assert again["score"] == again["max_score"], again["exercises"]


def test_what_student_a_patched_does_not_grade_student_b(fresh):
    """A patches NumPy's comparisons and leaves processes and files at load time; B's wrong answer
    (next fork, same zygote) still fails, and B's other answers pass."""
    from grading_class import WRONG_AFFINE, cell, honest
    from test_judge import _release
    import nbformat
    release = _release("ch03_mlp")
    a = honest("ch03_mlp.ipynb", "en")
    cell(a, "affine_backward").source += "\n" + textwrap.dedent(LEAVE_BEHIND).replace(
        "raise RuntimeError(repr(sorted(os.listdir('/tmp'))))", "pass")
    first = judge.grade_notebook(judge.parse_notebook(nbformat.writes(a).encode()), release)
    assert first["score"] == first["max_score"], first["exercises"]
    zygote = hostzygote.zygotes()[0]
    b = honest("ch03_mlp.ipynb", "en")
    cell(b, "affine_backward").source = WRONG_AFFINE
    second = judge.grade_notebook(judge.parse_notebook(nbformat.writes(b).encode()), release)
    rows = {r["id"]: r for r in second["exercises"]}
    assert hostzygote.zygotes()[0] is zygote
    assert rows["affine_backward"]["status"] == "failed" and rows["two_layer_net"]["status"] == "failed", rows
    assert all(r["status"] == "passed" for k, r in rows.items() if k not in ("affine_backward", "two_layer_net")), rows


def test_a_zygote_that_cannot_start_gives_the_submission_an_error_row_saying_so(fresh, monkeypatch):
    """A zygote that exits at once (twice: the fresh one too) is a row with status ``error`` that
    names the student's sandbox; once it can start again, the next submission is graded in full."""
    import hashlib

    import nbformat
    from grader import batch
    from grading_class import honest
    from test_judge import _release
    monkeypatch.setattr(hostzygote.HostZygote, "_argv",
                        staticmethod(lambda *a: [sys.executable, "-S", "-c", "import sys; sys.exit('zygote broken')"]))
    data = nbformat.writes(honest("ch03_mlp.ipynb", "en")).encode()
    task = {"student_id": "s", "file": "s/ch03_mlp.ipynb", "sha256": hashlib.sha256(data).hexdigest(), "data": data}
    plans = {("ch03", "en"): (_release("ch03_mlp"), "ch03_mlp", "")}
    row = batch.grade_task(task, plans, judge.Settings())
    assert row["status"] == "error" and "sandbox" in row["detail"], row
    monkeypatch.undo()
    row = batch.grade_task(task, plans, judge.Settings())
    assert row["status"] == "graded" and row["score"] == row["max_score"], row
