"""The grader on Dask: a real ``dask scheduler`` and two ``dask worker --nthreads 1`` processes on
127.0.0.1 (``--scheduler-file`` in a temporary folder), started here and stopped after.

The same mixed class grades to exactly the same ``grades.csv`` as the local pool; a worker killed
mid-batch loses nothing; a submission that kills its worker ends ``crashed`` while the rest finish;
a client killed mid-batch and run again grades only what was missing; a worker with another grader
version is refused. Every fault test also checks that no row is lost or written twice.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="needs distributed: pip install ./packaging/grader (or pip install distributed)")

from grading_class import (REPO, build_mixed, env, grade_cmd, poison_notebook, put,  # noqa: E402
                           results, run_grader)
from grader import sandbox  # noqa: E402

pytestmark = pytest.mark.skipif(sandbox.probe()["mechanism"] != "bwrap",
                                reason=f"bubblewrap sandbox unavailable here: {sandbox.probe()['detail']}")

TEST_TIMEOUT = 300


def _stop(procs, grace=10.0) -> None:
    """SIGTERM each process group, then SIGKILL what is left; reap everything."""
    for p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except OSError:
                pass
    end = time.monotonic() + grace
    for p in procs:
        try:
            p.wait(timeout=max(0.1, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(p.pid, signal.SIGKILL)  # the worker's nanny children too
        except OSError:
            pass
        p.wait()


class DaskCluster:
    """``dask scheduler`` + N ``dask worker`` processes (each with a nanny), each in its own session."""

    def __init__(self, tmp: Path, workers=2, pythonpath=None, **env_extra):
        self.tmp = Path(tmp)
        self.file = self.tmp / "s.json"
        self.procs = []
        self.logs = []
        e = env(DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=1,  # KilledWorker after 2 deaths (default 3)
                DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="1.0", **env_extra)
        if pythonpath:
            e["PYTHONPATH"] = pythonpath
        self._start("scheduler", [sys.executable, "-m", "distributed.cli.dask_scheduler", "--scheduler-file",
                                  str(self.file), "--host", "127.0.0.1", "--port", "0", "--no-dashboard"], e)
        try:
            end = time.monotonic() + 60
            while not self.file.exists():
                assert time.monotonic() < end and self.procs[0].poll() is None, self.log()
                time.sleep(0.1)
            for i in range(workers):
                self._start(f"worker{i}", [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file",
                                           str(self.file), "--nthreads", "1", "--host", "127.0.0.1",
                                           "--no-dashboard", "--resources", "slots=1", "--name", f"w{i}"], e)
            self.wait_workers(workers)
        except BaseException:
            self.stop()
            raise

    def _start(self, name, argv, e):
        log = open(self.tmp / f"{name}.log", "wb")
        self.logs.append(log)
        self.procs.append(subprocess.Popen(argv, env=e, cwd=self.tmp, stdout=log, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL, start_new_session=True))

    def client(self):
        import distributed
        return distributed.Client(scheduler_file=str(self.file), timeout=30)

    def wait_workers(self, n, timeout=90):
        with self.client() as c:
            c.wait_for_workers(n, timeout=timeout)

    def worker_pids(self) -> dict:
        with self.client() as c:
            return c.run(os.getpid)

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-2000:] for p in sorted(self.tmp.glob("*.log")))

    def stop(self):
        _stop(self.procs[::-1])
        for f in self.logs:
            f.close()


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dask-class")
    subs = tmp / "subs"
    n = build_mixed(subs)
    poison = tmp / "poison_subs"
    shutil.copytree(subs / "honest_zh", poison / "honest_zh")
    shutil.copytree(subs / "bad_empty", poison / "bad_empty")
    path = put(poison, "poison", poison_notebook(), "ch00_getting_started.ipynb")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    # the reference: the local pool
    ref = tmp / "ref"
    proc = run_grader(subs, ref, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"tmp": tmp, "subs": subs, "n": n, "poison_subs": poison, "poison_sha": sha,
            "ref": ref, "ref_csv": (ref / "grades.csv").read_text(encoding="utf-8")}


@pytest.fixture(scope="module")
def cluster(classroom, tmp_path_factory):
    c = DaskCluster(tmp_path_factory.mktemp("dask-cluster"), workers=2,
                    CHAINRULE_GRADER_TEST_KILL=classroom["poison_sha"])
    yield c
    c.stop()


def _no_duplicates(out: Path, n: int) -> list:
    rows = results(out)
    keys = [(r["student_id"], r["file"], r["sha256"]) for r in rows]
    assert len(set(keys)) == n, f"{len(set(keys))} distinct rows, expected {n}"
    return rows


def _wait_rows(proc, out: Path, k: int, timeout=120) -> int:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, "the batch finished before the fault could be injected"
        if (out / "results.jsonl").exists() and len(results(out)) >= k:
            return len(results(out))
        time.sleep(0.02)
    raise AssertionError("no results arrived")


def test_reference_batch(classroom):
    rows = _no_duplicates(classroom["ref"], classroom["n"])
    statuses = {r["student_id"]: r["status"] for r in rows}
    assert statuses["bad_json"] == statuses["bad_empty"] == "unreadable"
    assert statuses["bad_other_course"] == "unknown_chapter"
    assert statuses["tamper_en"] == "flagged"
    honest = [r for r in rows if r["student_id"].startswith("honest")]
    assert honest and all(r["score"] == r["max_score"] for r in honest)


def test_same_grades_as_local_pool(classroom, cluster):
    out = classroom["tmp"] / "dask"
    proc = run_grader(classroom["subs"], out, "--scheduler-file", cluster.file)
    assert proc.returncode == 0, proc.stderr[-3000:] + cluster.log()
    assert (out / "grades.csv").read_text(encoding="utf-8") == classroom["ref_csv"]
    batch = json.loads((out / "batch.json").read_text())
    assert batch["executor"].startswith("dask") and batch["jobs"] == 2
    assert batch["graded_now"] == classroom["n"]
    _no_duplicates(out, classroom["n"])


def test_scheduler_address_from_environment(classroom, cluster):
    address = json.loads(cluster.file.read_text())["address"]
    out = classroom["tmp"] / "dask-env"
    proc = run_grader(classroom["subs"], out, DASK_SCHEDULER_ADDRESS=address)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "dask (scheduler tcp://127.0.0.1" in json.loads((out / "batch.json").read_text())["executor"]
    assert (out / "grades.csv").read_text(encoding="utf-8") == classroom["ref_csv"]


def test_worker_killed_mid_batch_loses_nothing(classroom, cluster):
    out = classroom["tmp"] / "dask-killworker"
    proc = subprocess.Popen(grade_cmd(classroom["subs"], out, "--scheduler-file", cluster.file), cwd=REPO,
                            env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        _wait_rows(proc, out, 1)
        pids = cluster.worker_pids()
        os.kill(sorted(pids.values())[0], signal.SIGKILL)  # its nanny starts a new worker process
        _, err = proc.communicate(timeout=TEST_TIMEOUT)
        assert proc.returncode == 0, err[-3000:]
    finally:
        _stop([proc])
    assert (out / "grades.csv").read_text(encoding="utf-8") == classroom["ref_csv"]
    rows = _no_duplicates(out, classroom["n"])
    assert len(rows) == classroom["n"]  # each written once
    cluster.wait_workers(2)


@pytest.mark.parametrize("where", ["dask", "local"])
def test_poison_submission_ends_crashed(classroom, cluster, where):
    out = classroom["tmp"] / f"poison-{where}"
    if where == "dask":
        proc = run_grader(classroom["poison_subs"], out, "--scheduler-file", cluster.file)
    else:  # the pool's worker processes inherit the variable from the client
        proc = run_grader(classroom["poison_subs"], out, "--jobs", "2",
                          CHAINRULE_GRADER_TEST_KILL=classroom["poison_sha"])
    assert proc.returncode == 0, proc.stderr[-3000:] + cluster.log()
    rows = {r["student_id"]: r for r in _no_duplicates(out, 3)}
    assert len(results(out)) == 3
    assert rows["poison"]["status"] == "crashed", rows["poison"]
    assert "worker process died" in rows["poison"]["detail"]
    assert rows["honest_zh"]["status"] == "graded" and rows["honest_zh"]["score"] == rows["honest_zh"]["max_score"]
    assert rows["bad_empty"]["status"] == "unreadable"
    cluster.wait_workers(2)
    # crashed is final unless asked: the same command grades nothing; --retry-failed grades it again
    again = run_grader(classroom["poison_subs"], out, *(["--scheduler-file", cluster.file] if where == "dask"
                                                        else ["--jobs", "2"]))
    assert again.returncode == 0 and json.loads((out / "batch.json").read_text())["graded_now"] == 0
    cluster.wait_workers(2)


def test_client_killed_mid_batch_resumes(classroom, cluster):
    out = classroom["tmp"] / "dask-killclient"
    proc = subprocess.Popen(grade_cmd(classroom["subs"], out, "--scheduler-file", cluster.file), cwd=REPO,
                            env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        _wait_rows(proc, out, 3)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        _stop([proc])
    first = results(out)
    done_before = len({(r["student_id"], r["file"], r["sha256"]) for r in first})
    assert 3 <= done_before < classroom["n"]
    again = run_grader(classroom["subs"], out, "--scheduler-file", cluster.file)
    assert again.returncode == 0, again.stderr[-3000:]
    batch = json.loads((out / "batch.json").read_text())
    assert batch["graded_now"] == classroom["n"] - done_before
    assert len(results(out)) == classroom["n"]  # nothing graded twice
    _no_duplicates(out, classroom["n"])
    assert (out / "grades.csv").read_text(encoding="utf-8") == classroom["ref_csv"]


def test_version_mismatch_is_refused(classroom, tmp_path):
    fake = tmp_path / "fake"
    shutil.copytree(REPO / "grader", fake / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    init = fake / "grader" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "', '__version__ = "0.0.0-old+'))
    c = DaskCluster(tmp_path, workers=1, pythonpath=os.pathsep.join([str(fake), str(REPO / "src")]))
    try:
        out = tmp_path / "out"
        proc = run_grader(classroom["subs"], out, "--scheduler-file", c.file, timeout=120)
    finally:
        c.stop()
    assert proc.returncode == 2
    from grader import __version__
    assert f"grader {__version__} on the client, 0.0.0-old+{__version__} on the worker" in proc.stderr, proc.stderr
    assert not (out / "results.jsonl").exists()


def test_a_worker_that_joins_later_with_another_version_refuses_tasks():
    from grader import executors
    mine = executors.versions()
    assert executors._call_dask(lambda task, x: (task, x), "t", mine, 1) == ("t", 1)
    other = {**mine, "chainrule": "0.0.1"}
    with pytest.raises(executors.VersionMismatch, match=f"chainrule 0.0.1 on the client, {mine['chainrule']} on"):
        executors._call_dask(lambda task: task, "t", other)


def test_without_distributed_says_how_to_get_it(tmp_path, monkeypatch):
    from grader import executors
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(RuntimeError, match=r"pip install chainrule-grader .*pip install \./packaging/grader"):
        executors.open_engine(cluster="local:1")
    assert isinstance(executors.open_engine(jobs=1), executors.LocalEngine)
