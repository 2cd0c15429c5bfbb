"""The gradient monitor: norms recorded per parameter, activation hooks, finiteness checks."""
import numpy as np
import pytest

from chainrule import Tensor
from chainrule.monitor import GradNormRecorder, check_finite, grad_norm, watch
from chainrule.nn import Module, Parameter, RNNCell


class TwoLayer(Module):
    def __init__(self):
        super().__init__()
        rng = np.random.default_rng(0)
        self.w1 = Parameter(rng.standard_normal((4, 3)))
        self.w2 = Parameter(rng.standard_normal((2, 4)))
        self.unused = Parameter(np.ones(2))

    def forward(self, x):
        return (x @ self.w1.T).tanh() @ self.w2.T


def test_recorder_appends_one_norm_per_parameter_and_step():
    model = TwoLayer()
    rec = GradNormRecorder(model)
    x = Tensor(np.random.default_rng(1).standard_normal((5, 3)))
    expected = []
    for scale in (1.0, 3.0):
        model.zero_grad()
        (model(x).sum() * scale).backward()
        rec.record()
        expected.append([np.linalg.norm(model.w1.grad), np.linalg.norm(model.w2.grad)])
    assert list(rec.history) == ["w1", "w2", "unused"]
    np.testing.assert_allclose(rec.history["w1"], [e[0] for e in expected], rtol=1e-12)
    np.testing.assert_allclose(rec.history["w2"], [e[1] for e in expected], rtol=1e-12)
    assert np.isnan(rec.history["unused"]).all()                     # no gradient: NaN, not 0
    names, norms = rec.as_array()
    assert names == ["w1", "w2", "unused"] and norms.shape == (2, 3)
    np.testing.assert_allclose(norms[:, :2], expected, rtol=1e-12)
    assert rec.layer_norms()["w2"] == pytest.approx(expected[-1][1])
    assert rec.layer_norms(step=0)["w1"] == pytest.approx(expected[0][0])
    assert len(rec) == 2
    rec.clear()
    assert len(rec) == 0 and rec.as_array()[1].shape == (0, 3)


def test_watch_records_activation_gradient_norms_over_time():
    # dL/dh_t of a contracting RNN shrinks as t moves away from the loss: vanishing gradients
    cell = RNNCell(3, 4)
    for p in cell.parameters():
        p.data = p.data.astype(np.float64) * 0.3
    store = {}
    h = None
    for t in range(6):
        h = cell(Tensor(np.ones((2, 3))), h)
        watch(h, f"h{t}", store=store)
    (h * h).sum().backward()
    norms = [store[f"h{t}"][0] for t in range(6)]
    assert all(len(store[f"h{t}"]) == 1 for t in range(6))
    assert norms[-1] == pytest.approx(grad_norm(2 * h.data))
    assert all(a < b for a, b in zip(norms, norms[1:]))


def test_watch_does_not_change_the_gradient_and_can_be_removed():
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    y = x * 3
    norms = watch(y, "y")
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad, 18 * x.data)
    assert norms == [pytest.approx(np.linalg.norm(2 * y.data))]
    norms.remove()
    x.grad = None
    y2 = x * 3
    (y2 * y2).sum().backward()
    assert len(norms) == 1


def test_check_finite_names_the_first_bad_parameter():
    model = TwoLayer()
    x = Tensor(np.ones((1, 3)))
    model(x).sum().backward()
    assert check_finite(model) is None
    model.w2.grad[0, 1] = np.nan
    with pytest.raises(FloatingPointError, match=r"gradient of parameter 'w2' \(2, 4\) holds NaN"):
        check_finite(model)
    model.w1.grad[0, 0] = np.inf
    msg = check_finite(model, raise_error=False)
    assert "'w1'" in msg and "inf" in msg and "1 of 12" in msg
