"""How big and how slow to install is the learner's environment (`make lab`), and what does its
first notebook start cost? The figures of README's set-up section.

    python benchmarks/lab_env.py [--dest DIR] [--python python3] [--repo CHECKOUT]

1. ``make install-lab VENV=DEST/.venv``: exactly what `make lab` installs before it starts
   JupyterLab, in a fresh virtual environment; wall-clock time and the CPU time of make and its
   children; pip's cache as it is (run it twice for a warm cache). ``--repo``: another checkout's
   Makefile and lock (an older commit, to compare side by side on the same machine).
2. The environment's size (``du``, MiB) right after the install.
3. A learner's first start, in a clean process environment (no PYTHONPATH, no
   PYTHONDONTWRITEBYTECODE, a matplotlib and Jupyter configuration of its own): JupyterLab started
   as `make lab` starts it until it answers, and a kernel running the first code cells of a course
   notebook (its imports and set-up, up to the first exercise); each timed twice: first start
   (Python writes the bytecode of what it imports, matplotlib builds its font cache) and second.
4. The environment's size after that first start (the bytecode Python wrote lazily).

The machine's load changes every timing here: report the load average with the figures.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "binder"))
from lab_server import running_lab  # noqa: E402   (starts JupyterLab on 127.0.0.1, stops it)

NOTEBOOK = REPO / "course" / "en" / "ch04_optimizers.ipynb"   # matplotlib, widgets, the checks

# run in the environment's own Python: the notebook's cells up to its first exercise, in a kernel
_RUN_CELLS = """
import sys, time, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
cells = []
for cell in nb.cells:
    if cell.cell_type != "code":
        continue
    if "NotImplementedError" in cell.source:
        break
    cells.append(cell)
nb.cells = cells
t = time.perf_counter()
NotebookClient(nb, kernel_name="python3", timeout=600).execute()
print(len(cells), time.perf_counter() - t)
"""


def du_mib(path: Path) -> float:
    """What ``du -sh`` says (MiB, folders' own blocks included), as the README's earlier figures."""
    with contextlib.suppress(OSError, subprocess.SubprocessError, ValueError):
        return int(subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True,
                                  check=True).stdout.split()[0]) / 1024
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total / 2**20


def pyc_mib(path: Path) -> float:
    return sum(p.lstat().st_blocks * 512 for p in path.rglob("*.pyc")) / 2**20


def learner_env(repo: Path, venv: Path, home: Path) -> dict:
    """A learner's laptop: nothing of this machine's or the test run's Python settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "PYTHON", "PYTEST", "MPL", "CHAINRULE")) and k != "VIRTUAL_ENV"}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(venv),
               MPLCONFIGDIR=str(home / "mplconfig"), IPYTHONDIR=str(home / "ipython"),
               JUPYTER_CONFIG_PATH=str(repo / "binder" / "jupyter"))   # as `make lab` does
    return env


def first_start(repo: Path, venv: Path, home: Path, n: int) -> tuple[float, float, int]:
    """(seconds until JupyterLab answers, seconds for the notebook's first cells, cells run)."""
    env = learner_env(repo, venv, home)
    t = time.perf_counter()
    with running_lab(str(venv / "bin" / "python"), repo / "course", home / f"lab{n}", env):
        server = time.perf_counter() - t
    notebook = repo / NOTEBOOK.relative_to(REPO)
    out = subprocess.run([str(venv / "bin" / "python"), "-c", _RUN_CELLS, str(notebook)], env=env,
                         cwd=notebook.parent, capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise SystemExit(f"the notebook's first cells failed:\n{out.stderr[-3000:]}")
    cells, seconds = out.stdout.split()[-2:]
    return server, float(seconds), int(cells)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dest", type=Path, help="folder for the environment (default: a temporary one, removed)")
    ap.add_argument("--python", default="python3", help="the Python `make lab` creates the venv with")
    ap.add_argument("--repo", type=Path, default=REPO, help="the checkout whose `make install-lab` runs")
    args = ap.parse_args()
    repo = args.repo.resolve()
    dest = args.dest or Path(tempfile.mkdtemp(prefix="lab-env-"))
    venv = dest / ".venv"
    if venv.exists():
        raise SystemExit(f"{venv} exists: give an empty --dest")
    try:
        load = os.getloadavg()[0]
        t, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(["make", "-C", str(repo), "install-lab", f"VENV={venv}", f"PYTHON={args.python}"],
                       check=True, stdout=subprocess.DEVNULL)
        install = time.perf_counter() - t
        after_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        install_cpu = (after_cpu.ru_utime - cpu.ru_utime) + (after_cpu.ru_stime - cpu.ru_stime)
        size, pyc = du_mib(venv), pyc_mib(venv)
        starts = [first_start(repo, venv, dest / "home", i) for i in (1, 2)]
        after, pyc_after = du_mib(venv), pyc_mib(venv)
        result = {"repo": str(repo), "install_s": round(install, 1), "install_cpu_s": round(install_cpu, 1),
                  "size_mib": round(size, 1), "pyc_mib": round(pyc, 1),
                  "size_after_first_start_mib": round(after, 1), "pyc_after_first_start_mib": round(pyc_after, 1),
                  "lab_start_s": [round(s[0], 1) for s in starts],
                  "first_cells_s": [round(s[1], 1) for s in starts], "first_cells": starts[0][2],
                  "load_at_start": round(load, 2), "load_at_end": round(os.getloadavg()[0], 2),
                  "python": subprocess.run([str(venv / "bin" / "python"), "-V"], capture_output=True,
                                           text=True).stdout.strip()}
        print(json.dumps(result))
        print(f"make lab's environment: {size:.0f} MiB ({pyc:.0f} MiB of bytecode), installed in {install:.1f} s "
              f"({install_cpu:.1f} s of CPU); "
              f"after a first start {after:.0f} MiB ({pyc_after:.0f} MiB of bytecode). JupyterLab answered after "
              f"{starts[0][0]:.1f} s the first time, {starts[1][0]:.1f} s the second; the notebook's first "
              f"{starts[0][2]} code cells took {starts[0][1]:.1f} s, then {starts[1][1]:.1f} s "
              f"(load average {load:.1f} → {os.getloadavg()[0]:.1f})")
    finally:
        if args.dest is None:
            shutil.rmtree(dest, ignore_errors=True)


if __name__ == "__main__":
    main()
