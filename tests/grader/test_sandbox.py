"""Red-team tests of the isolation layer (grader/sandbox.py): each attack runs inside the sandbox
and must get nowhere. The bwrap tests skip (with the reason) where bubblewrap does not work;
the fallback tests always run."""
from __future__ import annotations

import os
import socket
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # grader/ is not an installed package
sys.path.insert(0, str(REPO / "tests" / "grader"))

from grader import sandbox as sb  # noqa: E402
from grader.sandbox import Limits, run_sandboxed  # noqa: E402
from grading_class import pids_with  # noqa: E402

PROBE = sb.probe()
needs_bwrap = pytest.mark.skipif(PROBE["mechanism"] != "bwrap",
                                 reason=f"bubblewrap sandbox unavailable here: {PROBE['detail']}")
FAST = Limits(wall_seconds=30)


@pytest.fixture
def workdir(tmp_path):
    wd = tmp_path / "wd"
    wd.mkdir()
    return wd


def py(code: str, workdir, **kw):
    return run_sandboxed([sys.executable, "-c", textwrap.dedent(code)], workdir=workdir,
                         **{"limits": FAST, **kw})


@needs_bwrap
class TestBwrap:
    def test_cannot_read_outside_workdir(self, workdir, tmp_path):
        gradebook = tmp_path / "gradebook.db"
        gradebook.write_text("alice,100")
        secrets = [str(gradebook), str(REPO / "pyproject.toml"), "/root/.bash_history", "/etc/shadow",
                   *map(str, sorted((REPO / "solutions").rglob("*.ipynb"))[:1])]
        r = py(f"""
            for p in {secrets!r}:
                try:
                    open(p).read(); print("READ", p)
                except OSError as e:
                    print("blocked", type(e).__name__)
            import os; print("listing", os.listdir({str(tmp_path)!r}))
            """, workdir)
        assert r.returncode == 0, r.stderr
        assert "READ" not in r.stdout and r.stdout.count("blocked") == len(secrets)
        assert "gradebook" not in r.stdout.split("listing")[1]

    def test_cannot_write_outside_workdir(self, workdir, tmp_path):
        targets = [tmp_path / "evil", REPO / "evil_sandbox_probe", Path(sys.prefix) / "evil",
                   Path("/usr/evil"), Path("/etc/evil")]
        r = py(f"""
            import os
            for p in {list(map(str, targets))!r}:
                try:
                    open(p, "w").write("x"); print("WROTE", p)
                except OSError as e:
                    print("blocked", type(e).__name__)
            open("inside.txt", "w").write("ok")
            open("/tmp/private.txt", "w").write("x")   # a private /tmp, gone afterwards
            print("uid", os.getuid())
            """, workdir)
        assert r.returncode == 0, r.stderr
        assert "WROTE" not in r.stdout and not any(t.exists() for t in targets)
        assert (workdir / "inside.txt").read_text() == "ok"
        assert not Path("/tmp/private.txt").exists()
        if os.geteuid() == 0:
            assert "uid 0" not in r.stdout  # root on the host runs it as an unprivileged uid

    def test_no_network_to_host_loopback(self, workdir):
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        srv.setblocking(False)
        port = srv.getsockname()[1]
        try:
            r = py(f"""
                import socket
                try:
                    socket.create_connection(("127.0.0.1", {port}), timeout=3); print("CONNECTED")
                except OSError as e:
                    print("refused", type(e).__name__)
                print(socket.if_nameindex())
                """, workdir)
            with pytest.raises(BlockingIOError):
                srv.accept()
        finally:
            srv.close()
        assert "refused" in r.stdout and "CONNECTED" not in r.stdout, r.stdout + r.stderr
        assert "'lo'" in r.stdout and "eth" not in r.stdout  # only its own loopback

    def test_infinite_loop_killed_at_wall_limit(self, workdir):
        r = py("while True: pass", workdir, limits=Limits(wall_seconds=2))
        assert r.timed_out and r.killed_by == "wall" and r.wall_time < 6

    def test_cpu_burner_killed_by_cpu_limit(self, workdir):
        r = py("while True: pass", workdir, limits=Limits(cpu_seconds=1, wall_seconds=20))
        assert not r.timed_out and r.killed_by == "cpu" and r.wall_time < 15

    def test_huge_allocation_fails_cleanly(self, workdir):
        r = py("""
            try:
                b = bytearray(8 << 30); print("ALLOCATED")
            except MemoryError:
                print("MemoryError")
            """, workdir)
        assert r.returncode == 0 and r.stdout.strip() == "MemoryError", r.stderr

    def test_fork_bomb_contained_by_nproc(self, workdir):
        r = py("""
            import os, time
            n = 0
            try:
                while n < 1000:
                    if os.fork() == 0:
                        time.sleep(30); os._exit(0)
                    n += 1
            except OSError as e:
                print("stopped", n, type(e).__name__)
            """, workdir, limits=Limits(nproc=40, wall_seconds=20))
        assert r.stdout.startswith("stopped"), r.stdout + r.stderr
        assert int(r.stdout.split()[1]) < 40
        assert r.wall_time < 10  # returned when the parent exited: its children died with it

    def test_double_forked_daemon_dies_with_sandbox(self, workdir):
        token = f"613.{os.getpid()}"
        r = py(f"""
            import os
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.execv("/bin/sleep", ["sleep", "{token}"])
                os._exit(0)
            print("parent leaves")
            """, workdir)
        assert "parent leaves" in r.stdout, r.stderr
        deadline = time.monotonic() + 3
        while pids_with(token) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pids_with(token) == []

    def test_huge_stdout_is_capped(self, workdir):
        r = py("""
            import sys
            for _ in range(64):
                sys.stdout.write("x" * (1 << 20))
            print("done", file=sys.stderr)
            """, workdir, limits=Limits(wall_seconds=30, output_bytes=1 << 16))
        assert r.returncode == 0 and len(r.stdout) == 1 << 16 and "done" in r.stderr

    def test_file_size_capped_and_stdin_passed(self, workdir):
        r = py("""
            import sys
            for path in ("big.bin", "/tmp/big.bin"):
                try:
                    open(path, "wb").write(b"x" * (2 << 20)); print("WROTE")
                except OSError as e:
                    print("capped", e.strerror)
            print(sys.stdin.read())
            """, workdir, limits=Limits(wall_seconds=30, fsize_bytes=1 << 20), stdin=b"from stdin")
        assert r.stdout.splitlines() == ["capped File too large"] * 2 + ["from stdin"], r.stderr

    def test_environment_is_cleared(self, workdir, monkeypatch):
        monkeypatch.setenv("CHAINRULE_SECRET_TOKEN", "hunter2")
        r = py("import os, json; print(json.dumps(dict(os.environ)))", workdir, env={"EXTRA": "1"})
        assert "hunter2" not in r.stdout and "CHAINRULE_SECRET_TOKEN" not in r.stdout
        env = __import__("json").loads(r.stdout)
        assert env["HOME"] == str(workdir.resolve()) and env["EXTRA"] == "1"

    def test_ro_binds_are_readable_not_writable(self, workdir, tmp_path):
        shared = tmp_path / "shared"
        shared.mkdir()
        (shared / "data.txt").write_text("public")
        shared.chmod(0o755)
        r = py(f"""
            print(open({str(shared / 'data.txt')!r}).read())
            try:
                open({str(shared / 'new.txt')!r}, "w"); print("WROTE")
            except OSError:
                print("read-only")
            """, workdir, ro_binds=[shared])
        assert r.stdout.split() == ["public", "read-only"], r.stderr

    @pytest.mark.parametrize("transport", ["tcp", "ipc"])
    def test_jupyter_kernel_runs_inside(self, workdir, transport):
        script = workdir / "run_nb.py"
        script.write_text(textwrap.dedent(f"""
            import nbformat, nbclient
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
            client = nbclient.NotebookClient(nb, timeout=60, kernel_name="python3")
            client.km = client.kernel_manager_class(kernel_name="python3", transport={transport!r})
            client.execute()
            nbformat.write(nb, "executed.ipynb")
            """))
        r = run_sandboxed([sys.executable, "run_nb.py"], workdir=workdir, limits=Limits(wall_seconds=90))
        assert r.returncode == 0 and r.mechanism == "bwrap", r.stderr
        import nbformat
        nb = nbformat.read(workdir / "executed.ipynb", as_version=4)
        assert nb.cells[0].outputs[0]["text"] == "42\n"


# ---- the fallback: rlimits and a killed session, no namespaces (always runs) ----

def test_fallback_enforces_wall_time(workdir):
    token = f"614.{os.getpid()}"
    r = py(f"""
        import subprocess, time
        subprocess.Popen(["/bin/sleep", "{token}"])   # a child in the same session dies too
        while True: time.sleep(0.1)
        """, workdir, limits=Limits(wall_seconds=1.5), mechanism="rlimits")
    assert r.mechanism == "rlimits" and r.timed_out and r.killed_by == "wall" and r.wall_time < 5
    time.sleep(0.2)
    assert pids_with(token) == []


def test_fallback_enforces_memory(workdir):
    r = py("""
        try:
            b = bytearray(8 << 30); print("ALLOCATED")
        except MemoryError:
            print("MemoryError")
        """, workdir, mechanism="rlimits")
    assert r.mechanism == "rlimits" and r.returncode == 0 and r.stdout.strip() == "MemoryError"


def test_fallback_clears_environment_and_runs_in_workdir(workdir, monkeypatch):
    monkeypatch.setenv("CHAINRULE_SECRET_TOKEN", "hunter2")
    r = py("import os; print(os.getcwd()); print(sorted(os.environ))", workdir, mechanism="rlimits")
    assert r.stdout.splitlines()[0] == str(workdir.resolve()) and "CHAINRULE_SECRET" not in r.stdout


def test_fallback_warns_once_what_is_missing(workdir, monkeypatch):
    monkeypatch.setattr(sb, "_PROBE", {**PROBE, "mechanism": "rlimits", "detail": "bwrap not found"})
    monkeypatch.setattr(sb, "_WARNED", False)
    with pytest.warns(RuntimeWarning, match="NO network and NO file-system isolation"):
        r = py("print('hi')", workdir)
    assert r.mechanism == "rlimits" and r.stdout == "hi\n"
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        py("print('again')", workdir)   # no second warning
