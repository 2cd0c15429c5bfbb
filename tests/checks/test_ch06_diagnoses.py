"""Chapter 6: each typical wrong answer is rejected *and named*, in English and in Chinese (issue 17,
item 6). A flipped sign in rnn_step_backward used to fall back to chapter 1's f(x + h) − f(x) hint;
now every exercise has its own sign, factor, transpose, batch- and time-sum, `=` for `+=` and
tanh'/σ' diagnoses."""
import numpy as np
import pytest
from checks_helpers import english, failure, named, small_layer_cases  # noqa: F401  (fixtures)
from test_ch06 import _da, bptt_loop, lstm_vec, step_vec

from coursekit.checks import ch06, core

LANGS = ("en", "zh")


def _dz_outputs(dz, cache):
    x, h_prev, Wx, Wh, b, h = cache
    return dz @ Wx.T, dz @ Wh.T, x.T @ dz, h_prev.T @ dz, dz.sum(axis=0)


def changed(j, how):
    """step_vec with output j changed by ``how``."""
    def fn(dh, cache):
        out = list(step_vec(dh, cache))
        out[j] = how(out[j], dh, cache)
        return tuple(out)
    return fn


def dz_of(dh, cache):
    return dh * (1 - cache[5] ** 2)


def step_h2_minus_1(dh, cache):
    return _dz_outputs(dh * (cache[5] ** 2 - 1), cache)


def step_no_transpose(dh, cache):
    x, h_prev, Wx, Wh, b, h = cache
    dz = dz_of(dh, cache)
    return dz @ Wx, dz @ Wh.T, x.T @ dz, h_prev.T @ dz, dz.sum(axis=0)     # (N, H) @ (D, H): clash


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fn, category, what", [
    (step_h2_minus_1, "rnn_grad_sign", "dx"),
    (changed(1, lambda v, dh, c: -v), "rnn_grad_sign", "dh_prev"),
    (changed(4, lambda v, dh, c: -v), "rnn_grad_sign", "db"),
    (changed(3, lambda v, dh, c: 2 * v), "rnn_grad_factor", "dWh"),
    (changed(2, lambda v, dh, c: np.einsum("nd,nh->ndh", c[0], dz_of(dh, c))), "rnn_dw_missing_batch_sum", "dWx"),
    (changed(4, lambda v, dh, c: v / len(dh)), "rnn_batch_mean", "db"),
    (changed(2, lambda v, dh, c: v.T), "rnn_dw_transposed", "dWx"),
    (step_no_transpose, "rnn_shape_error", None),
], ids=["h2-1", "-dh_prev", "-db", "2dWh", "dWx-per-sample", "db-mean", "dWx.T", "no-transpose"])
def test_rnn_step_backward_mistakes_are_named(fn, category, what, lang, failure):
    core.set_language(lang)
    for hidden in (False, True):
        named(failure(ch06.check_rnn_step_backward, fn, hidden), category, lang, what)


def test_a_flipped_sign_no_longer_gets_chapter_1s_hint(failure):
    text = str(failure(ch06.check_rnn_step_backward, step_h2_minus_1))
    assert "f(x + h)" not in text and "1 − h**2" in text


def seq(change):
    """bptt_loop's result changed by ``change(result, dh_all, cache)``."""
    return lambda dh_all, cache: change(list(bptt_loop(dh_all, cache)), dh_all, cache)


def _set(out, j, value):
    out[j] = value
    return tuple(out)


def bptt_dh0_output(dh_all, cache):
    T = len(cache)
    dx, dnext = [None] * T, np.zeros_like(cache[0][1])
    dWx = dWh = db = 0.0
    for t in reversed(range(T)):
        dh = dh_all[t] + dnext
        dx[t], dnext, gx, gh, gb = step_vec(dh, cache[t])
        dWx, dWh, db = dWx + gx, dWh + gh, db + gb
    return np.stack(dx), dh, dWx, dWh, db          # the gradient of h_all[0], not of h0


def bptt_list_appended(dh_all, cache):
    T = len(cache)
    dxs, dnext = [], np.zeros_like(cache[0][1])
    dWx = dWh = db = 0.0
    for t in reversed(range(T)):
        dx_t, dnext, gx, gh, gb = step_vec(dh_all[t] + dnext, cache[t])
        dxs.append(dx_t)                           # never reversed
        dWx, dWh, db = dWx + gx, dWh + gh, db + gb
    return np.stack(dxs), dnext, dWx, dWh, db


def bptt_started_from_last(dh_all, cache):
    T = len(cache)
    dx, dnext = [None] * T, dh_all[T - 1].copy()
    dWx = dWh = db = 0.0
    for t in reversed(range(T)):
        dx[t], dnext, gx, gh, gb = step_vec(dh_all[t] + dnext, cache[t])
        dWx, dWh, db = dWx + gx, dWh + gh, db + gb
    return np.stack(dx), dnext, dWx, dWh, db


def bptt_stacked(dh_all, cache):
    T = len(cache)
    dx, dnext, gs = [None] * T, np.zeros_like(cache[0][1]), [None] * T
    for t in reversed(range(T)):
        dx[t], dnext, *gs[t] = step_vec(dh_all[t] + dnext, cache[t])
    return np.stack(dx), dnext, *(np.stack([g[j] for g in gs]) for j in range(3))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fn, category, what", [
    (bptt_dh0_output, "rnn_dh0_off_by_one", "dh0"),
    (seq(lambda o, d, c: _set(o, 1, 0 * o[1])), "rnn_dh0_missing", "dh0"),
    (bptt_list_appended, "rnn_dx_time_reversed", "dx"),
    (bptt_started_from_last, "rnn_last_upstream_twice", "dx"),
    (bptt_stacked, "rnn_dw_missing_time_sum", "dWx"),
    (seq(lambda o, d, c: _set(o, 3, o[3] / len(c))), "rnn_time_mean", "dWh"),
    (seq(lambda o, d, c: _set(o, 3, -o[3])), "rnn_grad_sign", "dWh"),
    (lambda d, c: bptt_loop(d, c, step=step_h2_minus_1), "rnn_grad_sign", "dx"),
], ids=["dh0-output", "dh0-zero", "dx-reversed", "last-twice", "stacked", "time-mean", "-dWh", "h2-1"])
def test_rnn_backward_mistakes_are_named(fn, category, what, lang, failure):
    core.set_language(lang)
    named(failure(ch06.check_rnn_backward, fn, True), category, lang, what)


def tbptt_weights_reset(dh_all, cache, k):
    T = len(cache)
    dx, dnext = [None] * T, np.zeros_like(cache[0][1])
    dWx = dWh = db = 0.0
    for t in reversed(range(T)):
        dx[t], dnext, gx, gh, gb = step_vec(dh_all[t] + dnext, cache[t])
        dWx, dWh, db = dWx + gx, dWh + gh, db + gb
        if t > 0 and t % k == 0:
            dnext = np.zeros_like(dnext)
            dWx = dWh = db = 0.0                    # "truncation starts afresh": the weights too
    return np.stack(dx), dnext, dWx, dWh, db


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fn, category, what", [
    (tbptt_weights_reset, "tbptt_weights_reset", "dWx"),
    (lambda d, c, k: (lambda o: (-o[0],) + tuple(o[1:]))(bptt_loop(d, c, k)), "rnn_grad_sign", "dx"),
], ids=["weights-reset", "-dx"])
def test_truncated_bptt_mistakes_are_named(fn, category, what, lang, failure):
    core.set_language(lang)
    named(failure(ch06.check_truncated_bptt, fn, True), category, lang, what)


def lstm_with(change):
    """The LSTM step with the blocks of da computed by ``change(parts) -> da blocks``."""
    def fn(dh, dc, cache):
        x, hp, cp, Wx, Wh, b, i, f, g, o, c = cache
        tc = np.tanh(c)
        parts = dict(dh=dh, dc=dc, i=i, f=f, g=g, o=o, c=c, cp=cp, tc=tc)
        dct, blocks = change(parts)
        da = np.concatenate(blocks, axis=1)
        return da @ Wx.T, da @ Wh.T, dct * f, x.T @ da, hp.T @ da, da.sum(axis=0)
    return fn


def _blocks(p, dct=None, sig=lambda s: s * (1 - s), dtanh_g=None, do_factor=None):
    dct = p["dc"] + p["dh"] * p["o"] * (1 - p["tc"] ** 2) if dct is None else dct
    i, f, g, o = p["i"], p["f"], p["g"], p["o"]
    return dct, [dct * g * sig(i), dct * p["cp"] * sig(f), dct * i * ((1 - g ** 2) if dtanh_g is None else dtanh_g),
                 p["dh"] * (p["tc"] if do_factor is None else do_factor) * sig(o)]


def lstm_gate_i_sign(dh, dc, cache):
    i = cache[6]
    return lstm_with(lambda p: (lambda d, bl: (d, [d * p["g"] * i * (i - 1)] + bl[1:]))(*_blocks(p)))(dh, dc, cache)


def lstm_changed(j, how):
    def fn(dh, dc, cache):
        out = list(lstm_vec(dh, dc, cache))
        out[j] = how(out[j], dh, dc, cache)
        return tuple(out)
    return fn


def lstm_no_transpose(dh, dc, cache):
    out = list(lstm_vec(dh, dc, cache))
    out[0] = _da(dh, dc, cache) @ cache[3]             # (N, 4H) @ (D, 4H): clash
    return tuple(out)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fn, category, what", [
    (lstm_gate_i_sign, "lstm_block_sign", "dx"),
    (lstm_with(lambda p: _blocks(p, dtanh_g=1 - p["g"])), "lstm_tanh_form", "dx"),
    (lstm_with(lambda p: _blocks(p, dct=p["dc"] + p["dh"] * p["o"] * (1 - p["tc"]))), "lstm_tanh_form", "dx"),
    (lstm_with(lambda p: _blocks(p, sig=lambda s: 1 - s)), "lstm_sigmoid_form", "dx"),
    (lstm_with(lambda p: _blocks(p, do_factor=p["c"])), "lstm_output_gate_tanh", "dx"),
    (lstm_changed(2, lambda v, dh, dc, c: -v), "rnn_grad_sign", "dc_prev"),
    (lstm_changed(5, lambda v, dh, dc, c: 2 * v), "rnn_grad_factor", "db"),
    (lstm_changed(3, lambda v, dh, dc, c: np.einsum("nd,nh->ndh", c[0], _da(dh, dc, c))),
     "rnn_dw_missing_batch_sum", "dWx"),
    (lstm_no_transpose, "rnn_shape_error", None),
], ids=["i-1", "1-g", "1-tanh(c)", "1-s", "do=dh*c", "-dc_prev", "2db", "dWx-per-sample", "no-transpose"])
def test_lstm_step_backward_mistakes_are_named(fn, category, what, lang, failure):
    core.set_language(lang)
    for hidden in (False, True):
        err = failure(ch06.check_lstm_step_backward, fn, hidden)
        named(err, category, lang, what)
    if category == "lstm_block_sign":
        assert err.fields["gate"] == "i"
