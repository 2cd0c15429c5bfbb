"""``python -m grader grade SUBMISSIONS --out OUT``: the instructor's command line."""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m grader", description="Grade chainrule course notebooks.")
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade a folder with one subfolder of .ipynb files per student")
    g.add_argument("submissions", type=Path, help="folder: SUBMISSIONS/<student_id>/*.ipynb")
    g.add_argument("--out", type=Path, required=True, help="writes OUT/grades.csv and OUT/feedback/")
    g.add_argument("--solutions", type=Path, default=REPO / "solutions",
                   help="instructor notebooks (default: the repo's solutions/)")
    g.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default 2)")
    g.add_argument("--timeout", type=float, default=600, help="wall-clock seconds per submission")
    g.add_argument("--cell-timeout", type=int, default=120, help="seconds per cell")
    g.add_argument("--memory-mb", type=int, default=4096,
                   help="address-space limit per submission in MiB (0: none)")
    args = p.parse_args(argv)

    if not args.submissions.is_dir():
        p.error(f"{args.submissions} is not a folder")
    from .batch import grade
    rows = grade(args.submissions, args.out, args.solutions, jobs=args.jobs, timeout=args.timeout,
                 cell_timeout=args.cell_timeout, memory_mb=args.memory_mb)
    counts = Counter(r["status"] for r in rows)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no notebooks found"
    print(f"{len(rows)} notebook(s): {summary}; wrote {args.out / 'grades.csv'} and {args.out / 'feedback'}/",
          file=sys.stderr)
    return 0
