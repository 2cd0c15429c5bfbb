"""Chapter 6 checks: correct implementations pass, typical mistakes get the right diagnosis."""
import inspect
import re

import numpy as np
import pytest
from checks_helpers import english, failure, layer_sized, recording, small_layer_cases  # noqa: F401  (fixtures)

import chainrule
from chainrule import Tensor
from coursekit.checks import ch06, core
from grader.key import ch06 as key06
from coursekit.checks.messages import MESSAGES

HIDDEN = [False, True]


def names(err, what):
    """The failure message names the output ``what`` (in an array, scalar or shape line)."""
    return f"\n  {what}," in str(err) or f"\n  {what}:" in str(err)


def nie(*args):
    raise NotImplementedError()


# ---------------------------------------------------------------------- correct implementations
def step_vec(dh, cache):
    x, h_prev, Wx, Wh, b, h = cache
    dz = dh * (1 - h ** 2)
    return dz @ Wx.T, dz @ Wh.T, x.T @ dz, h_prev.T @ dz, dz.sum(axis=0)


def step_recompute(dh, cache):
    """Recomputes tanh from the pre-activation, loops over the batch for the weights."""
    x, h_prev, Wx, Wh, b, _ = cache
    dz = dh * (1 - np.tanh(x @ Wx + h_prev @ Wh + b) ** 2)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    for n in range(x.shape[0]):
        dWx += np.outer(x[n], dz[n])
        dWh += np.outer(h_prev[n], dz[n])
        db += dz[n]
    return np.einsum("nh,dh->nd", dz, Wx), np.einsum("nh,kh->nk", dz, Wh), dWx, dWh, db


def step_tensors(dh, cache):
    x, h_prev, Wx, Wh, b, _ = cache
    ts = [Tensor(a, requires_grad=True) for a in (x, h_prev, Wx, Wh, b)]
    ((ts[0] @ ts[2] + ts[1] @ ts[3] + ts[4]).tanh() * dh).sum().backward()
    return tuple(t.grad for t in ts)


def bptt_loop(dh_all, cache, k=None, step=step_vec):
    T = len(cache)
    dx = [None] * T
    dWx = dWh = db = 0.0
    dnext = np.zeros_like(cache[0][1])
    for t in reversed(range(T)):
        dx[t], dnext, gx, gh, gb = step(dh_all[t] + dnext, cache[t])
        dWx, dWh, db = dWx + gx, dWh + gh, db + gb
        if k is not None and t > 0 and t % k == 0:
            dnext = np.zeros_like(dnext)
    return np.stack(dx), dnext, dWx, dWh, db


def bptt_tensors(dh_all, cache, k=None):
    """chainrule autograd on the unrolled graph, detaching the state entering steps k, 2k, ..."""
    x = np.stack([c[0] for c in cache])
    h0, Wx, Wh, b = cache[0][1], cache[0][2], cache[0][3], cache[0][4]
    xt, h0t = Tensor(x, requires_grad=True), Tensor(h0, requires_grad=True)
    W = [Tensor(a, requires_grad=True) for a in (Wx, Wh, b)]
    h, loss = h0t, 0.0
    for t in range(len(x)):
        if k is not None and t > 0 and t % k == 0:
            h = h.detach()
        h = (xt[t] @ W[0] + h @ W[1] + W[2]).tanh()
        loss = loss + (h * dh_all[t]).sum()
    loss.backward()
    return xt.grad, h0t.grad, W[0].grad, W[1].grad, W[2].grad


def tbptt_chunks(dh_all, cache, k):
    """Chunk by chunk from the start: each chunk's backward ends at its first step."""
    T = len(cache)
    dx = np.zeros((T,) + cache[0][0].shape)
    dWx, dWh, db = (np.zeros_like(a) for a in cache[0][2:5])
    dh0 = None
    for start in range(0, T, k):
        dnext = np.zeros_like(cache[0][1])
        for t in reversed(range(start, min(start + k, T))):
            dx[t], dnext, gx, gh, gb = step_vec(dh_all[t] + dnext, cache[t])
            dWx += gx
            dWh += gh
            db += gb
        if start == 0:
            dh0 = dnext
    return dx, dh0, dWx, dWh, db


def lstm_vec(dh, dc, cache):
    x, hp, cp, Wx, Wh, b, i, f, g, o, c = cache
    tc = np.tanh(c)
    dct = dc + dh * o * (1 - tc ** 2)
    da = np.concatenate([dct * g * i * (1 - i), dct * cp * f * (1 - f), dct * i * (1 - g ** 2),
                         dh * tc * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dct * f, x.T @ da, hp.T @ da, da.sum(axis=0)


def lstm_tensors(dh, dc, cache):
    x, hp, cp, Wx, Wh, b = cache[:6]
    H = hp.shape[1]
    ts = [Tensor(a, requires_grad=True) for a in (x, hp, cp, Wx, Wh, b)]
    a = ts[0] @ ts[3] + ts[1] @ ts[4] + ts[5]
    i, f = a[:, :H].sigmoid(), a[:, H:2 * H].sigmoid()
    g, o = a[:, 2 * H:3 * H].tanh(), a[:, 3 * H:].sigmoid()
    c = f * ts[2] + i * g
    h = o * c.tanh()
    ((h * dh).sum() + (c * dc).sum()).backward()
    return ts[0].grad, ts[1].grad, ts[2].grad, ts[3].grad, ts[4].grad, ts[5].grad


def lstm_blocks(dh, dc, cache):
    """Gradients per gate into a preallocated da, computed from the pre-activations."""
    x, hp, cp, Wx, Wh, b, *_ = cache
    H = hp.shape[1]
    a = x @ Wx + hp @ Wh + b
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    i, f, g, o = sig(a[:, :H]), sig(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sig(a[:, 3 * H:])
    c = f * cp + i * g
    dct = dc + dh * o * (1 - np.tanh(c) ** 2)
    da = np.empty_like(a)
    da[:, :H] = dct * g * i * (1 - i)
    da[:, H:2 * H] = dct * cp * f * (1 - f)
    da[:, 2 * H:3 * H] = dct * i * (1 - g ** 2)
    da[:, 3 * H:] = dh * np.tanh(c) * o * (1 - o)
    return da @ Wx.T, da @ Wh.T, dct * f, x.T @ da, hp.T @ da, da.sum(axis=0)


# ---------------------------------------------------------------------- references are right
def test_rnn_references_match_numerical_and_autograd():
    rng = np.random.default_rng(0)
    T, N, D, H = 5, 2, 3, 4
    x, h0, dh_all = rng.standard_normal((T, N, D)), rng.standard_normal((N, H)), rng.standard_normal((T, N, H))
    Wx, Wh, b = rng.standard_normal((D, H)) * 0.5, rng.standard_normal((H, H)) * 0.5, rng.standard_normal(H)
    _, cache = key06.ref_rnn_forward(x, h0, Wx, Wh, b)
    for k in (None, 1, 2, 3, 7):
        ref = key06.ref_rnn_backward(dh_all, cache) if k is None else key06.ref_truncated_bptt(dh_all, cache, k)
        for r, a in zip(ref, bptt_tensors(dh_all, cache, k)):
            assert np.allclose(r, a, atol=1e-12)
    full = key06.ref_rnn_backward(dh_all, cache)
    num = chainrule.numerical_grad(lambda w: key06.ref_rnn_forward(x, h0, Wx, w, b)[0], Wh, dh_all)
    assert np.allclose(full[3], num, atol=1e-8)


def test_lstm_reference_matches_chainrule_cell():
    rng = np.random.default_rng(1)
    N, D, H = 3, 2, 4
    cell = chainrule.nn.LSTMCell(D, H, dtype=np.float64)
    x, h, c = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    dh, dc = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    ts = [Tensor(a, requires_grad=True) for a in (x, h, c)]
    h2, c2 = cell(ts[0], (ts[1], ts[2]))
    ((h2 * dh).sum() + (c2 * dc).sum()).backward()
    Wx, Wh, b = cell.weight_ih.data.T, cell.weight_hh.data.T, cell.bias_ih.data + cell.bias_hh.data
    hr, cr, cache = key06.ref_lstm_step_forward(x, h, c, Wx, Wh, b)
    assert np.allclose(hr, h2.data) and np.allclose(cr, c2.data)
    ref = key06.ref_lstm_step_backward(dh, dc, cache)
    lib = [ts[0].grad, ts[1].grad, ts[2].grad, cell.weight_ih.grad.T, cell.weight_hh.grad.T, cell.bias_ih.grad]
    for r, a in zip(ref, lib):
        assert np.allclose(r, a, atol=1e-12)


def test_shapes_of_the_cases():
    for specs in (ch06._STEP_VISIBLE, key06.STEP_HIDDEN, ch06._LSTM_VISIBLE, key06.LSTM_HIDDEN):
        assert all(d != h for _, n, d, h in specs) and any(n == 1 for _, n, d, h in specs)
    for specs in (ch06._SEQ_VISIBLE, key06.SEQ_HIDDEN):
        assert any(T == 1 for _, T, *_ in specs) and any(T > 3 for _, T, *_ in specs)
        assert any(n == 1 for _, T, n, *_ in specs) and all(d != h for *_, d, h in specs)
    for specs in (ch06._TBPTT_VISIBLE, key06.TBPTT_HIDDEN):
        assert any(T % k and T > 2 * k for _, T, n, d, h, k in specs)


# ---------------------------------------------------------------------- rnn_step_backward
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [step_vec, step_recompute, step_tensors])
def test_rnn_step_backward_accepts_correct(fn, hidden, capsys):
    ch06.check_rnn_step_backward(fn, hidden=hidden)
    assert "✓ rnn_step_backward" in capsys.readouterr().out


def _step(change):
    def fn(dh, cache):
        x, h_prev, Wx, Wh, b, h = cache
        return change(dh, x, h_prev, Wx, Wh, b, h)
    return fn


def _dz(dz, x, h_prev, Wx, Wh):
    return dz @ Wx.T, dz @ Wh.T, x.T @ dz, h_prev.T @ dz, dz.sum(axis=0)


def step_modifies_dh(dh, cache):
    dh *= 1 - cache[5] ** 2
    return _dz(dh, *cache[:4])


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category, what", [
    (_step(lambda dh, x, hp, Wx, Wh, b, h: _dz(dh * (1 - (x @ Wx + hp @ Wh + b) ** 2), x, hp, Wx, Wh)),
     "rnn_tanh_preactivation", "dx"),
    (_step(lambda dh, x, hp, Wx, Wh, b, h: _dz(dh * (1 - np.tanh(h) ** 2), x, hp, Wx, Wh)),
     "rnn_tanh_applied_twice", "dx"),
    (_step(lambda dh, x, hp, Wx, Wh, b, h: _dz(dh, x, hp, Wx, Wh)), "rnn_missing_tanh_grad", "dx"),
    (_step(lambda dh, x, hp, Wx, Wh, b, h: _dz(dh * (1 - h), x, hp, Wx, Wh)), "rnn_tanh_form", "dx"),
    (_step(lambda dh, x, hp, Wx, Wh, b, h: (lambda r: (r[0], (dh * (1 - h ** 2)) @ Wh) + r[2:])(
        _dz(dh * (1 - h ** 2), x, hp, Wx, Wh))), "rnn_wh_not_transposed", "dh_prev"),
    (_step(lambda dh, x, hp, Wx, Wh, b, h: (lambda r: r[:2] + (r[2].T,) + r[3:])(
        _dz(dh * (1 - h ** 2), x, hp, Wx, Wh))), "rnn_dw_transposed", "dWx"),
    (_step(lambda dh, x, hp, Wx, Wh, b, h: (lambda r: r[:3] + (r[3].T,) + r[4:])(
        _dz(dh * (1 - h ** 2), x, hp, Wx, Wh))), "rnn_dw_transposed", "dWh"),
    (_step(lambda dh, x, hp, Wx, Wh, b, h: (lambda r: r[:2] + (-r[2],) + r[3:])(
        _dz(dh * (1 - h ** 2), x, hp, Wx, Wh))), "rnn_grad_sign", "dWx"),
    (_step(lambda dh, x, hp, Wx, Wh, b, h: (lambda r: r[:1] + (r[0],) + r[2:])(
        _dz(dh * (1 - h ** 2), x, hp, Wx, Wh))), "shape", "dh_prev"),
    (step_modifies_dh, "modified_argument", None),
    (lambda dh, cache: step_vec(dh, cache)[:4], "bad_return", None),
    (nie, "not_implemented", None),
])
def test_rnn_step_backward_rejects_mistakes(fn, category, what, hidden, failure):
    err = failure(ch06.check_rnn_step_backward, fn, hidden)
    assert err.category == category, str(err)
    if what:
        assert names(err, what), str(err)


def test_rnn_step_db_missing_batch_sum(failure):
    def fn(dh, cache):
        r = step_vec(dh, cache)
        return r[:4] + (dh * (1 - cache[5] ** 2),)
    err = failure(ch06.check_rnn_step_backward, fn)
    assert err.category == "rnn_db_missing_batch_sum" and names(err, "db")


# ---------------------------------------------------------------------- rnn_backward
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [bptt_loop, lambda d, c: bptt_loop(d, c, step=step_recompute), bptt_tensors])
def test_rnn_backward_accepts_correct(fn, hidden, capsys):
    ch06.check_rnn_backward(fn, hidden=hidden)
    assert "✓ rnn_backward" in capsys.readouterr().out


def bptt_overwrite(dh_all, cache):
    dx, dnext = [None] * len(cache), np.zeros_like(cache[0][1])
    for t in reversed(range(len(cache))):
        dx[t], dnext, dWx, dWh, db = step_vec(dh_all[t] + dnext, cache[t])   # = instead of +=
    return np.stack(dx), dnext, dWx, dWh, db


def bptt_last_step_weights(dh_all, cache):
    T = len(cache)
    full = bptt_loop(dh_all, cache)
    _, _, dWx, dWh, db = step_vec(dh_all[T - 1], cache[T - 1])
    return full[0], full[1], dWx, dWh, db


def bptt_no_recurrence(dh_all, cache):
    outs = [step_vec(dh_all[t], cache[t]) for t in range(len(cache))]
    return (np.stack([o[0] for o in outs]), outs[0][1], sum(o[2] for o in outs), sum(o[3] for o in outs),
            sum(o[4] for o in outs))


def bptt_forward_order(dh_all, cache):
    T = len(cache)
    dx, carry = [None] * T, np.zeros_like(cache[0][1])
    dWx = dWh = db = 0.0
    for t in range(T):
        dx[t], carry, gx, gh, gb = step_vec(dh_all[t] + carry, cache[t])
        dWx, dWh, db = dWx + gx, dWh + gh, db + gb
    return np.stack(dx), carry, dWx, dWh, db


def bptt_upstream_replaced(dh_all, cache):
    T = len(cache)
    dx, dnext = [None] * T, dh_all[T - 1]
    dWx = dWh = db = 0.0
    for t in reversed(range(T)):
        dx[t], dnext, gx, gh, gb = step_vec(dnext, cache[t])
        dWx, dWh, db = dWx + gx, dWh + gh, db + gb
    return np.stack(dx), dnext, dWx, dWh, db


def _wrong_step(change):
    return lambda d, c: bptt_loop(d, c, step=_step(change))


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category, what", [
    (bptt_overwrite, "rnn_not_accumulated", "dWx"),
    (bptt_last_step_weights, "rnn_not_accumulated", "dWx"),
    (bptt_no_recurrence, "rnn_no_recurrence", "dx"),
    (bptt_forward_order, "rnn_wrong_direction", "dx"),
    (bptt_upstream_replaced, "rnn_upstream_replaced", "dx"),
    (_wrong_step(lambda dh, x, hp, Wx, Wh, b, h: _dz(dh * (1 - (x @ Wx + hp @ Wh + b) ** 2), x, hp, Wx, Wh)),
     "rnn_tanh_preactivation", "dx"),
    (_wrong_step(lambda dh, x, hp, Wx, Wh, b, h: (lambda r: (r[0], (dh * (1 - h ** 2)) @ Wh) + r[2:])(
        _dz(dh * (1 - h ** 2), x, hp, Wx, Wh))), "rnn_wh_not_transposed", "dh0"),
    (lambda d, c: bptt_loop(d, c)[:4], "bad_return", None),
    (nie, "not_implemented", None),
])
def test_rnn_backward_rejects_mistakes(fn, category, what, hidden, failure):
    err = failure(ch06.check_rnn_backward, fn, hidden)
    assert err.category == category, str(err)
    if what:
        assert names(err, what), str(err)


def test_rnn_backward_with_a_dw_transposed_step(failure):
    step = _step(lambda dh, x, hp, Wx, Wh, b, h: (lambda r: r[:2] + (r[2].T,) + r[3:])(
        _dz(dh * (1 - h ** 2), x, hp, Wx, Wh)))
    err = failure(ch06.check_rnn_backward, lambda d, c: bptt_loop(d, c, step=step))
    assert err.category == "rnn_dw_transposed" and names(err, "dWx")


# ---------------------------------------------------------------------- truncated_bptt
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [bptt_loop, bptt_tensors, tbptt_chunks])
def test_truncated_bptt_accepts_correct(fn, hidden, capsys):
    ch06.check_truncated_bptt(fn, hidden=hidden)
    assert "✓ truncated_bptt" in capsys.readouterr().out


def _tb(cut_rule, zero_upstream=False, zero_dh0=False):
    def fn(dh_all, cache, k):
        T = len(cache)
        dx, dnext = [None] * T, np.zeros_like(cache[0][1])
        dWx = dWh = db = 0.0
        skip = set()
        for t in reversed(range(T)):
            dh = dnext if t in skip else dh_all[t] + dnext
            dx[t], dnext, gx, gh, gb = step_vec(dh, cache[t])
            dWx, dWh, db = dWx + gx, dWh + gh, db + gb
            if t > 0 and cut_rule(t, k, T):
                dnext = np.zeros_like(dnext)
                if zero_upstream:
                    skip.add(t - 1)
        return np.stack(dx), 0 * dnext if zero_dh0 else dnext, dWx, dWh, db
    return fn


RIGHT = lambda t, k, T: t % k == 0  # noqa: E731


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category, what", [
    (lambda d, c, k: bptt_loop(d, c), "tbptt_no_cut", "dx"),
    (_tb(lambda t, k, T: (t + 1) % k == 0), "tbptt_off_by_one", "dx"),
    (_tb(lambda t, k, T: (t - 1) % k == 0), "tbptt_off_by_one", "dx"),
    (_tb(lambda t, k, T: t % (k + 1) == 0), "tbptt_off_by_one", "dx"),
    (_tb(lambda t, k, T: (T - t) % k == 0), "tbptt_chunks_from_end", "dx"),
    (_tb(lambda t, k, T: True), "tbptt_every_step", "dx"),
    (_tb(RIGHT, zero_upstream=True), "tbptt_cut_upstream", "dx"),
    (_tb(RIGHT, zero_dh0=True), "tbptt_dh0_cut", "dh0"),
    (lambda d, c, k: bptt_overwrite(d, c) if k >= len(c) else bptt_loop(d, c, k), "rnn_not_accumulated", "dWx"),
    (lambda d, c, k: bptt_loop(d, c)[:3], "bad_return", None),
    (nie, "not_implemented", None),
])
def test_truncated_bptt_rejects_mistakes(fn, category, what, hidden, failure):
    err = failure(ch06.check_truncated_bptt, fn, hidden)
    assert err.category == category, str(err)
    if what:
        assert names(err, what), str(err)


def test_truncated_bptt_cut_without_recurrence_at_all(failure):
    err = failure(ch06.check_truncated_bptt, lambda d, c, k: bptt_no_recurrence(d, c))
    assert err.category in ("rnn_no_recurrence", "tbptt_every_step")   # the same thing when k = 1


# ---------------------------------------------------------------------- lstm_step_backward
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [lstm_vec, lstm_tensors, lstm_blocks])
def test_lstm_step_backward_accepts_correct(fn, hidden, capsys):
    ch06.check_lstm_step_backward(fn, hidden=hidden)
    assert "✓ lstm_step_backward" in capsys.readouterr().out


def _lstm(dct_of=None, da_f_of=None, dc_prev_of=None, order=("i", "f", "g", "o"), sig_o=True, g_deriv=None):
    def fn(dh, dc, cache):
        x, hp, cp, Wx, Wh, b, i, f, g, o, c = cache
        tc = np.tanh(c)
        dct = dc + dh * o * (1 - tc ** 2) if dct_of is None else dct_of(dh, dc, o, c, tc)
        blocks = {"i": dct * g * i * (1 - i),
                  "f": dct * cp * f * (1 - f) if da_f_of is None else da_f_of(dct, cp, c, f),
                  "g": dct * i * ((1 - g ** 2) if g_deriv is None else g_deriv(g)),
                  "o": dh * tc * (o * (1 - o) if sig_o else 1.0)}
        da = np.concatenate([blocks[k] for k in order], axis=1)
        dcp = dct * f if dc_prev_of is None else dc_prev_of(dct, f)
        return da @ Wx.T, da @ Wh.T, dcp, x.T @ da, hp.T @ da, da.sum(axis=0)
    return fn


def lstm_params_permuted(dh, dc, cache):
    r = lstm_vec(dh, dc, cache)
    H = cache[1].shape[1]
    perm = lambda a: np.concatenate([a[..., :2 * H], a[..., 3 * H:], a[..., 2 * H:3 * H]], axis=-1)  # noqa: E731
    return r[0], r[1], r[2], perm(r[3]), perm(r[4]), perm(r[5])


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category, what", [
    (_lstm(dct_of=lambda dh, dc, o, c, tc: dh * o * (1 - tc ** 2)), "lstm_missing_dc", "dx"),
    (_lstm(dct_of=lambda dh, dc, o, c, tc: dc), "lstm_missing_h_path", "dx"),
    (_lstm(dct_of=lambda dh, dc, o, c, tc: dc + dh * (1 - tc ** 2)), "lstm_missing_h_path", "dx"),
    (_lstm(dct_of=lambda dh, dc, o, c, tc: dc + dh * o * (1 - c ** 2)), "lstm_tanh_c_derivative", "dx"),
    (_lstm(da_f_of=lambda dct, cp, c, f: dct * cp), "lstm_forget_derivative", "dx"),
    (_lstm(da_f_of=lambda dct, cp, c, f: dct * c * f * (1 - f)), "lstm_forget_derivative", "dx"),
    (_lstm(g_deriv=lambda g: g * (1 - g)), "lstm_candidate_derivative", "dx"),
    (_lstm(dc_prev_of=lambda dct, f: dct), "lstm_dc_prev_missing_f", "dc_prev"),
    (_lstm(order=("i", "f", "o", "g")), "lstm_gate_order", "dx"),
    (lstm_params_permuted, "lstm_gate_order", "dWx"),
    (lambda dh, dc, cache: lstm_vec(dh, dc, cache)[:5], "bad_return", None),
    (nie, "not_implemented", None),
])
def test_lstm_step_backward_rejects_mistakes(fn, category, what, hidden, failure):
    err = failure(ch06.check_lstm_step_backward, fn, hidden)
    assert err.category == category, str(err)
    if what:
        assert names(err, what), str(err)


def test_lstm_missing_sigmoid_derivatives(failure):
    def fn(dh, dc, cache):
        x, hp, cp, Wx, Wh, b, i, f, g, o, c = cache
        tc = np.tanh(c)
        dct = dc + dh * o * (1 - tc ** 2)
        da = np.concatenate([dct * g, dct * cp, dct * i * (1 - g ** 2), dh * tc], axis=1)
        return da @ Wx.T, da @ Wh.T, dct * f, x.T @ da, hp.T @ da, da.sum(axis=0)
    assert failure(ch06.check_lstm_step_backward, fn).category == "lstm_sigmoid_derivative"


def test_lstm_db_per_sample(failure):
    def fn(dh, dc, cache):
        return lstm_vec(dh, dc, cache)[:5] + (_da(dh, dc, cache),)   # da not summed over the batch
    err = failure(ch06.check_lstm_step_backward, fn)
    assert err.category == "rnn_db_missing_batch_sum" and names(err, "db")


def _da(dh, dc, cache):
    x, hp, cp, Wx, Wh, b, i, f, g, o, c = cache
    tc = np.tanh(c)
    dct = dc + dh * o * (1 - tc ** 2)
    return np.concatenate([dct * g * i * (1 - i), dct * cp * f * (1 - f), dct * i * (1 - g ** 2),
                           dh * tc * o * (1 - o)], axis=1)


def test_lstm_modifying_the_cache_is_caught(failure):
    def fn(dh, dc, cache):
        r = lstm_vec(dh, dc, cache)
        cache[7][...] = 0.0          # overwrote f in place
        return r
    err = failure(ch06.check_lstm_step_backward, fn)
    assert err.category == "modified_argument" and "f" in str(err)


# ---------------------------------------------------------------------- registry, messages, chapter
def test_exercises_are_registered():
    from coursekit import checks
    for ex in ("rnn_step_backward", "rnn_backward", "truncated_bptt", "lstm_step_backward"):
        assert checks.EXERCISES[ex] == "ch06" and checks.get_check(ex) is getattr(ch06, f"check_{ex}")


def test_every_ch06_category_has_a_message():
    src = inspect.getsource(ch06)
    used = set(re.findall(r'\("((?:rnn|tbptt|lstm)_[a-z_0-9]+)",', src)) | set(
        re.findall(r'fail\(\s*"([a-z_0-9]+)"', src))
    used |= {f"what_rnn_{n}" for n in ("dx", "dh_prev", "dc_prev", "dh0", "dWx", "dWh", "db")}
    used -= {"rnn_step_backward", "rnn_backward", "lstm_step_backward"}
    assert "tbptt_off_by_one" in used and "lstm_gate_order" in used and "rnn_not_accumulated" in used
    for lang in ("en", "zh"):
        assert used <= set(MESSAGES[lang]), (lang, used - set(MESSAGES[lang]))


@pytest.mark.parametrize("lang, words", [
    ("en", ["truncated_bptt", "case 1 of 3", "dx, shape (10, 2, 3)", "worst is at index", "expected",
            "relative error", "Hint", "one off", "t % k == 0"]),
    ("zh", ["truncated_bptt", "第 1 个用例", "dx，形状 (10, 2, 3)", "误差最大的在索引", "期望", "相对误差",
            "提示",
            "错了一步", "t % k == 0"]),
])
def test_messages_in_the_notebook_language(lang, words, failure):
    core.set_language(lang)
    text = str(failure(ch06.check_truncated_bptt, _tb(lambda t, k, T: (t + 1) % k == 0)))
    for w in words:
        assert w in text, (w, text)


@pytest.mark.parametrize("lang, line", [("en", "✓ lstm_step_backward: all 5 hidden tests passed."),
                                        ("zh", "✓ lstm_step_backward\uff1a5 项隐藏测试全部通过。")])
def test_success_line_in_both_languages(lang, line, capsys):
    core.set_language(lang)
    ch06.check_lstm_step_backward(lstm_vec, hidden=True)
    assert capsys.readouterr().out.strip() == line


def test_lstm_hint_in_chinese(failure):
    core.set_language("zh")
    err = failure(ch06.check_lstm_step_backward, _lstm(da_f_of=lambda dct, cp, c, f: dct * cp))
    assert err.category == "lstm_forget_derivative" and "遗忘门" in str(err) and "dx，形状" in str(err)


def test_a_learner_reversing_the_cache_list_is_not_misjudged(capsys):
    def reverses(dh_all, cache):
        cache.reverse()                                  # their own business: the check hands out a copy
        return bptt_loop(dh_all, cache[::-1])
    ch06.check_rnn_backward(reverses)
    assert "✓ rnn_backward" in capsys.readouterr().out


# ---------------------------------------------------------------------- the layer-sized hidden cases
def _weights(Wx, Wh, b):
    return Wx.size + Wh.size + b.size


# Finite differences need two forward passes per element of the inputs and weights, and each pass
# reads all the weights (T times for a sequence): the number of weights keeps them out of time, while
# the chapter's formulas are a few matrix products per step. benchmarks/fd_vs_backprop.py measures the
# times, with element-by-element loops too (no test here asserts a duration).
@pytest.mark.parametrize("check, fn, size, minimum", [
    (ch06.check_rnn_step_backward, step_vec, lambda dh, cache: (_weights(*cache[2:5]), 1), (2 * 768 * 768, 1)),
    (ch06.check_rnn_backward, bptt_loop, lambda dh_all, cache: (_weights(*cache[0][2:5]), len(cache)),
     (2 * 544 * 544, 4)),
    (ch06.check_truncated_bptt, bptt_loop, lambda dh_all, cache, k: (_weights(*cache[0][2:5]), len(cache)),
     (2 * 512 * 512, 5)),
    (ch06.check_lstm_step_backward, lstm_vec, lambda dh, dc, cache: (_weights(*cache[3:6]), 1),
     ((384 + 352) * 4 * 352, 1)),
], ids=["rnn_step_backward", "rnn_backward", "truncated_bptt", "lstm_step_backward"])
def test_hidden_check_has_a_layer_sized_case_and_honest_code_passes_it(check, fn, size, minimum, layer_sized, capsys):
    fn = recording(fn)
    check(fn, hidden=True)
    assert "✓" in capsys.readouterr().out
    weights, steps = max(size(*args) for args in fn.calls)
    assert weights >= minimum[0] and steps >= minimum[1]
