"""The learner's environment: what `make lab` and Binder install, and what the learner's JupyterLab
shows.

- the lock (``binder/requirements.txt``, written by ``make lock``) is in step with pyproject's
  ``course`` extra: read from both files, no network;
- nothing of grading or testing is in it; ``binder/runtime.txt`` names a Python the lock serves;
- ``make lab`` installs the lock and the package only, ``make test`` adds the test extra;
- JupyterLab started as ``make lab`` starts it shows ``course/`` only, without nbgrader's
  instructor extensions (even where nbgrader is installed, as in the test environment) and without
  the news prompt; as ``make instructor`` starts it, the repository and nbgrader's tools.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from binder_env import runtime_python
from lab_server import running_lab

REPO = Path(__file__).resolve().parents[2]
LOCK = REPO / "binder" / "requirements.txt"
LEARNER_CONFIG = REPO / "binder" / "jupyter"
# grading and test tools: never in the learner's image
NOT_FOR_LEARNERS = {"nbgrader", "jupytext", "distributed", "dask", "psycopg", "psycopg-binary", "playwright",
                    "pytest", "hypothesis", "sqlalchemy", "alembic", "tqdm"}
# the environments the universal lock must serve: every supported Python on the three usual systems
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
PLATFORMS = {"linux": ("posix", "Linux"), "darwin": ("posix", "Darwin"), "win32": ("nt", "Windows")}


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _learner_requirements() -> list[Requirement]:
    project = _pyproject()["project"]
    return [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["course"]]


def _lock() -> list[tuple[str, str, Marker | None, list[str]]]:
    """``(name, version, marker, via)`` per pinned line of the lock; ``via`` from uv's comments."""
    entries, current = [], None
    for raw in LOCK.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            text = line.lstrip("#").strip()
            if current is not None and text and text != "via":
                current[3].append(text.removeprefix("via ").strip())
            continue
        spec, _, marker = line.partition(";")
        name, sep, version = spec.strip().partition("==")
        assert sep and re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version.strip()), f"not pinned with ==: {line!r}"
        current = (canonicalize_name(name), version.strip(), Marker(marker) if marker.strip() else None, [])
        entries.append(current)
    return entries


def _environment(python: str, platform: str) -> dict:
    env = default_environment()
    os_name, system = PLATFORMS[platform]
    env.update(python_version=python, python_full_version=f"{python}.0", sys_platform=platform,
               os_name=os_name, platform_system=system, implementation_name="cpython",
               platform_python_implementation="CPython")
    return env


def _applies(marker, env) -> bool:
    return marker is None or marker.evaluate(env)


def test_the_lock_is_in_step_with_pyproject():
    """Every requirement of pyproject's dependencies and ``course`` extra has exactly one pinned
    line for each supported Python and system, and that version satisfies the requirement; the
    lock's direct entries are exactly these requirements (none left over from an older extra).
    After changing the extra: ``make lock``."""
    lock = _lock()
    assert lock, "binder/requirements.txt holds no package"
    assert "make lock" in LOCK.read_text(encoding="utf-8").split("\n", 3)[1], "the lock says how it was made"
    for req in _learner_requirements():
        name = canonicalize_name(req.name)
        for python in PYTHONS:
            for platform in PLATFORMS:
                env = _environment(python, platform)
                if not _applies(req.marker, env):
                    continue
                lines = [(v, m) for n, v, m, _ in lock if n == name and _applies(m, env)]
                assert len(lines) == 1, (f"{req}: {len(lines)} lines of binder/requirements.txt apply to "
                                         f"Python {python} on {platform} (make lock)")
                assert req.specifier.contains(lines[0][0], prereleases=True), (
                    f"binder/requirements.txt pins {name}=={lines[0][0]}, pyproject asks {req} (make lock)")
    direct = {n for n, _, _, via in lock if any(v.startswith("chainrule (pyproject.toml)") for v in via)}
    wanted = {canonicalize_name(r.name) for r in _learner_requirements()}
    assert direct == wanted, f"in the lock, not in pyproject: {direct - wanted}; the other way: {wanted - direct}"


def test_the_lock_holds_nothing_of_grading_or_testing():
    names = {n for n, *_ in _lock()}
    assert not names & NOT_FOR_LEARNERS, sorted(names & NOT_FOR_LEARNERS)
    # ... and the plot font is there: Chinese labels need no system font
    assert "noto-cjk-sans-otc" in names and "jupyterlab-language-pack-zh-cn" in names


def test_runtime_txt_names_a_python_the_lock_and_pyproject_serve():
    version = runtime_python(REPO)
    assert re.fullmatch(r"3\.\d+", version), version
    assert version in PYTHONS
    requires = _pyproject()["project"]["requires-python"]
    from packaging.specifiers import SpecifierSet
    assert SpecifierSet(requires).contains(f"{version}.0"), (version, requires)


def test_license_file_matches_pyproject():
    assert _pyproject()["project"]["license"] == "MIT"
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text


def _make_n(target, tmp_path) -> list[str]:
    """The commands ``make TARGET`` would run on a fresh clone (``make -n -B``, a .venv that does not exist)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    out = subprocess.run(["make", "-n", "-B", "-C", str(REPO), target, f"VENV={tmp_path / 'venv'}"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return [l for l in out.replace("\\\n", " ").splitlines() if l.strip()]


def test_make_lab_installs_the_learner_runtime_only(tmp_path):
    cmds = _make_n("lab", tmp_path)
    installs = [c for c in cmds if "pip install" in c and '"pip>=' not in c]
    assert installs, cmds
    # the lock and the package, by uv or else by pip, nothing else: the lock is complete
    # (test_binder_env.py::test_the_lock_is_complete), so no resolving (--no-deps), and no
    # bytecode compiled up front (pip's --no-compile; uv compiles none unless asked)
    for line in installs:
        parts = [p.strip() for p in re.split(r"&&|;|\bthen\b|\belse\b|\bif\b", line) if "pip install" in p]
        lock = [p for p in parts if "-r binder/requirements.txt" in p]
        package = [p for p in parts if p.endswith("-e .")]
        assert lock and package, line
        by_uv = lambda p: p.split()[0].strip('"').endswith("/uv")  # noqa: E731
        assert all("--no-deps" in p and (by_uv(p) or "--no-compile" in p) for p in lock + package), parts
        assert not [p for p in parts if "[test]" in p or "nbgrader" in p or "playwright" in p], parts
        assert {by_uv(p) for p in lock} == {True, False}, f"uv, with pip where uv fails: {lock}"
        assert not [p for p in parts if "--compile" in p.replace("--no-compile", "")], parts
    assert any(c.strip().endswith("pip check") for c in cmds), cmds   # a lock that missed a dependency fails here
    lab = [c for c in cmds if "jupyter lab" in c]
    assert len(lab) == 1, cmds
    assert f"JUPYTER_CONFIG_PATH=\"{LEARNER_CONFIG}" in lab[0], lab[0]
    assert f"--ServerApp.root_dir=\"{REPO / 'course'}\"" in lab[0], lab[0]


def test_make_test_and_instructor_add_the_test_tools(tmp_path):
    for target in ("test", "instructor"):
        cmds = _make_n(target, tmp_path)
        assert any("-c binder/requirements.txt" in c and '-e ".[test]"' in c for c in cmds), cmds
    lab = [c for c in _make_n("instructor", tmp_path) if "jupyter lab" in c]
    assert len(lab) == 1 and "JUPYTER_CONFIG_PATH" not in lab[0] and f'root_dir="{REPO}"' in lab[0], lab


def _server_env(learner: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src")] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    if learner:   # as `make lab` does
        env["JUPYTER_CONFIG_PATH"] = str(LEARNER_CONFIG)
    return env


def _nbgrader_extensions(config: dict) -> tuple[bool, bool]:
    """(nbgrader's lab extension is loaded, it is disabled) according to the page config."""
    loaded = any(e.get("name") == "@jupyter/nbgrader" for e in config.get("federated_extensions", []))
    disabled = "@jupyter/nbgrader" in config.get("disabledExtensions", [])
    return loaded, disabled


def test_the_learners_jupyterlab_shows_the_course_only(tmp_path):
    """Started as ``make lab`` starts it, here from the test environment, where nbgrader *is*
    installed: the learner's view must hide it all the same."""
    pytest.importorskip("jupyterlab")
    with running_lab(sys.executable, REPO / "course", tmp_path / "learner", _server_env(True)) as lab:
        listed = {item["name"] for item in lab.json("/api/contents")["content"]}
        assert listed == {p.name for p in (REPO / "course").iterdir() if not p.name.startswith(".")}, listed
        assert "solutions" not in listed and "grader" not in listed
        assert lab.get("/api/contents/..%2Fsolutions")[0] in (400, 403, 404)
        # nbgrader's instructor extensions: neither its server pages nor its lab extension
        assert lab.get("/formgrader")[0] == 404
        loaded, disabled = _nbgrader_extensions(lab.page_config())
        assert disabled or not loaded
        # no "official Jupyter news?" prompt, no update check: the defaults JupyterLab hands out
        # (the learner has set nothing), overridden by binder/jupyter/labconfig
        notification = lab.json("/lab/api/settings/@jupyterlab/apputils-extension:notification")
        defaults = {k: v.get("default") for k, v in notification["schema"]["properties"].items()}
        assert notification["settings"] == {}
        assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False, defaults


def test_the_instructors_jupyterlab_shows_the_repository_and_nbgrader(tmp_path):
    pytest.importorskip("jupyterlab")
    if importlib.util.find_spec("nbgrader") is None:
        pytest.skip("nbgrader is not installed here (make test installs it)")
    with running_lab(sys.executable, REPO, tmp_path / "instructor", _server_env(False)) as lab:
        listed = {item["name"] for item in lab.json("/api/contents")["content"]}
        assert {"course", "solutions", "chapters"} <= listed, listed
        assert lab.get("/formgrader")[0] != 404
        loaded, disabled = _nbgrader_extensions(lab.page_config())
        assert loaded and not disabled


BADGE = re.compile(r"\(https://mybinder\.org/v2/gh/[^/)]+/[^/)]+/[^?)]+\?urlpath=([^)]*)\)")


@pytest.mark.parametrize("name", ["README.md", "README.zh.md"])
def test_the_binder_badge_opens_a_path_the_course_root_serves(name):
    """On Binder the server's root is course/ (postBuild, tested in test_binder_env.py): the
    badge's urlpath must name a page under that root (``lab``, or ``lab/tree/<a folder of
    course/>``), not ``lab/tree/course``, which no longer exists there."""
    urlpaths = BADGE.findall((REPO / name).read_text(encoding="utf-8"))
    assert urlpaths, f"no Binder badge with an urlpath in {name}"
    for urlpath in urlpaths:
        page, _, rest = urlpath.partition("/tree/")
        assert page == "lab", urlpath
        assert not rest or (REPO / "course" / rest).exists(), f"{urlpath}: course/{rest} does not exist"


READMES = {"README.md": ("## Set-up", "## Learning", "## Teaching", "## Development"),
           "README.zh.md": ("## 安装", "## 学习", "## 教学", "## 开发")}


@pytest.mark.parametrize("name", list(READMES))
def test_readme_starts_with_set_up_then_the_learners_path(name):
    """Each README starts with the set-up on a fresh machine (make lab, make test, and how big and
    slow the learner's environment is), then the learner's path (open a chapter, where to write,
    how to check, how to submit), the instructor's, and development."""
    text = (REPO / name).read_text(encoding="utf-8")
    sections = [text.find(h + ("" if h.endswith(("Set-up", "安装")) else "\n")) for h in READMES[name]]
    assert all(i > 0 for i in sections) and sections == sorted(sections), dict(zip(READMES[name], sections))
    assert text.find("\n## ") + 1 == sections[0], "the first section is the set-up"
    setup = text[sections[0]:sections[1]]
    assert "make lab" in setup and "make test" in setup and re.search(r"\d+ MB", setup), setup
    learning = text[sections[1]:sections[2]]
    keys = (["Open a chapter", "Where to write", "How to check", "How to submit"] if name == "README.md"
            else ["打开一章", "在哪里写代码", "怎样检查", "怎样提交"])
    at = [learning.find(k) for k in keys]
    assert all(i >= 0 for i in at) and at == sorted(at), dict(zip(keys, at))
    assert "make instructor" in text[sections[2]:sections[3]]
