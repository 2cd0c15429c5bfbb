"""The student host: runs INSIDE the sandbox, holds the student's code, answers the judge.

``python -m <pkg>.host RFD WFD``. A request/response server, nothing else: the judge sends
``load`` (the notebook's code cells: the release's, with the student's solution cells), then for
each exercise ``fork``, ``reset`` and ``call`` requests, and ``exit``. A ``call`` names a function
or class the notebook defined, a driver (:mod:`coursekit.drivers`) and the inputs as data
(:mod:`coursekit.data`, with :mod:`coursekit.specs` for test functions, graphs and models, which
are rebuilt here); the answer is data again. The host never asks the judge for anything: there
are no callbacks, no proxies, no objects of the judge in this process.

Everything here is untrusted: whatever the student's code does to this process, the judge only
receives data that it decodes and compares itself.

Of each cell only definitions run (see :func:`definitions`): imports, ``def`` and ``class``
statements (with their decorators, default values and class bodies, which Python evaluates when
the statement runs) and assignments whose right-hand side calls nothing. A notebook's demos,
plots, training runs and any other top-level statement are skipped. Every statement runs on its
own: an error in one does not lose the definitions after it, and the first error of each cell is
reported. What the code may import is what the sandbox contains: the standard library, NumPy,
the public course kit (never its checks or answer key) and, only where the exercise allows it,
``chainrule``.
"""
from __future__ import annotations

import ast
import gc
import os
import random
import re
import signal
import sys
import time

_MAGIC = re.compile(r"^\s*[%!]")
# imported on first use only: plotting and widgets cost half a second and graded functions rarely touch
# them (the kit's widgets and data sets are not in the sandbox at all: an import of them binds, a use fails)
LAZY = ("matplotlib", "IPython", "ipywidgets", "coursekit.viz", "coursekit.widgets", "coursekit.conv_figures",
        "coursekit.datasets")


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


def _bindings(stmt):
    """``(modules, [(bound name, module, attribute or None)])`` of an absolute import statement,
    or None for anything else (``import a.b`` binds ``a``; ``from a import b as c`` binds ``c``)."""
    if isinstance(stmt, ast.Import):
        return ([a.name for a in stmt.names],
                [(a.asname, a.name, None) if a.asname else (a.name.split(".")[0], a.name.split(".")[0], None)
                 for a in stmt.names])
    if isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module:
        return [stmt.module], [(a.asname or a.name, stmt.module, a.name) for a in stmt.names if a.name != "*"]
    return None


def _lazy_import(stmt, ns) -> bool:
    """Bind the names of an import of a LAZY module without importing it; False for other imports."""
    found = _bindings(stmt)
    if found is None or not all(any(n == m or n.startswith(m + ".") for m in LAZY) for n in found[0]):
        return False
    for name, module, attr in found[1]:
        ns[name] = _Lazy(module, attr)
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


class ToolNotAllowed(ImportError):
    """A module the exercise may not use (its name is the message; the check words the rule)."""


class Denied:
    """Stands for a module this exercise may not use: any use raises ImportError with the rule.
    (The module is not in the sandbox at all; this only makes the message say why.)"""

    def __init__(self, module):
        self._module = module

    def _deny(self, *args, **kwargs):
        raise ToolNotAllowed(self._module)

    __call__ = _deny

    def __getattr__(self, name):
        self._deny()


class DenyFinder:
    """An import of a denied module anywhere (inside a function too) says why it fails."""

    def __init__(self, deny):
        self.deny = set(deny)

    def find_spec(self, name, path=None, target=None):
        if _is_denied(name, self.deny):
            raise ToolNotAllowed(name)
        return None


def _is_denied(module, deny) -> bool:
    """Is ``module`` one of ``deny`` or inside one (``deny`` holds "chainrule", "coursekit.key", ...)?"""
    return any(module == d or module.startswith(d + ".") for d in deny)


def _denied_import(stmt, ns, deny) -> bool:
    """Bind the names of an import of a denied module to :class:`Denied`; False for other imports."""
    found = _bindings(stmt)
    if found is None or not any(_is_denied(m, deny) for m in found[0]):
        return False
    for name, module, attr in found[1]:
        ns[name] = Denied(module if attr is None else f"{module}.{attr}")
    return True


def load(ns: dict, cells: list, deny=()) -> dict:
    """Run the definitions of each cell in ``ns``; ``{cell id: first error or None}``. Imports of
    the modules in ``deny`` bind :class:`Denied` stand-ins that explain the exercise's rule."""
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
            if _denied_import(stmt, ns, deny) or _lazy_import(stmt, ns):
                continue
            try:
                code = compile(ast.Module(body=[stmt], type_ignores=[]), f"<cell {cid}>", "exec")
                exec(code, ns)
            except BaseException as e:  # noqa: BLE001 - SystemExit included: report, go on
                if report[cid] is None:
                    report[cid] = f"{type(e).__name__}: {e}"[:500]
    return report


# ---------------------------------------------------------------------- inputs the call left alone
def _same(sent, sent_blobs, now, now_blobs, depth=0) -> bool:
    """Is the encoded value ``now`` exactly the encoded value ``sent`` (arrays byte for byte)?"""
    if depth > 64 or type(sent) is not type(now):
        return False
    if isinstance(sent, list):
        return len(sent) == len(now) and all(_same(a, sent_blobs, b, now_blobs, depth + 1) for a, b in zip(sent, now))
    if not isinstance(sent, dict):
        return sent == now
    if sent.keys() != now.keys():
        return False
    if "$nd" in sent and len(sent) == 1:
        (dt, shape, a), (dt2, shape2, b) = sent["$nd"], now["$nd"]
        if dt != dt2 or shape != shape2 or type(a) is not type(b):
            return False
        if not isinstance(a, int):
            return a == b
        x, y = memoryview(sent_blobs[a]).cast("B"), memoryview(now_blobs[b]).cast("B")
        if len(x) != len(y):
            return False
        import numpy as np
        unit = np.uint64 if len(x) % 8 == 0 else np.uint8  # a few vector passes, not a byte loop
        return bool(np.array_equal(np.frombuffer(x, unit), np.frombuffer(y, unit)))
    return all(_same(sent[k], sent_blobs, now[k], now_blobs, depth + 1) for k in sent)


def _drop_blobs(encoded, blobs, depth=0) -> None:
    """Empty the attachments ``encoded`` names: they are no longer sent."""
    if depth > 64:
        return
    if isinstance(encoded, list):
        for v in encoded:
            _drop_blobs(v, blobs, depth + 1)
    elif isinstance(encoded, dict):
        if "$nd" in encoded and len(encoded) == 1 and isinstance(encoded["$nd"][2], int):
            blobs[encoded["$nd"][2]] = b""
            return
        for v in encoded.values():
            _drop_blobs(v, blobs, depth + 1)


def unchanged_inputs(ok: dict, msg: dict, blobs: list) -> None:
    """An input the call did not change comes back as ``{"same": true}`` instead of its whole value:
    the judge keeps its own copy as it is (a layer-sized input no longer crosses the wall twice).
    Nothing is trusted by this: the host could as well send the value back unchanged."""
    sent_blobs = msg.get("$blobs") or []
    sent_args = msg.get("args") if isinstance(msg.get("args"), list) else []
    sent_kw = msg.get("kwargs", {}).get("$d") if isinstance(msg.get("kwargs"), dict) else None
    sent_kw = {k: v for k, v in sent_kw} if isinstance(sent_kw, list) else {}
    pairs = [(ok["after"], i, sent_args[i]) for i in range(min(len(ok["after"]), len(sent_args)))]
    pairs += [(ok["kwafter"], k, sent_kw[k]) for k in ok["kwafter"] if k in sent_kw]
    for where, key, sent in pairs:
        after = where[key]
        if isinstance(after, dict) and set(after) == {"value"} and _same(sent, sent_blobs, after["value"], blobs):
            _drop_blobs(after["value"], blobs)
            where[key] = {"same": True}


def _where(exc) -> str:
    """The innermost function of the traceback: names the unfinished method of a NotImplementedError."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_name if tb is not None else ""


def _error(exc) -> dict:
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001 - a __str__ that raises
        text = ""
    return {"error": {"type": type(exc).__name__[:80], "message": text[:2000], "where": _where(exc)[:80]}}


class Host:
    def __init__(self):
        self.ns = {"__name__": "__main__", "__builtins__": __builtins__}
        self.report = {}

    def handle(self, op, msg):
        if op == "load":
            deny = [str(m) for m in msg.get("deny") or []]
            sys.meta_path.insert(0, DenyFinder(deny))
            self.report = load(self.ns, msg.get("cells") or [], deny)
            return {"report": self.report}
        if op == "defined":
            return {"defined": isinstance(msg.get("name"), str) and msg["name"] in self.ns}
        if op == "reset":
            seed = int(msg.get("seed", 0))
            random.seed(seed)
            import numpy as np
            np.random.seed(seed)
            return {}
        if op == "call":
            from coursekit import data, drivers, specs
            target = self.ns[msg["name"]]
            blobs = msg.get("$blobs")
            args = data.decode(msg.get("args", []), specs=specs.SPECS, blobs=blobs)
            kwargs = data.decode(msg.get("kwargs", {"$d": []}), specs=specs.SPECS, blobs=blobs)
            drivers.get(str(msg.get("driver", "call")))  # registers the chapter's specs and drivers
            out = []
            reply = {"ok": drivers.outcome(target, str(msg.get("driver", "call")), list(args), dict(kwargs), out)}
            unchanged_inputs(reply["ok"], msg, out)
            return reply, out
        raise ValueError(f"unknown operation {op!r}")


def _fork() -> int:
    """os.fork(), retried for a while: the processes of the previous exercise (or of the previous
    sandbox of this worker's uid: the process limit counts per uid) may still be dying."""
    for _ in range(250):
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
    from . import seccomp
    try:  # first, before a byte of the student's code is read: it holds for every process they start
        seccomp.install()
    except (OSError, ValueError) as e:  # a kernel or machine without it: the namespaces still hold
        os.write(2, f"grader: this sandbox runs without its system-call filter ({e})\n".encode())
    sys.setrecursionlimit(5000)
    import numpy  # noqa: F401 - before the student's code, so a broken import shows as such
    import numpy.random  # noqa: F401 - NumPy imports it on first use: once here, not in every exercise's fork
    from coursekit import data, drivers, specs  # noqa: F401 - here, once, not in each exercise's fork
    from .wire import PeerGone, read_message, write_message
    host = Host()
    root = os.getpid()
    os.closerange(3, min(rfd, wfd))  # nothing inherited but our two pipe ends
    while True:
        try:
            msg = read_message(rfd)
        except PeerGone:
            return 0
        op = msg.get("op")
        if op == "exit":
            if os.getpid() != root:
                os._exit(0)
            continue  # no exercise running: nothing to end
        if op == "fork" and os.getpid() == root:
            gc.freeze()  # what is loaded stays out of the forks' collections: fewer pages copied per fork
            child = _fork()
            if child == 0:
                os.setpgid(0, 0)  # the exercise and whatever it starts: one group, ended together
                write_message(wfd, {"r": os.getpid()})
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
        try:
            reply = host.handle(op, msg)
        except BaseException as e:  # noqa: BLE001 - the student's exception, reported as data
            reply = _error(e)
        reply, blobs = reply if isinstance(reply, tuple) else (reply, ())
        try:
            write_message(wfd, reply, None, blobs)
        except PeerGone:
            return 0
        except BaseException as e:  # noqa: BLE001 - a result that cannot be sent (too big, say)
            write_message(wfd, _error(e))


if __name__ == "__main__":
    sys.exit(main())
