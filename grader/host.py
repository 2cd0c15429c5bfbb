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
import signal
import sys
import time
import types

_MAGIC = re.compile(r"^\s*[%!]")
# the judge's library modules, imported from inside functions of a chapter graded on the judge's objects
REMOTE_MODULES = ("chainrule", "chainrule.functional", "chainrule.nn", "chainrule.nn.init", "chainrule.optim",
                  "chainrule.tensor", "chainrule.autograd")
# imported on first use only: plotting and widgets cost half a second and graded functions rarely touch them
LAZY = ("matplotlib", "IPython", "ipywidgets", "chainrule.viz", "chainrule.widgets", "chainrule.conv_figures")


class _Lazy:
    """Stands for a module (or a name from it) until first used."""

    def __init__(self, module, attr=None):
        self._module, self._attr, self._value = module, attr, None

    def _load(self):
        if self._value is None:
            import importlib
            mod = importlib.import_module(self._module)
            self._value = getattr(mod, self._attr) if self._attr else mod
        return self._value

    def __getattr__(self, name):
        return getattr(self._load(), name)

    def __call__(self, *args, **kwargs):
        return self._load()(*args, **kwargs)


def _lazy_import(stmt, ns) -> bool:
    """Bind the names of an import of a LAZY module without importing it; False for other imports."""
    if isinstance(stmt, ast.Import):
        names = [a.name for a in stmt.names]
    elif isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module:
        names = [stmt.module]
    else:
        return False
    if not all(any(n == m or n.startswith(m + ".") for m in LAZY) for n in names):
        return False
    for a in stmt.names:
        if isinstance(stmt, ast.Import):
            if a.asname:
                ns[a.asname] = _Lazy(a.name)
            else:
                ns[a.name.split(".")[0]] = _Lazy(a.name.split(".")[0])
        elif a.name != "*":
            ns[a.asname or a.name] = _Lazy(stmt.module, a.name)
    return True


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
            if _lazy_import(stmt, ns):
                continue
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
        if op == "exit" and os.getpid() != self.peer.root_pid:  # asked to end while waiting for an answer
            os._exit(0)
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
                # and for imports inside the student's functions (import chainrule.functional as F)
                for module in REMOTE_MODULES:
                    try:
                        sys.modules[module] = self.peer.request("lib", module, None)
                    except Exception:  # noqa: BLE001
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


def _fork() -> int:
    """os.fork(), retried for a while: the processes of the previous exercise may still be dying."""
    for _ in range(100):
        try:
            return os.fork()
        except BlockingIOError:
            time.sleep(0.02)
    return -1


def main(argv=None) -> int:
    """Serve the judge. ``fork`` starts an exercise in a child that begins from the state right
    after ``load`` (so what one exercise's code does to this process never reaches the next);
    the parent waits and reports the child's end as ``{"dead": status}``."""
    argv = sys.argv[1:] if argv is None else argv
    rfd, wfd = int(argv[0]), int(argv[1])
    sys.setrecursionlimit(5000)
    import numpy  # noqa: F401 - before the student's code, so a broken import shows as such
    from grader.rpc import Peer, PeerGone, read_message, write_message
    peer = Peer(rfd, wfd)
    Host(peer)
    peer.pid = peer.root_pid = os.getpid()
    # the judge's pipe ends are not ours to keep: close every other inherited descriptor
    os.closerange(3, min(rfd, wfd))
    while True:
        try:
            msg = read_message(rfd)
        except PeerGone:
            return 0
        if msg.get("op") == "exit":
            if os.getpid() != peer.root_pid:
                os._exit(0)
            continue  # no exercise running: nothing to end
        if msg.get("op") == "fork" and os.getpid() == peer.root_pid:
            child = _fork()
            if child == 0:
                os.setpgid(0, 0)  # the exercise and whatever it starts: one group, ended together
                peer.pid = os.getpid()
                write_message(wfd, {"r": peer.pid})
                continue
            if child < 0:
                write_message(wfd, {"dead": "no process left to fork"})
                continue
            _, status = os.waitpid(child, 0)
            try:
                os.killpg(child, signal.SIGKILL)  # e.g. the rest of a fork bomb
            except OSError:
                pass
            write_message(wfd, {"dead": os.waitstatus_to_exitcode(status)})
            continue
        peer.serve_one(msg)
if __name__ == "__main__":
    sys.exit(main())
