"""How fast does the sandboxed grader go? Notebooks per second per core, sandbox start included.

    python benchmarks/grading.py [--students 12] [--jobs N]

Builds a class from the course: each student submits every chapter in one language, honest
(solution cells filled in), blank, or with one wrong exercise, and grades it with
``python -m grader grade`` (a fresh output folder, so nothing is resumed). Prints the
throughput that ``batch.json`` records and, per chapter, the mean and largest seconds per notebook
(from ``results.jsonl``) and what they come to in notebooks per second per core (one notebook
holds one core while it is graded: its host and its judge take turns). The issue's target: at
least 3 notebooks per second per core, every chapter included, on a quiet machine. On a shared
machine compare CPU seconds instead: ``benchmarks/grading_cpu.py``.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))   # the grader (python -m grader) lives at the top of the checkout
sys.path.insert(0, str(REPO / "tests" / "course"))


def build_class(subs: Path, students: int) -> int:
    import nbformat
    from course_helpers import fill_solutions, read

    n = 0
    for i in range(students):
        lang = ("en", "zh")[i % 2]
        kind = ("honest", "blank", "wrong")[i % 3]
        for course_nb in sorted((REPO / "course" / lang).glob("*.ipynb")):
            nb = read(course_nb)
            if kind != "blank":
                nb = fill_solutions(nb, read(REPO / "solutions" / lang / course_nb.name))
            if kind == "wrong":  # the first exercise returns its input's negation: a plain wrong answer
                for cell in nb.cells:
                    if cell.metadata.get("nbgrader", {}).get("solution"):
                        cell.source = cell.source.replace("return ", "return -1 * ", 1)
                        break
            d = subs / f"s{i:03d}-{kind}-{lang}"
            d.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(d / course_nb.name))
            n += 1
    return n


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=12)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        subs, out = Path(tmp) / "subs", Path(tmp) / "out"
        n = build_class(subs, args.students)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(subs), "--out", str(out),
                               "--jobs", str(args.jobs)], cwd=REPO, capture_output=True, text=True,
                              env=dict(os.environ, PYTHONPATH=str(REPO)))
        wall = time.perf_counter() - t
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            return 1
        batch = json.loads((out / "batch.json").read_text())
        rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    per_chapter: dict = {}
    for r in rows:
        per_chapter.setdefault(r["notebook"], []).append(r["seconds"])
    print(f"{n} notebooks, {args.jobs} jobs, sandbox: {batch['sandbox']}")
    print(f"grading {batch['grading_seconds']:.1f} s (command {wall:.1f} s incl. release generation and report): "
          f"{batch['notebooks_per_minute']} notebooks/min, "
          f"{batch['notebooks_per_second_per_core']} notebooks per second per core")
    print(f"{'notebook':24s} {'mean s':>7s} {'max s':>7s} {'nb/s/core':>10s}")
    for nb, secs in sorted(per_chapter.items()):
        print(f"{nb:24s} {statistics.mean(secs):7.2f} {max(secs):7.2f} {1 / statistics.mean(secs):10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
