"""The recorded answers a learner's checks replay: their file format, and the digest that finds one.

``make course`` runs every visible check once against the answer key (``tools/record_answers.py``)
and writes, per key module, ``recorded/<module>.json``: ``{digest of a reference call: its result}``.
A learner's install has these files and no key; :mod:`.answers` looks a call up by the digest of
its inputs. Only data is recorded: arrays (dtype, shape, bytes), numbers, strings, booleans, None,
and tuples/lists/dicts/sets of those; anything else is an error at recording time, so the replayed
result is always exactly what the key returned for exactly those inputs.

The files are deterministic (sorted keys, floats as hex, arrays as base64 of their bytes), so that
recording twice gives identical bytes (the tests compare them).

Two digests find a call. The exact one (every bit of every input) is what the same NumPy on the same
kind of machine gives. An input that a check computes with a matrix product (a bias chosen from
``x @ W``) may differ in its last bits on another machine's BLAS, so each call is also filed under a
coarse digest, its floats rounded to 36 bits of mantissa (about 11 significant digits); a call
not found exactly is looked up there, and answered only when one recorded call has that coarse
digest. A reference's result moves by about that much for such a change of its inputs, far below
every check's tolerance; a miss is not passed, it says that it could not check (:mod:`.answers`).
"""
from __future__ import annotations

import base64
import hashlib
import json
import struct
from pathlib import Path

import numpy as np

FOLDER = Path(__file__).with_name("recorded")
FORMAT = 1


class Unrecordable(TypeError):
    """A reference was called with (or returned) something that is not data."""


# ---------------------------------------------------------------------- the digest of a call's inputs
_DROP = 52 - 36   # mantissa bits a coarse digest rounds away


def _coarse(a):
    """Float64 values rounded to 36 bits of mantissa (to nearest, on the bit pattern: sign apart)."""
    bits = np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)
    half, mask = np.uint64(1 << (_DROP - 1)), ~np.uint64((1 << _DROP) - 1)
    finite = np.isfinite(np.ascontiguousarray(a, dtype=np.float64))
    return np.where(finite, (bits + half) & mask, bits)


def _feed(h, x, depth=0, coarse=False):
    if depth > 20:
        raise Unrecordable("nested too deeply")
    if x is None:
        h.update(b"N")
    elif isinstance(x, (bool, np.bool_)):
        h.update(b"B1" if x else b"B0")
    elif isinstance(x, (int, np.integer)):
        h.update(b"I%d;" % int(x))
    elif isinstance(x, (float, np.floating)):  # a float and a float64 of one value are one input
        h.update(b"F" + (_coarse(np.float64(x)).tobytes() if coarse else struct.pack("<d", float(x))))
    elif isinstance(x, str):
        data = x.encode("utf-8")
        h.update(b"S%d;" % len(data) + data)
    elif isinstance(x, np.ndarray):
        if x.dtype.kind not in "biufc":
            raise Unrecordable(f"an array of dtype {x.dtype}")
        a = np.ascontiguousarray(x)
        h.update(b"A" + a.dtype.str.encode() + repr(a.shape).encode() + b";")
        h.update(_coarse(a).tobytes() if coarse and a.dtype == np.float64 else a.tobytes())
    elif isinstance(x, (tuple, list)):
        h.update((b"T%d;" if isinstance(x, tuple) else b"L%d;") % len(x))
        for v in x:
            _feed(h, v, depth + 1, coarse)
    elif isinstance(x, dict):
        h.update(b"D%d;" % len(x))
        for k in sorted(x, key=repr):
            _feed(h, k, depth + 1, coarse)
            _feed(h, x[k], depth + 1, coarse)
    elif isinstance(x, (set, frozenset)):
        h.update(b"E%d;" % len(x))
        for d in sorted(digest(v, coarse=coarse) for v in x):
            h.update(d.encode())
    else:
        raise Unrecordable(f"a {type(x).__name__}")


def digest(*parts, coarse=False) -> str:
    """The SHA-256 of ``parts`` (data only, see the module docstring), as hex; ``coarse``: of their
    floats rounded to 36 bits of mantissa."""
    h = hashlib.sha256()
    for p in parts:
        _feed(h, p, 0, coarse)
    return h.hexdigest()


# ---------------------------------------------------------------------- results as JSON, exactly
def encode(x, depth=0):
    """``x`` as JSON-able data that :func:`decode` turns back into an equal value of the same types."""
    if depth > 20:
        raise Unrecordable("nested too deeply")
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, np.generic) and x.dtype.kind in "biufc":   # before float: a float64 is a float too
        return {"g": [x.dtype.str, base64.b64encode(np.asarray(x).tobytes()).decode()]}
    if isinstance(x, int):
        return {"i": str(x)}
    if isinstance(x, float):
        return {"f": x.hex()}
    if isinstance(x, np.ndarray):
        if x.dtype.kind not in "biufc":
            raise Unrecordable(f"an array of dtype {x.dtype}")
        a = np.ascontiguousarray(x)
        return {"a": [a.dtype.str, list(a.shape), base64.b64encode(a.tobytes()).decode()]}
    if isinstance(x, tuple):
        return {"t": [encode(v, depth + 1) for v in x]}
    if isinstance(x, list):
        return [encode(v, depth + 1) for v in x]
    if isinstance(x, dict):
        return {"d": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in x.items()]}
    if isinstance(x, (set, frozenset)):
        return {"set": sorted((encode(v, depth + 1) for v in x), key=lambda e: json.dumps(e, sort_keys=True))}
    raise Unrecordable(f"a {type(x).__name__}")


def decode(e):
    """The value :func:`encode` described; arrays are fresh and writable (the caller may change them)."""
    if e is None or isinstance(e, (bool, str)):
        return e
    if isinstance(e, list):
        return [decode(v) for v in e]
    (tag, body), = e.items()
    if tag == "i":
        return int(body)
    if tag == "f":
        return float.fromhex(body)
    if tag == "g":
        return np.frombuffer(base64.b64decode(body[1]), dtype=np.dtype(body[0]))[0]
    if tag == "a":
        dtype, shape, data = body
        return np.frombuffer(base64.b64decode(data), dtype=np.dtype(dtype)).reshape(shape).copy()
    if tag == "t":
        return tuple(decode(v) for v in body)
    if tag == "d":
        return {decode(k): decode(v) for k, v in body}
    if tag == "set":
        return {decode(v) for v in body}
    raise ValueError(f"recorded answers: unknown entry {tag!r}")


# ---------------------------------------------------------------------- the files
def text(calls: dict, coarse: dict) -> str:
    """The file of one key module's recorded calls ``{digest: encoded result}``, with ``{coarse digest:
    digest}`` for the coarse digests that one recorded call has (an ambiguous one is left out)."""
    return json.dumps({"format": FORMAT, "calls": calls, "coarse": coarse}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=True) + "\n"


def load(module: str, folder: Path = FOLDER) -> tuple:
    """``({digest: encoded result}, {coarse digest: digest})`` of one key module (empty when none was recorded)."""
    path = Path(folder) / f"{module}.json"
    if not path.is_file():
        return {}, {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: recorded answers of format {data.get('format')!r}, this kit reads {FORMAT}")
    return data["calls"], data.get("coarse", {})
