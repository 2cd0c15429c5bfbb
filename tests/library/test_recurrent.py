"""Recurrent primitives and layers: gradcheck of the fused BPTT, agreement with PyTorch,
and the unrolled RNNCell graph (1,000 steps) against the fused RNN."""
import numpy as np
import pytest

import chainrule as cr
from chainrule import Tensor
from chainrule.nn import LSTM, RNN, LSTMCell, RNNCell
from chainrule.ops.recurrent import lstm, rnn_relu, rnn_tanh
from chainrule.tensor import ShapeError

# (seq_len T, batch N, input I, hidden H): includes batch 1 and seq 1
SHAPES = [(1, 1, 3, 2), (4, 3, 5, 6), (3, 1, 2, 4), (1, 4, 3, 3), (5, 2, 1, 3)]


def _inputs(rng, T, N, I, H, gates, cell_state=False, bias=True):
    """x, h0, (c0), w_ih, w_hh, (b_ih, b_hh), weights scaled so the activations are not saturated."""
    arrays = [rng.standard_normal((T, N, I)), rng.standard_normal((N, H))]
    if cell_state:
        arrays.append(rng.standard_normal((N, H)))
    arrays += [rng.standard_normal((gates * H, I)) * 0.6, rng.standard_normal((gates * H, H)) * 0.6]
    if bias:
        arrays += [rng.standard_normal(gates * H) * 0.5, rng.standard_normal(gates * H) * 0.5]
    return arrays


# ---- the fused primitives: BPTT against central differences, every input ---------------------

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("prim", [rnn_tanh, rnn_relu], ids=["tanh", "relu"])
def test_rnn_primitive_gradcheck(prim, shape, bias):
    rng = np.random.default_rng(sum(shape) + 10 * bias)
    arrays = _inputs(rng, *shape, gates=1, bias=bias)
    result = cr.gradcheck(lambda *t: prim(*t), arrays)
    assert result, str(result)
    assert len(result.reports) == len(arrays)          # every input was checked


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("bias", [True, False])
def test_lstm_primitive_gradcheck(shape, bias):
    rng = np.random.default_rng(sum(shape) + 10 * bias)
    arrays = _inputs(rng, *shape, gates=4, cell_state=True, bias=bias)
    result = cr.gradcheck(lambda *t: lstm(*t), arrays)
    assert result, str(result)
    assert len(result.reports) == len(arrays)


def test_lstm_gradient_from_last_cell_state_only():
    # the (T+1)-th row of the stacked output is c_T: a loss on it alone must reach every input
    rng = np.random.default_rng(7)
    arrays = _inputs(rng, 3, 2, 4, 3, gates=4, cell_state=True)
    dout = np.zeros((4, 2, 3))
    dout[-1] = rng.standard_normal((2, 3))
    result = cr.gradcheck(lambda *t: lstm(*t), arrays, dout=dout)
    assert result, str(result)
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    lstm(*tensors).backward(dout)
    assert all(np.abs(t.grad).max() > 1e-6 for t in tensors)


def test_primitive_shape_errors_name_the_op():
    rng = np.random.default_rng(0)
    x, h0, w_ih, w_hh, b_ih, b_hh = (Tensor(a) for a in _inputs(rng, 3, 2, 4, 5, gates=1))
    with pytest.raises(ShapeError, match=r"rnn_tanh: h0 must have shape \(2, 5\)"):
        rnn_tanh(x, Tensor(np.zeros((3, 5))), w_ih, w_hh, b_ih, b_hh)
    with pytest.raises(ShapeError, match=r"lstm: w_ih must have shape \(20, 4\)"):
        lstm(x, h0, h0, w_ih, w_hh)


# ---- layers against PyTorch ---------------------------------------------------------------

torch_cases = [
    # (class name, kwargs, num_layers, batch_first, give initial state)
    ("RNN", {}, 1, False, False),
    ("RNN", {}, 2, False, True),
    ("RNN", {"nonlinearity": "relu"}, 2, True, True),
    ("RNN", {"bias": False}, 3, False, True),
    ("LSTM", {}, 1, False, False),
    ("LSTM", {}, 2, True, True),
    ("LSTM", {"bias": False}, 3, False, True),
]


def _pair(torch, name, input_size, hidden, num_layers, batch_first, kwargs):
    """A torch layer (float64) and a chainrule layer holding a copy of its weights."""
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(input_size, hidden, num_layers=num_layers,
                                     batch_first=batch_first, **kwargs).double()
    ours = {"RNN": RNN, "LSTM": LSTM}[name](input_size, hidden, num_layers=num_layers,
                                            batch_first=batch_first, **kwargs)
    tp = dict(theirs.named_parameters())
    assert list(tp) == [n for n, _ in ours.named_parameters()]       # same names, same order
    for n, p in ours.named_parameters():
        assert p.shape == tuple(tp[n].shape)
        p.data = tp[n].detach().numpy().copy()
    return theirs, ours


@pytest.mark.parametrize("name,kwargs,num_layers,batch_first,give_state", torch_cases)
def test_layer_matches_torch(name, kwargs, num_layers, batch_first, give_state):
    torch = pytest.importorskip("torch")
    T, N, I, H = 6, 3, 5, 4
    theirs, ours = _pair(torch, name, I, H, num_layers, batch_first, kwargs)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((N, T, I) if batch_first else (T, N, I))
    states = [rng.standard_normal((num_layers, N, H)) for _ in range(2 if name == "LSTM" else 1)]
    # upstream gradients for output, h_n and c_n: the loss depends on all three
    g_out = rng.standard_normal((N, T, H) if batch_first else (T, N, H))
    g_states = [rng.standard_normal((num_layers, N, H)) for _ in states]

    xt = torch.tensor(x, requires_grad=True)
    st_t = [torch.tensor(s, requires_grad=True) for s in states]
    xc = Tensor(x, requires_grad=True)
    st_c = [Tensor(s, requires_grad=True) for s in states]
    if name == "LSTM":
        out_t, fin_t = theirs(xt, tuple(st_t) if give_state else None)
        out_c, fin_c = ours(xc, tuple(st_c) if give_state else None)
    else:
        out_t, fin_t = theirs(xt, st_t[0] if give_state else None)
        out_c, fin_c = ours(xc, st_c[0] if give_state else None)
        fin_t, fin_c = (fin_t,), (fin_c,)
    loss_t = (out_t * torch.tensor(g_out)).sum() + sum((f * torch.tensor(g)).sum() for f, g in zip(fin_t, g_states))
    loss_c = (out_c * g_out).sum() + sum((f * g).sum() for f, g in zip(fin_c, g_states))
    loss_t.backward()
    loss_c.backward()

    np.testing.assert_allclose(out_c.data, out_t.detach().numpy(), atol=1e-6, rtol=0)
    for fc, ft in zip(fin_c, fin_t):
        assert fc.shape == tuple(ft.shape)
        np.testing.assert_allclose(fc.data, ft.detach().numpy(), atol=1e-6, rtol=0)
    np.testing.assert_allclose(xc.grad, xt.grad.numpy(), atol=1e-6, rtol=0)
    tp = dict(theirs.named_parameters())
    for n, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, tp[n].grad.numpy(), atol=1e-6, rtol=0, err_msg=n)
    if give_state:
        for sc, stt in zip(st_c, st_t):
            np.testing.assert_allclose(sc.grad, stt.grad.numpy(), atol=1e-6, rtol=0)


@pytest.mark.parametrize("which", ["h_n", "c_n"])
def test_lstm_gradient_flows_from_final_states_alone(which):
    torch = pytest.importorskip("torch")
    theirs, ours = _pair(torch, "LSTM", 3, 4, 2, False, {})
    x = np.random.default_rng(2).standard_normal((5, 2, 3))
    _, (h_t, c_t) = theirs(torch.tensor(x))
    _, (h_c, c_c) = ours(Tensor(x))
    ((h_t if which == "h_n" else c_t) ** 2).sum().backward()
    ((h_c if which == "h_n" else c_c) ** 2).sum().backward()
    tp = dict(theirs.named_parameters())
    for n, p in ours.named_parameters():
        assert np.abs(p.grad).max() > 0
        np.testing.assert_allclose(p.grad, tp[n].grad.numpy(), atol=1e-6, rtol=0, err_msg=n)


@pytest.mark.parametrize("name", ["RNN", "LSTM"])
def test_unbatched_input_matches_torch(name):
    torch = pytest.importorskip("torch")
    theirs, ours = _pair(torch, name, 3, 4, 2, False, {})
    x = np.random.default_rng(3).standard_normal((5, 3))                 # (T, I): no batch axis
    out_t, fin_t = theirs(torch.tensor(x))
    out_c, fin_c = ours(Tensor(x))
    assert out_c.shape == (5, 4)
    np.testing.assert_allclose(out_c.data, out_t.detach().numpy(), atol=1e-6, rtol=0)
    h_t, h_c = (fin_t[0], fin_c[0]) if name == "LSTM" else (fin_t, fin_c)
    assert h_c.shape == (2, 4)
    np.testing.assert_allclose(h_c.data, h_t.detach().numpy(), atol=1e-6, rtol=0)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell"])
def test_cells_match_torch(name):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(3, 4).double()
    ours = {"RNNCell": RNNCell, "LSTMCell": LSTMCell}[name](3, 4)
    tp = dict(theirs.named_parameters())
    assert list(tp) == [n for n, _ in ours.named_parameters()]
    for n, p in ours.named_parameters():
        p.data = tp[n].detach().numpy().copy()
    rng = np.random.default_rng(4)
    xs = rng.standard_normal((3, 2, 3))
    state_t = state_c = None
    loss_t = loss_c = 0
    for x in xs:                                                  # three steps, unrolled by hand
        state_t = theirs(torch.tensor(x), state_t)
        state_c = ours(Tensor(x), state_c)
        h_t, h_c = (state_t[0], state_c[0]) if name == "LSTMCell" else (state_t, state_c)
        loss_t = loss_t + (h_t ** 2).sum()
        loss_c = loss_c + (h_c * h_c).sum()
    loss_t.backward()
    loss_c.backward()
    np.testing.assert_allclose(h_c.data, h_t.detach().numpy(), atol=1e-6, rtol=0)
    for n, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, tp[n].grad.numpy(), atol=1e-6, rtol=0, err_msg=n)


@pytest.mark.parametrize("cls", [RNNCell, LSTMCell])
def test_cells_accept_unbatched_input(cls):
    cell = cls(3, 4, dtype=np.float64)
    x = np.random.default_rng(6).standard_normal(3)
    one = cell(Tensor(x))
    batch = cell(Tensor(x[None]))
    if cls is LSTMCell:
        (one, c1), (batch, cb) = one, batch
        np.testing.assert_allclose(c1.data, cb.data[0], atol=1e-12)
    assert one.shape == (4,)
    np.testing.assert_allclose(one.data, batch.data[0], atol=1e-12)


# ---- the unrolled graph: 1,000 steps of RNNCell against the fused RNN ------------------------

def test_thousand_step_unrolled_rnncell_matches_fused_rnn():
    T, N, I, H = 1000, 2, 3, 5
    rng = np.random.default_rng(5)
    cell = RNNCell(I, H)
    fused = RNN(I, H)
    for (n, p), scale in zip(cell.named_parameters(), [0.5, 0.4, 0.3, 0.3]):
        p.data = rng.standard_normal(p.shape) * scale
        getattr(fused, n + "_l0").data = p.data.copy()
    x = rng.standard_normal((T, N, I))
    g = rng.standard_normal((T, N, H))                                 # dL/dh_t for every step

    # the transparent version: a Python loop, a graph ~8,000 ops deep
    h = None
    loss = 0
    for t in range(T):
        h = cell(Tensor(x[t]), h)
        loss = loss + (h * g[t]).sum()
    loss.backward()                                                    # no RecursionError

    out, h_n = fused(Tensor(x))
    (out * g).sum().backward()
    np.testing.assert_allclose(out.data[-1], h.data, atol=1e-10, rtol=0)
    for n, p in cell.named_parameters():
        q = getattr(fused, n + "_l0")
        assert np.abs(p.grad).max() > 1e-3
        np.testing.assert_allclose(p.grad, q.grad, atol=1e-9, rtol=1e-9, err_msg=n)


# ---- construction and errors -----------------------------------------------------------------

def test_input_shape_error_is_clear():
    rnn = RNN(10, 4)
    with pytest.raises(ShapeError) as e:
        rnn(Tensor(np.zeros((5, 3, 7))))
    assert str(e.value).startswith("RNN: input must be (seq_len, batch, input_size)=(·,·,10), got shape (5, 3, 7)")
    with pytest.raises(ShapeError, match=r"\(batch, seq_len, input_size\)"):
        RNN(10, 4, batch_first=True)(Tensor(np.zeros((5, 3))))
    with pytest.raises(ShapeError, match=r"h_0 must be \(num_layers, batch, hidden_size\)=\(2,3,4\)"):
        RNN(10, 4, num_layers=2)(Tensor(np.zeros((5, 3, 10))), Tensor(np.zeros((1, 3, 4))))
    with pytest.raises(ShapeError, match=r"LSTM: c_0 must be"):
        LSTM(10, 4)(Tensor(np.zeros((5, 3, 10))), (np.zeros((1, 3, 4)), np.zeros((1, 2, 4))))
    with pytest.raises(ShapeError, match=r"LSTMCell: input must be \(batch, input_size\)=\(·,10\)"):
        LSTMCell(10, 4)(Tensor(np.zeros((3, 9))))
    with pytest.raises(ValueError, match="nonlinearity"):
        RNN(10, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        LSTM(10, 0)


@pytest.mark.parametrize("cls,gates", [(RNN, 1), (LSTM, 4)])
def test_parameters_shapes_and_init_range(cls, gates):
    m = cls(7, 16, num_layers=2)
    names = [n for n, _ in m.named_parameters()]
    assert names == [f"{w}_l{k}" for k in range(2) for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    assert m.weight_ih_l0.shape == (gates * 16, 7) and m.weight_ih_l1.shape == (gates * 16, 16)
    assert m.weight_hh_l1.shape == (gates * 16, 16) and m.bias_hh_l1.shape == (gates * 16,)
    bound = 1 / np.sqrt(16)
    values = np.concatenate([p.data.ravel() for p in m.parameters()])
    assert values.dtype == np.float32
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.9 * bound
    assert abs(values.mean()) < 0.02                                    # uniform, centred
    out, _ = m(Tensor(np.zeros((2, 3, 7), dtype=np.float32)))
    assert out.dtype == np.float32


def test_init_follows_the_library_seed():
    init = pytest.importorskip("chainrule.nn.init")
    if not hasattr(init, "manual_seed"):
        pytest.skip("chainrule.nn.init has no manual_seed")
    init.manual_seed(123)
    a = LSTM(3, 4).weight_hh_l0.data.copy()
    init.manual_seed(123)
    b = LSTM(3, 4).weight_hh_l0.data
    np.testing.assert_array_equal(a, b)
