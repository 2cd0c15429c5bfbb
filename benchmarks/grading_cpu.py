"""CPU seconds per notebook, per chapter: the grader's cost independent of how loaded the machine is.

    python benchmarks/grading_cpu.py [--repeat 3] [--lang en] [--kind honest|blank] [--chapters ch03 ch05]

Grades honest (or blank) notebooks of every chapter in this process, one at a time, exactly as a
worker does (:func:`grader.batch.grade_task`), and prints per chapter the CPU seconds of the worker
itself and of its children (both sandboxes: bubblewrap, the host, the judge and everything they
start), from a cgroup this process makes for itself (``getrusage`` where it cannot: that misses
children killed before they reaped theirs), the least disturbed of ``--repeat`` runs. Wall time is
printed too, but on a shared machine only the CPU seconds compare; ``benchmarks/grading.py`` gives
the throughput on a quiet one. The judge's zygote and the student host's (:mod:`grader.hostzygote`)
start with the first notebook that needs them (a run's first chapter pays for them once; the minimum
leaves it out, as a long batch does). ``CHAINRULE_HOST_ZYGOTE=0`` measures the start of a sandbox
per submission instead.
"""
from __future__ import annotations

import argparse
import hashlib
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))   # the grader (python -m grader) lives at the top of the checkout
sys.path.insert(0, str(REPO / "tests" / "course"))


def _cpu(who) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


class _Account:
    """CPU seconds of this process and every process it starts, wherever they end up: a cgroup of
    our own (v1 ``cpuacct``, or a v2 tree's ``cpu.stat``) that every descendant inherits. A
    sandbox killed before its children are reaped never reports them to ``RUSAGE_CHILDREN``, so
    that is only the fallback (where no cgroup can be made: then the children's figure is low)."""

    def __init__(self):
        import os
        self.read = None
        name = f"grading-cpu-{os.getpid()}"
        for base, reader in ((Path("/sys/fs/cgroup/cpuacct"), self._v1), (Path("/sys/fs/cgroup/unified"), self._v2),
                             (Path("/sys/fs/cgroup"), self._v2)):
            try:
                d = base / name
                d.mkdir()
                (d / "cgroup.procs").write_text(str(os.getpid()))
                self.dir, self.read = d, reader
                reader()
                import atexit
                atexit.register(self._leave, base)
                return
            except OSError:
                continue

    def _leave(self, base) -> None:
        import os
        try:
            (base / "cgroup.procs").write_text(str(os.getpid()))
            self.dir.rmdir()
        except OSError:
            pass

    def _v1(self) -> float:
        return int((self.dir / "cpuacct.usage").read_text()) / 1e9

    def _v2(self) -> float:
        stat = dict(line.split() for line in (self.dir / "cpu.stat").read_text().splitlines())
        return int(stat["usage_usec"]) / 1e6

    def total(self) -> float | None:
        return self.read() if self.read else None


def _settle() -> None:
    """Wait for the background teardown of the student's sandboxes, so their CPU is counted."""
    for t in threading.enumerate():
        if t.name == "chainrule-sandbox-teardown":  # grader.boxes.TEARDOWN
            t.join(timeout=5)


def main(argv=None) -> int:
    import nbformat
    from course_helpers import fill_solutions, read

    from grader import batch, judge

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--lang", default="en", choices=("en", "zh"))
    p.add_argument("--kind", default="honest", choices=("honest", "blank"))
    p.add_argument("--chapters", nargs="*", default=None)
    args = p.parse_args(argv)
    index = {k: v for k, v in batch.index_solutions(REPO / "solutions").items()
             if k[1] == args.lang and (not args.chapters or k[0] in args.chapters)}
    with tempfile.TemporaryDirectory(prefix="grading-cpu-") as tmp:
        plans = batch.prepare_releases(index, Path(tmp))
    settings = judge.Settings()
    account = _Account()
    print("CPU from " + ("the cgroup (all descendants)" if account.read else "getrusage (reaped children only)"))
    print(f"{'chapter':10s} {'worker s':>9s} {'children s':>11s} {'CPU s/nb':>9s} {'wall s':>7s}  score")
    total = []
    for (chapter, lang), (release, stem, _) in sorted(plans.items()):
        nb = read(REPO / "course" / lang / f"{stem}.ipynb")
        if args.kind == "honest":
            nb = fill_solutions(nb, read(REPO / "solutions" / lang / f"{stem}.ipynb"))
        data = nbformat.writes(nb).encode()
        task = {"student_id": "s", "file": f"s/{stem}.ipynb", "sha256": hashlib.sha256(data).hexdigest(),
                "data": data}
        own, kids, wall = [], [], []
        for _ in range(args.repeat):
            c0, k0, w0 = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
            a0 = account.total()
            row = batch.grade_task(task, plans, settings)
            _settle()
            own.append(_cpu(resource.RUSAGE_SELF) - c0)
            a1 = account.total()
            kids.append(a1 - a0 - own[-1] if a0 is not None else _cpu(resource.RUSAGE_CHILDREN) - k0)
            wall.append(time.perf_counter() - w0)
        cpu = min(o + k for o, k in zip(own, kids))  # the least disturbed run: others' load only adds
        total.append(cpu)
        print(f"{chapter:10s} {min(own):9.3f} {min(kids):11.3f} {cpu:9.3f} "
              f"{statistics.median(wall):7.2f}  {row['score']}/{row['max_score']} {row['status']}")
    print(f"{'mean':10s} {'':9s} {'':11s} {statistics.mean(total):9.3f}   -> {1 / statistics.mean(total):.2f} "
          "notebooks per CPU second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
