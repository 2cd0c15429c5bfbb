"""``chainrule-grade grade SUBMISSIONS --out OUT`` (installed by ``pip install chainrule-grader``: ``packaging/grader``),
or ``python -m grader grade ...`` in a checkout: the instructor's command line.

It grades against the release installed with the course kit (the student notebooks and their
manifest, package data): nothing is read from a checkout and nothing is regenerated, so it works
from any folder. ``--rebuild-release`` generates the release again from ``solutions/`` with nbgrader
(seconds per notebook), for a course whose chapters changed since it was installed.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]   # the repository, when run from one


def _checkout_solutions() -> Path | None:
    """``solutions/`` of the checkout this grader runs from; None for an installed grader."""
    sol = CHECKOUT / "solutions"
    return sol if (CHECKOUT / "pyproject.toml").is_file() and sol.is_dir() else None


def main(argv=None, prog: str | None = None) -> int:
    prog = prog or Path(sys.argv[0]).name or "chainrule-grade"
    p = argparse.ArgumentParser(prog=prog, description="Grade chainrule course notebooks.")
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade a class: a folder per student, or a Canvas/Moodle zip")
    g.add_argument("submissions", type=Path,
                   help="SUBMISSIONS/<student>/*.ipynb, or the zip that Canvas or Moodle downloads")
    g.add_argument("--out", type=Path, required=True,
                   help="writes OUT/grades.csv, OUT/canvas_grades.csv, OUT/feedback/, OUT/results.jsonl")
    g.add_argument("--release", type=Path, default=None, metavar="DIR",
                   help="the released student notebooks, DIR/<lang>/<chapter>.ipynb (default: the release "
                        "installed with the course kit, coursekit/release: course/ of the checkout it was built from)")
    g.add_argument("--rebuild-release", action="store_true",
                   help="generate the release again from the solution notebooks with nbgrader instead of "
                        "reading it (slow: about a second per notebook)")
    g.add_argument("--solutions", type=Path, default=None, metavar="DIR",
                   help="the instructor notebooks to rebuild the release from, DIR/<lang>/<chapter>.ipynb "
                        "(implies --rebuild-release; default: solutions/ of the checkout)")
    g.add_argument("--manifest", type=Path, default=None,
                   help="the course manifest that make course wrote (default: the one installed with the "
                        "course kit, coursekit/manifest.json)")
    g.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="notebooks graded at once (default: all %(default)s cores)")
    where = g.add_argument_group("where the notebooks are graded (default: a local pool of --jobs processes)")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                       help="an existing Dask scheduler (also: DASK_SCHEDULER_ADDRESS in the environment)")
    where.add_argument("--scheduler-file", metavar="PATH", type=Path, default=None,
                       help="the file that `dask scheduler --scheduler-file PATH` wrote")
    where.add_argument("--cluster", metavar="local:N", default=None,
                       help="start a Dask LocalCluster of N single-threaded worker processes (to try Dask out)")
    g.add_argument("--db", metavar="URL", default=None,
                   help="nbgrader gradebook, an SQLAlchemy URL (default sqlite:///OUT/gradebook.db; "
                        "e.g. postgresql://user@host/db); written only by this process")
    g.add_argument("--timeout", type=float, default=600, help="wall-clock seconds per notebook (default 600)")
    g.add_argument("--exercise-timeout", type=float, default=60,
                   help="wall-clock seconds per exercise, its visible and hidden checks (default 60)")
    g.add_argument("--memory-mb", type=int, default=2048,
                   help="address-space limit of the student's code in MiB (default 2048)")
    g.add_argument("--retry-failed", action="store_true",
                   help="grade again the rows that ended in timeout or crashed (done rows are kept)")
    g.add_argument("--lang", choices=("en", "zh"), default=None,
                   help="language of OUT/report/ (default: from the locale, LC_ALL / LANG)")
    canvas = g.add_argument_group("Canvas (OUT/canvas_grades.csv)")
    canvas.add_argument("--canvas-assignment", metavar="CHAPTER=ID", action="append", default=[],
                        help="fill the existing Canvas assignment ID with this chapter's scores (e.g. ch03=12345, "
                             "the number in the assignment's address); repeat for each chapter")
    canvas.add_argument("--canvas-assignments", metavar="FILE", type=Path, default=None,
                        help="the same as a file, one CHAPTER=ID a line")
    r = sub.add_parser("report", help="what the class got wrong: OUT/report/index.html, exercises.csv, report.json")
    from . import report
    report.add_arguments(r)
    args = p.parse_args(argv)
    if args.command == "report":
        return report.run(args)

    if not args.submissions.exists():
        p.error(f"{args.submissions}: no such folder or zip")
    solutions = args.solutions
    if args.rebuild_release and solutions is None:
        solutions = _checkout_solutions()
        if solutions is None:
            p.error("--rebuild-release needs --solutions DIR: this grader is installed, not run from a checkout "
                    "with a solutions/ folder")
    if solutions is not None and args.release is not None:
        p.error("--release reads a release, --solutions/--rebuild-release build one: give one of them")
    if solutions is not None and not solutions.is_dir():
        p.error(f"--solutions {solutions}: no such folder")
    if args.release is not None and not args.release.is_dir():
        p.error(f"--release {args.release}: no such folder")
    from . import executors, lms
    from .batch import GradebookError, grade
    try:
        canvas_ids = lms.parse_canvas_assignments(args.canvas_assignment, args.canvas_assignments)
    except ValueError as e:
        p.error(str(e))
    from .judge import Settings
    settings = Settings(exercise_seconds=args.exercise_timeout, notebook_seconds=args.timeout,
                        memory_mb=args.memory_mb)
    try:
        engine = executors.open_engine(jobs=args.jobs, scheduler=args.scheduler,
                                       scheduler_file=args.scheduler_file, cluster=args.cluster)
    except (ValueError, RuntimeError, OSError) as e:  # no distributed, a version mismatch, no scheduler
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        with engine:
            print(f"grading on {engine.describe()}", file=sys.stderr)
            result = grade(args.submissions, args.out, solutions, release=args.release, jobs=args.jobs,
                           settings=settings, retry_failed=args.retry_failed, engine=engine, db=args.db,
                           manifest=args.manifest, canvas_assignments=canvas_ids)
    except ValueError as e:  # an unreadable zip, a release that disagrees with the manifest...: say it plainly
        print(f"error: {e}", file=sys.stderr)
        return 2
    except GradebookError as e:  # the grades are written: the class report still is, then exit 1
        print(f"error: {e}", file=sys.stderr)
        _class_report(args)
        return 1
    except executors.VersionMismatch as e:  # a worker that joined later; what was graded is kept
        print(f"error: {e}\nthe results so far are in {args.out}; fix the worker and run the same command again",
              file=sys.stderr)
        return 2
    s = result["summary"]
    statuses = ", ".join(f"{n} {k}" for k, n in sorted(s["statuses"].items())) or "no notebooks found"
    rate = (f"; {s['graded_now']} graded now in {s['grading_seconds']:.1f} s: {s['notebooks_per_minute']} "
            f"notebooks/min, {s['notebooks_per_second_per_core']} per second per core ({s['executor']}, "
            f"sandbox: {s['sandbox']})") if s["graded_now"] else "; nothing new to grade"
    print(f"{s['submissions']} notebook(s): {statuses}{rate}", file=sys.stderr)
    no_row = [k for k in s["skipped"] if "status" not in k]
    if no_row:  # what has no row in grades.csv must still be seen
        print(f"{len(no_row)} file(s) belong to no student and were not read (a file outside any student folder, "
              f"an unsafe zip entry): listed with why under 'skipped' in {args.out / 'batch.json'}", file=sys.stderr)
    _warn_without_canvas_id(s.get("canvas_without_id", []), args.out)
    wrote = [args.out / "grades.csv", args.out / "canvas_grades.csv", f"{args.out / 'feedback'}/"]
    wrote += [args.out / "report" / "index.html"] if _class_report(args) else []
    print(f"wrote {', '.join(map(str, wrote))}", file=sys.stderr)
    return 0


def _class_report(args) -> bool:
    from . import report
    try:
        report.build_report(args.out, args.lang)
        return True
    except Exception as e:  # noqa: BLE001 - the grades are written; a failed report must not lose them
        print(f"class report not written: {e!r}", file=sys.stderr)
        return False


def _warn_without_canvas_id(students: list, out: Path) -> None:
    """Canvas matches a line of canvas_grades.csv by Canvas user id, else by name only: say who has none."""
    if not students:
        return
    shown = ", ".join(students[:20]) + (f" and {len(students) - 20} more" if len(students) > 20 else "")
    print(f"warning: {len(students)} student(s) have no Canvas user id in {out / 'canvas_grades.csv'} (a folder per "
          f"student, a Moodle or an anonymous Canvas download): Canvas can match them by name only, so check them "
          f"after the import: {shown} (all listed under 'canvas_without_id' in {out / 'batch.json'})",
          file=sys.stderr)
