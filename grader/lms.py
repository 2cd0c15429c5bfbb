"""Submissions in from an LMS, grades out to one: pure functions, no grading.

``collect(path)`` reads every submitted file into memory from
1. a folder with one subfolder per student (``SUBMISSIONS/<student>/**/*.ipynb``, today's layout);
2. a Canvas "Download Submissions" zip: flat, one file per attachment, named
   ``<name>[_LATE]_<user id>_<attachment id>_<file name>``, or ``[LATE_]anon_<id>_<attachment id>_<file>``
   for an anonymous assignment; ``<name>`` is the sortable name lower-cased without non-word characters
   ("Doe, Jane" -> ``doejane``); a resubmitted file gets ``-1``, ``-2`` before its extension (canvas-lms
   ``lib/content_zipper.rb``: ``get_filename``, ``add_upload_submission``, ``sanitize_user_name``);
3. a Moodle "Download all submissions" zip: a folder per student and plugin,
   ``<full name>_<participant id>_assignsubmission_file[_]/<path>/<file>`` (underscores in the name become
   spaces; ``..._assignsubmission_onlinetext`` holds typed text), or flat files
   ``<full name>_<id>_assignsubmission_file_<file>`` with "download as folders" off (Moodle
   ``mod/assign/classes/downloader.php``: ``get_student_prefix``, ``load_submissionplugin_filelist``);
4. a zip of a folder per student, possibly inside one wrapper folder.
Which of these an archive is, and whose each file is, is decided by :mod:`grader.lms_names` from
the LMS's own naming fields only, once for the whole archive: never from the part of a name the
student chose. Student ids come from :mod:`grader.ids`: never shortened or cleaned into each other.
nbgrader does this with ``nbgrader zip_collect`` and a ``FileNameCollector`` plugin, a named-group regular
expression giving ``student_id`` and ``file_id`` per file name (nbgrader docs, ``plugins/zipcollect-plugin.rst``);
here the Canvas and Moodle patterns are built in, and nothing is extracted to disk.

Every file that belongs to a student is a Submission, so that it gets a row in the grades: a
notebook to grade (``status`` ""), or one that cannot be graded with a ``status`` and a ``detail`` in
plain words (``too_large``, ``not_notebook``, ``unreadable``), its ``data`` left unread.
Zip safety: members with absolute paths, ``..``, drive letters, and symlinks are skipped unread; each
member is read with a size cap (the declared size can lie); total bytes and member count are capped;
archives inside the archive are not opened. What belongs to no student (a file outside any student
folder, an unsafe path) is listed in ``Collection.skipped`` with a reason (only ``__MACOSX``,
``.ipynb_checkpoints`` and dotfiles are dropped silently).

``write_canvas_csv`` writes a file for Canvas "Grades > Import": Student, ID, SIS User ID, SIS Login ID,
Section, then one column per assignment, "Name (assignment id)" to fill an existing assignment, a new
name creates one; Canvas matches a line by ID (the Canvas user id) or name (Canvas Instructor Guide,
"How do I import grades in the Gradebook?"; Ohio State, "Import a CSV file into Carmen Grades").
Every CSV goes through :mod:`grader.csvsafe` (no cell runs as a formula).
"""
from __future__ import annotations

import dataclasses
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import csvsafe, ids, lms_names
from .ids import safe_id  # noqa: F401 - part of this module's interface

MiB = 1 << 20
ARCHIVES = (".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar")


@dataclass(frozen=True)
class Limits:
    member_bytes: int = 20 * MiB     # one notebook, uncompressed
    total_bytes: int = 2048 * MiB    # everything read from one zip or folder
    members: int = 20000             # entries in one zip


@dataclass(frozen=True)
class Submission:
    student_id: str        # a safe folder name
    student_name: str      # "" when the LMS does not give it (Canvas gives a slug only)
    lms_user_id: str       # Canvas user id / Moodle participant id, "" for a plain folder
    filename: str          # the name the student uploaded (Canvas's -1/-2 resubmission suffix removed)
    data: bytes = field(repr=False)
    source: str            # where it came from: the member path in the zip, or the path in the folder
    late: bool = False     # Canvas marked it LATE
    lms: str = "folder"    # "folder", "canvas" or "moodle"
    status: str = ""       # "" to grade; else why it cannot be: "too_large", "not_notebook", "unreadable"
    detail: str = ""       # that reason in plain words (data is then b"")


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


class Collection(list):
    """The submissions found (a list of Submission), with ``skipped`` (list of Skipped) and ``ids``
    (``{student key: id}``, the earlier batches' and this one's: what the next batch must keep)."""
    def __init__(self, items=(), skipped=(), ids=None):
        super().__init__(items)
        self.skipped = list(skipped)
        self.ids = dict(ids or {})


def _ignored(parts) -> bool:
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _unsafe(name: str) -> bool:
    return (name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) is not None
            or ".." in name.replace("\\", "/").split("/"))


def _entries_from_zip(path: Path, limits: Limits, skipped: list):
    """``[(parts, source, read)]`` for the zip's regular files; ``read()`` gives bytes or ValueError."""
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise ValueError(f"{path} is not a readable zip file ({e}). Download it again from Canvas or Moodle "
                         f"(an interrupted download leaves a broken file), or unzip it yourself and pass "
                         f"the folder instead.") from None
    if len(infos) > limits.members:
        raise ValueError(f"{path} holds {len(infos)} entries, more than the limit of {limits.members}: this "
                         f"looks like a zip bomb. If it is genuine, raise Limits.members.")
    if not any(not i.is_dir() for i in infos):
        raise ValueError(f"{path} is an empty zip file (no files in it). Check that you downloaded the "
                         f"submissions of the right assignment, and that the download finished.")
    entries = []
    for info in infos:
        name, parts = info.filename, tuple(p for p in info.filename.replace("\\", "/").split("/") if p)
        reason = ("unsafe path (absolute or with '..'): not read" if _unsafe(name) else
                  None if info.is_dir() or _ignored(parts) else
                  "symbolic link: not followed" if stat.S_ISLNK(info.external_attr >> 16) else
                  "encrypted: cannot be read" if info.flag_bits & 0x1 else "")
        if reason:
            skipped.append(Skipped(name, reason))
        elif reason == "":
            entries.append((parts, name, lambda info=info: _capped(zf.open(info), limits)))
    return entries, zf


def _entries_from_folder(root: Path, limits: Limits, skipped: list):
    entries = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for fn in sorted(filenames):
            full = Path(dirpath) / fn
            rel = full.relative_to(root).as_posix()
            if full.is_symlink() or not full.is_file():
                if not _ignored(rel.split("/")):
                    skipped.append(Skipped(rel, "symbolic link or special file: not followed"))
                continue
            entries.append((tuple(rel.split("/")), rel, lambda full=full: _capped(full.open("rb"), limits)))
    return entries


class TooLarge(ValueError):
    """A file over ``Limits.member_bytes``."""


def _capped(stream, limits: Limits) -> bytes:
    """At most ``member_bytes`` from a stream, or TooLarge: never trust a declared size."""
    with stream as f:
        data = f.read(limits.member_bytes + 1)
    if len(data) > limits.member_bytes:
        raise TooLarge(f"larger than {limits.member_bytes // MiB} MiB")
    return data


def _strip_wrapper(entries):
    """Remove one outer folder shared by every entry (a zipped ``submissions/`` folder), repeatedly,
    while what is under it still looks like student folders or LMS-named files."""
    while entries and all(len(e[0]) >= 2 for e in entries):
        first = {e[0][0] for e in entries}
        if len(first) != 1 or lms_names.MOODLE_DIR.match(next(iter(first))):
            break
        inner = [(e[0][1:], *e[1:]) for e in entries]
        if not (all(len(e[0]) >= 2 for e in inner) or any(lms_names.looks_named(e[0]) for e in inner)):
            break
        entries = inner
    return entries


def _not_gradable(owner, limits: Limits, total: int):
    """``(status, detail)`` for a file of a student that is not read, or None to read it."""
    name = owner.filename
    if owner.plugin != "file":
        return "not_notebook", (f"text typed into Moodle ('{owner.plugin}'), not an uploaded notebook: "
                                f"not graded")
    if name.lower().endswith(ARCHIVES):
        return "not_notebook", (f"{name} is an archive; archives inside the submissions are not opened. "
                                f"Submit the .ipynb file itself")
    if not name.lower().endswith(".ipynb"):
        return "not_notebook", f"{name} is not a Jupyter notebook (.ipynb): not graded"
    if total >= limits.total_bytes:
        return "too_large", (f"not read: this batch reached its limit of {limits.total_bytes // MiB} MiB in "
                             f"total before this file. Grade the rest in a second batch")
    return None


def _too_large(limits: Limits) -> str:
    # the advice to the student (clear the outputs) is in the feedback page's text for too_large
    return f"larger than the limit of {limits.member_bytes // MiB} MiB for one notebook: not graded"


def collect(path, limits: Limits = Limits(), known_ids: dict | None = None) -> Collection:
    """Every file that a student submitted under ``path`` (a folder or a zip), read into memory: a
    Collection (Submissions sorted by student and source; a notebook to grade, or with a status
    saying why it cannot be) whose ``skipped`` says what belongs to no student and why.
    ValueError, in plain words, for a path that is neither a folder nor a readable zip, or an empty zip.
    ``known_ids``: the ids an earlier batch gave (:func:`grader.ids.assign`); ``Collection.ids`` all of them."""
    path = Path(path)
    skipped: list = []
    zf = None
    if path.is_dir():
        entries = _entries_from_folder(path, limits, skipped)
    elif path.is_file():
        entries, zf = _entries_from_zip(path, limits, skipped)
        entries = _strip_wrapper(entries)
    else:
        raise ValueError(f"{path} does not exist. Pass the folder of submissions (one subfolder per student) "
                         f"or the zip downloaded from Canvas or Moodle.")
    entries = [e for e in entries if not _ignored(e[0])]
    scheme = lms_names.detect(e[0] for e in entries)
    found, total = [], 0
    try:
        for parts, source, read in entries:
            who = lms_names.owner(scheme, parts)
            if who is None:
                skipped.append(Skipped(source, f"not named like the rest of this archive "
                                               f"({lms_names.DESCRIBED[scheme]}): no student to give it to"))
                continue
            status, detail, data = "", "", b""
            problem = _not_gradable(who, limits, total)
            if problem:
                status, detail = problem
            else:
                try:
                    data = read()
                except TooLarge:
                    status, detail = "too_large", _too_large(limits)
                except (ValueError, OSError, zipfile.BadZipFile, EOFError, RuntimeError, NotImplementedError) as e:
                    status, detail = "unreadable", f"could not be read from the archive or folder: {e}"
            total += len(data)
            found.append((who, Submission("", who.name, who.user_id, who.filename, data, source, who.late,
                                          who.lms, status, detail)))
    finally:
        if zf is not None:
            zf.close()
    student_ids = ids.assign(((who.key, who.readable, who.user_id) for who, _ in found), known_ids)
    subs = [dataclasses.replace(sub, student_id=student_ids[who.key]) for who, sub in found]
    return Collection(sorted(subs, key=lambda s: (s.student_id, s.source)), skipped,
                      {**(known_ids or {}), **student_ids})


# ---------------------------------------------------------------------- grades out
def _num(x):
    """A score for the CSV: rounded to 4 decimals, written as a number by csvsafe; None when absent."""
    if x is None or x == "":
        return None
    return round(float(x), 4)


def _per_student(rows, canvas_only=False):
    """``{student_id: {"name", "uid", "scores": {notebook: best score}}}``; a student with several files
    for one notebook (both languages, a resubmission) keeps the best score. ``canvas_only``: the uid is
    a Canvas user id or empty (a Moodle participant id in Canvas's ID column would name someone else)."""
    out = {}
    for r in rows:
        st = out.setdefault(r["student_id"], {"name": "", "uid": "", "scores": {}})
        st["name"] = st["name"] or r.get("student_name") or ""
        if not canvas_only or r.get("lms", "canvas") == "canvas":
            st["uid"] = st["uid"] or str(r.get("lms_user_id") or "")
        score = r.get("score")
        if score not in (None, ""):
            nb = r["notebook"]
            st["scores"][nb] = max(float(score), st["scores"].get(nb, float("-inf")))
    return out


def late_flag(sub: Submission) -> str:
    """``"yes"``/``"no"`` for a Canvas file (Canvas puts ``LATE`` in the name of a late one), ``""`` where
    the LMS does not say (a folder; Moodle's download names carry no lateness). Neither LMS's file names
    carry the submission time, so none is read: the zip's member dates are not documented as that time."""
    return ("yes" if sub.late else "no") if sub.lms == "canvas" else ""


CANVAS_ID = re.compile(r"^[0-9]{1,20}$")


def parse_canvas_assignments(pairs=(), mapping_file=None) -> dict:
    """``{chapter or notebook: Canvas assignment id}`` from ``--canvas-assignment ch03=12345`` (repeatable)
    and a mapping file (one ``ch03=12345`` a line; blank lines and ``#`` comments allowed).
    ValueError, in plain words, for anything else."""
    items = [(str(p), "--canvas-assignment") for p in pairs]
    if mapping_file is not None:
        try:
            text = Path(mapping_file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            raise ValueError(f"cannot read the Canvas assignment mapping {mapping_file}: {e}") from None
        items += [(line.split("#", 1)[0].strip(), f"{mapping_file} line {i}")
                  for i, line in enumerate(text.splitlines(), 1) if line.split("#", 1)[0].strip()]
    out, by_id = {}, {}
    for item, where in items:
        key, sep, cid = (x.strip() for x in item.partition("="))
        if not sep or not key or not CANVAS_ID.match(cid):
            raise ValueError(f"{where}: {item!r} is not CHAPTER=ID (e.g. ch03=12345, the number at the end of "
                             f"the assignment's Canvas address .../assignments/12345)")
        if out.get(key, cid) != cid:
            raise ValueError(f"{where}: {key} is given two Canvas assignments, {out[key]} and {cid}")
        if by_id.get(cid, key) != key:
            raise ValueError(f"{where}: Canvas assignment {cid} is given to both {by_id[cid]} and {key}")
        out[key], by_id[cid] = cid, key
    return out


def canvas_columns(rows, canvas_assignments: dict) -> tuple[dict, dict]:
    """``({notebook: column header}, {notebook: points possible})`` for the graded notebooks of ``rows``.
    A notebook whose chapter (``ch03``) or name (``ch03_mlp``) has a Canvas assignment id gets Canvas's
    ``Name (id)`` header, which fills that existing assignment; another keeps its name, and Canvas
    creates an assignment of that name on import."""
    notebooks, points = {}, {}
    for r in rows:
        if r.get("max_score") not in (None, ""):
            notebooks.setdefault(r["notebook"], r.get("chapter", ""))
            points[r["notebook"]] = max(points.get(r["notebook"], 0.0), float(r["max_score"]))
    columns = {}
    for nb, chapter in sorted(notebooks.items()):
        cid = canvas_assignments.get(chapter) or canvas_assignments.get(nb)
        columns[nb] = f"{nb} ({cid})" if cid else nb
    return columns, points


def write_canvas_csv(path, rows, assignment_columns, points_possible=None) -> list:
    """Write a Canvas gradebook import file; return the student ids that have no Canvas user id
    (Canvas can then only match them by name: check them after the import).

    rows: dicts with student_id, student_name, lms_user_id, notebook, score, and ``lms`` ("canvas",
    "moodle", "folder"; absent: taken as Canvas): only a Canvas user id goes into the ID column.
    assignment_columns: ``{notebook: column header}``, e.g. ``{"ch03_mlp": "Chapter 3 (123456)"}`` with
    the Canvas assignment id in brackets to fill an existing assignment, or a list of notebooks (the
    notebook name is the header: Canvas creates such an assignment on import).
    points_possible: optional ``{notebook: max score}``, written as Canvas's "Points Possible" row.
    """
    cols = dict(assignment_columns) if isinstance(assignment_columns, dict) else {n: n for n in assignment_columns}
    students = _per_student(rows, canvas_only=True)
    fixed = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csvsafe.Writer(f)
        w.writerow(fixed + list(cols.values()))
        if points_possible:
            w.writerow(["Points Possible", "", "", "", ""] + [_num(points_possible.get(n)) for n in cols])
        for sid, st in sorted(students.items(), key=lambda kv: (kv[1]["name"] or kv[0]).lower()):
            w.writerow([st["name"] or sid, st["uid"], "", "", ""]
                       + [_num(st["scores"].get(n)) for n in cols])
    return sorted(sid for sid, st in students.items() if not st["uid"])


def write_wide_csv(path, rows, notebooks=None) -> None:
    """``grades_wide.csv``: one line per student, one column per notebook, and the total."""
    students = _per_student(rows)
    notebooks = list(notebooks) if notebooks else sorted({r["notebook"] for r in rows})
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csvsafe.Writer(f)
        w.writerow(["student_id", "student_name", "lms_user_id"] + notebooks + ["total"])
        for sid, st in sorted(students.items()):
            scores = [st["scores"].get(n) for n in notebooks]
            w.writerow([sid, st["name"], st["uid"]] + [_num(s) for s in scores]
                       + [_num(sum(s for s in scores if s is not None))])
