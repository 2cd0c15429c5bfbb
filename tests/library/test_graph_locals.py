"""chainrule.graph.local_gradients: each edge's local derivative, from the op's own backward rule,
checked against central differences of that one op in float64."""
import numpy as np
import pytest

from chainrule import Tensor
from chainrule.graph import local_gradients, trace


def test_local_gradients_match_central_differences_per_edge():
    a, b = Tensor(0.7, requires_grad=True), Tensor(-1.3, requires_grad=True)
    p = a * b
    s = p + a
    out = s.tanh()
    graph = trace(out)
    ids = {id(t): i for i, t in graph.tensors.items()}
    local = local_gradients(graph)
    h = 1e-6
    expected = {
        (ids[id(a)], ids[id(p)]): b.item(), (ids[id(b)], ids[id(p)]): a.item(),
        (ids[id(p)], ids[id(s)]): 1.0, (ids[id(a)], ids[id(s)]): 1.0,
        (ids[id(s)], ids[id(out)]): (np.tanh(s.item() + h) - np.tanh(s.item() - h)) / (2 * h),
    }
    assert set(local) == set(expected)
    for key, value in expected.items():
        assert local[key] == pytest.approx(value, rel=1e-7), key


def test_a_parent_used_twice_gets_both_local_derivatives():
    a = Tensor(1.5, requires_grad=True)
    sq = a * a
    graph = trace(sq)
    assert list(local_gradients(graph).values()) == [pytest.approx(2 * 1.5)]


def test_after_backward_the_graph_is_refused():
    a = Tensor(0.5, requires_grad=True)
    out = (a * a).exp()
    out.backward()
    with pytest.raises(ValueError, match="already ran"):
        local_gradients(trace(out))
