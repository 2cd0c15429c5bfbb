"""A thin wrapper around nbgrader's Python API: one course directory, generate_assignment.

Used by ``tools/build_course.py`` (which produces ``course/``, the release the grader ships and
reads, through ``generate_assignment``) and by the grader only when asked to rebuild the release
(``--rebuild-release``), so both see nbgrader configured the same way.
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

COURSE_ID = "chainrule"

# What a blanked solution region becomes, per notebook language (grader.nbg_config applies them).
CODE_STUBS = {
    "en": "# YOUR CODE HERE\nraise NotImplementedError()",
    "zh": "# 在这里写你的代码\nraise NotImplementedError()",
}
TEXT_STUBS = {"en": "YOUR ANSWER HERE", "zh": "在这里写你的回答"}


def assignment_id(chapter: str, lang: str) -> str:
    """The release folder of one chapter in one language, e.g. ``ch01_zh``, in the grader's own
    temporary nbgrader course. The gradebook has one assignment per chapter (:mod:`grader.gradebook`)."""
    return f"{chapter}_{lang}"


def _ensure_path() -> None:
    # nbgrader runs `alembic` by name: the interpreter's bin/ must be on PATH.
    bindir = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bindir not in parts:
        os.environ["PATH"] = os.pathsep.join([bindir] + parts)


def api(root: Path, lang: str = "en", timeout: int = 60):
    """An ``NbGraderAPI`` on course directory ``root``, configured by :mod:`grader.nbg_config` (no
    config files are read); ``lang`` is the stub language of a notebook without language metadata."""
    _ensure_path()
    from traitlets.config import Config
    from nbgrader.apps import NbGraderAPI

    from . import nbg_config

    c = nbg_config.apply(Config(), default_language=lang, timeout=timeout)  # as nbgrader_config.py does
    c.CourseDirectory.root = str(Path(root).resolve())
    c.NbGraderAPI.log_level = logging.ERROR
    a = NbGraderAPI(config=c)
    a.log.setLevel(logging.ERROR)
    return a


def check(result: dict, what: str) -> None:
    if not result.get("success"):
        raise RuntimeError(f"nbgrader {what} failed:\n{result.get('error', '')}\n{result.get('log', '')}")


def generate(root: Path, chapter: str, lang: str, stem: str, source_nb: Path) -> Path:
    """Put ``source_nb`` into ``root/source/<assignment>/<stem>.ipynb``, run generate_assignment,
    and return the path of the released (student) notebook."""
    aid = assignment_id(chapter, lang)
    src = Path(root) / "source" / aid
    src.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source_nb, src / f"{stem}.ipynb")
    check(api(root, lang).generate_assignment(aid, force=True, create=True), f"generate_assignment {aid}")
    return Path(root) / "release" / aid / f"{stem}.ipynb"
