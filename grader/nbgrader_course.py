"""``python -m grader.nbgrader_course`` (``make nbgrader-course``): an nbgrader course folder for
instructors who run stock nbgrader (``nbgrader generate_assignment``, formgrader) themselves.

Lays out nbgrader's ``source/<assignment>/<notebook>.ipynb`` from ``solutions/<lang>/``: one
assignment per chapter (``ch03``), its notebook named as in the course (``ch03_mlp``), whatever the
language. These are the names the grader writes into its gradebook too (:mod:`grader.gradebook`),
so a gradebook that stock nbgrader made and one that ``python -m grader grade`` wrote line up.
The repository's ``nbgrader_config.py`` points nbgrader at this folder and configures it like the
course (:mod:`grader.nbg_config`: the Chinese stub in Chinese notebooks).

A class that submits in both languages is graded by ``python -m grader grade`` (one gradebook,
each student's notebook in their language); stock nbgrader's ``source/`` holds one notebook per
name, so this lays out one language (``--lang``).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ROOT = REPO / "nbgrader-course"   # where the repository's nbgrader_config.py points


def notebooks(solutions: Path, lang: str) -> list[tuple[str, Path]]:
    """``[(chapter, path)]`` of the solution notebooks of one language; ValueError in plain words."""
    folder = Path(solutions) / lang
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("chainrule", {})
        if meta.get("lang") != lang or not meta.get("chapter"):
            raise ValueError(f"{path}: no chainrule chapter/lang metadata for language {lang!r} (run make course)")
        found.append((meta["chapter"], path))
    if not found:
        raise ValueError(f"no solution notebooks in {folder} (run make course, or pass --solutions)")
    chapters = [c for c, _ in found]
    if len(set(chapters)) != len(chapters):
        raise ValueError(f"{folder}: two notebooks for one chapter: {sorted(chapters)}")
    return found


def lay_out(solutions: Path, root: Path, lang: str = "en") -> list[Path]:
    """Copy each solution notebook to ``root/source/<chapter>/<stem>.ipynb``; return the paths written.
    A chapter's source folder is replaced whole, so a notebook of the other language does not linger."""
    written = []
    for chapter, path in notebooks(solutions, lang):
        folder = Path(root) / "source" / chapter
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        shutil.copyfile(path, folder / path.name)
        written.append(folder / path.name)
    return written


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m grader.nbgrader_course", description=__doc__.split("\n\n")[0])
    p.add_argument("--solutions", type=Path, default=REPO / "solutions", help="default: the repo's solutions/")
    p.add_argument("--root", type=Path, default=DEFAULT_ROOT,
                   help="the nbgrader course folder (default: nbgrader-course/, where nbgrader_config.py points)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="the language of the notebooks (default en)")
    args = p.parse_args(argv)
    try:
        written = lay_out(args.solutions, args.root, args.lang)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} notebooks under {args.root / 'source'} ({args.lang}); next, from the "
          f"repository's root (where nbgrader_config.py is): nbgrader generate_assignment ch01", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
