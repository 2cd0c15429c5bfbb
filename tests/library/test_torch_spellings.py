"""Issue 16: the spellings PyTorch users type, with PyTorch's semantics (float64, 1e-6).

``SUPPORTED`` lists them; ``test_every_listed_spelling_exists`` keeps the list honest, and
the README's table of supported spellings is this list.
"""
import numpy as np
import pytest

import chainrule as cr
import chainrule.functional as F
from chainrule import Tensor, nn, optim

from torchref import assert_same_as_torch

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
TF = torch.nn.functional

SUPPORTED = {
    "Tensor": ["sum(dim, keepdim)", "mean(dim, keepdim)", "max(dim, keepdim)", "min(dim, keepdim)", "max()",
               "argmax", "argmin", "permute", "transpose(a, b)", "unsqueeze", "squeeze", "view", "reshape",
               "flatten", "size()", "numel", "dim", "float", "double", "long", "to", "clone", "clamp", "clip",
               "pow", "matmul", "softmax", "log_softmax", "expand", "tolist", "item", "requires_grad_",
               "backward(gradient=)", "detach", "numpy", "t", "T", "exp", "log", "sqrt", "abs", "tanh",
               "sigmoid", "relu", "eq", "ne", "lt", "le", "gt", "ge", "==", "all", "any"],
    "chainrule": ["tensor", "zeros", "ones", "full", "zeros_like", "ones_like", "randn", "rand", "arange",
                  "manual_seed", "maximum", "minimum", "where", "exp", "log", "tanh", "sigmoid", "relu", "sqrt",
                  "abs", "clamp", "matmul", "sum", "mean", "max", "min", "argmax", "softmax", "log_softmax",
                  "cat(dim=)", "stack(dim=)", "no_grad", "enable_grad", "float32", "float64", "int64"],
    "chainrule.functional": ["relu", "sigmoid", "tanh", "leaky_relu", "softmax(dim=)", "log_softmax(dim=)",
                             "linear", "conv2d(stride, padding, dilation, padding='same')",
                             "max_pool2d(stride, padding)", "avg_pool2d(stride, padding)", "batch_norm",
                             "layer_norm", "dropout", "cross_entropy(weight, ignore_index, reduction, "
                             "label_smoothing)", "nll_loss(weight, ignore_index, reduction)", "mse_loss"],
    "chainrule.nn": ["Module", "Parameter", "Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm1d",
                     "BatchNorm2d", "LayerNorm", "Dropout", "ReLU", "Sigmoid", "Tanh", "Flatten", "Identity",
                     "Sequential", "ModuleList", "CrossEntropyLoss", "MSELoss", "RNN", "LSTM", "RNNCell",
                     "LSTMCell", "init", "utils.clip_grad_norm_", "utils.clip_grad_value_"],
    "Module": ["parameters", "named_parameters", "modules", "children", "train", "eval", "zero_grad",
               "state_dict", "load_state_dict", "double", "float"],
    "chainrule.optim": ["SGD", "Adam", "AdamW"],
    "Optimizer": ["state_dict", "load_state_dict", "zero_grad", "step", "param_groups", "add_param_group"],
}


def test_every_listed_spelling_exists():
    homes = {"Tensor": Tensor, "chainrule": cr, "chainrule.functional": F, "chainrule.nn": nn,
             "Module": nn.Module, "chainrule.optim": optim, "Optimizer": optim.Optimizer}
    for home, names in SUPPORTED.items():
        for spelling in names:
            name = spelling.split("(")[0]
            if name in ("==", "T", "param_groups"):
                continue
            obj = homes[home]
            for part in name.split("."):
                obj = getattr(obj, part)
            assert obj is not None, f"{home}.{spelling}"


def _a(rng, *shape):
    return rng.standard_normal(shape)


# ---- Tensor methods, against PyTorch ---------------------------------------------------------------

TENSOR_CASES = {
    "sum_dim": ((3, 4, 5), lambda a: a.sum(dim=1, keepdim=True) * a.sum(-1).sum(0).sum()),
    "mean_dim": ((3, 4, 5), lambda a: a.mean(dim=(0, 2)) + a.mean(1, True).sum()),
    "max_dim": ((3, 4, 5), lambda a: a.max(dim=2).values * 2 + a.max(1, keepdim=True)[0].sum()),
    "min_dim": ((3, 4), lambda a: a.min(dim=-1)[0] + a.min(0).values.sum()),
    "max_min_all": ((3, 4), lambda a: a.max() - a.min()),
    "permute": ((2, 3, 4), lambda a: a.permute(2, 0, 1) * 1.0),
    "unsqueeze_squeeze": ((3, 1, 4), lambda a: a.squeeze(1).unsqueeze(0).unsqueeze(-1) * a.squeeze().sum()),
    "view_flatten": ((2, 3, 4), lambda a: a.view(6, 4).flatten() + a.flatten(1).flatten().sum()),
    "flatten_range": ((2, 3, 4, 5), lambda a: a.flatten(1, 2) * 1.0),
    "clone_clamp": ((4, 5), lambda a: a.clone().clamp(min=-0.3, max=0.4) + a.clamp(min=0.1) + a.clamp(max=0.0)),
    "pow_matmul": ((4, 4), lambda a: a.pow(2).matmul(a) + a.abs().pow(0.5)),
    "softmax": ((3, 5), lambda a: a.softmax(dim=1) * a.log_softmax(0)),
    "expand": ((3, 1), lambda a: a.expand(3, 4) * a.expand(2, -1, 5).sum()),
    "t": ((3, 4), lambda a: a.t() * 2),
}


@pytest.mark.parametrize("name", sorted(TENSOR_CASES))
def test_tensor_methods_match_pytorch(rng, name):
    shape, fn = TENSOR_CASES[name]
    assert_same_as_torch(torch, fn, fn, [_a(rng, *shape)], rng)


def test_metadata_methods(rng):
    x, t = Tensor(_a(rng, 2, 3)), torch.tensor(_a(rng, 2, 3))
    assert x.size() == tuple(t.size()) and x.size(1) == t.size(1) and x.numel() == t.numel() == x.size
    assert x.dim() == 2 and x.float().dtype == np.float32 and x.float().double().dtype == np.float64
    assert x.tolist() == x.data.tolist() and isinstance(x.tolist(), list)
    assert x.argmax().item() == np.argmax(x.data) and x.argmin(dim=1).dtype == np.int64
    assert Tensor(np.arange(3.)).argmax(0).dtype == np.int64 and (Tensor(1.0) == 1.0).dtype == np.bool_
    np.testing.assert_array_equal(x.argmax(1, keepdim=True).data, np.argmax(x.data, 1)[:, None])
    y = Tensor(np.ones(3)).requires_grad_()
    (y * 2).sum().backward(gradient=Tensor(1.0))
    np.testing.assert_array_equal(y.grad, [2, 2, 2])
    assert f"{y.sum():.2f}" == "3.00" and int(y.sum()) == 3


def test_module_level_functions(rng):
    cr.manual_seed(3)
    a = cr.randn(2, 3)
    cr.manual_seed(3)
    assert (cr.randn((2, 3)) == a).all() and a.dtype == np.float64
    assert cr.rand(4, dtype=cr.float32).dtype == np.float32 and 0 <= cr.rand(5).min().item() < 1
    assert cr.zeros(2, 3).shape == (2, 3) and cr.ones((2,)).sum().item() == 2
    assert cr.zeros_like(a).shape == a.shape and cr.ones_like(a).sum().item() == 6 and cr.full((2,), 7.).sum() == 14
    assert cr.arange(4).dtype == np.int64 and cr.arange(0, 1, 0.5).tolist() == [0.0, 0.5]
    x, y = _a(rng, 3, 4), _a(rng, 3, 4)
    x[0, 0] = y[0, 0]                                              # a tie shares the gradient
    assert_same_as_torch(torch, lambda a, b: cr.maximum(a, b) * cr.minimum(a, b) + cr.where(a > b, a, b * 2),
                         lambda a, b: torch.maximum(a, b) * torch.minimum(a, b) + torch.where(a > b, a, b * 2),
                         [x, y], rng)
    assert_same_as_torch(torch, lambda a, b: cr.exp(a) + cr.log(b * b) + cr.tanh(a) + cr.cat([a, b], dim=1).sum(1)[:, None]
                         * cr.stack([a, b], dim=-1).sum(-1),
                         lambda a, b: torch.exp(a) + torch.log(b * b) + torch.tanh(a) + torch.cat([a, b], dim=1).sum(1)[:, None]
                         * torch.stack([a, b], dim=-1).sum(-1), [x, y], rng)


# ---- functional -----------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [dict(), dict(weight=True), dict(ignore_index=1), dict(label_smoothing=0.2),
                                dict(weight=True, ignore_index=0, label_smoothing=0.1),
                                dict(reduction="sum", weight=True), dict(reduction="none", label_smoothing=0.3)])
@pytest.mark.parametrize("spatial", [False, True])
def test_cross_entropy_options_match_pytorch(rng, kw, spatial):
    shape = (6, 4, 3) if spatial else (6, 4)
    targets = rng.integers(0, 4, (6, 3) if spatial else 6)
    targets.flat[0] = 1
    w = rng.uniform(0.5, 2, 4)
    ours = dict(kw, weight=w) if kw.get("weight") else kw
    theirs = dict(kw, weight=torch.tensor(w)) if kw.get("weight") else kw
    assert_same_as_torch(torch, lambda a: F.cross_entropy(a, targets, **ours),
                         lambda a: TF.cross_entropy(a, torch.tensor(targets), **theirs), [_a(rng, *shape)], rng)
    nll = {k: v for k, v in ours.items() if k != "label_smoothing"}
    tnll = {k: v for k, v in theirs.items() if k != "label_smoothing"}
    assert_same_as_torch(torch, lambda a: F.nll_loss(F.log_softmax(a, dim=1), cr.tensor(targets), **nll),
                         lambda a: TF.nll_loss(TF.log_softmax(a, dim=1), torch.tensor(targets), **tnll),
                         [_a(rng, *shape)], rng)


def test_cross_entropy_and_nll_pass_gradcheck(rng):
    t, w = np.array([0, 2, -100, 1]), np.array([1.0, 2.0, 0.5])
    assert cr.gradcheck(lambda a: F.cross_entropy(a, t, weight=w, label_smoothing=0.1), (_a(rng, 4, 3),))
    assert cr.gradcheck(lambda a: F.nll_loss(a, t, weight=w), (_a(rng, 4, 3),))


@pytest.mark.parametrize("kw", [dict(padding=1), dict(dilation=2), dict(dilation=(2, 1), padding=(2, 1)),
                                dict(padding="same"), dict(padding="same", dilation=2), dict(stride=2, dilation=2),
                                dict(padding="valid"), dict(stride=(2, 1), padding=(0, 2))])
@pytest.mark.parametrize("k", [3, 2])
def test_conv2d_padding_and_dilation_match_pytorch(rng, kw, k):
    x, w, b = _a(rng, 2, 3, 7, 8), _a(rng, 4, 3, k, k), _a(rng, 4)
    assert_same_as_torch(torch, lambda *a: F.conv2d(*a, **kw), lambda *a: TF.conv2d(*a, **kw), [x, w, b], rng)


def test_conv2d_dilation_and_same_pass_gradcheck(rng):
    assert cr.gradcheck(lambda x, w: F.conv2d(x, w, padding="same", dilation=2), (_a(rng, 1, 2, 6, 5), _a(rng, 2, 2, 2, 3)))


@pytest.mark.parametrize("pool", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize("k,s,p", [(2, 2, 1), (3, 1, 1), (3, 2, 1), ((3, 2), (1, 2), (1, 0)), (4, 3, 2)])
def test_pool_padding_matches_pytorch(rng, pool, k, s, p):
    assert_same_as_torch(torch, lambda x: getattr(F, pool)(x, k, s, p), lambda x: getattr(TF, pool)(x, k, s, p),
                         [_a(rng, 2, 3, 7, 6)], rng)


def test_pool_padding_passes_gradcheck(rng):
    assert cr.gradcheck(lambda x: F.max_pool2d(x, 3, 2, 1) + F.avg_pool2d(x, 3, 2, 1), (_a(rng, 1, 2, 5, 5),))


def test_pool_padding_larger_than_half_the_kernel_is_refused():
    with pytest.raises(ValueError, match="padding"):
        F.max_pool2d(np.zeros((1, 1, 4, 4)), 2, padding=2)


# ---- nn and optim ---------------------------------------------------------------------------

def _copy_into(ours, theirs):
    with torch.no_grad():
        for p, q in zip(ours.parameters(), theirs.parameters()):
            q.copy_(torch.tensor(p.data))


def test_layer_norm_matches_pytorch(rng):
    assert_same_as_torch(torch, lambda x, w, b: F.layer_norm(x, (4, 5), w, b),
                         lambda x, w, b: TF.layer_norm(x, (4, 5), w, b), [_a(rng, 3, 4, 5), _a(rng, 4, 5), _a(rng, 4, 5)], rng)
    assert cr.gradcheck(lambda x, w: F.layer_norm(x, 5, w), (_a(rng, 3, 5), _a(rng, 5)))
    layer = nn.LayerNorm(5, dtype=np.float64)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    np.testing.assert_allclose(layer(Tensor(_a(rng, 2, 5))).data.mean(-1), 0, atol=1e-12)


def test_module_list_and_loss_modules(rng):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(4, 4, dtype=np.float64) for _ in range(3)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x).tanh()
            return x
    net = Net()
    assert len(net.layers) == 3 and [n for n, _ in net.named_parameters()][:2] == ["layers.0.weight", "layers.0.bias"]
    x, t = Tensor(_a(rng, 5, 4)), cr.tensor(rng.integers(0, 4, 5))
    ce = nn.CrossEntropyLoss(label_smoothing=0.1)(net(x), t)
    want = TF.cross_entropy(torch.tensor(net(x).data), torch.tensor(t.data), label_smoothing=0.1)
    assert ce.item() == pytest.approx(want.item(), rel=1e-9)
    assert nn.MSELoss(reduction="sum")(net(x), x).item() == pytest.approx(((net(x).data - x.data) ** 2).sum())


@pytest.mark.parametrize("kw", [dict(momentum=None), dict(track_running_stats=False), dict(momentum=0.3)])
def test_batch_norm_options_match_pytorch(rng, kw):
    ours, theirs = nn.BatchNorm1d(3, dtype=np.float64, **kw), torch.nn.BatchNorm1d(3, dtype=torch.float64, **kw)
    for step in range(3):
        x = _a(rng, 8, 3) * (step + 1) + step
        np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), atol=1e-10)
    if kw.get("track_running_stats", True):
        np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), atol=1e-12)
        np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), atol=1e-12)
    ours.eval(), theirs.eval()
    x = _a(rng, 4, 3)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), atol=1e-10)


def test_module_double_and_float():
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    params = model.parameters()
    model.double()
    assert all(p.dtype == np.float64 for p in model.parameters()) and model[1].running_mean.dtype == np.float64
    assert model.parameters()[0] is params[0] and model[1].num_batches_tracked.dtype == np.int64
    assert model.float().parameters()[0].dtype == np.float32


@pytest.mark.parametrize("make", [
    (lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.1), lambda ps: torch.optim.AdamW(ps, lr=0.1, weight_decay=0.1)),
    (lambda ps: optim.AdamW(ps, lr=0.05, amsgrad=True), lambda ps: torch.optim.AdamW(ps, lr=0.05, amsgrad=True)),
    (lambda ps: optim.Adam(ps, lr=0.1), lambda ps: torch.optim.Adam(ps, lr=0.1)),
    (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9)),
])
def test_optimizers_and_their_state_dicts_follow_pytorch(rng, make):
    """Three steps, then the state moves into a fresh optimizer (and a fresh model), three more."""
    make_ours, make_theirs = make
    x, y = _a(rng, 6, 3), _a(rng, 6, 2)

    def run(model, opt, loss_fn, xs, ys, steps=3):
        for _ in range(steps):
            opt.zero_grad()
            loss_fn(model(xs), ys).backward()
            opt.step()
    ours = nn.Linear(3, 2, dtype=np.float64)
    theirs = torch.nn.Linear(3, 2, dtype=torch.float64)
    _copy_into(ours, theirs)
    o_opt, t_opt = make_ours(ours.parameters()), make_theirs(theirs.parameters())
    run(ours, o_opt, F.mse_loss, Tensor(x), y)
    run(theirs, t_opt, TF.mse_loss, torch.tensor(x), torch.tensor(y))
    saved = o_opt.state_dict()
    assert set(saved) == {"state", "param_groups"} and saved["param_groups"][0]["params"] == [0, 1]
    ours2 = nn.Linear(3, 2, dtype=np.float64)
    ours2.load_state_dict(ours.state_dict())
    o_opt2 = make_ours(ours2.parameters())
    o_opt2.load_state_dict(saved)
    run(ours2, o_opt2, F.mse_loss, Tensor(x), y)
    run(theirs, t_opt, TF.mse_loss, torch.tensor(x), torch.tensor(y))
    for p, q in zip(ours2.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_clip_grad_norm_returns_a_0d_tensor():
    p = nn.Parameter(np.array([3.0, 4.0]))
    p.grad = np.array([3.0, 4.0])
    total = nn.utils.clip_grad_norm_([p], 1.0)
    assert isinstance(total, Tensor) and total.shape == () and total.item() == pytest.approx(5.0)
    assert f"{total:.1f}" == "5.0" and float(total) == pytest.approx(5.0)


def test_keepdim_without_dim_and_numpy_spelling_mix(rng):
    x = Tensor(_a(rng, 3, 4))
    assert x.max(axis=1, keepdim=True).shape == (3, 1) and x.min(axis=0, keepdims=True).shape == (1, 4)
    assert x.sum(axis=1, keepdims=True).shape == (3, 1) and x.mean(1, keepdim=True).shape == (3, 1)
    with pytest.raises(TypeError):
        x.sum(dim=0, axis=0)
