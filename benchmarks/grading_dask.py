"""The local pool against Dask on the same cores: the grader's overhead on a cluster engine.

    python benchmarks/grading_dask.py [--notebooks 200] [--cores N] [--dask workers|local]

Builds a class of ``--notebooks`` submissions from the course (as ``benchmarks/grading.py``: honest,
blank and wrong students, every chapter, both languages) and grades it twice with
``python -m grader grade`` into fresh output folders:

1. the local pool, ``--jobs N``;
2. Dask with N single-threaded workers: ``--dask workers`` (default) starts a real
   ``dask scheduler`` and N ``dask worker --nthreads 1`` processes on 127.0.0.1 and grades with
   ``--scheduler-file``; ``--dask local`` uses ``--cluster local:N`` instead.

It prints notebooks per second per core of each (grading time from ``batch.json``: release
generation and report excluded, the same for both), Dask's overhead as a ratio of the local pool's
time, whether both wrote the same ``grades.csv``, and what that means for a MOOC run: 10,000
students x 9 notebooks on 100 cores.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))   # the grader lives at the top of the checkout
sys.path.insert(0, str(REPO / "benchmarks"))

from grading import build_class  # noqa: E402

MOOC = 10_000 * 9


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]))


def grade(subs: Path, out: Path, *extra) -> dict:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(subs), "--out", str(out), *extra],
                          cwd=REPO, env=_env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"grader failed ({' '.join(extra)}):\n{proc.stderr[-3000:]}")
    batch = json.loads((out / "batch.json").read_text())
    batch["command_seconds"] = time.perf_counter() - t
    return batch


class Cluster:
    """``dask scheduler`` and N ``dask worker --nthreads 1`` on 127.0.0.1, stopped on exit."""

    def __init__(self, tmp: Path, n: int):
        self.file, self.procs = tmp / "scheduler.json", []
        log = open(tmp / "dask.log", "wb")
        start = [sys.executable, "-m"]
        self.procs.append(subprocess.Popen(start + ["distributed.cli.dask_scheduler", "--scheduler-file",
                                                    str(self.file), "--host", "127.0.0.1", "--no-dashboard"],
                                           env=_env(), stdout=log, stderr=log, start_new_session=True))
        end = time.monotonic() + 60
        while not self.file.exists():
            if time.monotonic() > end:
                self.close()
                raise SystemExit("the scheduler did not start")
            time.sleep(0.1)
        for i in range(n):
            self.procs.append(subprocess.Popen(start + ["distributed.cli.dask_worker", "--scheduler-file",
                                                        str(self.file), "--nthreads", "1", "--host", "127.0.0.1",
                                                        "--no-dashboard", "--name", f"w{i}"],
                                               env=_env(), stdout=log, stderr=log, start_new_session=True))
        import distributed
        with distributed.Client(scheduler_file=str(self.file), timeout=60) as c:
            c.wait_for_workers(n, timeout=120)

    def close(self):
        for p in reversed(self.procs):
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except OSError:
                pass
        for p in reversed(self.procs):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--notebooks", type=int, default=200)
    p.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    p.add_argument("--dask", choices=("workers", "local"), default="workers")
    args = p.parse_args(argv)
    n_cores = args.cores
    with tempfile.TemporaryDirectory(prefix="grading-dask-bench-") as tmp:
        tmp = Path(tmp)
        subs = tmp / "subs"
        build_class(subs, -(-args.notebooks // 9))
        files = sorted(subs.glob("*/*.ipynb"))
        for extra in files[args.notebooks:]:
            extra.unlink()
        n = min(args.notebooks, len(files))
        local = grade(subs, tmp / "local", "--jobs", str(n_cores))
        if args.dask == "local":
            dask = grade(subs, tmp / "dask", "--cluster", f"local:{n_cores}")
        else:
            cluster = Cluster(tmp, n_cores)
            try:
                dask = grade(subs, tmp / "dask", "--scheduler-file", str(cluster.file))
            finally:
                cluster.close()
        same = (tmp / "local" / "grades.csv").read_bytes() == (tmp / "dask" / "grades.csv").read_bytes()
        shutil.rmtree(subs)
    print(f"{n} notebooks, {n_cores} cores, sandbox: {local['sandbox']}")
    print(f"{'executor':44s} {'grading s':>9s} {'nb/s/core':>9s} {'command s':>9s}")
    for name, b in (("local pool", local), (dask["executor"], dask)):
        print(f"{name[:44]:44s} {b['grading_seconds']:9.1f} {b['notebooks_per_second_per_core']:9.3f} "
              f"{b['command_seconds']:9.1f}")
    ratio = dask["grading_seconds"] / local["grading_seconds"]
    print(f"Dask overhead: {ratio:.3f}x the local pool's grading time ({100 * (ratio - 1):+.1f} %; target <= +10 %)")
    print(f"same grades.csv: {'yes' if same else 'NO'}")
    for name, b in (("local pool", local), ("dask", dask)):
        rate = b["notebooks_per_second_per_core"]
        minutes = MOOC / (rate * 100) / 60
        print(f"MOOC run (10,000 x 9 = {MOOC:,} notebooks) at {name}'s rate: {minutes:.1f} min on 100 cores, "
              f"{MOOC / rate / 3600:.1f} core-hours")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
