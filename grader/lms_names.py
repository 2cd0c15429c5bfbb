"""Whose file is this: read from the names the LMS gives, never from the names the student chose.

A submission's path has two kinds of text. The LMS's fields come first and are the only ones
that name a student:

- Canvas (flat): ``<name>[_LATE]_<user id>_<attachment id>_<file>``, anonymous grading
  ``[LATE_]anon_<anonymous id>_<attachment id>_<file>``. Canvas removes ``_<digits>_`` from the
  name, so that the first ``_<digits>_<digits>_`` ends its fields (it reads them back the same
  way when a teacher uploads graded files: canvas-lms ``lib/content_zipper.rb``).
- Moodle: a folder ``<full name>_<participant id>_assignsubmission_<plugin>[_]`` per student and
  plugin, or with "download as folders" off, flat ``<full name>_<id>_assignsubmission_<plugin>_<file>``.
  Moodle turns every ``_`` in the name into a space, so the name field holds no underscore
  (``mod/assign/classes/downloader.php``: ``get_student_prefix``).
- A folder per student (the instructor's own layout): the first folder is the student.

Everything after those fields — the file name a student uploaded, the folders they made inside
a Moodle submission — is the student's text, and is never parsed for an id. That text can
imitate another LMS's fields ("doejane_1_2_Bob Smith_99_assignsubmission_file_x.ipynb"), so the
LMS is decided once for the whole archive (:func:`detect`), then every entry is read with that
LMS's pattern only (:func:`owner`).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

CANVAS = re.compile(r"^(?P<name>.*?)(?P<late>_LATE)?_(?P<uid>\d+)_(?P<aid>\d+)_(?P<file>.+)$")
CANVAS_ANON = re.compile(r"^(?P<late>LATE_)?anon_(?P<anon>[^_]+)_(?P<aid>\d+)_(?P<file>.+)$")
MOODLE_DIR = re.compile(r"^(?P<name>[^_]+)_(?P<uid>\d+)_assignsubmission_(?P<plugin>[a-z0-9]+)_?$")
MOODLE_FLAT = re.compile(r"^(?P<name>[^_]+)_(?P<uid>\d+)_assignsubmission_(?P<plugin>[a-z0-9]+)_(?P<file>.+)$")
RESUBMITTED = re.compile(r"-\d+(?=\.ipynb$)", re.I)

# the schemes, in the order that settles a tie of votes; each with its flat patterns, in the order
# that settles a tie within one name (an anonymous Canvas id may be all digits: then the anonymous
# and the named pattern end at the same place, and the anonymous one is Canvas's literal "anon_")
SCHEMES = ("moodle", "canvas", "folder")
FLAT = {"moodle": (MOODLE_FLAT,), "canvas": (CANVAS_ANON, CANVAS)}
DESCRIBED = {"moodle": "a Moodle download", "canvas": "a Canvas download", "folder": "a folder per student"}


@dataclass(frozen=True)
class Owner:
    """The student an entry belongs to, from the LMS's fields alone."""
    lms: str            # "canvas", "moodle" or "folder"
    key: str            # unique per student in the archive: "canvas:12345", "moodle:678", "folder:<name>"
    readable: str       # what the student id is made from: Canvas's name slug, Moodle's full name, the folder
    name: str           # the full name when the LMS gives it (Moodle), else ""
    user_id: str        # Canvas user id / Moodle participant id, "" for a folder or anonymous Canvas
    filename: str       # the file's own name (Canvas's -1/-2 resubmission suffix removed)
    late: bool = False  # Canvas marked it LATE
    plugin: str = "file"  # Moodle's submission plugin: "file" for uploads, "onlinetext" for typed text


def _first_fields(name: str, patterns):
    """The match, among ``patterns``, whose naming fields end first in ``name``, or None."""
    found = [m for rx in patterns if (m := rx.match(name))]
    return min(found, key=lambda m: m.start("file")) if found else None  # min keeps the first of a tie


def _flat_votes(name: str) -> list:
    """The flat schemes whose fields, in this one file name, end first. A genuine name's own LMS
    fields end before the student's text begins; another LMS's pattern can only match by reaching
    into that text, so it ends later."""
    ends = {scheme: m.start("file") for scheme, patterns in FLAT.items() if (m := _first_fields(name, patterns))}
    return [s for s, end in ends.items() if end == min(ends.values())] if ends else []


def detect(paths) -> str:
    """The naming scheme of a whole archive or folder, from every entry's path (a tuple of parts,
    any wrapper folder removed): the scheme most entries vote for. An entry in a folder votes
    ``moodle`` when the folder is named like Moodle's, else ``folder``; a file at the top votes
    for the flat schemes of :func:`_flat_votes`. A student's own text never decides a vote."""
    votes = Counter()
    for parts in paths:
        if len(parts) >= 2:
            votes["moodle" if MOODLE_DIR.match(parts[0]) else "folder"] += 1
        else:
            votes.update(_flat_votes(parts[0]))
    if not votes:
        return "folder"
    return max(SCHEMES, key=lambda s: (votes[s], -SCHEMES.index(s)))


def owner(scheme: str, parts) -> Owner | None:
    """The student of one entry under the archive's scheme, or None (not named like the rest)."""
    first, filename = parts[0], parts[-1]
    if scheme == "folder":
        return Owner("folder", "folder:" + first, first, "", "", filename) if len(parts) >= 2 else None
    if scheme == "moodle":
        m = MOODLE_DIR.match(first) if len(parts) >= 2 else MOODLE_FLAT.match(first)
        if not m:
            return None
        return Owner("moodle", "moodle:" + m["uid"], m["name"], m["name"], m["uid"],
                     filename if len(parts) >= 2 else m["file"], plugin=m["plugin"])
    m = _first_fields(first, FLAT["canvas"]) if len(parts) == 1 else None
    if not m:
        return None
    filename = RESUBMITTED.sub("", m["file"])
    if m.re is CANVAS_ANON:
        return Owner("canvas", "canvas-anon:" + m["anon"], "anon_" + m["anon"], "", "", filename, bool(m["late"]))
    return Owner("canvas", "canvas:" + m["uid"], m["name"] or m["uid"], "", m["uid"], filename, bool(m["late"]))


def looks_named(parts) -> bool:
    """Whether an entry at the top is named by some LMS (used to tell a wrapper folder from a student's)."""
    return len(parts) == 1 and bool(_flat_votes(parts[0]))
