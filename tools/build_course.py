"""Build the course notebooks from the bilingual chapter sources (``make course``).

For each ``chapters/ch*.md`` (jupytext MyST, see ``chapters/FORMAT.md``) and each language:

* ``solutions/<lang>/<stem>.ipynb``: the instructor notebook in nbgrader's source form;
* ``course/<lang>/<stem>.ipynb``: the learner notebook, produced by nbgrader's own
  ``generate_assignment`` (solutions blanked, hidden tests removed, no outputs); this is also the
  release the grader ships and reads (``src/coursekit/release`` is a link to ``course/``, package data);

and for the whole course ``src/coursekit/manifest.json`` (:mod:`course_manifest`): one entry per
exercise, the description that the grader, the in-notebook check and the checks read. A full build
into the checkout then records, with the answer key, the answers a learner's visible checks replay
(``tools/record_answers.py``: ``src/coursekit/checks/recorded/``).

Output is deterministic (cell ids, key order, trailing newline), so running it twice gives
identical files and a test can compare a fresh build with the committed notebooks.

    python tools/build_course.py [--chapters DIR] [--out DIR] [--manifest FILE]
"""
from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import jupytext
import nbformat

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO, REPO / "src", Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import course_manifest  # noqa: E402
from grader import nbg  # noqa: E402  (the same nbgrader set-up the grader uses)

LANGS = ("en", "zh")
USES = course_manifest.spec.USES
MANIFEST = REPO / "src" / "coursekit" / "manifest.json"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


class ChapterError(ValueError):
    """A chapter source breaks the rules of chapters/FORMAT.md."""


def nbgrader_meta(exercise: dict, where: str) -> dict:
    """The nbgrader cell metadata for a cell's ``exercise`` metadata (FORMAT.md, Exercises)."""
    try:
        ex_id, role = exercise["id"], exercise["role"]
    except (TypeError, KeyError):
        raise ChapterError(f"{where}: exercise metadata needs 'id' and 'role', got {exercise!r}")
    if role == "solution":
        if "points" in exercise:
            raise ChapterError(f"{where}: points belong on the tests cell of {ex_id!r}")
        uses = exercise.get("uses", ["numpy"])
        if not isinstance(uses, list) or "numpy" not in uses or not set(uses) <= set(USES):
            raise ChapterError(f"{where}: uses of {ex_id!r} must list numpy and only {list(USES)}, got {uses!r}")
        return {"grade": False, "grade_id": ex_id, "locked": False, "schema_version": 3,
                "solution": True}
    if role == "tests":
        if "uses" in exercise:
            raise ChapterError(f"{where}: uses belongs on the solution cell of {ex_id!r}")
        points = exercise.get("points")
        if not isinstance(points, (int, float)) or points <= 0:
            raise ChapterError(f"{where}: tests cell of {ex_id!r} needs points > 0")
        return {"grade": True, "grade_id": f"{ex_id}_tests", "locked": True, "points": points,
                "schema_version": 3, "solution": False}
    raise ChapterError(f"{where}: unknown exercise role {role!r} (solution or tests)")


def split(source: nbformat.NotebookNode, lang: str, stem: str) -> nbformat.NotebookNode:
    """The notebook of one language, in nbgrader's source form (with solutions)."""
    meta = source.metadata.get("chainrule") or {}
    chapter = meta.get("chapter")
    if not chapter:
        raise ChapterError(f"{stem}: front matter needs chainrule.chapter")
    title = meta.get("title", {})
    title = title.get(lang, "") if isinstance(title, dict) else str(title)
    cells, seen = [], set()
    for i, cell in enumerate(source.cells):
        cell_lang = cell.metadata.get("lang")
        if cell_lang not in (None, *LANGS):
            raise ChapterError(f"{stem} cell {i}: unknown lang {cell_lang!r}")
        if cell_lang not in (None, lang):
            continue
        cell = copy.deepcopy(cell)
        md = {k: v for k, v in cell.metadata.items() if k not in ("lang", "exercise")}
        exercise = cell.metadata.get("exercise")
        if exercise is not None:
            if cell.cell_type != "code":
                raise ChapterError(f"{stem} cell {i}: exercise metadata on a {cell.cell_type} cell")
            nbmeta = nbgrader_meta(exercise, f"{stem} cell {i}")
            if nbmeta["grade_id"] in seen:
                raise ChapterError(f"{stem} ({lang}): grade id {nbmeta['grade_id']!r} appears twice")
            seen.add(nbmeta["grade_id"])
            if nbmeta["solution"] and "### BEGIN SOLUTION" not in cell.source:
                raise ChapterError(f"{stem} cell {i}: a solution cell needs ### BEGIN SOLUTION")
            md["nbgrader"] = nbmeta
        cell.metadata = md
        cells.append(cell)
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata = {
        "chainrule": {"chapter": chapter, "lang": lang, "title": title},
        "kernelspec": dict(source.metadata.get("kernelspec") or KERNELSPEC),
        "language_info": {"name": "python"},
    }
    return nb


def normalise(nb: nbformat.NotebookNode) -> str:
    """Deterministic text: ids from position or grade id, no outputs, sorted keys, final newline."""
    nb = copy.deepcopy(nb)
    nb.nbformat, nb.nbformat_minor = 4, 5
    for i, cell in enumerate(nb.cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell["id"] = grade_id if grade_id else f"cell-{i:03d}"
        if "attachments" in cell and not cell.attachments:
            del cell["attachments"]
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(nb)
    return nbformat.writes(nb, version=4).rstrip("\n") + "\n"


def _write(path: Path, text: str) -> bool:
    """Write only when the content changed; returns whether it did."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def manifest_text(chapters: list) -> str:
    """The manifest's deterministic text (sorted keys, final newline)."""
    try:
        data = course_manifest.manifest(chapters)
    except course_manifest.ManifestSourceError as e:
        raise ChapterError(str(e)) from None
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def build(chapters_dir: Path, out: Path, quiet: bool = False, prune: bool = True,
          manifest: Path | None = None) -> list[Path]:
    """Build every chapter of ``chapters_dir`` into ``out/solutions`` and ``out/course``, and the
    manifest of those chapters into ``manifest`` (default ``out/manifest.json``; ``make course``
    gives the kit's package data, :data:`MANIFEST`)."""
    sources = sorted(Path(chapters_dir).glob("ch*.md"))
    written, expected, chapters, split_nbs = [], set(), [], []
    # every chapter and the manifest are checked before anything is generated or written, so a
    # broken chapter leaves the committed files as they were
    for src in sources:
        source = jupytext.read(src, fmt="md:myst")
        split_nbs.append((src.stem, [(lang, split(source, lang, src.stem)) for lang in LANGS]))
        try:
            chapters.append(course_manifest.chapter_entries(source, src.stem))
        except course_manifest.ManifestSourceError as e:
            raise ChapterError(str(e)) from None
    manifest_data = manifest_text(chapters)
    with tempfile.TemporaryDirectory(prefix="chainrule-build-") as tmp:
        course_root = Path(tmp) / "nbgrader"
        for stem, per_lang in split_nbs:
            for lang, sol_nb in per_lang:
                chapter = sol_nb.metadata["chainrule"]["chapter"]
                sol_text = normalise(sol_nb)
                sol_path = out / "solutions" / lang / f"{stem}.ipynb"
                tmp_sol = Path(tmp) / f"{stem}.{lang}.ipynb"
                tmp_sol.write_text(sol_text, encoding="utf-8")
                released = nbg.generate(course_root, chapter, lang, stem, tmp_sol)
                course_nb = nbformat.read(released, as_version=4)
                course_text = normalise(course_nb)
                course_path = out / "course" / lang / f"{stem}.ipynb"
                for path, text in ((sol_path, sol_text), (course_path, course_text)):
                    expected.add(path.resolve())
                    if _write(path, text):
                        written.append(path)
                if not quiet:
                    print(f"built {stem} [{lang}]", file=sys.stderr)
    manifest = Path(manifest) if manifest is not None else out / "manifest.json"
    if _write(manifest, manifest_data):
        written.append(manifest)
    # generated folders hold only generated files: drop notebooks of chapters that are gone
    # (only when building every chapter; a partial build must not delete the others' notebooks)
    for kind in ("solutions", "course") if prune else ():
        for path in sorted((out / kind).glob("*/*.ipynb")):
            if path.resolve() not in expected:
                path.unlink()
                written.append(path)
    return written


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--chapters", type=Path, default=REPO / "chapters", help="folder of ch*.md sources")
    p.add_argument("--out", type=Path, default=REPO, help="where solutions/ and course/ go")
    p.add_argument("--manifest", type=Path, default=None,
                   help="where the manifest goes (default: the kit's src/coursekit/manifest.json when "
                        "building the repo's chapters into the repo, else OUT/manifest.json)")
    p.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    try:
        full = args.chapters.resolve() == (REPO / "chapters").resolve()
        manifest = args.manifest or (MANIFEST if full and args.out.resolve() == REPO.resolve() else None)
        written = build(args.chapters, args.out, quiet=args.quiet, prune=full, manifest=manifest)
    except ChapterError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"{len(written)} file(s) changed", file=sys.stderr)
    if full and args.out.resolve() == REPO.resolve():
        # the answers a learner's visible checks replay, recorded from the solutions just built with the
        # answer key (grader.key); in a process of its own: it runs every solution notebook
        return subprocess.run([sys.executable, str(REPO / "tools" / "record_answers.py")]
                              + (["-q"] if args.quiet else [])).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
