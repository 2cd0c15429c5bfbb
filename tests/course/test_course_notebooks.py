"""The generated notebooks: up to date, en/zh twins, clean course versions, and they execute."""
from __future__ import annotations

import filecmp

import pytest

from conftest import CHAPTERS_DIR, LANGS, NOTEBOOKS, REAL_CHAPTERS, REPO, STEMS
from course_helpers import code_skeleton, grade_id, read, strip_magics

# In a course notebook the exercises are blank: they raise NotImplementedError, and so may any
# later cell that calls them (a demo using the learner's function). Tests cells may also fail
# their checks (AssertionError, CheckFailed). Any other error is a bug in the chapter.
ALLOWED_ANYWHERE = {"NotImplementedError"}
ALLOWED_IN_TESTS = ALLOWED_ANYWHERE | {"AssertionError", "CheckFailed"}


def test_chapters_found():
    assert STEMS, "no chapter sources found"


def test_generated_notebooks_are_up_to_date(fresh_build, tmp_path):
    """A fresh build equals what is committed, byte for byte (real chapters); with only the
    fixture chapter, a second build equals the first (the build is deterministic)."""
    if REAL_CHAPTERS:
        committed = REPO
    else:
        import build_course
        build_course.build(CHAPTERS_DIR, tmp_path, quiet=True)
        committed = tmp_path
    for kind in ("solutions", "course"):
        fresh = sorted(p.relative_to(fresh_build) for p in (fresh_build / kind).glob("*/*.ipynb"))
        have = sorted(p.relative_to(committed) for p in (committed / kind).glob("*/*.ipynb"))
        assert have == fresh, f"{kind}/ holds other notebooks than a build makes: run make course"
        stale = [str(p) for p in fresh if not filecmp.cmp(fresh_build / p, committed / p, shallow=False)]
        assert not stale, f"stale generated notebooks (run make course): {stale}"


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _grades(nb):
    return [(grade_id(c), c.metadata["nbgrader"].get("points"), c.metadata["nbgrader"].get("solution"))
            for c in nb.cells if grade_id(c)]


@pytest.mark.parametrize("kind", ["solutions", "course"])
@pytest.mark.parametrize("stem", STEMS)
def test_language_twins_match(root, kind, stem):
    en, zh = (read(root / kind / lang / f"{stem}.ipynb") for lang in LANGS)
    assert en.metadata["chainrule"]["chapter"] == zh.metadata["chainrule"]["chapter"]
    assert (en.metadata["chainrule"]["lang"], zh.metadata["chainrule"]["lang"]) == LANGS
    assert _grades(en) == _grades(zh), "grade ids / points differ between en and zh"
    en_code, zh_code = _code_cells(en), _code_cells(zh)
    assert len(en_code) == len(zh_code), "different number of code cells"
    for i, (a, b) in enumerate(zip(en_code, zh_code)):
        assert code_skeleton(strip_magics(a.source)) == code_skeleton(strip_magics(b.source)), (
            f"code cell {i} differs beyond comments and strings:\n--- en\n{a.source}\n--- zh\n{b.source}")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("stem", STEMS)
def test_course_notebook_is_clean(root, lang, stem):
    nb = read(root / "course" / lang / f"{stem}.ipynb")
    assert nb.metadata["chainrule"]["lang"] == lang
    assert any(c.metadata.get("nbgrader", {}).get("grade") for c in nb.cells) or stem.startswith("ch00"), \
        "a chapter after 0 needs graded exercises"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "course notebooks carry no outputs"
        assert "BEGIN HIDDEN TESTS" not in cell.source and "BEGIN SOLUTION" not in cell.source


def _errors(nb):
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                yield i, cell, out


@pytest.mark.parametrize("kind,lang,stem", NOTEBOOKS)
def test_notebook_executes(executed, binder_env, kind, lang, stem):
    res = executed[(kind, lang, stem)]
    if binder_env is not None:   # learners run the notebooks in the Binder environment: so do we
        assert res["python"] == str(binder_env["python"])
    assert res["error"] is None, f"execution stopped: {res['error']}"
    nb = res["nb"]
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code" and c.source.strip()), \
        "not every code cell ran"
    for i, cell, out in _errors(nb):
        where = f"cell {i} ({out['ename']}: {out['evalue'][:300]})\n{cell.source[:400]}"
        if kind == "solutions":
            pytest.fail(f"solution notebook raised in {where}")
        meta = cell.metadata.get("nbgrader", {})
        allowed = ALLOWED_IN_TESTS if meta.get("grade") else ALLOWED_ANYWHERE
        assert out["ename"] in allowed, f"unexpected error in course notebook, {where}"
