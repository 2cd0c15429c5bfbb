"""conv2d, max_pool2d, avg_pool2d: gradients checked numerically (float64) on several shapes,
strides and paddings, and against PyTorch where it is installed; errors name the op and shapes."""
import numpy as np
import pytest

import chainrule as cr
import chainrule.functional as F
from chainrule.ops.conv import _max_pool2d_fwd
from chainrule.ops.registry import Primitive
from torchref import assert_same_as_torch


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


# x shape, weight shape, stride, padding
CONV_CASES = [
    ((1, 1, 5, 5), (1, 1, 3, 3), 1, 0),
    ((2, 3, 6, 7), (4, 3, 3, 2), (2, 1), (1, 0)),
    ((3, 2, 5, 5), (2, 2, 1, 1), 1, 0),
    ((1, 2, 7, 6), (3, 2, 3, 3), 3, 2),
    ((2, 1, 4, 4), (2, 1, 4, 4), 1, 1),
]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("xs, ws, stride, padding", CONV_CASES)
def test_conv2d_gradcheck(xs, ws, stride, padding, bias, rng):
    arrays = [rng.standard_normal(xs), rng.standard_normal(ws)] + ([rng.standard_normal(ws[0])] if bias else [])
    assert cr.gradcheck(lambda x, w, b=None: F.conv2d(x, w, b, stride, padding), arrays)


@pytest.mark.parametrize("xs, ws, stride, padding", CONV_CASES)
def test_conv2d_matches_torch(torch, xs, ws, stride, padding, rng):
    arrays = [rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])]
    assert_same_as_torch(torch, lambda x, w, b: F.conv2d(x, w, b, stride, padding),
                         lambda x, w, b: torch.nn.functional.conv2d(x, w, b, stride, padding), arrays, rng)


def test_conv2d_skips_dx_for_a_constant_input_and_keeps_float32(rng):
    x = cr.Tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32))
    w = cr.Tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), requires_grad=True)
    y = F.conv2d(x, w, padding=1)
    assert y.dtype == np.float32 and y.shape == (2, 4, 6, 6)
    y.sum().backward()
    assert x.grad is None and w.grad.dtype == np.float32
    # each weight sees every pixel of its input channel once per image, zero padding aside
    ones = F.conv2d(cr.Tensor(np.ones((1, 1, 6, 6))), cr.Tensor(np.ones((1, 1, 3, 3))), padding=1)
    assert ones.data[0, 0, 0, 0] == 4 and ones.data[0, 0, 2, 2] == 9


def test_conv2d_is_a_cross_correlation():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.zeros((1, 1, 2, 2))
    w[0, 0, 0, 1] = 1                          # picks the top-right element of each window
    np.testing.assert_array_equal(F.conv2d(x, w).data[0, 0], [[1, 2], [4, 5]])


def distinct_values(shape, rng):
    """Distinct values 0.01 apart, so no pooling window holds a tie that eps could flip."""
    return rng.permutation(np.prod(shape)).reshape(shape) * 0.01


POOL_CASES = [((1, 1, 4, 4), 2, None), ((2, 3, 5, 7), 3, 1), ((2, 2, 6, 5), (2, 3), (1, 2)), ((1, 2, 7, 7), 3, 2)]


@pytest.mark.parametrize("xs, kernel, stride", POOL_CASES)
@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
def test_pool_gradcheck(pool, xs, kernel, stride, rng):
    assert cr.gradcheck(lambda x: pool(x, kernel, stride), [distinct_values(xs, rng)])


@pytest.mark.parametrize("xs, kernel, stride", POOL_CASES)
@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d"])
def test_pool_matches_torch(torch, name, xs, kernel, stride, rng):
    ours, theirs = getattr(F, name), getattr(torch.nn.functional, name)
    assert_same_as_torch(torch, lambda x: ours(x, kernel, stride), lambda x: theirs(x, kernel, stride),
                         [distinct_values(xs, rng)], rng)


def test_max_pool_ties_go_to_the_first_maximum_like_torch(torch):
    x = np.ones((1, 1, 4, 4))
    assert_same_as_torch(torch, lambda x: F.max_pool2d(x, 2, 1), lambda x: torch.nn.functional.max_pool2d(x, 2, 1),
                         [x], np.random.default_rng(0))
    t = cr.Tensor(x, requires_grad=True)
    F.max_pool2d(t, 2).sum().backward()
    np.testing.assert_array_equal(t.grad[0, 0], [[1, 0, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]])


def test_gradcheck_rejects_a_max_pool_gradient_spread_over_the_window(rng):
    def spread(dout, cache, needs):                           # average pooling's gradient, wrong for max
        return (np.repeat(np.repeat(dout, 2, axis=2), 2, axis=3) / 4,)
    wrong = Primitive("max_pool2d_spread", _max_pool2d_fwd, spread)
    result = cr.gradcheck(lambda x: wrong(x, kernel_size=(2, 2), stride=(2, 2)), [distinct_values((1, 2, 4, 4), rng)])
    assert not result


def test_pools_keep_float32(rng):
    x = cr.Tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    for pool in (F.max_pool2d, F.avg_pool2d):
        y = pool(x, 2)
        assert y.dtype == np.float32 and y.shape == (2, 3, 3, 3)
        y.sum().backward()
        assert x.grad.dtype == np.float32


def test_conv_and_pool_errors_name_the_op_and_shapes(rng):
    w = np.zeros((4, 3, 3, 3))
    with pytest.raises(ValueError, match=r"conv2d: x must be \(N, C, H, W\), got shape \(3, 28, 28\)"):
        F.conv2d(np.zeros((3, 28, 28)), w)
    with pytest.raises(ValueError, match=r"conv2d: x has 1 channels \(shape \(2, 1, 8, 8\)\) but weight "
                                         r"expects 3 \(weight shape \(4, 3, 3, 3\)"):
        F.conv2d(np.zeros((2, 1, 8, 8)), w)
    with pytest.raises(ValueError, match=r"conv2d: bias must have shape \(4,\).*got \(3,\)"):
        F.conv2d(np.zeros((2, 3, 8, 8)), w, np.zeros(3))
    with pytest.raises(ValueError, match=r"conv2d: weight must be \(out_channels, in_channels, kh, kw\), got shape \(4, 3, 3\)"):
        F.conv2d(np.zeros((2, 3, 8, 8)), np.zeros((4, 3, 3)))
    with pytest.raises(ValueError, match=r"conv2d: the 3x3 kernel is larger than the padded input 2x2"):
        F.conv2d(np.zeros((1, 3, 2, 2)), w)
    with pytest.raises(ValueError, match=r"max_pool2d: x must be \(N, C, H, W\), got shape \(4, 4\)"):
        F.max_pool2d(np.zeros((4, 4)), 2)
    with pytest.raises(ValueError, match=r"avg_pool2d: the 3x3 window is larger than the input 2x2"):
        F.avg_pool2d(np.zeros((1, 1, 2, 2)), 3)
