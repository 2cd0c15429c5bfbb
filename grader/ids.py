"""Student ids and file names that are safe as folder names, and never merge two into one.

An id names a student's row in every output and their folder under ``OUT/feedback/``. Cleaning a
name for the file system loses information ("Jane Doe", "Jane_Doe" and "Jane?Doe" all clean to
``Jane_Doe``) and so does shortening it; either could put two students into one row, with one's id
and the other's score. So: an id is shortened only with a hash of the whole text appended, and
:func:`assign` gives each student of a batch their own id, adding the LMS user id or a hash of what
identifies them when two students' cleaned names meet. The same input always gives the same id,
so a resumed batch finds its rows again; and the ids a batch gave are kept in the output folder
(``OUT/student_ids.json``), so a re-grade into it gives every student the same id again, whoever
else has joined.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections import Counter
from pathlib import Path

MAX_ID = 80      # characters in a student id
DIGEST = 10      # hex digits of sha256 that stand for the part cut off


def digest(text: str, n: int = DIGEST) -> str:
    return hashlib.sha256(str(text).encode("utf-8", "surrogatepass")).hexdigest()[:n]


def shorten(text: str, limit: int, whole=None) -> str:
    """``text`` if it fits in ``limit`` characters, else its start, ``-`` and a hash of ``whole``
    (default: ``text``), so that two long texts that share their start stay apart."""
    if len(text) <= limit:
        return text
    tag = digest(text if whole is None else whole)
    return text[:limit - len(tag) - 1].rstrip("._- ") + "-" + tag


def safe_id(text: str) -> str:
    """A folder name made of letters (any script), digits and ``-_.``, at most ``MAX_ID`` characters;
    never empty, ``.`` or ``..``. A longer one keeps its start and ends in a hash of the whole text."""
    text = unicodedata.normalize("NFC", str(text))
    out = re.sub(r"_+", "_", "".join(c if c.isalnum() or c in "-_." else "_" for c in text)).strip("._-")
    return shorten(out, MAX_ID, text) or "student"


def assign(students, known: dict | None = None) -> dict:
    """``{key: student id}`` for ``students``, an iterable of ``(key, readable, suffix)``: ``key``
    is what makes the student unique in this batch (an LMS user id, a folder's exact name),
    ``readable`` what their id is made from, ``suffix`` what tells two of the same name apart in
    words (the LMS user id) or "" (then a hash of the key does). Distinct keys get distinct ids.

    ``known`` ``{key: id}`` are the ids an earlier batch into the same output gave (see
    :func:`load_known`): those students keep theirs, and nobody new gets one of them. Without it a
    student's id would depend on who else is in the batch: a namesake arriving at a re-grade would
    move a student to a new id, away from the hand grades an instructor gave the old one."""
    known = dict(known or {})
    first = {}
    for key, readable, suffix in students:
        first.setdefault(key, (readable, suffix))
    ids = {key: known[key] for key in first if key in known}
    reserved = set(known.values())
    new = [key for key in first if key not in known]
    base = {key: safe_id(first[key][0]) for key in new}
    shared = Counter(base.values())
    for key in new:
        clash = shared[base[key]] > 1 or base[key] in reserved
        ids[key] = safe_id(f"{base[key]}-{first[key][1] or digest(key, 8)}") if clash else base[key]
    # a suffixed id can still meet another student's id ("a b" -> a_b-1 next to a folder named
    # "a_b-1"): those new ones get a hash of their key, which distinct keys never share
    while True:
        taken = Counter(ids.values()) + Counter(i for k, i in known.items() if k not in ids)
        moving = [key for key in new if taken[ids[key]] > 1]
        if not moving:
            return ids
        for key in moving:
            ids[key] = safe_id(f"{ids[key]}-{digest(key)}")


def load_known(path) -> dict:
    """The ``{key: id}`` map an earlier batch saved with :func:`save_known` ({} when there is none).
    ValueError, in plain words, when the file is damaged: guessing the ids again could attach a
    student's hand grades to someone else."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        data = e
    ok = (isinstance(data, dict) and all(isinstance(k, str) and isinstance(v, str) and v == safe_id(v)
                                         for k, v in data.items())
          and len(set(data.values())) == len(data))
    if not ok:
        raise ValueError(f"{path} is damaged (it keeps each student's id across re-grades, so that hand "
                         f"grades stay with their student). Restore it from a backup, or delete it to let "
                         f"the ids be derived again from the names.")
    return data


def save_known(path, known: dict) -> None:
    """Write the ``{key: id}`` map atomically (a crash leaves the old file or the new one)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(known, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
