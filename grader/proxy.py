"""Stand-ins for the other process's objects: every use of a :class:`Proxy` is a request."""
from __future__ import annotations

import operator

import numpy as np

BINOPS = {n: getattr(operator, n) for n in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow",
                                             "matmul", "and_", "or_", "xor", "lt", "le", "gt", "ge")}
UNOPS = {"neg": operator.neg, "pos": operator.pos, "abs": operator.abs, "invert": operator.invert,
         "float": float, "int": int, "index": operator.index, "bool": bool, "len": len, "repr": repr,
         "str": str, "iter": iter, "next": next, "hash": hash}


class Lend:
    """Wraps an array that is a live attribute of one of our objects (a tensor's ``.data``): the
    other side gets a copy, and what it writes into that copy comes back into our array, so
    ``p.data[i] += eps`` works across the pipe."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class Proxy:
    """Stands for an object of the other process; every use is a request to it."""
    __slots__ = ("_peer", "_rid", "__weakref__")

    def __init__(self, peer, rid):
        object.__setattr__(self, "_peer", peer)
        object.__setattr__(self, "_rid", rid)

    def __getattr__(self, name):
        return self._peer.request("getattr", self, name)

    def __setattr__(self, name, value):
        self._peer.request("setattr", self, name, value)

    def __call__(self, *args, **kwargs):
        return self._peer.request("call", self, list(args), kwargs)

    def __repr__(self):
        return self._peer.request("unop", "repr", self)

    def __str__(self):
        return self._peer.request("unop", "str", self)

    def __bool__(self):
        return self._peer.request("unop", "bool", self)

    def __len__(self):
        return self._peer.request("unop", "len", self)

    def __float__(self):
        return self._peer.request("unop", "float", self)

    def __int__(self):
        return self._peer.request("unop", "int", self)

    def __index__(self):
        return self._peer.request("unop", "index", self)

    def __iter__(self):
        return self._peer.request("unop", "iter", self)

    def __next__(self):
        return self._peer.request("unop", "next", self)

    def __getitem__(self, key):
        return self._peer.request("getitem", self, key)

    def __setitem__(self, key, value):
        self._peer.request("setitem", self, key, value)

    def __contains__(self, item):
        return self._peer.request("contains", self, item)

    def __enter__(self):
        return self._peer.request("enter", self)

    def __exit__(self, *exc):
        return self._peer.request("exit", self)

    def __array__(self, dtype=None, copy=None):
        a = self._peer.request("array", self)
        if not isinstance(a, np.ndarray):
            raise TypeError("the remote object is not an array")
        return a.astype(dtype) if dtype is not None else a

    def __instancecheck__(self, obj):
        return self._peer.request("isinstance", obj, self)

    def __neg__(self):
        return self._peer.request("unop", "neg", self)

    def __pos__(self):
        return self._peer.request("unop", "pos", self)

    def __abs__(self):
        return self._peer.request("unop", "abs", self)


def _binop(name):
    def op(self, other):
        return self._peer.request("binop", name, self, other)

    def rop(self, other):
        return self._peer.request("binop", name, other, self)
    return op, rop


for _n in BINOPS:
    _op, _rop = _binop(_n)
    _dunder = _n.rstrip("_")
    setattr(Proxy, f"__{_dunder}__", _op)
    if _n not in ("lt", "le", "gt", "ge"):
        setattr(Proxy, f"__r{_dunder}__", _rop)
