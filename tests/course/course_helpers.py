"""Helpers for the course tests: chapter discovery, honest students, code comparison."""
from __future__ import annotations

import copy
import io
import re
import tokenize

import nbformat

_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def fill_solutions(course_nb, solutions_nb):
    """An honest student: the course notebook with each solution cell replaced, by grade id,
    by the solution notebook's cell (without the BEGIN/END SOLUTION marker lines)."""
    answers = {grade_id(c): c.source for c in solutions_nb.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    nb = copy.deepcopy(course_nb)
    filled = 0
    for cell in nb.cells:
        gid = grade_id(cell)
        if cell.metadata.get("nbgrader", {}).get("solution") and gid in answers:
            cell.source = "\n".join(l for l in answers[gid].splitlines() if not _MARKER.match(l))
            filled += 1
    assert filled == len(answers), f"filled {filled} of {len(answers)} solution cells"
    return nb


def code_skeleton(source: str) -> list[tuple[int, str]]:
    """The tokens of ``source`` without comments and with every string literal blanked
    (f-strings included), so that en/zh twins compare equal when only the words differ."""
    out, depth = [], 0
    toks = tokenize.generate_tokens(io.StringIO(source + "\n").readline)
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER}
    fstart = getattr(tokenize, "FSTRING_START", None)
    fend = getattr(tokenize, "FSTRING_END", None)
    for tok in toks:
        if tok.type == fstart:
            depth += 1
            if depth == 1:
                out.append((tokenize.STRING, "''"))
            continue
        if tok.type == fend:
            depth -= 1
            continue
        if depth or tok.type in skip:
            continue
        if tok.type == tokenize.STRING:
            out.append((tokenize.STRING, "''"))
        else:
            out.append((tok.type, tok.string))
    return out


def strip_magics(source: str) -> str:
    """IPython magics and shell escapes are not Python: drop those lines before tokenizing."""
    return "\n".join(l for l in source.splitlines() if not l.lstrip().startswith(("%", "!")))


def read(path):
    return nbformat.read(str(path), as_version=4)
