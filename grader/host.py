"""The student host: runs INSIDE the sandbox, holds the student's code, answers the judge.

``python -m grader.host RFD WFD``. The judge sends ``load`` with the notebook's code cells (the
instructor's cells from the release, the student's own solution cells), then asks for names
(``lookup``) and calls, attribute reads and operators on what it got (see :mod:`grader.rpc`).
Everything here is untrusted: whatever the student's code does to this process, the judge only
receives data and compares it itself.

Of each cell only definitions run: imports, ``def``, ``class`` and assignments without calls
(constants, lambdas, aliases); a notebook's demos, plots and training runs are skipped, so a slow
or hostile top-level statement costs nothing. Every statement runs on its own: an error in one
does not lose the definitions after it, and the first error of each cell is reported.
"""
from __future__ import annotations

import ast
import os
import random
import re
import sys
import types

_MAGIC = re.compile(r"^\s*[%!]")


def definitions(source: str):
    """The statements of a cell that define something, or a SyntaxError."""
    lines = ["" if _MAGIC.match(line) else line for line in source.splitlines()]
    tree = ast.parse("\n".join(lines))
    kept = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            kept.append(stmt)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None and not _calls(stmt.value):
            kept.append(stmt)
    return kept


def _calls(node) -> bool:
    """Does evaluating ``node`` call anything (outside lambda bodies, which run later)?"""
    if isinstance(node, ast.Lambda):
        return False
    if isinstance(node, ast.Call):
        return True
    return any(_calls(child) for child in ast.iter_child_nodes(node))


def load(ns: dict, cells: list) -> dict:
    """Run the definitions of each cell in ``ns``; ``{cell id: first error or None}``."""
    report = {}
    for cell in cells:
        cid = str(cell.get("id"))
        try:
            stmts = definitions(str(cell.get("source", "")))
        except SyntaxError as e:
            report[cid] = f"SyntaxError: {e.msg} (line {e.lineno})"
            continue
        report[cid] = None
        for stmt in stmts:
            try:
                code = compile(ast.Module(body=[stmt], type_ignores=[]), f"<cell {cid}>", "exec")
                exec(code, ns)
            except BaseException as e:  # noqa: BLE001 - SystemExit included: report, go on
                if report[cid] is None:
                    report[cid] = f"{type(e).__name__}: {e}"[:500]
    return report


def _library_path(value):
    """('chainrule.functional', None) for a chainrule module, ('chainrule.tensor', 'Tensor') for one of
    its classes or functions; None for anything else."""
    if isinstance(value, types.ModuleType):
        name = value.__name__
        return (name, None) if name == "chainrule" or name.startswith("chainrule.") else None
    module = getattr(value, "__module__", None)
    qual = getattr(value, "__qualname__", None)
    if isinstance(value, (type, types.FunctionType)) and module and module.startswith("chainrule.") \
            and qual and "." not in qual and "<" not in qual:
        return module, qual
    return None


class Host:
    def __init__(self, peer):
        self.peer = peer
        self.ns = {"__name__": "__main__", "__builtins__": __builtins__}
        peer.extra = self.extra

    def extra(self, op, a):
        if op == "load":
            report = load(self.ns, a[0])
            if a[1]:  # the chapter works on the judge's chainrule objects: use the judge's library
                for name, value in list(self.ns.items()):
                    path = _library_path(value)
                    if path is not None:
                        try:
                            self.ns[name] = self.peer.request("lib", *path)
                        except Exception:  # noqa: BLE001 - not offered: keep the local one
                            pass
            return report
        if op == "lookup":
            name = a[0]
            if name not in self.ns:
                raise NameError(f"name {name!r} is not defined")
            return self.ns[name]
        if op == "reset":
            random.seed(a[0])
            import numpy as np
            np.random.seed(a[0])
            return None
        raise ValueError(f"unknown operation {op!r}")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    rfd, wfd = int(argv[0]), int(argv[1])
    sys.setrecursionlimit(5000)
    import numpy  # noqa: F401 - before the student's code, so a broken import shows as such
    from grader.rpc import Peer, PeerGone, read_message
    peer = Peer(rfd, wfd)
    Host(peer)
    # the judge's pipe ends are not ours to keep: close every other inherited descriptor
    os.closerange(3, min(rfd, wfd))
    while True:
        try:
            msg = read_message(rfd)
        except PeerGone:
            return 0
        peer.serve_one(msg)


if __name__ == "__main__":
    sys.exit(main())
