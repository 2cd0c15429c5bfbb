"""The grader as an installed command: a fresh virtual environment with only
``pip install <checkout> <checkout>/packaging/grader`` (chainrule and chainrule-grader) grades a Canvas zip from an empty folder with ``chainrule-grade``,
and again on two Dask workers started from that environment without ``PYTHONPATH``.

The environment is built once per module from a copy of what a clone holds (so nothing is built inside
the checkout), with pip's own cache (a second run reuses its wheels). pip may use the package index at
install time only; when the index cannot be reached the tests are skipped, saying so. Nothing here
reads the checkout at grading time: the processes run in empty folders, with an environment that
names nothing of it, and the batch says it graded against the release installed in the environment.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from grading_class import REPO, blank, cell, copy, honest
from coursekit import manifest as course_manifest
from grader import sandbox

pytestmark = pytest.mark.slow

INSTALL_TIMEOUT = 1800   # seconds: a cold pip cache downloads nbgrader, matplotlib and distributed
GRADE_TIMEOUT = 600
# what pip prints when the package index (or a proxy on the way) cannot be reached
OFFLINE = ("Temporary failure in name resolution", "Network is unreachable", "Failed to establish a new connection",
           "No matching distribution found", "Could not find a version that satisfies", "Max retries exceeded",
           "ProxyError", "ConnectTimeout", "Read timed out")
_NOT_IN_A_CLONE = {".git", ".venv", "build", "out", "test-artifacts", "__pycache__", ".pytest_cache", ".hypothesis",
                   ".ipynb_checkpoints"}

# an answer to relative_error that no other exercise of chapter 1 uses: absolute, not relative
WRONG_RELATIVE_ERROR = ("def relative_error(a, b):\n"
                        "    return float(np.max(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))))\n")

# the Canvas zip: (Canvas user id, sortable name slug, chapter notebook, language, how it was answered)
CLASS = [("101", "doejane", "ch00_getting_started", "en", "honest"),
         ("102", "lichen", "ch01_derivatives", "zh", "honest"),
         ("103", "smithbob", "ch01_derivatives", "en", "wrong relative_error"),
         ("104", "wangfang", "ch02_graphs", "zh", "blank"),
         ("105", "garciaana", "ch08_autodiff", "en", "honest")]   # chapter 8: the sandbox holds chainrule too


def _copy_clone(dest: Path) -> None:
    """What a clone holds (tracked and new, not ignored files), links kept as links: the course
    kit's ``release`` is a link to ``course/``."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                             capture_output=True, check=True, timeout=60).stdout
        names = [p for p in out.decode().split("\0") if p]
    except (OSError, subprocess.SubprocessError):   # not a git checkout: everything but build and cache folders
        names = [str(p.relative_to(REPO)) for p in REPO.rglob("*")
                 if (p.is_file() or p.is_symlink()) and not _NOT_IN_A_CLONE & set(p.relative_to(REPO).parts)]
    for name in names:
        src, dst = REPO / name, dest / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
        elif src.is_file():
            shutil.copy2(src, dst)


def _clean_env(venv: Path, home: Path | None = None) -> dict:
    """An environment naming nothing of the checkout or of the test environment: no PYTHONPATH, no
    other virtual environment, the fresh environment's bin/ first on PATH. ``home``: a HOME of its own
    (grading); without it the user's HOME is kept, so that pip reuses its cache (installing)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "DASK_SCHEDULER_ADDRESS")
           and not k.startswith(("PYTEST", "CHAINRULE", "JUPYTER", "DASK_", "COV_"))}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])
    env["VIRTUAL_ENV"] = str(venv)
    if home is not None:
        env.update(HOME=str(home), MPLCONFIGDIR=str(home / "mpl"))
    return env


def _index_reachable(venv: Path, env: dict, tmp: Path) -> bool:
    """Can pip fetch anything at all (NumPy, which the grader needs anyway)?"""
    try:
        return subprocess.run([str(venv / "bin" / "pip"), "download", "--no-deps", "--dest", str(tmp / "probe"),
                               "numpy"], env=env, capture_output=True, timeout=300).returncode == 0
    except subprocess.TimeoutExpired:
        return False


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A fresh virtual environment with only ``pip install <copy> <copy>/packaging/grader``: the library and
    the kit (chainrule), the grader and its answer key (chainrule-grader)."""
    tmp = tmp_path_factory.mktemp("installed")
    clone, venv, log_path = tmp / "clone", tmp / "venv", tmp / "pip.log"
    _copy_clone(clone)
    env = _clean_env(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env, timeout=300,
                   capture_output=True)
    t = time.perf_counter()
    with open(log_path, "wb") as log:
        proc = subprocess.run([str(venv / "bin" / "pip"), "install", "--progress-bar", "off", str(clone),
                               str(clone / "packaging" / "grader")],
                              cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=INSTALL_TIMEOUT)
    seconds = time.perf_counter() - t
    text = log_path.read_text(errors="replace")
    if proc.returncode != 0:
        offline = next((s for s in OFFLINE if s in text), None)
        if offline and not _index_reachable(venv, env, tmp):   # else a real resolution error: fail
            pytest.skip(f'pip install chainrule chainrule-grader could not reach the package index ({offline}); '
                        f"log: {log_path}")
        pytest.fail(f"pip install failed (exit {proc.returncode}):\n{text[-4000:]}", pytrace=False)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          env=env, capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    size = sum(f.stat().st_size for f in venv.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"\npip install . ./packaging/grader: {seconds:.0f} s, environment {size / 2**20:.0f} MiB ({venv})")
    shutil.rmtree(clone)   # nothing may come from the copy either
    return {"venv": venv, "python": python, "site": Path(site), "tmp": tmp}


def _canvas_zip(path: Path) -> dict:
    """The Canvas "Download Submissions" zip of :data:`CLASS`; returns ``{canvas id: (notebook, language,
    expected score, max score, the exercises expected to fail)}``, all from the course manifest."""
    known = course_manifest.load()
    expected = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for user_id, slug, stem, lang, how in CLASS:
            chapter = stem.split("_")[0]
            exercises = known.for_notebook(chapter)
            full = sum(e.points for e in exercises)
            if how == "honest":
                nb, score, failing = honest(f"{stem}.ipynb", lang), full, []
            elif how == "blank":
                nb, score, failing = blank(f"{stem}.ipynb", lang), 0.0, [e.id for e in exercises]
            else:
                nb = copy(honest(f"{stem}.ipynb", lang))
                cell(nb, "relative_error").source = WRONG_RELATIVE_ERROR
                score, failing = full - known.exercise("relative_error").points, ["relative_error"]
            zf.writestr(f"{slug}_{user_id}_{int(user_id) + 9000}_{stem}.ipynb", nbformat.writes(nb))
            expected[user_id] = (stem, lang, score, full, failing)
    assert 0 < min(s[3] for s in expected.values()), "every notebook of the class has exercises"
    return expected


@pytest.fixture(scope="module")
def canvas(installed) -> tuple:
    z = installed["tmp"] / "canvas" / "submissions.zip"
    z.parent.mkdir()
    return z, _canvas_zip(z)


def _grade(installed, workdir: Path, zip_path: Path, out: Path, *extra) -> subprocess.CompletedProcess:
    """``chainrule-grade grade`` from the fresh environment, run in ``workdir`` (empty)."""
    home = installed["tmp"] / "home"
    home.mkdir(exist_ok=True)
    cmd = [str(installed["venv"] / "bin" / "chainrule-grade"), "grade", str(zip_path), "--out", str(out),
           "--exercise-timeout", "30", "--timeout", "300", *map(str, extra)]
    return subprocess.run(cmd, cwd=workdir, env=_clean_env(installed["venv"], home), capture_output=True, text=True,
                          timeout=GRADE_TIMEOUT)


def _check_grades(out: Path, expected: dict, installed: dict) -> list:
    """The rows of ``OUT/grades.csv``, checked against the expected scores; the batch graded against
    the release installed in the fresh environment."""
    with open(out / "grades.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    batch = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    release = Path(batch["release"])
    assert release == (installed["site"] / "coursekit" / "release").resolve(), batch["release"]
    assert release.is_dir() and not release.is_symlink()   # a copy in site-packages, not a link to a checkout
    # the same sandbox as this machine gives the checkout's grader: with bubblewrap, the student's code
    # imported NumPy, the kit and (chapter 8) chainrule from site-packages binds, site-packages masked
    assert batch["sandbox"] == sandbox.probe()["mechanism"]
    by_file = {r["file"]: r for r in rows}
    results = {}
    for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        results[r["file"]] = r
    assert len(rows) == len(expected) == len(by_file) == len(results)
    for user_id, (stem, lang, score, full, failing) in expected.items():
        file, row = next((f, r) for f, r in by_file.items() if f"_{user_id}_" in f)
        assert (row["notebook"], row["language"], row["status"]) == (stem, lang, "graded"), row
        assert (float(row["score"]), float(row["max_score"])) == (score, full), row
        assert [e["id"] for e in results[file]["exercises"] if e["status"] != "passed"] == failing, results[file]
    with open(out / "canvas_grades.csv", encoding="utf-8", newline="") as f:
        canvas_ids = {r.get("ID") for r in csv.DictReader(f)}
    assert set(expected) <= canvas_ids   # every student keeps the Canvas id of the zip
    return rows


def test_installed_environment_has_the_command_the_kit_and_the_release(installed):
    """The extra installs the grader, the course kit and the library, the console script, and the
    release (the student notebooks) byte for byte as course/ holds them."""
    site = installed["site"]
    for package in ("grader", "grader/inside", "grader/key", "coursekit", "coursekit/checks", "coursekit/widgets",
                    "coursekit/datasets", "chainrule"):
        assert (site / package / "__init__.py").is_file(), package
    assert (site / "coursekit" / "datasets" / "digits.npz").is_file()   # the kit's data, as package data
    assert not (site / "chainrule" / "checks").exists() and not (site / "chainrule" / "data").exists()
    assert not (site / "coursekit" / "key").exists()   # the answer key is the grader's: grader/key
    assert os.access(installed["venv"] / "bin" / "chainrule-grade", os.X_OK)
    kit_release = site / "coursekit" / "release"
    shipped = sorted(p.relative_to(kit_release) for p in kit_release.rglob("*.ipynb"))
    course = sorted(p.relative_to(REPO / "course") for p in (REPO / "course").glob("*/*.ipynb"))
    assert shipped == course and course
    for rel in course:
        assert (kit_release / rel).read_bytes() == (REPO / "course" / rel).read_bytes(), rel
    assert (site / "coursekit" / "manifest.json").read_bytes() == course_manifest.PATH.read_bytes()


def test_chainrule_grade_grades_a_canvas_zip_from_an_empty_folder(installed, canvas, tmp_path):
    zip_path, expected = canvas
    workdir = tmp_path / "empty"
    workdir.mkdir()
    out = tmp_path / "out"
    proc = _grade(installed, workdir, zip_path, out, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr[-4000:]
    _check_grades(out, expected, installed)
    assert list(workdir.iterdir()) == []   # everything went to --out


def test_chainrule_grade_help_names_the_installed_command(installed, tmp_path):
    proc = subprocess.run([str(installed["venv"] / "bin" / "chainrule-grade"), "grade", "--help"], cwd=tmp_path,
                          env=_clean_env(installed["venv"], tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.startswith("usage: chainrule-grade grade"), proc.stdout
    assert "--rebuild-release" in proc.stdout
    again = subprocess.run([str(installed["venv"] / "bin" / "chainrule-grade"), "grade", str(tmp_path), "--out",
                            str(tmp_path / "o"), "--rebuild-release"], cwd=tmp_path,
                           env=_clean_env(installed["venv"], tmp_path), capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "--rebuild-release needs --solutions DIR" in again.stderr, again.stderr


def _stop(procs) -> None:
    for p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except OSError:
                pass
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(p.pid, signal.SIGKILL)   # the worker's nanny children too
        except OSError:
            pass
        p.wait()


def test_two_dask_workers_without_pythonpath_grade_the_same(installed, canvas, tmp_path):
    """A scheduler and two workers started from the fresh environment in an empty folder, with no
    PYTHONPATH: they import the grader from the install, and the grades equal the local pool's."""
    venv = installed["venv"]
    has_dask = subprocess.run([str(installed["python"]), "-c", "import distributed"], env=_clean_env(venv),
                              capture_output=True, timeout=120)
    if has_dask.returncode != 0:
        pytest.skip("distributed is not installed in the fresh environment")
    zip_path, expected = canvas
    workdir, home = tmp_path / "cluster", tmp_path / "home"
    workdir.mkdir()
    home.mkdir()
    env = _clean_env(venv, home)
    assert "PYTHONPATH" not in env
    sfile = tmp_path / "scheduler.json"
    procs, logs = [], []

    def start(name, argv):
        log = open(tmp_path / f"{name}.log", "wb")
        logs.append(log)
        procs.append(subprocess.Popen(argv, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True))

    def tail() -> str:
        return "\n".join(p.read_text(errors="replace")[-1500:] for p in sorted(tmp_path.glob("*.log")))

    try:
        start("scheduler", [str(venv / "bin" / "dask"), "scheduler", "--scheduler-file", str(sfile),
                            "--host", "127.0.0.1", "--port", "0", "--no-dashboard"])
        end = time.monotonic() + 120
        while not sfile.exists():
            assert time.monotonic() < end and procs[0].poll() is None, tail()
            time.sleep(0.2)
        for i in range(2):
            start(f"worker{i}", [str(venv / "bin" / "dask"), "worker", "--scheduler-file", str(sfile),
                                 "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard",
                                 "--resources", "slots=1", "--name", f"w{i}",
                                 "--local-directory", str(tmp_path / f"scratch{i}")])
        wait = subprocess.run([str(installed["python"]), "-c",
                               "import sys, distributed\n"
                               "c = distributed.Client(scheduler_file=sys.argv[1], timeout=60)\n"
                               "c.wait_for_workers(2, timeout=120)\n"
                               "print(list(c.run(lambda: __import__('os').environ.get('PYTHONPATH')).values()))\n"
                               "print(list(c.run(lambda: __import__('grader').__file__).values()))\n"
                               "c.close()", str(sfile)], cwd=workdir, env=env, capture_output=True, text=True,
                              timeout=300)
        assert wait.returncode == 0, wait.stderr[-3000:] + tail()
        no_path, grader_files = wait.stdout.strip().splitlines()
        assert no_path == "[None, None]"
        site = str(installed["site"])
        assert grader_files.count(site) == 2, grader_files   # both workers import the installed grader
        out = tmp_path / "out"
        proc = _grade(installed, workdir, zip_path, out, "--scheduler-file", sfile)
        assert proc.returncode == 0, proc.stderr[-4000:] + tail()
        assert "dask (scheduler from" in json.loads((out / "batch.json").read_text())["executor"]
        _check_grades(out, expected, installed)
    finally:
        _stop(procs[::-1])
        for f in logs:
            f.close()
