"""Talking to untrusted student code without trusting it: a small two-way RPC over a pipe.

The judge (trusted) and the student host (untrusted, inside the sandbox) exchange messages that
are plain data: JSON, with NumPy arrays as raw bytes of a whitelisted dtype. Nothing is
unpickled, so a message can carry numbers, never code. Values cross in one of two ways:

* **by value**: None, bool, int, float, complex, str, bytes, NumPy scalars and numeric arrays,
  and tuples, lists and dicts of values. Arrays, lists and dicts sent as arguments of a call keep
  an id, so what the callee does to them in place (``params[0] -= lr * g``) is copied back to the
  caller's objects before the call returns or calls back (copy-restore); handing one back
  returns the caller's own object.
* **by reference**: anything else stays where it lives and the other side gets a :class:`Proxy`
  whose attribute reads, calls, operators, iteration and context-manager use travel as requests.
  A student's ``Value`` object lives in the host; the judge's node graphs, callbacks and
  ``chainrule`` models live in the judge. What the judge is willing to expose is decided by its
  ``exportable`` policy (no modules beyond a whitelist, no private attributes, no writes to
  modules, classes or functions).

So the student's code can do what it likes to its own process; the judge only ever sees data it
compared itself. Framing: 4-byte big-endian length, then UTF-8 JSON.
"""
from __future__ import annotations

import base64
import builtins
import os

import numpy as np

from .proxy import BINOPS, UNOPS, Lend, Proxy
from .wire import (MAX_MESSAGE, PeerGone, ProtocolError, RemoteError, Timeout, read_message,  # noqa: F401
                   write_message)

_DTYPES = {np.dtype(t).str: np.dtype(t) for t in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128")}
_SCALARS = (type(None), bool, int, float, str)
# exceptions rebuilt as themselves on the other side (anything else becomes RemoteError)
_EXC = {n: getattr(builtins, n) for n in (
    "ArithmeticError", "AssertionError", "AttributeError", "FloatingPointError", "ImportError",
    "IndexError", "KeyError", "LookupError", "MemoryError", "ModuleNotFoundError", "NameError",
    "NotImplementedError", "OverflowError", "RecursionError", "RuntimeError", "StopIteration",
    "TypeError", "UnboundLocalError", "ValueError", "ZeroDivisionError", "OSError")}


def _is_array(x):
    return isinstance(x, np.ndarray) and x.dtype.str in _DTYPES


# ---------------------------------------------------------------------- one end of the pipe
class Peer:
    """One end. ``exportable(obj) -> bool`` says which non-data objects may be handed out by
    reference (the judge is strict, the student host exports anything); ``readable(obj, name)``
    and ``writable(obj, name)`` guard attribute access by the other side."""

    def __init__(self, rfd, wfd, *, exportable=lambda o: True, readable=lambda o, n: True,
                 writable=lambda o, n: True):
        self.rfd, self.wfd = rfd, wfd
        self.exportable, self.readable, self.writable = exportable, readable, writable
        self.exported: dict[int, object] = {}     # our objects the other side holds
        self._export_ids: dict[int, int] = {}
        self.proxies: dict[int, Proxy] = {}       # the other side's objects we hold
        self.sent: list[dict] = []                # per outstanding outgoing call: {vid: our object}
        self.received: list[dict] = []            # per incoming call: {vid: [our copy, snapshot]}
        self.lent: dict = {}                      # {vid: our array} lent for good (see Lend)
        self.kept: dict = {}                      # {vid: [our copy, snapshot]} of arrays lent to us
        self.deadline = None
        self.pid = None                           # set: a forked copy of this process stays silent
        self._next = 1

    # ------------------------------------------------------------ encoding
    def _new_id(self):
        self._next += 1
        return self._next

    def encode(self, x, track=None, depth=0):
        """``track``: a dict that records by-value arrays/lists/dicts under fresh ids (call args)."""
        if depth > 100:
            raise ValueError("value nested too deeply to send")
        if isinstance(x, Lend):
            out = self.encode(x.value, self.lent, depth)
            if isinstance(out, dict) and "id" in out:
                out["keep"] = 1
            return out
        if isinstance(x, _SCALARS):
            if isinstance(x, float) and not np.isfinite(x):
                return {"t": "f", "v": repr(x)}
            return x
        back = self._back_id(x)
        if back is not None:
            return {"t": "back", "id": back}
        if isinstance(x, Proxy) and x._peer is self:
            return {"t": "ref", "own": "yours", "id": x._rid}
        if _is_array(x):
            out = {"t": "nd", "d": x.dtype.str, "s": list(x.shape), "b": base64.b64encode(x.tobytes("C")).decode()}
            if track is not None:
                out["id"] = self._new_id()
                track[out["id"]] = x
            return out
        if isinstance(x, np.generic) and np.dtype(type(x)).str in _DTYPES:
            return {"t": "sc", "d": x.dtype.str, "b": base64.b64encode(x.tobytes()).decode()}
        if isinstance(x, complex):
            return {"t": "c", "v": [x.real, x.imag]}
        if isinstance(x, bytes):
            return {"t": "by", "b": base64.b64encode(x).decode()}
        if type(x) in (list, tuple, dict):
            out = {"t": type(x).__name__}
            if type(x) is dict:
                out["k"] = [self.encode(k, None, depth + 1) for k in x]
                out["v"] = [self.encode(v, track, depth + 1) for v in x.values()]
            else:
                out["v"] = [self.encode(v, track, depth + 1) for v in x]
            if track is not None and type(x) is not tuple:
                out["id"] = self._new_id()
                track[out["id"]] = x
            return out
        if not self.exportable(x):
            raise TypeError(f"a {type(x).__name__} cannot be sent to the other process")
        key = id(x)
        if key not in self._export_ids:
            rid = self._new_id()
            self._export_ids[key] = rid
            self.exported[rid] = x
        return {"t": "ref", "own": "mine", "id": self._export_ids[key]}

    def _back_id(self, x):
        """The id under which ``x`` reached us by value in an incoming call, if it did."""
        for frame in [*self.received, self.kept]:
            for vid, (obj, _) in frame.items():
                if obj is x:
                    return vid
        return None

    def decode(self, v, record=None, depth=0):
        """``record``: a dict filled with {id: (our new copy, snapshot)} for tracked values."""
        if depth > 100:
            raise ProtocolError("value nested too deeply")
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, list) or not isinstance(v, dict):
            raise ProtocolError("bad value")
        t = v.get("t")
        if t == "f":
            return float(v["v"]) if v["v"] in ("nan", "inf", "-inf") else _bad("float")
        if t == "nd":
            dt = _DTYPES.get(v.get("d")) or _bad("dtype")
            shape = tuple(int(s) for s in v["s"])
            raw = base64.b64decode(v["b"])
            if len(raw) != dt.itemsize * int(np.prod(shape, dtype=np.int64)):
                _bad("array size")
            a = np.frombuffer(raw, dtype=dt).reshape(shape).copy()
            if record is not None and "id" in v:
                record[v["id"]] = (a, a.copy())
            if v.get("keep") and "id" in v:
                self.kept[v["id"]] = (a, a.copy())
                while len(self.kept) > 256:  # the oldest copies are most likely dropped already
                    self.kept.pop(next(iter(self.kept)))
            return a
        if t == "sc":
            dt = _DTYPES.get(v.get("d")) or _bad("dtype")
            raw = base64.b64decode(v["b"])
            if len(raw) != dt.itemsize:
                _bad("scalar size")
            return np.frombuffer(raw, dtype=dt)[0]
        if t == "c":
            return complex(float(v["v"][0]), float(v["v"][1]))
        if t == "by":
            return base64.b64decode(v["b"])
        if t in ("list", "tuple"):
            items = [self.decode(i, record, depth + 1) for i in v["v"]]
            if t == "tuple":
                return tuple(items)
            if record is not None and "id" in v:
                record[v["id"]] = (items, list(items))
            return items
        if t == "dict":
            keys = [self.decode(k, None, depth + 1) for k in v["k"]]
            d = dict(zip(keys, [self.decode(i, record, depth + 1) for i in v["v"]]))
            if record is not None and "id" in v:
                record[v["id"]] = (d, dict(d))
            return d
        if t == "ref":
            rid = int(v["id"])
            if v.get("own") == "yours":           # one of ours, coming home
                if rid not in self.exported:
                    _bad("unknown reference")
                return self.exported[rid]
            p = self.proxies.get(rid)
            if p is None:
                p = self.proxies[rid] = Proxy(self, rid)
            return p
        if t == "back":                           # one of ours that we sent by value
            vid = v.get("id")
            for frame in [*reversed(self.sent), self.lent]:
                if vid in frame:
                    return frame[vid]
            _bad("unknown value id")
        _bad(f"type {t!r}")

    # ------------------------------------------------------------ copy-restore
    def _changes(self):
        """What changed in the values we received by value in the calls now running."""
        out = []
        for frame in [*self.received, self.kept]:
            for vid, (obj, snap) in frame.items():
                if isinstance(obj, np.ndarray):
                    changed = obj.shape != snap.shape or not np.array_equal(obj, snap, equal_nan=True)
                elif isinstance(obj, list):
                    changed = len(obj) != len(snap) or any(a is not b for a, b in zip(obj, snap))
                else:
                    changed = obj.keys() != snap.keys() or any(obj[k] is not snap[k] for k in obj)
                if changed:
                    out.append([vid, self._state(obj)])
                    frame[vid] = (obj, obj.copy() if isinstance(obj, np.ndarray) else type(obj)(obj))
        return out

    def _state(self, obj):
        if isinstance(obj, np.ndarray):
            return {"t": "nd", "d": obj.dtype.str, "s": list(obj.shape), "b": base64.b64encode(obj.tobytes("C")).decode()}
        # items that came from the caller go back as 'back' ids (their own changes travel too)
        if isinstance(obj, list):
            return {"t": "list", "v": [self.encode(i) for i in obj]}
        return {"t": "dict", "k": [self.encode(k) for k in obj], "v": [self.encode(i) for i in obj.values()]}

    def _apply(self, changes):
        for vid, state in changes or ():
            target = None
            for frame in [*reversed(self.sent), self.lent]:
                if vid in frame:
                    target = frame[vid]
                    break
            if target is None:
                _bad("change of an unknown value")
            new = self.decode(state)
            if isinstance(target, np.ndarray):
                if isinstance(new, np.ndarray) and new.shape == target.shape:
                    np.copyto(target, new, casting="unsafe")
            elif isinstance(target, list) and isinstance(new, list):
                target[:] = new
            elif isinstance(target, dict) and isinstance(new, dict):
                target.clear()
                target.update(new)

    # ------------------------------------------------------------ requests
    def request(self, op, *args):
        """Ask the other side; serve its nested requests (callbacks) until our answer arrives."""
        track = {}
        msg = {"op": op, "a": [self.encode(a, track) for a in args]}
        msg["sync"] = self._changes()
        self.sent.append(track)
        try:
            write_message(self.wfd, msg, self.deadline)
            while True:
                reply = read_message(self.rfd, self.deadline)
                if "op" in reply:               # a callback: serve it, keep waiting
                    self.serve_one(reply)
                    continue
                if "dead" in reply:             # the process serving us ended
                    raise PeerGone(f"the process running the code ended (status {reply['dead']})")
                self._apply(reply.get("sync"))
                if "err" in reply:
                    raise self._exception(reply["err"])
                return self.decode(reply.get("r"))
        finally:
            self.sent.pop()

    def _exception(self, err):
        if not isinstance(err, dict):
            return ProtocolError("bad error")
        name, text = str(err.get("n", "Exception"))[:100], str(err.get("m", ""))[:2000]
        for n in [name] + [str(b) for b in err.get("mro", [])][:20]:
            cls = _EXC.get(n)
            if cls is not None:
                e = cls(text) if text else cls()
                if n != name:
                    e.args = (f"{name}: {text}",) if text else (name,)
                e.remote_name = name
                e.where = err.get("where")
                return e
        e = RemoteError(name, text)
        e.where = err.get("where")
        return e

    def serve_one(self, msg):
        record = {}
        self.received.append(record)
        try:
            self._apply(msg.get("sync"))
            args = [self.decode(a, record) for a in msg.get("a", [])]
            try:
                result = self.perform(str(msg.get("op")), args)
                if self.pid is not None and os.getpid() != self.pid:
                    os._exit(0)  # a child the student's code forked must not answer for us
                reply = {"r": self.encode(result)}
            except KeyboardInterrupt:
                raise
            except BaseException as e:  # noqa: BLE001 - SystemExit too: everything goes back as data
                reply = {"err": _error_data(e)}
            reply["sync"] = self._changes()
        finally:
            self.received.pop()
        write_message(self.wfd, reply, self.deadline)

    def perform(self, op, a):
        if op == "call":
            fn, args, kwargs = a[0], a[1], a[2]
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                _bad("call arguments")
            return fn(*args, **kwargs)
        if op == "getattr":
            obj, name = a
            if not self.readable(obj, name):
                raise AttributeError(f"attribute {name!r} is not available to the other process")
            return getattr(obj, name)
        if op == "setattr":
            obj, name, value = a
            if not self.writable(obj, name):
                raise AttributeError(f"attribute {name!r} cannot be set by the other process")
            setattr(obj, name, value)
            return None
        if op == "binop":
            return BINOPS[a[0]](a[1], a[2])
        if op == "unop":
            return UNOPS[a[0]](a[1])
        if op == "getitem":
            return a[0][a[1]]
        if op == "setitem":
            a[0][a[1]] = a[2]
            return None
        if op == "contains":
            return a[1] in a[0]
        if op == "enter":
            return a[0].__enter__()
        if op == "exit":
            return a[0].__exit__(None, None, None)
        if op == "array":
            return np.asarray(a[0])
        if op == "isinstance":
            return isinstance(a[0], a[1])
        return self.extra(op, a)

    def extra(self, op, a):
        _bad(f"operation {op!r}")


def _bad(what):
    raise ProtocolError(f"bad message: {what}")


def _error_data(e):
    mro = [c.__name__ for c in type(e).__mro__[1:] if c.__module__ == "builtins"]
    where = None
    tb = e.__traceback__
    while tb is not None:
        where = tb.tb_frame.f_code.co_name
        tb = tb.tb_next
    return {"n": type(e).__name__, "m": str(e)[:2000], "mro": mro, "where": where}
