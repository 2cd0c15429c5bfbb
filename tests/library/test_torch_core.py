"""Core ops give PyTorch's values and gradients (float64, 1e-6) where PyTorch is installed."""
import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")

# Each case: the same expression written once for both libraries (they share the method names),
# with a shim where the APIs differ (axis vs dim).
CASES = {
    "arith_broadcast": ([(3, 4), (4,), (3, 1)], lambda a, b, c, M: (a * b - c / (b * b + 1)) ** 2 + a / 3),
    "unary": ([(5, 3)], lambda a, M: M.tanh(a) + M.sigmoid(a) * M.exp(a * 0.5) + M.relu(a) * 2
              + M.log(a * a + 1) + M.sqrt(a * a + 0.5) + M.abs(a)),
    "matmul_batched": ([(2, 3, 4), (4, 5)], lambda a, b, M: M.tanh(a @ b)),
    "matmul_vec": ([(4,), (4, 3)], lambda a, b, M: (a @ b) * 2),
    "reductions": ([(3, 4, 5)], lambda a, M: M.sum(a, 1) * M.mean(a, 1) + M.max(a, 2, keep=False).sum()),
    "index_slice": ([(4, 5)], lambda a, M: a[1:, ::2] * a[[0, 2, 2], 1:4:2].sum()),
    "concat_stack": ([(2, 3), (2, 3)], lambda a, b, M: M.cat([a, b * 2], 1).sum() * M.stack([a, b], 0)),
    "reshape_transpose": ([(2, 3, 4)], lambda a, M: a.reshape(6, 4).T @ a.reshape(6, 4) + 0.0),
    "pow_tensor": ([(3,), (3,)], lambda a, b, M: M.abs(a) ** M.abs(b)),
}


class CR:
    tanh, exp, log, sqrt, abs = (staticmethod(lambda x, n=n: getattr(x, n)()) for n in
                                 ["tanh", "exp", "log", "sqrt", "abs"])
    sigmoid = staticmethod(lambda x: x.sigmoid())
    relu = staticmethod(lambda x: x.relu())
    sum = staticmethod(lambda x, ax: x.sum(axis=ax))
    mean = staticmethod(lambda x, ax: x.mean(axis=ax))
    max = staticmethod(lambda x, ax, keep=False: x.max(axis=ax, keepdims=keep))
    cat = staticmethod(lambda xs, ax: cr.concatenate(xs, axis=ax))
    stack = staticmethod(lambda xs, ax: cr.stack(xs, axis=ax))


class TH:
    tanh, exp, log, sqrt, abs = torch.tanh, torch.exp, torch.log, torch.sqrt, torch.abs
    sigmoid, relu = torch.sigmoid, torch.relu
    sum = staticmethod(lambda x, ax: x.sum(dim=ax))
    mean = staticmethod(lambda x, ax: x.mean(dim=ax))
    max = staticmethod(lambda x, ax, keep=False: x.amax(dim=ax, keepdim=keep))
    cat = staticmethod(lambda xs, ax: torch.cat(xs, dim=ax))
    stack = staticmethod(lambda xs, ax: torch.stack(xs, dim=ax))


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_pytorch(rng, name):
    shapes, fn = CASES[name]
    arrays = [rng.standard_normal(s) + 0.1 for s in shapes]
    ours = [cr.Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_c, out_t = fn(*ours, CR), fn(*theirs, TH)
    np.testing.assert_allclose(out_c.data, out_t.detach().numpy(), rtol=1e-6, atol=1e-6)
    dout = rng.standard_normal(out_c.shape)
    out_c.backward(dout)
    out_t.backward(torch.tensor(dout))
    for k, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-6, atol=1e-6, err_msg=f"input {k}")


@pytest.mark.torch
@pytest.mark.parametrize("name", ["relu", "leaky_relu", "sigmoid", "tanh", "abs"])
def test_special_values_match_pytorch(name):
    # infinities and signed zeros: the output must be the function's limit, not a NaN made by
    # an implementation detail (relu as x * mask once gave -inf * 0 = NaN)
    x = np.array([-np.inf, -1e308, -1.0, -0.0, 0.0, 1.0, 1e308, np.inf])
    ours = getattr(cr.ops, name)(cr.Tensor(x)).data
    theirs = getattr(torch.nn.functional if name == "leaky_relu" else torch, name)(torch.tensor(x)).numpy()
    np.testing.assert_array_equal(ours, theirs)
