"""Property tests (hypothesis): broadcasting and reductions hold for all shapes, not just chosen ones."""
import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import chainrule as cr
from chainrule import Tensor
from chainrule.ops import unbroadcast

FAST = settings(max_examples=60, deadline=None)
pair_shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4)


def arrays(shape, seed):
    return np.random.default_rng(seed).uniform(0.5, 1.5, size=shape)


@FAST
@given(pair_shapes, st.integers(0, 2**32 - 1))
def test_broadcast_gradients_have_the_input_shapes_and_sum_back(shapes, seed):
    (sa, sb), out_shape = shapes.input_shapes, shapes.result_shape
    a, b = Tensor(arrays(sa, seed), requires_grad=True), Tensor(arrays(sb, seed + 1), requires_grad=True)
    dout = arrays(out_shape, seed + 2)
    (a * b).backward(dout)
    assert a.grad.shape == sa and b.grad.shape == sb
    # d(sum dout * a * b)/da = dout * b, summed over the axes that a was broadcast along
    expected_a = unbroadcast(np.broadcast_to(dout * b.data, out_shape), sa)
    np.testing.assert_allclose(a.grad, expected_a, rtol=1e-12)
    assert np.isclose(a.grad.sum(), (dout * np.broadcast_to(b.data, out_shape)).sum())


@settings(max_examples=25, deadline=None)
@given(pair_shapes, st.integers(0, 2**32 - 1), st.sampled_from(["add", "sub", "mul", "div"]))
def test_broadcast_binary_ops_pass_gradcheck(shapes, seed, op):
    sa, sb = shapes.input_shapes
    fn = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b,
          "mul": lambda a, b: a * b, "div": lambda a, b: a / b}[op]
    assert cr.gradcheck(fn, (arrays(sa, seed), arrays(sb, seed + 1)))


@FAST
@given(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4), st.data(), st.booleans())
def test_sum_and_mean_spread_the_gradient_evenly(shape, data, keepdims):
    ndim = len(shape)
    axis = data.draw(st.one_of(st.none(), st.lists(st.integers(0, max(ndim - 1, 0)), unique=True,
                                                    min_size=1, max_size=max(ndim, 1)).map(tuple))) if ndim else None
    x = Tensor(arrays(shape, 0), requires_grad=True)
    y = x.sum(axis=axis, keepdims=keepdims)
    assert y.shape == np.sum(x.data, axis=axis, keepdims=keepdims).shape
    y.backward(np.ones(y.shape))
    np.testing.assert_array_equal(x.grad, np.ones(shape))
    x.grad = None
    m = x.mean(axis=axis, keepdims=keepdims)
    m.backward(np.ones(m.shape))
    count = x.data.size // max(m.data.size, 1)
    np.testing.assert_allclose(x.grad, np.full(shape, 1.0 / count))


@FAST
@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), st.integers(0, 2**32 - 1), st.data())
def test_max_routes_the_gradient_to_the_argmax(shape, seed, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = np.random.default_rng(seed).permutation(np.arange(np.prod(shape), dtype=float)).reshape(shape)
    t = Tensor(x, requires_grad=True)
    t.max(axis=axis).sum().backward()
    expected = (x == x.max(axis=axis, keepdims=True)).astype(float)
    np.testing.assert_array_equal(t.grad, expected)


@FAST
@given(pair_shapes, st.integers(0, 2**32 - 1))
def test_unbroadcast_preserves_the_total(shapes, seed):
    sa, _ = shapes.input_shapes
    g = arrays(shapes.result_shape, seed)
    r = unbroadcast(g, sa)
    assert r.shape == sa
    assert np.isclose(r.sum(), g.sum())
