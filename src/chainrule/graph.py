"""The graph behind a tensor, as plain nodes and edges, for drawing and inspection."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class GraphNode:
    id: int
    label: str          # the tensor's name, or the op that made it
    op: str | None      # None for leaves (inputs, parameters, constants)
    shape: tuple
    kind: str           # "leaf" (requires grad), "constant" or "op"


@dataclass
class Graph:
    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)   # (from_id, to_id): data flows from -> to
    tensors: dict = field(default_factory=dict, repr=False, compare=False)  # id -> the traced Tensor

    def to_dot(self):
        """Graphviz source, for those who have graphviz; the course draws with matplotlib."""
        lines = ["digraph G {", "  rankdir=LR;"]
        for n in self.nodes:
            shape = "ellipse" if n.kind == "op" else "box"
            lines.append(f'  n{n.id} [label="{n.label}\\n{n.shape}", shape={shape}];')
        lines += [f"  n{a} -> n{b};" for a, b in self.edges]
        return "\n".join(lines + ["}"])


def trace(root) -> Graph:
    """Every tensor ``root`` was computed from, and which fed which."""
    ids, graph, stack = {}, Graph(), [root]

    def node_id(t):
        if id(t) not in ids:
            ids[id(t)] = len(ids)
            op = t._node.op.name if t._node is not None else None
            kind = "op" if op else ("leaf" if t.requires_grad else "constant")
            graph.nodes.append(GraphNode(ids[id(t)], t.name or op or ("input" if t.requires_grad else "const"),
                                         op, tuple(t.shape), kind))
            graph.tensors[ids[id(t)]] = t
            stack.append(t)
        return ids[id(t)]

    node_id(root)
    stack.pop()
    stack.append(root)
    seen = set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if t._node is not None:
            for p in t._node.parents:
                graph.edges.append((node_id(p), ids[id(t)]))
    return graph


def local_gradients(graph: Graph) -> dict:
    """``{(parent_id, child_id): ∂child/∂parent}`` for a traced graph of one-number tensors: each op's
    own backward rule applied to 1, before ``backward()`` frees what the forward pass saved (a parent
    an op uses twice, as in ``a * a``, gets the sum of its two local derivatives)."""
    ids = {id(t): i for i, t in graph.tensors.items()}
    local = {}
    for i, t in graph.tensors.items():
        node = t._node
        if node is None:
            continue
        if node.freed:
            raise ValueError("backward() already ran through this graph: build it again")
        ones = np.ones_like(t.data)
        for p, g, need in zip(node.parents, node.op.backward(ones, node.cache, node.needs), node.needs):
            if need and g is not None:
                key = (ids[id(p)], i)
                local[key] = local.get(key, 0.0) + float(np.sum(g))
    return local
