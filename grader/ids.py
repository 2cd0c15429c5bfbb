"""Student ids and file names that are safe as folder names, and never merge two into one.

An id names a student's row in every output and their folder under ``OUT/feedback/``. Cleaning a
name for the file system loses information ("Jane Doe", "Jane_Doe" and "Jane?Doe" all clean to
``Jane_Doe``) and so does shortening it; either could put two students into one row, with one's id
and the other's score. So: an id is shortened only with a hash of the whole text appended, and
:func:`assign` gives each student of a batch their own id, adding the LMS user id or a hash of what
identifies them when two students' cleaned names meet. The same input always gives the same id,
so a resumed batch finds its rows again.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter

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


def assign(students) -> dict:
    """``{key: student id}`` for ``students``, an iterable of ``(key, readable, suffix)``: ``key``
    is what makes the student unique in this batch (an LMS user id, a folder's exact name),
    ``readable`` what their id is made from, ``suffix`` what tells two of the same name apart in
    words (the LMS user id) or "" (then a hash of the key does). Distinct keys get distinct ids."""
    first = {}
    for key, readable, suffix in students:
        first.setdefault(key, (readable, suffix))
    base = {key: safe_id(readable) for key, (readable, _) in first.items()}
    shared = Counter(base.values())
    ids = {key: base[key] if shared[base[key]] == 1 else safe_id(f"{base[key]}-{first[key][1] or digest(key, 8)}")
           for key in first}
    # a suffixed id can still meet another student's id ("a b" -> a_b-1 next to a folder named
    # "a_b-1"): those get a hash of their key, which distinct keys never share
    while len(set(ids.values())) < len(ids):
        taken = Counter(ids.values())
        ids = {key: i if taken[i] == 1 else safe_id(f"{i}-{digest(key)}") for key, i in ids.items()}
    return ids
