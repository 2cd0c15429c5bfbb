"""The pipe between judge and student host: length-prefixed JSON messages, and its errors.

Framing: 4-byte big-endian length, then UTF-8 JSON. Reads and writes honour a deadline (a peer
that stops reading or answering must not hang the judge). The errors derive from BaseException
on purpose: a check's ``except Exception`` (which turns a student's exception into feedback) must
not swallow a dead or silent peer.
"""
from __future__ import annotations

import json
import os
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


def write_message(fd, obj, deadline=None) -> None:
    data = json.dumps(obj, separators=(",", ":"), allow_nan=True).encode()
    if len(data) > MAX_MESSAGE:
        raise ProtocolError(f"message of {len(data)} bytes is over the {MAX_MESSAGE}-byte limit")
    buf = memoryview(struct.pack(">I", len(data)) + data)
    while buf:
        if deadline is not None:  # a peer that stops reading must not hang us
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [fd], [], left)[1]:
                raise Timeout()
        try:
            n = os.write(fd, buf[: 1 << 16])
        except BrokenPipeError:
            raise PeerGone("the other process closed the connection") from None
        buf = buf[n:]


def _read_exact(fd, n, deadline):
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise Timeout()
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise PeerGone("the other process closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_message(fd, deadline=None):
    (n,) = struct.unpack(">I", _read_exact(fd, 4, deadline))
    if n > MAX_MESSAGE:
        raise ProtocolError(f"announced message of {n} bytes is over the limit")
    try:
        msg = json.loads(_read_exact(fd, n, deadline))
    except (ValueError, RecursionError) as e:
        raise ProtocolError(f"not JSON: {e}") from None
    if not isinstance(msg, dict):
        raise ProtocolError("a message must be a JSON object")
    return msg
