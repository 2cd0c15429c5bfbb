"""The grading round trip through ``python -m grader grade`` (one batch for the whole session),
and the build's input checks."""
from __future__ import annotations

import re

import pytest

from conftest import LANGS, STEMS
from course_helpers import read


def _row(graded, student, file):
    rows = [r for r in graded["rows"] if r["student_id"] == student and r["file"].endswith(file)]
    assert len(rows) == 1, (student, file, graded["rows"])
    return rows[0]


def test_one_row_per_submitted_notebook(graded):
    assert len(graded["rows"]) == len(graded["expected"]) + 2
    for col in ("student_id", "notebook", "language", "score", "max_score", "status"):
        assert col in graded["rows"][0]
    assert "grading" in graded["stderr"]  # the progress bar


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("stem", STEMS)
def test_honest_student_scores_full_marks_and_blank_scores_zero(graded, stem, lang):
    for (student, file), (s, l) in graded["expected"].items():
        if (s, l) != (stem, lang):
            continue
        row = _row(graded, student, file)
        assert (row["notebook"], row["language"], row["status"]) == (stem, lang, "graded"), row
        if stem.startswith("ch00") and float(row["max_score"]) == 0:
            continue  # a chapter without graded exercises
        assert float(row["max_score"]) > 0
        if student.startswith("honest"):
            assert float(row["score"]) == float(row["max_score"]), row
        else:
            assert float(row["score"]) == 0, row


def test_broken_and_unknown_files_do_not_stop_the_batch(graded):
    assert _row(graded, "broken", "homework.ipynb")["status"] == "unreadable"
    assert _row(graded, "stranger", "mine.ipynb")["status"] == "unknown_chapter"
    assert (graded["out"] / "feedback" / "broken" / "homework.html").exists()


def test_feedback_pages_never_show_hidden_tests(graded, root):
    hidden = set()
    for lang in LANGS:
        for stem in STEMS:
            for cell in read(root / "solutions" / lang / f"{stem}.ipynb").cells:
                m = re.search(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S)
                if m:
                    hidden |= {l.strip() for l in m.group(1).splitlines() if len(l.strip()) > 20}
    pages = list((graded["out"] / "feedback").glob("*/*.html"))
    assert len(pages) == len(graded["rows"])
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "HIDDEN TESTS" not in text
        leaked = [h for h in hidden if h in text]
        assert not leaked, f"{page} shows hidden test code: {leaked[:3]}"


def test_feedback_is_in_the_notebooks_language(graded):
    for lang, marker in (("en", "Feedback"), ("zh", "评分反馈")):
        page = graded["out"] / "feedback" / f"blank-{lang}" / f"{STEMS[-1]}.html"
        assert marker in page.read_text(encoding="utf-8")


def test_build_rejects_broken_chapters(tmp_path):
    import build_course
    bad = tmp_path / "ch99_bad.md"
    bad.write_text(
        "---\nchainrule:\n  chapter: ch99\n  title: {en: a, zh: b}\n---\n\n"
        "```{code-cell} ipython3\n---\nexercise: {id: f, role: tests}\n---\nassert True\n```\n",
        encoding="utf-8")
    with pytest.raises(build_course.ChapterError, match="points"):
        build_course.build(tmp_path, tmp_path / "out", quiet=True)
