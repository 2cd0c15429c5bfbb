"""grader/lms.py: submissions in from Canvas and Moodle zips and folders, grades out as CSV."""
from __future__ import annotations

import csv
import json
import stat
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # grader/ is not an installed package

from grader import lms  # noqa: E402

NB = json.dumps({"cells": [], "metadata": {"chainrule": {"chapter": "ch03", "lang": "en"}},
                 "nbformat": 4, "nbformat_minor": 5}).encode()


def make_zip(path, members, symlinks=()):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in symlinks:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def by_source(subs):
    return {s.source: s for s in subs}


def test_canvas_zip_names_late_and_resubmission(tmp_path):
    z = make_zip(tmp_path / "submissions.zip", {
        "doejane_12345_67890_ch03_mlp.ipynb": NB,
        "smithbob_LATE_222_333_ch03_mlp-1.ipynb": NB,
        "anon_Xy3Zq_444_ch03_mlp-2.ipynb": NB,
        "LATE_anon_Ab9Cd_555_ch03_mlp.ipynb": NB,
        "doejane_12345_67891_notes.pdf": b"%PDF-1.4",
        "doejane_12345_text.html": b"<p>typed</p>",
    })
    subs = lms.collect(z)
    got = by_source(subs)
    jane = got["doejane_12345_67890_ch03_mlp.ipynb"]
    assert (jane.student_id, jane.lms_user_id, jane.filename, jane.late, jane.lms) == \
        ("doejane", "12345", "ch03_mlp.ipynb", False, "canvas")
    assert jane.data == NB
    bob = got["smithbob_LATE_222_333_ch03_mlp-1.ipynb"]
    assert (bob.student_id, bob.lms_user_id, bob.filename, bob.late) == ("smithbob", "222", "ch03_mlp.ipynb", True)
    anon = got["anon_Xy3Zq_444_ch03_mlp-2.ipynb"]
    assert (anon.student_id, anon.lms_user_id, anon.filename) == ("anon_Xy3Zq", "", "ch03_mlp.ipynb")
    assert got["LATE_anon_Ab9Cd_555_ch03_mlp.ipynb"].late
    assert len(subs) == 5 and [s.status for s in subs].count("") == 4
    pdf = got["doejane_12345_67891_notes.pdf"]  # a row of its own, not read
    assert (pdf.student_id, pdf.status, pdf.data) == ("doejane", "not_notebook", b"")
    assert "notes.pdf is not a Jupyter notebook" in pdf.detail
    reasons = {s.source: s.reason for s in subs.skipped}
    assert "doejane_12345_text.html" in reasons  # a text entry: reported, not lost


def test_canvas_same_name_slug_for_two_users_gets_two_folders(tmp_path):
    z = make_zip(tmp_path / "s.zip", {"leeamy_1_10_a.ipynb": NB, "leeamy_2_20_a.ipynb": NB})
    assert sorted(s.student_id for s in lms.collect(z)) == ["leeamy-1", "leeamy-2"]


def test_moodle_zip_folders_nested_and_onlinetext(tmp_path):
    z = make_zip(tmp_path / "moodle.zip", {
        "Jane Doe_12345_assignsubmission_file_/ch03_mlp.ipynb": NB,
        "Jane Doe_12345_assignsubmission_file_/work/old/ch03_draft.ipynb": NB,
        "Jane Doe_12345_assignsubmission_onlinetext_/onlinetext.html": b"<p>hi</p>",
        "张 三_678_assignsubmission_file/ch03_mlp.ipynb": NB,       # Moodle 4: no trailing underscore
        "Bob Smith_999_assignsubmission_file_ch03_mlp.ipynb": NB,   # "download as folders" off
        "__MACOSX/Jane Doe_12345_assignsubmission_file_/._ch03_mlp.ipynb": b"junk",
    })
    subs = lms.collect(z)
    got = {(s.student_id, s.filename): s for s in subs}
    assert set(got) == {("Jane_Doe", "ch03_mlp.ipynb"), ("Jane_Doe", "ch03_draft.ipynb"), ("Jane_Doe", "onlinetext.html"),
                        ("张_三", "ch03_mlp.ipynb"), ("Bob_Smith", "ch03_mlp.ipynb")}
    jane = got[("Jane_Doe", "ch03_mlp.ipynb")]
    assert (jane.student_name, jane.lms_user_id, jane.lms) == ("Jane Doe", "12345", "moodle")
    assert got[("张_三", "ch03_mlp.ipynb")].student_name == "张 三"
    text = got[("Jane_Doe", "onlinetext.html")]   # typed text: a row of its own, not graded
    assert (text.status, text.source) == ("not_notebook", "Jane Doe_12345_assignsubmission_onlinetext_/onlinetext.html")
    assert "onlinetext" in text.detail and subs.skipped == []


def test_zip_of_student_folders_with_a_wrapper_folder(tmp_path):
    z = make_zip(tmp_path / "class.zip", {
        "submissions/alice/ch03_mlp.ipynb": NB,
        "submissions/alice/extra/ch01_derivatives.ipynb": NB,
        "submissions/bob/ch03_mlp.ipynb": NB,
        "submissions/bob/.ipynb_checkpoints/ch03_mlp-checkpoint.ipynb": NB,
        "submissions/.DS_Store": b"x",
    })
    subs = lms.collect(z)
    assert sorted((s.student_id, s.filename) for s in subs) == [
        ("alice", "ch01_derivatives.ipynb"), ("alice", "ch03_mlp.ipynb"), ("bob", "ch03_mlp.ipynb")]
    assert all(s.lms == "folder" for s in subs) and subs.skipped == []
    assert "submissions/alice/extra/ch01_derivatives.ipynb" in {s.source for s in subs}  # the path in the zip


def test_zipped_canvas_folder_is_still_canvas(tmp_path):
    z = make_zip(tmp_path / "c.zip", {"submissions/doejane_1_2_ch03_mlp.ipynb": NB})
    (s,) = lms.collect(z)
    assert (s.student_id, s.lms) == ("doejane", "canvas")


def test_folder_layout_nested_checkpoints_symlinks_and_unsafe_names(tmp_path):
    root = tmp_path / "subs"
    (root / "alice" / "deep" / "er").mkdir(parents=True)
    (root / "alice" / "deep" / "er" / "ch03_mlp.ipynb").write_bytes(NB)
    (root / "alice" / ".ipynb_checkpoints").mkdir()
    (root / "alice" / ".ipynb_checkpoints" / "ch03_mlp-checkpoint.ipynb").write_bytes(NB)
    (root / "bob; rm -rf ~").mkdir()
    (root / "bob; rm -rf ~" / "ch03_mlp.ipynb").write_bytes(NB)
    (root / "carol").mkdir()
    (root / "carol" / "link.ipynb").symlink_to(tmp_path / "secret.ipynb")
    (tmp_path / "secret.ipynb").write_bytes(NB)
    (root / "carol" / "answers.py").write_text("x = 1")
    (root / "loose.ipynb").write_bytes(NB)
    subs = lms.collect(root)
    assert sorted((s.student_id, s.source, s.status) for s in subs) == [
        ("alice", "alice/deep/er/ch03_mlp.ipynb", ""), ("bob_rm_-rf", "bob; rm -rf ~/ch03_mlp.ipynb", ""),
        ("carol", "carol/answers.py", "not_notebook")]
    reasons = {s.source: s.reason for s in subs.skipped}
    assert "symbolic link" in reasons["carol/link.ipynb"]
    assert "no student" in reasons["loose.ipynb"]


@pytest.mark.parametrize("raw, safe", [
    ("../../etc", "etc"), ("..", "student"), ("", "student"), (".hidden", "hidden"),
    ("a/b\\c", "a_b_c"), ("Jane Doe", "Jane_Doe"), ("李雷", "李雷"), ("x" * 80, "x" * 80),
    ("x" * 200, "x" * 69 + "-" + __import__("hashlib").sha256(b"x" * 200).hexdigest()[:10]),
])
def test_safe_id(raw, safe):
    assert lms.safe_id(raw) == safe


def test_zip_slip_and_symlink_members_are_skipped_not_read(tmp_path):
    z = make_zip(tmp_path / "evil.zip", {
        "../../evil.ipynb": NB, "/etc/evil.ipynb": NB, "alice/../../x.ipynb": NB,
        "C:\\evil.ipynb": NB, "alice/ok.ipynb": NB,
    }, symlinks=[("bob/link.ipynb", "/etc/passwd")])
    subs = lms.collect(z)
    assert [(s.student_id, s.filename) for s in subs] == [("alice", "ok.ipynb")]
    reasons = {s.source: s.reason for s in subs.skipped}
    for name in ("../../evil.ipynb", "/etc/evil.ipynb", "alice/../../x.ipynb", "C:\\evil.ipynb"):
        assert "unsafe path" in reasons[name]
    assert "symbolic link" in reasons["bob/link.ipynb"]
    assert not (tmp_path.parent / "evil.ipynb").exists()


def test_zip_bomb_member_over_the_cap_is_skipped(tmp_path):
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("alice/ch03_mlp.ipynb", "w") as f:
            chunk = b"\0" * lms.MiB
            for _ in range(30):  # 30 MiB of zeros, ~30 KiB compressed
                f.write(chunk)
        zf.writestr("bob/ch03_mlp.ipynb", NB)
    assert z.stat().st_size < lms.MiB
    subs = lms.collect(z)
    assert [(s.student_id, s.status) for s in subs] == [("alice", "too_large"), ("bob", "")]
    assert subs[0].data == b"" and "larger than the limit of 20 MiB" in subs[0].detail and subs.skipped == []
    small = lms.collect(z, lms.Limits(member_bytes=10))
    assert [s.status for s in small] == ["too_large", "too_large"]


def test_too_many_members_and_total_cap(tmp_path):
    z = make_zip(tmp_path / "many.zip", {f"s{i}/a.ipynb": NB for i in range(30)})
    with pytest.raises(ValueError, match="zip bomb"):
        lms.collect(z, lms.Limits(members=10))
    capped = lms.collect(z, lms.Limits(total_bytes=5 * len(NB)))
    assert [s.status for s in capped].count("") == 5
    assert all("limit of" in s.detail and "in total" in s.detail for s in capped if s.status == "too_large")
    assert len(capped) == 30  # every file has its row


def test_empty_corrupt_and_missing_inputs_say_what_to_do(tmp_path):
    empty = make_zip(tmp_path / "empty.zip", {})
    with pytest.raises(ValueError, match="empty zip file.*download finished"):
        lms.collect(empty)
    bad = tmp_path / "broken.zip"
    bad.write_bytes(make_zip(tmp_path / "ok.zip", {"a/b.ipynb": NB}).read_bytes()[:40])
    with pytest.raises(ValueError, match="not a readable zip file.*Download it again"):
        lms.collect(bad)
    (tmp_path / "zero.zip").write_bytes(b"")
    with pytest.raises(ValueError, match="not a readable zip file"):
        lms.collect(tmp_path / "zero.zip")
    with pytest.raises(ValueError, match="does not exist"):
        lms.collect(tmp_path / "nowhere")


def test_corrupt_member_is_skipped_with_the_reason(tmp_path):
    z = make_zip(tmp_path / "crc.zip", {"alice/a.ipynb": NB, "bob/b.ipynb": NB})
    raw = bytearray(z.read_bytes())
    i = raw.index(b"alice/a.ipynb") + len("alice/a.ipynb") + 3  # inside alice's compressed data
    raw[i] ^= 0xFF
    z.write_bytes(bytes(raw))
    subs = lms.collect(z)
    assert [(s.student_id, s.status) for s in subs] == [("alice", "unreadable"), ("bob", "")]
    assert subs[0].source == "alice/a.ipynb" and "could not be read" in subs[0].detail


ROWS = [
    {"student_id": "doejane", "student_name": "Jane Doe", "lms_user_id": "12345", "notebook": "ch03_mlp", "score": 9},
    {"student_id": "doejane", "student_name": "Jane Doe", "lms_user_id": "12345", "notebook": "ch01_derivatives",
     "score": 4.5},
    {"student_id": "doejane", "student_name": "Jane Doe", "lms_user_id": "12345", "notebook": "ch03_mlp", "score": 7},
    {"student_id": "smithbob", "student_name": "=HYPERLINK(\"x\")", "lms_user_id": "222", "notebook": "ch03_mlp",
     "score": 0},
    {"student_id": "carol", "student_name": "", "lms_user_id": "", "notebook": "ch01_derivatives", "score": ""},
]


def test_canvas_csv_round_trip(tmp_path):
    out = tmp_path / "canvas.csv"
    missing = lms.write_canvas_csv(out, ROWS, {"ch01_derivatives": "Chapter 1 (501)", "ch03_mlp": "Chapter 3 (503)"},
                                   points_possible={"ch01_derivatives": 5, "ch03_mlp": 14})
    assert missing == ["carol"]
    with open(out, newline="", encoding="utf-8") as f:
        lines = list(csv.DictReader(f))
    assert list(lines[0]) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                              "Chapter 1 (501)", "Chapter 3 (503)"]
    assert lines[0]["Student"] == "Points Possible" and lines[0]["Chapter 3 (503)"] == "14"
    people = {r["Student"]: r for r in lines[1:]}
    assert set(people) == {"Jane Doe", "'=HYPERLINK(\"x\")", "carol"}  # one line per student, no formula
    jane = people["Jane Doe"]
    assert (jane["ID"], jane["Chapter 1 (501)"], jane["Chapter 3 (503)"]) == ("12345", "4.5", "9")  # best score
    assert people["'=HYPERLINK(\"x\")"]["Chapter 3 (503)"] == "0"
    assert people["carol"]["ID"] == "" and people["carol"]["Chapter 1 (501)"] == ""


def test_canvas_csv_with_plain_notebook_columns_and_wide_csv(tmp_path):
    lms.write_canvas_csv(tmp_path / "c.csv", ROWS, ["ch03_mlp"])
    with open(tmp_path / "c.csv", newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header[-1] == "ch03_mlp"
    lms.write_wide_csv(tmp_path / "grades_wide.csv", ROWS)
    with open(tmp_path / "grades_wide.csv", newline="", encoding="utf-8") as f:
        wide = {r["student_id"]: r for r in csv.DictReader(f)}
    assert wide["doejane"]["total"] == "13.5" and wide["doejane"]["ch03_mlp"] == "9"
    assert wide["carol"]["total"] == "0" and wide["carol"]["ch01_derivatives"] == ""
