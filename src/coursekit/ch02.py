"""Chapter 2's inputs and drivers: graphs to sort, and expressions to run on a learner's ``Value``.

* :class:`Graph` — the graph a ``topological_sort(root)`` is tried on, a spec of plain
  :class:`Node` objects. It is described by each node's name and parents' indices, in a shuffled
  order (the order the nodes were made would be a topological order, readable in the sandbox), and
  offers its nodes as ``refs()``: a learner's order comes back as the receiver's own nodes, and a
  node the learner made up arrives as :class:`~coursekit.data.Opaque`.
* driver ``"ch02.call_on_root"`` — ``topological_sort(graph.root)``.
* driver ``"ch02.value_expression"`` — builds the leaves with the learner's ``Value`` class, runs
  a small program of operations on them (the judge records it from a case's expression, see
  :func:`value_expression`), calls ``backward()`` and returns the numbers it read.

Only inputs and how to drive: expected orders and gradients are computed by the grader.
"""
from __future__ import annotations

import itertools
import operator
import random
import zlib

from .drivers import driver
from .specs import Spec, register


class Node:
    """A plain graph node: ``.name`` and ``.parents`` (a tuple; the same parent may appear twice)."""

    def __init__(self, name, parents=()):
        self.name = name
        self.parents = tuple(parents)

    def __repr__(self):
        return f"Node({self.name!r})"


@register
class Graph(Spec):
    """Nodes made through :meth:`node`, in that order; the root is the last one made.

    On the wire (and in ``refs()``) the nodes are listed in a shuffled order, not the order they
    were made: that order puts parents first, so it *is* a topological order, and a learner's code
    in the sandbox can reach the rebuilt graph's list (through the driver's frame or the garbage
    collector). The shuffle is seeded by the graph itself, so a re-grade sees the same order."""

    spec_name = "ch02.Graph"
    MAX_NODES = 10_000

    def __init__(self):
        self.nodes = []
        self._index = {}
        self._root = None
        self._wired = None  # refs(): the nodes in the wire order, once the graph is complete

    def node(self, name, parents=()):
        """A new node of this graph; its parents must be nodes of this graph."""
        parents = tuple(parents)
        if any(id(p) not in self._index for p in parents):
            raise ValueError("a parent that is not a node of this graph")
        n = Node(str(name), parents)
        self._index[id(n)] = len(self.nodes)
        self.nodes.append(n)
        self._root = n
        self._wired = None
        return n

    @property
    def root(self):
        return self._root

    def _wire_order(self):
        """The nodes in a shuffled order, seeded by the names and edges (the same graph, the same order)."""
        made = [[n.name, [self._index[id(p)] for p in n.parents]] for n in self.nodes]
        order = list(self.nodes)
        random.Random(zlib.crc32(repr(made).encode())).shuffle(order)
        return order

    def spec(self):
        order = self._wire_order()
        at = {id(n): i for i, n in enumerate(order)}
        return {"nodes": [[n.name, [at[id(p)] for p in n.parents]] for n in order], "root": at[id(self.root)]}

    @classmethod
    def rebuild(cls, data):
        # the judge's own description; still checked, so a malformed one fails here and not later
        nodes, root = (data.get("nodes"), data.get("root")) if isinstance(data, dict) else (None, None)
        if not (isinstance(nodes, list) and 0 < len(nodes) <= cls.MAX_NODES and type(root) is int
                and 0 <= root < len(nodes)):
            raise ValueError("malformed graph")
        g = cls()
        for item in nodes:  # every node first, then the edges: the list is in no particular order
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                    and isinstance(item[1], list) and all(type(i) is int and 0 <= i < len(nodes) for i in item[1])):
                raise ValueError("malformed graph node")
            n = Node(item[0])
            g._index[id(n)] = len(g.nodes)
            g.nodes.append(n)
        for n, (_, parents) in zip(g.nodes, nodes):
            n.parents = tuple(g.nodes[i] for i in parents)
        g._root = g.nodes[root]
        g._wired = list(g.nodes)  # already in the wire order: refs() must list them the same way
        return g

    def refs(self):
        if self._wired is None:
            self._wired = self._wire_order()
        return self._wired


@driver("ch02.call_on_root")
def call_on_root(target, graph):
    """``target(graph.root)``. The check has always taken any iterable as an order, so another
    iterable (a generator, a dict's keys, a dict used as an ordered set) is read into a list here,
    in the learner's process; a list or tuple goes back as it is, anything else too, to be judged."""
    result = target(graph.root)
    if isinstance(result, (list, tuple, str, bytes)):
        return result
    try:
        items = iter(result)
    except TypeError:
        return result
    # bounded: an endless generator must not keep the learner's process busy forever
    return list(itertools.islice(items, 4 * len(graph.nodes) + 16))


# the operations a program may use: operators with the operands in place (so ``3 * a`` runs as
# 3 * a and exercises the learner's __rmul__), and methods of the learner's Value without arguments
BINARY = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
          "pow": operator.pow}
UNARY = {"neg": operator.neg}
METHODS = ("tanh", "exp", "relu", "sigmoid", "log")


def _operand(registers, operand):
    kind, x = operand
    if kind == "v":
        return registers[x]
    if kind == "k" and isinstance(x, (int, float)) and not isinstance(x, bool):
        return x
    raise ValueError(f"malformed operand {operand!r}")


@driver("ch02.value_expression")
def value_expression(Value, leaves, program, root, upto="backward"):
    """Exercise the learner's ``Value`` class on one expression; what it read, as numbers.

    leaves: the leaves' numbers, ``Value(x)`` each; they are registers ``0 .. n-1``.
    program: ``[[op, operand, ...], ...]``; instruction k puts its result in register ``n + k``.
        op is a key of BINARY or UNARY (``["mul", ["k", 3], ["v", 0]]`` is ``3 * leaf0``) or a
        name in METHODS (``["tanh", ["v", 4]]`` is ``register4.tanh()``); an operand is
        ``["v", register]`` or ``["k", number]``.
    root: the register of the expression's result.
    upto: ``"leaves"``, ``"forward"`` or ``"backward"``: where to stop.

    Returns ``{"leaves": [[data, grad] of each leaf right after Value(x)], "out": root.data,
    "grads": [each leaf's .grad after root.backward()]}`` (the keys up to ``upto``), the
    attributes as they are (None where missing), so the check can say what it found. An
    exception of the learner's code propagates: the check reports it.
    """
    nodes = [Value(x) for x in leaves]
    out = {"leaves": [[getattr(n, "data", None), getattr(n, "grad", None)] for n in nodes]}
    if upto == "leaves":
        return out
    registers = list(nodes)
    for op, *operands in program:
        args = [_operand(registers, o) for o in operands]
        if op in BINARY and len(args) == 2:
            registers.append(BINARY[op](*args))
        elif op in UNARY and len(args) == 1:
            registers.append(UNARY[op](*args))
        elif op in METHODS and len(args) == 1:
            registers.append(getattr(args[0], op)())
        else:
            raise ValueError(f"malformed instruction {op!r}")
    top = registers[root]
    out["out"] = getattr(top, "data", None)
    if upto == "forward":
        return out
    top.backward()
    out["grads"] = [getattr(n, "grad", None) for n in nodes]
    return out


@driver("ch02.dual_expression")
def dual_expression(Dual, leaves, dots, program, root):
    """Exercise the learner's ``Dual`` class (forward mode) on one expression; what it read, as numbers.

    leaves, dots: the leaves' values and tangents, ``Dual(x, d)`` each; registers ``0 .. n-1``.
    program, root: as for :func:`value_expression` (ops ``add``, ``mul``, ``tanh``, ``exp``).

    Returns ``{"out": [root.val, root.dot], "mults": the change of Dual.mults over the whole
    expression (None when the class has no such counter)}``. An exception propagates.
    """
    nodes = [Dual(x, d) for x, d in zip(leaves, dots)]
    start = getattr(Dual, "mults", None)
    registers = list(nodes)
    for op, *operands in program:
        args = [_operand(registers, o) for o in operands]
        if op in ("add", "mul") and len(args) == 2:
            registers.append(BINARY[op](*args))
        elif op in ("tanh", "exp") and len(args) == 1:
            registers.append(getattr(args[0], op)())
        else:
            raise ValueError(f"malformed instruction {op!r}")
    top = registers[root]
    end = getattr(Dual, "mults", None)
    counted = end - start if isinstance(start, (int, float)) and isinstance(end, (int, float)) else None
    return {"out": [getattr(top, "val", None), getattr(top, "dot", None)], "mults": counted}
