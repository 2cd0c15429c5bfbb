"""How long each solution notebook takes to run top to bottom: wall time and the kernel's CPU time.

    python benchmarks/notebook_times.py [--kind solutions] [--lang en zh] [--chapters ch05 ch07]

The course promises that every notebook runs in well under 90 s on a 2-core machine (Binder's small
instances, a learner's laptop). Notebooks run one after another, each in a fresh kernel of this
interpreter, with matplotlib's Agg backend. The kernel's CPU time (user + system, all its threads,
read from the kernel process's rusage when it is reaped) is what a quiet machine would make its wall
time, at most; on a loaded machine trust that column, not the wall one. For measuring, not for CI.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIMIT = 90.0   # seconds: the course's promise per notebook


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_one(path: Path, timeout: int = 600) -> dict:
    """Execute one notebook in a fresh kernel; its errors are reported, not raised."""
    import nbclient
    import nbformat
    nb = nbformat.read(str(path), as_version=4)
    with tempfile.TemporaryDirectory() as work:
        client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                                         resources={"metadata": {"path": work}})
        cpu, wall = _children_cpu(), time.perf_counter()
        error = None
        try:
            # starts, runs and shuts down (reaps) the kernel; its start-up chatter on stderr is not ours
            client.execute(stderr=subprocess.DEVNULL)
        except Exception as e:  # a dead kernel or a cell timeout: the notebook did not finish
            error = f"{type(e).__name__}: {e}"
        wall = time.perf_counter() - wall
        cpu = _children_cpu() - cpu
    errors = [o.get("ename") for c in nb.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    return {"wall": wall, "cpu": cpu, "error": error, "cell_errors": errors}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kind", default="solutions", choices=["solutions", "course"])
    ap.add_argument("--lang", nargs="+", default=["en", "zh"])
    ap.add_argument("--chapters", nargs="*", help="chapter stems or prefixes (ch05); default: all")
    args = ap.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    load = os.getloadavg()[0]
    print(f"load average at start: {load:.1f} on {os.cpu_count()} cores"
          + ("  (busy machine: read the CPU column)" if load > 1.5 else ""))
    print(f"{'notebook':32} {'wall s':>8} {'CPU s':>8}  result")
    worst = 0.0
    for lang in args.lang:
        for path in sorted((REPO / args.kind / lang).glob("ch*.ipynb")):
            if args.chapters and not any(path.stem.startswith(c) for c in args.chapters):
                continue
            r = run_one(path)
            worst = max(worst, r["cpu"])
            # a course notebook's stubs raise NotImplementedError by design; a solution must run clean
            bad = r["error"] or (args.kind == "solutions" and r["cell_errors"])
            result = r["error"] or (f"cell errors: {r['cell_errors']}" if bad else "ok")
            print(f"{lang + '/' + path.name:32} {r['wall']:8.1f} {r['cpu']:8.1f}  {result}", flush=True)
    print(f"largest CPU time: {worst:.1f} s (promise: under {LIMIT:.0f} s per notebook)")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
