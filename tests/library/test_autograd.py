"""The graph walker and the Tensor API around it."""
import sys

import numpy as np
import pytest

import chainrule as cr
from chainrule import ShapeError, Tensor


def test_gradients_accumulate_over_reused_inputs():
    x = Tensor(3.0, requires_grad=True)
    y = x * x + x          # dy/dx = 2x + 1
    y.backward()
    assert x.grad == pytest.approx(7.0)
    (x * 2).backward()     # a second backward adds to .grad, as in PyTorch
    assert x.grad == pytest.approx(9.0)


def test_diamond_graph_visits_each_node_once():
    x = Tensor(2.0, requires_grad=True)
    a = x * 3
    b = a + a * a          # db/dx = 3 + 2*a*3 = 3 + 36
    b.backward()
    assert x.grad == pytest.approx(39.0)


def test_deep_graph_does_not_hit_the_recursion_limit():
    depth = sys.getrecursionlimit() * 20
    x = Tensor(np.ones(2), requires_grad=True)
    y = x
    for _ in range(depth):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad, 1.0001 ** depth)


def test_backward_on_a_non_scalar_needs_a_gradient():
    y = Tensor(np.ones(3), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"scalar.*shape \(3,\)"):
        y.backward()
    y.backward(np.array([1.0, 2.0, 3.0]))


def test_backward_grad_of_the_wrong_shape_is_named():
    y = Tensor(np.ones(3), requires_grad=True) * 2
    with pytest.raises(ShapeError, match=r"\(2,\).*\(3,\)"):
        y.backward(np.ones(2))


def test_backward_without_requires_grad_explains():
    with pytest.raises(RuntimeError, match="requires_grad"):
        (Tensor([1.0]) * 2).sum().backward()


def test_second_backward_through_freed_graph_is_refused_unless_retained():
    x = Tensor(2.0, requires_grad=True)
    y = (x * x).exp()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad == pytest.approx(2 * 2 * 2 * np.exp(4.0))
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_shape_errors_name_the_op_and_both_shapes():
    with pytest.raises(ShapeError, match=r"matmul.*\(2, 3\).*\(4, 2\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 2)))
    with pytest.raises(ShapeError, match=r"add.*\(2, 3\).*\(4, 2\)"):
        Tensor(np.ones((2, 3))) + Tensor(np.ones((4, 2)))
    with pytest.raises(ShapeError, match=r"reshape.*\(2, 3\).*\(4,\)"):
        Tensor(np.ones((2, 3))).reshape(4)


def test_no_grad_records_nothing():
    x = Tensor(1.0, requires_grad=True)
    with cr.no_grad():
        y = x * 2
    assert not y.requires_grad and y.is_leaf
    assert (x * 2).requires_grad


def test_grad_mode_and_anomaly_are_per_thread():
    """no_grad and detect_anomaly in one thread leave another thread's switches at their defaults."""
    import threading
    seen = {}

    def other():
        x = Tensor(1.0, requires_grad=True)
        seen["grad"], seen["anomaly"], seen["records"] = (cr.is_grad_enabled(), cr.autograd.is_anomaly_enabled(),
                                                          (x * 2).requires_grad)
    with cr.no_grad(), cr.detect_anomaly():
        worker = threading.Thread(target=other)
        worker.start()
        worker.join()
        assert not cr.is_grad_enabled() and cr.autograd.is_anomaly_enabled()
    assert seen == {"grad": True, "anomaly": False, "records": True}
    assert cr.is_grad_enabled() and not cr.autograd.is_anomaly_enabled()


def test_detach_cuts_the_graph():
    x = Tensor(2.0, requires_grad=True)
    y = x * x.detach()     # only the first factor carries a gradient
    y.backward()
    assert x.grad == pytest.approx(2.0)


def test_detect_anomaly_names_the_op_that_made_a_nan():
    x = Tensor([1.0, -1.0], requires_grad=True)
    with cr.detect_anomaly(), pytest.raises(FloatingPointError, match="forward of log"):
        with np.errstate(invalid="ignore"):
            x.log()
    y = Tensor([0.0], requires_grad=True)
    with cr.detect_anomaly(), pytest.raises(FloatingPointError, match="backward of sqrt"):
        with np.errstate(divide="ignore"):
            y.sqrt().sum().backward()


def test_hooks_see_and_may_replace_the_gradient():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 3
    seen = []
    h.register_hook(lambda g: seen.append(g.copy()))
    handle = x.register_hook(lambda g: g * 10)
    (h * h).sum().backward(retain_graph=True)
    np.testing.assert_allclose(seen[0], 2 * 3 * np.array([1.0, 2.0]))
    np.testing.assert_allclose(x.grad, 10 * 18 * np.array([1.0, 2.0]))
    handle.remove()
    x.grad = None
    (h * h).sum().backward()
    np.testing.assert_allclose(x.grad, 18 * np.array([1.0, 2.0]))


def test_retain_grad_on_intermediate():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = (x * 3).retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)
    assert (x * 3).grad is None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(dtype):
    x = Tensor(np.ones((2, 3), dtype=dtype), requires_grad=True)
    w = Tensor(np.ones((3, 4), dtype=dtype), requires_grad=True)
    y = ((x @ w) * 2 + 1 - 0.5).tanh().sigmoid().exp().log().sum()
    assert y.dtype == dtype
    y.backward()
    assert x.grad.dtype == dtype and w.grad.dtype == dtype


def test_python_numbers_become_float64_and_int_arrays_stay_int():
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(np.array([1, 2])).dtype.kind == "i"
    with pytest.raises(TypeError, match="floating-point"):
        Tensor(np.array([1, 2]), requires_grad=True)


def test_numpy_array_on_the_left():
    x = Tensor(np.ones(3), requires_grad=True)
    y = np.arange(3.0) * x + np.ones(3)
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.arange(3.0))


def test_item_detach_numpy_repr():
    x = Tensor([[2.5]], requires_grad=True)
    assert x.item() == 2.5 and x.numpy() is x.data
    assert not x.detach().requires_grad
    assert "requires_grad=True" in repr(x) and "grad_fn=mul" in repr(x * 2)
    with pytest.raises(ValueError, match="one element"):
        Tensor([1.0, 2.0]).item()


def test_graph_export_lists_ops_shapes_and_edges():
    x = Tensor(np.ones((3, 4)), requires_grad=True, name="x")
    w = Tensor(np.ones((4, 2)), requires_grad=True, name="W")
    loss = (x @ w).tanh().sum()
    g = cr.trace_graph(loss)
    by_label = {n.label: n for n in g.nodes}
    assert {"x", "W", "matmul", "tanh", "sum"} <= set(by_label)
    assert by_label["matmul"].shape == (3, 2) and by_label["x"].kind == "leaf"
    assert (by_label["x"].id, by_label["matmul"].id) in g.edges
    assert (by_label["tanh"].id, by_label["sum"].id) in g.edges
    assert len(g.edges) == 4
    assert "digraph" in g.to_dot()


def test_leaf_gradients_never_share_memory():
    """backward hands a VJP's new array to a leaf without copying it, so it must never hand
    the same array to two leaves, nor the caller's gradient: clipping changes .grad in place."""
    import chainrule.nn as nn
    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    g = np.arange(3.0)
    (a + b).backward(g)
    assert not np.shares_memory(a.grad, b.grad) and not np.shares_memory(a.grad, g)
    a.grad *= 0
    np.testing.assert_array_equal(b.grad, g)
    x = Tensor(np.ones(3), requires_grad=True)
    x.backward(g)
    assert not np.shares_memory(x.grad, g)
    rnn = nn.RNN(2, 3, dtype=np.float64)                       # both biases get the same sum
    rnn(Tensor(np.ones((4, 1, 2))))[0].sum().backward()
    assert not np.shares_memory(rnn.bias_ih_l0.grad, rnn.bias_hh_l0.grad)
    seen = []
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    w.register_hook(lambda grad: seen.append(grad))
    (Tensor(np.ones((3, 2))) @ w).sum().backward()
    assert not np.shares_memory(w.grad, seen[0])
