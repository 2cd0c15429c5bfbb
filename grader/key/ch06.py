"""The reference gradients of chapter 6's checks (RNN step, BPTT, truncated BPTT, LSTM step), each with
the typical wrong versions a check compares a wrong answer with (``mistake=...``). Conventions: see
:mod:`coursekit.checks.ch06`. The checks verify these references against numerical gradients in every case."""
from __future__ import annotations

import numpy as np

from coursekit.checks.ch06 import GATES   # the order of the four blocks of a (and of Wx, Wh, b columns)


def _sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# ---------------------------------------------------------------------- reference: RNN
def ref_rnn_step_forward(x, h_prev, Wx, Wh, b):
    h = np.tanh(x @ Wx + h_prev @ Wh + b)
    return h, (x, h_prev, Wx, Wh, b, h)


def ref_rnn_step_backward(dh, cache, mistake=None):
    """The step's gradients; ``mistake`` reproduces a typical wrong version (for the diagnosis)."""
    x, h_prev, Wx, Wh, b, h = cache
    if mistake == "tanh_pre":
        z = x @ Wx + h_prev @ Wh + b
        dz = dh * (1.0 - z ** 2)
    elif mistake == "tanh_twice":
        dz = dh * (1.0 - np.tanh(h) ** 2)
    elif mistake == "no_tanh":
        dz = dh
    elif mistake == "tanh_form":
        dz = dh * (1.0 - h)
    else:
        dz = dh * (1.0 - h ** 2)
    dx = dz @ Wx.T
    dh_prev = dz @ (Wh if mistake == "wh_not_t" else Wh.T)
    dWx, dWh, db = x.T @ dz, h_prev.T @ dz, dz.sum(axis=0)
    if mistake == "db_per_sample":
        db = dz
    return dx, dh_prev, dWx, dWh, db


def ref_rnn_forward(x, h0, Wx, Wh, b):
    h, hs, caches = h0, [], []
    for t in range(x.shape[0]):
        h, cache = ref_rnn_step_forward(x[t], h, Wx, Wh, b)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs), caches


def bptt(dh_all, caches, cut=(), mistake=None, step_mistake=None):
    """BPTT over the whole sequence; the gradient dh_prev of the steps in ``cut`` is dropped.

    mistake: None, "no_recurrence", "overwrite" (weight gradients of step 0 only, as `=` instead
    of `+=` in a backward loop), "last_only" (of step T-1 only), "upstream_replaced" (dh_all[t]
    used only at t = T-1), "forward_order" (the loop runs t = 0..T-1), "cut_upstream" (at a cut,
    dh_all of the step before is dropped too), "dh0_zero", "dh0_output" (dh0 is the gradient of
    the output of step 0, not of h0), "dx_reversed" (dx in reversed time order), "last_twice"
    (dh_all[T-1] counted twice: the carry started from it), "weights_reset" / "weights_reset_before"
    (the weight gradients restarted from zero at each cut, after or before adding the step),
    "stack_time" (the weight gradients of each step stacked, not summed: (T, ...))
    """
    T = len(caches)
    x0, h0, Wx, Wh, b, _ = caches[0]
    dx = np.zeros((T,) + x0.shape)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    carry = dh_all[T - 1].copy() if mistake == "last_twice" else np.zeros_like(h0)
    order = range(T) if mistake == "forward_order" else range(T - 1, -1, -1)
    dropped_upstream, stacked, dh_into_0 = set(), [None] * T, None
    for t in order:
        if mistake == "upstream_replaced" and t != T - 1:
            dh = carry
        elif mistake == "no_recurrence":
            dh = dh_all[t]
        elif t in dropped_upstream:
            dh = carry
        else:
            dh = dh_all[t] + carry
        if t == 0:
            dh_into_0 = dh
        dx[t], dprev, gx, gh, gb = ref_rnn_step_backward(dh, caches[t], step_mistake)
        stacked[t] = (gx, gh, gb)
        if mistake == "weights_reset_before" and t in cut:
            dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
        if mistake == "overwrite":
            dWx, dWh, db = gx, gh, gb
        elif mistake == "last_only":
            if t == T - 1:
                dWx, dWh, db = gx, gh, gb
        else:
            dWx, dWh, db = dWx + gx, dWh + gh, db + gb
        carry = dprev
        if t in cut:
            carry = np.zeros_like(dprev)
            if mistake == "cut_upstream":
                dropped_upstream.add(t - 1)
            if mistake == "weights_reset":
                dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh0 = {"dh0_zero": np.zeros_like(h0), "dh0_output": dh_into_0}.get(mistake, carry)
    if mistake == "dx_reversed":
        dx = dx[::-1]
    if mistake == "stack_time":
        dWx, dWh, db = (np.stack([g[j] for g in stacked]) for j in range(3))
    return dx, dh0, dWx, dWh, db


def ref_rnn_backward(dh_all, cache):
    return bptt(dh_all, cache)


def tbptt_cuts(T, k):
    """The steps whose incoming hidden state is detached: t = k, 2k, ... (< T)."""
    return set(range(k, T, k))


def ref_truncated_bptt(dh_all, cache, k):
    return bptt(dh_all, cache, cut=tbptt_cuts(len(cache), k))


# ---------------------------------------------------------------------- reference: LSTM
def ref_lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, g, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), _sigmoid(a[:, 3 * H:])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, Wx, Wh, b, i, f, g, o, c)


def ref_lstm_step_backward(dh, dc, cache, mistake=None):
    """The step's gradients; ``mistake`` reproduces a typical wrong version (for the diagnosis)."""
    x, h_prev, c_prev, Wx, Wh, b, i, f, g, o, c = cache
    tc = np.tanh(c)
    dtanh = {"tanh_c": 1.0 - c ** 2, "tanh_form_c": 1.0 - tc}.get(mistake, 1.0 - tc ** 2)
    if mistake == "no_dc":
        dct = dh * o * dtanh
    elif mistake == "no_h_path":
        dct = dc
    elif mistake == "no_o_in_path":
        dct = dc + dh * dtanh
    else:
        dct = dc + dh * o * dtanh
    di, dg, do = dct * g, dct * i, dh * (c if mistake == "o_no_tanh" else tc)
    df = dct * (c if mistake == "forget_c" else c_prev)
    sig = {"no_sigmoid": lambda s: 1.0, "sigmoid_form": lambda s: 1.0 - s}.get(mistake, lambda s: s * (1.0 - s))
    da_i, da_o = di * sig(i), do * sig(o)
    da_f = df if mistake == "no_forget_sigmoid" else df * sig(f)
    da_g = dg * {"g_sigmoid": g * (1.0 - g), "tanh_form_g": 1.0 - g}.get(mistake, 1.0 - g ** 2)
    blocks = {"i": da_i, "f": da_f, "g": da_g, "o": da_o}
    if mistake in ("neg_i", "neg_f", "neg_g", "neg_o"):   # one gate's derivative with the wrong sign
        blocks[mistake[-1]] = -blocks[mistake[-1]]
    da = np.concatenate([blocks[k] for k in GATES], axis=1)
    if mistake in ("order_ifog", "order_ifog_params"):
        da_perm = np.concatenate([blocks[k] for k in ("i", "f", "o", "g")], axis=1)
        if mistake == "order_ifog":
            da = da_perm
    dx, dh_prev = da @ Wx.T, da @ Wh.T
    if mistake == "order_ifog_params":
        da = da_perm
    dc_prev = dct if mistake == "no_f_in_dc_prev" else dct * f
    return dx, dh_prev, dc_prev, x.T @ da, h_prev.T @ da, (da if mistake == "db_per_sample" else da.sum(axis=0))


# ---------------------------------------------------------------------- hidden cases of coursekit.checks.ch06
STEP_HIDDEN = [(11, 4, 2, 3), (12, 1, 6, 4), (13, 5, 3, 2), (14, 2, 4, 6)]
# Hidden cases at a real layer's size (this one and SEQ_SCALE, TBPTT_SCALE, LSTM_SCALE): the
# backward formulas are a few matrix products (milliseconds); finite differences need two forward
# passes per element of the inputs and weights (minutes; measured in benchmarks/fd_vs_backprop.py).
# One sample and large weights: the weights set the number of passes (and each pass reads them all),
# while a learner's loops over samples and units stay short.
STEP_SCALE = (16, 1, 768, 768)  # about 7 times the grader's default limit (benchmarks/README.md)
SEQ_HIDDEN = [(11, 1, 1, 2, 3), (12, 6, 2, 4, 3), (13, 3, 4, 3, 2), (14, 7, 1, 2, 5)]
SEQ_SCALE = (16, 4, 1, 544, 544)  # see STEP_SCALE; a pass, like the loops, is T steps: few steps, large weights
TBPTT_HIDDEN = [(11, 10, 1, 3, 2, 4), (12, 6, 2, 2, 3, 1), (13, 9, 3, 2, 4, 4), (14, 3, 2, 4, 3, 5),
                (15, 1, 1, 2, 3, 1)]
TBPTT_SCALE = (16, 5, 1, 512, 512, 3)  # see SEQ_SCALE; T mod k = 2 as in the cases above
LSTM_HIDDEN = [(11, 4, 3, 2), (12, 1, 5, 3), (13, 2, 2, 4), (14, 3, 6, 5)]
LSTM_SCALE = (16, 1, 384, 352)  # see STEP_SCALE; four gates make the weights four times larger
