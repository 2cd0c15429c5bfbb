"""Layers: the parameter names and shapes PyTorch gives them, the same outputs and gradients
once PyTorch's weights are loaded, PyTorch's initialisation formulas, train/eval behaviour."""
import math

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.nn import init


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def model_pairs(torch):
    """(ours, PyTorch's) pairs of the same architecture, in float64, with an input shape."""
    tnn = torch.nn

    class TorchResidual(tnn.Module):
        def __init__(self, f, conv):
            super().__init__()
            self.conv = conv
            if conv:
                self.conv1, self.bn1 = tnn.Conv2d(f, f, 3, padding=1, bias=False), tnn.BatchNorm2d(f)
                self.conv2, self.bn2 = tnn.Conv2d(f, f, 3, padding=1, bias=False), tnn.BatchNorm2d(f)
            else:
                self.fc1, self.fc2 = tnn.Linear(f, f), tnn.Linear(f, f)

        def forward(self, x):
            if self.conv:
                return torch.relu(x + self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x))))))
            return torch.relu(x + self.fc2(torch.relu(self.fc1(x))))

    f64 = np.float64
    return {
        "linear": (nn.Linear(5, 3, dtype=f64), tnn.Linear(5, 3), (4, 5)),
        "linear_nobias": (nn.Linear(5, 3, bias=False, dtype=f64), tnn.Linear(5, 3, bias=False), (1, 5)),
        "conv": (nn.Conv2d(3, 4, 3, stride=2, padding=1, dtype=f64), tnn.Conv2d(3, 4, 3, stride=2, padding=1),
                 (2, 3, 7, 7)),
        "bn1d": (nn.BatchNorm1d(3, dtype=f64), tnn.BatchNorm1d(3), (6, 3)),
        "bn1d_seq": (nn.BatchNorm1d(3, dtype=f64), tnn.BatchNorm1d(3), (2, 3, 5)),
        "bn2d": (nn.BatchNorm2d(3, dtype=f64), tnn.BatchNorm2d(3), (2, 3, 4, 4)),
        "cnn": (nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, dtype=f64), nn.BatchNorm2d(4, dtype=f64), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Conv2d(4, 2, (2, 3), dtype=f64), nn.Tanh(), nn.AvgPool2d(2, 1),
                              nn.Flatten(), nn.Linear(4, 3, dtype=f64), nn.Sigmoid()),
                tnn.Sequential(tnn.Conv2d(1, 4, 3, padding=1), tnn.BatchNorm2d(4), tnn.ReLU(), tnn.MaxPool2d(2),
                               tnn.Conv2d(4, 2, (2, 3)), tnn.Tanh(), tnn.AvgPool2d(2, 1), tnn.Flatten(),
                               tnn.Linear(4, 3), tnn.Sigmoid()),
                (3, 1, 8, 9)),
        "residual": (nn.ResidualBlock(6, dtype=f64), TorchResidual(6, False), (4, 6)),
        "residual_conv": (nn.ResidualBlock(3, conv=True, dtype=f64), TorchResidual(3, True), (2, 3, 5, 5)),
    }


CASES = ["linear", "linear_nobias", "conv", "bn1d", "bn1d_seq", "bn2d", "cnn", "residual", "residual_conv"]


def load_into_torch(torch, ours, theirs):
    theirs.double()
    state = {k: torch.tensor(v) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state, strict=True)    # strict: the same names and shapes, buffers included


@pytest.mark.parametrize("case", CASES)
def test_parameter_names_and_shapes_match_torch(torch, case):
    ours, theirs, _ = model_pairs(torch)[case]
    assert [(n, p.shape) for n, p in ours.named_parameters()] == \
           [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert {k: np.shape(v) for k, v in ours.state_dict().items()} == \
           {k: tuple(v.shape) for k, v in theirs.state_dict().items()}


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("case", CASES)
def test_same_weights_give_torch_outputs_and_gradients(torch, case, training, rng):
    ours, theirs, shape = model_pairs(torch)[case]
    load_into_torch(torch, ours, theirs)
    ours.train(training), theirs.train(training)
    x = rng.standard_normal(shape)
    xt, tx = cr.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    for _ in range(2):                                  # twice: running statistics must evolve alike
        ours.zero_grad(), theirs.zero_grad()
        xt.grad, tx.grad = None, None
        y, ty = ours(xt), theirs(tx)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-6, atol=1e-6)
        dout = rng.standard_normal(y.shape)
        y.backward(dout)
        ty.backward(torch.tensor(dout))
        np.testing.assert_allclose(xt.grad, tx.grad.numpy(), rtol=1e-6, atol=1e-6)
        grads = dict(theirs.named_parameters())
        for name, p in ours.named_parameters():
            np.testing.assert_allclose(p.grad, grads[name].grad.numpy(), rtol=1e-6, atol=1e-6, err_msg=name)
    torch_state = theirs.state_dict()
    for name, value in ours.state_dict().items():
        np.testing.assert_allclose(value, torch_state[name].numpy(), rtol=1e-10, err_msg=name)


def test_a_small_cnn_passes_gradcheck(rng):
    init.manual_seed(1)
    model = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1, dtype=np.float64), nn.BatchNorm2d(3, dtype=np.float64),
                          nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(12, 2, dtype=np.float64))
    assert cr.gradcheck(lambda x: model(x), [rng.standard_normal((2, 2, 4, 4))])


def test_batch_norm_train_and_eval(rng):
    bn = nn.BatchNorm1d(2)
    x = (rng.standard_normal((64, 2)) * 3 + 5).astype(np.float32)
    y = bn(cr.Tensor(x))
    assert np.allclose(y.data.mean(axis=0), 0, atol=1e-5) and int(bn.num_batches_tracked) == 1
    assert "num_batches_tracked" in bn.state_dict()
    np.testing.assert_allclose(bn.running_mean, 0.1 * x.mean(axis=0), rtol=1e-5)
    bn.eval()
    frozen = bn.running_mean.copy()
    y = bn(cr.Tensor(x))
    np.testing.assert_array_equal(bn.running_mean, frozen)   # eval leaves the statistics alone
    expected = (x - bn.running_mean) / np.sqrt(bn.running_var + bn.eps)
    np.testing.assert_allclose(y.data, expected, rtol=1e-5)


def test_dropout_module_respects_train_and_eval(rng):
    drop = nn.Dropout(0.5)
    x = cr.Tensor(np.ones((50, 50)))
    assert (drop(x).data == 0).any()
    drop.eval()
    assert drop(x) is x


def test_sequential_is_a_container():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    assert isinstance(seq[1:], nn.Sequential) and list(seq[1:]) == [b, c]
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert seq(cr.Tensor(np.ones((4, 2)))).shape == (4, 1)
    with pytest.raises(TypeError, match="Sequential: function is not a Module"):
        nn.Sequential(lambda x: x)


def test_layer_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"linear: x has shape \(4, 7\), its last axis must be in_features = 5"):
        nn.Linear(5, 3)(cr.Tensor(np.ones((4, 7))))
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\): x must be \(N, C\) or \(N, C, L\) with C = 3, got shape \(4, 5\)"):
        nn.BatchNorm1d(3)(cr.Tensor(np.ones((4, 5))))
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3\): x must be \(N, C, H, W\) with C = 3, got shape \(4, 3\)"):
        nn.BatchNorm2d(3)(cr.Tensor(np.ones((4, 3))))


def test_layers_are_float32_by_default_like_torch():
    for m in (nn.Linear(3, 2), nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)):
        assert all(p.dtype == np.float32 for p in m.parameters())


# ---- initialisation ------------------------------------------------------------------------
def test_manual_seed_makes_models_reproducible():
    init.manual_seed(7)
    a = nn.Linear(4, 3).weight.data.copy()
    init.manual_seed(7)
    np.testing.assert_array_equal(nn.Linear(4, 3).weight.data, a)
    assert not np.array_equal(nn.Linear(4, 3).weight.data, a)


@pytest.mark.parametrize("shape", [(10, 5), (16, 3, 5, 5), (8, 4, 3), (3, 2, 2, 2, 2), (1, 1)])
def test_fan_in_and_fan_out_equal_torch(torch, shape):
    assert init._calculate_fan_in_and_fan_out(np.empty(shape)) == \
           torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert init._calculate_fan_in_and_fan_out(nn.Parameter(np.empty(shape))) == \
           torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_fan_needs_two_dimensions():
    with pytest.raises(ValueError, match=r"fan in and fan out cannot be computed for a tensor of shape \(5,\)"):
        init._calculate_fan_in_and_fan_out(np.empty(5))


@pytest.mark.parametrize("nonlinearity, param", [("linear", None), ("conv2d", None), ("sigmoid", None),
                                                 ("tanh", None), ("relu", None), ("leaky_relu", None),
                                                 ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None)])
def test_calculate_gain_equals_torch(torch, nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(torch.nn.init.calculate_gain(nonlinearity, param))


INITS = [  # (name, kwargs, shape): the big shapes make the sample variance accurate to ~1 %
    ("xavier_uniform_", {"gain": 2.0}, (400, 300)),
    ("xavier_normal_", {}, (64, 32, 3, 3)),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, (300, 500)),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}, (64, 32, 3, 3)),
    ("kaiming_normal_", {"nonlinearity": "relu"}, (300, 500)),
    ("kaiming_normal_", {"a": 0.1, "mode": "fan_out"}, (500, 300)),
    ("uniform_", {"a": -2, "b": 1}, (300, 300)),
    ("normal_", {"mean": 1, "std": 0.5}, (300, 300)),
]


@pytest.mark.parametrize("name, kwargs, shape", INITS)
def test_init_scales_match_torch(torch, name, kwargs, shape):
    init.manual_seed(0)
    ours = nn.Parameter(np.zeros(shape, np.float32))
    assert getattr(init, name)(ours, **kwargs) is ours and ours.dtype == np.float32
    torch.manual_seed(0)
    theirs = getattr(torch.nn.init, name)(torch.empty(shape), **kwargs).numpy()
    assert ours.data.mean() == pytest.approx(theirs.mean(), abs=0.02 * float(theirs.std()))
    assert ours.data.var() == pytest.approx(theirs.var(), rel=0.03)
    assert np.abs(ours.data).max() <= np.abs(theirs).max() * 1.5


def test_linear_and_conv_defaults_follow_torch_formula():
    init.manual_seed(0)
    lin, conv = nn.Linear(1000, 400), nn.Conv2d(16, 200, 5)
    for weight, fan_in in ((lin.weight, 1000), (conv.weight, 16 * 25)):
        bound = 1 / math.sqrt(fan_in)                       # U(-b, b) has variance b^2 / 3
        assert np.abs(weight.data).max() <= bound
        assert weight.data.var() == pytest.approx(bound ** 2 / 3, rel=0.03)
    assert np.abs(lin.bias.data).max() <= 1 / math.sqrt(1000)


def test_constant_fills(rng):
    t = nn.Parameter(rng.standard_normal((3, 2)))
    assert not init.zeros_(t).data.any()
    assert (init.ones_(t).data == 1).all() and (init.constant_(t, 0.25).data == 0.25).all()
