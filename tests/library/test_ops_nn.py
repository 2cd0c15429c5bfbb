"""softmax, log_softmax, cross_entropy, mse_loss, batch_norm and dropout: gradients checked
numerically (float64) and against PyTorch where it is installed; errors name the op and shapes."""
import numpy as np
import pytest

import chainrule as cr
import chainrule.functional as F
from chainrule.ops.nn import _softmax_fwd
from chainrule.ops.registry import Primitive
from torchref import assert_same_as_torch


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


SOFTMAX_CASES = [((1, 5), -1), ((4, 7), -1), ((4, 7), 0), ((2, 3, 4), 1)]


@pytest.mark.parametrize("shape, axis", SOFTMAX_CASES)
@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax])
def test_softmax_gradcheck(fn, shape, axis, rng):
    x = rng.standard_normal(shape)
    assert cr.gradcheck(lambda x: fn(x, axis=axis), [x])


@pytest.mark.parametrize("shape, axis", SOFTMAX_CASES)
def test_softmax_matches_torch(torch, shape, axis, rng):
    x = rng.standard_normal(shape) * 3
    assert_same_as_torch(torch, lambda x: F.softmax(x, axis), lambda x: torch.softmax(x, axis), [x], rng)
    assert_same_as_torch(torch, lambda x: F.log_softmax(x, dim=axis),
                         lambda x: torch.log_softmax(x, axis), [x], rng)


def test_softmax_is_stable_for_huge_logits():
    x = cr.Tensor([[1000.0, 0.0, -1000.0]], requires_grad=True)
    logp = F.log_softmax(x)
    np.testing.assert_allclose(logp.data, [[0.0, -1000.0, -2000.0]])
    np.testing.assert_allclose(F.softmax(x).data, [[1.0, 0.0, 0.0]])
    logp.sum().backward()
    assert np.isfinite(x.grad).all()


def test_gradcheck_rejects_a_wrong_softmax_gradient(rng):
    # the diagonal of the Jacobian alone (forgetting the -s s^T part) is a classic mistake
    wrong = Primitive("softmax_diag_only", _softmax_fwd, lambda dout, cache, needs: (dout * cache[0],))
    result = cr.gradcheck(lambda x: wrong(x, axis=-1), [rng.standard_normal((3, 4))])
    assert not result
    assert "MISMATCH" in str(result)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("logit_shape", [(1, 3), (5, 4), (2, 3, 4)])
def test_cross_entropy_gradcheck(logit_shape, reduction, rng):
    logits = rng.standard_normal(logit_shape)
    targets = rng.integers(0, logit_shape[1], size=logit_shape[:1] + logit_shape[2:])
    assert cr.gradcheck(lambda z: F.cross_entropy(z, targets, reduction), [logits])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("logit_shape", [(1, 3), (6, 10), (2, 3, 4)])
def test_cross_entropy_matches_torch(torch, logit_shape, reduction, rng):
    logits = rng.standard_normal(logit_shape) * 2
    targets = rng.integers(0, logit_shape[1], size=logit_shape[:1] + logit_shape[2:])
    assert_same_as_torch(torch, lambda z: F.cross_entropy(z, targets, reduction),
                         lambda z: torch.nn.functional.cross_entropy(z, torch.tensor(targets), reduction=reduction),
                         [logits], rng)


def test_cross_entropy_of_a_confident_right_answer_is_near_zero():
    loss = F.cross_entropy(cr.Tensor([[50.0, 0.0, 0.0]]), np.array([0]))
    assert 0 <= loss.item() < 1e-20


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(1,), (4, 3), (2, 3, 5)])
def test_mse_loss_gradcheck_and_torch(shape, reduction, rng, torch):
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    assert cr.gradcheck(lambda p, t: F.mse_loss(p, t, reduction), [pred, target])
    assert_same_as_torch(torch, lambda p, t: F.mse_loss(p, t, reduction),
                         lambda p, t: torch.nn.functional.mse_loss(p, t, reduction=reduction), [pred, target], rng)


def test_mse_loss_against_a_plain_array_target(rng):
    pred, target = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    assert np.isclose(F.mse_loss(cr.Tensor(pred), target).item(), np.mean((pred - target) ** 2))


# ---- batch norm -----------------------------------------------------------------------------
BN_SHAPES = [(4, 3), (1, 3, 5), (5, 2, 4), (1, 2, 3, 3), (3, 2, 4, 5)]


@pytest.mark.parametrize("shape", BN_SHAPES)
def test_batch_norm_training_gradcheck(shape, rng):
    x = rng.standard_normal(shape) * 2 + 1
    gamma, beta = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    assert cr.gradcheck(lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True), [x, gamma, beta])


@pytest.mark.parametrize("shape", BN_SHAPES)
def test_batch_norm_eval_gradcheck(shape, rng):
    x = rng.standard_normal(shape)
    gamma, beta = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    rm, rv = rng.standard_normal(shape[1]), rng.uniform(0.5, 2, shape[1])
    assert cr.gradcheck(lambda x, g, b: F.batch_norm(x, rm, rv, g, b, training=False), [x, gamma, beta])


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", BN_SHAPES)
def test_batch_norm_matches_torch_with_running_stats(torch, shape, training, rng):
    x = rng.standard_normal(shape) * 2 + 1
    gamma, beta = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    rm, rv = rng.standard_normal(shape[1]), rng.uniform(0.5, 2, shape[1])
    ours_rm, ours_rv, torch_rm, torch_rv = rm.copy(), rv.copy(), torch.tensor(rm), torch.tensor(rv)
    assert_same_as_torch(
        torch,
        lambda x, g, b: F.batch_norm(x, ours_rm, ours_rv, g, b, training=training, momentum=0.3, eps=1e-3),
        lambda x, g, b: torch.nn.functional.batch_norm(x, torch_rm, torch_rv, g, b, training=training,
                                                       momentum=0.3, eps=1e-3),
        [x, gamma, beta], rng)
    np.testing.assert_allclose(ours_rm, torch_rm.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours_rv, torch_rv.numpy(), rtol=1e-10)   # unbiased variance, as in torch
    assert (ours_rm != rm).any() == training


def test_batch_norm_running_stats_follow_the_formula(rng):
    x = rng.standard_normal((8, 3)) * 4 + 2
    rm, rv = np.zeros(3), np.ones(3)
    F.batch_norm(x, rm, rv, training=True, momentum=0.1)
    np.testing.assert_allclose(rm, 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(rv, 0.9 + 0.1 * x.var(axis=0, ddof=1))


def test_batch_norm_keeps_float32_and_normalises(rng):
    x = cr.Tensor((rng.standard_normal((16, 4, 3, 3)) * 5 + 3).astype(np.float32), requires_grad=True)
    rm, rv = np.zeros(4, np.float32), np.ones(4, np.float32)
    y = F.batch_norm(x, rm, rv, training=True)
    assert y.dtype == np.float32 and rm.dtype == np.float32
    np.testing.assert_allclose(y.data.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(y.data.var(axis=(0, 2, 3)), 1, atol=1e-3)
    y.sum().backward()
    assert x.grad.dtype == np.float32


# ---- dropout --------------------------------------------------------------------------------
def test_dropout_is_inverted_and_reproducible(rng):
    x = cr.Tensor(np.ones((200, 100)), requires_grad=True)
    y = F.dropout(x, p=0.3, rng=np.random.default_rng(0))
    kept = y.data != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y.data[kept], 1 / 0.7)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)          # the gradient passes where the mask let x through
    again = F.dropout(x, p=0.3, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(again.data, y.data)


def test_dropout_edge_cases(rng):
    x = cr.Tensor(rng.standard_normal((3, 4)))
    assert F.dropout(x, 0.5, training=False) is x
    assert not F.dropout(x, 1.0).data.any()
    with pytest.raises(ValueError, match=r"dropout: .* \[0, 1\], got 1.5"):
        F.dropout(x, 1.5)


def test_dropout_gradcheck_with_a_fixed_mask(rng):
    x = rng.standard_normal((4, 5))
    assert cr.gradcheck(lambda x: F.dropout(x, 0.4, rng=np.random.default_rng(3)), [x])


# ---- errors in plain words -------------------------------------------------------------------
def test_cross_entropy_errors_name_the_problem(rng):
    logits = cr.Tensor(rng.standard_normal((5, 10)))
    with pytest.raises(ValueError, match=r"cross_entropy: targets must be integers in \[0, 10\), got 10 at index 4"):
        F.cross_entropy(logits, np.array([1, 2, 3, 0, 10]))
    with pytest.raises(ValueError, match=r"got -1 at index 0"):
        F.cross_entropy(logits, np.array([-1, 2, 3, 0, 1]))
    with pytest.raises(TypeError, match=r"cross_entropy: targets must be integer .* one-hot"):
        F.cross_entropy(logits, np.eye(10)[[1, 2, 3, 0, 1]])
    with pytest.raises(ValueError, match=r"cross_entropy: targets must have shape \(5,\) for logits \(5, 10\), got \(4,\)"):
        F.cross_entropy(logits, np.array([1, 2, 3, 0]))
    with pytest.raises(ValueError, match=r"cross_entropy: logits must be \(N, C\), got shape \(10,\)"):
        F.cross_entropy(cr.Tensor(np.zeros(10)), np.array(1))
    with pytest.raises(ValueError, match=r"cross_entropy: reduction must be one of"):
        F.cross_entropy(logits, np.zeros(5, int), reduction="avg")


def test_mse_and_batch_norm_errors_name_the_shapes(rng):
    with pytest.raises(ValueError, match=r"mse_loss: input shape \(4, 1\) and target shape \(4,\) differ"):
        F.mse_loss(cr.Tensor(np.zeros((4, 1))), np.zeros(4))
    with pytest.raises(ValueError, match=r"batch_norm: running_mean must have shape \(3,\), .* x \(2, 3\), got \(4,\)"):
        F.batch_norm(cr.Tensor(np.zeros((2, 3))), np.zeros(4), np.ones(4))
    with pytest.raises(ValueError, match=r"batch_norm: training needs more than one value per channel, .*\(1, 3\)"):
        F.batch_norm(cr.Tensor(np.zeros((1, 3))), None, None, training=True)
