"""Optimizers and gradient clipping give PyTorch's numbers (float64, trajectories to 1e-10)."""
import math

import numpy as np
import pytest

from chainrule import Tensor
from chainrule.nn import Parameter
from chainrule.nn.utils import clip_grad_norm_, clip_grad_value_
from chainrule.optim import SGD, Adam, Optimizer

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((8, 4))
Y = RNG.standard_normal((8, 3))
W0 = RNG.standard_normal((3, 4))
B0 = RNG.standard_normal(3)


def _loss(W, b, x, y):
    """A small least-squares model with a nonlinearity, written once for both libraries."""
    r = (x @ W.T + b).tanh() * 2 - y
    return (r * r).mean() + (W * W).sum() * 0.01


def _trajectories(make_ours, make_theirs, steps=6):
    """Run both optimizers side by side; return the two lists of (W, b) after every step."""
    ours = [Parameter(W0.copy()), Parameter(B0.copy())]
    theirs = [torch.tensor(W0.copy(), requires_grad=True), torch.tensor(B0.copy(), requires_grad=True)]
    opt_c, opt_t = make_ours(ours), make_theirs(theirs)
    xt, yt = torch.tensor(X), torch.tensor(Y)
    path_c, path_t = [], []
    for _ in range(steps):
        opt_c.zero_grad()
        opt_t.zero_grad()
        _loss(*ours, Tensor(X), Tensor(Y)).backward()
        _loss(*theirs, xt, yt).backward()
        opt_c.step()
        opt_t.step()
        path_c.append([p.data.copy() for p in ours])
        path_t.append([p.detach().numpy().copy() for p in theirs])
    return path_c, path_t


SGD_SETTINGS = {
    "plain": dict(lr=0.1),
    "momentum": dict(lr=0.1, momentum=0.9),
    "dampening": dict(lr=0.1, momentum=0.8, dampening=0.3),
    "nesterov": dict(lr=0.05, momentum=0.9, nesterov=True),
    "weight_decay": dict(lr=0.1, weight_decay=0.05),
    "all": dict(lr=0.07, momentum=0.5, weight_decay=0.1, nesterov=True),
}

ADAM_SETTINGS = {
    "default": dict(lr=1e-3),
    "large_lr": dict(lr=0.1),
    "betas_eps": dict(lr=0.05, betas=(0.5, 0.9), eps=1e-3),
    "weight_decay": dict(lr=0.05, weight_decay=0.1),
    "amsgrad": dict(lr=0.05, amsgrad=True),
}


@pytest.mark.parametrize("settings", SGD_SETTINGS.values(), ids=SGD_SETTINGS.keys())
def test_sgd_trajectory_matches_torch(settings):
    path_c, path_t = _trajectories(lambda p: SGD(p, **settings), lambda p: torch.optim.SGD(p, **settings))
    moved = np.abs(path_c[-1][0] - W0).max()
    assert moved > 1e-3                                                  # it did train
    for step, (pc, pt) in enumerate(zip(path_c, path_t)):
        for a, b in zip(pc, pt):
            np.testing.assert_allclose(a, b, atol=1e-10, rtol=0, err_msg=f"step {step}")


@pytest.mark.parametrize("settings", ADAM_SETTINGS.values(), ids=ADAM_SETTINGS.keys())
def test_adam_trajectory_matches_torch(settings):
    path_c, path_t = _trajectories(lambda p: Adam(p, **settings), lambda p: torch.optim.Adam(p, **settings),
                                   steps=8)
    assert np.abs(path_c[-1][0] - W0).max() > settings["lr"]           # Adam moves ~lr per step
    for step, (pc, pt) in enumerate(zip(path_c, path_t)):
        for a, b in zip(pc, pt):
            np.testing.assert_allclose(a, b, atol=1e-10, rtol=0, err_msg=f"step {step}")


def test_parameter_groups_match_torch():
    path_c, path_t = _trajectories(
        lambda p: SGD([{"params": [p[0]]}, {"params": [p[1]], "lr": 0.5, "momentum": 0.0}], lr=0.1, momentum=0.9),
        lambda p: torch.optim.SGD([{"params": [p[0]]}, {"params": [p[1]], "lr": 0.5, "momentum": 0.0}],
                                  lr=0.1, momentum=0.9))
    for pc, pt in zip(path_c, path_t):
        for a, b in zip(pc, pt):
            np.testing.assert_allclose(a, b, atol=1e-10, rtol=0)


@pytest.mark.parametrize("make", [lambda p: SGD(p, lr=0.1, momentum=0.9), lambda p: Adam(p, lr=0.1)],
                         ids=["sgd", "adam"])
def test_parameters_without_grad_are_skipped(make):
    used, unused = Parameter(np.ones(3)), Parameter(np.full(2, 5.0))
    opt = make([used, unused])
    for _ in range(3):
        opt.zero_grad()
        (used * used).sum().backward()
        opt.step()
    np.testing.assert_array_equal(unused.data, np.full(2, 5.0))
    assert unused not in opt.state or not opt.state[unused]
    assert np.all(used.data < 1)


def test_update_is_in_place_and_records_no_graph():
    p = Parameter(np.ones(3))
    data = p.data
    (p * 2).sum().backward()
    SGD([p], lr=0.25).step()
    assert p.data is data
    np.testing.assert_allclose(p.data, 0.5)
    assert p.is_leaf and p.requires_grad


def test_zero_grad():
    p = Parameter(np.ones(3))
    (p * 2).sum().backward()
    opt = SGD([p], lr=0.1)
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad, 0)
    opt.zero_grad()
    assert p.grad is None


def test_clear_errors():
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match="invalid learning rate -0.1"):
        SGD([Parameter(np.ones(2))], lr=-0.1)
    with pytest.raises(ValueError, match="invalid learning rate"):
        Adam([Parameter(np.ones(2))], lr=-1e-3)
    with pytest.raises(ValueError, match="nesterov"):
        SGD([Parameter(np.ones(2))], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="betas"):
        Adam([Parameter(np.ones(2))], betas=(0.9, 1.0))
    with pytest.raises(TypeError, match="single Tensor"):
        SGD(Parameter(np.ones(2)), lr=0.1)
    with pytest.raises(TypeError, match="model.parameters()"):
        from chainrule.nn import RNNCell
        SGD(RNNCell(2, 3), lr=0.1)
    with pytest.raises(ValueError, match="requires_grad=False"):
        Adam([Tensor(np.ones(2))])
    with pytest.raises(NotImplementedError):
        Optimizer([Parameter(np.ones(2))], dict(lr=0.1)).step()


# ---- gradient clipping ------------------------------------------------------------------------

def _grads_pair(scale):
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal(s) * scale for s in [(3, 4), (5,), (2, 2, 2)]]
    ours = [Parameter(np.zeros_like(g)) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, q, g in zip(ours, theirs, grads):
        p.grad = g.copy()
        q.grad = torch.tensor(g.copy())
    ours.append(Parameter(np.zeros(2)))                   # no gradient: ignored by both
    theirs.append(torch.zeros(2, dtype=torch.float64, requires_grad=True))
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])                      # clipped, and left alone
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ours, theirs = _grads_pair(scale=2.0)
    total_c = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total_c, Tensor) and total_c.shape == ()   # a 0-d tensor, as PyTorch (issue 16)
    total_c = total_c.item()
    assert total_c == pytest.approx(float(total_t), rel=1e-12)
    for p, q in zip(ours, theirs):
        if q.grad is None:
            assert p.grad is None
            continue
        np.testing.assert_allclose(p.grad, q.grad.numpy(), atol=1e-12, rtol=1e-12)
    if max_norm < total_c:
        clipped = clip_grad_norm_(ours, 1e9, norm_type=norm_type).item()
        assert clipped == pytest.approx(max_norm, rel=1e-5)


def test_clip_grad_value_matches_torch():
    ours, theirs = _grads_pair(scale=2.0)
    clip_grad_value_(ours, 0.7)
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for p, q in zip(ours, theirs):
        if q.grad is not None:
            np.testing.assert_array_equal(p.grad, q.grad.numpy())
    assert max(np.abs(p.grad).max() for p in ours if p.grad is not None) == 0.7


def test_clip_grad_value_rejects_negative():
    p = Parameter(np.zeros(2))
    p.grad = np.array([1.0, -3.0])
    with pytest.raises(ValueError, match="clip_value must be >= 0"):
        clip_grad_value_([p], -1.0)
    clip_grad_value_(p, 0.5)                                          # a single tensor works too
    np.testing.assert_array_equal(p.grad, [0.5, -0.5])


def test_clip_grad_norm_nonfinite():
    p = Parameter(np.zeros(2))
    p.grad = np.array([1.0, np.inf])
    with pytest.raises(RuntimeError, match="total norm"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert clip_grad_norm_([], 1.0).item() == 0.0


@pytest.mark.parametrize("norm_type", [2.0, math.inf])
def test_clip_grad_norm_slightly_above_max(norm_type):
    # a total norm just above max_norm must still be scaled (coefficient close to 1)
    ours, theirs = _grads_pair(scale=2.0)
    total = clip_grad_norm_(ours, 1e9, norm_type=norm_type).item()
    clip_grad_norm_(ours, 0.9 * total, norm_type=norm_type)
    torch.nn.utils.clip_grad_norm_(theirs, 0.9 * total, norm_type=norm_type)
    for p, q in zip(ours, theirs):
        if q.grad is not None:
            np.testing.assert_allclose(p.grad, q.grad.numpy(), atol=1e-12, rtol=1e-12)
