"""Grade a class: ``grade(submissions, out, solutions)``.

1. Each chapter's release (what students received: by default the one installed with the course
   kit, :func:`grader.release.shipped`) is read, with the course manifest (:mod:`coursekit.manifest`),
   into a grading plan (:func:`grader.release.read_folder`). Only when asked (``solutions=``, the
   command's ``--rebuild-release``) is it generated again from the solution notebooks with nbgrader.
2. Every submitted notebook becomes one task: its bytes and their sha256, never a path. An engine
   (:mod:`grader.executors`: the local process pool, or Dask workers) runs :func:`grade_task`;
   each starts the student's code in its own sandbox (:mod:`grader.judge`). Workers never write
   results; a submission that kills its worker process ends as a ``crashed`` row.
3. This process is the only writer: each result is appended to ``OUT/results.jsonl`` (flushed and
   fsynced) as it arrives, keyed by (student, file, sha256), so running the same command again
   after an interruption grades only what is missing. At the end it writes ``grades.csv``, the
   feedback pages, the nbgrader gradebook (:mod:`grader.gradebook`) and ``batch.json``.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import csvsafe, executors, feedback, ids, judge, lms, nbg, release as releases, uids

# late: "yes"/"no" where the LMS says (Canvas marks a late file in its name), empty where it does not
COLUMNS = ["student_id", "notebook", "language", "score", "max_score", "status", "late", "file", "detail", "sha256"]
LANGS = ("en", "zh")
RESULTS = "results.jsonl"
STUDENT_IDS = "student_ids.json"   # {student key: id}: the same id at every re-grade into OUT


@dataclass
class Submission:
    student_id: str
    file: str            # where it came from, relative to the submissions folder or zip
    data: bytes
    student_name: str = ""
    lms_user_id: str = ""
    status: str = ""     # "" to grade; else the row's status, decided while reading (too_large, ...)
    detail: str = ""     # why, in plain words
    late: str = ""       # "yes"/"no" where the LMS says, "" where it does not
    lms: str = ""        # "canvas", "moodle" or "folder": whose user id lms_user_id is


# ---------------------------------------------------------------------- inputs
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


def prepare_releases(index: dict, workdir: Path, manifest: Path | None = None) -> dict:
    """``{(chapter, lang): (Release, stem, title)}``: nbgrader generates each release from the
    solution notebook, and the judge reads its grading plan from the release and the course
    manifest (``manifest``: a manifest file; default the one installed with the course kit)."""
    from coursekit import manifest as course_manifest
    known = course_manifest.load(manifest)  # a ManifestError is a ValueError: the command says it plainly
    plans = {}
    for (chapter, lang), info in sorted(index.items()):
        released = nbg.generate(workdir, chapter, lang, info["stem"], info["path"])
        release = judge.read_release(json.loads(released.read_text(encoding="utf-8")), known)
        release.stem = info["stem"]
        plans[(chapter, lang)] = (release, info["stem"], info["title"])
    return plans


def load_plans(release: Path | None = None, solutions: Path | None = None, manifest: Path | None = None) -> dict:
    """``{(chapter, lang): (Release, stem, title)}``: read from the release folder ``release``
    (default: the one installed with the course kit), or, when ``solutions`` is given, generated
    again from those solution notebooks with nbgrader (slow: seconds per notebook)."""
    if solutions is not None:
        index = index_solutions(solutions)
        with tempfile.TemporaryDirectory(prefix="chainrule-release-") as tmp:
            return prepare_releases(index, Path(tmp), manifest)
    from coursekit import manifest as course_manifest
    return releases.read_folder(release, course_manifest.load(manifest))


def find_submissions(submissions: Path, out: Path | None = None) -> tuple[list[Submission], list]:
    """A folder with one subfolder per student, or an LMS zip (Canvas, Moodle): :func:`grader.lms.collect`.
    Returns every file of every student (those that cannot be graded carry a status) and what
    belongs to no student (a loose file, an unsafe zip member), with why. With ``out``, the students
    an earlier batch into ``out`` saw keep their ids (``OUT/student_ids.json``, updated here)."""
    known = ids.load_known(out / STUDENT_IDS) if out is not None else None
    found = lms.collect(submissions, known_ids=known)
    if out is not None and found.ids != known:
        ids.save_known(out / STUDENT_IDS, found.ids)
    subs = [Submission(s.student_id, s.source, s.data, s.student_name, s.lms_user_id, s.status, s.detail,
                       lms.late_flag(s), s.lms) for s in found]
    return subs, [{"source": k.source, "reason": k.reason} for k in found.skipped]


def not_graded_row(s: Submission) -> dict:
    """The row of a file that was not sent to grading (too large, not a notebook, unreadable from the
    archive): its status and why, and no score, so that an LMS import leaves that grade as it was."""
    return {"student_id": s.student_id, "file": s.file, "sha256": "", "notebook": Path(s.file).stem,
            "chapter": "", "language": "", "status": s.status, "score": "", "max_score": "",
            "detail": s.detail, "exercises": [], "seconds": 0.0}


# ---------------------------------------------------------------------- the task (runs in a worker)
def grade_task(task: dict, plans: dict, settings: judge.Settings) -> dict:
    """Grade one submission: ``task`` = {student_id, file, sha256, data (bytes)}; ``plans`` the
    grading plans ``{(chapter, lang): (Release, stem, title)}``. Runs in a worker process (local
    pool or Dask worker), starts the sandbox with ``subprocess``. Returns a plain JSON-able row;
    never raises (a failure is a row with status ``error``)."""
    start = time.monotonic()
    _test_hook(task)
    row = {"student_id": task["student_id"], "file": task["file"], "sha256": task["sha256"],
           "notebook": Path(task["file"]).stem, "chapter": "", "language": "", "status": "error",
           "score": 0.0, "max_score": "", "detail": "", "exercises": []}
    try:
        if hashlib.sha256(task["data"]).hexdigest() != task["sha256"]:
            raise ValueError("the submission's bytes do not match their sha256")
        try:
            nb = judge.parse_notebook(task["data"])
        except ValueError as e:
            row.update(status="unreadable", detail=str(e))
            return row
        meta = nb.get("metadata", {}).get("chainrule", {})
        chapter, lang = (meta.get("chapter"), meta.get("lang")) if isinstance(meta, dict) else (None, None)
        row["language"] = lang if lang in LANGS else ""
        if (chapter, lang) not in plans:
            row.update(status="unknown_chapter", detail=f"chapter {chapter!r}, language {lang!r}")
            return row
        release, stem, _ = plans[(chapter, lang)]
        # a uid no other grading thread holds: the process limit counts per uid (grader/uids.py)
        s = dataclasses.replace(settings, uid=uids.for_this_thread())
        res = judge.grade_notebook(nb, release, s)
        row.update(notebook=stem, chapter=chapter, score=res["score"], max_score=res["max_score"],
                   status=res["status"], detail=res["detail"], exercises=res["exercises"])
        worst = {e["status"] for e in res["exercises"]}
        if row["status"] == "graded" and worst & {"timeout", "crashed"}:
            row["status"] = "timeout" if "timeout" in worst else "crashed"
            row["detail"] = ", ".join(f"{e['id']}: {e['status']}" for e in res["exercises"]
                                      if e["status"] in ("timeout", "crashed"))
    except Exception as e:  # noqa: BLE001 - a grader bug must cost one row, not the batch
        row.update(status="error", detail=f"{type(e).__name__}: {e}"[:500])
    finally:
        row["seconds"] = round(time.monotonic() - start, 3)
    return row


def _test_hook(task) -> None:
    """Tests only: a worker whose environment names this submission's sha256 in
    ``CHAINRULE_GRADER_TEST_KILL`` dies on it (SIGKILL), as a worker lost to the machine would.
    Student code cannot get there (it runs in the sandbox); the variable is set by the test set-up."""
    if task["sha256"] and os.environ.get("CHAINRULE_GRADER_TEST_KILL") == task["sha256"]:
        import signal
        os.kill(os.getpid(), signal.SIGKILL)


# ---------------------------------------------------------------------- the one writer
class Journal:
    """``OUT/results.jsonl``: one line per graded submission, made durable as it arrives."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.rows: dict = {}
        if self.path.exists():
            # split at "\n" only: str.splitlines() also splits at U+2028 and U+0085, which
            # json.dumps(ensure_ascii=False) writes raw (a file name may hold one)
            for line in self.path.read_text(encoding="utf-8").split("\n"):
                try:
                    row = json.loads(line)
                    self.rows[self.key(row)] = row
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a crash: graded again
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._f = open(self.path, "a", encoding="utf-8")

    @staticmethod
    def key(row) -> tuple:
        return row["student_id"], row["file"], row["sha256"]

    def done(self, key, retry_failed=False) -> bool:
        row = self.rows.get(key)
        if row is None or row["status"] == "error":
            return False
        return not (retry_failed and row["status"] in ("timeout", "crashed"))

    def append(self, row) -> None:
        self._f.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._f.flush()
        os.fsync(self._f.fileno())
        self.rows[self.key(row)] = row

    def close(self):
        self._f.close()


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


def grade(submissions: Path, out: Path, solutions: Path | None = None, *, release: Path | None = None,
          jobs: int | None = None, settings: judge.Settings = judge.Settings(), retry_failed: bool = False,
          engine: executors.Engine | None = None, db: str | None = None, manifest: Path | None = None,
          canvas_assignments: dict | None = None) -> dict:
    """Grade every submission; write ``out/``; return ``{"rows", "summary"}``. The release is read
    from ``release`` (default: the one installed with the course kit), or generated again from
    ``solutions`` when given (:func:`load_plans`). ``engine`` runs the
    tasks (:mod:`grader.executors`; default: a local pool of ``jobs`` processes, closed here);
    ``db`` is the nbgrader gradebook's SQLAlchemy URL (default ``sqlite:///OUT/gradebook.db``);
    ``manifest`` the course manifest (default: the one installed with the course kit);
    ``canvas_assignments`` ``{chapter or notebook: Canvas assignment id}`` (:func:`grader.lms.canvas_columns`)."""
    started, t0 = datetime.now(timezone.utc), time.monotonic()
    out = Path(out)
    own_engine = engine is None
    if own_engine:
        engine = executors.LocalEngine(max(1, jobs or os.cpu_count() or 1))
    try:
        plans = load_plans(release, solutions, manifest)
        _check_canvas_keys(canvas_assignments or {}, plans)
        subs, skipped = find_submissions(submissions, out)
        journal = Journal(out / RESULTS)
        names = {}
        todo = []
        for s in subs:
            if s.status:  # decided while reading: a row now, in the journal like any other (the report reads it)
                row = not_graded_row(s)
                names[Journal.key(row)] = (s.student_name, s.lms_user_id, s.late, s.lms)
                if journal.rows.get(Journal.key(row), {}).get("detail") != row["detail"]:
                    journal.append(row)
                continue
            sha = hashlib.sha256(s.data).hexdigest()
            names[(s.student_id, s.file, sha)] = (s.student_name, s.lms_user_id, s.late, s.lms)
            if not journal.done((s.student_id, s.file, sha), retry_failed):
                todo.append({"student_id": s.student_id, "file": s.file, "sha256": sha, "data": s.data})
        bar = _progress(len(names))
        bar.update(len(names) - len(todo))
        t_grading = time.monotonic()
        try:
            if todo:
                engine.start(grade_task, (plans, settings))
                _run_pool(todo, engine, journal, bar)
        finally:
            bar.close()
            journal.close()
        grading_seconds = time.monotonic() - t_grading
        slots, where = engine.slots, engine.describe()
    finally:
        if own_engine:
            engine.close()
    keys = set(names)
    rows = sorted((r for k, r in journal.rows.items() if k in keys), key=lambda r: (r["student_id"], r["file"]))
    for r in rows:
        r["student_name"], r["lms_user_id"], r["late"], r["lms"] = names[Journal.key(r)]
    titles = {(stem, lang): title for (_, lang), (_, stem, title) in plans.items()}
    canvas = write_outputs(out, rows, titles, canvas_assignments)
    from . import gradebook
    db = db or gradebook.default_url(out)
    try:  # the submitted files, for the copies that formgrader opens (OUT/autograded/)
        written = gradebook.write(db, rows, plans, {(s.student_id, s.file): s.data for s in subs if not s.status},
                                  out)
        db_error, not_copied = None, written["not_copied"]
    except Exception as e:  # noqa: BLE001 - the results are safe in results.jsonl: say so, fail after batch.json
        db_error, not_copied = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"[:500], []
    counts = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    summary = {"started": started.isoformat(timespec="seconds"),
               "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "seconds": round(time.monotonic() - t0, 2), "grading_seconds": round(grading_seconds, 2),
               "jobs": slots, "executor": where, "submissions": len(rows), "graded_now": len(todo),
               "statuses": counts, "gradebook": gradebook.redact(db), "gradebook_error": db_error,
               "formgrader_not_copied": not_copied,   # scores are in the gradebook; formgrader lacks the file
               "canvas_without_id": canvas["without_id"],
               "notebooks_per_minute": round(60 * len(todo) / grading_seconds, 1) if todo else None,
               "notebooks_per_second_per_core": round(len(todo) / grading_seconds / slots, 3) if todo else None,
               "sandbox": judge.sandbox.probe()["mechanism"],
               # what was graded against: the release read from a folder, or rebuilt from solutions
               "release": (f"rebuilt from {Path(solutions).resolve()}" if solutions is not None
                           else str(Path(release or releases.shipped()).resolve())),
               # every file not graded and why: those of a student (they also have a row) and the others
               "skipped": [{"source": r["file"], "student_id": r["student_id"], "status": r["status"],
                            "reason": r["detail"]} for r in rows if r["sha256"] == "" and r["status"]] + skipped}
    (out / "batch.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    if db_error:
        raise GradebookError(f"the gradebook {gradebook.redact(db)} was not written ({db_error}); the results "
                             f"are in {out / RESULTS} and {out / 'grades.csv'}: run the same command again")
    return {"rows": rows, "summary": summary}


def _check_canvas_keys(canvas_assignments: dict, plans: dict) -> None:
    """Every key of ``--canvas-assignment`` names a chapter (``ch03``) or notebook (``ch03_mlp``) of the
    course: a typo must stop the batch before grading, not leave a column unfilled."""
    chapters = {c for c, _ in plans}
    unknown = sorted(set(canvas_assignments) - chapters - {stem for _, stem, _ in plans.values()})
    if unknown:
        raise ValueError(f"--canvas-assignment: {', '.join(unknown)} is not a chapter or notebook of this "
                         f"course (chapters: {', '.join(sorted(chapters))})")


class GradebookError(RuntimeError):
    """Grading finished and its results are saved, but the gradebook database could not be written."""


MAX_LOSSES = 3  # a submission under which the worker process died this often ends as `crashed`


def _crashed_row(task, detail) -> dict:
    return {**{k: task[k] for k in ("student_id", "file", "sha256")}, "notebook": Path(task["file"]).stem,
            "chapter": "", "language": "", "status": "crashed", "score": 0.0, "max_score": "",
            "exercises": [], "detail": detail, "seconds": 0.0}


def _run_pool(todo, engine, journal, bar) -> None:
    """Feed the tasks through a bounded window (``engine.window`` in flight); each row is written as
    it arrives. A worker process that dies costs a re-run of the tasks it held: those tasks become
    suspects and run again one at a time, alone, so that a submission that kills its worker is told
    apart from its neighbours. It ends as a ``crashed`` row (never a failed batch) after
    ``MAX_LOSSES`` deaths, or at once when the engine says a death while it ran alone is conclusive
    (Dask's ``KilledWorker``: the scheduler has already tried it on allowed-failures + 1 workers)."""
    losses: dict = {}
    queue = list(reversed(todo))   # pop() takes the next one in order
    suspects: list = []
    running: dict = {}             # future -> (task, ran alone)
    while queue or suspects or running:
        if suspects:               # quarantine: a suspect runs alone
            if not running:
                task = suspects.pop(0)
                running[engine.submit(task)] = (task, True)
        else:
            while queue and len(running) < engine.window:
                task = queue.pop()
                running[engine.submit(task)] = (task, not running and not queue)
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for fut in done:
            task, alone = running.pop(fut)
            try:
                row = fut.result()
            except engine.lost as e:
                key = Journal.key(task)
                losses[key] = losses.get(key, 0) + 1
                if losses[key] >= MAX_LOSSES or (alone and engine.final(e)):
                    row = _crashed_row(task, "the grading worker process died on this submission "
                                             f"({type(e).__name__}); --retry-failed grades it again")
                else:
                    suspects.append(task)
                    continue
            journal.append(row)
            bar.update(1)


# ---------------------------------------------------------------------- outputs
def write_outputs(out: Path, rows: list[dict], titles: dict, canvas_assignments: dict | None = None) -> dict:
    """The feedback pages and the CSVs; returns ``{"without_id": [...]}``: the students that the Canvas
    file cannot name by Canvas user id (Canvas then matches them by name only)."""
    out.mkdir(parents=True, exist_ok=True)
    fb_root = out / "feedback"
    used = set()   # (student folder, page name) as written: two rows never share a page
    for row in rows:
        folder, name = _safe(row["student_id"]), _safe(row["notebook"])
        k = 2
        if (folder, name) in used and row["language"]:  # one chapter in both languages
            name = _safe(f"{row['notebook']}-{row['language']}")
        while (folder, name) in used:  # two files for one chapter: keep both pages
            name, k = _safe(f"{row['notebook']}-{k}"), k + 1
        used.add((folder, name))
        page = fb_root / folder / f"{name}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        title = titles.get((row["notebook"], row["language"]), "")
        page.write_text(feedback.render(row, title), encoding="utf-8")
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as f:
        w = csvsafe.DictWriter(f, fieldnames=COLUMNS)  # file names and details are the student's: no formulas
        w.writeheader()
        for row in rows:
            w.writerow({k: _score(row.get(k)) if k in ("score", "max_score") else row.get(k, "") for k in COLUMNS})
    notebooks = sorted({r["notebook"] for r in rows if r["max_score"] != ""})
    columns, points = lms.canvas_columns(rows, canvas_assignments or {})
    without_id = lms.write_canvas_csv(out / "canvas_grades.csv", rows, columns, points)
    lms.write_wide_csv(out / "grades_wide.csv", rows, notebooks)
    return {"without_id": without_id}


def _score(x):
    """A score for grades.csv: a number rounded to 4 decimals, or an empty cell."""
    return "" if x in (None, "") else round(float(x), 4)


def _safe(name: str) -> str:
    """A file or folder name for ``name``; a long one is shortened with a hash of the whole name, so
    that two long names that share their start stay two files."""
    keep = "".join(c if c.isalnum() or c in "-_. " else "_" for c in str(name)).strip(". ")
    return ids.shorten(keep, 100, str(name)) or "_"
