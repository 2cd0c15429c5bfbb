"""Red team (adv4): a hostile student against how each submission's sandbox is started — the host
zygote (grader/hostzygote.py, grader/inside/zygote.py): one zygote per worker thread forks every
student's host, each fork in fresh mount, PID, IPC, UTS and network namespaces, dropped to the
thread's sandbox uid. Every attack goes through a real ``python -m grader grade`` batch and every
test asserts the SAFE outcome.

Student code runs where the exercise's stub is: a class body, which the host runs at load.

Findings, all fixed: findings 1, 2 and 3 by one system-call filter that the host installs in itself
before it reads the student's code (grader/inside/seccomp.py: keyrings, file locks, inotify and
fanotify, new user namespaces and the calls that mainly serve kernel exploits fail with EPERM), on
both sandbox paths; finding 4 by an explicit descriptor limit (``Limits.nofile``, 1024 per process)
and real-time priority and nice ceilings of 0, set with the other limits on both paths.

1. kernel keyrings are not namespaced, and every submission a worker thread grades runs as the
   same uid: a key that student A adds to the uid's user keyring (``add_key(..., @u)``, plain
   ctypes, no capability needed) is still there for student B graded next on that thread — and for
   every later run that leases that uid (keys live as long as the init user namespace). A student
   who solved the chapter leaves the solution there; a blank notebook that fetches it scores full
   marks, and no notebook handed in contains the other's code (a similarity check sees nothing).
   Root cause: the fork's wall (namespaces, tmpfs, rlimits, uid) has no syscall filter, and the
   uid is reused. Fix idea: a seccomp filter installed by PID 1 before it forks the host (and
   bubblewrap's ``--seccomp`` on the per-submission path) that fails ``add_key``, ``request_key``
   and ``keyctl`` (Docker's default profile does this for the same reason).
2. the host can create user namespaces (``unshare(CLONE_NEWUSER)`` succeeds; inside it the code
   holds every capability and may mount): the non-root path passes ``--disable-userns``, the root
   and zygote paths do not. Nothing of another student is reached through it here, but it opens
   the kernel surface most local privilege escalations need. Fix idea: the same seccomp filter
   (``unshare``/``clone``/``clone3`` with ``CLONE_NEWUSER``), or a user namespace per fork with
   ``user.max_user_namespaces = 0`` inside it.
3. file locks are the kernel's, per inode, not per mount: every sandbox (host, judge, both
   workers' zygotes) binds the same files read-only, and ``flock`` works on a read-only
   descriptor. Two students graded at the same time (``--jobs 2``) share one lock table: the one
   who solved the chapter holds an exclusive lock on file i of the standard library for each 1
   bit of the (compressed) solution; the other, with a blank notebook, reads the bits with
   non-blocking tries in a fraction of a second and scores full marks. Root cause: nothing a
   sandbox can lock is its own. Fix idea: the same seccomp filter fails ``flock`` and the
   ``fcntl`` lock commands (``F_SETLK``, ``F_SETLKW``, ``F_OFD_SETLK``, ``F_OFD_SETLKW``;
   neither Python nor NumPy needs them to import or compute). The same holds for inotify
   watches on those files (another sandbox's opens and reads are visible): a weaker channel, a
   wider filter (``inotify_add_watch``, ``fanotify_init``) closes it too.
4. the sandbox's descriptor limit is the worker's (``RLIMIT_NOFILE``: 20000 here, often 1048576
   in a container): its 256 processes may hold 5.1 million open files, and the kernel's
   machine-wide table (``fs.file-max``, 2.47 million here) refuses every process without
   ``CAP_SYS_ADMIN`` once it is full — the judges, the next sandbox's PID 1, the student graded at
   the same time, other users. Not run at full scale (this machine is shared): the test asks the
   sandbox for its limits. Fix idea: the sandbox sets its own ``RLIMIT_NOFILE`` (``prlimit
   --nofile`` and :func:`grader.inside.zygote._limits`), e.g. 1024 to 4096, so that the
   processes of all sandboxes at once stay well below ``fs.file-max``.

Withstood (regression tests): what student A leaves behind in every other place a process of the
uid can write — files in /tmp, /dev/shm and its working folder, a System V shared memory segment
and message queue, a daemon serving on an abstract Unix socket — does not reach student B graded
next by the same zygote, nor student B graded at the same time by the other worker (``--jobs 2``)
(each channel is shown to work within one submission first); the submission's control group stays
unwritable even from a user namespace that mounts the cgroup hierarchies.
"""
from __future__ import annotations

import json
import re
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "course"))
sys.path.insert(0, str(REPO / "tests" / "grader"))

from grader import hostzygote, sandbox  # noqa: E402
from grading_class import blank, cell, copy, honest, put, results, run_grader  # noqa: E402

pytestmark = pytest.mark.skipif(not hostzygote.usable(None),
                                reason="host zygote unavailable: it needs bubblewrap run as root and pidfds "
                                       f"(sandbox: {sandbox.probe()['mechanism']}, {sandbox.probe()['detail']})")

CHAPTER = "ch01_derivatives.ipynb"
IDS = ("forward_difference", "central_difference", "numerical_gradient", "relative_error")


def _src(c) -> str:
    return c.source if isinstance(c.source, str) else "".join(c.source)


def _solution(nb) -> str:
    """Every exercise's solution of an honest ch01 notebook, as one piece of source."""
    return "\n\n".join(_src(cell(nb, g)) for g in IDS)


def _giver(leave: str):
    """An honest, full-marks notebook whose last solution cell also runs ``leave`` at load (a class
    body): ``leave`` sees the chapter's whole solution source as ``SOL`` (bytes)."""
    nb = copy(honest(CHAPTER, "en"))
    sol = _solution(nb).encode()
    body = "\n".join("    " + line for line in leave.strip("\n").splitlines())
    cell(nb, "relative_error").source = _src(cell(nb, "relative_error")) + f"\n\nclass _Leave:\n    SOL = {sol!r}\n{body}\n"
    return nb


def _taker(fetch: str):
    """A blank notebook (no exercise solved) whose last solution cell is only a class body that runs
    ``fetch`` and executes the source it returns (``None``: nothing found) as the notebook's code."""
    nb = copy(blank(CHAPTER, "en"))
    body = "\n".join("        " + line for line in fetch.strip("\n").splitlines())
    cell(nb, "relative_error").source = (f"class _Take:\n    def fetch():\n{body}\n"
                                         "    _found = fetch()\n"
                                         "    if _found:\n"
                                         "        exec(_found, globals())\n")
    return nb


# --- 1. the uid's keyring: a drop box from one student to the next ------------------------------
def _keyring_pair(tag: str):
    leave = f"""
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
key = libc.syscall(248, b"user", b"adv4-{tag}", SOL, len(SOL), ctypes.c_long(-4))   # add_key(..., @u)
libc.syscall(250, 15, ctypes.c_long(key), 300)   # KEYCTL_SET_TIMEOUT: the test's keys do not pile up in the uid's quota
"""
    fetch = f"""
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
key = libc.syscall(249, b"user", b"adv4-{tag}", None, ctypes.c_long(0))    # request_key
if key <= 0:
    return None
buf = ctypes.create_string_buffer(1 << 16)
n = libc.syscall(250, 11, ctypes.c_long(key), buf, 1 << 16)                  # KEYCTL_READ
return buf.raw[:n].decode() if n > 0 else None
"""
    return _giver(leave), _taker(fetch)


# --- withstood: every other place the uid can write, and a daemon ---------------------------------
_IPC = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
"""


CHANNELS = ("files", "shm", "msg", "socket")


def _leftovers(tag: str, linger: float, channels=CHANNELS) -> tuple:
    """``(leave, fetch)``: leave the solution in every channel; fetch it from ``channels`` (polled
    for ``linger`` seconds)."""
    key = int(tag[:6], 16) | 1
    leave = _IPC + f"""
import os, socket, time
for where in ("/tmp", "/dev/shm", os.getcwd(), os.environ.get("HOME", "/tmp")):
    with open(os.path.join(where, "adv4-{tag}"), "wb") as f:
        f.write(SOL)
shm = libc.shmget({key}, 1 << 16, 0o1666)                         # System V shared memory, IPC_CREAT
addr = libc.shmat(shm, None, 0)
ctypes.memmove(addr, SOL + b"\\0", len(SOL) + 1)
msq = libc.msgget({key}, 0o1666)                                 # a System V message queue
msg = ctypes.create_string_buffer(8 + len(SOL))
ctypes.memmove(ctypes.addressof(msg), (1).to_bytes(8, "little") + SOL, 8 + len(SOL))
libc.msgsnd(msq, msg, len(SOL), 0o4000)
if os.fork() == 0:                                               # a daemon that hands it out
    os.setsid()
    if os.fork() == 0:
        srv = socket.socket(socket.AF_UNIX)
        srv.bind("\\0adv4-{tag}")
        srv.listen()
        while True:
            c, _ = srv.accept()
            c.sendall(SOL)
            c.close()
    os._exit(0)
time.sleep({linger})                                             # alive while the other worker grades
"""
    fetch = _IPC + f"""
import os, socket, time
end = time.time() + {linger}
while True:
    for where in ("/tmp", "/dev/shm", os.getcwd(), os.environ.get("HOME", "/tmp")):
        try:
            if "files" in {channels!r}:
                return open(os.path.join(where, "adv4-{tag}")).read()
        except OSError:
            pass
    shm = libc.shmget({key}, 0, 0)
    if shm >= 0 and "shm" in {channels!r}:
        addr = libc.shmat(shm, None, 0)
        if addr not in (None, ctypes.c_void_p(-1).value):
            return ctypes.string_at(addr).decode()
    msq = libc.msgget({key}, 0)
    if msq >= 0 and "msg" in {channels!r}:
        msg = ctypes.create_string_buffer(8 + (1 << 16))
        n = libc.msgrcv(msq, msg, 1 << 16, 0, 0o4000)
        if n > 0:
            return msg.raw[8:8 + n].decode()
    s = socket.socket(socket.AF_UNIX)
    try:
        if "socket" not in {channels!r}:
            raise OSError("not tried")
        s.connect("\\0adv4-{tag}")
        return b"".join(iter(lambda: s.recv(65536), b"")).decode()
    except OSError:
        pass
    finally:
        s.close()
    if time.time() > end:
        return None
    time.sleep(0.1)
"""
    return leave, fetch


def _leftovers_pair(tag: str, linger: float):
    leave, fetch = _leftovers(tag, linger)
    return _giver(leave), _taker(fetch)


def _leftovers_control(tag: str, channel: str):
    """Leave and fetch in ONE submission (a blank notebook: the first stub cell leaves the solution,
    the last fetches it through ``channel`` only): full marks show that the channel works, so that
    the taker's zero across submissions means the wall held."""
    leave, fetch = _leftovers(tag, 2.0, (channel,))
    nb = _taker(fetch)
    sol = _solution(honest(CHAPTER, "en")).encode()
    body = "\n".join("    " + line for line in leave.strip("\n").splitlines())
    first = cell(nb, IDS[0])
    first.source = _src(first) + f"\n\nclass _Leave:\n    SOL = {sol!r}\n{body.replace('time.sleep(2.0)', 'pass')}\n"
    return nb


# --- 3. flock on the read-only files both sandboxes see: a wire between two students at once -------
# Every sandbox binds the same standard library read-only; a lock on a file is the kernel's, not the
# mount's. The giver holds an exclusive flock on file i of the sorted library for every 1 bit of its
# (compressed) solution, then on the last one ("ready"); the taker, graded by the other worker at
# the same time, tests each lock without waiting.
_FLOCK_FILES = """
import fcntl, os, zlib
lib = os.path.dirname(os.__file__)
names = sorted(os.path.join(d, n) for d, _, ns in os.walk(lib) for n in ns)[:6000]
"""


def _flock_pair(linger: float):
    leave = "def hold(SOL):\n" + "\n".join("    " + line for line in (_FLOCK_FILES + f"""
import time
data = zlib.compress(SOL, 9)
bits = [(len(data) >> k) & 1 for k in range(16)] + [(b >> k) & 1 for b in data for k in range(8)]
held = []
for name, bit in zip(names, bits + [0] * (len(names) - 1 - len(bits)) + [1]):
    if bit:
        fd = os.open(name, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)
        held.append(fd)
time.sleep({linger})
""").strip("\n").splitlines()) + "\nhold(SOL)\n"   # a function: a class body's names are not a comprehension's
    fetch = _FLOCK_FILES + f"""
import time

def locked(name):
    fd = os.open(name, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return 0
    except OSError:
        return 1
    finally:
        os.close(fd)

end = time.time() + {linger}
while not locked(names[-1]):
    if time.time() > end:
        return None
    time.sleep(0.05)
n = sum(locked(names[k]) << k for k in range(16))
bits = [locked(name) for name in names[16:16 + 8 * n]]
data = bytes(sum(bits[8 * i + k] << k for k in range(8)) for i in range(n))
return zlib.decompress(data).decode()
"""
    return _giver(leave), _taker(fetch)


# --- 2. a user namespace in the host -------------------------------------------------------------
USERNS = """
import ctypes, os
class _Probe:
    _pid = os.fork()
    if _pid == 0:   # in a child: the host's own namespaces stay as they are
        _libc = ctypes.CDLL(None, use_errno=True)
        os._exit(0 if _libc.unshare(0x10000000) == 0 else 1)   # CLONE_NEWUSER
    _ok = os.waitpid(_pid, 0)[1] == 0
    raise RuntimeError("ADV4-USERNS-" + ("CREATED" if _ok else "REFUSED"))
"""


# --- withstood: the sandbox's own control group, mounted from a user namespace -------------------
# (Possible only because of finding 2.) The mounted hierarchy's root is the submission's own group;
# its files belong to the real root, so neither a limit nor the member list may be written.
CGROUP = """
import ctypes, os
class _Probe:
    _r, _w = os.pipe()
    _pid = os.fork()
    if _pid == 0:
        _libc = ctypes.CDLL(None, use_errno=True)
        _uid, _wrote, _tried = os.getuid(), [], 0
        if _libc.unshare(0x10000000 | 0x02000000 | 0x00020000) == 0:   # CLONE_NEWUSER | NEWCGROUP | NEWNS
            for _f, _v in (("/proc/self/setgroups", "deny"), ("/proc/self/uid_map", f"0 {_uid} 1"),
                           ("/proc/self/gid_map", f"0 {_uid} 1")):
                try:
                    open(_f, "w").write(_v)
                except OSError:
                    pass
            for _fs, _opt, _files in ((b"cgroup", b"memory", ("memory.limit_in_bytes", "memory.memsw.limit_in_bytes")),
                                      (b"cgroup", b"pids", ("pids.max",)),
                                      (b"cgroup2", None, ("memory.max", "pids.max", "cgroup.subtree_control"))):
                _at = "/tmp/adv4-" + _fs.decode() + (_opt or b"").decode()
                os.makedirs(_at, exist_ok=True)
                if _libc.mount(b"none", _at.encode(), _fs, 0, _opt) != 0:
                    continue
                for _name in _files + ("cgroup.procs",):
                    _tried += 1
                    try:
                        with open(os.path.join(_at, _name), "w") as _f:
                            _f.write("1" if _name == "cgroup.procs" else str(1 << 40))
                        _wrote.append(_name)
                    except OSError:
                        pass
                try:
                    os.mkdir(os.path.join(_at, "escape"))
                    _wrote.append("mkdir")
                except OSError:
                    pass
        os.write(_w, repr((_tried, _wrote)).encode())
        os._exit(0)
    os.close(_w)
    os.waitpid(_pid, 0)
    raise RuntimeError("ADV4-CGROUP-" + os.read(_r, 4000).decode())
"""


# --- 4. the machine's file table: a bounded probe, not the attack --------------------------------
# The attack (every process of the sandbox opens /dev/null up to its descriptor limit: 256
# processes x the inherited hard RLIMIT_NOFILE, 20000 here, is 5.1 million open files against a
# machine-wide fs.file-max of 2.47 million) would leave every unprivileged process on the machine
# unable to open a file, a pipe or a socket (ENFILE): the judges, the next sandboxes' PID 1 (it
# reads /proc/self/status after dropping to the uid), the student graded at the same time, other
# users. This machine is shared, so the test only asks the sandbox for its limits.
NOFILE = """
import os, resource
class _Probe:
    raise RuntimeError("ADV4-NOFILE-" + repr((resource.getrlimit(resource.RLIMIT_NOFILE)[1],
                                              resource.getrlimit(resource.RLIMIT_NPROC)[1],
                                              int(open("/proc/sys/fs/file-max").read()))))
"""
NOFILE_BOUND = 4096   # 256 processes x 4096 = 1 Mi descriptors per sandbox


def _scores(out: Path) -> dict:
    return {r["student_id"]: r for r in results(out)}


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory):
    """One batch, one worker (so one zygote and one uid): each giver is graded right before its
    taker, in student-id order."""
    tmp = tmp_path_factory.mktemp("redteam_adv4")
    subs, out = tmp / "subs", tmp / "out"
    tag = uuid.uuid4().hex[:12]  # fresh names: keys of an earlier run of this test are never found
    give, take = _keyring_pair(tag)
    put(subs, "a1_key_giver", give, CHAPTER)
    put(subs, "a2_key_taker", take, CHAPTER)
    give, take = _leftovers_pair(tag, 0.5)
    put(subs, "b1_left_giver", give, CHAPTER)
    put(subs, "b2_left_taker", take, CHAPTER)
    for channel in CHANNELS:
        put(subs, f"b3_control_{channel}", _leftovers_control(uuid.uuid4().hex[:12], channel), CHAPTER)
    probe = copy(blank(CHAPTER, "en"))
    cell(probe, "relative_error").source = USERNS
    put(subs, "c_userns", probe, CHAPTER)
    probe = copy(blank(CHAPTER, "en"))
    cell(probe, "relative_error").source = CGROUP
    put(subs, "c_cgroup", probe, CHAPTER)
    probe = copy(blank(CHAPTER, "en"))
    cell(probe, "relative_error").source = NOFILE
    put(subs, "c_nofile", probe, CHAPTER)
    proc = run_grader(subs, out, "--jobs", "1", timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return _scores(out)


def test_the_givers_are_honest_full_marks(one_worker):
    """The attacks below are meaningful: what the givers leave behind is a full-marks solution."""
    for who in ("a1_key_giver", "b1_left_giver"):
        assert one_worker[who]["score"] == one_worker[who]["max_score"] == 5, one_worker[who]


def test_a_solution_left_in_the_uid_keyring_does_not_grade_the_next_student(one_worker):
    row = one_worker["a2_key_taker"]
    assert row["status"] == "graded", row
    assert row["score"] == 0, [(e["id"], e["status"]) for e in row["exercises"]]


@pytest.mark.parametrize("channel", CHANNELS)
def test_control_each_channel_works_within_one_submission(one_worker, channel):
    row = one_worker[f"b3_control_{channel}"]
    assert row["score"] == 5, [(e["id"], e["status"], e["message"][:200]) for e in row["exercises"]]


def test_files_ipc_and_daemons_of_a_student_do_not_grade_the_next_one(one_worker):
    row = one_worker["b2_left_taker"]
    assert row["status"] == "graded", row
    assert row["score"] == 0, [(e["id"], e["status"], e["message"][:200]) for e in row["exercises"]]


def test_the_host_cannot_create_a_user_namespace(one_worker):
    text = json.dumps(one_worker["c_userns"]["exercises"])
    assert "ADV4-USERNS-" in text, text[:1000]   # the probe ran and reported
    assert "ADV4-USERNS-REFUSED" in text, text[:1000]


def test_the_host_cannot_write_its_control_group(one_worker):
    """Memory and process caps of a submission stay the worker's to set, even from a user
    namespace that mounts the cgroup hierarchies (rooted at the submission's own group)."""
    text = " ".join(e["message"] for e in one_worker["c_cgroup"]["exercises"])
    found = re.search(r"ADV4-CGROUP-\((\d+), \[(.*?)\]\)", text)
    assert found, text[:1000]   # the probe ran and reported: (files it tried to write, files it wrote)
    assert found.group(2) == "", found.group(0)


def test_the_sandbox_cannot_hold_the_machines_file_table(one_worker):
    text = " ".join(e["message"] for e in one_worker["c_nofile"]["exercises"])
    found = re.search(r"ADV4-NOFILE-\((\d+), (\d+), (\d+)\)", text)
    assert found, text[:1000]
    nofile, nproc, file_max = map(int, found.groups())
    assert nofile <= NOFILE_BOUND, (nofile, nproc, file_max)


def test_the_keyring_drop_box_without_the_host_zygote(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    give, take = _keyring_pair(uuid.uuid4().hex[:12])
    put(subs, "a1_key_giver", give, CHAPTER)
    put(subs, "a2_key_taker", take, CHAPTER)
    proc = run_grader(subs, out, "--jobs", "1", timeout=600, CHAINRULE_HOST_ZYGOTE="0")
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = _scores(out)
    assert rows["a1_key_giver"]["score"] == 5, rows["a1_key_giver"]
    assert rows["a2_key_taker"]["status"] == "graded" and rows["a2_key_taker"]["score"] == 0, rows["a2_key_taker"]


def test_nothing_reaches_the_student_graded_at_the_same_time(tmp_path):
    """--jobs 2: the giver stays alive (its daemon serving) while the other worker grades the taker;
    the taker looks for as long (files, System V IPC, the abstract socket). The two are graded by
    two zygotes with two uids, so the keyring is not tried here (it depends on which worker takes
    which notebook)."""
    subs, out = tmp_path / "subs", tmp_path / "out"
    tag = uuid.uuid4().hex[:12]
    # one honest notebook per worker first, so that both zygotes are up before the pair starts
    put(subs, "a0_warm", honest(CHAPTER, "en"), CHAPTER)
    put(subs, "a1_warm", honest(CHAPTER, "zh"), CHAPTER)
    give, take = _leftovers_pair(tag, 6.0)
    put(subs, "b_giver", give, CHAPTER)
    put(subs, "b_taker", take, CHAPTER)
    proc = run_grader(subs, out, "--jobs", "2", timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = _scores(out)
    assert rows["b_giver"]["score"] == 5, rows["b_giver"]
    assert rows["b_taker"]["status"] == "graded" and rows["b_taker"]["score"] == 0, \
        [(e["id"], e["status"], e["message"][:200]) for e in rows["b_taker"]["exercises"]]


def test_a_student_graded_at_the_same_time_cannot_send_a_solution_through_file_locks(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    put(subs, "a0_warm", honest(CHAPTER, "en"), CHAPTER)   # both zygotes up before the pair starts
    put(subs, "a1_warm", honest(CHAPTER, "zh"), CHAPTER)
    give, take = _flock_pair(8.0)
    put(subs, "b_giver", give, CHAPTER)
    put(subs, "b_taker", take, CHAPTER)
    proc = run_grader(subs, out, "--jobs", "2", timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = _scores(out)
    assert rows["b_giver"]["score"] == 5, rows["b_giver"]
    assert rows["b_taker"]["status"] == "graded", rows["b_taker"]
    assert rows["b_taker"]["score"] == 0, [(e["id"], e["status"]) for e in rows["b_taker"]["exercises"]]
