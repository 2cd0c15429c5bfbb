"""By value, and nothing else: the codec for everything a learner's code hands back.

``encode(x)`` turns a result into JSON-able data; ``decode(d)`` builds fresh objects of a few
plain types from it. Between them nothing survives but values:

=====================  =========================================================================
Python value           on the wire
=====================  =========================================================================
None, bool, int,       themselves (ints must fit in 64 bits; floats may be NaN or ±inf)
float, str
complex                ``{"$c": [re, im]}``
NumPy array            ``{"$nd": [dtype, shape, base64 bytes]}``, numeric dtypes only; with
                       ``blobs`` (a list), ``{"$nd": [dtype, shape, i]}`` and the raw bytes as
                       the message's i-th binary attachment (:mod:`grader.inside.wire`)
NumPy scalar           ``{"$np": [dtype, base64 bytes]}`` (decoded back to a NumPy scalar)
tuple, list            ``{"$t": [...]}``, ``[...]``
dict                   ``{"$d": [[key, value], ...]}`` (keys: str, int, float, bool, None)
a node of an input     ``{"$ref": [arg, index]}``: the index-th object of the arg-th input's
                       ``refs()`` (see :mod:`.specs`); decoded to the *receiver's own* object
anything else          ``{"$obj": type name}``; decoded to :class:`Opaque` (inert: a check reports
                       "returned a <type>", as it would for any value of the wrong type)
=====================  =========================================================================

The decoder is the only code of the grader's judge that reads a learner's output. It validates
everything (dtype whitelist, shape against byte count, sizes, depth), builds arrays with
``np.frombuffer`` from bytes it decoded itself, and never calls, imports or looks up anything the
data names. Objects built by a spec (``{"$spec": ...}``) are accepted only where asked
(``specs=...``: the sandbox decoding the judge's inputs), never in a learner's result.
"""
from __future__ import annotations

import base64
import math

import numpy as np

# numeric dtypes only: an object, string, void or datetime array never crosses
DTYPES = {np.dtype(t).str: np.dtype(t) for t in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128")}
MAX_DEPTH = 64
MAX_NDIM = 32
MAX_ITEMS = 1 << 20          # list/tuple/dict entries in one value, all levels together
MAX_ARRAY_BYTES = 256 << 20  # all arrays of one value together


class DataError(ValueError):
    """Encoded data that is not valid (the other side broke the protocol, or tried to)."""


class Opaque:
    """Stands for a value that was not data (a learner's own object): only its type's name."""

    __slots__ = ("type_name",)

    def __init__(self, type_name):
        self.type_name = str(type_name)[:100]

    def __repr__(self):
        return f"<{self.type_name} object>"


def type_name(x) -> str:
    """The name a learner would recognise (``Tensor``, ``Value``, ``generator``)."""
    return x.type_name if isinstance(x, Opaque) else type(x).__name__


# ---------------------------------------------------------------------- encoding
def encode(x, refs=None, blobs=None, _depth=0):
    """JSON-able data for ``x``. ``refs``: ``{id(obj): [arg, index]}`` of the inputs' nodes;
    ``blobs``: a list that takes arrays' raw bytes (sent beside the JSON), else base64 inline."""
    if _depth > MAX_DEPTH:
        raise DataError("value nested too deeply")
    if refs and id(x) in refs:
        return {"$ref": list(refs[id(x)])}
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, int):
        if not -(1 << 63) <= x < (1 << 64):
            raise DataError("integer too large to send")
        return int(x)
    if isinstance(x, float):
        return float(x)
    if isinstance(x, complex):
        return {"$c": [x.real, x.imag]}
    if isinstance(x, np.ndarray):
        if x.dtype.str not in DTYPES:
            return {"$obj": f"ndarray of {x.dtype}"}
        raw = np.ascontiguousarray(x)
        if blobs is not None:
            blobs.append(memoryview(raw).cast("B") if raw.size else b"")
            return {"$nd": [x.dtype.str, list(x.shape), len(blobs) - 1]}
        return {"$nd": [x.dtype.str, list(x.shape), base64.b64encode(raw.tobytes()).decode()]}
    if isinstance(x, np.generic):
        if x.dtype.str not in DTYPES:
            return {"$obj": type(x).__name__}
        return {"$np": [x.dtype.str, base64.b64encode(x.tobytes()).decode()]}
    if isinstance(x, tuple):
        return {"$t": [encode(v, refs, blobs, _depth + 1) for v in x]}
    if isinstance(x, list):
        return [encode(v, refs, blobs, _depth + 1) for v in x]
    if isinstance(x, dict):
        return {"$d": [[encode(k, refs, blobs, _depth + 1), encode(v, refs, blobs, _depth + 1)] for k, v in x.items()]}
    return {"$obj": type(x).__name__}


# ---------------------------------------------------------------------- decoding
class _Budget:
    def __init__(self):
        self.items = 0
        self.array_bytes = 0

    def take(self, items=0, nbytes=0):
        self.items += items
        self.array_bytes += nbytes
        if self.items > MAX_ITEMS:
            raise DataError(f"more than {MAX_ITEMS} entries in one value")
        if self.array_bytes > MAX_ARRAY_BYTES:
            raise DataError(f"arrays over {MAX_ARRAY_BYTES >> 20} MB in one value")


def _dtype(code):
    if not isinstance(code, str) or code not in DTYPES:
        raise DataError(f"dtype {str(code)[:40]!r} is not a numeric dtype")
    return DTYPES[code]


def _bytes(text, budget):
    if not isinstance(text, str):
        raise DataError("array bytes must be base64 text")
    budget.take(nbytes=len(text) * 3 // 4)
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise DataError("array bytes are not valid base64") from None


def _blob(index, blobs, budget):
    if blobs is None or not (0 <= index < len(blobs)):
        raise DataError("an array refers to an attachment that is not there")
    raw = blobs[index]
    budget.take(nbytes=len(raw))
    return raw


def _array(body, budget, blobs=None):
    if not (isinstance(body, list) and len(body) == 3):
        raise DataError("malformed array")
    raw = _blob(body[2], blobs, budget) if type(body[2]) is int else _bytes(body[2], budget)
    dtype, shape = _dtype(body[0]), body[1]
    if not (isinstance(shape, list) and len(shape) <= MAX_NDIM
            and all(type(s) is int and 0 <= s <= MAX_ARRAY_BYTES for s in shape)):
        raise DataError("malformed array shape")
    if math.prod(shape) * dtype.itemsize != len(raw):
        raise DataError("array bytes do not match its shape and dtype")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()  # a writable array of our own


def _scalar(body, budget):
    if not (isinstance(body, list) and len(body) == 2):
        raise DataError("malformed scalar")
    dtype, raw = _dtype(body[0]), _bytes(body[1], budget)
    if len(raw) != dtype.itemsize:
        raise DataError("scalar bytes do not match its dtype")
    return np.frombuffer(raw, dtype=dtype)[0]


def _key(k):
    if k is None or isinstance(k, (bool, int, float, str)):
        return k
    raise DataError("a dict key must be a string, number, bool or None")


def decode(d, refs=None, specs=None, blobs=None, _depth=0, _budget=None):
    """Fresh Python values for encoded data ``d``.

    refs: ``[[node, ...] per input]``, the receiver's own objects that ``$ref`` may name.
    specs: ``{name: cls}`` of the spec classes that may be rebuilt (only the sandbox passes it).
    blobs: the message's binary attachments (bytes-like), which ``$nd`` may name by index.
    """
    budget = _budget or _Budget()
    if _depth > MAX_DEPTH:
        raise DataError("value nested too deeply")
    if d is None or isinstance(d, (bool, str)):
        return d
    if isinstance(d, int):
        if not -(1 << 63) <= d < (1 << 64):
            raise DataError("integer out of range")
        return d
    if isinstance(d, float):
        return d
    if isinstance(d, list):
        budget.take(items=len(d))
        return [decode(v, refs, specs, blobs, _depth + 1, budget) for v in d]
    if not (isinstance(d, dict) and len(d) == 1):
        raise DataError("malformed value")
    (tag, body), = d.items()
    if tag == "$nd":
        return _array(body, budget, blobs)
    if tag == "$np":
        return _scalar(body, budget)
    if tag == "$c":
        if not (isinstance(body, list) and len(body) == 2 and all(isinstance(v, (int, float)) for v in body)):
            raise DataError("malformed complex number")
        return complex(body[0], body[1])
    if tag in ("$t", "$d") and not isinstance(body, list):
        raise DataError("malformed container")
    if tag == "$t":
        budget.take(items=len(body))
        return tuple(decode(v, refs, specs, blobs, _depth + 1, budget) for v in body)
    if tag == "$d":
        budget.take(items=len(body))
        out = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise DataError("malformed dict entry")
            out[_key(decode(pair[0], None, None, None, _depth + 1, budget))] = decode(pair[1], refs, specs, blobs,
                                                                                      _depth + 1, budget)
        return out
    if tag == "$obj":
        return Opaque(body if isinstance(body, str) else "object")
    if tag == "$ref":
        if refs is None or not (isinstance(body, list) and len(body) == 2 and all(type(v) is int for v in body)):
            raise DataError("a reference where none may be")
        arg, index = body
        if not (0 <= arg < len(refs) and 0 <= index < len(refs[arg])):
            raise DataError("a reference to nothing")
        return refs[arg][index]
    if tag == "$spec" and specs is not None:
        if not (isinstance(body, list) and len(body) == 2 and body[0] in specs):
            raise DataError("an unknown spec")
        return specs[body[0]].rebuild(decode(body[1], None, None, blobs, _depth + 1, budget))
    raise DataError(f"unknown tag {str(tag)[:20]!r}")


def round_trip(x, refs=None, ref_objects=None):
    """``decode(encode(x))``: what the judge would see of ``x`` (the in-notebook checks use it so
    that a learner meets the same types at home as in grading)."""
    return decode(encode(x, refs), ref_objects)
