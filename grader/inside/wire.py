"""The pipe between judge and student host: length-prefixed JSON messages, and its errors.

Framing: 4-byte big-endian total length, 4-byte length of the UTF-8 JSON, the JSON, then the
attachments (arrays' raw bytes, :mod:`coursekit.data`), each an 8-byte length and its bytes. Reads and writes honour a deadline (a peer
that stops reading or answering must not hang the judge). The errors derive from BaseException
on purpose: a check's ``except Exception`` (which turns a student's exception into feedback) must
not swallow a dead or silent peer.
"""
from __future__ import annotations

import json
import os
import re
import select
import struct
import time

MAX_MESSAGE = 64 << 20   # bytes; a bigger message is a protocol error


class ProtocolError(BaseException):
    """The other side sent something that is not a valid message (or the pipe closed)."""


class PeerGone(ProtocolError):
    """The other process closed the pipe or died."""


class Timeout(BaseException):
    """No answer before the deadline."""


class RemoteError(Exception):
    """An exception of a class that is not rebuilt locally; ``ename`` is its class name."""

    def __init__(self, ename, message):
        super().__init__(f"{ename}: {message}" if message else ename)
        self.ename = ename


CHUNK = 1 << 20  # bytes per system call: the deadline is looked at between two of them


def pipe(size=CHUNK) -> tuple:
    """``os.pipe()`` with room for ``size`` bytes where the system allows it (the default 64 KiB
    makes a large array cross in many small steps, each waking the other side)."""
    r, w = os.pipe()
    try:
        import fcntl
        fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, size)
    except (ImportError, AttributeError, OSError):
        pass  # the default size works, only more slowly
    return r, w


def _write_all(fd, bufs, deadline) -> None:
    """Write the buffers in order: one ``writev`` per chunk of up to :data:`CHUNK` bytes."""
    bufs = [memoryview(b).cast("B") for b in bufs if len(b)]
    while bufs:
        if deadline is not None:  # a peer that stops reading must not hang us
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [fd], [], left)[1]:
                raise Timeout()
        batch, room = [], CHUNK
        for b in bufs:
            if room <= 0 or len(batch) >= 64:
                break
            batch.append(b[:room])
            room -= len(batch[-1])
        try:
            n = os.writev(fd, batch)
        except BrokenPipeError:
            raise PeerGone("the other process closed the connection") from None
        while n:
            if n >= len(bufs[0]):
                n -= len(bufs.pop(0))
            else:
                bufs[0], n = bufs[0][n:], 0


def write_message(fd, obj, deadline=None, blobs=()) -> None:
    """One frame: total length, JSON length, the JSON, then each attachment (8-byte length, bytes)."""
    data = json.dumps(obj, separators=(",", ":"), allow_nan=True).encode()
    total = 4 + len(data) + sum(8 + len(b) for b in blobs)
    if total > MAX_MESSAGE:
        raise ProtocolError(f"message of {total} bytes is over the {MAX_MESSAGE}-byte limit")
    parts = [struct.pack(">II", total, len(data)), data]
    for b in blobs:
        parts += [struct.pack(">Q", len(b)), b]
    _write_all(fd, parts, deadline)


def _read_exact(fd, n, deadline):
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise Timeout()
        k = os.readv(fd, [view[got:got + (1 << 20)]])
        if not k:
            raise PeerGone("the other process closed the connection")
        got += k
    return buf


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def valid_unicode(obj, raw: bytes = None):
    """``obj`` (parsed JSON) with every lone surrogate replaced by U+FFFD. JSON may spell one
    (``"\\ud800"``) and ``json.loads`` keeps it, but no UTF-8 file can hold it: one student's string
    would stop every writer of the batch. ``raw``: the JSON text, to skip the walk when it has no such escape."""
    if raw is not None and not _SURROGATE_ESCAPE.search(raw):
        return obj
    if isinstance(obj, str):
        return obj.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if _has_surrogate(obj) else obj
    if isinstance(obj, list):
        return [valid_unicode(v) for v in obj]
    if isinstance(obj, dict):
        return {valid_unicode(k): valid_unicode(v) for k, v in obj.items()}
    return obj


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def read_message(fd, deadline=None):
    """The frame's JSON object, with its attachments (memoryviews) under ``"$blobs"`` (always set,
    so a ``"$blobs"`` key in the JSON itself is never believed)."""
    (total,) = struct.unpack(">I", _read_exact(fd, 4, deadline))
    if total > MAX_MESSAGE or total < 4:
        raise ProtocolError(f"announced message of {total} bytes is over the limit")
    frame = memoryview(_read_exact(fd, total, deadline))
    (n,) = struct.unpack(">I", frame[:4])
    if n > total - 4:
        raise ProtocolError("malformed frame")
    try:
        raw = bytes(frame[4:4 + n])
        msg = valid_unicode(json.loads(raw), raw)
    except (ValueError, RecursionError) as e:
        raise ProtocolError(f"not JSON: {e}") from None
    if not isinstance(msg, dict):
        raise ProtocolError("a message must be a JSON object")
    blobs, at = [], 4 + n
    while at < total:
        if at + 8 > total:
            raise ProtocolError("malformed attachment")
        (k,) = struct.unpack(">Q", frame[at:at + 8])
        if k > total - at - 8:
            raise ProtocolError("malformed attachment")
        blobs.append(frame[at + 8:at + 8 + k])
        at += 8 + k
    msg["$blobs"] = blobs
    return msg
