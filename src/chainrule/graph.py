"""The graph behind a tensor, as plain nodes and edges, for drawing and inspection."""
from __future__ import annotations

from dataclasses import dataclass, field


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
