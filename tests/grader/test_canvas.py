"""canvas_grades.csv as Canvas's gradebook import reads it, and grades.csv's late flag.

Canvas's import file (Canvas Instructor Guide, "How do I import grades in the Gradebook?"; Ohio State,
"Import a CSV file into Carmen Grades"): the columns Student, ID, SIS User ID, SIS Login ID, Section,
then one column per assignment; "Name (assignment id)" fills that existing assignment, any other name
creates one; a row whose first cell is "Points Possible" gives each assignment's points; a line is
matched to a student by ID (the Canvas user id), else by name."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile

import nbformat
import pytest

from grading_class import REPO, blank, honest
from grader import lms, sandbox
from grader.cli import _warn_without_canvas_id

CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
PYPATH = os.pathsep.join([str(REPO / "src"), str(REPO)])


def _row(student, chapter, notebook, lang, score, max_score, name="", uid=""):
    return {"student_id": student, "student_name": name, "lms_user_id": uid, "chapter": chapter,
            "notebook": notebook, "language": lang, "score": score, "max_score": max_score, "file": f"{student}/x"}


def _read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_canvas_file_fills_existing_assignments_field_by_field(tmp_path):
    rows = [_row("doejane", "ch01", "ch01_derivatives", "zh", 5.0, 5.0, uid="1234"),
            _row("doejane", "ch03", "ch03_mlp", "en", 7.5, 12.0, uid="1234"),
            _row("Bob Smith", "ch01", "ch01_derivatives", "en", 2.0, 5.0, name="Bob Smith", uid="99"),
            _row("Bob Smith", "ch01", "ch01_derivatives", "zh", 4.0, 5.0, name="Bob Smith", uid="99"),
            _row("folder_kid", "ch03", "ch03_mlp", "en", 0.0, 12.0),
            {**_row("moodle_kid", "ch03", "ch03_mlp", "en", 12.0, 12.0, name="Ann Lee", uid="55"), "lms": "moodle"},
            {**_row("folder_kid", "", "notes", "", "", ""), "status": "not_notebook"}]   # no score: no column
    columns, points = lms.canvas_columns(rows, {"ch03": "12345", "ch01_derivatives": "777"})
    without = lms.write_canvas_csv(tmp_path / "canvas.csv", rows, columns, points)
    table = _read(tmp_path / "canvas.csv")
    assert table[0] == CANVAS_FIXED + ["ch01_derivatives (777)", "ch03_mlp (12345)"]
    assert table[1] == ["Points Possible", "", "", "", "", "5", "12"]
    lines = {r[0]: r for r in table[2:]}
    assert len(table) == 6 and set(lines) == {"Ann Lee", "Bob Smith", "doejane", "folder_kid"}
    # Student, ID, SIS User ID, SIS Login ID, Section, then the scores; a student's best language counts
    assert lines["Bob Smith"] == ["Bob Smith", "99", "", "", "", "4", ""]
    assert lines["doejane"] == ["doejane", "1234", "", "", "", "5", "7.5"]
    assert lines["folder_kid"] == ["folder_kid", "", "", "", "", "", "0"]
    assert lines["Ann Lee"] == ["Ann Lee", "", "", "", "", "", "12"]  # a Moodle id is not a Canvas id
    assert without == ["folder_kid", "moodle_kid"]


def test_unmapped_chapters_keep_their_name_and_canvas_creates_them(tmp_path):
    rows = [_row("a", "ch02", "ch02_graphs", "en", 1.0, 8.0, uid="5")]
    columns, points = lms.canvas_columns(rows, {"ch03": "12345"})
    assert (columns, points) == ({"ch02_graphs": "ch02_graphs"}, {"ch02_graphs": 8.0})


def test_canvas_assignment_mapping_from_flags_and_a_file(tmp_path):
    f = tmp_path / "canvas.txt"
    f.write_text("# chapter = Canvas assignment id\nch01=111\n\n  ch02 = 222  # graphs\n", encoding="utf-8")
    assert lms.parse_canvas_assignments(["ch03=333"], f) == {"ch03": "333", "ch01": "111", "ch02": "222"}
    assert lms.parse_canvas_assignments(["ch03=333", "ch03=333"]) == {"ch03": "333"}
    for bad, said in [(["ch03"], "is not CHAPTER=ID"), (["ch03=abc"], "is not CHAPTER=ID"), (["=12"], "CHAPTER=ID"),
                      (["ch03=1", "ch03=2"], "two Canvas assignments"), (["ch03=1", "ch04=1"], "both ch03 and ch04")]:
        with pytest.raises(ValueError, match=said):
            lms.parse_canvas_assignments(bad)
    with pytest.raises(ValueError, match="cannot read"):
        lms.parse_canvas_assignments([], tmp_path / "missing.txt")


def test_late_flag_where_the_lms_says_it(tmp_path):
    z = tmp_path / "canvas.zip"
    with zipfile.ZipFile(z, "w") as zf:
        nb = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
        zf.writestr("doejane_1_2_hw.ipynb", nb)
        zf.writestr("roebob_LATE_3_4_hw.ipynb", nb)
        zf.writestr("LATE_anon_x7_5_hw.ipynb", nb)
    assert {s.student_id: lms.late_flag(s) for s in lms.collect(z)} == {"doejane": "no", "roebob": "yes",
                                                                         "anon_x7": "yes"}
    (tmp_path / "folder" / "kid").mkdir(parents=True)
    (tmp_path / "folder" / "kid" / "hw.ipynb").write_text(nb)
    assert [lms.late_flag(s) for s in lms.collect(tmp_path / "folder")] == [""]  # a folder does not say


def test_warning_lists_students_without_a_canvas_id(tmp_path, capsys):
    _warn_without_canvas_id([f"s{i:02d}" for i in range(25)], tmp_path)
    err = capsys.readouterr().err
    assert "25 student(s) have no Canvas user id" in err and "s00, s01" in err and "s19 and 5 more" in err
    assert "s20" not in err and "canvas_without_id" in err
    _warn_without_canvas_id([], tmp_path)
    assert capsys.readouterr().err == ""


def _grade(subs, out, *flags):
    return subprocess.run([sys.executable, "-m", "grader", "grade", str(subs), "--out", str(out), "--jobs", "2",
                           *flags], cwd=REPO, env=dict(os.environ, PYTHONPATH=PYPATH), capture_output=True,
                          text=True, timeout=600)


def test_bad_canvas_flags_stop_before_grading(tmp_path):
    (tmp_path / "subs" / "kid").mkdir(parents=True)
    proc = _grade(tmp_path / "subs", tmp_path / "out", "--canvas-assignment", "chapter three")
    assert proc.returncode == 2 and "is not CHAPTER=ID" in proc.stderr
    proc = _grade(tmp_path / "subs", tmp_path / "out", "--canvas-assignment", "ch99=5")
    assert proc.returncode == 2 and "ch99 is not a chapter or notebook of this course" in proc.stderr
    assert not (tmp_path / "out" / "results.jsonl").exists()


@pytest.mark.skipif(sandbox.probe()["mechanism"] != "bwrap", reason="bubblewrap sandbox unavailable here")
def test_a_canvas_zip_round_trip(tmp_path):
    """A Canvas download in; canvas_grades.csv, grades.csv and the gradebook out, as Canvas and
    nbgrader read them."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("doejane_1234_5678_ch00_getting_started.ipynb",
                   nbformat.writes(honest("ch00_getting_started.ipynb", "zh")))
        z.writestr("roebob_LATE_4321_8765_ch00_getting_started-1.ipynb",
                   nbformat.writes(blank("ch00_getting_started.ipynb", "en")))
    (tmp_path / "canvas.zip").write_bytes(buf.getvalue())
    out = tmp_path / "out"
    proc = _grade(tmp_path / "canvas.zip", out, "--canvas-assignment", "ch00=4242")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "no Canvas user id" not in proc.stderr   # every student of a Canvas zip has one
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert (rows["doejane"]["late"], rows["roebob"]["late"]) == ("no", "yes")
    assert (rows["doejane"]["language"], rows["roebob"]["language"]) == ("zh", "en")
    max_score = rows["doejane"]["max_score"]
    table = _read(out / "canvas_grades.csv")
    assert table[0] == CANVAS_FIXED + ["ch00_getting_started (4242)"]
    assert table[1] == ["Points Possible", "", "", "", "", max_score]
    assert sorted(table[2:]) == [["doejane", "1234", "", "", "", max_score], ["roebob", "4321", "", "", "", "0"]]
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", course_id="chainrule") as gb:
        chapters = sorted({nb.name[:4] for nb in (REPO / "solutions").glob("*/*.ipynb")})
        assert [a.name for a in gb.assignments] == chapters   # one per chapter, not one per language
        assert {s.id: s.lms_user_id for s in gb.students} == {"doejane": "1234", "roebob": "4321"}
        assert gb.find_submission("ch00", "doejane").score == float(max_score)
    for student, lang in (("doejane", "zh"), ("roebob", "en")):
        nb = json.loads((out / "autograded" / student / "ch00" / "ch00_getting_started.ipynb").read_text("utf-8"))
        assert nb["metadata"]["chainrule"]["lang"] == lang
    # a folder per student has no Canvas ids: the command says who, and batch.json lists them
    (tmp_path / "subs" / "kid").mkdir(parents=True)
    nbformat.write(blank("ch00_getting_started.ipynb", "en"), str(tmp_path / "subs" / "kid" / "hw.ipynb"))
    proc = _grade(tmp_path / "subs", tmp_path / "out2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "warning: 1 student(s) have no Canvas user id" in proc.stderr and ": kid (" in proc.stderr
    assert json.loads((tmp_path / "out2" / "batch.json").read_text())["canvas_without_id"] == ["kid"]
