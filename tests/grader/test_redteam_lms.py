"""Red team, class 6 of issue 15: who a file belongs to, and what the grader writes about it.

A student controls the name of the file they upload, their own folders inside a Moodle submission,
and the text of their notebook; they do not control the names the LMS gives. Each test below is an
attack that worked on the grader before this suite existed:

- spoofing: a file name shaped like another LMS's naming takes another student's LMS id;
- merging: two students whose ids share their first 80 characters (or clean to the same folder
  name) become one row, with one's id and the other's score;
- formulas: a cell the grader writes that starts with ``=``, ``+``, ``-``, ``@``, tab or CR is run
  by a spreadsheet (OWASP, "CSV Injection"), in any of the CSVs the grader writes;
- lost files: a notebook over the size limit (or a file that is not a notebook) got no row at all.

The fast tests call the grader's functions; the last one runs ``python -m grader grade`` on a
small class with every attack at once (one chapter of solutions, so it takes seconds, not minutes).
"""
from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # grader/ is not an installed package
sys.path.insert(0, str(REPO / "tests" / "course"))

from grader import batch, lms, report  # noqa: E402

NB = json.dumps({"cells": [], "metadata": {"chainrule": {"chapter": "ch03", "lang": "en"}},
                 "nbformat": 4, "nbformat_minor": 5}).encode()
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def make_zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def owners(subs):
    """``{source: (student_id, lms_user_id)}`` of a Collection."""
    return {s.source: (s.student_id, s.lms_user_id) for s in subs}


# ---------------------------------------------------------------------- spoofing
def test_canvas_file_named_like_moodle_keeps_its_canvas_owner(tmp_path):
    # Jane (Canvas user 12345) uploads "Bob Smith_999_assignsubmission_file_ch03_mlp.ipynb":
    # Canvas prefixes it with Jane's fields; the rest is Jane's text and must not be read as an id.
    spoof = "doejane_12345_67890_Bob Smith_999_assignsubmission_file_ch03_mlp.ipynb"
    z = make_zip(tmp_path / "canvas.zip", {spoof: NB, "smithbob_999_67891_ch03_mlp.ipynb": NB})
    subs = lms.collect(z)
    assert owners(subs)[spoof] == ("doejane", "12345")
    jane = next(s for s in subs if s.source == spoof)
    assert (jane.lms, jane.filename) == ("canvas", "Bob Smith_999_assignsubmission_file_ch03_mlp.ipynb")
    assert owners(subs)["smithbob_999_67891_ch03_mlp.ipynb"] == ("smithbob", "999")


def test_a_lone_spoofed_canvas_file_does_not_turn_the_archive_into_moodle(tmp_path):
    spoof = "doejane_12345_67890_Bob Smith_999_assignsubmission_file_.ipynb"
    (s,) = lms.collect(make_zip(tmp_path / "one.zip", {spoof: NB}))
    assert (s.lms, s.student_id, s.lms_user_id) == ("canvas", "doejane", "12345")


def test_moodle_flat_file_named_like_another_participant_keeps_its_owner(tmp_path):
    # "download as folders" off: Moodle names the file <full name>_<id>_assignsubmission_file_<file>;
    # Jane's own file name imitates Bob's prefix (Moodle turns '_' in names into spaces, so the
    # LMS's name field never holds an underscore).
    spoof = "Jane Doe_12_assignsubmission_file_Bob Smith_99_assignsubmission_file_ch03_mlp.ipynb"
    canvas_shaped = "Jane Doe_12_assignsubmission_file_smithbob_99_555_ch03_mlp.ipynb"
    z = make_zip(tmp_path / "moodle.zip", {spoof: NB, canvas_shaped: NB,
                                            "Bob Smith_99_assignsubmission_file_ch03_mlp.ipynb": NB})
    subs = lms.collect(z)
    assert owners(subs)[spoof] == ("Jane_Doe", "12")
    assert owners(subs)[canvas_shaped] == ("Jane_Doe", "12")
    assert {s.lms for s in subs} == {"moodle"}


def test_moodle_folder_inside_a_submission_is_the_students_own_folder(tmp_path):
    # Jane uploads a folder named like Bob's Moodle folder: her file is still hers.
    inner = "Jane Doe_12_assignsubmission_file/Bob Smith_99_assignsubmission_file_/ch03_mlp.ipynb"
    subs = lms.collect(make_zip(tmp_path / "m.zip", {inner: NB}))
    assert owners(subs)[inner] == ("Jane_Doe", "12")


def test_student_folder_holding_a_moodle_shaped_folder_stays_with_its_student(tmp_path):
    root = tmp_path / "subs"
    for who in ("alice", "bob"):
        (root / who).mkdir(parents=True)
    (root / "bob" / "ch03_mlp.ipynb").write_bytes(NB)
    (root / "alice" / "Bob Smith_99_assignsubmission_file_").mkdir()
    (root / "alice" / "Bob Smith_99_assignsubmission_file_" / "ch03_mlp.ipynb").write_bytes(NB)
    subs = lms.collect(root)
    assert owners(subs)["alice/Bob Smith_99_assignsubmission_file_/ch03_mlp.ipynb"] == ("alice", "")
    assert {s.lms for s in subs} == {"folder"}
    # the same class as a zip
    z = make_zip(tmp_path / "class.zip", {"alice/Bob Smith_99_assignsubmission_file_/ch03_mlp.ipynb": NB,
                                          "bob/ch03_mlp.ipynb": NB})
    assert owners(lms.collect(z))["alice/Bob Smith_99_assignsubmission_file_/ch03_mlp.ipynb"] == ("alice", "")


def test_anonymous_canvas_file_with_digits_in_its_name_gets_no_user_id(tmp_path):
    # anonymous grading: Canvas gives no user id; digits in the student's own file name are not one
    z = make_zip(tmp_path / "anon.zip", {"anon_Xy3Zq_444_12345_67_ch03_mlp.ipynb": NB,
                                         "anon_Ab9Cd_445_ch03_mlp.ipynb": NB})
    assert owners(lms.collect(z))["anon_Xy3Zq_444_12345_67_ch03_mlp.ipynb"] == ("anon_Xy3Zq", "")


# ---------------------------------------------------------------------- merging
def test_canvas_names_sharing_80_characters_stay_two_students(tmp_path):
    stem = "x" * 85
    z = make_zip(tmp_path / "long.zip", {f"{stem}a_111_1_ch03_mlp.ipynb": NB, f"{stem}b_222_2_ch03_mlp.ipynb": NB})
    subs = lms.collect(z)
    assert len({s.student_id for s in subs}) == 2
    assert sorted(s.lms_user_id for s in subs) == ["111", "222"]
    rows = [{"student_id": s.student_id, "student_name": s.student_name, "lms_user_id": s.lms_user_id,
             "notebook": "ch03_mlp", "score": score} for s, score in zip(subs, (3, 7))]
    lms.write_canvas_csv(tmp_path / "canvas.csv", rows, ["ch03_mlp"])
    with open(tmp_path / "canvas.csv", newline="", encoding="utf-8") as f:
        got = {r["ID"]: r["ch03_mlp"] for r in csv.DictReader(f)}
    assert got == {subs[0].lms_user_id: "3", subs[1].lms_user_id: "7"}  # each keeps their own score


def test_folder_names_sharing_80_characters_stay_two_students(tmp_path):
    root = tmp_path / "subs"
    for tail in ("one", "two"):
        (root / ("y" * 90 + tail)).mkdir(parents=True)
        (root / ("y" * 90 + tail) / "ch03_mlp.ipynb").write_bytes(NB)
    subs = lms.collect(root)
    ids = [s.student_id for s in subs]
    assert len(set(ids)) == 2 and all(len(i) <= 80 for i in ids)


def test_folder_names_that_clean_to_the_same_id_stay_two_students(tmp_path):
    root = tmp_path / "subs"
    for who in ("Jane Doe", "Jane_Doe", "Jane?Doe"):
        (root / who).mkdir(parents=True)
        (root / who / "ch03_mlp.ipynb").write_bytes(NB)
    assert len({s.student_id for s in lms.collect(root)}) == 3


def test_safe_id_never_shortens_two_ids_into_one():
    a, b = "z" * 100 + "1", "z" * 100 + "2"
    assert lms.safe_id(a) != lms.safe_id(b)
    assert all(len(lms.safe_id(t)) <= 80 for t in (a, b))
    assert lms.safe_id(a) == lms.safe_id(a)  # stable from run to run: a resumed batch finds its rows


def test_feedback_pages_of_two_long_file_names_do_not_overwrite_each_other(tmp_path):
    rows = [_row("alice", f"alice/{'n' * 120}{k}.ipynb", notebook=f"{'n' * 120}{k}", status="unreadable")
            for k in (1, 2)]
    batch.write_outputs(tmp_path, rows, {})
    assert len(list((tmp_path / "feedback" / "alice").glob("*.html"))) == 2


# ---------------------------------------------------------------------- formulas
def _row(student, file, notebook="ch03_mlp", status="graded", score=1.0, max_score=2.0, **extra):
    return {"student_id": student, "file": file, "sha256": "0" * 64, "notebook": notebook, "chapter": "ch03",
            "language": "en", "status": status, "score": score, "max_score": max_score, "detail": "",
            "exercises": [], "seconds": 1.0, "student_name": "", "lms_user_id": "", **extra}


HOSTILE = [
    _row("alice", "=HYPERLINK(\"http://evil.example\",\"x\").ipynb", student_name="@SUM(1+1)*cmd|' /C calc'!A0",
         detail="+cmd|' /C calc'!A0", lms_user_id="-1+1",
         exercises=[{"id": "affine_backward", "grade_id": "affine_backward_tests", "points": 2.0, "score": 1.0,
                     "status": "failed", "category": "sign", "message": "=1+2 is what you returned"}]),
    _row("bob", "\t=1+1.ipynb", notebook="=2+2", detail="\r=3+3", student_name="-2+3", max_score=4.0),
]


def _cells(path: Path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        for line in csv.reader(f):
            yield from line


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def test_no_csv_the_grader_writes_holds_a_formula(tmp_path):
    rows = [dict(r) for r in HOSTILE]
    batch.write_outputs(tmp_path, rows, {})
    with open(tmp_path / "results.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    report.build_report(tmp_path, "en")
    written = sorted(tmp_path.rglob("*.csv"))
    assert {p.name for p in written} >= {"grades.csv", "canvas_grades.csv", "grades_wide.csv", "exercises.csv"}
    texts = []
    for path in written:
        for cell in _cells(path):
            texts.append(cell)
            assert not cell.startswith(DANGEROUS) or _is_number(cell), f"{path.name}: formula cell {cell!r}"
    joined = "\n".join(texts)  # neutralised, not deleted: the instructor still sees what was sent
    for text in ("'=HYPERLINK(", "'@SUM(1+1)", "'+cmd|", "'\t=1+1.ipynb", "'\r=3+3", "'=2+2", "'-2+3", "'=1+2"):
        assert text in joined, text


def test_the_canvas_and_wide_csv_headers_and_ids_are_neutralised_too(tmp_path):
    lms.write_canvas_csv(tmp_path / "c.csv", HOSTILE, {"ch03_mlp": "=Chapter 3", "=2+2": "@ch"})
    lms.write_wide_csv(tmp_path / "w.csv", HOSTILE, ["ch03_mlp", "=2+2"])
    for name in ("c.csv", "w.csv"):
        for cell in _cells(tmp_path / name):
            assert not cell.startswith(DANGEROUS) or _is_number(cell), (name, cell)


# ---------------------------------------------------------------------- lost files
BIG = json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": "x" * (25 * lms.MiB)}],
                  "metadata": {"chainrule": {"chapter": "ch03", "lang": "en"}},
                  "nbformat": 4, "nbformat_minor": 5}).encode()


def test_an_oversized_notebook_is_a_submission_with_status_too_large(tmp_path):
    root = tmp_path / "subs"
    for who in ("alice", "bob", "carol"):
        (root / who).mkdir(parents=True)
    (root / "alice" / "ch03_mlp.ipynb").write_bytes(BIG)
    (root / "bob" / "ch03_mlp.ipynb").write_bytes(NB)
    (root / "carol" / "notes.pdf").write_bytes(b"%PDF-1.4")
    subs, skipped = batch.find_submissions(root)
    by = {s.file: s for s in subs}
    assert set(by) == {"alice/ch03_mlp.ipynb", "bob/ch03_mlp.ipynb", "carol/notes.pdf"}
    assert by["alice/ch03_mlp.ipynb"].status == "too_large" and "20 MiB" in by["alice/ch03_mlp.ipynb"].detail
    assert by["carol/notes.pdf"].status == "not_notebook"
    assert by["bob/ch03_mlp.ipynb"].status == "" and by["bob/ch03_mlp.ipynb"].data == NB
    z = make_zip(tmp_path / "canvas.zip", {"doejane_1_2_ch03_mlp.ipynb": BIG, "smithbob_3_4_ch03_mlp.ipynb": NB})
    big = next(s for s in lms.collect(z) if s.student_id == "doejane")
    assert (big.status, big.lms_user_id, big.data) == ("too_large", "1", b"")


# ---------------------------------------------------------------------- one batch, every attack
def _grade(subs: Path, out: Path, solutions: Path) -> subprocess.CompletedProcess:
    from grading_class import env
    cmd = [sys.executable, "-m", "grader", "grade", str(subs), "--out", str(out), "--solutions", str(solutions),
           "--jobs", "2", "--exercise-timeout", "30", "--timeout", "120", "--lang", "en"]
    return subprocess.run(cmd, cwd=REPO, env=env(), capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from grading_class import honest, put
    tmp = tmp_path_factory.mktemp("redteam_lms")
    solutions = tmp / "solutions" / "en"
    solutions.mkdir(parents=True)
    (solutions / "ch00_getting_started.ipynb").write_bytes(
        (REPO / "solutions" / "en" / "ch00_getting_started.ipynb").read_bytes())
    subs = tmp / "subs"
    ch00 = honest("ch00_getting_started.ipynb", "en")
    put(subs, "honest", ch00, "ch00_getting_started.ipynb")
    put(subs, "big", BIG, "ch00_getting_started.ipynb")
    put(subs, "pdf", b"%PDF-1.4", "notes.pdf")
    put(subs, "=SUM(1+1)", ch00, "=HYPERLINK(\"evil\").ipynb")
    (subs / "spoof" / "Bob Smith_99_assignsubmission_file_").mkdir(parents=True)  # the student's own folder
    put(subs, "spoof", ch00, "Bob Smith_99_assignsubmission_file_/ch00_getting_started.ipynb")
    put(subs, "q" * 90 + "one", ch00, "ch00_getting_started.ipynb")
    put(subs, "q" * 90 + "two", b"{}", "ch00_getting_started.ipynb")
    out = tmp / "out"
    proc = _grade(subs, out, tmp / "solutions")
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {"proc": proc, "out": out, "rows": rows, "subs": subs, "solutions": tmp / "solutions"}


def test_batch_every_file_has_one_row_with_its_own_status(graded):
    assert graded["proc"].returncode == 0, graded["proc"].stderr[-3000:]
    by = {r["file"]: r for r in graded["rows"]}
    assert len(graded["rows"]) == 7
    big = by["big/ch00_getting_started.ipynb"]
    assert (big["student_id"], big["status"], big["score"]) == ("big", "too_large", "")
    assert "20 MiB" in big["detail"]
    assert by["pdf/notes.pdf"]["status"] == "not_notebook"
    assert by["honest/ch00_getting_started.ipynb"]["score"] == by["honest/ch00_getting_started.ipynb"]["max_score"]
    summary = json.loads((graded["out"] / "batch.json").read_text(encoding="utf-8"))
    assert summary["statuses"]["too_large"] == 1 and summary["statuses"]["not_notebook"] == 1
    assert any(s["source"] == "big/ch00_getting_started.ipynb" and s["status"] == "too_large"
               for s in summary["skipped"])
    assert "1 too_large" in graded["proc"].stderr
    page = (graded["out"] / "feedback" / "big" / "ch00_getting_started.html").read_text(encoding="utf-8")
    assert "too large" in page and "20 MiB" in page and "太大" in page  # en and zh: the language is unknown
    problems = json.loads((graded["out"] / "report" / "report.json").read_text(encoding="utf-8"))["problems"]
    assert {p["status"] for p in problems} >= {"too_large", "not_notebook"}


def test_batch_long_names_spoofing_and_formulas(graded):
    rows = graded["rows"]
    longs = [r for r in rows if r["file"].startswith("q" * 90)]
    assert len({r["student_id"] for r in longs}) == 2
    assert {r["status"] for r in longs} == {"graded", "unreadable"}  # each keeps their own result
    spoof = next(r for r in rows if "assignsubmission" in r["file"])
    assert spoof["student_id"] == "spoof"
    for path in graded["out"].rglob("*.csv"):
        for cell in _cells(path):
            assert not cell.startswith(DANGEROUS) or _is_number(cell), (path.name, cell)
    formula = next(r for r in rows if "HYPERLINK" in r["file"])
    assert formula["file"].startswith("'=SUM(1+1)/") and formula["status"] == "graded"


def test_batch_resumed_grades_nothing_again_and_keeps_the_rows(graded):
    again = _grade(graded["subs"], graded["out"], graded["solutions"])
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads((graded["out"] / "batch.json").read_text(encoding="utf-8"))["graded_now"] == 0
    with open(graded["out"] / "grades.csv", newline="", encoding="utf-8") as f:
        assert list(csv.DictReader(f)) == graded["rows"]
