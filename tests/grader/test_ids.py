"""grader/ids.py and grader/lms_names.py: one student, one id; the LMS read from the archive as a whole."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # grader/ is not an installed package

from grader import ids, lms_names  # noqa: E402


def test_assign_keeps_readable_ids_and_tells_namesakes_apart_by_user_id():
    got = ids.assign([("canvas:1", "leeamy", "1"), ("canvas:2", "leeamy", "2"), ("canvas:3", "doejane", "3"),
                      ("canvas:1", "leeamy", "1")])  # a second file of the same student
    assert got == {"canvas:1": "leeamy-1", "canvas:2": "leeamy-2", "canvas:3": "doejane"}


def test_assign_gives_distinct_ids_even_when_a_suffixed_id_meets_another_students_id():
    folders = ["a b", "a?b", "a_b-" + ids.digest("folder:a b", 8), "a_b"]
    got = ids.assign([("folder:" + f, f, "") for f in folders])
    assert len(set(got.values())) == len(folders)
    assert got == ids.assign([("folder:" + f, f, "") for f in folders])  # the same on every run


def test_known_ids_stay_with_their_students_whoever_joins():
    first = ids.assign([("canvas:11", "doejane", "11"), ("canvas:33", "roebob", "33")])
    assert first == {"canvas:11": "doejane", "canvas:33": "roebob"}
    # a re-grade adds a namesake, and Bob is absent this time: Jane keeps her id, nobody takes Bob's
    later = ids.assign([("canvas:11", "doejane", "11"), ("canvas:22", "doejane", "22"),
                        ("canvas:44", "roebob", "44")], known=first)
    assert later["canvas:11"] == "doejane"
    assert later["canvas:22"] == "doejane-22" and later["canvas:44"] == "roebob-44"
    # without the earlier ids, the namesake would have moved her
    assert ids.assign([("canvas:11", "doejane", "11"), ("canvas:22", "doejane", "22")])["canvas:11"] != "doejane"


def test_known_ids_are_reserved_even_against_suffixed_and_hashed_ids():
    known = {"folder:x": "a_b-1", "folder:y": "a_b"}
    got = ids.assign([("folder:a b", "a b", "1"), ("folder:a?b", "a?b", "1"), ("folder:y", "a_b", "")], known)
    assert got["folder:y"] == "a_b"
    assert len(set(got.values()) | {"a_b-1"}) == len(got) + 1   # distinct, and none is x's "a_b-1"


def test_the_saved_ids_round_trip_and_a_damaged_file_is_refused_in_plain_words(tmp_path):
    path = tmp_path / "student_ids.json"
    assert ids.load_known(path) == {}
    ids.save_known(path, {"canvas:11": "doejane", "folder:李 雷": "李_雷"})
    assert ids.load_known(path) == {"canvas:11": "doejane", "folder:李 雷": "李_雷"}
    for damaged in ('{"canvas:1": "../../etc"}', '{"a": "x", "b": "x"}', "[1, 2]", '{"a": 5}', "{not json"):
        path.write_text(damaged, encoding="utf-8")
        with pytest.raises(ValueError, match="damaged.*delete it"):
            ids.load_known(path)


def test_shorten_keeps_short_text_and_tells_long_texts_apart():
    assert ids.shorten("abc", 10) == "abc"
    a, b = ids.shorten("n" * 150 + "1", 100), ids.shorten("n" * 150 + "2", 100)
    assert a != b and len(a) == len(b) == 100


@pytest.mark.parametrize("paths, scheme", [
    ([("doejane_1_2_a.ipynb",), ("smithbob_3_4_b.ipynb",)], "canvas"),
    ([("anon_Xy3Zq_444_a.ipynb",), ("anon_12345_445_b.ipynb",)], "canvas"),
    ([("Jane Doe_1_assignsubmission_file", "a.ipynb"), ("stray.ipynb",)], "moodle"),
    ([("Jane Doe_1_assignsubmission_file_a.ipynb",)], "moodle"),
    ([("alice", "a.ipynb"), ("bob", "x", "b.ipynb")], "folder"),
    ([("loose.ipynb",)], "folder"),
    # every file imitates the other LMS after its own fields: each still votes for its own
    ([("doejane_1_2_Bob_9_assignsubmission_file_a.ipynb",)], "canvas"),
    ([("Jane Doe_1_assignsubmission_file_bob_9_8_a.ipynb",)], "moodle"),
])
def test_detect_reads_the_archive_as_a_whole(paths, scheme):
    assert lms_names.detect(paths) == scheme


def test_an_entry_not_named_like_its_archive_has_no_owner():
    assert lms_names.owner("moodle", ("stray.ipynb",)) is None
    assert lms_names.owner("canvas", ("alice", "a.ipynb")) is None  # Canvas downloads are flat
    assert lms_names.owner("folder", ("doejane_1_2_a.ipynb",)) is None


def test_anonymous_canvas_id_made_of_digits_stays_anonymous():
    who = lms_names.owner("canvas", ("anon_12345_445_ch03.ipynb",))
    assert (who.key, who.user_id, who.filename) == ("canvas-anon:12345", "", "ch03.ipynb")
