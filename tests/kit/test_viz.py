"""viz.draw_graph: the computation graph drawn with matplotlib alone (Agg backend, no graphviz)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import chainrule as cr  # noqa: E402
from coursekit import viz  # noqa: E402


def _by_gid(ax, prefix):
    return [p for p in ax.patches if (p.get_gid() or "").startswith(prefix)]


def _worked_example():
    w = cr.Tensor(2.0, requires_grad=True, name="w")
    b = cr.Tensor(0.5, requires_grad=True, name="b")
    x, y = cr.Tensor(-1.5, name="x"), cr.Tensor(1.0, name="y")
    u = w * x
    e = u + b - y
    J = 0.5 * e ** 2
    return J, (w, b, u, e)


def test_draw_graph_draws_one_patch_per_node_and_one_arrow_per_edge():
    J, _ = _worked_example()
    graph = cr.trace_graph(J)
    ax = viz.draw_graph(J, title="J")
    assert len(_by_gid(ax, "node-")) == len(graph.nodes) == 11
    assert len(_by_gid(ax, "edge-")) == len(graph.edges) == 10
    assert len(ax.texts) == len(graph.nodes)
    assert ax.get_title() == "J"
    plt.close(ax.figure)


def test_layout_goes_left_to_right_and_styles_ops_and_leaves_apart():
    J, (w, b, u, e) = _worked_example()
    graph = cr.trace_graph(J)
    pos = viz.graph_layout(graph)
    for a, c in graph.edges:
        assert pos[a][0] < pos[c][0], "every edge points right"
    root = graph.nodes[0]
    assert pos[root.id][0] == max(p[0] for p in pos.values())
    ax = viz.draw_graph(graph)
    faces = {n.kind: _by_gid(ax, f"node-{n.id}")[0].get_facecolor() for n in graph.nodes}
    assert len({tuple(f) for f in faces.values()}) == 3   # op, leaf and constant look different
    plt.close(ax.figure)


def test_values_gradients_shapes_and_annotations_are_written():
    J, (w, b, u, e) = _worked_example()
    u.retain_grad()
    J.backward()
    fig, ax = plt.subplots()
    assert viz.draw_graph(J, ax=ax, values=True, grads=True, annotations={"x": "input"}) is ax
    text = "\n".join(t.get_text() for t in ax.texts)
    assert "= 6.125" in text and "∂ 5.25" in text and "∂ -3.5" in text and "input" in text
    plt.close(fig)
    W = cr.Tensor(np.ones((4, 3)), requires_grad=True, name="W")
    ax = viz.draw_graph((W @ cr.Tensor(np.ones(3))).tanh().sum())
    assert "(4, 3)" in "\n".join(t.get_text() for t in ax.texts)
    plt.close(ax.figure)


@pytest.mark.parametrize("depth", [1, 60])
def test_deep_chains_and_reused_nodes(depth):
    x = cr.Tensor(0.3, requires_grad=True, name="x")
    y = x
    for _ in range(depth):
        y = (y * y).tanh()          # y used twice by one op
    ax = viz.draw_graph(y)
    graph = cr.trace_graph(y)
    assert len(_by_gid(ax, "node-")) == 1 + 2 * depth
    assert len(_by_gid(ax, "edge-")) == len(graph.edges) == 3 * depth
    plt.close(ax.figure)
