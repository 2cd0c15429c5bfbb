"""Grade a folder of submissions: ``grade(submissions, out)``.

One row of ``grades.csv`` and one feedback page per submitted notebook. Each submission is
autograded by ``grader.worker`` in its own child process (own session, wall-clock timeout, memory
rlimit, private copy of the nbgrader course directory), so a broken or hostile notebook can only
lose its own grade. This process only reads results and writes the CSV and the pages.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import feedback, nbg

COLUMNS = ["student_id", "notebook", "language", "score", "max_score", "status", "file", "detail"]
LANGS = ("en", "zh")


def index_solutions(solutions: Path) -> dict:
    """``{(chapter, lang): {"stem", "path", "title"}}`` from ``solutions/<lang>/*.ipynb``."""
    import nbformat

    found = {}
    for path in sorted(Path(solutions).glob("*/*.ipynb")):
        meta = nbformat.read(path, as_version=4).metadata.get("chainrule", {})
        key = (meta.get("chapter"), meta.get("lang"))
        if None in key:
            raise ValueError(f"{path}: no chainrule.chapter/lang metadata (run make course)")
        found[key] = {"stem": path.stem, "path": path, "title": meta.get("title", "")}
    if not found:
        raise ValueError(f"no solution notebooks under {solutions}")
    return found


def build_template(index: dict, root: Path) -> Path:
    """The nbgrader course directory: one assignment per chapter and language, from solutions/."""
    for (chapter, lang), info in sorted(index.items()):
        nbg.generate(root, chapter, lang, info["stem"], info["path"])
    return root


def identify(path: Path, index: dict):
    """``(status, chapter, lang)`` of a submitted file, from its metadata, not its name."""
    import nbformat

    try:
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        meta = nb.metadata.get("chainrule", {})
        assert isinstance(nb.cells, list)
    except Exception:
        return "unreadable", None, None
    chapter, lang = meta.get("chapter"), meta.get("lang")
    if (chapter, lang) not in index:
        return "unknown_chapter", chapter, lang
    return "ok", chapter, lang


def find_submissions(submissions: Path) -> list[tuple[str, Path]]:
    """``(student_id, file)`` for every ``.ipynb`` under a student's folder (checkpoints skipped)."""
    out = []
    for student in sorted(p for p in Path(submissions).iterdir() if p.is_dir()):
        for f in sorted(student.rglob("*.ipynb")):
            if ".ipynb_checkpoints" not in f.parts:
                out.append((student.name, f))
    return out


def kill_tree(pid: int) -> None:
    """SIGKILL a process and all its descendants. The kernel is one of them but runs in its own
    session (jupyter_client starts it so), so killing the worker's process group is not enough."""
    import psutil

    try:
        procs = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        procs = []
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for p in procs:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=5)


def run_worker(job: dict, timeout: float) -> dict:
    """Run ``grader.worker`` on ``job`` in a child process group; kill the group on timeout.
    (The worker sets its own memory rlimit first thing, from ``job["memory_mb"]``.)"""
    job_file = Path(job["result"]).with_suffix(".job.json")
    job_file.write_text(json.dumps(job), encoding="utf-8")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               MPLBACKEND="Agg", PYTHONHASHSEED="0")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    repo = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (repo, env.get("PYTHONPATH")) if p)
    log_file = job_file.with_suffix(".log")
    # stderr goes to a file, not a pipe: a process that escaped the kill would hold a pipe open
    with open(log_file, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "grader.worker", str(job_file)], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                                start_new_session=True)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_tree(proc.pid)
        proc.wait()
        return {"ok": False, "status": "timeout", "error": f"killed after {timeout:g} s"}
    finally:
        kill_tree(proc.pid)  # whatever the worker left running (normally nothing)
        shutil.rmtree(job["scratch"], ignore_errors=True)
    err = log_file.read_bytes()
    try:
        return json.loads(Path(job["result"]).read_text(encoding="utf-8"))
    except Exception:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        return {"ok": False, "error": f"worker died: {tail[0]}"[:500]}


def _progress(total: int):
    try:
        from tqdm import tqdm
        return tqdm(total=total, desc="grading", unit="nb", file=sys.stderr)
    except ImportError:  # a minimal bar
        class Bar:
            n = 0
            def update(self, k=1):
                self.n += k
                print(f"\rgrading {self.n}/{total}", end="", file=sys.stderr, flush=True)
            def close(self):
                print(file=sys.stderr)
        return Bar()


def grade(submissions: Path, out: Path, solutions: Path, *, jobs: int = 2, timeout: float = 600,
          cell_timeout: int = 120, memory_mb: int = 4096) -> list[dict]:
    """Grade every submission; write ``out/grades.csv`` and ``out/feedback/``; return the rows."""
    out = Path(out)
    index = index_solutions(solutions)
    subs = find_submissions(submissions)
    rows, details = [], {}
    with tempfile.TemporaryDirectory(prefix="chainrule-batch-") as tmp:
        template = build_template(index, Path(tmp) / "template")
        jobs_todo = []
        for i, (student, path) in enumerate(subs):
            status, chapter, lang = identify(path, index)
            info = index.get((chapter, lang))
            row = {"student_id": student, "notebook": info["stem"] if info else path.stem,
                   "language": lang if lang in LANGS else "", "score": 0,
                   "max_score": "", "status": status,
                   "file": str(path.relative_to(submissions)), "detail": ""}
            rows.append(row)
            if status == "ok":
                job = {"template": str(template), "submission": str(path.resolve()),
                       "assignment": nbg.assignment_id(chapter, lang), "notebook": info["stem"],
                       "lang": lang, "cell_timeout": cell_timeout, "memory_mb": memory_mb,
                       "scratch": str(Path(tmp) / f"w{i}"), "result": str(Path(tmp) / f"r{i}.json")}
                jobs_todo.append((row, job))
        bar = _progress(len(subs))
        bar.update(len(subs) - len(jobs_todo))
        max_scores = _max_scores(template, index)

        def one(item):
            row, job = item
            try:
                res = run_worker(job, timeout)
            except Exception as e:  # never lose the batch over one submission
                res = {"ok": False, "error": f"{type(e).__name__}: {e}"[:500]}
            bar.update(1)
            return row, res

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for row, res in pool.map(one, jobs_todo):
                key = (row["notebook"], row["language"])
                row["max_score"] = max_scores[key]
                if res.get("ok"):
                    cells = res["cells"]
                    row["score"] = sum(c["score"] for c in cells.values())
                    row["status"] = "graded"
                    details[id(row)] = feedback.exercises(cells)
                else:
                    row["status"] = res.get("status", "error")
                    row["detail"] = res.get("error", "")
        bar.close()
    titles = {(i["stem"], lang): i["title"] for (_, lang), i in index.items()}
    write_outputs(out, rows, details, titles)
    return rows


def _max_scores(template: Path, index: dict) -> dict:
    """``{(stem, lang): max_score}`` of every assignment, from the template's gradebook."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook("sqlite:///" + str(template / "gradebook.db"), nbg.COURSE_ID) as gb:
        for (chapter, lang), info in index.items():
            nb = gb.find_notebook(info["stem"], nbg.assignment_id(chapter, lang))
            out[(info["stem"], lang)] = float(nb.max_score)
    return out


def write_outputs(out: Path, rows: list[dict], details: dict, titles: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    fb_root = out / "feedback"
    used = set()
    for row in rows:
        name = row["notebook"]
        k = 2
        if (row["student_id"], name) in used and row["language"]:  # one chapter in both languages
            name = f"{row['notebook']}-{row['language']}"
        while (row["student_id"], name) in used:  # two files for one chapter: keep both pages
            name, k = f"{row['notebook']}-{k}", k + 1
        used.add((row["student_id"], name))
        page = fb_root / row["student_id"] / f"{name}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        title = titles.get((row["notebook"], row["language"]), "")
        page.write_text(feedback.render(row, details.get(id(row), []), title, row["detail"]),
                        encoding="utf-8")
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        for row in rows:
            w.writerow({k: feedback._fmt(row[k]) if k in ("score", "max_score") and row[k] != "" else row[k]
                        for k in COLUMNS})
