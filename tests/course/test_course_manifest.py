"""The course manifest is in step with the chapter sources and the committed notebooks, and the
grader and the in-notebook check, which both read it, agree on what each exercise is worth."""
from __future__ import annotations

import json

import pytest

from conftest import LANGS, REAL_CHAPTERS, REPO, STEMS
from course_helpers import grade_id, read


def _manifest(root, fresh_build):
    from coursekit import manifest
    return manifest.load() if REAL_CHAPTERS else manifest.load(fresh_build / "manifest.json")


def test_committed_manifest_is_what_make_course_writes(fresh_build):
    """A fresh build's manifest equals the kit's package data, byte for byte (real chapters)."""
    fresh = (fresh_build / "manifest.json").read_text(encoding="utf-8")
    if REAL_CHAPTERS:
        from coursekit import manifest
        assert manifest.PATH.read_text(encoding="utf-8") == fresh, "stale manifest: run make course"
        tomllib = pytest.importorskip("tomllib", reason="Python 3.11+ reads pyproject.toml with tomllib")
        pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
        assert "manifest.json" in pyproject["tool"]["setuptools"]["package-data"]["coursekit"]
    assert json.loads(fresh)["exercises"]


@pytest.mark.parametrize("stem", STEMS)
def test_manifest_matches_the_notebooks(root, fresh_build, stem):
    """Every graded cell of every notebook is the manifest's, with the manifest's points, and the
    released tests cells are the ones whose fingerprint it holds."""
    from coursekit import manifest
    known = _manifest(root, fresh_build)
    for lang in LANGS:
        for kind in ("solutions", "course"):
            nb = read(root / kind / lang / f"{stem}.ipynb")
            chapter = nb.metadata["chainrule"]["chapter"]
            exercises = known.for_notebook(chapter)
            assert all(e.notebooks[lang] == stem for e in exercises)
            tests = {grade_id(c): c for c in nb.cells if grade_id(c) and c.metadata["nbgrader"].get("grade")}
            solutions = [grade_id(c) for c in nb.cells if grade_id(c) and c.metadata["nbgrader"].get("solution")]
            assert list(tests) == [e.tests_id for e in exercises], (kind, lang)
            assert solutions == [s for e in exercises for s in e.solution_ids], (kind, lang)
            for e in exercises:
                cell = tests[e.tests_id]
                assert cell.metadata["nbgrader"]["points"] == e.points
                assert manifest.fingerprint(cell.source) == e.tests_sha256[lang], (kind, lang, e.id)


@pytest.mark.parametrize("lang", LANGS)
def test_grader_and_in_notebook_check_agree_on_points(root, fresh_build, lang):
    from coursekit.checks import notebook
    from grader import release

    from coursekit import manifest
    known = _manifest(root, fresh_build)
    if not REAL_CHAPTERS:  # the in-notebook check reads the installed kit's manifest
        pytest.skip("the in-notebook check grades the installed course")
    for stem in STEMS:
        path = root / "course" / lang / f"{stem}.ipynb"
        plan = release.read_release(json.loads(path.read_text(encoding="utf-8")), known)
        mine = notebook.check(path=path, namespace={}, quiet=True)
        graded = [(e.id, e.points) for e in plan.exercises]
        if not graded:
            assert mine is None  # a chapter without exercises: nothing to check
            continue
        assert [(e.exercise, e.points) for e in mine.exercises] == graded
        assert mine.max_score == plan.max_score == sum(e.points for e in manifest.for_notebook(plan.chapter))
        assert [c[:2] for e in plan.exercises for c in e.calls] == \
            [(e.check_module, e.check_function) for e in known.for_notebook(plan.chapter) for _ in e.calls()]


def test_build_refuses_a_tests_cell_the_manifest_cannot_describe(tmp_path):
    import build_course
    head = "---\nchainrule:\n  chapter: ch99\n  title: {en: a, zh: b}\n---\n\n"
    sol = ("```{code-cell} ipython3\n---\nexercise: {id: f, role: solution}\n---\ndef f(x):\n"
           "    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n```\n\n")
    for tests, says in (("assert f(1) == 1\n", "exactly one course check"),
                        ("from coursekit.checks import ch01\nch01.check_forward_difference(f)\n",
                         "one in ### BEGIN HIDDEN TESTS"),
                        ("from coursekit.checks import ch01\nch01.check_forward_difference(f, hidden=True)\n"
                         "### BEGIN HIDDEN TESTS\nch01.check_forward_difference(f, hidden=True)\n"
                         "### END HIDDEN TESTS\n", "the only keyword")):
        src = tmp_path / "src"
        src.mkdir(exist_ok=True)
        (src / "ch99_bad.md").write_text(
            head + sol + "```{code-cell} ipython3\n---\nexercise: {id: f, role: tests, points: 1}\n---\n"
            + tests + "```\n", encoding="utf-8")
        with pytest.raises(build_course.ChapterError, match=says):
            build_course.build(src, tmp_path / "out", quiet=True)
    (src / "ch99_bad.md").write_text(head + sol.replace("role: solution}", "role: solution, uses: [torch]}"),
                                     encoding="utf-8")
    with pytest.raises(build_course.ChapterError, match="uses of 'f'"):
        build_course.build(src, tmp_path / "out", quiet=True)
