"""The judge must pass correct gradients and reject wrong ones, saying where."""
import numpy as np
import pytest

import chainrule as cr
from chainrule import Tensor, numerical_grad
from chainrule.gradcheck import gradcheck
from chainrule.ops import Primitive

# Deliberately wrong primitives (not registered): the typical mistakes a learner makes.
def _prim(name, forward, vjp):
    return Primitive(f"wrong_{name}", forward, vjp)


WRONG = {
    "flipped sign": _prim("sign", lambda x: (np.tanh(x), x), lambda g, x, n: (-g * (1 - np.tanh(x) ** 2),)),
    "factor of 2": _prim("f2", lambda x: (x * x, x), lambda g, x, n: (g * 4 * x,)),
    # dW from the first example of the batch only, instead of summed over the batch
    "missing batch sum": _prim("bsum", lambda x, w: (x @ w, (x, w)),
                               lambda g, c, n: (g @ c[1].T, c[0][:1].T @ g[:1])),
    # dW = G^T X instead of X^T G: right shape (W is square), transposed values
    "dropped transpose": _prim("tr", lambda x, w: (x @ w, (x, w)),
                               lambda g, c, n: (g @ c[1].T, g.T @ c[0])),
}


@pytest.mark.parametrize("mistake", sorted(WRONG))
def test_wrong_gradients_are_rejected(rng, mistake):
    if mistake in ("missing batch sum", "dropped transpose"):
        inputs = (rng.standard_normal((4, 3)), rng.standard_normal((3, 3)))
    else:
        inputs = (rng.standard_normal((3, 2)),)
    result = gradcheck(WRONG[mistake], inputs)
    assert not result
    assert "MISMATCH" in str(result) and "worst at" in str(result)


def test_reports_input_worst_index_and_values(rng):
    op = WRONG["factor of 2"]
    x = np.array([[1.0, -3.0], [0.5, 2.0]])
    result = gradcheck(op, (x,), dout=np.ones((2, 2)))
    report = result.reports[0]
    assert report.worst_index == (0, 1)            # |2x| largest at -3
    assert report.expected_at_worst == pytest.approx(-6.0, rel=1e-6)
    assert report.got_at_worst == pytest.approx(-12.0)
    assert report.max_rel_err == pytest.approx(0.5, rel=1e-6)


def test_correct_gradients_pass_with_tight_errors(rng):
    x = rng.standard_normal((5, 3))
    result = cr.gradcheck(lambda t: (t.tanh() * t).sum(axis=0), (x,))
    assert result and result.reports[0].max_rel_err < 1e-6


def test_raise_exception_mode(rng):
    with pytest.raises(cr.GradcheckError, match="input 0"):
        gradcheck(WRONG["flipped sign"], (rng.standard_normal(3),), raise_exception=True)


def test_sampled_mode_checks_only_some_elements(rng):
    x = rng.standard_normal((40, 50))
    calls = []

    def fn(t):
        calls.append(1)
        return (t * t).sum()

    result = gradcheck(fn, (x,), samples=10)
    assert result
    assert len(calls) == 1 + 2 * 10
    assert not gradcheck(WRONG["factor of 2"], (x,), samples=10)


def test_integer_inputs_are_constants(rng):
    idx = np.array([2, 0])
    result = gradcheck(lambda t, i: t[i].sum(), (rng.standard_normal(3), idx))
    assert result and len(result.reports) == 1


def test_nan_gradient_is_reported(rng):
    op = _prim("nan", lambda x: (x * 1.0, x), lambda g, x, n: (g * np.nan,))
    result = gradcheck(op, (rng.standard_normal(3),))
    assert not result and result.reports[0].problem == "nan"


def test_numerical_grad_of_plain_numpy_functions(rng):
    x = rng.standard_normal((3, 2))
    x_before = x.copy()
    np.testing.assert_allclose(numerical_grad(lambda v: np.sum(v ** 3), x), 3 * x ** 2, rtol=1e-7, atol=1e-8)
    np.testing.assert_array_equal(x, x_before)
    dout = rng.standard_normal((3, 2))
    np.testing.assert_allclose(numerical_grad(np.sin, x, dout=dout), np.cos(x) * dout, rtol=1e-7, atol=1e-8)


def test_compare_catches_shape_and_reports_it():
    result = cr.compare(np.zeros((2, 3)), np.zeros((3, 2)), name="dW")
    assert not result and result.problem == "shape" and "(3, 2)" in result.describe()
