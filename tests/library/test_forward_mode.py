"""Forward mode (dual numbers) agrees with reverse mode and with central differences."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.forward import grad_by_forward_mode


def f(x):
    return ((x * x).sum() + (x / 3).tanh().exp().sum() + (x ** 3).sigmoid().log().mean()) / (1 + x[0] ** 2)


def test_jvp_equals_backward_times_tangent(rng):
    x, v = rng.standard_normal(6), rng.standard_normal(6)
    out, tangent = cr.jvp(f, (x,), (v,))
    t = cr.Tensor(x, requires_grad=True)
    y = f(t)
    y.backward()
    assert out == pytest.approx(y.item())
    assert tangent == pytest.approx(t.grad @ v, rel=1e-10)


def test_full_gradient_by_forward_mode_matches_numerical(rng):
    x = rng.standard_normal(5)
    np.testing.assert_allclose(grad_by_forward_mode(f, x), cr.numerical_grad(lambda a: f(cr.Dual(a)).primal, x),
                               rtol=1e-6, atol=1e-8)


def test_jvp_with_matrices(rng):
    W, x = rng.standard_normal((3, 4)), rng.standard_normal(4)
    dW, dx = rng.standard_normal((3, 4)), rng.standard_normal(4)
    out, tan = cr.jvp(lambda W, x: (W @ x).tanh(), (W, x), (dW, dx))
    h = W @ x
    np.testing.assert_allclose(out, np.tanh(h))
    np.testing.assert_allclose(tan, (1 - np.tanh(h) ** 2) * (dW @ x + W @ dx))


def test_jvp_checks_shapes():
    with pytest.raises(ValueError, match=r"primal 0 has shape \(3,\).*\(2,\)"):
        cr.jvp(lambda x: x, (np.ones(3),), (np.ones(2),))


def test_relu_at_infinities_is_its_limit_in_both_modes():
    x = np.array([-np.inf, -2.0, 0.0, 3.0, np.inf])
    want = np.array([0.0, 0.0, 0.0, 3.0, np.inf])
    np.testing.assert_array_equal(cr.Dual(x, np.ones(5)).relu().primal, want)
    np.testing.assert_array_equal(cr.Dual(x, np.ones(5)).relu().tangent, [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(cr.relu(cr.Tensor(x)).data, want)
