"""Every core primitive against central differences, on several shapes with broadcasting and batch 1."""
import numpy as np
import pytest

import chainrule as cr
from chainrule import Tensor

SHAPES = [(1,), (4,), (1, 3), (3, 4), (2, 3, 4)]
BROADCAST_PAIRS = [((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)), ((1,), (2, 3)), ((), (3, 2))]


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, size=shape)


def away_from_zero(rng, shape):
    """Values with |x| >= 0.1, so kinks (relu, abs) are never inside the finite-difference step."""
    x = rng.uniform(0.1, 2.0, size=shape)
    return x * rng.choice([-1.0, 1.0], size=shape)


def assert_gradcheck(fn, *inputs, **kw):
    result = cr.gradcheck(fn, inputs, **kw)
    assert result, str(result)


@pytest.mark.parametrize("shape_a,shape_b", BROADCAST_PAIRS + [((3, 4), (3, 4))])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow", "maximum"])
def test_binary_ops_with_broadcasting(rng, op, shape_a, shape_b):
    a, b = positive(rng, shape_a), positive(rng, shape_b)
    fn = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
          "div": lambda a, b: a / b, "pow": lambda a, b: a ** b,
          "maximum": lambda a, b: cr.ops.maximum(a, b)}[op]
    assert_gradcheck(fn, a, b)
    out = fn(Tensor(a), Tensor(b))
    assert out.shape == np.broadcast_shapes(shape_a, shape_b)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ["neg", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "leaky_relu"])
def test_unary_ops(rng, name, shape):
    x = positive(rng, shape) if name in ("log", "sqrt") else away_from_zero(rng, shape)
    fn = {"neg": lambda x: -x, "leaky_relu": lambda x: cr.ops.leaky_relu(x, negative_slope=0.1)}.get(
        name, lambda x: getattr(cr.ops, name)(x))
    assert_gradcheck(fn, x)


def test_scalar_operands_and_reflected_ops(rng):
    x = positive(rng, (3, 2))
    assert_gradcheck(lambda x: 2.0 - x * 3 + 1 / x + x ** 2 + 2 ** x - (x / 4), x)


def test_where(rng):
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4,))
    cond = rng.random((3, 4)) > 0.5
    assert_gradcheck(lambda a, b: cr.ops.where(a, b, condition=cond), a, b)


@pytest.mark.parametrize("shape,axis,keepdims", [
    ((4,), None, False), ((3, 4), 0, False), ((3, 4), 1, True), ((2, 3, 4), (0, 2), False),
    ((2, 3, 4), -1, True), ((1, 5), None, True), ((3, 1), 1, False)])
@pytest.mark.parametrize("name", ["sum", "mean", "max"])
def test_reductions(rng, name, shape, axis, keepdims):
    x = rng.permutation(np.arange(np.prod(shape), dtype=float)).reshape(shape) * 0.37  # distinct: no ties for max
    out = getattr(Tensor(x), name)(axis=axis, keepdims=keepdims)
    assert out.shape == getattr(np, name if name != "max" else "amax")(x, axis=axis, keepdims=keepdims).shape
    assert_gradcheck(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), x)


def test_max_splits_gradient_between_ties():
    x = Tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.5, 0.5])


@pytest.mark.parametrize("shape_a,shape_b", [((3, 4), (4, 5)), ((1, 4), (4, 1)), ((4,), (4, 2)), ((3, 4), (4,)),
                                             ((4,), (4,)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 2)),
                                             ((5, 4), (2, 4, 3))])
def test_matmul(rng, shape_a, shape_b):
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    assert_gradcheck(lambda a, b: a @ b, a, b)
    np.testing.assert_allclose((Tensor(a) @ Tensor(b)).data, a @ b)


@pytest.mark.parametrize("x_shape", [(1, 4), (5, 4), (2, 3, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear(rng, x_shape, bias):
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal((3, 4)), rng.standard_normal(3)
    inputs = (x, w, b) if bias else (x, w)
    assert_gradcheck(lambda *t: cr.ops.linear(*t), *inputs)


def test_linear_skips_input_gradient_when_not_needed(rng):
    x = Tensor(rng.standard_normal((5, 4)))
    w = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    cr.ops.linear(x, w).sum().backward()
    assert x.grad is None and w.grad.shape == (3, 4)


@pytest.mark.parametrize("shape,new", [((3, 4), (12,)), ((3, 4), (2, -1)), ((1, 6), (3, 2, 1)), ((2, 3, 4), (4, 6))])
def test_reshape(rng, shape, new):
    assert_gradcheck(lambda t: t.reshape(new) * Tensor(np.arange(np.prod(shape)).reshape(new)), rng.standard_normal(shape))


@pytest.mark.parametrize("shape,axes", [((3, 4), ()), ((2, 3, 4), (2, 0, 1)), ((2, 3, 4), (0, 2)), ((1, 5), ())])
def test_transpose(rng, shape, axes):
    x = rng.standard_normal(shape)
    weight = rng.standard_normal(np.transpose(x, axes or None).shape if len(axes) != 2 else np.swapaxes(x, *axes).shape)
    assert_gradcheck(lambda t: t.transpose(*axes) * Tensor(weight), x)
    assert Tensor(x).T.shape == x.T.shape


@pytest.mark.parametrize("index", [1, (slice(None), 2), (slice(1, None), slice(None, None, 2)), ([0, 2, 0], slice(None)),
                                   (Ellipsis, 0), (np.array([[True, False, True, False]] * 3),)])
def test_getitem(rng, index):
    x = rng.standard_normal((3, 4))
    assert_gradcheck(lambda t: t[index] * 1.5, x)


def test_getitem_repeated_index_accumulates():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2]].sum().backward()
    np.testing.assert_allclose(x.grad, [2.0, 0.0, 1.0])


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate_and_stack(rng, axis):
    a, b, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    assert_gradcheck(lambda a, b, c: cr.concatenate([a, b, c], axis=axis) ** 2, a, b, c)
    assert_gradcheck(lambda a, b, c: cr.stack([a, b, c], axis=axis) ** 2, a, b, c)


def test_broadcast_to(rng):
    assert_gradcheck(lambda t: cr.ops.broadcast_to(t, shape=(4, 2, 3)) ** 2, rng.standard_normal((2, 1)))


def test_composite_expression(rng):
    """A small network as a learner would write it with tensors."""
    x, w1, b1, w2 = (rng.standard_normal(s) for s in [(5, 4), (4, 6), (6,), (6, 1)])
    assert_gradcheck(lambda x, w1, b1, w2: ((x @ w1 + b1).tanh() @ w2).sigmoid().log().mean(), x, w1, b1, w2)


def test_gather_clamp_and_cast_pass_gradcheck(rng):
    x = rng.standard_normal((3, 4))
    index = np.array([[0, 3, 3, 1]]).T[:3]                       # a repeated index adds up
    assert cr.gradcheck(lambda a: cr.ops.take_along_axis(a, indices=index, axis=-1) * 2.0, (x,))
    assert cr.gradcheck(lambda a: a.clamp(-0.5, 0.7) * a, (x,))
    # cast is linear, so a wide step measures it despite float32 rounding
    assert cr.gradcheck(lambda a: (a.float().double() * 3.0).clone(), (x,), eps=0.1, atol=1e-5, rtol=1e-5)
