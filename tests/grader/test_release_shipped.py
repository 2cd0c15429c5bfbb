"""The release the grader ships and reads (``coursekit/release``): it is ``course/``, it grades exactly
as a release freshly generated from ``solutions/`` would, a stale or foreign one is refused in plain
words, and the command line regenerates only when asked."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grading_class import REPO, env, put, honest
from grader import batch, release
from coursekit import manifest as course_manifest


def _release_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "release"
    shutil.copytree(REPO / "course", dest)
    return dest


def test_the_kits_release_is_a_link_to_course_not_a_second_copy():
    """In the checkout the shipped release is ``course/`` itself (git holds the notebooks once; a wheel
    gets a copy): what ``make course`` writes is what ships."""
    link = REPO / "src" / "coursekit" / "release"
    assert link.is_symlink() and os.readlink(link) == "../../course"
    assert release.shipped().resolve() == (REPO / "course").resolve()
    names = sorted(p.relative_to(release.shipped()) for p in release.shipped().glob("*/*.ipynb"))
    assert names == sorted(p.relative_to(REPO / "course") for p in (REPO / "course").glob("*/*.ipynb")) and names


def test_pyproject_ships_the_release_and_the_command():
    tomllib = pytest.importorskip("tomllib", reason="Python 3.11+ reads pyproject.toml with tomllib")
    meta = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "release/*/*.ipynb" in meta["tool"]["setuptools"]["package-data"]["coursekit"]
    # the command, the grader and its answer key are the grader's distribution (packaging/grader)
    grader = tomllib.loads((REPO / "packaging" / "grader" / "pyproject.toml").read_text(encoding="utf-8"))
    assert grader["project"]["scripts"]["chainrule-grade"] == "grader.cli:main"
    assert "scripts" not in meta["project"] and "grader" not in meta["project"].get("optional-dependencies", {})
    assert "grader.key" in grader["tool"]["setuptools"]["packages"]
    needs = " ".join(grader["project"]["dependencies"])
    for needed in ("chainrule", "nbgrader", "distributed"):   # the gradebook; a Dask worker needs this install only
        assert needed in needs


def test_shipped_release_grades_as_a_fresh_build():
    """Every chapter's grading plan read from the shipped release equals the one nbgrader generates
    again from solutions/ (cells, exercises, their calls and points, the locked tests cells)."""
    read = release.read_folder()
    known = course_manifest.load()
    assert set(read) == {(c, lang) for c in known.chapters for lang in release.LANGS}
    rebuilt = batch.load_plans(solutions=REPO / "solutions")
    assert set(rebuilt) == set(read)
    for key in read:
        assert read[key] == rebuilt[key], key


def test_a_release_without_a_chapter_is_refused(tmp_path):
    folder = _release_copy(tmp_path)
    (folder / "zh" / "ch03_mlp.ipynb").unlink()
    with pytest.raises(ValueError, match=r"no notebook for ch03 \(zh\), which the course manifest"):
        release.read_folder(folder)


def test_a_release_that_disagrees_with_the_manifest_is_refused(tmp_path):
    folder = _release_copy(tmp_path)
    path = folder / "en" / "ch01_derivatives.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    tests = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade"))
    tests["source"] = "pass"
    path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ValueError, match="differs from the course manifest"):
        release.read_folder(folder)


def test_an_empty_or_foreign_release_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no released notebooks under"):
        release.read_folder(tmp_path)
    folder = _release_copy(tmp_path)
    shutil.copy(folder / "en" / "ch01_derivatives.ipynb", folder / "en" / "ch01_copy.ipynb")
    with pytest.raises(ValueError, match=r"a second release of ch01 \(en\)"):
        release.read_folder(folder)
    (folder / "en" / "ch01_copy.ipynb").write_text('{"cells": [], "metadata": {}}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a notebook of this course"):
        release.read_folder(folder)


def _cli(tmp_path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "grade", *map(str, args)], cwd=tmp_path, env=env(),
                          capture_output=True, text=True, timeout=300)


def test_command_line_release_options(tmp_path):
    """--release reads a folder, --rebuild-release/--solutions build one: not both; a missing folder
    is named; a release that disagrees with the manifest stops the batch before anything is graded."""
    subs = tmp_path / "subs"
    put(subs, "ana", honest("ch00_getting_started.ipynb", "en"), "ch00_getting_started.ipynb")
    both = _cli(tmp_path, subs, "--out", tmp_path / "o1", "--release", REPO / "course", "--solutions",
                REPO / "solutions")
    assert both.returncode == 2 and "give one of them" in both.stderr, both.stderr
    missing = _cli(tmp_path, subs, "--out", tmp_path / "o2", "--release", tmp_path / "nowhere")
    assert missing.returncode == 2 and "--release" in missing.stderr and "no such folder" in missing.stderr
    partial = tmp_path / "partial"
    shutil.copytree(REPO / "course" / "en", partial / "en")
    refused = _cli(tmp_path, subs, "--out", tmp_path / "o3", "--release", partial)
    assert refused.returncode == 2 and "no notebook for ch00 (zh)" in refused.stderr, refused.stderr
    assert not (tmp_path / "o3" / "grades.csv").exists()


def test_python_m_grader_reads_the_shipped_release_in_the_checkout(tmp_path):
    subs = tmp_path / "subs"
    put(subs, "ana", honest("ch00_getting_started.ipynb", "en"), "ch00_getting_started.ipynb")
    proc = _cli(tmp_path, subs, "--out", tmp_path / "out", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((tmp_path / "out" / "batch.json").read_text(encoding="utf-8"))
    assert Path(summary["release"]) == (REPO / "course").resolve()
    assert summary["statuses"] == {"graded": 1}
    help_text = subprocess.run([sys.executable, "-m", "grader", "grade", "--help"], cwd=tmp_path, env=env(),
                               capture_output=True, text=True, timeout=120).stdout
    assert help_text.startswith("usage: python -m grader grade")
