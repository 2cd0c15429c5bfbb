"""Peers' test suites, ported to chainrule and checked against PyTorch (float64, 1e-6).

- micrograd (Karpathy): ``test/test_engine.py``, both tests, written as there;
- tinygrad: a broad selection of ``test/test_ops.py`` cases for the ops chainrule has
  (broadcasting, reductions with ties and NaN, slicing with negative steps and repeated
  fancy indices, conv/pool stride-padding combinations, log-softmax at large logits,
  batched matmul), each also run in float32, which must stay float32;
- minitorch: the property tests of ``tests/test_tensor.py`` (one- and two-argument
  functions, reductions, permutations, broadcasting), with hypothesis.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import chainrule as cr
import chainrule.functional as F
from chainrule import Tensor

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
TF = torch.nn.functional
TOL = 1e-6


# ---- micrograd: test/test_engine.py ----------------------------------------------------------------

def test_micrograd_sanity_check():
    def run(x):
        z = 2 * x + 2 + x
        q = z.relu() + z * x
        h = (z * z).relu()
        y = h + q + q * x
        y.backward()
        return y
    xc, xt = Tensor(-4.0, requires_grad=True), torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
    yc, yt = run(xc), run(xt)
    assert abs(yc.item() - yt.item()) < TOL and abs(xc.grad - xt.grad.item()) < TOL


def test_micrograd_more_ops():
    def run(a, b):
        c = a + b
        d = a * b + b ** 3
        c = c + c + 1
        c = c + 1 + c + (-a)
        d = d + d * 2 + (b + a).relu()
        d = d + 3 * d + (b - a).relu()
        e = c - d
        f = e ** 2
        g = f / 2.0
        g = g + 10.0 / f
        g.backward()
        return g
    ac, bc = Tensor(-4.0, requires_grad=True), Tensor(2.0, requires_grad=True)
    at, bt = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (-4.0, 2.0))
    gc, gt = run(ac, bc), run(at, bt)
    assert abs(gc.item() - gt.item()) < TOL
    assert abs(ac.grad - at.grad.item()) < TOL and abs(bc.grad - bt.grad.item()) < TOL


# ---- tinygrad: test/test_ops.py ------------------------------------------------------------------

def helper_test_op(shapes, torch_fn, cr_fn=None, vals=None, low=-2.0, high=2.0, seed=0, grad=True):
    """tinygrad's helper: the same function on the same random inputs in both libraries;
    values and gradients (for a random upstream gradient) in float64 to 1e-6, and in
    float32 the forward, the output dtype and every gradient's dtype stay float32."""
    cr_fn = cr_fn or torch_fn
    rng = np.random.default_rng(seed)
    arrays = vals if vals is not None else [rng.uniform(low, high, s) for s in shapes]
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    xs = [Tensor(a.copy(), requires_grad=grad) for a in arrays]
    ts = [torch.tensor(a, requires_grad=grad) for a in arrays]
    yc, yt = cr_fn(*xs), torch_fn(*ts)
    np.testing.assert_allclose(yc.data, yt.detach().numpy(), rtol=TOL, atol=TOL, err_msg="forward")
    if grad:
        dout = rng.standard_normal(yc.shape)
        yc.backward(dout)
        yt.backward(torch.tensor(dout))
        for k, (x, t) in enumerate(zip(xs, ts)):
            if t.grad is None:                          # not on a differentiable path (a comparison)
                assert x.grad is None or not x.grad.any(), f"gradient {k} should be zero"
                continue
            np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=TOL, atol=TOL, err_msg=f"gradient {k}")
    xs32 = [Tensor(a.astype(np.float32), requires_grad=grad) for a in arrays]
    y32 = cr_fn(*xs32)
    assert y32.dtype == np.float32, f"float32 inputs gave {y32.dtype}"
    np.testing.assert_allclose(y32.data, yt.detach().numpy(), rtol=1e-3, atol=1e-3, err_msg="float32 forward")
    if grad:
        y32.backward(np.ones(y32.shape, np.float32))
        assert all(x.grad is None or x.grad.dtype == np.float32 for x in xs32)


CASES = {
    # element-wise and broadcasting
    "add": ([(45, 68), (45, 68)], lambda x, y: x + y),
    "add_number": ([(45, 68)], lambda x: x + 2),
    "sub": ([(45, 65), (45, 65)], lambda x, y: x - y),
    "rsub_number": ([(45, 65)], lambda x: 2 - x),
    "mul": ([(64, 64), (64, 64)], lambda x, y: x * y),
    "mul_number": ([(64, 64)], lambda x: x * 2),
    "div": ([(45, 65), (45, 65)], lambda x, y: x / y),
    "div_number": ([(45, 65)], lambda x: 2 / x),
    "neg": ([(45, 65)], lambda x: -x),
    "pow_number": ([(45, 65)], lambda x: x ** 2),
    "pow_fractional": ([(45, 65)], lambda x: x.abs() ** 1.5 + 0.1),
    "pow_tensor": ([(45, 65), (45, 65)], lambda x, y: (x.abs() + 0.1) ** y),
    "sqrt": ([(45, 65)], lambda x: (x.abs() + 0.1).sqrt()),
    "relu": ([(64, 64)], lambda x: x.relu()),
    "leaky_relu": ([(45, 65)], lambda x: TF.leaky_relu(x, 0.01), lambda x: F.leaky_relu(x, 0.01)),
    "abs": ([(45, 65)], lambda x: x.abs()),
    "log": ([(45, 65)], lambda x: (x.abs() + 0.01).log()),
    "exp": ([(45, 65)], lambda x: x.exp()),
    "tanh": ([(45, 65)], lambda x: x.tanh()),
    "sigmoid": ([(45, 65)], lambda x: x.sigmoid()),
    "sigmoid_extreme": ([(45, 65)], lambda x: (x * 400).sigmoid()),
    "clamp": ([(45, 65)], lambda x: x.clamp(-1.3, 0.7)),
    "maximum": ([(45, 65), (45, 65)], lambda x, y: torch.maximum(x, y), lambda x, y: cr.maximum(x, y)),
    "minimum_number": ([(45, 65)], lambda x: torch.minimum(x, torch.tensor(0.5, dtype=x.dtype)),
                       lambda x: cr.minimum(x, Tensor(np.array(0.5, x.dtype)))),
    "where": ([(45, 65), (45, 65)], lambda x, y: torch.where(x > y, x, y * 2), lambda x, y: cr.where(x > y, x, y * 2)),
    "broadcast_full": ([(45, 65), (45, 1)], lambda x, y: x * y + y),
    "broadcast_partial": ([(4, 1, 5), (3, 1)], lambda x, y: x / (y * y + 1) - y),
    "broadcast_scalar_tensor": ([(4, 5), ()], lambda x, y: x * y - y),
    "broadcast_4d": ([(2, 3, 1, 5), (1, 3, 4, 1)], lambda x, y: (x + y) * x),
    # reductions
    "sum_full": ([(345,)], lambda x: x.sum()),
    "sum_axis": ([(3, 4, 5, 6)], lambda x: x.sum(dim=(1, 2))),
    "sum_keepdim": ([(3, 4, 5)], lambda x: x.sum(dim=-1, keepdim=True) * x),
    "mean_axis": ([(3, 4, 5, 6)], lambda x: x.mean(dim=(-1, 1))),
    "max_full": ([(45, 3)], lambda x: x.max()),
    "max_axis": ([(3, 4, 5)], lambda x: x.amax(dim=1), lambda x: x.max(axis=1)),
    "max_dim_values": ([(3, 4, 5)], lambda x: x.max(dim=-1)[0]),
    "min_dim_values": ([(3, 4, 5)], lambda x: x.min(dim=0).values),
    # shapes, slicing, indexing
    "reshape": ([(4, 3, 6, 6)], lambda x: x.reshape(12, 6, 6) * 1.0),
    "reshape_minus_one": ([(4, 3, 6, 6)], lambda x: x.reshape(-1, 36) * 1.0),
    "permute": ([(1, 2, 3, 4)], lambda x: x.permute(3, 0, 2, 1) * 1.0),
    "permute_negative": ([(2, 3, 4, 5)], lambda x: x.permute(-1, 0, -2, 1) * 1.0),
    "transpose_swap": ([(3, 4, 5)], lambda x: x.transpose(0, 2) * 1.0),
    "transpose_negative": ([(3, 4)], lambda x: x.transpose(-1, -2) * 1.0),
    "expand": ([(4, 1)], lambda x: x.expand(2, 4, 3) * 1.0),
    "flatten": ([(2, 3, 4, 5)], lambda x: x.flatten(1) * 1.0),
    "squeeze_unsqueeze": ([(3, 1, 4)], lambda x: x.squeeze(1).unsqueeze(-1) * 1.0),
    # PyTorch has no negative steps: flip and an index list say the same
    "slice_negative_step": ([(9, 7)], lambda x: x.flip(0)[:, [5, 3]] * 1.0, lambda x: x[::-1, 5:1:-2] * 1.0),
    "slice_mixed": ([(6, 5, 4)], lambda x: x[1:-1][:, [4, 2, 0], 2] * 1.0, lambda x: x[1:-1, ::-2, 2] * 1.0),
    "index_repeated": ([(5, 4)], lambda x: x[[0, 0, 3, 0]] * 1.0),
    "index_pairs_repeated": ([(5, 4)], lambda x: x[[1, 1, 2], [0, 0, 3]] * 1.0),
    "index_bool": ([(5, 4)], lambda x: x[x > 0] * 1.0),
    "cat": ([(3, 4), (3, 2)], lambda x, y: torch.cat([x, y, x], dim=1), lambda x, y: cr.cat([x, y, x], dim=1)),
    "stack": ([(3, 4), (3, 4)], lambda x, y: torch.stack([x, y], dim=-1), lambda x, y: cr.stack([x, y], dim=-1)),
    # matmul
    "dot": ([(45, 65), (65, 100)], lambda x, y: x @ y),
    "matmul_vector": ([(65,), (65, 100)], lambda x, y: x @ y),
    "matmul_vector_vector": ([(65,), (65,)], lambda x, y: x @ y),
    "matmul_batched": ([(10, 45, 65), (10, 65, 45)], lambda x, y: x @ y),
    "broadcast_dot": ([(10, 45, 65), (65, 45)], lambda x, y: x @ y),
    "matmul_broadcast_batch": ([(2, 1, 4, 5), (3, 5, 6)], lambda x, y: x @ y),
    # softmax family
    "softmax": ([(45, 65)], lambda x: x.softmax(dim=1)),
    "log_softmax": ([(45, 65)], lambda x: x.log_softmax(dim=-1)),
    "log_softmax_large_logits": ([(4, 5)], lambda x: (x * 1000).log_softmax(dim=1)),
    "log_softmax_other_axis": ([(4, 5, 3)], lambda x: x.log_softmax(dim=1)),
    "cross_entropy_large": ([(8, 10)], lambda x: TF.cross_entropy(x * 500, torch.arange(8)),
                            lambda x: F.cross_entropy(x * 500, np.arange(8))),
    "mse_loss": ([(8, 3), (8, 3)], lambda x, y: TF.mse_loss(x, y), lambda x, y: F.mse_loss(x, y)),
}

CONV_CASES = [  # (batch, channels, filters, H, W, kernel, stride, padding)
    (2, 3, 4, 11, 7, (3, 3), 1, 0), (2, 3, 4, 11, 7, (3, 3), 2, 1), (1, 2, 3, 9, 9, (2, 4), (2, 1), (1, 2)),
    (2, 1, 2, 7, 7, (5, 5), 3, 2), (1, 4, 2, 6, 6, (1, 1), 1, 0), (3, 2, 2, 5, 8, (3, 1), (1, 3), (0, 1)),
]
POOL_CASES = [  # (kernel, stride, padding)
    (2, None, 0), (3, 1, 1), (3, 2, 0), ((2, 3), (1, 2), (1, 1)), (5, 5, 0), (3, 3, 1),
]


@pytest.mark.parametrize("name", sorted(CASES))
def test_tinygrad_op(name):
    shapes, torch_fn, *cr_fn = CASES[name]
    helper_test_op(shapes, torch_fn, cr_fn[0] if cr_fn else None)


@pytest.mark.parametrize("case", CONV_CASES)
def test_tinygrad_conv2d(case):
    n, c, f, h, w, k, stride, pad = case
    helper_test_op([(n, c, h, w), (f, c, *k), (f,)], lambda x, wt, b: TF.conv2d(x, wt, b, stride, pad),
                   lambda x, wt, b: F.conv2d(x, wt, b, stride, pad))


@pytest.mark.parametrize("pool", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize("case", POOL_CASES)
def test_tinygrad_pool(pool, case):
    k, s, p = case
    helper_test_op([(2, 3, 11, 10)], lambda x: getattr(TF, pool)(x, k, s, p), lambda x: getattr(F, pool)(x, k, s, p))


@pytest.mark.parametrize("vals", [
    [[1.0, 1.0, 0.0, 1.0]],                            # ties: the gradient is shared
    [[[1.0, 3.0], [3.0, 1.0]]],
    [[0.0, float("nan"), 2.0]],                        # a NaN is the maximum
])
def test_tinygrad_max_ties_and_nan(vals):
    helper_test_op(None, lambda x: x.max(), vals=vals)


def test_tinygrad_max_pool_ties():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, :2, :2] = 1.0                              # a whole window of ties: the first one wins
    helper_test_op(None, lambda t: TF.max_pool2d(t, 2), lambda t: F.max_pool2d(t, 2), vals=[x])


# ---- minitorch: property tests -------------------------------------------------------------------

FEW = settings(max_examples=25, deadline=None)
small_floats = st.floats(min_value=-10, max_value=10, allow_nan=False, width=64)
shapes = hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4)


@st.composite
def tensor_data(draw, shape=None):
    shape = draw(shapes) if shape is None else shape
    return draw(hnp.arrays(np.float64, shape, elements=small_floats))


def _both(fn_cr, fn_t, *arrays):
    helper_test_op(None, fn_t, fn_cr, vals=list(arrays))


ONE_ARG = {
    "neg": (lambda x: -x, lambda x: -x),
    "add_constant": (lambda x: x + 5, lambda x: x + 5),
    "square": (lambda x: x * x, lambda x: x * x),
    "cube": (lambda x: x * x * x, lambda x: x * x * x),
    "sub_constant": (lambda x: x - 5, lambda x: x - 5),
    "mult_constant": (lambda x: 5 * x, lambda x: 5 * x),
    "div_constant": (lambda x: x / 5, lambda x: x / 5),
    "sig": (lambda x: x.sigmoid(), lambda x: x.sigmoid()),
    "log": (lambda x: (x.abs() + 1e-1).log(), lambda x: (x.abs() + 1e-1).log()),
    "relu": (lambda x: (x + 5.5).relu(), lambda x: (x + 5.5).relu()),
    "exp": (lambda x: (x - 200).exp(), lambda x: (x - 200).exp()),
    "tanh": (lambda x: x.tanh(), lambda x: x.tanh()),
}


@FEW
@given(tensor_data(), st.sampled_from(sorted(ONE_ARG)))
def test_minitorch_one_args(data, name):
    ours, theirs = ONE_ARG[name]
    _both(ours, theirs, data)


TWO_ARG = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sub": lambda a, b: a - b,
    "div": lambda a, b: a / (b * b + 5.5),
    "gt2": lambda a, b: a * (a > b + 1.2),
    "eq2": lambda a, b: a * (a == b + 5.5),
}


@FEW
@given(st.data(), st.sampled_from(sorted(TWO_ARG)))
def test_minitorch_two_args_broadcast(data, name):
    (sa, sb), _ = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3))
    a, b = data.draw(tensor_data(sa)), data.draw(tensor_data(sb))
    fn = TWO_ARG[name]
    _both(fn, fn, a, b)


@FEW
@given(st.data(), st.sampled_from(["sum", "mean", "max_dim", "amax"]))
def test_minitorch_reductions(data, red):
    x = data.draw(tensor_data())
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    if red == "max_dim":
        _both(lambda t: t.max(dim)[0], lambda t: t.max(dim)[0], x)
    elif red == "amax":
        x = x + np.random.default_rng(0).uniform(0, 1e-3, x.shape)       # no ties: amax shares them
        _both(lambda t: t.max(axis=dim), lambda t: t.amax(dim=dim), x)
    else:
        _both(lambda t: getattr(t, red)(dim), lambda t: getattr(t, red)(dim), x)


@FEW
@given(st.data())
def test_minitorch_permute(data):
    x = data.draw(tensor_data())
    perm = data.draw(st.permutations(range(x.ndim)))
    signs = data.draw(st.lists(st.booleans(), min_size=x.ndim, max_size=x.ndim))
    perm = [p - x.ndim if s else p for p, s in zip(perm, signs)]     # negative axes too
    _both(lambda t: t.permute(*perm) * 1.0, lambda t: t.permute(*perm) * 1.0, x)


@FEW
@given(st.data())
def test_minitorch_view_and_sum_grad_size(data):
    x = data.draw(tensor_data())
    _both(lambda t: t.view(-1).sum().reshape(1) * t.flatten(), lambda t: t.view(-1).sum().reshape(1) * t.flatten(), x)
