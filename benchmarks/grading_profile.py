"""Where a notebook's grading CPU goes: per chapter, per phase, per exercise.

    python benchmarks/grading_profile.py [--chapters ch03 ch05] [--lang en] [--top 12]

Grades each chapter's honest notebook the way a worker does, except that the judge's code runs in
this process (no judge sandbox: that is what makes it measurable), against the real sandboxed host.
Prints, per chapter: the CPU seconds of starting an empty sandbox (bubblewrap alone), of the host's
start (a fork of this worker's host zygote, :mod:`grader.hostzygote`, whose own start is printed
once per rule on what the code may use; with ``CHAINRULE_HOST_ZYGOTE=0`` a sandbox of its own with
an interpreter and its imports) and of loading the student's definitions; then per exercise the
judge's CPU (references, comparisons, diagnosis, the data codec) and the host's (driving the
student's code on the judge's inputs, its codec). With ``--top N`` the N functions of the judge
that cost the most (cProfile, cumulative) over the whole chapter. This process runs with the judge
sandbox's memory settings (``grader.boxes.MALLOC_ENV``). For measuring, not for CI.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))   # the grader (python -m grader) lives at the top of the checkout
sys.path.insert(0, str(REPO / "tests" / "course"))
sys.path.insert(0, str(REPO / "benchmarks"))


def _self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(argv=None) -> int:
    import os

    from grader.boxes import MALLOC_ENV
    if any(os.environ.get(k) != v for k, v in MALLOC_ENV.items()):  # the judge's sandbox runs with these
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **MALLOC_ENV})
    import nbformat
    from course_helpers import fill_solutions, read
    from grading_cpu import _Account

    from grader import batch, judge, judge_main, sandbox, wall
    from grader.boxes import Host

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lang", default="en", choices=("en", "zh"))
    p.add_argument("--chapters", nargs="*", default=None)
    p.add_argument("--top", type=int, default=0)
    args = p.parse_args(argv)
    account = _Account()
    if account.read is None:
        print("no cgroup of our own: the host's CPU cannot be told apart", file=sys.stderr)
        return 1
    judge_main.preload()
    from coursekit import checks
    from coursekit.checks import core
    checks.set_language(args.lang)
    core.trust_references()
    index = {k: v for k, v in batch.index_solutions(REPO / "solutions").items()
             if k[1] == args.lang and (not args.chapters or k[0] in args.chapters)}
    plans = batch.load_plans()
    settings = judge.Settings()
    limits = sandbox.Limits(memory_bytes=settings.memory_mb << 20, wall_seconds=600, cpu_seconds=600)

    def split(fn):
        """(result, this process's CPU, the children's CPU) of ``fn()``."""
        a0, s0 = account.total(), _self_cpu()
        out = fn()
        a1, s1 = account.total(), _self_cpu()
        return out, s1 - s0, (a1 - a0) - (s1 - s0)

    with tempfile.TemporaryDirectory() as tmp:  # bubblewrap alone: an empty sandbox that runs `true`
        cmd, kw = sandbox.command(["true"], tmp, private_workdir=True)
        _, _, bw = split(lambda: subprocess.run(cmd, check=True, **kw))
    print(f"an empty sandbox (bwrap + prlimit + setpriv + true): {bw:.3f} CPU s")
    from grader import hostzygote
    zygote = hostzygote.usable(settings.mechanism)
    print("student host: " + ("a fork of the worker's host zygote" if zygote else "a sandbox of its own per submission"))
    warm: set = set()
    for (chapter, lang) in sorted(index):
        release, stem, _ = plans[(chapter, lang)]
        nb = fill_solutions(read(REPO / "course" / lang / f"{stem}.ipynb"),
                            read(REPO / "solutions" / lang / f"{stem}.ipynb"))
        nbd = judge.parse_notebook(nbformat.writes(nb).encode())
        program = judge.student_cells(nbd, release)
        exercises = release.exercises
        prof = cProfile.Profile()
        print(f"\n{chapter}: {len(exercises)} exercises")
        groups: dict = {}
        for i, ex in enumerate(exercises):
            groups.setdefault(tuple(ex.uses), []).append(i)
        for uses, group in groups.items():
            holder: dict = {}
            if zygote and uses not in warm:  # the zygote's start, once per worker: apart from the forks
                warm.add(uses)
                _, j, h = split(lambda: Host(limits, settings.uid, settings.mechanism, uses).close())
                print(f"  host zygote start ({'+'.join(uses)}, once per worker): children {h:.3f}  worker {j:.3f}")

            def start():
                holder["host"] = h = Host(limits, settings.uid, settings.mechanism, uses)
                ch = wall.Channel(*h.judge_fds())
                ch.deadline = time.monotonic() + 60
                ch.request({"op": "defined", "name": "x"})  # answered once its imports are done
                holder["ch"] = ch
            _, j, h = split(start)
            print(f"  host start ({'+'.join(uses)}): host {h:.3f}  worker {j:.3f}")
            ch = holder["ch"]
            report, j, h = split(lambda: ch.request({"op": "load", "cells": program, "deny": holder["host"].deny}))
            print(f"  load definitions: host {h:.3f}  judge {j:.3f}")
            for i in group:
                ex = exercises[i]
                t = time.perf_counter()
                row, j, h = split(lambda: prof.runcall(
                    judge_main.run_exercise, ch, {"calls": ex.calls, "solution_ids": ex.solution_ids},
                    60.0, report["report"]))
                print(f"  {ex.id:28s} judge {j:6.3f}  host {h:6.3f}  wall {time.perf_counter() - t:6.2f}  "
                      f"{row['status']}")
            holder["host"].close()  # closes the pipe ch used, too
        if args.top:
            pstats.Stats(prof).sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
