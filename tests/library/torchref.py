"""Run one computation in chainrule and in PyTorch (float64) and compare values and gradients."""
import numpy as np

import chainrule as cr


def assert_same_as_torch(torch, ours, theirs, arrays, rng, tol=1e-6):
    """ours(*Tensors) and theirs(*torch tensors), on copies of the same float64 ``arrays``,
    agree to ``tol`` in value and in the gradient of every input for a random upstream dout."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    xs = [cr.Tensor(a.copy(), requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=tol, atol=tol, err_msg="values")
    dout = rng.standard_normal(y.shape)
    y.backward(dout)
    ty.backward(torch.tensor(dout))
    for k, (x, t) in enumerate(zip(xs, ts)):
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=tol, atol=tol, err_msg=f"gradient of input {k}")
